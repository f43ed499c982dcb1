# create_index — multi-column
op.create_index("ix_t1_name_code", "t1", ["name", "code"])
