# drop_index
op.drop_index("ix_t1_name", table_name="t1")
