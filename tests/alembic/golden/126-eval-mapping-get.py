# X.get("K", default) of an application's mapping is the assumption X.K (settings.config.SETUP_COMPLETE=false)
if not settings.config.get("SETUP_COMPLETE", True):
    op.execute("SELECT 126")
if settings.config.get("SETUP_COMPLETE"):
    op.execute("SELECT 0")
