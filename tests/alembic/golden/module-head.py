"""op catalogue

Revision ID: 0a1b2c3d4e5f
Revises:
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0a1b2c3d4e5f"
down_revision = None

T1 = sa.Table("t1", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50), nullable=False), sa.Column("note", sa.String(50)), sa.Column("code", sa.String(20)), sa.Column("other_id", sa.Integer))


