# create_foreign_key(use_alter=True): the same ALTER TABLE ... ADD CONSTRAINT (refused on SQLite outside batch)
op.create_foreign_key("fk_t_u", "t", "u", ["u_id"], ["id"], ondelete="CASCADE", use_alter=True)
