/*
 * op.execute(CreateSequence(Sequence("name"))) and DropSequence: the DDL
 * SQLAlchemy 1.4 compiles for them, the same on every dialect offline
 * (tests/alembic/golden/122-*).
 */
#include <string.h>

#include "opsql_int.h"

static const struct {
	const char *callee; /* callee_name() */
	const char *head;   /* the statement before the name */
	const char *tail;   /* after it */
	const char *flag;   /* the keyword SQLAlchemy 1.4 takes and does not render */
} seq_ddl[] = {
	{ "sa:CreateSequence", "CREATE SEQUENCE ", " START WITH 1", "if_not_exists" },
	{ "sa:DropSequence", "DROP SEQUENCE ", "", "if_exists" },
	{ NULL, NULL, NULL, NULL },
};

/* *mine: e is CreateSequence(...) / DropSequence(...); then 0 (emitted) or
 * -1 (untranslatable). */
int execute_sequence(ctx *c, const px *e, int *mine)
{
	*mine = 0;
	const char *n = e->k == PX_CALL ? callee_name(c, e->obj) : NULL;
	int d = -1;
	for (int j = 0; n && seq_ddl[j].callee && d < 0; j++)
		if (!strcmp(seq_ddl[j].callee, n))
			d = j;
	if (d < 0)
		return 0;
	*mine = 1;
	const char *what = seq_ddl[d].callee + 3;
	const px *seq = NULL;
	for (int k = 0; k < e->na; k++) {
		if (!e->kw[k] && k == 0)
			seq = e->a[k];
		else if (!e->kw[k] || strcmp(e->kw[k], seq_ddl[d].flag) || bool_arg(e->a[k]) < 0)
			return bad_arg(c, e->line, what, e->kw[k]);
	}
	const char *sn = seq && seq->k == PX_CALL ? callee_name(c, seq->obj) : NULL;
	if (seq && seq->k == PX_NAME)
		return untrans(c, e->line, "%s() of variable '%s' (not a literal Sequence())", what, seq->s);
	if (!sn || strcmp(sn, "sa:Sequence"))
		return untrans(c, e->line, "%s() of anything but a literal Sequence()", what);
	if (seq->na != 1 || seq->kw[0] || !is_str(seq->a[0]))
		return untrans(c, seq->line, "Sequence() with arguments other than its name");
	obuf b;
	ob_init(&b, c->a);
	ob_puts(&b, seq_ddl[d].head);
	q_ident(c, &b, seq->a[0]->s);
	ob_puts(&b, seq_ddl[d].tail);
	emit(c, b.p, b.n);
	return 0;
}
