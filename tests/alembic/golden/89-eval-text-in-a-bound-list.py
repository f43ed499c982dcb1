# sa.text() inside a bound tuple or list (ckan's index table looped over): passed on as the call
indexes = (
    ("ix_t1_lname", "t1", [sa.text("lower(name)")]),
    ("ix_t1_code", "t1", ["code", sa.text("upper(note)")]),
)
for name, table, columns in indexes:
    op.create_index(name, table, columns)
