#!/usr/bin/python3
"""regen_newer.py [--check] [CASE...]: the expected SQL of the golden cases
listed in `newer-alembic`, which use keywords Alembic 1.8.1 does not know.

Alembic 1.12 added `op.create_index(..., if_not_exists=)` and
`op.drop_index(..., if_exists=)`, Alembic 1.13 `op.drop_table(...,
if_exists=)`.  Alembic 1.8.1 does not fail on them: it hands them to
`sa.Index(**kw)` / `sa.Table(**kw)` as dialect keywords, warns "SAWarning:
Can't validate argument 'if_exists'; can't locate any SQLAlchemy dialect
named 'if'" and prints a plain `DROP INDEX` / `CREATE INDEX` / `DROP TABLE`.
A revision that writes them was written for a newer Alembic, which passes
them on to SQLAlchemy's `CreateIndex(index, if_not_exists=)` /
`DropIndex(index, if_exists=)` / `DropTable(table, if_exists=)`
(alembic/operations/toimpl.py, alembic/ddl/impl.py).  This script runs
regen.py -- the real Alembic 1.8.1 and the real SQLAlchemy 1.4 compiler --
with exactly that change put at the top of the project's env.py (SHIM
below), so the SQL is SQLAlchemy 1.4's own `CREATE INDEX IF NOT EXISTS` /
`DROP INDEX IF EXISTS` / `DROP TABLE IF EXISTS`.  regen.py itself
skips the cases listed in `newer-alembic`.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import regen  # noqa: E402

SHIM = '''\
# regen_newer.py: Alembic 1.12/1.13's if_not_exists= / if_exists= on 1.8.1
from alembic.ddl.impl import DefaultImpl as _DI
from alembic.ddl.postgresql import PostgresqlImpl as _PI
from alembic.operations import Operations as _Ops, ops as _ops
from sqlalchemy import schema as _schema


def _pg_create_index(self, index, **kw):
    for col in index.kwargs.get("postgresql_include", None) or ():
        if col not in index.table.c:
            index.table.append_column(_schema.Column(col, _schema.sqltypes.NullType))
    self._exec(_schema.CreateIndex(index, **kw))


_DI.create_index = lambda self, index, **kw: self._exec(_schema.CreateIndex(index, **kw))
_DI.drop_index = lambda self, index, **kw: self._exec(_schema.DropIndex(index, **kw))
_PI.create_index = _pg_create_index


def _kw(operation, name):
    v = operation.kw.pop(name, None)
    return {} if v is None else {name: v}


def _create_index(operations, operation):
    kw = _kw(operation, "if_not_exists")
    operations.impl.create_index(operation.to_index(operations.migration_context), **kw)


def _drop_index(operations, operation):
    kw = _kw(operation, "if_exists")
    operations.impl.drop_index(operation.to_index(operations.migration_context), **kw)


def _drop_table(operations, operation):
    kw = {}
    v = operation.table_kw.pop("if_exists", None)
    if v is not None:
        kw["if_exists"] = v
    table = operation.to_table(operations.migration_context)
    impl = operations.impl
    table.dispatch.before_drop(table, impl.connection, checkfirst=False, _ddl_runner=impl)
    impl._exec(_schema.DropTable(table, **kw))
    table.dispatch.after_drop(table, impl.connection, checkfirst=False, _ddl_runner=impl)


# toimpl.py's functions replaced (implementation_for refuses a second one)
_Ops._to_impl._registry[(_ops.CreateIndexOp, "default")] = _create_index
_Ops._to_impl._registry[(_ops.DropIndexOp, "default")] = _drop_index
_Ops._to_impl._registry[(_ops.DropTableOp, "default")] = _drop_table


'''


def newer_cases():
    path = os.path.join(regen.HERE, "newer-alembic")
    return [l.split()[0] for l in open(path, encoding="utf-8") if l.strip() and not l.startswith("#")]


def main():
    plain = regen.project

    def project(tmp, dialect):
        ini = plain(tmp, dialect)
        env = os.path.join(os.path.dirname(ini), "proj", "env.py")
        text = open(env, encoding="utf-8").read()
        open(env, "w", encoding="utf-8").write(SHIM + text)
        return ini

    regen.project = project
    regen.SKIP_NEWER = False
    args = [a for a in sys.argv[1:] if a != "--check"]
    sys.argv[1:] = [a for a in sys.argv[1:] if a == "--check"] + (args or newer_cases())
    return regen.main()


if __name__ == "__main__":
    sys.exit(main())
