# execute — raw SQL string
op.execute("UPDATE t1 SET name = 'x' WHERE id = 1")
