# op.get_bind().commit() not followed by autocommit_block(): Alembic's mock connection has no commit()
op.create_index("ix_t1_name", "t1", ["name"])
op.get_bind().commit()
op.create_index("ix_t1_note", "t1", ["note"])
