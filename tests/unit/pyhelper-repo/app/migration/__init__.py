# encoding: utf-8
# Helpers the revisions in ../../db/versions import (as ckan's
# ckan/migration/__init__.py does); read by strata, never imported.
from typing import Any

from .util import *  # noqa: F401,F403  (prefix, reads_db)

LEGACY_KEY = u'sqlalchemy_migrate_version'


def skip_legacy(op: Any, filename: str) -> bool:
    conf = op.get_context().config
    version = conf.get_main_option(LEGACY_KEY)
    if version:
        return int(version) >= int(filename.split(u'_', 1)[0])
    return False


def writes_sql(op, table):
    op.execute("DELETE FROM %s" % table)
    return True
