# create_table — Integer primary key (implicit autoincrement)
op.create_table("t1", sa.Column("id", sa.Integer(), primary_key=True))
