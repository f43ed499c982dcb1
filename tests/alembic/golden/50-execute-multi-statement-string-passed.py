# execute — multi-statement string (passed through as one)
op.execute("INSERT INTO t1 (name) VALUES ('a'); INSERT INTO t1 (name) VALUES ('b')")
