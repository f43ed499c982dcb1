# an inspector of op.get_bind() reads the live database
insp = sa.inspect(op.get_bind())
if "t1" in insp.get_table_names():
    op.drop_table("t1")
