# batch_alter_table — add_column
with op.batch_alter_table("t1", copy_from=T1) as batch_op:
    batch_op.add_column(sa.Column("extra", sa.Integer(), nullable=True))
