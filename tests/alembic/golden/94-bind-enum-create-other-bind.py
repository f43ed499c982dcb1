# an Enum created with something that is not op.get_bind()
sa.Enum("a", name="e1").create(engine)
