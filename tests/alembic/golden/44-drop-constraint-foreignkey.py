# drop_constraint — foreignkey
op.drop_constraint("fk_t1_other", "t1", type_="foreignkey")
