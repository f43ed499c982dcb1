# create_unique_constraint
op.create_unique_constraint("uq_t1_code", "t1", ["code"])
