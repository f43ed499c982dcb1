# execute — SQLAlchemy Core construct
op.execute(T1.update().where(T1.c.id == 3).values(note="done"))
