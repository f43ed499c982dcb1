/*
 * <Enum>.create(op.get_bind()) and <Enum>.drop(op.get_bind()) of a
 * sa.Enum / postgresql.ENUM: the statements SQLAlchemy's mock connection
 * prints for them in Alembic's offline run.  unroll.c rewrites such a
 * statement into a call of the op rows "Enum:create" / "Enum:drop"
 * (names no revision can write), with the type as the first argument;
 * checkfirst= is bound and ignored, as offline SQLAlchemy runs the DDL
 * with checkfirst=False.
 */
#include "opsql_int.h"

/* The rows' function: o->kind 0 create, 1 drop. */
int op_enum_type(ctx *c, px *call, opargs *a)
{
	const char *what = a->op->kind ? "drop" : "create";
	px *te = A(a, "type_");
	if (!te)
		return untrans(c, call->line, "Enum.%s() without the type", what);
	ptype *t = parse_type(c, te);
	if (!t)
		return -1;
	const ptype *ty = impl(c, t);
	if (ty->k != TY_ENUM)
		return untrans(c, call->line, ".%s(op.get_bind()) of a type that is not an Enum", what);
	if (!c->dd->enum_type_ddl)
		return 0;
	return c->dd->enum_type_ddl(c, ty, a->op->kind, call->line);
}
