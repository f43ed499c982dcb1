op.create_table("g", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("e", sa.Integer(), sa.CheckConstraint("e > 0", name="ck_e"), nullable=False))
op.create_table("h", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("f", sa.String(10), sa.CheckConstraint("f <> ''", deferrable=True, initially="DEFERRED"), server_default="x"))
op.add_column("g", sa.Column("extras", sa.JSON(), sa.CheckConstraint("""
    json_type(extras) = 'object'
    """, name="g_flat_extras"), nullable=True))
