from alembic import op
import sqlalchemy as sa

revision = 'r21'
down_revision = None


def upgrade():
    op.drop_column("t1", "note")


def downgrade():
    pass
