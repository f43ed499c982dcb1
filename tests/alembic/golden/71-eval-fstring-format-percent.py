# f-strings, str.format() and %-formatting over known values
t = "t1"
n = 2
op.execute(f"UPDATE {t} SET note = 'n{n}' WHERE id = {n + 1}")
op.execute("DELETE FROM {} WHERE id = {}".format(t, n))
op.execute("DELETE FROM %s WHERE code = '%s'" % (t, "x" * 3))
op.execute("UPDATE " + t + " SET name = " + repr("it's"))
