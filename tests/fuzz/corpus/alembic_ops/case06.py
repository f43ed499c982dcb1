from alembic import op
import sqlalchemy as sa

revision = 'r6'
down_revision = None


def upgrade():
    op.create_table(
        "t1",
        sa.Column("a", sa.Integer(), primary_key=True),
        sa.Column("b", sa.String(10), primary_key=True),
    )


def downgrade():
    pass
