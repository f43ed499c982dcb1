# if / elif / else on the dialect: only the taken branch is read
if op.get_bind().dialect.name == "postgresql":
    op.execute("SELECT 'pg'")
elif op.get_context().dialect.name == "sqlite":
    op.execute("SELECT 'lite'")
else:
    raise NotImplementedError(op.get_bind().dialect.name)
