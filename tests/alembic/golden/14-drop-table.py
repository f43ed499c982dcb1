# drop_table
op.drop_table("t1")
