# create_index — unique
op.create_index("ix_t1_code", "t1", ["code"], unique=True)
