# alter_column — set NOT NULL
op.alter_column("t1", "note", existing_type=sa.String(50), nullable=False)
