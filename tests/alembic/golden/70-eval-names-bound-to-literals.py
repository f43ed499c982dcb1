# names bound to literals and to expressions of literals
table = "t1"
size: int = 25 * 2
kind, nullable = "extra", True
op.add_column(table, sa.Column(kind, sa.String(length=size), nullable=nullable))
