# create_index — expression + partial (postgresql_where / sqlite_where)
op.create_index(
    "ix_t1_lower_name", "t1", [sa.text("lower(name)")],
    postgresql_where=sa.text("note IS NOT NULL"), sqlite_where=sa.text("note IS NOT NULL"),
)
