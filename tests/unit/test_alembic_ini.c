/*
 * Unit tests of the alembic plugin's two file readers: alembic.ini (the
 * configparser rules Alembic depends on) and Alembic's offline script (the
 * `-- Running upgrade A -> B` blocks).  The plugin's sources are linked into
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
		cmocka_unit_test(offline_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
