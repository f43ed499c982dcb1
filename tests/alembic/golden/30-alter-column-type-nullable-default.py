# alter_column — type + nullable + default + rename at once
op.alter_column(
    "t1", "note", existing_type=sa.String(50), type_=sa.Text(),
    nullable=False, server_default="", new_column_name="remark",
)
