import enum


class Kind(enum.Enum):
    a = 1
    b: int = 2
    c: str
    _Kind__private = 3
