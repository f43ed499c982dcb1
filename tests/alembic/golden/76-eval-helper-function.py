# a helper function called with known arguments, its early return
def add(table, column, length=20):
    if op.get_bind().dialect.name not in ("postgresql", "sqlite"):
        return
    op.add_column(table, sa.Column(column, sa.String(length=length)))

add("t1", "c1")
add("t1", column="c2", length=40)
