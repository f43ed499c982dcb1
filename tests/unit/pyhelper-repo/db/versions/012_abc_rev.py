"""a revision using the application's helpers"""
from alembic import op
import sqlalchemy as sa
from app.migration import skip_legacy, writes_sql
from app.migration import prefix as pfx, reads_db
from app.migration import not_there

revision = "012abc"
down_revision = None


def upgrade():
    if skip_legacy(op, __name__):
        return
    op.execute("SELECT '%s'" % pfx(__name__))


def downgrade():
    pass
