import enum
from enum import IntEnum


class Status(str, enum.Enum):
    """A user's status."""

    active = "active"
    inactive = "inactive"
    ACTIVE = "active"  # an alias of active
    __doc_extra__ = "not a member"

    def label(self):
        return self.value.title()

    @property
    def short(self):
        return self.value[:1]


class Level(IntEnum):
    low = 1
    high = 2
    HIGH = 2


class Base(enum.Enum):
    def describe(self):
        return self.name


class Color(Base):
    RED = enum.auto()
    GREEN = enum.auto()
    BLUE = enum.auto()


class NotAnEnum(object):
    a = 1
