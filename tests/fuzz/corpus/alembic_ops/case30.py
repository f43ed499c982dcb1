from alembic import op
import sqlalchemy as sa

revision = 'r30'
down_revision = None


def upgrade():
    op.alter_column(
        "t1", "note", existing_type=sa.String(50), type_=sa.Text(),
        nullable=False, server_default="", new_column_name="remark",
    )


def downgrade():
    pass
