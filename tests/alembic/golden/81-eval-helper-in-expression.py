# helper functions called in expressions: their return value (a dialect check, a name built from arguments)
def is_postgres():
    return op.get_context().dialect.name == "postgresql"

def db_type():
    return op.get_bind().dialect.name

def idx_name(table, *, col, prefix="ix"):
    return f"{prefix}_{table}_{col}"

if is_postgres():
    op.add_column("t1", sa.Column("pg_only", sa.Integer()))
else:
    op.add_column("t1", sa.Column("lite_only", sa.Integer()))
op.create_index(idx_name("t1", col="name"), "t1", ["name"])
if db_type() == "sqlite" and is_postgres():
    op.drop_column("t1", "note")
flag = is_postgres() or db_type() == "sqlite"
if flag:
    op.execute("UPDATE t1 SET code = '%s'" % db_type())
