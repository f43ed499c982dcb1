# op.get_bind().execute(): offline, a mock connection that prints the statement
bind = op.get_bind()
bind.execute(sa.text("UPDATE t1 SET note = 'a'"))
conn = op.get_bind()
conn.execute("UPDATE t1 SET note = 'b'")
op.get_bind().execute(sa.text("UPDATE t1 SET note = :v").bindparams(v="c"))
