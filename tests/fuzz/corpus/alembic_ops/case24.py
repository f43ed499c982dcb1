from alembic import op
import sqlalchemy as sa

revision = 'r24'
down_revision = None


def upgrade():
    op.alter_column("t1", "note", existing_type=sa.String(50), type_=sa.String(200))


def downgrade():
    pass
