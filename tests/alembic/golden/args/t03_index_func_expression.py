op.create_index("idx_only_one_active_email_no_case", "user", [sa.func.lower(sa.Column('email'))], unique=True, postgresql_where=sa.text('"user".state=\'active\''))
op.create_index("idx_y", "t", [sa.func.coalesce(sa.Column("a"), sa.Column("b")), "c", sa.func.upper(sa.column("Em"))])
