# create_table — server_default forms
op.create_table(
    "t_def",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("s", sa.String(10), server_default="x"),
    sa.Column("quote", sa.String(10), server_default="it's"),
    sa.Column("n", sa.Integer(), server_default="0"),
    sa.Column("n2", sa.Integer(), server_default=sa.text("42")),
    sa.Column("b_true", sa.Boolean(), server_default=sa.true()),
    sa.Column("b_false", sa.Boolean(), server_default=sa.false()),
    sa.Column("b_text", sa.Boolean(), server_default=sa.text("false")),
    sa.Column("ts_now", sa.DateTime(), server_default=sa.func.now()),
    sa.Column("ts_ct", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP")),
)
