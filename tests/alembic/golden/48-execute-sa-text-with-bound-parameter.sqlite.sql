UPDATE t1 SET name = 'O''Brien' WHERE id = 7;

