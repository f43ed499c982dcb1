DROP INDEX ix_t1_name;

