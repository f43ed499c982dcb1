# alter_column — change type with USING (postgresql_using)
op.alter_column("t1", "code", existing_type=sa.String(20), type_=sa.Integer(), postgresql_using="code::integer")
