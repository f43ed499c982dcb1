# A if C else B with C known, as an op.* argument: the branch Python takes (quay's logentry3 id)
op.create_table(
    "t128",
    sa.Column("id", sa.Integer() if op.get_context().dialect.name == "sqlite" else sa.BigInteger(), nullable=False),
    sa.Column("n", sa.String(length=10 if settings.feature_x else 20)),
    sa.PrimaryKeyConstraint("id"),
)
