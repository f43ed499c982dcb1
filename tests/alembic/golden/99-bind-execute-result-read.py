# reading what op.get_bind().execute() returned (None offline) reads the live database
res = op.get_bind().execute(sa.text("SELECT id FROM t1"))
for row in res:
    op.execute("SELECT 1")
