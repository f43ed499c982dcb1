"""Module-level constants a revision imports (test_alembic_helpers.c)."""
from app.names_base import BASE

KINDS = ["small", "large"]
LIMIT = 50000  # ~300 words
NAME = BASE + "_x"
TYPES = {"a", "b"}
TWICE = 1
TWICE = 2
MUTATED = ["a"]
MUTATED.append("b")
LATER = 3


def bump():
    global LATER
    LATER = 4
