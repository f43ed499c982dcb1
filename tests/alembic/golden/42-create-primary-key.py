# create_primary_key
op.create_primary_key("pk_t1", "t1", ["id"])
