# execute — sa.text with bound parameter (literal-rendered offline)
op.execute(sa.text("UPDATE t1 SET name = :n WHERE id = :i").bindparams(n="O'Brien", i=7))
