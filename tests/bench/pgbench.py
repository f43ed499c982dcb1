"""Helpers the PostgreSQL benchmarks share: databases on the private cluster."""
import os
import subprocess

QUIET = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")


def psql(db, sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                   check=True, env=QUIET)


def url(base, db):
    """The cluster URL base pointed at database db."""
    head, _, params = base.partition("?")
    return head.rsplit("/", 1)[0] + "/" + db + ("?" + params if params else "")


def fresh(db):
    psql("postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql("postgres", f'CREATE DATABASE "{db}"')
