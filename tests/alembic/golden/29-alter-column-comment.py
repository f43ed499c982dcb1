# alter_column — comment
op.alter_column("t1", "note", existing_type=sa.String(50), comment="a note")
