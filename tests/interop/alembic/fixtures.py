#!/usr/bin/python3
"""Alembic projects for the interop tests and the benchmark.

    fixtures.py graph DIR DIALECT   branches, a merge, a branch label, depends_on,
                                    a hand-written typed-template revision
    fixtures.py ops DIR DIALECT     a linear chain, one revision per op.* kind
    fixtures.py bad DIR KIND        a linear chain whose third revision strata
                                    cannot translate (KIND: loop | while)
    fixtures.py twotrees DIR        two trees (main.ini, tenants.ini), each with
                                    its own version table
    fixtures.py dup DIR             A -> B, for a copy of A under another name
    fixtures.py linear DIR N        N revisions written directly in the 1.8
                                    template (the benchmark; `alembic revision`
                                    N times would be O(N^2))

DIALECT is sqlite or postgresql.  Every project except `linear` is made by the
real CLI (/usr/bin/alembic init, revision, merge); the generated `pass` bodies
are then replaced.  Each project's env.py takes its URL from $ALEMBIC_URL.
Prints NAME=REVISION lines (sourceable) for the revisions it made, in order,
and writes them to DIR/ids.sh too.
"""
import os
import re
import subprocess
import sys
import textwrap
import uuid

ALEMBIC = "/usr/bin/alembic"

ENV_HOOK = '''config = context.config

# strata interop tests: the database URL comes from the environment.
import os  # noqa: E402

if os.environ.get("ALEMBIC_URL"):
    config.set_main_option("sqlalchemy.url", os.environ["ALEMBIC_URL"].replace("%", "%%"))
'''


def run(proj, *args):
    p = subprocess.run([ALEMBIC, *args], cwd=proj, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit(f"alembic {' '.join(args)} failed ({p.returncode}):\n{p.stdout}")
    return p.stdout


def init(proj):
    os.makedirs(proj, exist_ok=True)
    run(proj, "init", "migrations")
    env = os.path.join(proj, "migrations", "env.py")
    text = open(env).read()
    assert "config = context.config\n" in text
    open(env, "w").write(text.replace("config = context.config\n", ENV_HOOK, 1))


def revision(proj, *args):
    """alembic revision/merge ARGS; returns (revision id, file path)."""
    out = run(proj, *args)
    m = re.search(r"Generating (\S+\.py) \.\.\.", out)
    if not m:
        sys.exit(f"alembic {' '.join(args)}: no file in output:\n{out}")
    path = m.group(1)
    rev = re.search(r"^revision = '([^']+)'$", open(path).read(), re.M).group(1)
    return rev, path


def indent(body):
    return textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


def fill(path, up, down):
    """Replace the template's `pass` bodies (None: keep `pass`)."""
    text = open(path).read()
    for fn, body in (("upgrade", up), ("downgrade", down)):
        if body is None:
            continue
        head = f"def {fn}() -> None:\n"
        old = head + "    pass\n"
        assert old in text, (path, fn)
        text = text.replace(old, head + indent(body), 1)
    open(path, "w").write(text)


def emit(proj, ids):
    lines = "".join(f"{k}={v}\n" for k, v in ids)
    open(os.path.join(proj, "ids.sh"), "w").write(lines)
    sys.stdout.write(lines)


# ---------------------------------------------------------------- graph
# A -> B -> C -> D1 -> M -> E(typed)        R1 (label reporting) -> R2 (depends on B)
#            \-> D2 -/
def graph(proj, dialect):
    init(proj)
    ids = []

    a, p = revision(proj, "revision", "-m", "create account table")
    fill(p, '''
        op.create_table(
            "account",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=50), nullable=False),
            sa.Column("email", sa.String(length=120), nullable=True),
            sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_account_email"), "account", ["email"], unique=True)
        account = sa.table(
            "account",
            sa.column("id", sa.Integer),
            sa.column("name", sa.String),
            sa.column("email", sa.String),
        )
        op.bulk_insert(
            account,
            [
                {"id": 1, "name": "alice", "email": "alice@example.com"},
                {"id": 2, "name": "bob", "email": None},
            ],
        )
        ''', '''
        op.drop_index(op.f("ix_account_email"), table_name="account")
        op.drop_table("account")
        ''')
    ids.append(("A", a))

    b, p = revision(proj, "revision", "-m", "create orders table")
    fill(p, '''
        op.execute("""
            CREATE TABLE orders (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES account (id),
                amount NUMERIC(12, 2) NOT NULL,
                status VARCHAR(20) NOT NULL DEFAULT 'new'
            )
        """)
        op.execute("CREATE INDEX ix_orders_account_id ON orders (account_id)")
        op.execute("INSERT INTO orders (id, account_id, amount) VALUES (1, 1, 10.50)")
        ''', '''
        op.execute("DROP INDEX ix_orders_account_id")
        op.execute("DROP TABLE orders")
        ''')
    ids.append(("B", b))

    c, p = revision(proj, "revision", "-m", "alter schema")
    fill(p, '''
        op.add_column("account", sa.Column("nickname", sa.String(30), nullable=True))
        op.execute("UPDATE account SET nickname = name")
        op.create_index("ix_orders_account_status", "orders", ["account_id", "status"], unique=False)
        ''', '''
        op.drop_index("ix_orders_account_status", table_name="orders")
        op.drop_column("account", "nickname")
        ''')
    ids.append(("C", c))

    d1, p = revision(proj, "revision", "-m", "add audit columns")
    fill(p, '''
        op.add_column("account", sa.Column("updated_at", sa.DateTime(), nullable=True))
        op.execute("UPDATE account SET updated_at = '2024-01-01 00:00:00'")
        ''', '''
        op.drop_column("account", "updated_at")
        ''')
    ids.append(("D1", d1))

    d2, p = revision(proj, "revision", "-m", "create tag table", "--head", c, "--splice")
    fill(p, '''
        op.create_table(
            "tag",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("label", sa.String(64), nullable=False, unique=True),
            sa.Column("account_id", sa.Integer(), sa.ForeignKey("account.id")),
        )
        ''', '''
        op.drop_table("tag")
        ''')
    ids.append(("D2", d2))

    m, p = revision(proj, "merge", "-m", "merge audit and tag", "heads")
    ids.append(("M", m))

    r1, p = revision(proj, "revision", "-m", "reporting base", "--head", "base",
                     "--branch-label", "reporting")
    fill(p, '''
        op.execute("CREATE TABLE report_run (id INTEGER PRIMARY KEY, label VARCHAR(40) DEFAULT 'nightly')")
        ''', '''
        op.execute("DROP TABLE report_run")
        ''')
    ids.append(("R1", r1))

    r2, p = revision(proj, "revision", "-m", "order summary view", "--head", "reporting@head",
                     "--depends-on", b)
    fill(p, '''
        op.execute(
            "CREATE VIEW order_summary AS "
            "SELECT account_id, count(*) AS n, sum(amount) AS total "
            "FROM orders GROUP BY account_id"
        )
        ''', '''
        op.execute("DROP VIEW order_summary")
        ''')
    ids.append(("R2", r2))

    # The typed template of Alembic 1.11.2 - 1.16.1, written by hand (1.8.1
    # has no such template but runs the file like any other).
    e = "7ab5c0ffee01"
    open(os.path.join(proj, "migrations", "versions", f"{e}_create_audit_log.py"), "w").write(f'''"""create audit log

Revision ID: {e}
Revises: {m}
Create Date: 2024-05-01 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "{e}"
down_revision: Union[str, None] = "{m}"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO audit_log (id, account_id, action) VALUES (1, 1, 'created')")


def downgrade() -> None:
    op.drop_table("audit_log")
''')
    ids.append(("E", e))
    emit(proj, ids)


# ---------------------------------------------------------------- ops
BOTH, PG, LITE = ("postgresql", "sqlite"), ("postgresql",), ("sqlite",)

OPS = [
    ("create_table_columns", BOTH, '''
        op.create_table(
            "customer",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
            sa.Column("email", sa.String(120), unique=True),
            sa.Column("code", sa.String(10), index=True),
            sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
            sa.Column("balance", sa.Numeric(10, 2), server_default="0", nullable=False),
            sa.Column("bio", sa.Text()),
            sa.Column("score", sa.Float(), nullable=True),
            sa.Column("born", sa.Date()),
            sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
            sa.Column("big", sa.BigInteger()),
            sa.Column("small", sa.SmallInteger()),
            sa.Column("data", sa.LargeBinary()),
        )
        ''', '''
        op.drop_table("customer")
        '''),
    ("create_table_constraints", BOTH, '''
        op.create_table(
            "purchase",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("customer_id", sa.Integer(), nullable=False),
            sa.Column("amount", sa.Numeric(12, 2), nullable=False),
            sa.Column("status", sa.String(20), server_default="new", nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("ref", sa.String(20), nullable=True),
            sa.CheckConstraint("amount >= 0", name="ck_purchase_amount"),
            sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name="fk_purchase_customer", ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id", name="pk_purchase"),
            sa.UniqueConstraint("customer_id", "ref", name="uq_purchase_ref"),
        )
        op.create_index(op.f("ix_purchase_status"), "purchase", ["status"], unique=False)
        op.create_table(
            "scratch",
            sa.Column("k", sa.String(20), primary_key=True),
            sa.Column("a", sa.Integer(), primary_key=True),
        )
        ''', '''
        op.drop_table("scratch")
        op.drop_index(op.f("ix_purchase_status"), table_name="purchase")
        op.drop_table("purchase")
        '''),
    ("add_drop_column", BOTH, '''
        op.add_column("customer", sa.Column("nickname", sa.String(30), nullable=True))
        op.add_column("purchase", sa.Column("placed_on", sa.Date(), server_default="2024-01-01", nullable=False))
        op.drop_column("customer", "bio")
        ''', '''
        op.add_column("customer", sa.Column("bio", sa.Text(), nullable=True))
        op.drop_column("purchase", "placed_on")
        op.drop_column("customer", "nickname")
        '''),
    ("create_drop_index", BOTH, '''
        op.create_index("ix_customer_name", "customer", ["name"], unique=True)
        op.create_index(
            "ix_purchase_open",
            "purchase",
            ["customer_id", "status"],
            postgresql_where=sa.text("status <> 'done'"),
        )
        op.drop_index(op.f("ix_purchase_status"), table_name="purchase")
        ''', '''
        op.create_index(op.f("ix_purchase_status"), "purchase", ["status"], unique=False)
        op.drop_index("ix_purchase_open", table_name="purchase")
        op.drop_index("ix_customer_name", table_name="customer")
        '''),
    ("rename_table", BOTH, '''
        op.rename_table("scratch", "scratch_pad")
        ''', '''
        op.rename_table("scratch_pad", "scratch")
        '''),
    ("drop_table", BOTH, '''
        op.drop_table("scratch_pad")
        ''', '''
        op.create_table(
            "scratch_pad",
            sa.Column("k", sa.String(20), primary_key=True),
            sa.Column("a", sa.Integer(), primary_key=True),
        )
        '''),
    ("execute_forms", BOTH, '''
        op.execute("CREATE TABLE setting (k VARCHAR(40) PRIMARY KEY, v TEXT)")
        op.execute('INSERT INTO setting (k, v) VALUES (\\'a\\', \\'O\\'\\'Brien\\')')
        op.execute("""
            INSERT INTO setting (k, v)
            VALUES ('b', 'two
        lines')
        """)
        op.execute(sa.text("INSERT INTO setting (k, v) VALUES ('c', '10:30 a:b')"))
        op.execute("INSERT INTO setting (k, v) VALUES ('d', 'trailing semicolon');")
        op.execute(
            "INSERT INTO setting (k, v) "
            "VALUES ('e', 'implicit concatenation')"
        )
        op.execute(r"INSERT INTO setting (k, v) VALUES ('f', 'back\\slash')")
        op.execute("UPDATE setting SET v = v || '!' WHERE k = 'a'")
        ''', '''
        op.execute("DROP TABLE setting")
        '''),
    ("execute_pg_forms", PG, '''
        op.execute("INSERT INTO setting (k, v) VALUES ('m1', 'x'); INSERT INTO setting (k, v) VALUES ('m2', 'y')")
        op.execute("INSERT INTO setting (k, v) VALUES ('cast', '5'::int::text)")
        op.execute(
            """
        CREATE FUNCTION purchase_touch() RETURNS trigger AS $$
        BEGIN
            NEW.status := coalesce(NEW.status, 'new');
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """
        )
        ''', '''
        op.execute("DROP FUNCTION purchase_touch()")
        op.execute("DELETE FROM setting WHERE k IN ('m1', 'm2', 'cast')")
        '''),
    ("bulk_insert", BOTH, '''
        op.create_table(
            "flag",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("name", sa.String(40), nullable=False),
            sa.Column("enabled", sa.Boolean(), nullable=True),
        )
        flag = sa.table(
            "flag",
            sa.column("id", sa.Integer),
            sa.column("name", sa.String),
            sa.column("enabled", sa.Boolean),
        )
        op.bulk_insert(
            flag,
            [
                {"id": 1, "name": "dark mode", "enabled": True},
                {"id": 2, "name": "beta's", "enabled": False},
                {"id": 3, "name": "unset", "enabled": None},
            ],
        )
        ''', '''
        op.drop_table("flag")
        '''),
    ("alter_column", PG, '''
        op.alter_column("purchase", "note", existing_type=sa.Text(), type_=sa.String(500), existing_nullable=True)
        op.alter_column("purchase", "status", existing_type=sa.String(20), nullable=True, server_default="pending")
        op.alter_column("customer", "nickname", new_column_name="nick", existing_type=sa.String(30))
        op.alter_column(
            "purchase",
            "amount",
            existing_type=sa.Numeric(12, 2),
            type_=sa.Numeric(14, 2),
            postgresql_using="amount::numeric(14, 2)",
        )
        op.alter_column("customer", "score", existing_type=sa.Float(), server_default=None)
        ''', '''
        op.alter_column("purchase", "amount", existing_type=sa.Numeric(14, 2), type_=sa.Numeric(12, 2))
        op.alter_column("customer", "nick", new_column_name="nickname", existing_type=sa.String(30))
        op.alter_column("purchase", "status", existing_type=sa.String(20), nullable=False, server_default="new")
        op.alter_column("purchase", "note", existing_type=sa.String(500), type_=sa.Text(), existing_nullable=True)
        '''),
    ("constraints", PG, '''
        op.create_table(
            "product",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("sku", sa.String(40), nullable=False),
        )
        op.add_column("purchase", sa.Column("product_id", sa.Integer(), nullable=True))
        op.create_unique_constraint("uq_product_sku", "product", ["sku"])
        op.create_foreign_key(
            "fk_purchase_product", "purchase", "product", ["product_id"], ["id"], ondelete="SET NULL"
        )
        op.create_check_constraint("ck_product_sku", "product", "length(sku) > 2")
        op.drop_constraint("ck_purchase_amount", "purchase", type_="check")
        ''', '''
        op.create_check_constraint("ck_purchase_amount", "purchase", "amount >= 0")
        op.drop_constraint("ck_product_sku", "product", type_="check")
        op.drop_constraint("fk_purchase_product", "purchase", type_="foreignkey")
        op.drop_constraint("uq_product_sku", "product", type_="unique")
        op.drop_column("purchase", "product_id")
        op.drop_table("product")
        '''),
    ("batch_alter_table", PG, '''
        with op.batch_alter_table("purchase", schema=None) as batch_op:
            batch_op.add_column(sa.Column("channel", sa.String(20), nullable=True))
            batch_op.create_index(batch_op.f("ix_purchase_channel"), ["channel"], unique=False)
            batch_op.alter_column("ref", existing_type=sa.String(20), type_=sa.String(40), existing_nullable=True)
            batch_op.create_unique_constraint("uq_purchase_channel_ref", ["channel", "ref"])
        ''', '''
        with op.batch_alter_table("purchase", schema=None) as batch_op:
            batch_op.drop_constraint("uq_purchase_channel_ref", type_="unique")
            batch_op.alter_column("ref", existing_type=sa.String(40), type_=sa.String(20), existing_nullable=True)
            batch_op.drop_index(batch_op.f("ix_purchase_channel"))
            batch_op.drop_column("channel")
        '''),
    ("autocommit_concurrently", PG, '''
        with op.get_context().autocommit_block():
            op.create_index("ix_customer_born", "customer", ["born"], postgresql_concurrently=True)
        ''', '''
        with op.get_context().autocommit_block():
            op.drop_index("ix_customer_born", table_name="customer", postgresql_concurrently=True)
        '''),
    ("enum_native", PG, '''
        op.create_table(
            "tagged",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("kind", sa.Enum("small", "large", name="tagged_kind"), nullable=False),
        )
        ''', '''
        op.drop_table("tagged")
        op.execute("DROP TYPE tagged_kind")
        '''),
    ("enum_plain", LITE, '''
        op.create_table(
            "tagged",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("kind", sa.Enum("small", "large", name="tagged_kind"), nullable=False),
        )
        ''', '''
        op.drop_table("tagged")
        '''),
    ("batch_base", LITE, '''
        op.create_table(
            "product",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("sku", sa.String(40), nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("customer_id", sa.Integer(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.execute("INSERT INTO product (id, sku, note) VALUES (1, 'sku-1', 'first')")
        ''', '''
        op.drop_table("product")
        '''),
    ("batch_copy_from", LITE, '''
        product = sa.Table(
            "product",
            sa.MetaData(),
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("sku", sa.String(40), nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("customer_id", sa.Integer(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("product", copy_from=product) as batch_op:
            batch_op.alter_column("note", existing_type=sa.Text(), type_=sa.String(500), existing_nullable=True)
            batch_op.alter_column("sku", existing_type=sa.String(40), nullable=True)
            batch_op.create_unique_constraint("uq_product_sku", ["sku"])
            batch_op.create_check_constraint("ck_product_sku", "length(sku) > 2")
            batch_op.create_foreign_key(
                "fk_product_customer", "customer", ["customer_id"], ["id"], ondelete="SET NULL"
            )
        ''', '''
        product = sa.Table(
            "product",
            sa.MetaData(),
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("sku", sa.String(40), nullable=True),
            sa.Column("note", sa.String(500), nullable=True),
            sa.Column("customer_id", sa.Integer(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("sku", name="uq_product_sku"),
            sa.CheckConstraint("length(sku) > 2", name="ck_product_sku"),
            sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name="fk_product_customer", ondelete="SET NULL"),
        )
        with op.batch_alter_table("product", copy_from=product) as batch_op:
            batch_op.drop_constraint("fk_product_customer", type_="foreignkey")
            batch_op.drop_constraint("ck_product_sku", type_="check")
            batch_op.drop_constraint("uq_product_sku", type_="unique")
            batch_op.alter_column("sku", existing_type=sa.String(40), nullable=False)
            batch_op.alter_column("note", existing_type=sa.String(500), type_=sa.Text(), existing_nullable=True)
        '''),
]


def ops(proj, dialect):
    init(proj)
    ids = []
    for name, dialects, up, down in OPS:
        if dialect not in dialects:
            continue
        rev, p = revision(proj, "revision", "-m", f"op {name}")
        fill(p, up, down)
        ids.append((name, rev))
    emit(proj, ids)


# ---------------------------------------------------------------- bad
BAD = {
    "loop": '''
        for i in range(2):
            op.execute("CREATE TABLE loop_%d (id INTEGER PRIMARY KEY)" % i)
        ''',
    "while": '''
        i = 0
        while i < 1:
            op.execute("CREATE TABLE bound (id INTEGER PRIMARY KEY)")
            i += 1
        ''',
}


def bad(proj, kind):
    init(proj)
    ids = []
    for i, body in enumerate([
        'op.execute("CREATE TABLE t1 (id INTEGER PRIMARY KEY)")',
        'op.create_table("t2", sa.Column("id", sa.Integer(), primary_key=True))',
        BAD[kind],
        'op.execute("CREATE TABLE t4 (id INTEGER PRIMARY KEY)")',
    ], 1):
        rev, p = revision(proj, "revision", "-m", f"step {i}")
        fill(p, body, None)
        ids.append((f"R{i}", rev))
        ids.append((f"F{i}", p))
    emit(proj, ids)


# ---------------------------------------------------------------- twotrees
# Two trees in one project, as multi-tenant projects keep them: main/ (main.ini)
# and tenants/ (tenants.ini), each with its own version table.  tenants' env.py
# names it with a string literal (tenant_version); main's with an expression
# strata does not evaluate ("main" + "_version"), so strata.yaml names it.
def init_tree(proj, name, version_table):
    os.makedirs(proj, exist_ok=True)
    run(proj, "-c", f"{name}.ini", "init", name)
    env = os.path.join(proj, name, "env.py")
    text = open(env).read()
    off = "        literal_binds=True,\n"
    on = "            connection=connection, target_metadata=target_metadata\n"
    assert "config = context.config\n" in text and off in text and on in text, env
    text = text.replace("config = context.config\n", ENV_HOOK, 1)
    text = text.replace(off, off + f"        version_table={version_table},\n", 1)
    text = text.replace(on, on.rstrip("\n") + f",\n            version_table={version_table},\n", 1)
    if not version_table.startswith('"'):
        text = text.replace("config = context.config\n",
                            f'config = context.config\n{version_table} = "main" + "_version"\n', 1)
    open(env, "w").write(text)


def twotrees(proj):
    init_tree(proj, "main", "MAIN_VERSION_TABLE")
    init_tree(proj, "tenants", '"tenant_version"')
    ids = []
    for name, tree, table in (("M1", "main", "m_one"), ("T1", "tenants", "t_one"),
                              ("M2", "main", "m_two"), ("T2", "tenants", "t_two")):
        rev, p = revision(proj, "-c", f"{tree}.ini", "revision", "-m", f"create {table}")
        fill(p, f'op.execute("CREATE TABLE {table} (id INTEGER PRIMARY KEY)")',
             f'op.execute("DROP TABLE {table}")')
        ids.append((name, rev))
    emit(proj, ids)


# ---------------------------------------------------------------- dup
# A -> B; the test then copies A's file under another name with another body:
# one revision id in two files.
def dup(proj):
    init(proj)
    ids = []
    a, p = revision(proj, "revision", "-m", "create first")
    fill(p, 'op.execute("CREATE TABLE t_first (id INTEGER PRIMARY KEY)")',
         'op.execute("DROP TABLE t_first")')
    ids += [("A", a), ("FA", p)]
    b, p = revision(proj, "revision", "-m", "create b")
    fill(p, 'op.execute("CREATE TABLE t_b (id INTEGER PRIMARY KEY)")', 'op.execute("DROP TABLE t_b")')
    ids.append(("B", b))
    emit(proj, ids)


# ---------------------------------------------------------------- linear
TEMPLATE = '''"""create t_{i}

Revision ID: {rev}
Revises: {down_doc}
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute('CREATE TABLE t_{i} (id int primary key)')


def downgrade() -> None:
    op.execute('DROP TABLE t_{i}')
'''


def linear(proj, n):
    init(proj)
    versions = os.path.join(proj, "migrations", "versions")
    down = None
    for i in range(1, n + 1):
        rev = uuid.uuid4().hex[-12:]
        with open(os.path.join(versions, f"{rev}_create_t_{i}.py"), "w") as f:
            f.write(TEMPLATE.format(i=i, rev=rev, down=down, down_doc=down or ""))
        down = rev


def main():
    what, proj = sys.argv[1], os.path.abspath(sys.argv[2])
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    if what == "graph":
        graph(proj, arg)
    elif what == "ops":
        ops(proj, arg)
    elif what == "bad":
        bad(proj, arg)
    elif what == "twotrees":
        twotrees(proj)
    elif what == "dup":
        dup(proj)
    elif what == "linear":
        linear(proj, int(arg))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
