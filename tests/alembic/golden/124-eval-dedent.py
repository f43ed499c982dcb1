# textwrap.dedent() of a known string (an f-string of known names too)
from textwrap import dedent
import textwrap
TRUE = "1"
op.execute(
    dedent(
        f"""
        UPDATE t1
        SET name = {TRUE}
          WHERE id IS NULL
        """
    )
)
op.execute(textwrap.dedent("""\
    SELECT 1
	
    \tFROM t1
      """))
op.execute(dedent("  SELECT 2\n\t  \n  -- x\n   FROM t1"))
op.execute(dedent("\t  SELECT 3\n\t FROM t1\n \t\n\t  WHERE 1 = 1\n"))
op.execute(dedent("SELECT 4"))
