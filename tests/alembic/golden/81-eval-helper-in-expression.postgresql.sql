ALTER TABLE t1 ADD COLUMN pg_only INTEGER;

CREATE INDEX ix_t1_name ON t1 (name);

UPDATE t1 SET code = 'postgresql';

