from alembic import op
import sqlalchemy as sa

revision = 'r9'
down_revision = None


def upgrade():
    op.create_table(
        "t_enum2",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.Enum("a", "b", name="t_enum2_kind", native_enum=False, create_constraint=True)),
        sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_t_enum2_flag")),
    )


def downgrade():
    pass
