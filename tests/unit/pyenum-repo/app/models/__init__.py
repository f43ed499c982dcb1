"""Models; the enums re-exported."""
from .enums import Status  # noqa: F401
from .other import *  # noqa: F401,F403
