#!/usr/bin/python3
"""An Alembic project whose env.py passes upgrade() / downgrade() more than
op, as quay's does (data/migrations/env.py:
`context.run_migrations(op=alembic_op, tables=tables, tester=get_tester())`):

    params_fixtures.py params DIR   KIND, FLAG: bulk_insert(tables.X, ...) on a
                                    table the revision creates, calls of the noop
                                    tester (as statements, and `if tester.is_testing():`,
                                    None)
    params_fixtures.py later DIR    KIND, then LATER: bulk_insert(tables.pa_kind)
                                    in a revision that does not create it (the
                                    history does); its downgrade() deletes them with
                                    tables.pa_kind.delete().where(... == op.inline_literal())
    params_fixtures.py altered DIR  KIND, LATER, then WIDEN: alter_column() on
                                    pa_kind.name, which makes its type unknown

app_models.py in the project is the application's MetaData (tables =
AttrDict(metadata.tables), as quay's) and its NoopTester, whose methods do
nothing; strata never imports it: strata.yaml says
`arguments: {tables: tables, tester: noop}`.

Prints NAME=REVISION / f_NAME=FILE lines and writes them to DIR/ids.sh.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import emit, indent, init, revision  # noqa: E402

MODELS = '''\
"""The application's models (a stub for the strata interop tests)."""
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table("pa_kind", metadata,
         sa.Column("id", sa.Integer(), primary_key=True),
         sa.Column("name", sa.String(length=255), nullable=False))
sa.Table("pa_flag", metadata,
         sa.Column("id", sa.Integer(), primary_key=True),
         sa.Column("name", sa.String(length=50)),
         sa.Column("enabled", sa.Boolean()),
         sa.Column("n", sa.Integer()))


class AttrDict(dict):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__ = self


tables = AttrDict(metadata.tables)


class DataTypes:
    @staticmethod
    def String():
        return "somestringvalue"

    @staticmethod
    def Foreign(table_name):
        def get_index():
            raise RuntimeError("only the populating tester calls this")
        return get_index


class NoopTester:
    TestDataType = DataTypes

    def populate_table(self, table_name, fields):
        pass

    def populate_column(self, table_name, col_name, field_type):
        pass

    def is_testing(self):  # quay's nooper: every method returns None
        pass
'''

ENV_IMPORT = '''
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from alembic import op as alembic_op  # noqa: E402
from app_models import NoopTester, tables  # noqa: E402
'''

KIND = ('''
op.create_table(
    "pa_kind",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint("id"),
)
op.bulk_insert(tables.pa_kind, [{"name": "a"}, {"name": "it's"}])

# ### population of test data ### #
tester.populate_table("pa_kind", [("name", tester.TestDataType.String)])
tester.populate_column("pa_kind", "name", lambda: "info")
''', '''
op.drop_table("pa_kind")
''')

FLAG = ('''
op.create_table(
    "pa_flag",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=50), nullable=True),
    sa.Column("enabled", sa.Boolean(), nullable=True),
    sa.Column("n", sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint("id"),
)
op.bulk_insert(
    tables.pa_flag,
    [
        {"id": 1, "name": "x", "enabled": True, "n": 2},
        {"id": 2, "name": None, "enabled": False, "n": None},
    ],
)
tester.populate_column("pa_flag", "n", tester.TestDataType.Foreign("pa_kind"))
# a noop call's value is None
if tester.is_testing():
    op.execute("DELETE FROM pa_flag")
if not tester.is_testing():
    op.execute("UPDATE pa_flag SET n = 3 WHERE id = 2")
''', '''
op.drop_table("pa_flag")
''')

LATER = ('''
op.bulk_insert(tables.pa_kind, [{"name": "b"}, {"name": "it's"}])
''', '''
op.execute(tables.pa_kind.delete().where(tables.pa_kind.c.name == op.inline_literal("b")))
op.execute(tables.pa_kind.delete().where(tables.pa_kind.c.name == op.inline_literal("it's")))
''')


WIDEN = ('''
op.alter_column("pa_kind", "name", type_=sa.Text(), existing_type=sa.String(length=255))
''', '''
op.alter_column("pa_kind", "name", type_=sa.String(length=255), existing_type=sa.Text())
''')


def fill(path, up, down):
    text = open(path).read()
    for fn, body in (("upgrade", up), ("downgrade", down)):
        old = f"def {fn}() -> None:\n    pass\n"
        assert old in text, (path, fn)
        text = text.replace(old, f"def {fn}(op, tables, tester) -> None:\n" + indent(body), 1)
    open(path, "w").write(text)


def project(proj, revs):
    init(proj)
    open(os.path.join(proj, "app_models.py"), "w").write(MODELS)
    env = os.path.join(proj, "migrations", "env.py")
    text = open(env).read()
    assert text.count("context.run_migrations()") == 2
    text = text.replace("context.run_migrations()",
                        "context.run_migrations(op=alembic_op, tables=tables, tester=NoopTester())")
    hook = 'config.set_main_option("sqlalchemy.url", os.environ["ALEMBIC_URL"].replace("%", "%%"))\n'
    assert hook in text
    open(env, "w").write(text.replace(hook, hook + ENV_IMPORT, 1))
    ids = []
    for name, (up, down) in revs:
        rev, path = revision(proj, "revision", "-m", name.lower())
        fill(path, up, down)
        ids += [(name, rev), ("f_" + name, path)]
    emit(proj, ids)


def main():
    what, proj = sys.argv[1], os.path.abspath(sys.argv[2])
    if what == "params":
        project(proj, [("KIND", KIND), ("FLAG", FLAG)])
    elif what == "later":
        project(proj, [("KIND", KIND), ("LATER", LATER)])
    elif what == "altered":
        project(proj, [("KIND", KIND), ("LATER", LATER), ("WIDEN", WIDEN)])
    else:
        sys.exit("params_fixtures.py params|later|altered DIR")


if __name__ == "__main__":
    main()
