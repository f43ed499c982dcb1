CREATE INDEX ix_t1_name_code ON t1 (name, code);

