CREATE UNIQUE INDEX ix_t1_code ON t1 (code);

