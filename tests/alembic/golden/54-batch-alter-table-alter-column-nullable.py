# batch_alter_table — alter_column nullable + type
with op.batch_alter_table("t1", copy_from=T1) as batch_op:
    batch_op.alter_column("note", existing_type=sa.String(50), type_=sa.String(200), nullable=False)
