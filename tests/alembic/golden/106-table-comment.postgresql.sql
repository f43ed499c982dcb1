COMMENT ON TABLE t IS 'it''s a 100% table';

COMMENT ON TABLE s."User" IS 'line one
line two';

COMMENT ON TABLE t IS NULL;

