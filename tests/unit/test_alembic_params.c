/*
 * Unit tests of the source's `arguments:` option (opsql_params.c) and of
 * what the history says about its tables (opsql_history.c): the option's
 * parsing and its messages; upgrade(op, tables, tester) translated with
 * `tester: noop` and `tables: tables`; the exact reasons where strata does
 * not know.  The SQL itself is judged by the real Alembic in
 * tests/interop/alembic/params.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "opsql.h"
#include "pyexpr.h"
#include "unroll.h"

/* ------------------------------------------------------------ the option */

static void check_ok(const char *lines)
{
	char err[512] = "";
	if (opsql_arguments_check(lines, err, sizeof err))
		fail_msg("%s: %s", lines, err);
}

static void check_bad(const char *lines, const char *want)
{
	char err[512] = "";
	assert_int_equal(opsql_arguments_check(lines, err, sizeof err), -1);
	if (!strstr(err, want))
		fail_msg("%s: got '%s', want '%s'", lines, err, want);
}

static void test_option(void **state)
{
	(void)state;
	check_ok(NULL);
	check_ok("");
	check_ok("tables=tables\ntester=noop\n");
	check_ok("t2=tables");
	check_bad("tester=nope\n", "arguments: tester: 'nope' is not what strata knows env.py to pass");
	check_bad("tester=\n", "arguments: tester: '' is not what strata knows env.py to pass");
	check_bad("tables=tables\ntester x=noop\n", "arguments: 'tester x' is not a parameter name");
	check_bad("settings.flag=noop\n", "arguments: 'settings.flag' is not a parameter name");
	check_bad("2x=noop\n", "arguments: '2x' is not a parameter name");
	check_bad("tester=Noop\n", "'Noop' is not what strata knows");
}

/* ------------------------------------------------------------ translation */

typedef struct run {
	const char *fn;
	const opsql_env *env;
	opsql_result *out;
} run;

static int with_toks(const px_toks *tk, void *ud)
{
	run *r = ud;
	char err[256];
	int line = 0;
	return unroll_translate_env(tk, r->fn, OPSQL_POSTGRESQL, NULL, r->env, r->out, err, sizeof err, &line);
}

static void tr(const char *src, const char *args, const opsql_history *h, opsql_result *out)
{
	opsql_env env = { NULL, NULL, src, strlen(src), NULL, args, h };
	run r = { "upgrade", &env, out };
	char err[256];
	int line = 0;
	if (px_with_tokens(src, strlen(src), with_toks, &r, err, sizeof err, &line))
		fail_msg("translate: %s", err);
}

static void sql_is(const char *src, const char *args, const opsql_history *h, const char *want)
{
	opsql_result r;
	tr(src, args, h, &r);
	if (r.status != OPSQL_OK)
		fail_msg("not translated: %s (line %d)", r.reason, r.line);
	if (strcmp(r.sql, want))
		fail_msg("got:\n%s\nwant:\n%s", r.sql, want);
	opsql_result_free(&r);
}

static void reason_is(const char *src, const char *args, const opsql_history *h, int line,
                      const char *want)
{
	opsql_result r;
	tr(src, args, h, &r);
	if (r.status == OPSQL_OK)
		fail_msg("translated, want: %s", want);
	if (strcmp(r.reason, want))
		fail_msg("got '%s'\nwant '%s'", r.reason, want);
	assert_int_equal(r.line, line);
	opsql_result_free(&r);
}

#define HEAD "\"\"\"Create kind, drop kind\"\"\"\nimport sqlalchemy as sa\nfrom alembic import op\n\n\n" \
	"def upgrade(op, tables, tester):\n    \"drop table kind\"\n"
#define KIND_TABLE "    op.create_table(\"kind\", sa.Column(\"id\", sa.Integer(), nullable=False),\n" \
	"        sa.Column(\"name\", sa.String(length=20), nullable=False), sa.PrimaryKeyConstraint(\"id\"))\n"
#define KIND_SQL "CREATE TABLE kind (\n    id SERIAL NOT NULL, \n    name VARCHAR(20) NOT NULL, \n" \
	"    PRIMARY KEY (id)\n);\n\n"
#define ARGS "tables=tables\ntester=noop\n"

static void test_noop(void **state)
{
	(void)state;
	sql_is(HEAD "    tester.populate_table(\"kind\", [(\"name\", tester.TestDataType.String)])\n"
	       "    tester.populate_column(\"kind\", \"id\", lambda: 1)\n"
	       "    tester.populate_column(\"kind\", \"id\", tester.TestDataType.Foreign(\"user\"))\n"
	       "    op.execute(\"SELECT 1\")\n", ARGS, NULL, "SELECT 1;\n\n");
	/* Python evaluates the arguments: a call of anything else is not skipped */
	reason_is(HEAD "    tester.populate_table(\"kind\", op.execute(\"SELECT 1\"))\n", ARGS, NULL, 8,
	          "call to tester.populate_table() (tester: noop; only a call of a noop object with "
	          "literal arguments is no SQL)");
	reason_is(HEAD "    tester.populate_table(f\"{x}\")\n", ARGS, NULL, 8,
	          "call to tester.populate_table() (tester: noop; only a call of a noop object with "
	          "literal arguments is no SQL)");
	/* a call whose result is used: None, what every call of the noop
	 * object returns (quay's `if app.config.get(...) or tester.is_testing():`) */
	sql_is(HEAD "    if tester.is_testing():\n        op.execute(\"SELECT 1\")\n", ARGS, NULL, "");
	sql_is(HEAD "    if tester.is_testing() is None:\n        op.execute(\"SELECT 1\")\n", ARGS, NULL,
	       "SELECT 1;\n\n");
	/* ... when its arguments are known; a deeper chain is not a method of it */
	reason_is(HEAD "    if tester.is_testing(x):\n        op.execute(\"SELECT 1\")\n", ARGS, NULL, 8,
	          "if on tester.is_testing(x): name 'x' is not known");
	reason_is(HEAD "    if tester.TestDataType.Foreign(\"u\"):\n        op.execute(\"SELECT 1\")\n", ARGS, NULL, 8,
	          "if on tester.TestDataType.Foreign('u'): call to tester.TestDataType.Foreign() is not known");
	/* without arguments: it is not known what env.py passes */
	reason_is(HEAD "    if tester.is_testing():\n        op.execute(\"SELECT 1\")\n", NULL, NULL, 8,
	          "if on tester.is_testing(): call to tester.is_testing() is not known");
	/* tables is no noop */
	reason_is(HEAD "    tables.populate()\n", ARGS, NULL, 8,
	          "call to tables.populate() (tables: tables; only a call of a noop object with "
	          "literal arguments is no SQL)");
}

static void test_not_given(void **state)
{
	(void)state;
	reason_is(HEAD "    tester.populate_table(\"kind\", [])\n", NULL, NULL, 8,
	          "call to tester.populate_table(): what env.py passes as upgrade()'s parameter 'tester' "
	          "is not known (give it under the source's arguments:, as noop or tables)");
	reason_is(HEAD "    op.bulk_insert(tables.kind, [{\"name\": \"a\"}])\n", "tester=noop\n", NULL, 8,
	          "table expression tables.kind: what env.py passes as upgrade()'s parameter 'tables' "
	          "is not known (give it under the source's arguments:, as noop or tables)");
	/* op is Alembic's op, as env.py's op=alembic_op */
	sql_is(HEAD "    op.execute(\"SELECT 1\")\n", NULL, NULL, "SELECT 1;\n\n");
}

static void test_tables_here(void **state)
{
	(void)state;
	sql_is(HEAD KIND_TABLE "    op.bulk_insert(tables.kind, [{\"name\": \"a\"}, {\"id\": 2, \"name\": \"it's\"}])\n",
	       ARGS, NULL,
	       KIND_SQL "INSERT INTO kind (name) VALUES ('a');\n\nINSERT INTO kind (id, name) VALUES (2, 'it''s');\n\n");
	reason_is(HEAD KIND_TABLE "    op.bulk_insert(tables.kind, [{\"name\": 1}])\n", ARGS, NULL, 10,
	          "int value for a non-numeric column");
	reason_is(HEAD "    op.bulk_insert(tables.kind, [{\"name\": \"a\"}])\n", ARGS, NULL, 8,
	          "table expression tables.kind: the columns of table 'kind' are not known from the "
	          "history: no history was read");
	reason_is(HEAD "    op.bulk_insert(tester.kind, [{\"name\": \"a\"}])\n", ARGS, NULL, 8,
	          "table expression tester.kind (tester: noop)");
}

#define DEL(where) HEAD KIND_TABLE "    op.execute(tables.kind.delete()" where ")\n"
#define WHY_OTHER "where() of tables.kind other than one column == op.inline_literal(value)"

static void test_execute(void **state)
{
	(void)state;
	/* what the real Alembic 1.8.1 prints offline (see the commit) */
	sql_is(DEL(".where(tables.kind.c.name == op.inline_literal(\"it's\"))"), ARGS, NULL,
	       KIND_SQL "DELETE FROM kind WHERE kind.name = 'it''s';\n\n");
	sql_is(DEL(".where(tables.kind.c.id == op.inline_literal(3))"), ARGS, NULL,
	       KIND_SQL "DELETE FROM kind WHERE kind.id = 3;\n\n");
	sql_is(DEL(""), ARGS, NULL, KIND_SQL "DELETE FROM kind;\n\n");
	sql_is(HEAD "    op.create_table(\"user\", sa.Column(\"Name\", sa.String(length=20)))\n"
	       "    op.execute(tables.user.delete().where(tables.user.c.Name == op.inline_literal(\"x\")))\n",
	       ARGS, NULL, "CREATE TABLE \"user\" (\n    \"Name\" VARCHAR(20)\n);\n\n"
	       "DELETE FROM \"user\" WHERE \"user\".\"Name\" = 'x';\n\n");
	/* Alembic prints a bind placeholder for a plain value, or IN (__[POSTCOMPILE_name_1]) */
	reason_is(DEL(".where(tables.kind.c.name == \"x\")"), ARGS, NULL, 10,
	          "where() of tables.kind compared with other than op.inline_literal(value) (Alembic "
	          "prints a bind placeholder offline)");
	reason_is(DEL(".where(tables.kind.c.name.in_([\"a\", \"b\"]))"), ARGS, NULL, 10, WHY_OTHER);
	/* a == b | c == d is a chained comparison in Python: refused */
	reason_is(DEL(".where(tables.kind.c.name == op.inline_literal(\"a\") | tables.kind.c.name == "
	              "op.inline_literal(\"b\"))"), ARGS, NULL, 10, WHY_OTHER);
	/* Table.name is the table's name, not a column */
	reason_is(DEL(".where(tables.kind.name == op.inline_literal(\"a\"))"), ARGS, NULL, 10,
	          "where() of tables.kind whose left side is not tables.kind.c.<column>");
	reason_is(DEL(".where(tables.kind.c.nosuch == op.inline_literal(\"a\"))"), ARGS, NULL, 10,
	          "where() of tables.kind: 'nosuch' is not a column of kind");
	reason_is(DEL(".where(tables.kind.c.name == op.inline_literal(1.5))"), ARGS, NULL, 10,
	          "op.inline_literal() of other than a literal string or integer");
	reason_is(HEAD KIND_TABLE "    op.execute(tables.kind.update().values(name=\"x\"))\n", ARGS, NULL, 10,
	          "SQLAlchemy expression on tables.kind in op.execute() (tables: tables; of a table only "
	          "tables.X.delete().where(...) is translated)");
	reason_is(HEAD "    op.execute(tables.kind.delete())\n", "tester=noop\n", NULL, 8,
	          "SQLAlchemy expression on tables.kind in op.execute(): what env.py passes as upgrade()'s parameter "
	          "'tables' is not known (give it under the source's arguments:, as noop or tables)");
}

/* ------------------------------------------------------------ the history */

static const char *const R_KIND = HEAD KIND_TABLE "\n\ndef downgrade(op, tables, tester):\n    op.drop_table(\"kind\")\n";
static const char *const R_WIDEN =
	HEAD "    op.alter_column(table_name=\"kind\", column_name=\"name\", type_=sa.Text())\n";
static const char *const R_ADD =
	HEAD "    op.add_column(\"kind\", sa.Column(\"enabled\", sa.Boolean(), nullable=True))\n";
static const char *const R_DROP = HEAD "    op.drop_table(\"kind\")\n";
static const char *const R_TWICE = HEAD "    op.create_table(\"kind\", sa.Column(\"name\", sa.Integer()))\n";
static const char *const R_ALTER_SQL = HEAD "    op.execute(\"ALTER TABLE kind ADD COLUMN x INT\")\n";
static const char *const R_DROP_SQL = HEAD "    op.execute(\"drop table if exists kind\")\n";

static const char *const R_BATCH_OTHER = HEAD "    with op.batch_alter_table(\"other\") as batch_op:\n"
	"        batch_op.alter_column(\"name\", type_=sa.Text())\n";
static const char *const R_BATCH_KIND = HEAD "    with op.batch_alter_table(\"kind\") as b:\n"
	"        b.drop_column(\"name\")\n";
static const char *const R_BATCH_COMPUTED = HEAD "    with op.batch_alter_table(T) as b:\n"
	"        b.drop_column(\"name\")\n";

static opsql_history *hist(const char *const *texts, const char *const *names, int n)
{
	opsql_history *h = opsql_history_new();
	assert_non_null(h);
	for (int i = 0; i < n; i++) {
		opsql_env env = { NULL, NULL, texts[i], strlen(texts[i]), NULL, NULL, NULL };
		assert_int_equal(opsql_history_read(h, texts[i], strlen(texts[i]), names[i], OPSQL_POSTGRESQL, &env), 0);
	}
	return h;
}

#define INS(rows) HEAD "    op.bulk_insert(tables.kind, " rows ")\n"

static void test_history(void **state)
{
	(void)state;
	const char *t1[] = { R_KIND, R_ADD }, *n1[] = { "k.py", "a.py" };
	const char *t2[] = { R_ADD, R_KIND }, *n2[] = { "a.py", "k.py" };
	for (int o = 0; o < 2; o++) { /* the files' order does not matter */
		opsql_history *h = o ? hist(t2, n2, 2) : hist(t1, n1, 2);
		sql_is(INS("[{\"name\": \"a\", \"id\": 1}, {\"enabled\": True}]"), ARGS, h,
		       "INSERT INTO kind (id, name) VALUES (1, 'a');\n\nINSERT INTO kind (enabled) VALUES (true);\n\n");
		reason_is(INS("[{\"name\": \"a\", \"enabled\": True}]"), ARGS, h, 8,
		          "bulk_insert() into tables.kind: a row with several columns, one of them added by "
		          "op.add_column(): their order in the MetaData is not known");
		reason_is(INS("[{\"nosuch\": 1}]"), ARGS, h, 8, "bulk_insert() key 'nosuch' is not a column of kind");
		opsql_history_free(h);
	}
	const char *t3[] = { R_KIND, R_WIDEN }, *n3[] = { "k.py", "w.py" };
	const char *t4[] = { R_WIDEN, R_KIND }, *n4[] = { "w.py", "k.py" };
	for (int o = 0; o < 2; o++) {
		opsql_history *h = o ? hist(t4, n4, 2) : hist(t3, n3, 2);
		reason_is(INS("[{\"name\": \"a\"}]"), ARGS, h, 8,
		          "bulk_insert() into tables.kind: the type of its column 'name' is not known from the "
		          "history: a revision alters or drops it (w.py)");
		sql_is(INS("[{\"id\": 3}]"), ARGS, h, "INSERT INTO kind (id) VALUES (3);\n\n");
		opsql_history_free(h);
	}
	struct { const char *text, *want; } cases[] = {
		{ R_DROP, "table expression tables.kind: the columns of table 'kind' are not known from the "
		          "history: a revision's upgrade() drops it (x.py)" },
		{ R_TWICE, "bulk_insert() into tables.kind: the type of its column 'name' is not known from "
		           "the history: its revisions give it different types (x.py)" },
		{ R_ALTER_SQL, "table expression tables.kind: the columns of table 'kind' are not known from "
		               "the history: a string of the history may alter, drop or create it (SQL strata does not read)" },
		{ R_DROP_SQL, "table expression tables.kind: the columns of table 'kind' are not known from "
		              "the history: a string of the history may alter, drop or create it (SQL strata does not read)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *t[] = { R_KIND, cases[i].text }, *n[] = { "k.py", "x.py" };
		opsql_history *h = hist(t, n, 2);
		reason_is(INS("[{\"name\": \"a\"}]"), ARGS, h, 8, cases[i].want);
		opsql_history_free(h);
	}
	/* batch_op's calls are on the batch's table */
	const char *t6[] = { R_KIND, R_BATCH_OTHER }, *n6[] = { "k.py", "b.py" };
	opsql_history *hb = hist(t6, n6, 2);
	sql_is(INS("[{\"name\": \"a\"}]"), ARGS, hb, "INSERT INTO kind (name) VALUES ('a');\n\n");
	opsql_history_free(hb);
	const char *t7[] = { R_KIND, R_BATCH_KIND }, *n7[] = { "k.py", "b.py" };
	hb = hist(t7, n7, 2);
	reason_is(INS("[{\"name\": \"a\"}]"), ARGS, hb, 8,
	          "bulk_insert() into tables.kind: the type of its column 'name' is not known from the "
	          "history: a revision alters or drops it (b.py)");
	opsql_history_free(hb);
	const char *t8[] = { R_KIND, R_BATCH_COMPUTED }, *n8[] = { "k.py", "b.py" };
	hb = hist(t8, n8, 2);
	reason_is(INS("[{\"name\": \"a\"}]"), ARGS, hb, 8,
	          "bulk_insert() into tables.kind: the type of its column 'name' is not known from the "
	          "history: a batch alter_column() / drop_column() changes a column so named (b.py)");
	opsql_history_free(hb);
	/* a table whose name holds a DDL word is not made unknown by its own create_table() */
	const char *t9[] = { HEAD "    op.create_table(\"created_kind\", sa.Column(\"name\", sa.String(length=5)))\n" },
	           *n9[] = { "c.py" };
	hb = hist(t9, n9, 1);
	sql_is(HEAD "    op.bulk_insert(tables.created_kind, [{\"name\": \"a\"}])\n", ARGS, hb,
	       "INSERT INTO created_kind (name) VALUES ('a');\n\n");
	opsql_history_free(hb);
	/* the downgrade()'s drop_table of the creating revision changes nothing */
	const char *t5[] = { R_KIND }, *n5[] = { "k.py" };
	opsql_history *h = hist(t5, n5, 1);
	reason_is(INS("[{\"other\": 1}]"), ARGS, h, 8, "bulk_insert() key 'other' is not a column of kind");
	reason_is(HEAD "    op.bulk_insert(tables.nosuch, [{\"name\": \"a\"}])\n", ARGS, h, 8,
	          "table expression tables.nosuch: the columns of table 'nosuch' are not known from the "
	          "history: no revision creates it with op.create_table()");
	opsql_history_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_option),
		cmocka_unit_test(test_noop),
		cmocka_unit_test(test_not_given),
		cmocka_unit_test(test_tables_here),
		cmocka_unit_test(test_execute),
		cmocka_unit_test(test_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
