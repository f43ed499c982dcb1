op.create_table('t_long2', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('c', sa.Integer()))
op.create_index('ix_explicit_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij', 't_long2', ['c'])
