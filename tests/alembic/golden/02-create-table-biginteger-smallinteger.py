# create_table — BigInteger / SmallInteger primary key
op.create_table("t_big", sa.Column("id", sa.BigInteger(), primary_key=True))
op.create_table("t_small", sa.Column("id", sa.SmallInteger(), primary_key=True))
