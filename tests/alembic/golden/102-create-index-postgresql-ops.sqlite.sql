CREATE INDEX ix_t_cn ON t (cn);

CREATE INDEX ix_t_ab ON t (a, b, lower(c));

CREATE INDEX ix_t_d ON t (d);

