op.create_table('acct', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('email', sa.String(50)), sa.Column('name', sa.String(50)))
op.create_index('ix_acct_email', 'acct', ['email'], postgresql_include=['id'])
op.create_index('ix_acct_name', 'acct', ['name'], unique=True, postgresql_include=['id', 'email'])
op.create_index(op.f('ix_acct_id_name'), 'acct', ['id', 'name'], unique=False, postgresql_include=[])
