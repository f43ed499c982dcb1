op.create_table('t_long',
    sa.Column('id', sa.Integer(), primary_key=True),
    sa.Column('c', sa.Integer()),
    sa.UniqueConstraint('c', name=op.f('uq_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_x')),
)
op.create_index(op.f('ix_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij'), 't_long', ['c'])
op.drop_index(op.f('ix_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij'), table_name='t_long')
