# alter_column — change type
op.alter_column("t1", "note", existing_type=sa.String(50), type_=sa.String(200))
