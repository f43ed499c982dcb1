# the mock connection of Alembic's offline mode has no .url: str(bind.engine.url) raises
bind = op.get_bind()
url = str(bind.engine.url)
if url.startswith("sqlite"):
    op.execute("SELECT 1")
