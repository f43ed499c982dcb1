# batch_alter_table — alter_column rename
with op.batch_alter_table("t1", copy_from=T1) as batch_op:
    batch_op.alter_column("note", new_column_name="remark")
