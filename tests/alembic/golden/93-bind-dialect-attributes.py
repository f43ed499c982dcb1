# bind.engine.name, bind.dialect.supports_sequences, op.get_context().bind / .connection
bind = op.get_bind()
conn = op.get_context().connection
if bind.dialect.supports_sequences:
    op.execute("CREATE SEQUENCE s1")
if conn.engine.name == "sqlite" or not op.get_context().bind.dialect.supports_native_enum:
    op.execute("SELECT 'no native enum'")
op.execute("SELECT '%s', '%s', '%s', '%s'" % (bind.name, bind.dialect.sequences_optional, bind.dialect.supports_native_boolean, conn.dialect.supports_alter))
