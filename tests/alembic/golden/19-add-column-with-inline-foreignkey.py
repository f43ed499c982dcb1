# add_column — with inline ForeignKey
op.add_column("t1", sa.Column("other_id", sa.Integer(), sa.ForeignKey("t2.id", name="fk_t1_other"), nullable=True))
