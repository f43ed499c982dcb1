# rename_table
op.rename_table("t1", "t1_new")
