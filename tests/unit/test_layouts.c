/*
 * Unit tests of the sqlpair source plugin and the six layouts in
 * formats/layouts/.  The plugin's sources are linked into this binary; the
 * tests call its ops through strata_plugin_entry() with a recording host.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strata/plugin.h"
#include "base.h" /* version_key, version_cmp: the host side of the rule */

#ifndef STRATA_SOURCE_ROOT
#error "build with -DSTRATA_SOURCE_ROOT=\"/path/to/strata\""
#endif

const strata_plugin *strata_plugin_entry(void);
char *sp_regex_tail(const char *ere, size_t *len); /* plugins/sqlpair/schema.c */
char *sp_regex_head(const char *ere, size_t *len);

/* ---- a host that records what the plugin reports ---- */

typedef struct mig {
	char *version, *name, *up, *down, *file, *down_file, *native_key;
	int line, down_line;
	unsigned flags;
} mig;

typedef struct test_host {
	strata_host h;
	mig *migs;
	size_t n, cap;
	int fail_add; /* add_migration returns -1 when set */
	int errors;
	strata_error_class cls;
	char msg[1024], file[1024], hint[1024];
	int line, col;
	int warnings;
	char warn_file[1024], warn_msg[1024];
	int detected;
	char det_format[64], det_layout[64];
	const char *formats[2];
} test_host;

/* Copies, since the plugin's strings are only borrowed for the call. */
static char *dup_n(const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = malloc(n + 1);
	assert_non_null(p);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* NULL stays NULL: down and down_file are NULL when there is no down. */
static char *dup_s(const char *s)
{
	return s ? dup_n(s, strlen(s)) : NULL;
}

/* Fixed buffers are enough for the last error or warning. */
static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* Keep the last error, as the real host does, plus a count. */
static void th_error(strata_host *h, strata_error_class cls, const char *file, int line, int col,
                     const char *hint, const char *fmt, ...)
{
	test_host *t = (test_host *)h;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	t->errors++;
	t->cls = cls;
	t->line = line;
	t->col = col;
	copy(t->file, sizeof t->file, file);
	copy(t->hint, sizeof t->hint, hint);
}

/* Warnings are counted; the last one is kept for its file. */
static void th_warn(strata_host *h, const char *file, int line, const char *fmt, ...)
{
	test_host *t = (test_host *)h;
	va_list ap;
	(void)line;
	va_start(ap, fmt);
	vsnprintf(t->warn_msg, sizeof t->warn_msg, fmt, ap);
	va_end(ap);
	t->warnings++;
	copy(t->warn_file, sizeof t->warn_file, file);
}

/* Debug lines are not part of the contract. */
static void th_debug(strata_host *h, const char *fmt, ...)
{
	(void)h;
	(void)fmt;
}

/* Record a deep copy: the plugin frees its buffers right after the call. */
static int th_add(strata_host *h, const strata_migration_desc *d)
{
	test_host *t = (test_host *)h;
	if (t->fail_add)
		return -1;
	assert_int_equal(d->version, STRATA_MIGRATION_DESC_VERSION);
	assert_null(d->parents);
	assert_null(d->native_checksum);
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->migs = realloc(t->migs, t->cap * sizeof *t->migs);
		assert_non_null(t->migs);
	}
	mig *m = &t->migs[t->n++];
	m->version = dup_s(d->mig_version);
	m->name = dup_s(d->name);
	m->up = dup_n(d->up, d->up_len);
	m->down = dup_n(d->down, d->down_len);
	m->file = dup_s(d->file);
	m->down_file = dup_s(d->down_file);
	m->line = d->line;
	m->down_line = d->down_line;
	m->flags = d->flags;
	m->native_key = dup_s(d->native_key);
	return 0;
}

/* detect() must report exactly the layout option. */
static int th_detected(strata_host *h, const char *format, const char *const *keys,
                       const char *const *values)
{
	test_host *t = (test_host *)h;
	t->detected++;
	copy(t->det_format, sizeof t->det_format, format);
	assert_string_equal(keys[0], "layout");
	assert_null(keys[1]);
	copy(t->det_layout, sizeof t->det_layout, values[0]);
	return 0;
}

/* A host for one test; formats_dir NULL means the repository's formats/. */
static void th_host_init(test_host *t, const char *formats_dir)
{
	memset(t, 0, sizeof *t);
	t->h.version = STRATA_HOST_VERSION;
	t->h.struct_size = sizeof t->h;
	t->h.error = th_error;
	t->h.warn = th_warn;
	t->h.debug = th_debug;
	t->h.add_migration = th_add;
	t->h.detected = th_detected;
	t->h.version_key = version_key; /* the host's one version rule (core/version.c) */
	t->h.version_cmp = version_cmp;
	t->formats[0] = formats_dir ? formats_dir : STRATA_SOURCE_ROOT "/formats";
	t->h.formats_dirs = t->formats;
}

/* Free what th_add copied. */
static void host_free(test_host *t)
{
	for (size_t i = 0; i < t->n; i++) {
		mig *m = &t->migs[i];
		free(m->version);
		free(m->name);
		free(m->up);
		free(m->down);
		free(m->file);
		free(m->down_file);
		free(m->native_key);
	}
	free(t->migs);
}

/* ---- temp folders ---- */

/* Every test gets its own folder under /tmp, removed by rm_tree(). */
static char *tmp_dir(void)
{
	char *p = dup_s("/tmp/strata-layouts-XXXXXX");
	assert_non_null(mkdtemp(p));
	return p;
}

/* Write root/rel, creating the folders on the way. */
static void put(const char *root, const char *rel, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* nftw callback: files first, then their folders (FTW_DEPTH). */
static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove a test folder and free its malloc'd path. */
static void rm_tree(char *root)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}

/* ---- calling the plugin ---- */

/* The ops go through the exported entry point, as the loader would. */
static const strata_source_ops *ops(void)
{
	const strata_plugin *p = strata_plugin_entry();
	assert_int_equal(p->abi_version, STRATA_PLUGIN_ABI_VERSION);
	assert_string_equal(p->name, "sqlpair");
	assert_non_null(p->source);
	return p->source;
}

/* Scan root with the given layout option (NULL: auto-detect), from a
 * pretend strata.yaml line 7 so config errors can be checked. */
static int scan(test_host *t, const char *root, const char *layout)
{
	const char *keys[] = { "layout", NULL }, *values[] = { layout, NULL };
	strata_source_cfg cfg = {
		.version = 1,
		.struct_size = sizeof cfg,
		.name = "db",
		.format = "sqlpair",
		.path = root,
		.config_file = "strata.yaml",
		.config_line = 7,
		.option_keys = layout ? keys : NULL,
		.option_values = layout ? values : NULL,
		.want = STRATA_WANT_DOWN_TEXT,
	};
	return ops()->scan(&t->h, &cfg);
}

/* ---- fixtures, one per layout ---- */

/* golang-migrate, with a README that the layout ignores. */
static void fx_golang(const char *r)
{
	put(r, "1_init.up.sql", "CREATE TABLE a (x int);\n");
	put(r, "1_init.down.sql", "DROP TABLE a;\n");
	put(r, "2_add_b.up.sql", "CREATE TABLE b (x int);\n");
	put(r, "README.md", "docs\n");
}

/* Ups in sql/, downs in rollback/ named by version only. */
static void fx_sql_rollback(const char *r)
{
	put(r, "sql/001_init.sql", "CREATE TABLE a (x int);\n");
	put(r, "sql/002_users.sql", "CREATE TABLE users (id int);\n");
	put(r, "rollback/001_rollback.sql", "DROP TABLE a;\n");
}

/* Text before "-- UP Migration" is ignored; the down section is optional. */
static void fx_sectioned(const char *r)
{
	put(r, "001_create.sql",
	    "-- header comment\nSELECT 'ignored';\n-- UP Migration\nCREATE TABLE a (x int);\n"
	    "-- DOWN Migration (Rollback)\nDROP TABLE a;\n");
	put(r, "002-seed.sql", "-- UP Migration\nINSERT INTO a VALUES (1);\n");
}

/* Comments before the marker, transaction:false, a name-less file. */
static void fx_dbmate(const char *r)
{
	put(r, "20240101120000_create.sql",
	    "-- a comment\n\n-- migrate:up\nCREATE TABLE a (x int);\n\n-- migrate:down\nDROP TABLE "
	    "a;\n");
	put(r, "20240102000000_index.sql",
	    "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON a (x);\n"
	    "-- migrate:down\nDROP INDEX i;\n");
	put(r, "20240103000000.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n");
}

/* "1_9" and "1.10" check that version parts compare as numbers. */
static void fx_flyway(const char *r)
{
	put(r, "V1__init.sql", "CREATE TABLE a (x int);\n");
	put(r, "V1.10__ten.sql", "SELECT 110;\n");
	put(r, "V1_9__nine.sql", "SELECT 19;\n");
	put(r, "U1__init.sql", "DROP TABLE a;\n");
}

/* Diesel's folders, including its initial setup migration. */
static void fx_diesel(const char *r)
{
	put(r, "00000000000000_diesel_initial_setup/up.sql", "SELECT 0;\n");
	put(r, "00000000000000_diesel_initial_setup/down.sql", "SELECT 0;\n");
	put(r, "2023-01-01-000000_create_posts/up.sql", "CREATE TABLE posts (id int);\n");
	put(r, "2023-01-01-000000_create_posts/down.sql", "DROP TABLE posts;\n");
}

/* Scan a fresh fixture with a given layout; the caller checks and frees. */
static char *scan_fixture(test_host *t, void (*fx)(const char *), const char *layout, int *rc)
{
	char *root = tmp_dir();
	fx(root);
	th_host_init(t, NULL);
	*rc = scan(t, root, layout);
	return root;
}

/* ---- the six layouts ---- */

/* Pairs, names, texts, lines and flags of separate up/down files. */
/* Each pattern's literal (what fn gives), NULL where none is expected. */
typedef struct literal_case {
	const char *ere, *literal;
} literal_case;

static void check_literals(char *(*fn)(const char *, size_t *), const literal_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = 99;
		char *t = fn(c[i].ere, &len);
		if (!c[i].literal) {
			assert_null(t);
			continue;
		}
		assert_non_null(t);
		assert_string_equal(t, c[i].literal);
		assert_int_equal(len, strlen(c[i].literal));
		free(t);
	}
}

/* The tail test before regexec: the literal a match must end with, and
 * none where the pattern could end otherwise. */
static void test_regex_tail(void **state)
{
	(void)state;
	static const literal_case cases[] = {
		{ "^([0-9]+)_(.+)\\.up\\.sql$", ".up.sql" },
		{ "^V([0-9._]+)__(.+)\\.sql$", ".sql" },
		{ "^abc$", "abc" },
		{ "(^|/)README[^/]*$", NULL },         /* a quantified last atom */
		{ "^(a|b)\\.sql$", ".sql" },          /* an alternative inside a group */
		{ "^a|b\\.sql$", NULL },              /* an alternative to the whole */
		{ "^[|(]x\\.sql$", "x.sql" },         /* '|' and '(' as members of a bracket */
		{ "^[]|]|x\\.sql$", NULL },           /* ']' first is a member: the '|' after is not */
		{ "^([[:alpha:]|]+)\\.sql$", ".sql" },
		{ "^x\\.sql", NULL },                  /* not anchored at the end */
		{ "^x\\$", NULL },                     /* an escaped '$' */
		{ "^x\\\\$", "x\\" },                 /* an escaped backslash, then the anchor */
		{ "^x\\\\.sql$", "sql" },               /* \\ then a '.' that is a metacharacter */
		{ "^([0-9]+)\\.sql+$", NULL },          /* a quantified last character */
		{ "^[a-z]+$", NULL },
		{ "^([0-9]+)_\\w$", NULL },             /* an escape whose meaning varies */
		{ "^.*/up\\.sql$", "/up.sql" },
	};
	check_literals(sp_regex_tail, cases, sizeof cases / sizeof *cases);
}

/* The head test before a line's regexec: the literal a match must start
 * with, without a character a quantifier may leave out, and none where the
 * pattern could start otherwise. */
static void test_regex_head(void **state)
{
	(void)state;
	static const literal_case cases[] = {
		{ "^--[[:space:]]*migrate:up([[:space:]]|$)", "--" }, /* dbmate's marker */
		{ "^--[[:space:]]*migrate:up", "--" },
		{ "^--x|y", NULL },                        /* an alternative to the whole */
		{ "^--[|]|y", NULL },
		{ "^--(x|y)", "--" },
		{ "^-- \\+goose Up", "-- +goose Up" }, /* an escaped '+' is the character */
		{ "^abc", "abc" },
		{ "^ab*c", "a" },                          /* 'b' may be absent */
		{ "^ab?", "a" },
		{ "^ab+", "a" },
		{ "^ab{2}", "a" },
		{ "^x\\\\.sql", "x\\" },             /* \\ then a '.' that is a metacharacter */
		{ "^\\w", NULL },                        /* an escape whose meaning varies */
		{ "^([0-9]+)_", NULL },
		{ "^[-]{2}", NULL },
		{ "--[[:space:]]*migrate:up", NULL },      /* not anchored at the start */
		{ "^", NULL },
	};
	check_literals(sp_regex_head, cases, sizeof cases / sizeof *cases);
}

static void test_golang(void **state)
{
	(void)state;
	test_host t;
	int rc;
	char *root = scan_fixture(&t, fx_golang, "golang-migrate", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t.errors, 0);
	assert_int_equal(t.warnings, 0); /* README is ignored */
	assert_int_equal(t.n, 2);
	assert_string_equal(t.migs[0].version, "1");
	assert_string_equal(t.migs[0].name, "init");
	assert_string_equal(t.migs[0].up, "CREATE TABLE a (x int);\n");
	assert_string_equal(t.migs[0].down, "DROP TABLE a;\n");
	assert_string_equal(t.migs[0].file, "1_init.up.sql");
	assert_string_equal(t.migs[0].down_file, "1_init.down.sql");
	assert_int_equal(t.migs[0].line, 1);
	assert_int_equal(t.migs[0].down_line, 1);
	assert_int_equal(t.migs[0].flags, STRATA_MIG_HAS_DOWN);
	assert_string_equal(t.migs[1].name, "add_b");
	assert_null(t.migs[1].down);
	assert_null(t.migs[1].down_file);
	assert_int_equal(t.migs[1].flags, 0);
	host_free(&t);
	rm_tree(root);
}

/* A down pattern without a name group, in another folder. */
static void test_sql_rollback(void **state)
{
	(void)state;
	test_host t;
	int rc;
	char *root = scan_fixture(&t, fx_sql_rollback, "sql-rollback", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.migs[0].version, "001");
	assert_string_equal(t.migs[0].name, "init");
	assert_string_equal(t.migs[0].file, "sql/001_init.sql");
	assert_string_equal(t.migs[0].down_file, "rollback/001_rollback.sql");
	assert_string_equal(t.migs[0].down, "DROP TABLE a;\n");
	assert_string_equal(t.migs[1].name, "users");
	assert_null(t.migs[1].down);
	host_free(&t);
	rm_tree(root);
}

/* Section texts and line numbers start after the marker lines. */
static void test_sectioned(void **state)
{
	(void)state;
	test_host t;
	int rc;
	char *root = scan_fixture(&t, fx_sectioned, "sectioned", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t.errors, 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.migs[0].version, "001");
	assert_string_equal(t.migs[0].name, "create");
	assert_string_equal(t.migs[0].up, "CREATE TABLE a (x int);\n");
	assert_int_equal(t.migs[0].line, 4);
	assert_string_equal(t.migs[0].down, "DROP TABLE a;\n");
	assert_string_equal(t.migs[0].down_file, "001_create.sql");
	assert_int_equal(t.migs[0].down_line, 6);
	assert_int_equal(t.migs[0].flags, STRATA_MIG_HAS_DOWN);
	assert_string_equal(t.migs[1].name, "seed");
	assert_int_equal(t.migs[1].line, 2);
	assert_null(t.migs[1].down);
	assert_int_equal(t.migs[1].flags, 0);
	host_free(&t);
	rm_tree(root);
}

/* dbmate: options on the marker become flags; an empty down counts. */
static void test_dbmate(void **state)
{
	(void)state;
	test_host t;
	int rc;
	char *root = scan_fixture(&t, fx_dbmate, "dbmate", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t.errors, 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.migs[0].version, "20240101120000");
	assert_string_equal(t.migs[0].name, "create");
	assert_string_equal(t.migs[0].up, "CREATE TABLE a (x int);\n\n");
	assert_int_equal(t.migs[0].line, 4);
	assert_string_equal(t.migs[0].down, "DROP TABLE a;\n");
	assert_int_equal(t.migs[0].down_line, 7);
	assert_int_equal(t.migs[0].flags, STRATA_MIG_HAS_DOWN | STRATA_MIG_DOWN_OWN_TX);
	/* up outside a transaction, the down (no option) inside one, as dbmate */
	assert_int_equal(t.migs[1].flags, STRATA_MIG_HAS_DOWN | STRATA_MIG_DOWN_OWN_TX | STRATA_MIG_NO_TRANSACTION);
	assert_string_equal(t.migs[2].name, "");
	assert_string_equal(t.migs[2].down, "");
	assert_int_equal(t.migs[2].flags, STRATA_MIG_HAS_DOWN | STRATA_MIG_DOWN_OWN_TX);
	host_free(&t);
	rm_tree(root);
}

/* Flyway: numeric order of dotted/underscored versions, undo files. */
static void test_flyway(void **state)
{
	(void)state;
	test_host t;
	int rc;
	char *root = scan_fixture(&t, fx_flyway, "flyway", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.migs[0].version, "1");
	assert_string_equal(t.migs[0].name, "init");
	assert_string_equal(t.migs[0].down_file, "U1__init.sql");
	assert_string_equal(t.migs[1].version, "1_9"); /* 1.9 < 1.10 */
	assert_string_equal(t.migs[1].name, "nine");
	assert_string_equal(t.migs[2].version, "1.10");
	assert_null(t.migs[2].down);
	host_free(&t);
	rm_tree(root);
}

/* Flyway's other kinds: B{version}__ (a V of the same version is allowed)
 * and R__ files come after the versioned ones, with their flags; the B's
 * version is its native_key, its id the key group. */
static void fx_flyway_kinds(const char *r)
{
	put(r, "V1__init.sql", "CREATE TABLE a (x int);\n");
	put(r, "V2__two.sql", "SELECT 2;\n");
	put(r, "B2__base.sql", "CREATE TABLE a (x int);\n");
	put(r, "R__my_views.sql", "SELECT 3;\n");
	put(r, "notes.txt", "not a migration\n");
}

static void test_flyway_kinds(void **state)
{
	(void)state;
	test_host t;
	int rc;
	char *root = scan_fixture(&t, fx_flyway_kinds, "flyway", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t.n, 4);
	assert_string_equal(t.migs[0].version, "1");
	assert_int_equal(t.migs[0].flags, 0);
	assert_null(t.migs[0].native_key);
	assert_string_equal(t.migs[1].version, "2");
	assert_string_equal(t.migs[2].version, "B2");
	assert_string_equal(t.migs[2].native_key, "2");
	assert_string_equal(t.migs[2].name, "base");
	assert_int_equal(t.migs[2].flags, STRATA_MIG_BASELINE);
	assert_string_equal(t.migs[3].version, "R__my_views");
	assert_string_equal(t.migs[3].name, "my_views");
	assert_null(t.migs[3].native_key);
	assert_int_equal(t.migs[3].flags, STRATA_MIG_REPEATABLE);
	assert_int_equal(t.warnings, 1); /* notes.txt: no pattern, no claim */
	assert_string_equal(t.warn_file, "notes.txt");
	host_free(&t);
	rm_tree(root);
}

/* A name a kind claims (B….sql) that its pattern does not fit is refused,
 * naming the file, as Flyway refuses it. */
static void fx_flyway_bad_baseline(const char *r)
{
	put(r, "V1__init.sql", "SELECT 1;\n");
	put(r, "Bx__bad.sql", "SELECT 4;\n");
}

static void test_flyway_claim(void **state)
{
	(void)state;
	test_host t;
	int rc;
	char *root = scan_fixture(&t, fx_flyway_bad_baseline, "flyway", &rc);
	assert_int_equal(rc, STRATA_EINVAL);
	assert_int_equal(t.errors, 1);
	assert_string_equal(t.file, "Bx__bad.sql");
	assert_non_null(strstr(t.msg, "named like a baseline migration of layout 'flyway'"));
	assert_int_equal(t.n, 0);
	host_free(&t);
	rm_tree(root);
}

/* Diesel: versions keep their dashes; paths keep their folder. */
static void test_diesel(void **state)
{
	(void)state;
	test_host t;
	int rc;
	char *root = scan_fixture(&t, fx_diesel, "diesel", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.migs[0].version, "00000000000000");
	assert_string_equal(t.migs[0].name, "diesel_initial_setup");
	assert_string_equal(t.migs[1].version, "2023-01-01-000000");
	assert_string_equal(t.migs[1].name, "create_posts");
	assert_string_equal(t.migs[1].file, "2023-01-01-000000_create_posts/up.sql");
	assert_string_equal(t.migs[1].down_file, "2023-01-01-000000_create_posts/down.sql");
	assert_string_equal(t.migs[1].down, "DROP TABLE posts;\n");
	host_free(&t);
	rm_tree(root);
}

/* ---- ordering and versions ---- */

/* Digit strings compare by value at any length, never as text or as
 * (overflowing) integers. */
static void test_numeric_order(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	put(root, "100_c.up.sql", "x");
	put(root, "10_b.up.sql", "x");
	put(root, "2_a.up.sql", "x");
	put(root, "100000000000000000000_big.up.sql", "x");
	put(root, "99999999999999999999_less.up.sql", "x");
	put(root, "20240101120000123456_ts.up.sql", "x");
	th_host_init(&t, NULL);
	assert_int_equal(scan(&t, root, "golang-migrate"), 0);
	assert_int_equal(t.n, 6);
	assert_string_equal(t.migs[0].version, "2");
	assert_string_equal(t.migs[1].version, "10");
	assert_string_equal(t.migs[2].version, "100");
	assert_string_equal(t.migs[3].version, "20240101120000123456");
	assert_string_equal(t.migs[4].version, "99999999999999999999");
	assert_string_equal(t.migs[5].version, "100000000000000000000");
	host_free(&t);
	rm_tree(root);
}

/* "0001" and "1" are the same version; the error names both files. */
static void test_duplicate_version(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	put(root, "0001_a.up.sql", "x");
	put(root, "1_b.up.sql", "y");
	th_host_init(&t, NULL);
	assert_true(scan(&t, root, "golang-migrate") < 0);
	assert_int_equal(t.n, 0);
	assert_int_equal(t.cls, STRATA_ECLASS_SOURCE);
	assert_string_equal(t.file, "1_b.up.sql");
	assert_non_null(strstr(t.msg, "duplicate version 1"));
	assert_non_null(strstr(t.msg, "0001_a.up.sql"));
	assert_string_equal(t.hint, "give each migration a unique version");
	host_free(&t);
	rm_tree(root);
}

/* "1.2" == "1_2_0": separators and trailing zero parts do not count. */
static void test_flyway_equal_versions(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	put(root, "V1.2__a.sql", "x");
	put(root, "V1_2_0__b.sql", "y");
	th_host_init(&t, NULL);
	assert_true(scan(&t, root, "flyway") < 0);
	assert_non_null(strstr(t.msg, "duplicate version 1_2_0 (also"));
	host_free(&t);
	rm_tree(root);
}

/* An orphan down file is an error naming it. */
static void test_down_without_up(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	put(root, "1_a.up.sql", "x");
	put(root, "3_c.down.sql", "y");
	th_host_init(&t, NULL);
	assert_true(scan(&t, root, "golang-migrate") < 0);
	assert_int_equal(t.n, 0);
	assert_string_equal(t.file, "3_c.down.sql");
	assert_string_equal(t.msg, "down migration without an up migration (version 3)");
	host_free(&t);
	rm_tree(root);
}

/* Two downs for one version are as ambiguous as two ups. */
static void test_two_downs(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	put(root, "1_a.up.sql", "x");
	put(root, "1_a.down.sql", "y");
	put(root, "01_b.down.sql", "z");
	th_host_init(&t, NULL);
	assert_true(scan(&t, root, "golang-migrate") < 0);
	assert_non_null(strstr(t.msg, "duplicate down migration for version 1"));
	host_free(&t);
	rm_tree(root);
}

/* A stranger is one warning, not an error; dot-files are not looked at. */
static void test_unmatched_warns(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	put(root, "1_a.up.sql", "x");
	put(root, "notes.txt", "y");
	put(root, ".hidden", "z");
	put(root, ".git/config", "z");
	th_host_init(&t, NULL);
	assert_int_equal(scan(&t, root, "golang-migrate"), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.warnings, 1);
	assert_string_equal(t.warn_file, "notes.txt");
	assert_non_null(strstr(t.warn_msg, "golang-migrate"));
	host_free(&t);
	rm_tree(root);
}

/* Whitespace-only ups are legal but warned about. */
static void test_empty_migration_warns(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	put(root, "1_a.up.sql", "\n  \n");
	th_host_init(&t, NULL);
	assert_int_equal(scan(&t, root, "golang-migrate"), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.warnings, 1);
	assert_string_equal(t.warn_msg, "empty migration");
	host_free(&t);
	rm_tree(root);
}

/* Symlinked folders are not followed, symlinked files are, and nothing
 * more than four folders down is looked at. */
static void test_walk_rules(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir(), *other = tmp_dir(), link[4096], target[4096];
	put(root, "1_a.up.sql", "x");
	put(root, "a/b/c/d/seen.txt", "x");
	put(root, "a/b/c/d/e/unseen.txt", "x");
	put(other, "notes.txt", "x");
	put(other, "2_b.up.sql", "y");
	snprintf(link, sizeof link, "%s/linked", root);
	assert_int_equal(symlink(other, link), 0);
	snprintf(link, sizeof link, "%s/2_b.up.sql", root);
	snprintf(target, sizeof target, "%s/2_b.up.sql", other);
	assert_int_equal(symlink(target, link), 0);
	th_host_init(&t, NULL);
	assert_int_equal(scan(&t, root, "golang-migrate"), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.migs[1].up, "y");
	assert_int_equal(t.warnings, 1);
	assert_string_equal(t.warn_file, "a/b/c/d/seen.txt");
	host_free(&t);
	rm_tree(root);
	rm_tree(other);
}

/* ---- dbmate's rules ---- */

/* Scan one dbmate file that must fail at line (0: whole file). */
static void dbmate_error(const char *text, int line, const char *needle)
{
	test_host t;
	char *root = tmp_dir();
	put(root, "1_x.sql", text);
	th_host_init(&t, NULL);
	assert_true(scan(&t, root, "dbmate") < 0);
	assert_int_equal(t.n, 0);
	assert_int_equal(t.cls, STRATA_ECLASS_SOURCE);
	assert_string_equal(t.file, "1_x.sql");
	assert_int_equal(t.line, line);
	assert_non_null(strstr(t.msg, needle));
	assert_true(t.hint[0] != '\0'); /* every refusal says what to do */
	host_free(&t);
	rm_tree(root);
}

/* dbmate refuses statements before "-- migrate:up"; comments are fine. */
static void test_dbmate_text_before_up(void **state)
{
	(void)state;
	dbmate_error("-- ok\nCREATE TABLE x (a int);\n-- migrate:up\nSELECT 1;\n-- migrate:down\n",
	             2, "before the up marker");
}

/* dbmate files need a down section (require_down). */
static void test_dbmate_missing_down(void **state)
{
	(void)state;
	dbmate_error("-- migrate:up\nSELECT 1;\n", 0, "no down section");
}

/* An up marker after the down marker would make the file ambiguous. */
static void test_dbmate_up_after_down(void **state)
{
	(void)state;
	dbmate_error("-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:up\n", 5,
	             "up marker after the down marker");
}

/* Without any up marker: statements are "before" it; comments alone are no up. */
static void test_dbmate_no_up(void **state)
{
	(void)state;
	dbmate_error("SELECT 1;\n", 1, "before the up marker");
	dbmate_error("-- nothing here\n", 0, "no up section");
}

/* CRLF files: markers still match and line numbers still count; the down
 * marker's transaction:false is the down script's own. */
static void test_dbmate_crlf(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	put(root, "1_x.sql",
	    "-- migrate:up\r\nSELECT 1;\r\n-- migrate:down transaction:false\r\nSELECT 2;\r\n");
	th_host_init(&t, NULL);
	assert_int_equal(scan(&t, root, "dbmate"), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.migs[0].up, "SELECT 1;\r\n");
	assert_string_equal(t.migs[0].down, "SELECT 2;\r\n");
	assert_int_equal(t.migs[0].down_line, 4);
	assert_int_equal(t.migs[0].flags,
	                 STRATA_MIG_HAS_DOWN | STRATA_MIG_DOWN_OWN_TX | STRATA_MIG_DOWN_NO_TRANSACTION);
	assert_int_equal(t.warnings, 0);
	host_free(&t);
	rm_tree(root);
}

/* down_before_up: comment: a down marker above the up marker is a comment
 * line; statements after it are still text before the up marker. */
static void test_dbmate_down_before_up(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	put(root, "1_x.sql", "-- migrate:down\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n");
	th_host_init(&t, NULL);
	assert_int_equal(scan(&t, root, "dbmate"), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.migs[0].up, "SELECT 1;\n");
	assert_int_equal(t.migs[0].line, 3);
	assert_string_equal(t.migs[0].down, "SELECT 2;\n");
	host_free(&t);
	rm_tree(root);
	dbmate_error("-- migrate:down\nDROP TABLE a;\n-- migrate:up\nSELECT 1;\n-- migrate:down\n", 2,
	             "before the up marker");
}

/* repeated_up: text: a second up marker before the down marker is a line of
 * the up script, with a warning at its line. */
static void test_dbmate_repeated_up(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	put(root, "1_x.sql",
	    "-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n-- migrate:down\nSELECT 3;\n");
	th_host_init(&t, NULL);
	assert_int_equal(scan(&t, root, "dbmate"), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.migs[0].up, "SELECT 1;\n-- migrate:up\nSELECT 2;\n");
	assert_string_equal(t.migs[0].down, "SELECT 3;\n");
	assert_int_equal(t.warnings, 1);
	assert_non_null(strstr(t.warn_msg, "second up marker"));
	host_free(&t);
	rm_tree(root);
}

/* dbmate's markers: no leading space, lower case, a blank or the end of the
 * line after the word. */
static void test_dbmate_marker_spelling(void **state)
{
	(void)state;
	dbmate_error("  -- migrate:up\nSELECT 1;\n-- migrate:down\n", 2, "before the up marker");
	dbmate_error("-- Migrate:Up\nSELECT 1;\n-- migrate:down\n", 2, "before the up marker");
	dbmate_error("-- migrate:upx\nSELECT 1;\n-- migrate:down\n", 2, "before the up marker");
}

/* ---- configuration errors ---- */

/* A bad layout option is a config error at strata.yaml, with the choices. */
static void test_unknown_layout(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	th_host_init(&t, NULL);
	assert_true(scan(&t, root, "rails") < 0);
	assert_int_equal(t.cls, STRATA_ECLASS_CONFIG);
	assert_string_equal(t.file, "strata.yaml");
	assert_int_equal(t.line, 7);
	assert_string_equal(t.msg, "unknown layout 'rails'");
	assert_non_null(strstr(t.hint, "golang-migrate"));
	assert_non_null(strstr(t.hint, "dbmate"));
	host_free(&t);
	rm_tree(root);
}

/* The error names the folder. */
static void test_missing_folder(void **state)
{
	(void)state;
	test_host t;
	th_host_init(&t, NULL);
	assert_true(scan(&t, "/tmp/strata-layouts-does-not-exist", "dbmate") < 0);
	assert_int_equal(t.cls, STRATA_ECLASS_SOURCE);
	assert_non_null(strstr(t.msg, "/tmp/strata-layouts-does-not-exist"));
	host_free(&t);
}

/* Scan with a one-descriptor formats dir written by the test; the error
 * must point at the descriptor file and line. */
static void bad_descriptor(const char *yaml, int line, int col, const char *needle)
{
	test_host t;
	char *formats = tmp_dir(), *root = tmp_dir(), path[4096];
	put(formats, "layouts/bad.yaml", yaml);
	snprintf(path, sizeof path, "%s/layouts/bad.yaml", formats);
	th_host_init(&t, formats);
	assert_true(scan(&t, root, "bad") < 0);
	assert_int_equal(t.cls, STRATA_ECLASS_CONFIG);
	assert_string_equal(t.file, path);
	assert_int_equal(t.line, line);
	if (col)
		assert_int_equal(t.col, col);
	assert_non_null(strstr(t.msg, needle));
	host_free(&t);
	rm_tree(root);
	rm_tree(formats);
}

/* Unknown keys are errors, never silently ignored. */
static void test_descriptor_unknown_key(void **state)
{
	(void)state;
	bad_descriptor(
	    "layout: bad\nup:\n  match: '^([0-9]+)\\.sql$'\n  version: 1\n  colour: red\n", 5, 3,
	    "unknown key 'colour'");
}

/* regcomp failures carry regerror's text and the line. */
static void test_descriptor_bad_regex(void **state)
{
	(void)state;
	bad_descriptor("layout: bad\nup:\n  match: '^([0-9]+\\.sql$'\n  version: 1\n", 3, 10,
	               "invalid regular expression");
}

/* Name mismatch, bad group, missing key, YAML syntax, bad enum value. */
static void test_descriptor_other_errors(void **state)
{
	(void)state;
	bad_descriptor("layout: good\nup:\n  match: '^([0-9]+)$'\n  version: 1\n", 1, 9,
	               "does not match the file name");
	bad_descriptor("layout: bad\nup:\n  match: '^([0-9]+)$'\n  version: 2\n", 4, 12,
	               "version group 2 does not exist");
	bad_descriptor("layout: bad\nup:\n  match: '^([0-9]+)$'\n", 3, 3, "missing key 'version'");
	bad_descriptor("layout: bad\nup: [1, 2\n", 3, 0, "YAML syntax error");
	bad_descriptor("layout: bad\nup:\n  match: '^([0-9]+)$'\n  version: 1\n"
	               "sections:\n  up: x\n  down: y\n  text_before_up: maybe\n",
	               8, 19, "text_before_up");
	/* baseline: and repeatable: (kind patterns) */
	bad_descriptor("layout: bad\nup:\n  match: '^([0-9]+)$'\n  version: 1\n"
	               "baseline:\n  match: '^B([0-9]+)$'\n  version: 1\n",
	               6, 0, "missing key 'key'");
	bad_descriptor("layout: bad\nup:\n  match: '^([0-9]+)$'\n  version: 1\n"
	               "baseline:\n  match: '^(B([0-9]+))$'\n  key: 3\n  version: 2\n",
	               7, 8, "key group 3 does not exist");
	bad_descriptor("layout: bad\nup:\n  match: '^([0-9]+)$'\n  version: 1\n"
	               "baseline:\n  match: '^(B[0-9]+)$'\n  key: 1\n",
	               6, 0, "missing key 'version'");
	bad_descriptor("layout: bad\nup:\n  match: '^([0-9]+)$'\n  version: 1\n"
	               "repeatable:\n  match: '^(R__(.+))$'\n  key: 1\n  version: 2\n",
	               8, 3, "unknown key 'version'");
}

/* ---- detection ---- */

/* detect() on a fresh fixture must suggest exactly `want`. */
static void detect_one(void (*fx)(const char *), const char *want)
{
	test_host t;
	char *root = tmp_dir();
	fx(root);
	th_host_init(&t, NULL);
	int score = ops()->detect(&t.h, root);
	assert_true(score > 0);
	assert_int_equal(t.detected, 1);
	assert_string_equal(t.det_format, "sqlpair");
	assert_string_equal(t.det_layout, want);
	assert_int_equal(t.errors, 0);
	host_free(&t);
	rm_tree(root);
}

/* Each of the six fixtures is recognised as its own layout. */
static void test_detect(void **state)
{
	(void)state;
	detect_one(fx_golang, "golang-migrate");
	detect_one(fx_sql_rollback, "sql-rollback");
	detect_one(fx_sectioned, "sectioned");
	detect_one(fx_dbmate, "dbmate");
	detect_one(fx_flyway, "flyway");
	detect_one(fx_diesel, "diesel");
}

/* detect() keeps the folder listings it read (dcache.c); a folder asked
 * about again (strata init run twice in one process) is read again once it
 * changed, even within the same clock tick. */
static void test_detect_sees_changes(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	fx_golang(root);
	th_host_init(&t, NULL);
	assert_true(ops()->detect(&t.h, root) > 0);
	assert_string_equal(t.det_layout, "golang-migrate");
	const char *gone[] = { "1_init.up.sql", "1_init.down.sql", "2_add_b.up.sql", "README.md" };
	for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", root, gone[i]);
		assert_int_equal(unlink(p), 0);
	}
	fx_dbmate(root);
	assert_true(ops()->detect(&t.h, root) > 0);
	assert_string_equal(t.det_layout, "dbmate");
	assert_int_equal(t.errors, 0);
	host_free(&t);
	rm_tree(root);
}

/* Nothing recognisable: detect says 0, scan without a layout fails. */
static void test_detect_nothing(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	put(root, "notes.txt", "x");
	th_host_init(&t, NULL);
	assert_int_equal(ops()->detect(&t.h, root), 0);
	assert_int_equal(t.detected, 0);
	assert_int_equal(ops()->detect(&t.h, "/tmp/strata-layouts-does-not-exist"), 0);
	assert_true(scan(&t, root, NULL) < 0);
	assert_non_null(strstr(t.msg, "no layout matches"));
	assert_non_null(strstr(t.hint, "diesel"));
	host_free(&t);
	rm_tree(root);
}

/* Without a layout option scan() detects one. */
static void test_scan_autodetect(void **state)
{
	(void)state;
	test_host t;
	int rc;
	char *root = scan_fixture(&t, fx_dbmate, NULL, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.migs[1].flags,
	                 STRATA_MIG_HAS_DOWN | STRATA_MIG_DOWN_OWN_TX | STRATA_MIG_NO_TRANSACTION);
	host_free(&t);
	rm_tree(root);
}

/* A host failure in add_migration stops the scan with its status. */
static void test_add_migration_failure(void **state)
{
	(void)state;
	test_host t;
	char *root = tmp_dir();
	fx_golang(root);
	th_host_init(&t, NULL);
	t.fail_add = 1;
	assert_int_equal(scan(&t, root, "golang-migrate"), -1);
	host_free(&t);
	rm_tree(root);
}

/* cmocka runs each test in turn; the exit status is the failure count. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regex_tail),
		cmocka_unit_test(test_regex_head),
		cmocka_unit_test(test_golang),
		cmocka_unit_test(test_sql_rollback),
		cmocka_unit_test(test_sectioned),
		cmocka_unit_test(test_dbmate),
		cmocka_unit_test(test_flyway),
		cmocka_unit_test(test_flyway_kinds),
		cmocka_unit_test(test_flyway_claim),
		cmocka_unit_test(test_diesel),
		cmocka_unit_test(test_numeric_order),
		cmocka_unit_test(test_duplicate_version),
		cmocka_unit_test(test_flyway_equal_versions),
		cmocka_unit_test(test_down_without_up),
		cmocka_unit_test(test_two_downs),
		cmocka_unit_test(test_unmatched_warns),
		cmocka_unit_test(test_empty_migration_warns),
		cmocka_unit_test(test_walk_rules),
		cmocka_unit_test(test_dbmate_text_before_up),
		cmocka_unit_test(test_dbmate_missing_down),
		cmocka_unit_test(test_dbmate_up_after_down),
		cmocka_unit_test(test_dbmate_no_up),
		cmocka_unit_test(test_dbmate_down_before_up),
		cmocka_unit_test(test_dbmate_repeated_up),
		cmocka_unit_test(test_dbmate_marker_spelling),
		cmocka_unit_test(test_dbmate_crlf),
		cmocka_unit_test(test_unknown_layout),
		cmocka_unit_test(test_missing_folder),
		cmocka_unit_test(test_descriptor_unknown_key),
		cmocka_unit_test(test_descriptor_bad_regex),
		cmocka_unit_test(test_descriptor_other_errors),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_detect_nothing),
		cmocka_unit_test(test_detect_sees_changes),
		cmocka_unit_test(test_scan_autodetect),
		cmocka_unit_test(test_add_migration_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
