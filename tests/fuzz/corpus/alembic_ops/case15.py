from alembic import op
import sqlalchemy as sa

revision = 'r15'
down_revision = None


def upgrade():
    op.drop_table("t_enum")


def downgrade():
    pass
