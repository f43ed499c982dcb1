# alter_column — set server default
op.alter_column("t1", "note", existing_type=sa.String(50), server_default="n/a")
