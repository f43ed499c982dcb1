from alembic import op
import sqlalchemy as sa

revision = 'r42'
down_revision = None


def upgrade():
    op.create_primary_key("pk_t1", "t1", ["id"])


def downgrade():
    pass
