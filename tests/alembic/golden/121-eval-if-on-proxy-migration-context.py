# op._proxy.migration_context is the context op.get_context() returns: its dialect's name
if op._proxy.migration_context.dialect.name == "postgresql":
    op.execute("SELECT 'pg'")
elif op._proxy.migration_context.dialect.name == "sqlite":
    op.execute("SELECT 'lite'")
