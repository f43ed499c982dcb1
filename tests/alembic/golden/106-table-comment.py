# create_table_comment() / drop_table_comment(): COMMENT ON TABLE, printed on SQLite too
op.create_table_comment("t", "it's a 100% table", existing_comment="old")
op.create_table_comment("User", "line one\nline two", schema="s")
op.drop_table_comment("t", existing_comment="it's a 100% table")
