# a helper Python never calls (and / or / if-else short-circuit) is never looked at
def table_exists(name):
    return sa.inspect(op.get_bind()).has_table(name)

if op.get_bind().dialect.name == "mysql" and table_exists("t1"):
    op.drop_table("t1")
name = "x1" if op.get_bind().dialect.name in ("postgresql", "sqlite") else table_exists("t1")
op.add_column("t1", sa.Column(name, sa.Integer()))
