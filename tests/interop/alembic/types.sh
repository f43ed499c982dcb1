#!/usr/bin/env bash
# Column types from formats/alembic/types.yaml and a source's `types:` file,
# and sa.Enum(AppEnum) read from the application's source, against the REAL
# Alembic 1.8.1 + SQLAlchemy 1.4 + sqlalchemy_utils (Debian
# python3-sqlalchemy-utils): for a project whose revisions use them, strata
# translates every revision (no Python), `strata apply --dry-run` is `alembic
# upgrade heads --sql` byte for byte, and strata apply gives the schema
# alembic upgrade heads gives.  TAP; BACKEND=sqlite|pg.
. "$SRC/tests/interop/alembic/lib.sh"
if ! "$PY" -c 'import sqlalchemy_utils' >"$T/setup.log" 2>&1; then
	echo "Bail out! sqlalchemy_utils not installed: apt-get install python3-sqlalchemy-utils"
	exit 1
fi

p=ty
mkdir -p "$T/$p"
(cd "$T/$p" && "$ALEMBIC" init migrations >/dev/null)
# the interop hook: the URL from $ALEMBIC_URL (as fixtures.py does)
"$PY" - "$T/$p/migrations/env.py" <<'PY'
import sys
p = sys.argv[1]
t = open(p).read()
t = t.replace("config = context.config\n", """config = context.config
import os  # noqa: E402
if os.environ.get("ALEMBIC_URL"):
    config.set_main_option("sqlalchemy.url", os.environ["ALEMBIC_URL"].replace("%", "%%"))
""", 1)
open(p, "w").write(t)
PY
mkdir -p "$T/$p/app/models" "$T/$p/app/db"
: >"$T/$p/app/__init__.py"
printf 'from . import types  # noqa: F401\n' >"$T/$p/app/db/__init__.py"
cat >"$T/$p/app/models/__init__.py" <<'PY'
from .enums import Status  # noqa: F401
PY
cat >"$T/$p/app/models/enums.py" <<'PY'
import enum


class Status(str, enum.Enum):
    """A user's status."""

    active = "active"
    on_hold = "on hold"
    ACTIVE = "active"  # an alias

    def label(self):
        return self.value


class Level(enum.IntEnum):
    low = 1
    high = 2
PY
# an application's portable UUID type (fastapi-users' GUID under another name:
# the shipped GUID row answers for a bare GUID), given in strata-types.yaml
cat >"$T/$p/app/db/types.py" <<'PY'
from sqlalchemy import CHAR, TypeDecorator
from sqlalchemy.dialects.postgresql import UUID


class PortableUUID(TypeDecorator):
    impl = CHAR
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(UUID())
        return dialect.type_descriptor(CHAR(36))
PY
# TypeDecorators strata reads from the source (impl, no load_dialect_impl):
# what letta's custom_columns and quay's util.migrate write
cat >>"$T/$p/app/db/types.py" <<'PY'


import sqlalchemy as sa  # noqa: E402
from sqlalchemy import JSON, String as Str  # noqa: E402
from sqlalchemy.types import TypeDecorator as TD  # noqa: E402


class ConfigColumn(TypeDecorator):
    """A pydantic model as JSON."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value


class ShortText(TD):
    impl = Str


class Stamp(sa.types.TypeDecorator):
    impl = sa.DateTime(timezone=True)
PY
cat >"$T/$p/strata-types.yaml" <<'YAML'
types:
  PortableUUID:
    modules: [app.db.types]
    args: []
    sql:
      - postgresql: UUID
        sqlite: CHAR(36)
YAML
V=$T/$p/migrations/versions
cat >"$V/1a_utils.py" <<'PY'
"""sqlalchemy_utils types

Revision ID: 1a
Revises:
"""
from alembic import op
import sqlalchemy as sa
import sqlalchemy_utils
import sqlalchemy_utils as su

revision = "1a"
down_revision = None
branch_labels = None
depends_on = None

CHOICES = [("a", "A"), ("b", "B")]


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sqlalchemy_utils.types.uuid.UUIDType(binary=False), nullable=False),
        sa.Column("raw_id", sqlalchemy_utils.types.uuid.UUIDType(), nullable=True),
        sa.Column("email", sqlalchemy_utils.types.email.EmailType(length=100), nullable=False),
        sa.Column("site", sqlalchemy_utils.types.url.URLType(), nullable=True),
        sa.Column("prefs", sqlalchemy_utils.types.json.JSONType(), nullable=True),
        sa.Column("seen", sqlalchemy_utils.types.arrow.ArrowType(timezone=True), nullable=True),
        sa.Column("kind", sqlalchemy_utils.types.choice.ChoiceType(CHOICES, impl=sa.String(10)), nullable=True),
        sa.Column("kind2", sqlalchemy_utils.types.choice.ChoiceType(CHOICES), nullable=True),
        sa.Column("ip", sqlalchemy_utils.types.ip_address.IPAddressType(), nullable=True),
        sa.Column("country", sqlalchemy_utils.types.country.CountryType(), nullable=True),
        sa.Column("currency", sqlalchemy_utils.types.currency.CurrencyType(), nullable=True),
        sa.Column("locale", sqlalchemy_utils.types.locale.LocaleType(), nullable=True),
        sa.Column("tags", sqlalchemy_utils.types.scalar_list.ScalarListType(), nullable=True),
        sa.Column("home", su.URLType(), nullable=True),
        sa.Column("secret", sqlalchemy_utils.types.encrypted.encrypted_type.StringEncryptedType(), nullable=True),
        sa.Column("secret2", su.StringEncryptedType(sa.Unicode(50), key="k", padding="pkcs5"), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("users")
PY
cat >"$V/2b_app.py" <<'PY'
"""application types and enums

Revision ID: 2b
Revises: 1a
"""
from alembic import op
import sqlalchemy as sa

import app.db
from app.db.types import ConfigColumn, PortableUUID, ShortText
from app.models import Status
from app.models.enums import Level as L

revision = "2b"
down_revision = "1a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", PortableUUID(), nullable=False),
        sa.Column("status", sa.Enum(Status), nullable=False),
        sa.Column("level", sa.Enum(L, name="account_level", native_enum=False), nullable=True),
        sa.Column("config", ConfigColumn(), nullable=True),
        sa.Column("title", ShortText(40), nullable=True),
        sa.Column("code", ShortText(length=8), nullable=True),
        sa.Column("seen", app.db.types.Stamp(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.add_column("users", sa.Column("account_id", PortableUUID(), nullable=True))


def downgrade():
    op.drop_column("users", "account_id")
    op.drop_table("accounts")
PY
ids=(1a 2b)
if ! sqlite; then
	cat >"$V/3c_pg.py" <<'PY'
"""PostgreSQL-only types

Revision ID: 3c
Revises: 2b
"""
from alembic import op
import sqlalchemy as sa
import sqlalchemy_utils

revision = "3c"
down_revision = "2b"
branch_labels = None
depends_on = None

# a module-level native enum, the column type of two tables: one CREATE TYPE
Mood = sa.Enum("ok", "meh", name="mood")


def upgrade():
    op.add_column("users", sa.Column("search", sqlalchemy_utils.types.ts_vector.TSVectorType("email"), nullable=True))
    op.create_table("moods", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("mood", Mood, nullable=False))
    op.create_table("moods2", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("mood", Mood))


def downgrade():
    op.drop_table("moods2")
    op.drop_table("moods")
    op.drop_column("users", "search")
PY
	ids+=(3c)
fi
cat >"$T/$p/strata.yaml" <<YAML
database: $(surl "$p")
sources:
  - name: app
    format: alembic
    path: .
    types: strata-types.yaml
YAML

fresh "$p"
sr "$p" "$p" ledger
check "strata ledger exits 0" rc_is 0
check "no revision is untranslatable" bash -c "! grep -q untranslatable '$T/out'"

# --dry-run = alembic upgrade heads --sql, revision by revision
sr "$p" "$p" apply --dry-run
check "strata apply --dry-run exits 0" rc_is 0
cp "$T/out" "$T/s.sql"
alsql "$p" upgrade heads
check "alembic upgrade heads --sql exits 0" rc_is 0
cp "$T/out" "$T/a.sql"
"$PY" "$HERE/blocks.py" strata "$T/s.sql" "$T/blk/s"
"$PY" "$HERE/blocks.py" alembic "$T/a.sql" "$T/blk/a"
for id in "${ids[@]}"; do
	check "$id: Alembic printed SQL for it" test -s "$T/blk/a/$id.raw"
	same "$id: strata's SQL = alembic upgrade --sql's, byte for byte" "$(cat "$T/blk/s/$id.raw" 2>/dev/null)" "$(cat "$T/blk/a/$id.raw")"
done

# the schema: strata apply = alembic upgrade heads
sr "$p" "$p" apply
check "strata apply exits 0" rc_is 0
fresh "${p}_a"
al "$p" "${p}_a" upgrade heads
check "alembic upgrade heads exits 0" rc_is 0
same "schema and alembic_version = alembic upgrade heads's" "$(state "$p")" "$(state "${p}_a")"

# Without the types file, the application type PortableUUID is untranslatable, named.
sed -i '/^    types: /d' "$T/$p/strata.yaml"
sr "$p" "$p" ledger
check "without types: strata ledger exits 0" rc_is 0
check "without types: 2b is untranslatable" grep -qE "^app:2b .*\(untranslatable\)" "$T/out"
sr "$p" "$p" --json ledger
check "without types: the reason names the type and its load_dialect_impl()" eq "$(jpy '[m["untranslatable"] for m in j["migrations"] if m["id"] == "app:2b"][0]')" "upgrade() cannot be translated to SQL: column type PortableUUID: TypeDecorator PortableUUID ($T/$p/./app/db/types.py:9) defines load_dialect_impl()"

# A bad types file: a config error at its file:line, nothing runs.
printf 'types:\n  GUID:\n    args: []\n    sqll: []\n' >"$T/$p/bad-types.yaml"
echo "    types: bad-types.yaml" >>"$T/$p/strata.yaml"
sr "$p" "$p" ledger
check "bad types file: exit 1" rc_is 1
check "bad types file: file:line named" grep -qE "bad-types\.yaml:4(:[0-9]+)?: unknown key 'sqll' in type GUID" "$T/err"

# An enum class strata cannot find: untranslatable, naming the module.
sed -i 's|^    types: bad-types.yaml|    types: strata-types.yaml|' "$T/$p/strata.yaml"
sed -i 's|^from app.models import Status$|from app.nowhere import Status|' "$V/2b_app.py"
sr "$p" "$p" --json ledger
check "missing enum module: the reason names it" grep -qF "enum class Status: module app.nowhere (imported at" "$T/out"

done_testing
