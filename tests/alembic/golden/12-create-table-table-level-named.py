# create_table — table-level named constraints
op.create_table(
    "t3",
    sa.Column("a", sa.Integer(), nullable=False),
    sa.Column("b", sa.Integer(), nullable=False),
    sa.Column("t1_id", sa.Integer()),
    sa.PrimaryKeyConstraint("a", "b", name="pk_t3"),
    sa.UniqueConstraint("b", "t1_id", name="uq_t3_b_t1"),
    sa.CheckConstraint("a > 0", name="ck_t3_a_pos"),
    sa.ForeignKeyConstraint(["t1_id"], ["t1.id"], name="fk_t3_t1", ondelete="SET NULL"),
)
