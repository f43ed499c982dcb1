/*
 * Unit tests of core/ledger.c without plugins: migrations are handed over
 * through ledger_add() as a source plugin would, then ledger_order() merges
 * them.  Sources are filled into s->cfg by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources.h"

#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

/* What the ledger layer works on: a config, a loader (the host table's
 * source of truth) and the ledger. */
typedef struct tctx {
	err_ctx e;
	config cfg;
	loader L;
	ledger lg;
} tctx;

static tctx *tctx_new(void)
{
	tctx *t = xcalloc(1, sizeof *t);
	err_ctx_init(&t->e);
	t->cfg.lock_timeout_ms = 10000;
	loader_init(&t->L, &t->e, &t->cfg);
	ledger_init(&t->lg, &t->e, &t->cfg);
	return t;
}

static void tctx_free(tctx *t)
{
	if (!t)
		return;
	ledger_clear(&t->lg);
	loader_free(&t->L);
	config_free(&t->cfg);
	err_ctx_free(&t->e);
	free(t);
}

/* A handle with the named sources (NULL-terminated), format "sqlpair",
 * path_display = the name, path = /proj/<name>. */
static tctx *new_with_sources(void **state, const char *const *names)
{
	tctx *s = tctx_new();
	*state = s; /* freed by teardown(), even when a test fails */
	size_t n = 0;
	while (names[n])
		n++;
	s->cfg.sources = xcalloc(n, sizeof *s->cfg.sources);
	for (size_t i = 0; i < n; i++) {
		cfg_source *src = &s->cfg.sources[i];
		src->name = xstrdup(names[i]);
		src->format = xstrdup("sqlpair");
		src->path = xasprintf("/proj/%s", names[i]);
		src->path_display = xstrdup(names[i]);
		src->line = (int)i + 2;
	}
	s->cfg.nsources = n;
	return s;
}

static void set_order(tctx *s, const char *const *names)
{
	size_t n = 0;
	while (names[n])
		n++;
	s->cfg.order = xcalloc(n, sizeof *s->cfg.order);
	for (size_t i = 0; i < n; i++)
		s->cfg.order[i] = xstrdup(names[i]);
	s->cfg.norder = n;
}

/* Hands one migration over as source src; file is "<version>.sql" and the up
 * script "-- <version>" unless given. */
static int add_full(tctx *s, size_t src, const char *version, const char *file,
                    const char *up, const char *const *parents)
{
	char fbuf[128], ubuf[128];
	if (!file) {
		snprintf(fbuf, sizeof fbuf, "%s.sql", version);
		file = fbuf;
	}
	if (!up) {
		snprintf(ubuf, sizeof ubuf, "-- %s", version);
		up = ubuf;
	}
	host_call hc;
	sources_bind(&hc, &s->L, &s->lg, src);
	strata_migration_desc d = STRATA_MIGRATION_DESC_INIT;
	d.mig_version = version;
	d.name = "test";
	d.file = file;
	d.line = 1;
	d.up = up;
	d.up_len = strlen(up);
	d.parents = parents;
	return sources_add(&hc, &d);
}

static void add(tctx *s, size_t src, const char *version)
{
	assert_int_equal(add_full(s, src, version, NULL, NULL, NULL), 0);
}

static void add_dag(tctx *s, size_t src, const char *version, const char *const *parents)
{
	assert_int_equal(add_full(s, src, version, NULL, NULL, parents), 0);
}

static void order_ok(tctx *s)
{
	int rc = ledger_order(&s->lg);
	const strata_error_info *e = err_last(&s->e);
	if (rc)
		print_error("ledger_order: %s (%s)\n", e ? e->message : "?", e ? e->file : "?");
	assert_int_equal(rc, 0);
	assert_null(e);
}

/* The ledger's ids, in order, must be want (NULL-terminated). */
static void check_ids(const tctx *s, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	for (size_t i = 0; i < s->lg.nmigs && i < n; i++)
		if (strcmp(s->lg.migs[i]->info.id, want[i]))
			fail_msg("position %zu: got %s, want %s", i, s->lg.migs[i]->info.id, want[i]);
	assert_int_equal(s->lg.nmigs, n);
	/* Every id can be found again through the by-id index. */
	for (size_t i = 0; i < n; i++) {
		migration *m = ledger_find(&s->lg, want[i]);
		assert_non_null(m);
		assert_string_equal(m->info.id, want[i]);
	}
	assert_null(ledger_find(&s->lg, "no:such"));
}

static const strata_error_info *order_err(tctx *s, const char *want)
{
	int rc = ledger_order(&s->lg);
	assert_int_equal(rc, STRATA_EINVAL);
	const strata_error_info *e = err_last(&s->e);
	assert_non_null(e);
	assert_int_equal(e->cls, STRATA_ECLASS_SOURCE);
	assert_non_null(e->message);
	if (!strstr(e->message, want))
		fail_msg("message '%s' lacks '%s'", e->message, want);
	return e;
}

/* ---- linear sources ---- */

static void test_linear_shuffled(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"app", NULL});
	add(s, 0, "10");
	add(s, 0, "2");
	add(s, 0, "0100");
	add(s, 0, "1");
	add(s, 0, "1.5");
	order_ok(s);
	check_ids(s, (const char *[]){"app:1", "app:1.5", "app:2", "app:10", "app:0100", NULL});
}

static void test_migration_fields(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"app", NULL});
	host_call hc;
	sources_bind(&hc, &s->L, &s->lg, 0);
	strata_migration_desc d = STRATA_MIGRATION_DESC_INIT;
	d.mig_version = "0001";
	d.name = "create users";
	d.file = "0001_create_users.up.sql";
	d.line = 3;
	d.up = "abc";
	d.up_len = 3;
	d.down = "DROP TABLE users;";
	d.down_len = strlen(d.down);
	d.down_file = "0001_create_users.down.sql";
	assert_int_equal(sources_add(&hc, &d), 0);
	assert_int_equal(s->lg.nmigs, 1);
	order_ok(s);
	const migration *m = s->lg.migs[0];
	assert_string_equal(m->info.id, "app:0001");
	assert_string_equal(m->info.source, "app");
	assert_string_equal(m->info.format, "sqlpair");
	assert_string_equal(m->info.version, "0001");
	assert_string_equal(m->info.name, "create users");
	assert_string_equal(m->info.file, "app/0001_create_users.up.sql");
	assert_string_equal(m->info.down_file, "app/0001_create_users.down.sql");
	assert_int_equal(m->info.line, 3);
	assert_true(m->info.has_down);
	assert_true(m->info.flags & STRATA_MIG_HAS_DOWN);
	assert_string_equal(m->vnorm, "1");
	assert_string_equal(m->up, "abc");
	assert_string_equal(m->down, "DROP TABLE users;");
	assert_int_equal(m->up_len, 3);
	assert_null(m->parents);
}

static void test_malformed_desc(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"app", NULL});
	host_call hc;
	sources_bind(&hc, &s->L, &s->lg, 0);
	strata_migration_desc d = STRATA_MIGRATION_DESC_INIT;
	d.file = "x.sql";
	d.mig_version = ""; /* empty version */
	assert_int_equal(sources_add(&hc, &d), STRATA_EINVAL);
	assert_non_null(err_last(&s->e));
	assert_int_equal(err_last(&s->e)->cls, STRATA_ECLASS_PLUGIN);
	d.mig_version = "1";
	d.file = NULL; /* no file */
	assert_int_equal(sources_add(&hc, &d), STRATA_EINVAL);
	d.file = "x.sql";
	d.up_len = 5; /* length without text */
	assert_int_equal(sources_add(&hc, &d), STRATA_EINVAL);
	d.up_len = 0;
	d.version = 0;
	assert_int_equal(sources_add(&hc, &d), STRATA_EINVAL);
	d.version = STRATA_MIGRATION_DESC_VERSION;
	hc.source = 1; /* no such source */
	assert_int_equal(sources_add(&hc, &d), STRATA_ERR);
	assert_int_equal(s->lg.nmigs, 0);
	hc.source = 0;
	assert_int_equal(sources_add(&hc, &d), 0); /* up NULL with up_len 0 is fine */
	assert_int_equal(s->lg.nmigs, 1);
	assert_string_equal(s->lg.migs[0]->checksum, SHA256_EMPTY);
}

static void test_empty_ledger(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"app", NULL});
	order_ok(s);
	assert_int_equal(s->lg.nmigs, 0);
}

/* ---- several sources ---- */

static void test_sources_in_config_order(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"a", "b", NULL});
	/* b's versions are lower, and b hands over first: still all of a first. */
	add(s, 1, "2");
	add(s, 0, "6");
	add(s, 1, "1");
	add(s, 0, "5");
	add(s, 0, "20");
	order_ok(s);
	check_ids(s, (const char *[]){"a:5", "a:6", "a:20", "b:1", "b:2", NULL});
}

static void test_explicit_order(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"a", "b", NULL});
	set_order(s, (const char *[]){"b", "a", NULL});
	add(s, 0, "5");
	add(s, 1, "2");
	add(s, 0, "6");
	add(s, 1, "1");
	order_ok(s);
	check_ids(s, (const char *[]){"b:1", "b:2", "a:5", "a:6", NULL});
}

/* Sources left out of order: come after the named ones, in config order. */
static void test_partial_order(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"a", "b", "c", NULL});
	set_order(s, (const char *[]){"c", NULL});
	add(s, 0, "1");
	add(s, 1, "1");
	add(s, 2, "1");
	add(s, 2, "2");
	order_ok(s);
	check_ids(s, (const char *[]){"c:1", "c:2", "a:1", "b:1", NULL});
}

static void test_merge_by_version(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"a", "b", NULL});
	s->cfg.merge_by_version = true;
	add(s, 1, "4");
	add(s, 0, "5");
	add(s, 1, "0003");
	add(s, 0, "1");
	add(s, 1, "2");
	add(s, 0, "3");
	add(s, 1, "10");
	order_ok(s);
	/* tie at 3: source rank (a before b) decides */
	check_ids(s, (const char *[]){"a:1", "b:2", "a:3", "b:0003", "b:4", "a:5", "b:10", NULL});
}

static void test_merge_by_version_tie_follows_order(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"a", "b", NULL});
	s->cfg.merge_by_version = true;
	set_order(s, (const char *[]){"b", "a", NULL});
	add(s, 0, "1");
	add(s, 0, "3");
	add(s, 1, "2");
	add(s, 1, "3");
	order_ok(s);
	check_ids(s, (const char *[]){"a:1", "b:2", "b:3", "a:3", NULL});
}

/* ---- duplicates ---- */

static void test_duplicate_version(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"a", "app", NULL});
	add(s, 0, "1"); /* same version in another source: fine */
	assert_int_equal(add_full(s, 1, "0001", "0001_init.sql", NULL, NULL), 0);
	add(s, 1, "2");
	assert_int_equal(add_full(s, 1, "1", "1_again.sql", NULL, NULL), 0);
	const strata_error_info *e = order_err(s, "duplicate version");
	assert_non_null(e->file);
	/* One file is the error's location, the other is named in the message. */
	const char *f1 = "app/0001_init.sql", *f2 = "app/1_again.sql";
	if (!strcmp(e->file, f1))
		assert_non_null(strstr(e->message, f2));
	else if (!strcmp(e->file, f2))
		assert_non_null(strstr(e->message, f1));
	else
		fail_msg("error file '%s' is neither duplicate", e->file);
	assert_non_null(strstr(e->message, "'app'"));
}

/* A kind of migration (STRATA_MIG_BASELINE with its version in native_key,
 * STRATA_MIG_REPEATABLE with a name), handed over like a source does. */
static void add_kind(tctx *s, const char *id, const char *native_key, const char *name,
                     unsigned kind)
{
	host_call hc;
	sources_bind(&hc, &s->L, &s->lg, 0);
	strata_migration_desc d = STRATA_MIGRATION_DESC_INIT;
	d.mig_version = id;
	d.native_key = native_key;
	d.name = name;
	d.file = id;
	d.up = "SELECT 1;";
	d.up_len = 9;
	d.flags = kind;
	assert_int_equal(sources_add(&hc, &d), 0);
}

/* A baseline migration just before the versioned one of its version (the
 * two may share it), repeatables last in Flyway's description order ('_'
 * read as ' ', so "a_b" < "ab"), whatever the hand-over order. */
static void test_kinds_order(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"app", NULL});
	add_kind(s, "R__ab", NULL, "ab", STRATA_MIG_REPEATABLE);
	add(s, 0, "1.10");
	add_kind(s, "R__a_b", NULL, "a_b", STRATA_MIG_REPEATABLE);
	add_kind(s, "B1_9", "1_9", "base", STRATA_MIG_BASELINE);
	add(s, 0, "1.9");
	add(s, 0, "1.2");
	order_ok(s);
	check_ids(s, (const char *[]){"app:1.2", "app:B1_9", "app:1.9", "app:1.10", "app:R__a_b",
	                              "app:R__ab", NULL});
}

/* Two baseline migrations of one version are duplicates. */
static void test_kinds_duplicate_baseline(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"app", NULL});
	add(s, 0, "2");
	add_kind(s, "B2", "2", "a", STRATA_MIG_BASELINE);
	add_kind(s, "B2.0", "2.0", "b", STRATA_MIG_BASELINE);
	const strata_error_info *e = order_err(s, "duplicate version");
	assert_non_null(e);
}

static void test_same_version_other_sources(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"a", "b", NULL});
	s->cfg.merge_by_version = true;
	add(s, 1, "0001");
	add(s, 0, "1");
	order_ok(s);
	check_ids(s, (const char *[]){"a:1", "b:0001", NULL});
}

/* ---- graph sources ---- */

static void test_dag_diamond(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"g", NULL});
	add_dag(s, 0, "m", (const char *[]){"a", "b", NULL});
	add_dag(s, 0, "b", (const char *[]){"r", NULL});
	add_dag(s, 0, "a", (const char *[]){"r", NULL});
	add_dag(s, 0, "r", (const char *[]){NULL});
	assert_non_null(s->lg.migs[3]->parents); /* explicit root, not linear */
	assert_int_equal(s->lg.migs[3]->nparents, 0);
	assert_int_equal(s->lg.migs[0]->nparents, 2);
	order_ok(s);
	/* a and b both become ready after r: hand-over order (b was first) */
	check_ids(s, (const char *[]){"g:r", "g:b", "g:a", "g:m", NULL});
}

static void test_dag_diamond_other_handover(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"g", NULL});
	add_dag(s, 0, "r", (const char *[]){NULL});
	add_dag(s, 0, "a", (const char *[]){"r", NULL});
	add_dag(s, 0, "b", (const char *[]){"r", NULL});
	add_dag(s, 0, "m", (const char *[]){"a", "b", NULL});
	order_ok(s);
	check_ids(s, (const char *[]){"g:r", "g:a", "g:b", "g:m", NULL});
}

/* A graph source's parents are not version-ordered: children follow their
 * parents even when their ids sort first. */
static void test_dag_ignores_version_order(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"lin", "g", NULL});
	add_dag(s, 1, "zz", (const char *[]){NULL});
	add_dag(s, 1, "aa", (const char *[]){"zz", NULL});
	add(s, 0, "2");
	add(s, 0, "1");
	order_ok(s);
	check_ids(s, (const char *[]){"lin:1", "lin:2", "g:zz", "g:aa", NULL});
}

/* Alembic revision ids are hex: distinct ids must not clash as "duplicates". */
static void test_dag_alembic_ids(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"alembic", NULL});
	add_dag(s, 0, "a1b2c3d4e5f6", (const char *[]){NULL});
	add_dag(s, 0, "1a2b3c4d5e6f", (const char *[]){"a1b2c3d4e5f6", NULL});
	order_ok(s);
	check_ids(s, (const char *[]){"alembic:a1b2c3d4e5f6", "alembic:1a2b3c4d5e6f", NULL});
}

static void test_dag_unknown_parent(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"g", NULL});
	add_dag(s, 0, "r", (const char *[]){NULL});
	assert_int_equal(add_full(s, 0, "c", "c_child.py", NULL, (const char *[]){"r", "zz", NULL}), 0);
	const strata_error_info *e = order_err(s, "'zz'");
	assert_non_null(strstr(e->message, "does not exist"));
	assert_non_null(strstr(e->message, "g:c"));
	assert_string_equal(e->file, "g/c_child.py");
	assert_int_equal(e->line, 1);
}

/* A parent from another source is unknown: parents are looked up in the
 * child's own source. */
static void test_dag_parent_in_other_source(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"a", "g", NULL});
	add(s, 0, "x");
	add_dag(s, 1, "y", (const char *[]){"x", NULL});
	order_err(s, "does not exist");
}

static void test_dag_cycle(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"g", NULL});
	add_dag(s, 0, "r", (const char *[]){NULL});
	add_dag(s, 0, "x", (const char *[]){"y", NULL});
	add_dag(s, 0, "y", (const char *[]){"x", NULL});
	add_dag(s, 0, "z", (const char *[]){"x", NULL}); /* behind the cycle */
	const strata_error_info *e = order_err(s, "cycle");
	assert_non_null(strstr(e->message, "g:x"));
	assert_non_null(strstr(e->message, "3 migrations"));
	assert_string_equal(e->file, "g/x.sql");
}

static void test_dag_self_parent(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"g", NULL});
	add_dag(s, 0, "x", (const char *[]){"x", NULL});
	order_err(s, "cycle");
}

/* ---- checksums ---- */

static void test_checksum(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"app", NULL});
	const char *sql = "CREATE TABLE users (id integer primary key);\n";
	assert_int_equal(add_full(s, 0, "1", NULL, "", NULL), 0);
	assert_int_equal(add_full(s, 0, "2", NULL, "abc", NULL), 0);
	assert_int_equal(add_full(s, 0, "3", NULL, sql, NULL), 0);
	order_ok(s);
	assert_string_equal(s->lg.migs[0]->info.checksum, SHA256_EMPTY);
	assert_string_equal(s->lg.migs[1]->info.checksum, SHA256_ABC);
	char want[65];
	sha256_hex(sql, strlen(sql), want);
	assert_string_equal(s->lg.migs[2]->info.checksum, want);
	assert_string_not_equal(want, SHA256_EMPTY);
	assert_int_equal(strlen(s->lg.migs[2]->info.checksum), 64);
}

/* The checksum covers up_len bytes, not up to the first NUL or beyond. */
static void test_checksum_uses_up_len(void **state)
{
	tctx *s = new_with_sources(state, (const char *[]){"app", NULL});
	host_call hc;
	sources_bind(&hc, &s->L, &s->lg, 0);
	strata_migration_desc d = STRATA_MIGRATION_DESC_INIT;
	d.mig_version = "1";
	d.file = "1.sql";
	d.up = "abcdef";
	d.up_len = 3;
	assert_int_equal(sources_add(&hc, &d), 0);
	static const char nul[] = "a\0b";
	d.mig_version = "2";
	d.up = nul;
	d.up_len = 3;
	assert_int_equal(sources_add(&hc, &d), 0);
	order_ok(s);
	assert_string_equal(s->lg.migs[0]->info.checksum, SHA256_ABC);
	char want[65];
	sha256_hex(nul, 3, want);
	assert_string_equal(s->lg.migs[1]->info.checksum, want);
	assert_int_equal(s->lg.migs[1]->up_len, 3);
	assert_memory_equal(s->lg.migs[1]->up, nul, 3);
}

static int teardown(void **state)
{
	tctx_free(*state);
	*state = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_linear_shuffled, teardown),
		cmocka_unit_test_teardown(test_migration_fields, teardown),
		cmocka_unit_test_teardown(test_malformed_desc, teardown),
		cmocka_unit_test_teardown(test_empty_ledger, teardown),
		cmocka_unit_test_teardown(test_sources_in_config_order, teardown),
		cmocka_unit_test_teardown(test_explicit_order, teardown),
		cmocka_unit_test_teardown(test_partial_order, teardown),
		cmocka_unit_test_teardown(test_merge_by_version, teardown),
		cmocka_unit_test_teardown(test_merge_by_version_tie_follows_order, teardown),
		cmocka_unit_test_teardown(test_duplicate_version, teardown),
		cmocka_unit_test_teardown(test_same_version_other_sources, teardown),
		cmocka_unit_test_teardown(test_kinds_order, teardown),
		cmocka_unit_test_teardown(test_kinds_duplicate_baseline, teardown),
		cmocka_unit_test_teardown(test_dag_diamond, teardown),
		cmocka_unit_test_teardown(test_dag_diamond_other_handover, teardown),
		cmocka_unit_test_teardown(test_dag_ignores_version_order, teardown),
		cmocka_unit_test_teardown(test_dag_alembic_ids, teardown),
		cmocka_unit_test_teardown(test_dag_unknown_parent, teardown),
		cmocka_unit_test_teardown(test_dag_parent_in_other_source, teardown),
		cmocka_unit_test_teardown(test_dag_cycle, teardown),
		cmocka_unit_test_teardown(test_dag_self_parent, teardown),
		cmocka_unit_test_teardown(test_checksum, teardown),
		cmocka_unit_test_teardown(test_checksum_uses_up_len, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
