/*
 * Unit tests of pyenum.c: sa.Enum(AppEnum)'s members read from the
 * application's source in tests/unit/pyenum-repo (a revision importing enum
 * classes in each way Python allows), never by importing it.  The expected
 * lists are what the real SQLAlchemy 1.4.46's sa.Enum(cls).enums and .name
 * gave for these very files (omit_aliases unset, and True).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pyenum.h"

#define REPO STRATA_SOURCE_ROOT "/tests/unit/pyenum-repo"
#define REV REPO "/db/migrations/versions/0001_enums.py"

static const char *const roots[] = { REPO, NULL };

/* "name: a b c" for the class written as `written` in the revision, or "!" + why. */
static char *members(const char *written, int omit)
{
	static char buf[1024];
	pe_enum e;
	char why[512];
	if (pe_resolve(REV, NULL, 0, roots, written, omit, &e, why, sizeof why)) {
		snprintf(buf, sizeof buf, "!%s", why);
		return buf;
	}
	size_t o = (size_t)snprintf(buf, sizeof buf, "%s:", e.name);
	for (int i = 0; i < e.n; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, " %s", e.members[i]);
	pe_free(&e);
	return buf;
}

static void imports(void **state)
{
	(void)state;
	/* from app.models import Status: app/models/__init__.py re-exports it */
	assert_string_equal(members("Status", 0), "status: active inactive ACTIVE");
	assert_string_equal(members("Status", 1), "status: active inactive");
	/* ... and Kind through `from .other import *` */
	assert_string_equal(members("Kind", 0), "kind: a b");
	/* from app.models.enums import Level as L, Color */
	assert_string_equal(members("L", 0), "level: low high HIGH");
	assert_string_equal(members("L", 1), "level: low high");
	assert_string_equal(members("Color", 1), "color: RED GREEN BLUE"); /* auto(), base without members */
	/* from app import models: models.Status */
	assert_string_equal(members("models.Status", 0), "status: active inactive ACTIVE");
	/* import app.models.enums / import app.models.other as other */
	assert_string_equal(members("app.models.enums.Level", 0), "level: low high HIGH");
	assert_string_equal(members("other.Kind", 0), "kind: a b");
	/* from ..helpers import Local (relative to the revision's folder) */
	assert_string_equal(members("Local", 0), "local: one two");
	/* a class of the revision itself */
	assert_string_equal(members("InFile", 0), "infile: x yy");
}

static void refusals(void **state)
{
	(void)state;
	assert_string_equal(members("Gone", 0),
	                    "!enum class Gone: module app.models.missing (imported at " REV
	                    ":17) not found under the repository");
	assert_string_equal(members("Nowhere", 0),
	                    "!enum class Nowhere is neither defined nor imported in " REV);
	assert_string_equal(members("app.models.enums.NotAnEnum", 0),
	                    "!class NotAnEnum (" REPO "/app/models/enums.py:38) is not an enum.Enum");
	assert_string_equal(members("app.models.enums.Nope", 0),
	                    "!enum class Nope is neither defined nor imported in " REPO "/app/models/enums.py");
	/* a revision text given directly, with a member value strata cannot compare */
	const char *text = "import enum\nclass E(enum.Enum):\n    a = f(1)\n    b = 2\n";
	pe_enum e;
	char why[256];
	assert_int_equal(pe_resolve("/x/rev.py", text, strlen(text), roots, "E", 0, &e, why, sizeof why), 0);
	assert_int_equal(e.n, 2);
	assert_string_equal(e.members[0], "a");
	assert_int_equal(e.line, 2);
	pe_free(&e);
	assert_int_equal(pe_resolve("/x/rev.py", text, strlen(text), roots, "E", 1, &e, why, sizeof why), -1);
	assert_string_equal(why, "value of member a of enum class E (/x/rev.py:3), for omit_aliases=True");
	const char *bad = "class E(enum.Enum):\n    a = 'x\n";
	assert_int_equal(pe_resolve("/x/rev.py", bad, strlen(bad), roots, "E", 0, &e, why, sizeof why), -1);
	assert_non_null(strstr(why, "/x/rev.py:2"));
	const char *stmt = "class E(enum.Enum):\n    if x:\n        a = 1\n";
	assert_int_equal(pe_resolve("/x/rev.py", stmt, strlen(stmt), roots, "E", 0, &e, why, sizeof why), -1);
	assert_string_equal(why, "statement in enum class E (/x/rev.py:2)");
}

static void search_roots(void **state)
{
	(void)state;
	char tmp[] = "/tmp/strata-pyenum.XXXXXX";
	assert_non_null(mkdtemp(tmp));
	char p[256];
	snprintf(p, sizeof p, "%s/.git", tmp);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/a", tmp);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/a/b", tmp);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/a/b/rev.py", tmp);
	char **r = pe_roots(p);
	assert_non_null(r);
	char want[256];
	snprintf(want, sizeof want, "%s/a/b", tmp);
	assert_string_equal(r[0], want);
	snprintf(want, sizeof want, "%s/a", tmp);
	assert_string_equal(r[1], want);
	assert_string_equal(r[2], tmp);
	assert_null(r[3]); /* stops at the folder holding .git */
	pe_roots_free(r);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(imports),
		cmocka_unit_test(refusals),
		cmocka_unit_test(search_roots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
