# a Sequence() with options (start=...) is not modelled: declined, naming it
op.execute(sa.schema.CreateSequence(sa.Sequence("s1", start=5)))
