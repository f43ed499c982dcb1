CREATE UNIQUE INDEX ix_t1_code ON t1 (code);

DROP INDEX ix_t1_name;

