# batch_alter_table — create_foreign_key + create_unique_constraint
with op.batch_alter_table("t1", copy_from=T1) as batch_op:
    batch_op.create_foreign_key("fk_t1_other", "t2", ["other_id"], ["id"])
    batch_op.create_unique_constraint("uq_t1_code", ["code"])
