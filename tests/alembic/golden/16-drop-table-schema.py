# drop_table — schema
op.drop_table("t4", schema="myschema")
