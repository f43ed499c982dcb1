print: adding a column to t1
ALTER TABLE t1 ADD COLUMN p1 INTEGER;

print: done
ALTER TABLE t1 DROP COLUMN p1;

