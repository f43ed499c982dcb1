import sqlalchemy as sa


def prefix(name, sep="_"):
    return name.split(sep, 1)[0]


def reads_db(op, table):
    return sa.inspect(op.get_bind()).has_table(table)
