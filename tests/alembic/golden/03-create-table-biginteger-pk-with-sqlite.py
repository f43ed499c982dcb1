# create_table — BigInteger PK with SQLite variant (the usual fix)
op.create_table("t_big2", sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True))
