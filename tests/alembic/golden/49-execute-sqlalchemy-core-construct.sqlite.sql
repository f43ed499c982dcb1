UPDATE t1 SET note='done' WHERE t1.id = 3;

