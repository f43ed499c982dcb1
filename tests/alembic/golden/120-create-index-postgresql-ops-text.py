# postgresql_ops= keyed by a text() element's text (lemur's gin_trgm_ops on lower(cn)): Alembic's textual index element has the text as its key
op.create_index("ix_c_cn_lower", "certificates", [sa.text("lower(cn)")], unique=False, postgresql_ops={"lower(cn)": "gin_trgm_ops"}, postgresql_using="gin")
op.create_index("ix_c_mixed", "certificates", ["name", sa.text("lower(cn)")], postgresql_ops={"name": "text_pattern_ops", "lower(cn)": "varchar_pattern_ops"})
op.create_index("ix_c_other", "certificates", [sa.text("upper(cn)")], postgresql_ops={"lower(cn)": "gin_trgm_ops"})
