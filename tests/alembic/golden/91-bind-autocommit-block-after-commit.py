# the body that test_alembic_eval.c compares with the same body after op.get_bind().commit() (which Alembic cannot run offline)
with op.get_context().autocommit_block():
    op.create_index("ix_t1_note", "t1", ["note"], postgresql_concurrently=True)
