# a helper whose value comes from the live database (sa.inspect) is not known offline
def table_exists(name):
    insp = sa.inspect(op.get_bind())
    return insp.has_table(name)

if not table_exists("t9"):
    op.create_table("t9", sa.Column("id", sa.Integer(), primary_key=True))
