CREATE INDEX ix_t1_lname ON t1 (lower(name));

CREATE INDEX ix_t1_code ON t1 (code, upper(note));

