STARRED = 1
from app.names_base import *  # noqa: F403 (may bind STARRED again)
