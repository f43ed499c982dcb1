# a name from the application's settings (assume), early return
if not settings.feature_x:
    return
op.create_index("ix_t1_note", "t1", ["note"])
if settings.archive:
    op.drop_table("t1")
op.execute(f"SELECT '{settings.prefix}'")
