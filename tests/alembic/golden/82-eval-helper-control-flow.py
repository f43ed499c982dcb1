# a helper's value through if / elif / return and a local name, a helper that returns nothing
def label(n):
    if n > 10:
        size = "big"
    elif n > 1:
        return "some_" + str(n)
    else:
        size = "one"
    return size.upper() + "_" + str(n)

def nothing():
    pass

for n in (1, 5, 20):
    op.execute(f"UPDATE t1 SET note = '{label(n)}' WHERE id = {n}")
if nothing() is None:
    op.execute("DELETE FROM t1 WHERE code = " + repr(label(0)))
