# create_table_comment(comment=None): Alembic 1.8.1 fails compiling the literal
op.create_table_comment("t", None)
