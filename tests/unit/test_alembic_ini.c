/*
 * Unit tests of the alembic plugin's file readers: alembic.ini (the
 * configparser rules Alembic depends on), Alembic's offline script (the
 * `-- Running upgrade A -> B` blocks) and env.py's version table names.  The plugin's sources are linked into
 * this binary; the host is a small fake that records the last error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alembic_int.h"

#include "fake_host.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/strata-alini.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *at(const char *rel)
{
	static char buf[8][256];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, rel);
	return buf[k];
}

/* ---- alembic.ini ---- */

static void no_ini(void **state)
{
	(void)state;
	fake_host f;
	fake_init(&f, NULL);
	al_ini ini;
	assert_int_equal(al_ini_read(&f.h, dir, &ini), 0);
	assert_int_equal(f.errors, 0);
}

static void default_versions_folder(void **state)
{
	(void)state;
	fake_host f;
	fake_init(&f, NULL);
	write_file("alembic.ini", "# A generic, single database configuration.\n\n[alembic]\n"
	                          "# path to migration scripts\nscript_location = migrations\n"
	                          "prepend_sys_path = .\n");
	al_ini ini;
	assert_int_equal(al_ini_read(&f.h, dir, &ini), 1);
	assert_int_equal(ini.ndirs, 1);
	assert_string_equal(ini.version_dirs[0], at("migrations/versions"));
	assert_int_equal(ini.recursive, 0);
	al_ini_free(&ini);
}

/* %(here)s, %(name)s from the section and from DEFAULT, %% for %, keys
 * case-folded, `key: value`, continuation lines, the last key wins. */
static void configparser_rules(void **state)
{
	(void)state;
	fake_host f;
	fake_init(&f, NULL);
	write_file("alembic.ini", "[DEFAULT]\nbase = %(here)s/db\n\n[loggers]\nscript_location = nope\n\n"
	                          "[alembic]\nScript_Location: %(base)s/mig\n"
	                          "version_locations = %(base)s/a\n"
	                          "    %(base)s/b%%c\n"
	                          "recursive_version_locations = TRUE\n"
	                          "version_path_separator = newline\n");
	al_ini ini;
	assert_int_equal(al_ini_read(&f.h, dir, &ini), 1);
	assert_int_equal(ini.ndirs, 2);
	assert_string_equal(ini.version_dirs[0], at("db/a"));
	assert_string_equal(ini.version_dirs[1], at("db/b%c"));
	assert_int_equal(ini.recursive, 1);
	/* what config.get_main_option() returns, for the evaluator (DEFAULT's
	 * keys, then [alembic]'s; a value of several lines not modelled) */
	char want[2048];
	snprintf(want, sizeof want,
	         "get_main_option.base=%s\n"
	         "get_main_option.script_location=%s\n"
	         "get_main_option.version_locations=\x7f\n"
	         "get_main_option.recursive_version_locations=TRUE\n"
	         "get_main_option.version_path_separator=newline\n",
	         at("db"), at("db/mig"));
	assert_string_equal(ini.main_options, want);
	al_ini_free(&ini);
}

/* Without version_path_separator, Alembic 1.8 splits on commas and spaces;
 * `os` is ':'; relative folders are taken from the ini's folder. */
static void separators(void **state)
{
	(void)state;
	fake_host f;
	fake_init(&f, NULL);
	write_file("alembic.ini", "[alembic]\nscript_location = m\nversion_locations = v1, v2 v3\n");
	al_ini ini;
	assert_int_equal(al_ini_read(&f.h, dir, &ini), 1);
	assert_int_equal(ini.ndirs, 3);
	assert_string_equal(ini.version_dirs[2], at("v3"));
	al_ini_free(&ini);
	write_file("alembic.ini", "[alembic]\nscript_location = m\nversion_locations = v1:/abs/v2\n"
	                          "version_path_separator = os\n");
	assert_int_equal(al_ini_read(&f.h, dir, &ini), 1);
	assert_int_equal(ini.ndirs, 2);
	assert_string_equal(ini.version_dirs[0], at("v1"));
	assert_string_equal(ini.version_dirs[1], "/abs/v2");
	al_ini_free(&ini);
}

/* configparser keeps inline comments, so Alembic 1.8's template line breaks
 * Alembic once version_locations is set: the same error, on the same line. */
static void inline_comment_kept(void **state)
{
	(void)state;
	fake_host f;
	fake_init(&f, NULL);
	write_file("alembic.ini", "[alembic]\nscript_location = m\nversion_locations = a:b\n"
	                          "version_path_separator = os  # Use os.pathsep.\n");
	al_ini ini;
	assert_true(al_ini_read(&f.h, dir, &ini) < 0);
	assert_int_equal(f.line, 4);
	assert_string_equal(f.msg, "'os  # Use os.pathsep.' is not a valid value for "
	                           "version_path_separator; expected 'space', 'os', ':', ';'");
	/* Without version_locations the separator is never read, as in Alembic. */
	fake_init(&f, NULL);
	write_file("alembic.ini", "[alembic]\nscript_location = m\n"
	                          "version_path_separator = os  # Use os.pathsep.\n");
	assert_int_equal(al_ini_read(&f.h, dir, &ini), 1);
	al_ini_free(&ini);
}

static void ini_errors(void **state)
{
	(void)state;
	fake_host f;
	al_ini ini;
	fake_init(&f, NULL);
	write_file("alembic.ini", "[alembic]\nsqlalchemy.url = x\n");
	assert_true(al_ini_read(&f.h, dir, &ini) < 0);
	assert_string_equal(f.msg, "no script_location in [alembic]");
	fake_init(&f, NULL);
	write_file("alembic.ini", "[alembic]\nscript_location = %(nope)s/m\n");
	assert_true(al_ini_read(&f.h, dir, &ini) < 0);
	assert_int_equal(f.line, 2);
	assert_string_equal(f.msg, "'script_location' refers to '%(nope)s', which is not set");
	fake_init(&f, NULL);
	write_file("alembic.ini", "[alembic]\nscript_location = 50%\n");
	assert_true(al_ini_read(&f.h, dir, &ini) < 0);
	assert_int_equal(f.line, 2);
	fake_init(&f, NULL);
	write_file("alembic.ini", "[alembic\nscript_location = m\n");
	assert_true(al_ini_read(&f.h, dir, &ini) < 0);
	assert_int_equal(f.line, 1);
	fake_init(&f, NULL);
	write_file("alembic.ini", "[alembic]\na = %(b)s\nb = %(a)s\nscript_location = %(a)s\n");
	assert_true(al_ini_read(&f.h, dir, &ini) < 0);
	assert_non_null(strstr(f.msg, "too deep"));
}

/* ---- the offline script ---- */

static const char script[] =
	"BEGIN;\n\n"
	"CREATE TABLE alembic_version (\n    version_num VARCHAR(32) NOT NULL, \n"
	"    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n);\n\n"
	"-- Running upgrade  -> a1\n\n"
	"CREATE TABLE t (\n    id SERIAL NOT NULL, \n    PRIMARY KEY (id)\n);\n\n"
	"INSERT INTO alembic_version (version_num) VALUES ('a1') RETURNING alembic_version.version_num;\n\n"
	"-- Running upgrade a1 -> b2\n\n"
	"COMMIT;\n\n"
	"CREATE INDEX CONCURRENTLY ix ON t (id);\n\n"
	"BEGIN;\n\n"
	"UPDATE alembic_version SET version_num='b2' WHERE alembic_version.version_num = 'a1';\n\n"
	"-- Running upgrade b2, c3 -> m4\n\n"
	"DELETE FROM alembic_version WHERE alembic_version.version_num = 'b2';\n\n"
	"UPDATE alembic_version SET version_num='m4' WHERE alembic_version.version_num = 'c3';\n\n"
	"-- Running downgrade b2 -> a1\n\n"
	"DROP INDEX ix;\n\n"
	"UPDATE alembic_version SET version_num='a1' WHERE alembic_version.version_num = 'b2';\n\n"
	"COMMIT;\n\n";

static void offline_blocks(void **state)
{
	(void)state;
	fake_host f;
	fake_init(&f, NULL);
	write_file("up.sql", script);
	al_offline o;
	assert_int_equal(al_offline_read(&f.h, at("up.sql"), "up.sql", &o), 0);
	const al_block *a = al_offline_find(&o, "a1", 0);
	assert_non_null(a);
	assert_string_equal(a->sql, "CREATE TABLE t (\n    id SERIAL NOT NULL, \n    PRIMARY KEY (id)\n);\n\n");
	assert_int_equal(a->no_transaction, 0);
	assert_int_equal(a->line, 8); /* its marker */
	const al_block *b = al_offline_find(&o, "b2", 0);
	assert_non_null(b);
	assert_string_equal(b->sql, "CREATE INDEX CONCURRENTLY ix ON t (id);\n\n");
	assert_int_equal(b->no_transaction, 1); /* between COMMIT; and BEGIN; */
	const al_block *m = al_offline_find(&o, "m4", 0);
	assert_non_null(m);
	assert_string_equal(m->sql, ""); /* a merge: bookkeeping only */
	const al_block *d = al_offline_find(&o, "b2", 1);
	assert_non_null(d);
	assert_string_equal(d->sql, "DROP INDEX ix;\n\n");
	assert_null(al_offline_find(&o, "zz", 0));
	al_offline_free(&o);
}

/* A source with its own version table: that table's statements are the
 * bookkeeping (schema-qualified, as Alembic prints them); alembic_version's
 * are then the revision's own SQL. */
static void offline_version_table(void **state)
{
	(void)state;
	fake_host f;
	fake_init(&f, NULL);
	write_file("vt.sql",
	           "BEGIN;\n\n"
	           "CREATE TABLE tenant.tenant_version (\n    version_num VARCHAR(32) NOT NULL, \n"
	           "    CONSTRAINT tenant_version_pkc PRIMARY KEY (version_num)\n);\n\n"
	           "-- Running upgrade  -> t1\n\n"
	           "CREATE TABLE t (id int);\n\n"
	           "INSERT INTO tenant.tenant_version (version_num) VALUES ('t1');\n\n"
	           "-- Running upgrade t1 -> t2\n\n"
	           "UPDATE alembic_version SET version_num='x' WHERE alembic_version.version_num = 'y';\n\n"
	           "UPDATE tenant.tenant_version SET version_num='t2' WHERE "
	           "tenant.tenant_version.version_num = 't1';\n\n"
	           "-- Running downgrade t2 -> t1\n\n"
	           "DELETE FROM tenant.tenant_version WHERE tenant.tenant_version.version_num = 't2';\n\n"
	           "DROP TABLE tenant.tenant_version;\n\n"
	           "COMMIT;\n\n");
	al_offline o;
	assert_int_equal(al_offline_read_vt(&f.h, at("vt.sql"), "vt.sql", "tenant.tenant_version", &o), 0);
	const al_block *a = al_offline_find(&o, "t1", 0);
	assert_non_null(a);
	assert_string_equal(a->sql, "CREATE TABLE t (id int);\n\n");
	const al_block *b = al_offline_find(&o, "t2", 0);
	assert_non_null(b);
	assert_string_equal(b->sql, "UPDATE alembic_version SET version_num='x' WHERE "
	                            "alembic_version.version_num = 'y';\n\n");
	const al_block *d = al_offline_find(&o, "t2", 1);
	assert_non_null(d);
	assert_string_equal(d->sql, "");
	al_offline_free(&o);
}

/* ---- env.py: the version table (vtable.c) ---- */

static char debug_buf[1024];
static void rec_debug(strata_host *h, const char *fmt, ...)
{
	(void)h;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(debug_buf, sizeof debug_buf, fmt, ap);
	va_end(ap);
}

/* env.py holding text, read with notes on: table, schema, the last note. */
static void env_of(const char *text, al_envpy *e, fake_host *f)
{
	fake_init(f, NULL);
	f->h.debug = rec_debug;
	debug_buf[0] = '\0';
	write_file("env.py", text);
	assert_int_equal(al_envpy_read(&f->h, at("env.py"), "env.py", 1, e), 0);
}

static void env_literals(void **state)
{
	(void)state;
	fake_host f;
	al_envpy e;
	/* The online call (connection=) decides, whatever the offline one says. */
	env_of("from alembic import context\n"
	       "def run_migrations_offline():\n"
	       "    context.configure(url=url, version_table='offline_v')\n"
	       "def run_migrations_online():\n"
	       "    with connectable.connect() as connection:\n"
	       "        context.configure(\n"
	       "            connection=connection,\n"
	       "            version_table=\"tenant_\" \"version\",\n"
	       "            version_table_schema='tenant',\n"
	       "        )\n", &e, &f);
	assert_string_equal(e.table, "tenant_version"); /* implicit concatenation is a literal */
	assert_int_equal(e.table_line, 8);
	assert_string_equal(e.schema, "tenant");
	assert_int_equal(e.schema_line, 9);
	assert_string_equal(debug_buf, "");
	al_envpy_free(&e);
	/* An online call without the key: Alembic online uses the default. */
	env_of("context.configure(url=url, version_table='offline_v')\n"
	       "context.configure(connection=connection)\n", &e, &f);
	assert_null(e.table);
	assert_null(e.schema);
	al_envpy_free(&e);
	/* No online call: the first call naming it. */
	env_of("context.configure(url=url)\ncontext.configure(url=u, version_table='v1')\n"
	       "context.configure(url=u, version_table='v2')\n", &e, &f);
	assert_string_equal(e.table, "v1");
	al_envpy_free(&e);
	/* No env.py: nothing named, no error. */
	fake_init(&f, NULL);
	assert_int_equal(al_envpy_read(&f.h, at("no-env.py"), "no-env.py", 1, &e), 0);
	assert_null(e.table);
	assert_int_equal(f.errors, 0);
}

static void env_not_literals(void **state)
{
	(void)state;
	fake_host f;
	al_envpy e;
	env_of("TABLE = 'a' + 'b'\ncontext.configure(\n    connection=c,\n    version_table=TABLE)\n",
	       &e, &f);
	assert_null(e.table);
	assert_string_equal(debug_buf, "env.py:4: version_table of context.configure() is not a "
	                               "string literal, which strata does not evaluate; it uses "
	                               "alembic_version");
	al_envpy_free(&e);
	env_of("context.configure(connection=c, version_table=f'{t}_version')\n", &e, &f);
	assert_null(e.table);
	assert_true(strstr(debug_buf, "not a string literal") != NULL);
	al_envpy_free(&e);
	env_of("context.configure(connection=c, version_table_schema=schema_for(tenant))\n", &e, &f);
	assert_null(e.schema);
	assert_true(strstr(debug_buf, "version_table_schema of context.configure() is not a string "
	                              "literal") != NULL);
	assert_true(strstr(debug_buf, "it uses no schema") != NULL);
	al_envpy_free(&e);
	env_of("opts = {}\ncontext.configure(connection=c, **opts)\n", &e, &f);
	assert_null(e.table);
	assert_string_equal(debug_buf, "env.py:2: version_table_schema of context.configure() is "
	                               "possibly in **kwargs, which strata does not evaluate; it "
	                               "uses no schema");
	al_envpy_free(&e);
	/* Not Python strata can tokenize: the default, and a note. */
	env_of("context.configure(connection=c, version_table='x'\n", &e, &f);
	assert_null(e.table);
	assert_true(strstr(debug_buf, "strata cannot read env.py") != NULL);
	al_envpy_free(&e);
}

static void version_table_names(void **state)
{
	(void)state;
	fake_host f;
	fake_init(&f, "postgresql");
	f.h.debug = rec_debug;
	char versions[300];
	snprintf(versions, sizeof versions, "%s/versions", dir);
	write_file("env.py", "context.configure(connection=c, version_table='from_env')\n");
	const char *keys[3] = {NULL}, *vals[3] = {NULL};
	strata_source_cfg cfg = {.version = STRATA_SOURCE_CFG_VERSION, .struct_size = sizeof cfg,
	                         .name = "t", .path = versions, .option_keys = keys,
	                         .option_values = vals};
	al_vtable vt;
	assert_int_equal(al_vtable_get(&f.h, &cfg, "postgresql", 0, &vt), 0);
	assert_string_equal(vt.sql, "from_env"); /* env.py beside the versions folder */
	assert_null(vt.schema);
	assert_string_equal(vt.pkc, "from_env_pkc");
	al_vtable_free(&vt);
	/* Options beat env.py; names quoted as SQLAlchemy quotes them. */
	keys[0] = "version_table", vals[0] = "TenantVersion";
	keys[1] = "version_table_schema", vals[1] = "tenant";
	assert_int_equal(al_vtable_get(&f.h, &cfg, "postgresql", 0, &vt), 0);
	assert_string_equal(vt.sql, "tenant.\"TenantVersion\"");
	assert_string_equal(vt.schema_sql, "tenant");
	assert_string_equal(vt.pkc, "\"TenantVersion_pkc\"");
	al_vtable_free(&vt);
	vals[0] = "user", vals[1] = ""; /* a reserved word; '' is no schema */
	assert_int_equal(al_vtable_get(&f.h, &cfg, "postgresql", 0, &vt), 0);
	assert_string_equal(vt.sql, "\"user\"");
	assert_null(vt.schema);
	al_vtable_free(&vt);
	vals[0] = "";
	fake_init(&f, NULL);
	assert_int_equal(al_vtable_get(&f.h, &cfg, "sqlite", 0, &vt), STRATA_EINVAL);
	assert_string_equal(f.msg, "source 't': version_table is empty");
	/* Nothing anywhere: alembic_version. */
	keys[0] = keys[1] = NULL;
	unlink(at("env.py"));
	assert_int_equal(al_vtable_get(&f.h, &cfg, "sqlite", 0, &vt), 0);
	assert_string_equal(vt.sql, "alembic_version");
	assert_string_equal(vt.pkc, "alembic_version_pkc");
	al_vtable_free(&vt);
}

static void beside(void **state)
{
	(void)state;
	char *p;
	assert_string_equal(p = al_beside("/a/b/versions", "env.py"), "/a/b/env.py"), free(p);
	assert_string_equal(p = al_beside("/a/b/versions/", "env.py"), "/a/b/env.py"), free(p);
	assert_string_equal(p = al_beside("/a/b/versions/.", "env.py"), "/a/b/env.py"), free(p);
	assert_string_equal(p = al_beside("/versions", "env.py"), "/env.py"), free(p);
}

static void offline_errors(void **state)
{
	(void)state;
	fake_host f;
	al_offline o;
	fake_init(&f, NULL);
	assert_true(al_offline_read(&f.h, at("missing.sql"), "missing.sql", &o) < 0);
	assert_string_equal(f.msg, "offline SQL script not found");
	fake_init(&f, NULL);
	write_file("none.sql", "BEGIN;\n\nCREATE TABLE x (id int);\n\nCOMMIT;\n\n");
	assert_true(al_offline_read(&f.h, at("none.sql"), "none.sql", &o) < 0);
	assert_string_equal(f.msg, "no '-- Running upgrade A -> B' block in the offline SQL script");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_ini),
		cmocka_unit_test(default_versions_folder),
		cmocka_unit_test(configparser_rules),
		cmocka_unit_test(separators),
		cmocka_unit_test(inline_comment_kept),
		cmocka_unit_test(ini_errors),
		cmocka_unit_test(offline_blocks),
		cmocka_unit_test(offline_version_table),
		cmocka_unit_test(env_literals),
		cmocka_unit_test(env_not_literals),
		cmocka_unit_test(version_table_names),
		cmocka_unit_test(beside),
		cmocka_unit_test(offline_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
