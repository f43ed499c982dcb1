# Core where(): OR inside AND grouped, several where() are AND, values() in the table's column order
kind = sa.table("kind", sa.column("id", sa.Integer()), sa.column("Name", sa.String(20)), sa.column("on", sa.Boolean()))
op.execute(kind.update().where(((kind.c.id == 1) | (kind.c.id >= 7)) & (kind.c.Name != None)).values({"on": False, "Name": "a"}))
op.execute(kind.delete().where((kind.c.id < 2) | (kind.c.id > 9), kind.c.on == True).where(kind.c.Name.is_not(None)))
op.execute(kind.delete().where((kind.c.id <= 2) | (kind.c.id == kind.c.id) | kind.c.Name.is_(None)))
op.execute(kind.insert().values(on=None, id=op.inline_literal(5)))
