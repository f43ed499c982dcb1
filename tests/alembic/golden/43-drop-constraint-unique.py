# drop_constraint — unique
op.drop_constraint("uq_t1_code", "t1", type_="unique")
