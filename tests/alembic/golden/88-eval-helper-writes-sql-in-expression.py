# a helper called in an expression that itself writes SQL is not evaluated there
def add_and_tell(col):
    op.add_column("t1", sa.Column(col, sa.Integer()))
    return col

if add_and_tell("w"):
    op.create_index("ix_t1_w", "t1", ["w"])
