op.create_table("user", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.String(50)), sa.Column("state", sa.String(10)))
op.create_table("tfx", sa.Column("a", sa.String(5)), sa.Column("b", sa.String(5)), sa.Column("c", sa.Integer()), sa.Column("Em", sa.String(5)))
op.create_index("idx_only_one_active_email_no_case", "user", [sa.func.lower(sa.Column('email'))], unique=True, postgresql_where=sa.text('"user".state=\'active\''))
op.create_index("idx_y", "tfx", [sa.func.coalesce(sa.Column("a"), sa.Column("b")), "c", sa.func.upper(sa.column("Em"))])
