# imports inside the body bind names as module-level imports do
import sqlalchemy
from sqlalchemy import Integer
op.add_column("t1", sa.Column("n1", Integer()))
op.add_column("t1", sa.Column("n3", sqlalchemy.Boolean()))
