ALTER TABLE t1 ADD COLUMN legacy INTEGER;

UPDATE t1 SET code = 'fallback';

