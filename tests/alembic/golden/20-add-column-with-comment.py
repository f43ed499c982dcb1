# add_column — with comment
op.add_column("t1", sa.Column("c", sa.Integer(), comment="the c"))
