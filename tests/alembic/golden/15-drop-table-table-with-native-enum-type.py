# drop_table — table with native Enum (type is NOT dropped)
op.drop_table("t_enum")
