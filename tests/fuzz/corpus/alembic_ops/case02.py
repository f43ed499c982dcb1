from alembic import op
import sqlalchemy as sa

revision = 'r2'
down_revision = None


def upgrade():
    op.create_table("t_big", sa.Column("id", sa.BigInteger(), primary_key=True))
    op.create_table("t_small", sa.Column("id", sa.SmallInteger(), primary_key=True))


def downgrade():
    pass
