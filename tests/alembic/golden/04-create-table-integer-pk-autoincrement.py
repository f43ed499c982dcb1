# create_table — Integer PK autoincrement=False
op.create_table("t1", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False))
