# create_index — postgresql_concurrently (inside autocommit_block)
with op.get_context().autocommit_block():
    op.create_index("ix_t1_note", "t1", ["note"], postgresql_concurrently=True)
