# create_table — Identity column
op.create_table("t1", sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True))
