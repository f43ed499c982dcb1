from alembic import op
import sqlalchemy as sa

revision = 'r33'
down_revision = None


def upgrade():
    op.create_index("ix_t1_code", "t1", ["code"], unique=True)


def downgrade():
    pass
