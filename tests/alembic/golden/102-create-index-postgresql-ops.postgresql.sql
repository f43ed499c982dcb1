CREATE INDEX ix_t_cn ON t USING gin (cn gin_trgm_ops);

CREATE INDEX ix_t_ab ON t (a, b varchar_pattern_ops, lower(c));

CREATE INDEX ix_t_d ON t (d) WHERE d > 0;

