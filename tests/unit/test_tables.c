/* plugins/tables without a database: scripts that write their own tracking
 * row (sqlscan.c), Flyway's CRC-32, and every shipped descriptor loading
 * (descriptor.c), a broken one refused at its line, a schema per dialect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <dirent.h>

#include "tables_int.h"
#include "fake_host.h"

static int writes(const char *sql, const char *schema, const char *table, bool insert)
{
	tb_desc d = {.table = (char *)table, .schema = (char *)schema};
	return tb_writes_table(sql, strlen(sql), &d, insert);
}

static void test_self_recording(void **state)
{
	(void)state;
	assert_int_equal(writes("create table a (x int);\nINSERT INTO schema_migrations VALUES ('1');", NULL,
	                        "schema_migrations", true), 2);
	assert_int_equal(writes("insert into \"schema_migrations\" (version) values ('1')", NULL,
	                        "schema_migrations", true), 1);
	assert_int_equal(writes("INSERT INTO public.schema_migrations VALUES ('1')", "public",
	                        "schema_migrations", true), 1);
	assert_int_equal(writes("INSERT INTO \"Public\".schema_migrations VALUES ('1')", "public",
	                        "schema_migrations", true), 0); /* a quoted name is exact */
	assert_int_equal(writes("INSERT INTO \"SCHEMA_MIGRATIONS\" VALUES ('1')", NULL,
	                        "schema_migrations", true), 0);
	assert_int_equal(writes("-- INSERT INTO schema_migrations\n/* INSERT INTO schema_migrations /* nested */ still */ select 1",
	                        NULL, "schema_migrations", true), 0);
	assert_int_equal(writes("select 'INSERT INTO schema_migrations', E'it\\'s INSERT INTO schema_migrations'",
	                        NULL, "schema_migrations", true), 0);
	assert_int_equal(writes("do $fn$ begin INSERT INTO schema_migrations values ('1'); end $fn$;", NULL,
	                        "schema_migrations", true), 0);
	assert_int_equal(writes("insert into schema_migrations_old values (1)", NULL, "schema_migrations",
	                        true), 0);
	assert_int_equal(writes("\n\nDELETE FROM schema_migrations WHERE version = '1'", NULL,
	                        "schema_migrations", false), 3);
	assert_int_equal(writes("DELETE FROM schema_migrations", NULL, "schema_migrations", true), 0);
	assert_int_equal(writes("insert into other.schema_migrations values (1)", "public",
	                        "schema_migrations", true), 0);
}

/* Values from Python: ctypes.c_int32(zlib.crc32(text without \r \n)). */
static void test_flyway_crc32(void **state)
{
	(void)state;
	char out[16];
	const char *a = "create table a (id int);\n";
	tb_flyway_crc32(a, strlen(a), out);
	assert_string_equal(out, "-897341557");
	const char *b = "\xEF\xBB\xBF" "create table a (id int);\r\n";
	tb_flyway_crc32(b, strlen(b), out);
	assert_string_equal(out, "-897341557");
	const char *c = "create table b (id int);\r\ninsert into b values (1);\n";
	tb_flyway_crc32(c, strlen(c), out);
	assert_string_equal(out, "594717475");
}

static void test_shipped_descriptors(void **state)
{
	(void)state;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/formats/trackers", STRATA_SOURCE_ROOT);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l <= 5 || strcmp(e->d_name + l - 5, ".yaml"))
			continue;
		char path[4400], name[256];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		snprintf(name, sizeof name, "%.*s", (int)(l - 5), e->d_name);
		fake_host f;
		fake_init(&f, "sqlite");
		tb_desc *t = NULL;
		int rc = tb_load_file(&f.h, path, name, &t);
		if (rc)
			fail_msg("%s: %s:%d: %s", name, f.file, f.line, f.msg);
		assert_non_null(t->create_sqlite);
		assert_non_null(t->create_pg);
		tb_free(t);
		n++;
	}
	closedir(d);
	assert_true(n >= 12);
}

/* schema: per dialect (Drizzle's): PostgreSQL's schema, none on SQLite. */
/* Loads descriptor text y from a temporary file, as the plugin would. */
static int load_text(const char *y, fake_host *f, tb_desc **t)
{
	char path[] = "/tmp/strata-tables-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, y, strlen(y)), (ssize_t)strlen(y));
	close(fd);
	fake_init(f, "sqlite");
	*t = NULL;
	int rc = tb_load_file(&f->h, path, "x", t);
	unlink(path);
	return rc;
}

static void test_schema_per_dialect(void **state)
{
	(void)state;
	char path[4096];
	snprintf(path, sizeof path, "%s/formats/trackers/drizzle.yaml", STRATA_SOURCE_ROOT);
	const char *dialects[] = {"sqlite", "postgresql"};
	const char *want[] = {NULL, "drizzle"};
	for (int i = 0; i < 2; i++) {
		fake_host f;
		fake_init(&f, dialects[i]);
		tb_desc *t = NULL;
		assert_int_equal(tb_load_file(&f.h, path, "drizzle", &t), STRATA_OK);
		if (want[i])
			assert_string_equal(t->schema, want[i]);
		else
			assert_null(t->schema);
		assert_int_equal(t->feature, F_WATERMARK);
		assert_int_equal(t->sum, C_SHA256_FILE);
		tb_free(t);
	}
	/* A dialect the mapping does not know is refused at its line. */
	fake_host f;
	tb_desc *t;
	assert_int_equal(load_text("tracker: x\ntable: t\nschema:\n  mysql: m\ncreate: {sqlite: s}\n"
	                           "columns: {v: version}\nkey: v\n", &f, &t), STRATA_EINVAL);
	assert_null(t);
	assert_int_equal(f.line, 4);
}

/* knex.yaml: name = the JS file the SQL pair's name gives (file-base:.js),
 * migration_time per dialect (Unix ms on SQLite, a timestamp on PostgreSQL). */
static void test_knex_values(void **state)
{
	(void)state;
	char path[4096];
	snprintf(path, sizeof path, "%s/formats/trackers/knex.yaml", STRATA_SOURCE_ROOT);
	const char *dialects[] = {"sqlite", "postgresql"};
	const tb_kind want[] = {K_NOW_MS, K_NOW};
	for (int i = 0; i < 2; i++) {
		fake_host f;
		fake_init(&f, dialects[i]);
		tb_desc *t = NULL;
		assert_int_equal(tb_load_file(&f.h, path, "knex", &t), STRATA_OK);
		long at = tb_column_index(t, "migration_time"), name = tb_column_index(t, "name");
		assert_true(at >= 0 && name >= 0);
		assert_int_equal(t->cols[at].v.kind, want[i]);
		assert_int_equal(t->cols[name].v.kind, K_FILE_BASE);
		assert_int_equal((long)t->match, name);
		char buf[256];
		tb_mig m = {.version = "20240101000000", .name = "create",
		            .file = "sql/20240101000000_create.up.sql"};
		assert_string_equal(tb_key_of(t, &m, buf, sizeof buf), "20240101000000_create.js");
		m.file = "0002_x";
		assert_string_equal(tb_key_of(t, &m, buf, sizeof buf), "0002_x.js");
		tb_free(t);
	}
}

/* typeorm.yaml: name = name-version (TypeORM's class name), rows matched by
 * timestamp (version-int); sequelize.yaml: name = the JS file (file-base:.js). */
static void test_orm_values(void **state)
{
	(void)state;
	char path[4096];
	fake_host f;
	fake_init(&f, "sqlite");
	tb_desc *t = NULL;
	snprintf(path, sizeof path, "%s/formats/trackers/typeorm.yaml", STRATA_SOURCE_ROOT);
	assert_int_equal(tb_load_file(&f.h, path, "typeorm", &t), STRATA_OK);
	long name = tb_column_index(t, "name"), ts = tb_column_index(t, "timestamp");
	assert_true(name >= 0 && ts >= 0);
	assert_int_equal(t->cols[name].v.kind, K_NAME_VERSION);
	assert_int_equal((long)t->match, ts);
	char buf[256];
	tb_mig m = {.version = "1700000000001", .name = "CreateUsers",
	            .file = "sql/1700000000001-CreateUsers.up.sql"};
	assert_string_equal(tb_key_of(t, &m, buf, sizeof buf), "1700000000001");
	t->match = (size_t)name;
	assert_string_equal(tb_key_of(t, &m, buf, sizeof buf), "CreateUsers1700000000001");
	tb_free(t);
	t = NULL;
	snprintf(path, sizeof path, "%s/formats/trackers/sequelize.yaml", STRATA_SOURCE_ROOT);
	assert_int_equal(tb_load_file(&f.h, path, "sequelize", &t), STRATA_OK);
	m = (tb_mig){.version = "20240101000000", .name = "create",
	             .file = "sql/20240101000000-create.up.sql"};
	assert_string_equal(tb_key_of(t, &m, buf, sizeof buf), "20240101000000-create.js");
	tb_free(t);
}

static void test_bad_descriptor(void **state)
{
	(void)state;
	fake_host f;
	tb_desc *t;
	assert_int_equal(load_text("tracker: x\ntable: t\ncreate: {sqlite: s}\ncolumns: {v: version}\n"
	                           "key: v\nstates:\n  - {column: v, is: maybe, state: applied}\n",
	                           &f, &t), STRATA_EINVAL);
	assert_null(t);
	assert_int_equal(f.line, 7);
	assert_string_equal(f.msg, "unknown test 'maybe'");
}


/* kinds: loads into per-kind sets; an unknown kind or column is refused
 * at its line. */
static void test_kinds(void **state)
{
	(void)state;
	const char *head = "tracker: x\ntable: t\ncreate: {sqlite: s}\n"
	                   "columns: {v: version-dots, k: text:SQL}\nkey: v\n";
	char y[1024];
	fake_host f;
	tb_desc *t;
	snprintf(y, sizeof y, "%skinds:\n  baseline: {k: text:SQL_BASELINE}\n  repeatable: {v: null}\n",
	         head);
	assert_int_equal(load_text(y, &f, &t), STRATA_OK);
	const tb_event *b = tb_kind_of(t, STRATA_MIG_BASELINE), *r = tb_kind_of(t, STRATA_MIG_REPEATABLE);
	assert_non_null(b);
	assert_int_equal(b->nset, 1);
	assert_int_equal(b->set[0].col, 1);
	assert_string_equal(b->set[0].v.text, "SQL_BASELINE");
	assert_non_null(r);
	assert_int_equal(r->set[0].col, 0);
	assert_int_equal(r->set[0].v.kind, K_NULL);
	assert_null(tb_kind_of(t, 0));
	assert_int_equal(t->cols[0].v.kind, K_VERSION_DOTS);
	tb_free(t);
	snprintf(y, sizeof y, "%skinds:\n  squashed: {k: text:X}\n", head);
	assert_int_equal(load_text(y, &f, &t), STRATA_EINVAL);
	assert_int_equal(f.line, 7);
	assert_string_equal(f.msg, "unknown or repeated kind 'squashed'");
	snprintf(y, sizeof y, "%skinds:\n  baseline: {nope: text:X}\n", head);
	assert_int_equal(load_text(y, &f, &t), STRATA_EINVAL);
	assert_int_equal(f.line, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_recording),
		cmocka_unit_test(test_flyway_crc32),
		cmocka_unit_test(test_shipped_descriptors),
		cmocka_unit_test(test_bad_descriptor),
		cmocka_unit_test(test_schema_per_dialect),
		cmocka_unit_test(test_knex_values),
		cmocka_unit_test(test_orm_values),
		cmocka_unit_test(test_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
