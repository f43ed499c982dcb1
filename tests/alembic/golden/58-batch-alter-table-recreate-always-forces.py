# batch_alter_table — recreate='always' (forces move-and-copy on PG too)
with op.batch_alter_table("t1", copy_from=T1, recreate="always") as batch_op:
    batch_op.add_column(sa.Column("extra", sa.Integer()))
