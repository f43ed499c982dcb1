from alembic import op
import sqlalchemy as sa

revision = 'r5'
down_revision = None


def upgrade():
    op.create_table("t1", sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True))


def downgrade():
    pass
