/*
 * plugins/postgres/postgres_writes.c: which statements write a table, read
 * from libpg_query's parse tree (the driver's writes_table).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "postgres_int.h"
#include "fake_host.h"

static int debugs;

static void f_debug(strata_host *h, const char *fmt, ...)
{
	(void)h;
	(void)fmt;
	debugs++;
}

/* writes_table on sql (a script starting at line 10): its answer, *line. */
static int ask(const char *sql, const char *schema, const char *table, int *line)
{
	fake_host f;
	strata_script s = {.version = STRATA_SCRIPT_VERSION, .struct_size = sizeof s,
	                   .sql = sql, .len = strlen(sql), .file = "m.sql", .line = 10};

	fake_init(&f, "postgresql");
	f.h.debug = f_debug;
	return pgdrv_writes_table(NULL, &f.h, &s, schema, table, line);
}

static void writes(const char *sql, const char *schema, int want_line)
{
	int line = -1;

	assert_int_equal(ask(sql, schema, "schema_migrations", &line), 1);
	assert_int_equal(line, want_line);
}

static void no_write(const char *sql, const char *schema)
{
	int line = -1;

	assert_int_equal(ask(sql, schema, "schema_migrations", &line), 0);
	assert_int_equal(line, 0);
}

static void statement_kinds(void **state)
{
	(void)state;
	writes("INSERT INTO schema_migrations VALUES ('1')", NULL, 10);
	writes("CREATE TABLE t (id int);\n\n  UPDATE schema_migrations SET version = '2'", NULL, 12);
	writes("SELECT 1;\nDELETE FROM schema_migrations WHERE version = '1'", NULL, 11);
	writes("MERGE INTO schema_migrations m USING t ON m.version = t.v\n"
	       "WHEN NOT MATCHED THEN INSERT VALUES (t.v)", NULL, 10);
	writes("SELECT 1;\n-- the row\n/* by hand */ COPY schema_migrations FROM stdin", NULL, 12);
	writes("EXPLAIN ANALYZE INSERT INTO schema_migrations VALUES ('1')", NULL, 10);
	writes("EXPLAIN (ANALYZE, BUFFERS) DELETE FROM schema_migrations", NULL, 10);
	no_write("EXPLAIN INSERT INTO schema_migrations VALUES ('1')", NULL);
	no_write("COPY schema_migrations TO stdout", NULL);
	no_write("SELECT * FROM schema_migrations", NULL);
	no_write("CREATE TABLE schema_migrations (version text)", NULL);
}

static void ctes(void **state)
{
	(void)state;
	writes("WITH v AS (SELECT '1' AS x)\nINSERT INTO schema_migrations SELECT x FROM v", NULL,
	       10);
	writes("SELECT 1;\nWITH ins AS (INSERT INTO schema_migrations VALUES ('1') RETURNING 1)\n"
	       "SELECT * FROM ins", NULL, 11);
	writes("WITH a AS (WITH b AS (DELETE FROM schema_migrations RETURNING 1) SELECT * FROM b)\n"
	       "SELECT * FROM a", NULL, 10);
	no_write("WITH a AS (SELECT * FROM schema_migrations) INSERT INTO other SELECT * FROM a",
	         NULL);
}

static void names(void **state)
{
	(void)state;
	writes("INSERT INTO Schema_Migrations VALUES ('1')", NULL, 10);
	writes("INSERT INTO public.schema_migrations VALUES ('1')", NULL, 10);
	writes("INSERT INTO public.schema_migrations VALUES ('1')", "public", 10);
	writes("INSERT INTO \"schema_migrations\" VALUES ('1')", "public", 10);
	no_write("INSERT INTO app.schema_migrations VALUES ('1')", "public");
	no_write("INSERT INTO \"Schema_Migrations\" VALUES ('1')", NULL);
	no_write("INSERT INTO schema_migrations_backup VALUES ('1')", NULL);
}

static void not_statements(void **state)
{
	(void)state;
	no_write("SELECT 'INSERT INTO schema_migrations VALUES (1)'", NULL);
	no_write("-- INSERT INTO schema_migrations VALUES (1)\nSELECT 1", NULL);
	no_write("/* INSERT INTO /* nested */ schema_migrations */ SELECT 1", NULL);
	no_write("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $x$ INSERT INTO "
	         "schema_migrations VALUES (1) $x$", NULL);
	no_write("CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO schema_migrations "
	         "VALUES (1)", NULL);
	no_write("CREATE FUNCTION g() RETURNS void LANGUAGE sql BEGIN ATOMIC INSERT INTO "
	         "schema_migrations VALUES (1); END", NULL);
}

static void rejected(void **state)
{
	int line = -1;

	(void)state;
	debugs = 0;
	assert_int_equal(ask("INSERT INTO schema_migrations VALUES (1);\nSELEC 2", NULL,
	                     "schema_migrations", &line), 0);
	assert_int_equal(line, 0);
	assert_int_equal(debugs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(statement_kinds),
		cmocka_unit_test(ctes),
		cmocka_unit_test(names),
		cmocka_unit_test(not_statements),
		cmocka_unit_test(rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
