# batch_alter_table — drop_column
with op.batch_alter_table("t1", copy_from=T1) as batch_op:
    batch_op.drop_column("note")
