DROP INDEX ix_t1_note;

