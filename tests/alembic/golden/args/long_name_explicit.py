op.create_table('t_long', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('c', sa.Integer()))
op.create_index('ix_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij', 't_long', ['c'])
