CREATE INDEX ix_c_cn_lower ON certificates (lower(cn));

CREATE INDEX ix_c_mixed ON certificates (name, lower(cn));

CREATE INDEX ix_c_other ON certificates (upper(cn));

