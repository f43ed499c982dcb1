from alembic import op
import sqlalchemy as sa

revision = 'r18'
down_revision = None


def upgrade():
    op.add_column("t1", sa.Column("flag", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    pass
