# postgresql_nulls_not_distinct= (SQLAlchemy 2.0): SQLAlchemy 1.4 refuses it, so strata does not translate it
op.create_unique_constraint("uq_t_a", "t", ["a"], postgresql_nulls_not_distinct=True)
