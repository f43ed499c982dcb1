# op.get_context().config.get_main_option(): alembic.ini's [alembic] option (not set here: None, or the default given)
def legacy_version():
    conf = op.get_context().config
    version = conf.get_main_option("sqlalchemy_migrate_version")
    if version:
        return int(version) >= int("012_name".split("_", 1)[0])
    return False

if legacy_version():
    return
op.add_column("t1", sa.Column("legacy", sa.Integer()))
op.execute("UPDATE t1 SET code = '%s'" % op.get_context().config.get_main_option("not_there", "fallback"))
