from alembic import op
import sqlalchemy as sa

revision = 'r4'
down_revision = None


def upgrade():
    op.create_table("t1", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False))


def downgrade():
    pass
