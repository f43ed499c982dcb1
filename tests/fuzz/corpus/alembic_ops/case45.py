from alembic import op
import sqlalchemy as sa

revision = 'r45'
down_revision = None


def upgrade():
    op.drop_constraint("ck_t1_name", "t1", type_="check")


def downgrade():
    pass
