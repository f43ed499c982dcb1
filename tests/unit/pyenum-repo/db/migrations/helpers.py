import enum


class Local(enum.Enum):
    one = "1"
    two = "2"
