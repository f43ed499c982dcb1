CREATE INDEX ix_t1_note ON t1 (note);

