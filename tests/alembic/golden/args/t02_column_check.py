op.create_table("g", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("e", sa.Integer(), sa.CheckConstraint("e > 0", name="ck_e"), nullable=False))
op.create_table("h", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("f", sa.String(10), sa.CheckConstraint("f <> ''"), server_default="x"))
op.add_column("g", sa.Column("extras", sa.String(20), sa.CheckConstraint("""
    length(extras) > 1
    """, name="g_flat_extras"), nullable=True))
