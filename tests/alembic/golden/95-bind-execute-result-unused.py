# x = op.get_bind().execute(text): the statement as op.execute prints it; x (None offline) is not read
conn = op.get_bind()
res = conn.execute(sa.text("UPDATE t1 SET name = 'x'"))
op.execute("SELECT 2")
