# create_table — Enum column (native enum on PG)
op.create_table(
    "t_enum",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("kind", sa.Enum("a", "b", name="t_enum_kind"), nullable=False),
)
