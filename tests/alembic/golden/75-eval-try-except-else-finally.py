# try: the offline run raises nothing, so the try branch, else and finally
try:
    op.create_index("ix_t1_code", "t1", ["code"])
except Exception:
    op.execute("SELECT 'not offline'")
else:
    op.execute("SELECT 'else'")
finally:
    op.execute("SELECT 'finally'")
