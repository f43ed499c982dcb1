# create_index(postgresql_ops={column: opclass}): after the column on PostgreSQL, ignored on SQLite
op.create_index("ix_t_cn", "t", ["cn"], unique=False, postgresql_ops={"cn": "gin_trgm_ops"}, postgresql_using="gin")
op.create_index("ix_t_ab", "t", ["a", "b", sa.text("lower(c)")], postgresql_ops={"b": "text_pattern_ops", "zz": "x", "b": "varchar_pattern_ops"})
op.create_index("ix_t_d", "t", ["d"], postgresql_ops={}, postgresql_where=sa.text("d > 0"))
