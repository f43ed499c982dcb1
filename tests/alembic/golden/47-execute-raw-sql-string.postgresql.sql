UPDATE t1 SET name = 'x' WHERE id = 1;

