# create_table — comments and schema
op.create_table(
    "t4",
    sa.Column("id", sa.Integer(), primary_key=True, comment="row id"),
    comment="a commented table",
    schema="myschema",
)
