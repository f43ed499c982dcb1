from alembic import op
import sqlalchemy as sa

revision = 'r1'
down_revision = None


def upgrade():
    op.create_table("t1", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    pass
