"""enums

Revision ID: 0001
Revises:
"""
import enum

import sqlalchemy as sa
from alembic import op

import app.models.enums
import app.models.other as other
from app.models import Status, Kind
from app.models.enums import Level as L, Color
from app import models
from ..helpers import Local
from app.models.missing import Gone

revision = "0001"
down_revision = None


class InFile(enum.Enum):
    x = "x"
    yy = "y"


def upgrade():
    op.create_table("t", sa.Column("s", sa.Enum(Status)))
