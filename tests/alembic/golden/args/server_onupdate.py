op.create_table('su_acct',
    sa.Column('id', sa.Integer(), primary_key=True),
    sa.Column('updated', sa.DateTime(), server_default=sa.text('CURRENT_TIMESTAMP'), server_onupdate=sa.text('CURRENT_TIMESTAMP')),
    sa.Column('seen', sa.DateTime(), nullable=False, server_onupdate=sa.FetchedValue()),
)
op.add_column('su_acct', sa.Column('touched', sa.DateTime(), server_onupdate=sa.FetchedValue()))
op.add_column('su_acct', sa.Column('stamp', sa.Integer(), server_default='0', server_onupdate=sa.text('1')))
