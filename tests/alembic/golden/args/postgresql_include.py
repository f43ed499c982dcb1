op.create_table('pi_acct', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('email', sa.String(50)), sa.Column('name', sa.String(50)))
op.create_index('ix_pi_email', 'pi_acct', ['email'], postgresql_include=['id'])
op.create_index('ix_pi_name', 'pi_acct', ['name'], unique=True, postgresql_include=['id', 'email'])
op.create_index(op.f('ix_pi_id_name'), 'pi_acct', ['id', 'name'], unique=False, postgresql_include=[])
