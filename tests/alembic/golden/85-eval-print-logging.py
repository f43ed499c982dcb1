# print() and logging calls write no SQL (Alembic's --sql output has print()'s text: the lines "print: ...")
import logging
log = logging.getLogger("alembic.runtime.migration")
table = "t1"
print(f"print: adding a column to {table}")
log.info("adding a column to %s", table)
logging.warning("a warning")
op.add_column(table, sa.Column("p1", sa.Integer()))
print("print: done", flush=True)
op.drop_column(table, "p1")
