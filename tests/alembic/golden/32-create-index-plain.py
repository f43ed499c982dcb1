# create_index — plain
op.create_index("ix_t1_name", "t1", ["name"])
