# create_table — inline ForeignKey (ondelete/onupdate), unique=True, index=True
op.create_table(
    "t2",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("t1_id", sa.Integer(), sa.ForeignKey("t1.id", ondelete="CASCADE", onupdate="CASCADE"), nullable=False),
    sa.Column("ref2", sa.Integer(), sa.ForeignKey("t1.id", name="fk_t2_ref2")),
    sa.Column("email", sa.String(100), unique=True),
    sa.Column("slug", sa.String(100), index=True),
)
