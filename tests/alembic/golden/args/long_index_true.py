op.create_table('t_abcdefghij_abcdefghij_abcdefghij',
    sa.Column('id', sa.Integer(), primary_key=True),
    sa.Column('c_abcdefghij_abcdefghij_abcdefghij', sa.Integer(), index=True),
)
