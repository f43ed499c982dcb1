# create_table — Enum native_enum=False / Boolean create_constraint=True
op.create_table(
    "t_enum2",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("kind", sa.Enum("a", "b", name="t_enum2_kind", native_enum=False, create_constraint=True)),
    sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_t_enum2_flag")),
)
