CREATE INDEX ix_t1_name ON t1 (name);

