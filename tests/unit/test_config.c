/*
 * Unit tests of core/config.c: config_load() on strata.yaml files written to a
 * fresh temporary folder per test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

typedef struct fx {
	char dir[PATH_MAX]; /* real path of the temp folder */
	char cwd[PATH_MAX]; /* to come back to after chdir tests */
	char path[PATH_MAX + 64];
	err_ctx e;
	config cfg;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	char tmpl[] = "/tmp/strata-test-config-XXXXXX";
	if (!mkdtemp(tmpl) || !realpath(tmpl, f->dir) || !getcwd(f->cwd, sizeof f->cwd)) {
		free(f);
		return -1;
	}
	err_ctx_init(&f->e);
	*state = f;
	return 0;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

static int teardown(void **state)
{
	fx *f = *state;
	int rc = chdir(f->cwd);
	config_free(&f->cfg);
	err_ctx_free(&f->e);
	rc |= nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return rc ? -1 : 0;
}

/* Writes dir/name (creating one level of sub-folder if name has one) and
 * leaves its full path in f->path. */
static const char *write_file(fx *f, const char *name, const char *text)
{
	const char *slash = strchr(name, '/');
	if (slash) {
		char sub[PATH_MAX + 64];
		snprintf(sub, sizeof sub, "%s/%.*s", f->dir, (int)(slash - name), name);
		mkdir(sub, 0700);
	}
	snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
	FILE *fp = fopen(f->path, "wb");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return f->path;
}

static char *in_dir(const fx *f, const char *rel)
{
	return xasprintf("%s/%s", f->dir, rel);
}

/* Loads text as dir/strata.yaml and expects success. */
static void load_ok(fx *f, const char *text)
{
	const char *p = write_file(f, "strata.yaml", text);
	int rc = config_load(&f->e, &f->cfg, p);
	const strata_error_info *e = err_last(&f->e);
	if (rc)
		print_error("unexpected error: %s:%d:%d: %s\n", e ? e->file : "?", e ? e->line : 0,
		            e ? e->col : 0, e ? e->message : "?");
	assert_int_equal(rc, 0);
	assert_null(e);
}

/* Loads text as dir/strata.yaml and expects a config error at line:col
 * (col < 0: not checked) whose message contains want. */
static const strata_error_info *load_err(fx *f, const char *text, int line, int col,
                                         const char *want)
{
	const char *p = write_file(f, "strata.yaml", text);
	int rc = config_load(&f->e, &f->cfg, p);
	assert_int_equal(rc, STRATA_EINVAL);
	const strata_error_info *e = err_last(&f->e);
	assert_non_null(e);
	assert_int_equal(e->code, STRATA_EINVAL);
	assert_int_equal(e->cls, STRATA_ECLASS_CONFIG);
	assert_non_null(e->message);
	assert_non_null(e->file);
	assert_string_equal(e->file, f->path);
	if (!strstr(e->message, want))
		fail_msg("message '%s' lacks '%s'", e->message, want);
	assert_int_equal(e->line, line);
	if (col >= 0)
		assert_int_equal(e->col, col);
	return e;
}

/* ---- a complete file ---- */

static void test_all_keys(void **state)
{
	fx *f = *state;
	load_ok(f, "database: postgres://app@localhost/app\n"   /* 1 */
	           "sources:\n"                                  /* 2 */
	           "  - name: app\n"                             /* 3 */
	           "    format: sqlpair\n"                       /* 4 */
	           "    path: migrations/app\n"                  /* 5 */
	           "    layout: flyway\n"                        /* 6 */
	           "    table: schema_version\n"                 /* 7 */
	           "  - name: auth\n"                            /* 8 */
	           "    format: alembic\n"                       /* 9 */
	           "    path: /srv/auth/versions\n"              /* 10 */
	           "order: [auth, app]\n"                        /* 11 */
	           "merge: version\n"                            /* 12 */
	           "plugin_path: [plugins, /opt/strata/plugins]\n" /* 13 */
	           "lock_timeout: 10s\n");                       /* 14 */
	config *c = &f->cfg;
	assert_string_equal(c->file, f->path);
	assert_string_equal(c->dir, f->dir);
	assert_string_equal(c->database, "postgres://app@localhost/app");

	assert_int_equal(c->nsources, 2);
	cfg_source *a = &c->sources[0], *b = &c->sources[1];
	assert_string_equal(a->name, "app");
	assert_string_equal(a->format, "sqlpair");
	char *want = in_dir(f, "migrations/app");
	assert_string_equal(a->path, want);
	free(want);
	assert_string_equal(a->path_display, "migrations/app");
	assert_int_equal(a->line, 3);
	assert_int_equal(a->nopts, 2);
	assert_string_equal(a->opts[0].key, "layout");
	assert_string_equal(a->opts[0].value, "flyway");
	assert_int_equal(a->opts[0].line, 6);
	assert_string_equal(a->opts[1].key, "table");
	assert_string_equal(a->opts[1].value, "schema_version");
	assert_int_equal(a->opts[1].line, 7);

	assert_string_equal(b->name, "auth");
	assert_string_equal(b->format, "alembic");
	assert_string_equal(b->path, "/srv/auth/versions"); /* absolute stays */
	assert_string_equal(b->path_display, "/srv/auth/versions");
	assert_int_equal(b->line, 8);
	assert_int_equal(b->nopts, 0);

	assert_int_equal(c->norder, 2);
	assert_string_equal(c->order[0], "auth");
	assert_string_equal(c->order[1], "app");
	assert_true(c->merge_by_version);

	assert_int_equal(c->nplugin_path, 2);
	want = in_dir(f, "plugins");
	assert_string_equal(c->plugin_path[0], want);
	free(want);
	assert_string_equal(c->plugin_path[1], "/opt/strata/plugins");
	assert_int_equal(c->lock_timeout_ms, 10000);
}

static void test_defaults_and_scalar_lists(void **state)
{
	fx *f = *state;
	load_ok(f, "sources:\n"
	           "  - {name: app, format: sqlpair, path: ./db}\n"
	           "order: app\n"
	           "merge: sources\n"
	           "plugin_path: my/plugins\n");
	config *c = &f->cfg;
	assert_null(c->database);
	assert_false(c->merge_by_version);
	assert_int_equal(c->lock_timeout_ms, 10000); /* default */
	assert_int_equal(c->norder, 1);
	assert_string_equal(c->order[0], "app");
	assert_int_equal(c->nplugin_path, 1);
	char *want = in_dir(f, "my/plugins");
	assert_string_equal(c->plugin_path[0], want);
	free(want);
	assert_int_equal(c->nsources, 1);
	assert_string_equal(c->sources[0].path_display, "./db");
	want = in_dir(f, "./db");
	assert_string_equal(c->sources[0].path, want);
	free(want);
}

static void test_empty_file(void **state)
{
	fx *f = *state;
	load_ok(f, "");
	assert_string_equal(f->cfg.file, f->path);
	assert_int_equal(f->cfg.nsources, 0);
	assert_null(f->cfg.database);
	assert_int_equal(f->cfg.lock_timeout_ms, 10000);
}

static void check_timeout(fx *f, const char *value, long want)
{
	char text[128];
	snprintf(text, sizeof text, "lock_timeout: %s\n", value);
	config_free(&f->cfg);
	load_ok(f, text);
	assert_int_equal(f->cfg.lock_timeout_ms, want);
}

static void test_lock_timeout(void **state)
{
	fx *f = *state;
	check_timeout(f, "10s", 10000);
	check_timeout(f, "500ms", 500);
	check_timeout(f, "2m", 120000);
	check_timeout(f, "250", 250);
	check_timeout(f, "\"1.5s\"", 1500);
	check_timeout(f, "0", 0);
	check_timeout(f, "-1", -1); /* wait forever */
	check_timeout(f, "1h", 3600000);
}

/* session: the settings for the connection that runs migrations. */
static void test_session(void **state)
{
	fx *f = *state;
	load_ok(f, "session:\n  lock_timeout: 5s\n  statement_timeout: 2min\n");
	assert_int_equal(f->cfg.session_lock_timeout_ms, 5000);
	assert_int_equal(f->cfg.session_statement_timeout_ms, 120000);
	assert_int_equal(f->cfg.lock_timeout_ms, 10000); /* strata's own wait is separate */
}

static void test_session_errors(void **state)
{
	fx *f = *state;
	load_err(f, "session:\n  lock_timout: 5s\n", 2, 3, "unknown key 'lock_timout' in session");
	config_free(&f->cfg);
	load_err(f, "session:\n  statement_timeout: soon\n", 2, 22,
	         "invalid duration for session statement_timeout");
	config_free(&f->cfg);
	load_err(f, "session: 5s\n", 1, 10, "session must be a mapping");
	config_free(&f->cfg);
	load_err(f, "session:\n  lock_timeout: 1s\n  lock_timeout: 2s\n", 3, 3,
	         "key 'lock_timeout' given twice (also line 2)");
}

/* dialect: kept as written with its position (plugins/dialect.c checks the
 * name against formats/dialects.yaml); absent: NULL, for every database. */
static void test_source_dialect(void **state)
{
	fx *f = *state;
	load_ok(f, "sources:\n  - name: h2\n    format: sqlpair\n    path: db/H2\n    dialect: H2\n"
	           "  - name: any\n    format: sqlpair\n    path: db/any\n");
	assert_int_equal(f->cfg.nsources, 2);
	assert_string_equal(f->cfg.sources[0].dialect, "H2");
	assert_int_equal(f->cfg.sources[0].dialect_line, 5);
	assert_int_equal(f->cfg.sources[0].dialect_col, 14);
	assert_null(f->cfg.sources[1].dialect);
}

static void test_source_dialect_errors(void **state)
{
	fx *f = *state;
	load_err(f, "sources:\n  - name: a\n    format: sqlpair\n    path: d\n    dialect: ''\n", 5, 14,
	         "dialect is empty");
	config_free(&f->cfg);
	load_err(f, "sources:\n  - name: a\n    format: sqlpair\n    path: d\n    dialect: [pg]\n", 5, 14,
	         "dialect must be a string");
	config_free(&f->cfg);
	load_err(f, "sources:\n  - name: a\n    format: sqlpair\n    path: d\n    dialect: pg\n"
	            "    dialect: h2\n", 6, 5, "key 'dialect' given twice (also line 5)");
}

/* The parser the CLI's --lock-timeout uses too. */
static void test_parse_duration(void **state)
{
	(void)state;
	long ms = 0;
	assert_int_equal(strata_parse_duration("30s", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(strata_parse_duration("-1", &ms), 0);
	assert_int_equal(ms, -1);
	assert_int_equal(strata_parse_duration("-2s", &ms), STRATA_EINVAL);
	assert_int_equal(strata_parse_duration("", &ms), STRATA_EINVAL);
	assert_int_equal(strata_parse_duration("nan", &ms), STRATA_EINVAL);
	assert_int_equal(strata_parse_duration("1e30s", &ms), STRATA_EINVAL);
	assert_int_equal(strata_parse_duration("5 s", &ms), STRATA_EINVAL);
}

static void test_lock_timeout_invalid(void **state)
{
	fx *f = *state;
	load_err(f, "database: x\nlock_timeout: 10 parsecs\n", 2, 15, "invalid duration");
}

static void test_unknown_merge_mode(void **state)
{
	fx *f = *state;
	load_err(f, "merge: versions\n", 1, 8, "unknown merge mode 'versions'");
}

/* ---- paths ---- */

/* Relative config path: folder taken from the current directory + its folder. */
static void test_relative_config_path(void **state)
{
	fx *f = *state;
	write_file(f, "conf/strata.yaml",
	           "sources:\n  - {name: app, format: sqlpair, path: ../migrations}\n");
	assert_int_equal(chdir(f->dir), 0);
	int rc = config_load(&f->e, &f->cfg, "conf/strata.yaml");
	assert_int_equal(rc, 0);
	assert_string_equal(f->cfg.file, "conf/strata.yaml");
	char *want = in_dir(f, "conf");
	assert_string_equal(f->cfg.dir, want);
	free(want);
	want = in_dir(f, "conf/../migrations");
	assert_string_equal(f->cfg.sources[0].path, want);
	free(want);
	assert_string_equal(f->cfg.sources[0].path_display, "../migrations");
	assert_int_equal(f->cfg.sources[0].path[0], '/');
}

/* path NULL reads ./strata.yaml when there is one. */
static void test_default_file_present(void **state)
{
	fx *f = *state;
	write_file(f, "strata.yaml", "database: sqlite:here.db\n");
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(config_load(&f->e, &f->cfg, NULL), 0);
	assert_string_equal(f->cfg.file, "strata.yaml");
	assert_string_equal(f->cfg.dir, f->dir);
	assert_string_equal(f->cfg.database, "sqlite:here.db");
}

/* path NULL in a folder without strata.yaml: not an error, all defaults. */
static void test_default_file_missing(void **state)
{
	fx *f = *state;
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(config_load(&f->e, &f->cfg, NULL), 0);
	assert_null(f->cfg.file);
	assert_null(err_last(&f->e));
	assert_non_null(f->cfg.dir);
	assert_string_equal(f->cfg.dir, f->dir);
	assert_int_equal(f->cfg.nsources, 0);
	assert_null(f->cfg.database);
	assert_int_equal(f->cfg.lock_timeout_ms, 10000);
}

/* A path given explicitly must exist. */
static void test_explicit_file_missing(void **state)
{
	fx *f = *state;
	char *p = in_dir(f, "nope.yaml");
	int rc = config_load(&f->e, &f->cfg, p);
	assert_int_equal(rc, STRATA_EIO);
	const strata_error_info *e = err_last(&f->e);
	assert_non_null(e);
	assert_int_equal(e->cls, STRATA_ECLASS_CONFIG);
	assert_string_equal(e->file, p);
	assert_non_null(strstr(e->message, "cannot read config"));
	assert_null(f->cfg.file);
	free(p);
}

/* ---- environment variables ---- */

static void test_env_substitution(void **state)
{
	fx *f = *state;
	setenv("STRATA_T_HOST", "db.example.com", 1);
	setenv("STRATA_T_DIR", "sql", 1);
	setenv("STRATA_T_EMPTY", "", 1);
	setenv("STRATA_T_SET", "given", 1);
	unsetenv("STRATA_T_UNSET");
	load_ok(f, "database: postgres://${STRATA_T_HOST}:${STRATA_T_UNSET:-5432}/app\n"
	           "sources:\n"
	           "  - name: app\n"
	           "    format: sqlpair\n"
	           "    path: ${STRATA_T_DIR}/app\n"
	           "    a: ${STRATA_T_EMPTY:-fallback}\n"
	           "    b: x${STRATA_T_SET:-unused}y\n"
	           "    c: ${STRATA_T_UNSET:-}\n"
	           "    d: plain $HOME and $ alone\n");
	config *c = &f->cfg;
	assert_string_equal(c->database, "postgres://db.example.com:5432/app");
	assert_string_equal(c->sources[0].path_display, "sql/app");
	char *want = in_dir(f, "sql/app");
	assert_string_equal(c->sources[0].path, want);
	free(want);
	assert_int_equal(c->sources[0].nopts, 4);
	assert_string_equal(c->sources[0].opts[0].value, "fallback"); /* empty uses default */
	assert_string_equal(c->sources[0].opts[1].value, "xgiveny");
	assert_string_equal(c->sources[0].opts[2].value, "");
	assert_string_equal(c->sources[0].opts[3].value, "plain $HOME and $ alone");
	unsetenv("STRATA_T_HOST");
	unsetenv("STRATA_T_DIR");
	unsetenv("STRATA_T_EMPTY");
	unsetenv("STRATA_T_SET");
}

static void test_env_unset_is_error(void **state)
{
	fx *f = *state;
	unsetenv("STRATA_T_MISSING");
	const strata_error_info *e =
	    load_err(f, "database: sqlite:x.db\n"
	                "sources:\n"
	                "  - name: app\n"
	                "    format: sqlpair\n"
	                "    path: ${STRATA_T_MISSING}/app\n",
	             5, 11, "STRATA_T_MISSING");
	assert_non_null(strstr(e->message, "not set"));
	assert_non_null(e->hint);
}

static void test_env_unset_in_database(void **state)
{
	fx *f = *state;
	unsetenv("STRATA_T_MISSING");
	load_err(f, "\ndatabase: \"postgres://${STRATA_T_MISSING}/db\"\n", 2, 11,
	         "environment variable 'STRATA_T_MISSING' is not set");
}

static void test_env_unterminated(void **state)
{
	fx *f = *state;
	load_err(f, "database: ${OOPS\n", 1, 11, "unterminated");
}

/* ---- malformed files ---- */

static void test_yaml_tab_indent(void **state)
{
	fx *f = *state;
	const strata_error_info *e = load_err(f,
	                                      "database: x\n"
	                                      "sources:\n"
	                                      "  - name: a\n"
	                                      "\tformat: sqlpair\n"
	                                      "    path: m\n",
	                                      4, -1, "");
	assert_true(e->col >= 1);
	assert_non_null(strstr(e->message, "tab"));
}

static void test_yaml_unclosed_bracket(void **state)
{
	fx *f = *state;
	const strata_error_info *e = load_err(f,
	                                      "database: x\n"
	                                      "order: [a, b\n"
	                                      "merge: version\n",
	                                      3, -1, "flow sequence");
	assert_true(e->col >= 1);
}

static void test_top_level_not_mapping(void **state)
{
	fx *f = *state;
	load_err(f, "- a\n- b\n", 1, 1, "top level must be a mapping");
}

static void test_unknown_key(void **state)
{
	fx *f = *state;
	const strata_error_info *e = load_err(f,
	                                      "database: x\n"
	                                      "\n"
	                                      "databse: y\n",
	                                      3, 1, "unknown key 'databse'");
	assert_string_equal(e->message, "unknown key 'databse'");
	assert_non_null(e->hint);
	assert_non_null(strstr(e->hint, "database"));
}

static void test_unknown_key_indented_col(void **state)
{
	fx *f = *state;
	/* flow mapping: the key sits at column 3 */
	load_err(f, "{ lock_timout: 5s }\n", 1, 3, "unknown key 'lock_timout'");
}

/* ---- sources ---- */

static void test_duplicate_source_names(void **state)
{
	fx *f = *state;
	load_err(f,
	         "sources:\n"
	         "  - name: app\n"
	         "    format: sqlpair\n"
	         "    path: a\n"
	         "  - name: app\n"
	         "    format: sqlpair\n"
	         "    path: b\n",
	         5, 5, "duplicate source name 'app'");
}

static void test_source_without_name(void **state)
{
	fx *f = *state;
	load_err(f,
	         "sources:\n"
	         "  - format: sqlpair\n"
	         "    path: a\n",
	         2, 5, "has no name");
}

static void test_source_without_format(void **state)
{
	fx *f = *state;
	load_err(f,
	         "sources:\n"
	         "  - name: ok\n"
	         "    format: sqlpair\n"
	         "    path: a\n"
	         "  - name: app\n"
	         "    path: a\n",
	         5, 5, "source 'app' has no format");
}

static void test_source_without_path(void **state)
{
	fx *f = *state;
	load_err(f,
	         "sources:\n"
	         "  - name: app\n"
	         "    format: sqlpair\n",
	         2, 5, "source 'app' has no path");
}

static void test_source_name_with_colon(void **state)
{
	fx *f = *state;
	load_err(f, "sources:\n  - {name: 'a:b', format: sqlpair, path: a}\n", 2, 5,
	         "must not contain ':'");
}

static void test_sources_not_a_list(void **state)
{
	fx *f = *state;
	load_err(f, "sources:\n  name: app\n", 2, 3, "sources must be a list");
}

static void test_order_unknown_source(void **state)
{
	fx *f = *state;
	const char *p = write_file(f, "strata.yaml",
	                           "sources:\n"
	                           "  - {name: a, format: sqlpair, path: a}\n"
	                           "  - {name: b, format: sqlpair, path: b}\n"
	                           "order: [b, c, a]\n");
	assert_int_equal(config_load(&f->e, &f->cfg, p), STRATA_EINVAL);
	const strata_error_info *e = err_last(&f->e);
	assert_non_null(e);
	assert_int_equal(e->cls, STRATA_ECLASS_CONFIG);
	assert_string_equal(e->file, p);
	assert_non_null(strstr(e->message, "unknown source 'c'"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_all_keys),
		T(test_defaults_and_scalar_lists),
		T(test_empty_file),
		T(test_lock_timeout),
		T(test_lock_timeout_invalid),
		T(test_session),
		T(test_session_errors),
		T(test_source_dialect),
		T(test_source_dialect_errors),
		T(test_parse_duration),
		T(test_unknown_merge_mode),
		T(test_relative_config_path),
		T(test_default_file_present),
		T(test_default_file_missing),
		T(test_explicit_file_missing),
		T(test_env_substitution),
		T(test_env_unset_is_error),
		T(test_env_unset_in_database),
		T(test_env_unterminated),
		T(test_yaml_tab_indent),
		T(test_yaml_unclosed_bracket),
		T(test_top_level_not_mapping),
		T(test_unknown_key),
		T(test_unknown_key_indented_col),
		T(test_duplicate_source_names),
		T(test_source_without_name),
		T(test_source_without_format),
		T(test_source_without_path),
		T(test_source_name_with_colon),
		T(test_sources_not_a_list),
		T(test_order_unknown_source),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
