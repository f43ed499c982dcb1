CREATE INDEX ix_c_cn_lower ON certificates USING gin (lower(cn) gin_trgm_ops);

CREATE INDEX ix_c_mixed ON certificates (name text_pattern_ops, lower(cn) varchar_pattern_ops);

CREATE INDEX ix_c_other ON certificates (upper(cn));

