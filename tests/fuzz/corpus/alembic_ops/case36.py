from alembic import op
import sqlalchemy as sa

revision = 'r36'
down_revision = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_t1_note", "t1", ["note"], postgresql_concurrently=True)


def downgrade():
    pass
