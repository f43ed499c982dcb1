# exec_driver_sql: Alembic's offline mock connection has none
op.get_bind().exec_driver_sql("UPDATE t1 SET note = 'x'")
