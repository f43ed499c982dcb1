ALTER TABLE t1 ADD CONSTRAINT ck_t1_name CHECK (length(name) > 0);

