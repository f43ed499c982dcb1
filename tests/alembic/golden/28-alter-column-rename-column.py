# alter_column — rename column
op.alter_column("t1", "note", new_column_name="remark", existing_type=sa.String(50))
