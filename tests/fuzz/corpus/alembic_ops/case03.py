from alembic import op
import sqlalchemy as sa

revision = 'r3'
down_revision = None


def upgrade():
    op.create_table("t_big2", sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True))


def downgrade():
    pass
