# create_table — an Integer primary key that a table-level ForeignKeyConstraint names is not SERIAL
op.create_table(
    "solves",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["id"], ["submissions.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
)
