# drop_index — postgresql_concurrently
op.drop_index("ix_t1_note", table_name="t1", postgresql_concurrently=True)
