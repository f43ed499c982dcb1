UPDATE t1 SET note = 'n2' WHERE id = 3;

DELETE FROM t1 WHERE id = 2;

DELETE FROM t1 WHERE code = 'xxx';

UPDATE t1 SET name = "it's";

