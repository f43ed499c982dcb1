from alembic import op
import sqlalchemy as sa

revision = 'r39'
down_revision = None


def upgrade():
    op.create_unique_constraint("uq_t1_code", "t1", ["code"])


def downgrade():
    pass
