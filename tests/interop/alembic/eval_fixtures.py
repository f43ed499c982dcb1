#!/usr/bin/python3
"""An Alembic project whose revisions use the Python strata evaluates
(docs/alembic.md, "What the translator evaluates"), one construct each:

    eval_fixtures.py eval DIR      the project (real `alembic init` / `revision`)
    eval_fixtures.py driver DIR    one more project: a revision that calls
                                   op.get_bind().exec_driver_sql(), which
                                   Alembic itself fails on offline
    eval_fixtures.py commit DIR    one more: op.get_bind().commit() right
                                   before autocommit_block() (Alembic fails
                                   on it offline)

The revisions import `settings` from app_settings.py in the project (the
application's configuration, as in real projects); this stub is the test's
fixture so that the real Alembic can import it.  strata never imports it:
strata.yaml gives the same values under `assume:`.

Prints NAME=REVISION / f_NAME=FILE lines and writes them to DIR/ids.sh.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import emit, init, revision  # noqa: E402

SETTINGS = '''\
"""The application's settings (a stub for the strata interop tests)."""


class settings:
    feature_x = True
    archive = False
    prefix = "ev"
    config = {"SETUP_COMPLETE": False}
'''

# name, module-level text before upgrade(), upgrade body, downgrade body
REVS = [
    ("ASSIGN", "", '''
    table = "ev_item"
    id_col = "id"
    name_len: int = 50
    op.create_table(
        table,
        sa.Column(id_col, sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=name_len), nullable=True),
        sa.PrimaryKeyConstraint(id_col),
    )
''', '''
    table = "ev_item"
    op.drop_table(table)
'''),
    ("FORMAT", "", '''
    t = "ev_item"
    n = 2
    op.execute(f"INSERT INTO {t} (id, name) VALUES (1, 'one')")
    op.execute("INSERT INTO {} (id, name) VALUES ({}, '{}')".format(t, n, "two"))
    op.execute("INSERT INTO %s (id, name) VALUES (%d, '%s')" % (t, n + 1, "three"))
    op.execute("INSERT INTO " + t + " (id, name) VALUES (4, " + repr_four + ")")
''', '''
    t = "ev_item"
    op.execute(f"DELETE FROM {t} WHERE id <= {2 + 2}")
'''),
    ("DIALECT", "", '''
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_ev_item_name ON ev_item (name)")
    elif op.get_context().dialect.name == "sqlite":
        op.create_index("ix_ev_item_name", "ev_item", ["name"])
    else:
        raise NotImplementedError(op.get_bind().dialect.name)
''', '''
    op.drop_index("ix_ev_item_name", table_name="ev_item")
'''),
    ("ASSUME", "", '''
    if not settings.feature_x:
        return
    op.add_column("ev_item", sa.Column("flag", sa.Boolean(), nullable=True))
    if settings.archive:
        op.create_table("ev_archive", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table(f"{settings.prefix}_note", sa.Column("id", sa.Integer(), primary_key=True))
''', '''
    if not settings.feature_x:
        return
    op.drop_table(f"{settings.prefix}_note")
    op.drop_column("ev_item", "flag")
'''),
    ("FOR", "", '''
    for name in ("ev_a", "ev_b"):
        op.create_table(name, sa.Column("id", sa.Integer(), primary_key=True))
    for i, label in [(10, "ten"), (20, "twenty")]:
        op.execute(f"INSERT INTO ev_item (id, name) VALUES ({i}, '{label}')")
''', '''
    op.execute("DELETE FROM ev_item WHERE id IN (10, 20)")
    for name in ["ev_b", "ev_a"]:
        op.drop_table(name)
'''),
    ("TRY", "", '''
    try:
        op.create_index("ix_ev_a_id", "ev_a", ["id"])
    except Exception:
        op.execute("SELECT 'never printed offline'")
    else:
        op.execute("INSERT INTO ev_item (id, name) VALUES (30, 'else')")
    finally:
        op.execute("INSERT INTO ev_item (id, name) VALUES (31, 'finally')")
''', '''
    op.execute("DELETE FROM ev_item WHERE id IN (30, 31)")
    op.drop_index("ix_ev_a_id", table_name="ev_a")
'''),
    ("HELPER", '''
def _add_ts(table, column="created_at", nullable=True):
    if op.get_bind().dialect.name not in ("postgresql", "sqlite"):
        return
    op.add_column(table, sa.Column(column, sa.DateTime(), nullable=nullable))


def _drop(table, *, column):
    op.drop_column(table, column)

''', '''
    _add_ts("ev_a")
    _add_ts("ev_b", column="made_at")
''', '''
    _drop("ev_b", column="made_at")
    _drop("ev_a", column="created_at")
'''),
    ("BIND", "", '''
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE ev_item SET name = 'uno' WHERE id = 1"))
    conn = op.get_bind()
    conn.execute("UPDATE ev_item SET name = 'dos' WHERE id = 2")
    op.get_bind().execute(text("UPDATE ev_item SET name = 'tres' WHERE id = 3"))
''', '''
    op.get_bind().execute(sa.text("UPDATE ev_item SET name = 'one' WHERE id = 1"))
'''),
    # a13-types: single arguments and table elements
    ("IDXOPS", "", '''
    op.create_index("ix_ev_item_name_ops", "ev_item", ["name", "id"], postgresql_ops={"name": "text_pattern_ops"})
''', '''
    op.drop_index("ix_ev_item_name_ops", table_name="ev_item")
'''),
    ("TBLINDEX", "", '''
    op.create_table(
        "ev_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("storage", sa.String(20), nullable=False),
        sa.Column("location", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("idx_ev_file_location", "storage", "location", unique=True),
    )
''', '''
    op.drop_table("ev_file")
'''),
    ("COLSEQCHECK", "", '''
    op.create_table(
        "ev_seq",
        sa.Column("id", sa.Integer(), sa.Sequence("ev_seq_id_seq"), primary_key=True),
        sa.Column("n", sa.Integer(), sa.CheckConstraint("n > 0", name="ck_ev_seq_n"), nullable=True),
    )
''', '''
    op.drop_table("ev_seq")
'''),
    ("USEALTER", "", '''
    op.create_table(
        "ev_ua",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["ev_item.id"], name="fk_ev_ua_item", use_alter=True),
        sa.PrimaryKeyConstraint("id"),
    )
''', '''
    op.drop_table("ev_ua")
'''),
    ("MODTYPE", '''
Status = sa.Enum("on", "off", name="ev_status", native_enum=False)
Label = sa.String(length=20)
''', '''
    op.create_table(
        "ev_stat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", Status, nullable=False),
        sa.Column("label", Label, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
''', '''
    op.drop_table("ev_stat")
'''),
]


# a13-binds: the bind and its objects (golden cases 90-99)
REVS += [
    ("ENUM", '''
EvKind = sa.Enum("small", "large", name="ev_kind")

''', '''
    EvKind.create(op.get_bind(), checkfirst=True)
    op.add_column("ev_item", sa.Column("kind", EvKind, nullable=True))
''', '''
    op.drop_column("ev_item", "kind")
    EvKind.drop(op.get_bind())
'''),
    ("BINDDATA", "", '''
    bind = op.get_bind()
    if bind.dialect.supports_sequences:
        op.execute("CREATE SEQUENCE ev_bind_seq")
    if op.get_context().bind.engine.name == "sqlite":
        op.execute("INSERT INTO ev_item (id, name) VALUES (40, 'sqlite')")
''', '''
    op.execute("DELETE FROM ev_item WHERE id = 40")
    if op.get_bind().dialect.supports_sequences:
        op.execute("DROP SEQUENCE ev_bind_seq")
'''),
    ("SESSION", '''
from sqlalchemy import orm

''', '''
    session = orm.Session(bind=op.get_bind())
    with session:
        op.execute("UPDATE ev_item SET name = 'quattro' WHERE id = 4")
    res = op.get_bind().execute(sa.text("UPDATE ev_item SET name = 'cuatro' WHERE id = 4"))
    session.commit()
    session.close()
''', '''
    op.get_bind().execute(sa.text("UPDATE ev_item SET name = 'four' WHERE id = 4"))
'''),
]


def fill(path, module, up, down):
    text = open(path).read()
    text = text.replace("import sqlalchemy as sa\n",
                        "import sqlalchemy as sa\nfrom sqlalchemy import text\n\n"
                        "from app_settings import settings\n", 1)
    for fn, body in (("upgrade", up), ("downgrade", down)):
        head = f"def {fn}() -> None:\n"
        old = head + "    pass\n"
        assert old in text, (path, fn)
        text = text.replace(old, head + body.strip("\n") + "\n", 1)
    if module:
        head = "def upgrade() -> None:\n"
        text = text.replace(head, module.lstrip("\n") + "\n" + head, 1)
    open(path, "w").write(text)


def project(proj, revs):
    init(proj)
    open(os.path.join(proj, "app_settings.py"), "w").write(SETTINGS)
    for rel, text in APP_FILES.items():  # the application's helper package
        os.makedirs(os.path.dirname(os.path.join(proj, rel)), exist_ok=True)
        open(os.path.join(proj, rel), "w").write(text)
    ids = []
    for name, module, up, down in revs:
        rev, p = revision(proj, "revision", "-m", name.lower())
        if name == "FORMAT":
            # a module-level constant the revision uses
            module = 'repr_four = "\'four\'"\n\n'
        fill(p, module, up, down)
        ids.append((name, rev))
        ids.append(("f_" + name, p))
    emit(proj, ids)


def main():
    what, proj = sys.argv[1], os.path.abspath(sys.argv[2])
    if what == "eval":
        project(proj, REVS)
    elif what == "driver":
        project(proj, REVS[:1] + [("DRIVER", "", '''
    op.get_bind().exec_driver_sql("UPDATE ev_item SET name = 'x'")
''', '''
    pass
''')])
    elif what == "commit":
        # op.get_bind().commit() right before autocommit_block(): Alembic
        # fails on it offline; eval.sh compares strata with the revision
        # without that line
        project(proj, REVS[:1] + [("COMMIT", "", '''
    op.execute("INSERT INTO ev_item (id, name) VALUES (50, 'before')")
    op.get_bind().commit()
    with op.get_context().autocommit_block():
        op.create_index("ix_ev_item_name2", "ev_item", ["name"], postgresql_concurrently=True)
''', '''
    op.drop_index("ix_ev_item_name2", table_name="ev_item")
    op.execute("DELETE FROM ev_item WHERE id = 50")
''')])
    else:
        sys.exit(__doc__)


# a13-helpers: helper functions the revisions import from the application
# (app_migration/, as ckan's revisions import skip_based_on_legacy_engine_version
# from ckan/migration/__init__.py), helpers of the revision called in
# expressions, logging calls and imports in a body.
APP_FILES = {
    "app_migration/__init__.py": '''\
"""Helpers the revisions import (a stub application for the strata interop tests)."""
from typing import Any

from .util import *  # noqa: F401,F403  (table_name)

LEGACY_KEY = "sqlalchemy_migrate_version"


def skip_legacy(op: Any, filename: str) -> bool:
    conf = op.get_context().config
    version = conf.get_main_option(LEGACY_KEY)
    if version:
        return int(version) >= int(filename.split("_", 1)[0])
    return False
''',
    "app_migration/util.py": '''\
def table_name(base, sep="_"):
    return "ev" + sep + base
''',
}

REVS += [
    ("IMPORTED", '''
from app_migration import skip_legacy, table_name as tn

''', '''
    if skip_legacy(op, __name__):
        return
    op.create_table(tn("imported"), sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("mod", sa.String(60)))
    op.execute("INSERT INTO %s (id, mod) VALUES (1, '%s')" % (tn("imported"), __name__.split("_", 1)[1]))
''', '''
    op.drop_table(tn("imported"))
'''),
    ("EXPR", '''
def _is_pg():
    return op.get_context().dialect.name == "postgresql"


def _col(base, *, suffix="_at"):
    return base + suffix

''', '''
    op.add_column("ev_item", sa.Column(_col("seen"), sa.DateTime(), nullable=True))
    if _is_pg():
        op.execute("UPDATE ev_item SET name = 'pg' WHERE id = 4")
    elif _col("x", suffix="") == "x" and not _is_pg():
        op.execute("UPDATE ev_item SET name = 'lite' WHERE id = 4")
''', '''
    op.drop_column("ev_item", _col("seen"))
'''),
    ("NOOPS", '''
import logging

log = logging.getLogger(__name__)

''', '''
    import sqlalchemy
    from sqlalchemy import Integer
    log.info("creating ev_noop")
    logging.getLogger("alembic.runtime.migration").debug("debug %s", "x")
    op.create_table("ev_noop", sa.Column("id", Integer(), primary_key=True),
                    sa.Column("n", sqlalchemy.String(10)))
''', '''
    log.warning("dropping ev_noop")
    op.drop_table("ev_noop")
'''),
    # op.execute(CreateSequence / DropSequence) (SQLite has no sequences: on
    # PostgreSQL only); op._proxy.migration_context is op.get_context()
    ("SEQ", '''
from sqlalchemy.schema import CreateSequence, DropSequence

''', '''
    if op._proxy.migration_context.dialect.name == "postgresql":
        op.execute(CreateSequence(sa.Sequence("ev_sq1")))
        op.execute(sa.schema.CreateSequence(sa.Sequence("Ev_Sq2"), if_not_exists=True))
    else:
        op.execute("SELECT 1")
''', '''
    if op._proxy.migration_context.dialect.name == "postgresql":
        op.execute(DropSequence(sa.Sequence("Ev_Sq2")))
        op.execute(sa.schema.DropSequence(sa.schema.Sequence("ev_sq1")))
    else:
        op.execute("SELECT 1")
'''),
]


# a13-tail: module-level constants the revisions import from the application,
# and textwrap.dedent()
APP_FILES["app_migration/constants.py"] = '''\
KINDS = ["small", "large"]
LIMIT = 50000  # a comment
'''

REVS += [
    ("IMPCONST", '''
from textwrap import dedent

from app_migration.constants import KINDS, LIMIT

''', '''
    for k in KINDS:
        op.execute(dedent(f"""
            UPDATE ev_item
            SET name = '{k}'
              WHERE id = {LIMIT}
            """))
''', '''
    op.execute("UPDATE ev_item SET name = name WHERE id = %d" % LIMIT)
'''),
]


# i13-tail: a Sequence bound to a name and passed to a helper, a conditional
# argument, Core update()/insert()/delete() of a literal sa.table(), a
# mapping's get() given under assume:, an imported helper called as a
# statement (quay's cleanup_old_robots())
APP_FILES["app_migration/cleanup.py"] = '''\
from app_settings import settings


def cleanup_rows(force=False):
    if not force and not settings.config.get("SETUP_COMPLETE", False):
        return
    raise RuntimeError("would read the live database")
'''

REVS += [
    ("SEQVAR", '''
from sqlalchemy.schema import CreateSequence, DropSequence


def create_seq(seq):
    if op.get_context().dialect.supports_sequences:
        op.execute(CreateSequence(seq))

''', '''
    seq = sa.Sequence("ev_sv_seq")
    create_seq(seq)
    create_seq(sa.Sequence("ev_sv2_seq"))
    op.create_table(
        "ev_sv",
        sa.Column("id", sa.Integer(), seq, nullable=False),
        sa.Column("n", sa.BigInteger() if op.get_context().dialect.name == "postgresql" else sa.Integer()),
        sa.PrimaryKeyConstraint("id"),
    )
''', '''
    op.drop_table("ev_sv")
    if op.get_context().dialect.supports_sequences:
        op.execute(DropSequence(sa.Sequence("ev_sv2_seq")))
        op.execute(DropSequence(sa.Sequence("ev_sv_seq")))
'''),
    ("CORE", '''
from app_migration.cleanup import cleanup_rows

item = sa.table("ev_item", sa.column("id", sa.Integer()), sa.column("name", sa.String(50)))

''', '''
    cleanup_rows()
    op.execute(item.insert().values(name="fifty", id=50))
    op.execute(item.update().where((item.c.id == 50) | (item.c.name.is_(None))).values({"name": "cinquanta"}))
    if not settings.config.get("SETUP_COMPLETE", True):
        op.execute(item.update().where(item.c.id == op.inline_literal(50)).where(item.c.name != "x")
                   .values(name=op.inline_literal("fresh")))
''', '''
    op.execute(item.delete().where(item.c.id == 50))
'''),
    # a dict: for over its keys, .items(), d[k] (polar's INDEXES)
    ("DICT", '''
EV_INDEXES = {"ix_ev_dict_name": ["name"], "ix_ev_dict_id_name": ["id", "name"]}

''', '''
    for name in EV_INDEXES:
        op.create_index(name, "ev_item", EV_INDEXES[name])
''', '''
    for name, _cols in EV_INDEXES.items():
        op.drop_index(name, table_name="ev_item")
'''),
]


if __name__ == "__main__":
    main()
