from alembic import op
import sqlalchemy as sa

revision = 'r27'
down_revision = None


def upgrade():
    op.alter_column("t1", "note", existing_type=sa.String(50), server_default=None)


def downgrade():
    pass
