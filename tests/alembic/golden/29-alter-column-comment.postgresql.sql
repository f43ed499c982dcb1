COMMENT ON COLUMN t1.note IS 'a note';

