# drop_constraint — primary
op.drop_constraint("pk_t1", "t1", type_="primary")
