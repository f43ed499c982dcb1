# all() / any() of known items; sa.Enum(create_type=False): SQLAlchemy 1.4's sa.Enum drops the keyword (letta)
use = all([True, settings.archive, settings.feature_x])
if any([settings.archive, use]):
    op.execute("SELECT 0")
if all([settings.feature_x, settings.prefix]) and not any(()):
    op.execute("SELECT 133")
op.create_table("t133", sa.Column("k", sa.Enum("a", "b", name="t133_kind", create_type=False)))
op.add_column("t133", sa.Column("k2", sa.Enum("a", "b", name="t133_kind", create_type=False)))
