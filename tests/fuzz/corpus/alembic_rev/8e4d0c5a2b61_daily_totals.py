"""daily totals view

Revision ID: 8e4d0c5a2b61
Revises: 3f1c2a9b7d10
Create Date: 2026-01-21 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e4d0c5a2b61'
down_revision = '3f1c2a9b7d10'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE VIEW daily_totals AS
        SELECT date(ran_at) AS day, count(*) AS runs
        FROM report_run
        GROUP BY date(ran_at)
    """)


def downgrade():
    op.execute("DROP VIEW daily_totals")
