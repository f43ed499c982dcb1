# drop_constraint — check
op.drop_constraint("ck_t1_name", "t1", type_="check")
