# a dict display: for over it walks its keys in insertion order; .items(), .values(), d[k] (polar's INDEXES)
INDEXES = {"ix_t132_b": ["b"], "ix_t132_a": ["a", "b"], "ix_t132_b": ["b", "a"]}
op.create_table("t132", sa.Column("a", sa.Integer()), sa.Column("b", sa.Integer()))
for name in INDEXES:
    op.create_index(name, "t132", INDEXES[name])
for name, cols in INDEXES.items():
    op.drop_index(name, table_name="t132")
for cols in INDEXES.values():
    op.execute("SELECT %d" % len(cols))
