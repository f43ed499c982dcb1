UPDATE t1 SET name = 'x';

SELECT 2;

