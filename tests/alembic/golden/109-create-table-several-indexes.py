# two indexes in op.create_table(): Alembic emits table.indexes in set order, untranslatable
op.create_table("dev", sa.Column("id", sa.Integer(), nullable=False), sa.Column("a", sa.Integer()), sa.Column("b", sa.Integer(), index=True), sa.PrimaryKeyConstraint("id"), sa.Index("ix_dev_a", "a"))
