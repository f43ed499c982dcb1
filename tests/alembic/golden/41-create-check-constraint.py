# create_check_constraint
op.create_check_constraint("ck_t1_name", "t1", "length(name) > 0")
