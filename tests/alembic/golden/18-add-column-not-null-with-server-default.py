# add_column — NOT NULL with server_default
op.add_column("t1", sa.Column("flag", sa.Boolean(), nullable=False, server_default=sa.true()))
