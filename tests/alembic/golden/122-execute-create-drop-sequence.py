# op.execute() of CreateSequence / DropSequence of a Sequence: SQLAlchemy's DDL on each dialect
op.execute(sa.schema.CreateSequence(sa.schema.Sequence("s1")))
op.execute(sa.schema.CreateSequence(sa.Sequence("s2"), if_not_exists=True))
op.execute(sa.schema.DropSequence(sa.schema.Sequence("s1")))
op.execute(sa.schema.DropSequence(sa.Sequence("s2"), if_exists=True))
op.execute(sa.schema.CreateSequence(sa.Sequence("Seq3")))
