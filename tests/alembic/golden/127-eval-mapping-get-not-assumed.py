# X.get("K", default) with no assumption X.K: not known (the default is only what an absent key gives)
if settings.config.get("OTHER", False):
    op.execute("SELECT 0")
