"""report runs

Revision ID: 3f1c2a9b7d10
Revises: 
Create Date: 2026-01-20 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1c2a9b7d10'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('ran_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_report_run_name'), 'report_run', ['name'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_report_run_name'), table_name='report_run')
    op.drop_table('report_run')
