# drop_column
op.drop_column("t1", "note")
