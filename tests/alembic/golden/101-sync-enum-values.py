# op.sync_enum_values() (alembic-autogenerate-enums / alembic-postgresql-enum): reads the live database, untranslatable
op.sync_enum_values("public", "log_type", ["key_view"], ["create_cert", "key_view", "update_cert"])
