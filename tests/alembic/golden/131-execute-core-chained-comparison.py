# Core where() with a comparison beside | (Python chains it): untranslatable
kind = sa.table("kind", sa.column("id", sa.Integer()))
op.execute(kind.delete().where(kind.c.id == 1 | kind.c.id == 2))
