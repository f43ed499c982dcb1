from alembic import op
import sqlalchemy as sa

revision = 'r48'
down_revision = None


def upgrade():
    op.execute(sa.text("UPDATE t1 SET name = :n WHERE id = :i").bindparams(n="O'Brien", i=7))


def downgrade():
    pass
