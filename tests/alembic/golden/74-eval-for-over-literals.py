# for over a literal tuple, over a list of tuples
for name in ("t2", "t3"):
    op.create_table(name, sa.Column("id", sa.Integer(), primary_key=True))
for i, code in [(1, "a"), (2, "b")]:
    op.execute(f"UPDATE t1 SET code = '{code}' WHERE id = {i}")
