/*
 * Unit tests of helper functions the revision imports from the application
 * (tests/unit/pyhelper-repo: db/versions/012_abc_rev.py imports from
 * app/migration, as ckan's revisions import skip_based_on_legacy_engine_version
 * from ckan/migration/__init__.py): pyenum.h's pe_find_def() resolution, and
 * unroll.c evaluating such a helper's return value (its module's own names,
 * `__name__`, op.get_context().config.get_main_option() through assume:),
 * and the helpers of one module calling each other in expressions.  The
 * real Alembic judges the same constructs in tests/interop/alembic/eval.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyenum.h"
#include "pyexpr.h"
#include "unroll.h"

#define REPO STRATA_SOURCE_ROOT "/tests/unit/pyhelper-repo"
#define REV REPO "/db/versions/012_abc_rev.py"

static const char *const roots[] = { REPO, NULL };

static const char HEAD[] = "from alembic import op\n"
                           "import sqlalchemy as sa\n"
                           "from app.migration import skip_legacy, writes_sql\n"
                           "from app.migration import prefix as pfx, reads_db\n"
                           "from app.migration import not_there\n"
                           "revision = '012abc'\n"
                           "down_revision = None\n\n";

/* "FILE-TAIL:LINE" of the def that `name` is in the revision, or "!" + why. */
static char *def_of(const char *name)
{
	static char buf[1024];
	char *file = NULL, why[512];
	int line = 0;
	size_t n = 0;
	char *text = NULL;
	FILE *f = fopen(REV, "rb");
	if (f) {
		text = malloc(1 << 16);
		n = fread(text, 1, (1 << 16) - 1, f);
		fclose(f);
	}
	if (pe_find_def(REV, text, n, roots, name, &file, &line, why, sizeof why))
		snprintf(buf, sizeof buf, "!%s", why);
	else
		snprintf(buf, sizeof buf, "%s:%d", file + strlen(REPO) + 1, line);
	free(file);
	free(text);
	return buf;
}

static void find_def(void **state)
{
	(void)state;
	assert_string_equal(def_of("skip_legacy"), "app/migration/__init__.py:11");
	assert_string_equal(def_of("writes_sql"), "app/migration/__init__.py:19");
	/* `as`, and through the package's `from .util import *` */
	assert_string_equal(def_of("pfx"), "app/migration/util.py:4");
	assert_string_equal(def_of("reads_db"), "app/migration/util.py:8");
	assert_string_equal(def_of("not_there"),
	                    "!function not_there is neither defined nor imported in " REPO
	                    "/app/migration/__init__.py");
	assert_string_equal(def_of("never_imported"), "!function never_imported is neither defined nor "
	                                              "imported in " REV);
}

typedef struct job {
	const char *assume;
	const opsql_env *env;
	opsql_result *r;
	char err[256];
	int line;
} job;

static int run(const px_toks *tk, void *ud)
{
	job *j = ud;
	return unroll_translate_env(tk, "upgrade", OPSQL_POSTGRESQL, j->assume, j->env, j->r, j->err,
	                            sizeof j->err, &j->line);
}

/* The revision file's head with this upgrade() body, translated as the
 * revision at REV. */
static opsql_result tr(const char *body, const char *assume)
{
	char src[4096];
	snprintf(src, sizeof src, "%sdef upgrade():\n%s\ndef downgrade():\n    pass\n", HEAD, body);
	opsql_env env = { .path = REV, .text = src, .len = strlen(src), .roots = roots };
	opsql_result r;
	memset(&r, 0, sizeof r);
	job j = { assume, &env, &r, "", 0 };
	char err[256];
	int line = 0;
	if (px_with_tokens(src, strlen(src), run, &j, err, sizeof err, &line))
		fail_msg("error at %d: %s / %s", line ? line : j.line, err, j.err);
	return r;
}

static void sql_is(const char *body, const char *assume, const char *want)
{
	opsql_result r = tr(body, assume);
	if (r.status != OPSQL_OK)
		fail_msg("status %d at line %d: %s", r.status, r.line, r.reason);
	if (strcmp(r.sql, want))
		fail_msg("got:\n%s\nwant:\n%s", r.sql, want);
	opsql_result_free(&r);
}

static void stops(const char *body, const char *assume, int line, const char *want)
{
	opsql_result r = tr(body, assume);
	if (r.status != OPSQL_UNTRANSLATABLE || r.line != line || strcmp(r.reason, want))
		fail_msg("got status %d line %d \"%s\", want line %d \"%s\"", r.status, r.line, r.reason, line,
		         want);
	opsql_result_free(&r);
}

#define CKAN "    if skip_legacy(op, __name__):\n        return\n" \
	     "    op.execute(\"SELECT '%s'\" % pfx(__name__))\n"

static void imported_helpers(void **state)
{
	(void)state;
	/* __name__ is Alembic's module name: the file name, \W as _ */
	sql_is(CKAN, NULL, "SELECT '012';\n\n");
	/* get_main_option(): not set (no alembic.ini, no assume:) is None */
	sql_is(CKAN, "get_main_option.sqlalchemy_migrate_version=11\n", "SELECT '012';\n\n");
	sql_is(CKAN, "get_main_option.sqlalchemy_migrate_version=12\n", "");
	sql_is(CKAN, "get_main_option.sqlalchemy_migrate_version=null\n", "SELECT '012';\n\n");
	stops(CKAN, "get_main_option.sqlalchemy_migrate_version=x1\n", 10,
	      "if on skip_legacy(op, __name__): call to skip_legacy(): int() of 'x1' is not known");
	stops("    if reads_db(op, 't'):\n        pass\n", NULL, 10,
	      "if on reads_db(op, 't'): call to reads_db(): sa.inspect() of op.get_bind() reads the live "
	      "database, which neither strata nor `alembic upgrade --sql` can do");
	stops("    if writes_sql(op, 't'):\n        pass\n", NULL, 10,
	      "if on writes_sql(op, 't'): call to writes_sql(): the value of a helper whose body "
	      "runs statements (op.* calls, raise, ...) is not known");
	stops("    if not_there():\n        pass\n", NULL, 10,
	      "if on not_there(): call to not_there() is not known");
}

/* Module-level helpers of the revision calling each other for values. */
static void same_module_helpers(void **state)
{
	(void)state;
	const char *src = "from alembic import op\n"
	                  "def pick(n):\n"
	                  "    return 'big' if n > 10 else 'small'\n"
	                  "def label(n, *, sep='_'):\n"
	                  "    size = pick(n)\n"
	                  "    return size.upper() + sep + str(n)\n"
	                  "def upgrade():\n"
	                  "    op.execute('SELECT %s' % repr(label(20, sep='-')))\n";
	opsql_result r;
	char err[256];
	int line = 0;
	assert_int_equal(unroll_translate(src, strlen(src), "upgrade", OPSQL_POSTGRESQL, NULL, &r, err,
	                                  sizeof err, &line), 0);
	assert_int_equal(r.status, OPSQL_OK);
	assert_string_equal(r.sql, "SELECT 'BIG-20';\n\n");
	opsql_result_free(&r);
	src = "from alembic import op\n"
	      "def deep(n):\n"
	      "    return deep(n + 1)\n"
	      "def upgrade():\n"
	      "    if deep(1):\n"
	      "        pass\n";
	assert_int_equal(unroll_translate(src, strlen(src), "upgrade", OPSQL_POSTGRESQL, NULL, &r, err,
	                                  sizeof err, &line), 0);
	assert_int_equal(r.status, OPSQL_UNTRANSLATABLE);
	assert_string_equal(r.reason, "if on deep(1): call to deep(): calls nested deeper than 16 is not known");
	opsql_result_free(&r);
}

static opsql_result tr_plain(const char *src)
{
	opsql_result r;
	char err[256];
	int line = 0;
	if (unroll_translate(src, strlen(src), "upgrade", OPSQL_POSTGRESQL, NULL, &r, err, sizeof err, &line))
		fail_msg("error at %d: %s", line, err);
	return r;
}

/* print(), logging, sys.stdout.flush() with known arguments write no SQL;
 * with an argument that is not known they stay (the translator names
 * them).  An import in the body hides a value of the same name. */
static void noops_and_imports(void **state)
{
	(void)state;
	opsql_result r = tr_plain("import logging\nimport sys\nfrom alembic import op\n"
	                          "log = logging.getLogger(__name__)\nT = 't1'\n"
	                          "def upgrade():\n"
	                          "    print('x', T, sep='-', flush=True)\n"
	                          "    log.info('drop %s', T)\n"
	                          "    logging.getLogger('a').warning('w')\n"
	                          "    sys.stdout.flush()\n"
	                          "    op.drop_table(T)\n"
	                          "    print(rows)\n");
	assert_int_equal(r.status, OPSQL_UNTRANSLATABLE);
	assert_string_equal(r.reason, "call to print()");
	assert_int_equal(r.line, 12);
	opsql_result_free(&r);
	r = tr_plain("from alembic import op\nT = 't1'\n"
	             "def upgrade():\n"
	             "    op.drop_table(T)\n"
	             "    from app.names import T\n"
	             "    op.drop_table(T)\n");
	assert_int_equal(r.status, OPSQL_UNTRANSLATABLE);
	assert_int_equal(r.line, 6);
	opsql_result_free(&r);
	r = tr_plain("from alembic import op\n"
	             "def upgrade():\n"
	             "    import sqlalchemy as sa, sqlalchemy.types\n"
	             "    from sqlalchemy import (Integer,\n        String as S)\n"
	             "    op.add_column('t', sa.Column('c', Integer()))\n");
	assert_int_equal(r.status, OPSQL_OK);
	assert_string_equal(r.sql, "ALTER TABLE t ADD COLUMN c INTEGER;\n\n");
	opsql_result_free(&r);
}

/* Names the revision imports from the application's modules: a name its
 * module assigns once at module level to a literal (or to an expression of
 * literals, names it imports in turn included) is that value; else the
 * reason names the file, the line and why (tests/unit/pyhelper-repo/app/
 * constants.py). */
static opsql_result tr_rev(const char *src)
{
	opsql_env env = { .path = REV, .text = src, .len = strlen(src), .roots = roots };
	opsql_result r;
	memset(&r, 0, sizeof r);
	job j = { NULL, &env, &r, "", 0 };
	char err[256];
	int line = 0;
	if (px_with_tokens(src, strlen(src), run, &j, err, sizeof err, &line))
		fail_msg("error at %d: %s / %s", line ? line : j.line, err, j.err);
	return r;
}

static void imported_names(void **state)
{
	(void)state;
	static const char head[] = "from alembic import op\n"
	                           "from app.constants import KINDS, LIMIT, NAME, TYPES, TWICE, MUTATED, LATER\n"
	                           "from app.starred import STARRED\n"
	                           "revision = '012abc'\n"
	                           "def upgrade():\n";
	static const struct {
		const char *body, *sql, *reason;
	} cases[] = {
		{ "    for k in KINDS:\n        op.execute(f\"SELECT '{k}', {LIMIT}\")\n    op.drop_table(NAME)\n",
		  "SELECT 'small', 50000;\n\nSELECT 'large', 50000;\n\nDROP TABLE t1_x;\n\n", NULL },
		{ "    for t in TYPES:\n        pass\n", NULL,
		  "for loop over TYPES: name 'TYPES' from " REPO "/app/constants.py:7: set display (the order of a set changes with "
		  "Python's hash seed)" },
		{ "    if TWICE:\n        pass\n", NULL,
		  "if on TWICE: name 'TWICE' from " REPO "/app/constants.py:8: bound more than once there "
		  "is not known (give its value under the source's assume:)" },
		{ "    for m in MUTATED:\n        pass\n", NULL,
		  "for loop over MUTATED: name 'MUTATED' from " REPO "/app/constants.py:10: bound more than once "
		  "there" },
		{ "    for m in range(LATER):\n        pass\n", NULL, NULL },
		{ "    for m in [STARRED]:\n        pass\n", NULL,
		  "for loop over [STARRED]: name 'STARRED' from " REPO "/app/starred.py:1: bound more than once "
		  "there" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char src[1024];
		snprintf(src, sizeof src, "%s%s", head, cases[i].body);
		opsql_result r = tr_rev(src);
		if (cases[i].sql) {
			if (r.status != OPSQL_OK || strcmp(r.sql, cases[i].sql))
				fail_msg("case %zu: status %d \"%s\" sql:\n%s", i, r.status, r.reason,
				         r.sql ? r.sql : "");
		} else if (cases[i].reason) {
			if (r.status != OPSQL_UNTRANSLATABLE || strcmp(r.reason, cases[i].reason))
				fail_msg("case %zu: status %d \"%s\"", i, r.status, r.reason);
		} else {
			if (r.status != OPSQL_UNTRANSLATABLE || !strstr(r.reason, "bound more than once"))
				fail_msg("case %zu: status %d \"%s\"", i, r.status, r.reason);
		}
		opsql_result_free(&r);
	}
}

/* A helper imported from the application called as a statement: run for
 * its value, which is dropped (quay's cleanup_old_robots()): no SQL when its
 * run is known and writes none (tests/unit/pyhelper-repo/app/cleanup.py). */
static void helper_statements(void **state)
{
	(void)state;
	static const char head[] = "from alembic import op\n"
	                           "from app.cleanup import skip_unless_forced, purge, writes\n"
	                           "revision = '012abc'\n"
	                           "def upgrade():\n";
	static const struct {
		const char *body, *sql, *reason;
	} cases[] = {
		{ "    skip_unless_forced()\n    op.execute('SELECT 1')\n", "SELECT 1;\n\n", NULL },
		{ "    skip_unless_forced(True)\n", NULL,
		  "call to skip_unless_forced(): the value of a helper whose body runs statements (op.* calls, "
		  "raise, ...) is not known" },
		{ "    purge()\n", NULL,
		  "call to purge(): it assigns a value strata does not know, whose computation may write to the "
		  "database (its result is dropped)" },
		{ "    writes()\n", NULL,
		  "call to writes(): the value of a helper whose body runs statements (op.* calls, raise, ...) "
		  "is not known" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char src[1024];
		snprintf(src, sizeof src, "%s%s", head, cases[i].body);
		opsql_result r = tr_rev(src);
		if (cases[i].sql) {
			if (r.status != OPSQL_OK || strcmp(r.sql, cases[i].sql))
				fail_msg("case %zu: status %d \"%s\" sql:\n%s", i, r.status, r.reason, r.sql ? r.sql : "");
		} else if (r.status != OPSQL_UNTRANSLATABLE || strcmp(r.reason, cases[i].reason) || r.line != 5) {
			fail_msg("case %zu: status %d line %d \"%s\"", i, r.status, r.line, r.reason);
		}
		opsql_result_free(&r);
	}
}

/* A bare dedent() is textwrap's only when no other dedent is imported. */
static void dedent_imports(void **state)
{
	(void)state;
	static const struct {
		const char *src, *reason; /* NULL: translated */
	} cases[] = {
		{ "from textwrap import dedent\nfrom alembic import op\n"
		  "def upgrade():\n    op.execute(dedent('  SELECT 1'))\n", NULL },
		{ "from alembic import op\n"
		  "def upgrade():\n    from textwrap import dedent\n    op.execute(dedent('  SELECT 1'))\n", NULL },
		{ "from inspect import cleandoc as dedent\nfrom alembic import op\n"
		  "def upgrade():\n    op.execute(dedent('  SELECT 1'))\n",
		  "call to dedent() in op.execute()" },
		{ "from alembic import op\n"
		  "def upgrade():\n    from inspect import cleandoc as dedent\n    op.execute(dedent('  SELECT 1'))\n",
		  "call to dedent() in op.execute()" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		opsql_result r = tr_rev(cases[i].src);
		if (!cases[i].reason ? r.status != OPSQL_OK || strcmp(r.sql, "SELECT 1;\n\n")
		                     : r.status != OPSQL_UNTRANSLATABLE || strcmp(r.reason, cases[i].reason))
			fail_msg("case %zu: status %d \"%s\" sql \"%s\"", i, r.status, r.reason,
			         r.sql ? r.sql : "");
		opsql_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(find_def),
		cmocka_unit_test(imported_helpers),
		cmocka_unit_test(same_module_helpers),
		cmocka_unit_test(noops_and_imports),
		cmocka_unit_test(imported_names),
		cmocka_unit_test(helper_statements),
		cmocka_unit_test(dedent_imports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
