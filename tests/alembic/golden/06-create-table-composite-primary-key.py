# create_table — composite primary key
op.create_table(
    "t1",
    sa.Column("a", sa.Integer(), primary_key=True),
    sa.Column("b", sa.String(10), primary_key=True),
)
