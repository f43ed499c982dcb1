# batch_alter_table — create_index / drop_index
with op.batch_alter_table("t1", copy_from=T1) as batch_op:
    batch_op.create_index("ix_t1_code", ["code"], unique=True)
    batch_op.drop_index("ix_t1_name")
