CREATE INDEX ix_t1_lower_name ON t1 (lower(name)) WHERE note IS NOT NULL;

