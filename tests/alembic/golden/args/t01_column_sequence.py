op.create_table("tok", sa.Column("id", sa.Integer(), sa.Sequence("tok_seq"), primary_key=True), sa.Column("x", sa.String(5)))
op.create_table("tok2", sa.Column("id", sa.Integer(), sa.Sequence("tok2_seq", start=5, optional=True), primary_key=True))
op.create_table("tok3", sa.Column("id", sa.BigInteger(), sa.Sequence("tok3_seq", increment=2), primary_key=True), sa.Column("y", sa.Integer()))
op.add_column("tok", sa.Column("n", sa.Integer(), sa.Sequence("n_seq")))
