UPDATE t1 SET note = 'a';

UPDATE t1 SET note = 'b';

UPDATE t1 SET note = 'c';

