"""Helpers a revision calls as statements (test_alembic_helpers.c, helper_statements)."""
from alembic import op


def skip_unless_forced(force=False):
    if not force:
        return
    raise RuntimeError("never offline")


def purge():
    n = Model.query.delete()
    return n


def writes():
    op.execute("DELETE FROM t")
