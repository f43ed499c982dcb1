from alembic import op
import sqlalchemy as sa

revision = 'r51'
down_revision = None


def upgrade():
    op.bulk_insert(T1, [{"id": 1, "name": "a", "note": None}, {"id": 2, "name": "b'c", "note": "n"}])


def downgrade():
    pass
