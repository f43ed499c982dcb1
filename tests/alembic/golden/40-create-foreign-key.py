# create_foreign_key
op.create_foreign_key("fk_t1_other", "t1", "t2", ["other_id"], ["id"], ondelete="CASCADE")
