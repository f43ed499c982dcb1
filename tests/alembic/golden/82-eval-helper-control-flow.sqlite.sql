UPDATE t1 SET note = 'ONE_1' WHERE id = 1;

UPDATE t1 SET note = 'some_5' WHERE id = 5;

UPDATE t1 SET note = 'BIG_20' WHERE id = 20;

DELETE FROM t1 WHERE code = 'ONE_0';

