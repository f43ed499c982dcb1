/*
 * The single arguments Alembic 1.8.1 renders plainly (server_onupdate=,
 * postgresql_include=, postgresql_not_valid=, drop_index's postgresql_where=
 * and postgresql_using=) and long names, against golden files made by the
 * real Alembic: tests/alembic/golden/args/CASE.py is the body of upgrade(),
 * CASE.DIALECT.sql what `alembic upgrade --sql` printed for it and
 * CASE.DIALECT.error Alembic's own refusal (regen.sh there makes both).
 * The translation must equal the .sql byte for byte, or be refused with the
 * text of Alembic's error.
 *
 * argv[1]: the golden folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsql.h"

static const char *dir;

/* The whole file, NUL-terminated; NULL when it does not exist. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *s = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			s = realloc(s, cap);
			assert_non_null(s);
		}
		size_t k = fread(s + n, 1, 4096, f);
		n += k;
		if (k < 4096)
			break;
	}
	fclose(f);
	s[n] = '\0';
	return s;
}

/* The revision Alembic ran (regen.sh's template): the case body indented
 * under `def upgrade():`. */
static char *revision(const char *body)
{
	size_t n = strlen(body), cap = 2 * n + 256, k = 0;
	char *s = malloc(cap);
	assert_non_null(s);
	k += (size_t)sprintf(s, "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n");
	for (const char *p = body; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		k += (size_t)sprintf(s + k, "    %.*s\n", (int)len, p);
		p += len + (e != NULL);
	}
	return s;
}

static void one(const char *name, const char *dname, opsql_dialect d, const char *rev)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.%s.sql", dir, name, dname);
	char *want = slurp(path);
	snprintf(path, sizeof path, "%s/%s.%s.error", dir, name, dname);
	char *refusal = want ? NULL : slurp(path);
	if (!want && !refusal)
		fail_msg("%s: no %s.sql or .error", name, dname);
	opsql_result r;
	char err[512];
	int el = 0;
	assert_int_equal(opsql_translate(rev, strlen(rev), "upgrade", d, &r, err, sizeof err, &el), 0);
	if (want) {
		if (r.status != OPSQL_OK)
			fail_msg("%s on %s: line %d: %s", name, dname, r.line, r.reason);
		/* opsql ends every statement with ";\n\n", regen.sh strips the last newline */
		size_t wl = strlen(want);
		char *w2 = malloc(wl + 2);
		assert_non_null(w2);
		memcpy(w2, want, wl);
		memcpy(w2 + wl, "\n", 2);
		assert_string_equal(r.sql, w2);
		free(w2);
	} else {
		/* "sqlalchemy.exc.IdentifierError: text" -> "text" */
		refusal[strcspn(refusal, "\n")] = '\0';
		const char *text = strstr(refusal, ": ");
		assert_non_null(text);
		if (r.status != OPSQL_REFUSED)
			fail_msg("%s on %s: status %d (%s), Alembic refuses it: %s", name, dname, (int)r.status,
			         r.reason, text + 2);
		assert_string_equal(r.reason, text + 2);
	}
	opsql_result_free(&r);
	free(want);
	free(refusal);
}

static void goldens(void **state)
{
	(void)state;
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	int seen = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		size_t n = strlen(de->d_name);
		if (n < 4 || strcmp(de->d_name + n - 3, ".py"))
			continue;
		char name[256], path[4096];
		snprintf(name, sizeof name, "%.*s", (int)(n - 3), de->d_name);
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		char *body = slurp(path);
		assert_non_null(body);
		char *rev = revision(body);
		print_message("# %s\n", name);
		one(name, "postgresql", OPSQL_POSTGRESQL, rev);
		one(name, "sqlite", OPSQL_SQLITE, rev);
		free(rev);
		free(body);
		seen++;
	}
	closedir(dp);
	assert_true(seen >= 6);
}

/* What is still not translated names the construct and the argument. */
static void messages(void **state)
{
	(void)state;
	static const struct {
		const char *body, *reason;
	} m[] = {
		{ "op.create_table('a', sa.Column('id', sa.Integer(), primary_key=True, system=True))",
		  "sa.Column() argument system=" },
		{ "op.create_table('b', sa.Column('id', sa.Integer(), sa.ForeignKey('a.id', link_to_name=True)))",
		  "sa.ForeignKey() argument link_to_name=" },
		{ "op.create_table('c', sa.Column('id', sa.Integer()), sa.UniqueConstraint('id', postgresql_nulls_not_distinct=True))",
		  "sa.UniqueConstraint() argument postgresql_nulls_not_distinct= (SQLAlchemy 2.0's NULLS NOT DISTINCT; "
		  "SQLAlchemy 1.4 refuses it)" },
		{ "op.create_table('c', sa.Column('id', sa.Integer()), sa.CheckConstraint('id > 0', info={}))",
		  "sa.CheckConstraint() argument info=" },
		{ "op.create_index('ix', 'c', ['id'], postgresql_with={'fillfactor': 50})",
		  "argument postgresql_with= of create_index()" },
		{ "op.create_index('ix', 'c', ['id'], postgresql_include='id')",
		  "create_index() argument postgresql_include= (not a list of column names)" },
		{ "op.create_table('d', sa.Column('id', sa.Integer(), sa.Computed('1')))",
		  "sa.Column() positional argument sa.Computed" },
		{ "op.create_table('e', sa.Column('id', sa.Integer(), server_onupdate=sa.func.now()))",
		  "sa.Column() argument server_onupdate= (not a string, sa.text() or sa.FetchedValue())" },
		{ "op.create_table('f', sa.Column('id', sa.Integer(), autoincrement='yes'))",
		  "sa.Column() argument autoincrement= (not True, False, 'auto' or 'ignore_fk')" },
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		char *rev = revision(m[i].body);
		for (int d = 0; d < 2; d++) {
			opsql_result r;
			char err[512];
			int el = 0;
			assert_int_equal(opsql_translate(rev, strlen(rev), "upgrade", d ? OPSQL_SQLITE : OPSQL_POSTGRESQL, &r,
			                                 err, sizeof err, &el),
			                 0);
			assert_int_equal(r.status, OPSQL_UNTRANSLATABLE);
			assert_int_equal(r.line, 6); /* the body's line in revision() */
			assert_string_equal(r.reason, m[i].reason);
			opsql_result_free(&r);
		}
		free(rev);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_alembic_args GOLDEN_DIR\n");
		return 2;
	}
	dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(goldens),
		cmocka_unit_test(messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
