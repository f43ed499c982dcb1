# a name and a helper's argument bound to a Sequence: CreateSequence() of it, a column's default
def create_seq(s):
    if op.get_context().dialect.supports_sequences:
        op.execute(sa.schema.CreateSequence(s))


seq = sa.Sequence("t125_seq")
create_seq(seq)
create_seq(sa.Sequence("t125b_seq"))
op.create_table("t125", sa.Column("id", sa.Integer(), seq, nullable=False), sa.PrimaryKeyConstraint("id"))
