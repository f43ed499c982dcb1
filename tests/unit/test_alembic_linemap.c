/*
 * The translator's line map (opsql_result.lines): the .py line each line of
 * the translated SQL comes from — the op.* call's line, and inside an
 * op.execute() string literal the literal's own line (through sa.text(),
 * implicit concatenation and bind parameters), the batch's line for batch
 * "move and copy"; and the column where the text is the literal's own.
 * What the host needs to name the failing line of a
 * statement in a translated revision.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "opsql.h"
#include "unroll.h"

static const char rev[] =
	"from alembic import op\n"                                               /* 1 */
	"import sqlalchemy as sa\n"                                              /* 2 */
	"\n"                                                                     /* 3 */
	"\n"                                                                     /* 4 */
	"def upgrade():\n"                                                       /* 5 */
	"    op.execute(\"CREATE TABLE t0 (id INTEGER PRIMARY KEY)\")\n"         /* 6 */
	"    op.execute(\"\"\"\n"                                                /* 7 */
	"        CREATE TABLE t1 (id INTEGER PRIMARY KEY);\n"                    /* 8 */
	"        INSERT INTO t1 VALUES (1);\n"                                   /* 9 */
	"        INSERT INTO t1 VALUES (1, 2, nosuchcol);\n"                     /* 10 */
	"    \"\"\")\n"                                                          /* 11 */
	"    op.create_table(\"t2\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n" /* 12 */
	"    op.execute(sa.text(\"INSERT INTO t0 VALUES (:a)\\n\"\n"             /* 13 */
	"                       \"  , (2)\").bindparams(a=1))\n"                 /* 14 */
	"    op.execute(sa.text(\"SELECT :v\").bindparams(v='x\\ny'))\n"        /* 15 */
	"    with op.batch_alter_table(\"t2\") as b:\n"                          /* 16 */
	"        b.add_column(sa.Column(\"x\", sa.Integer()))\n";                /* 17 */

/* Per line of the SQLite translation, its .py line. */
static const int want[] = {
	6, 6,                /* CREATE TABLE t0; blank */
	8, 9, 10, 10,        /* the string's lines; blank */
	12, 12, 12, 12, 12,  /* CREATE TABLE t2 (4 lines); blank */
	13, 14, 14,          /* sa.text over two literals, a bound value */
	15, 15, 15,          /* a bound value with a newline: the literal's line */
	17, 17,              /* batch add_column (ALTER on SQLite) */
};
/* ... and the file column of its first character: 0 where the text is not
 * the literal's own (generated DDL, a bound value, the blank lines). */
static const int want_cols[] = {
	17, 0,               /* inside `    op.execute("` */
	9, 1, 1, 0,          /* 8 spaces stripped from the first line; the rest verbatim */
	0, 0, 0, 0, 0,
	0, 0, 0,
	0, 0, 0,
	0, 0,
};

static void check_linemap(int through_unroll)
{
	opsql_result r;
	char err[256];
	int el = 0;
	/* The plugin translates through the evaluator (unroll.c), which hands
	 * the translator a rewritten token stream: the map must survive it. */
	if (through_unroll)
		assert_int_equal(unroll_translate(rev, strlen(rev), "upgrade", OPSQL_SQLITE, NULL, &r, err,
		                                  sizeof err, &el), 0);
	else
		assert_int_equal(opsql_translate(rev, strlen(rev), "upgrade", OPSQL_SQLITE, &r, err,
		                                 sizeof err, &el), 0);
	if (r.status != OPSQL_OK)
		fail_msg("line %d: %s", r.line, r.reason);
	size_t nl = 0;
	for (const char *p = r.sql; *p; p++)
		nl += *p == '\n';
	print_message("%s", r.sql);
	assert_int_equal(r.nlines, nl);
	assert_int_equal(r.nlines, sizeof want / sizeof want[0]);
	for (size_t k = 0; k < r.nlines; k++) {
		if (r.lines[k] != want[k])
			fail_msg("SQL line %zu: .py line %d, want %d", k + 1, r.lines[k], want[k]);
		if (r.cols[k] != want_cols[k])
			fail_msg("SQL line %zu: .py column %d, want %d", k + 1, r.cols[k], want_cols[k]);
	}
	opsql_result_free(&r);
	/* an empty body: no lines */
	static const char empty[] = "def upgrade():\n    pass\n";
	assert_int_equal(opsql_translate(empty, strlen(empty), "upgrade", OPSQL_POSTGRESQL, &r, err, sizeof err, &el), 0);
	assert_int_equal(r.status, OPSQL_OK);
	assert_int_equal(r.nlines, 0);
	opsql_result_free(&r);
}

static void linemap(void **state)
{
	(void)state;
	check_linemap(0);
}

static void linemap_through_unroll(void **state)
{
	(void)state;
	check_linemap(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linemap),
		cmocka_unit_test(linemap_through_unroll),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
