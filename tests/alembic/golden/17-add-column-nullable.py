# add_column — nullable
op.add_column("t1", sa.Column("note", sa.String(50), nullable=True))
