/*
 * The golden cases of the op.* → SQL translator (tests/alembic/golden, see
 * its README.md): each NN-slug.py body, wrapped in module-head.py as
 * `def upgrade():`, is translated as the plugin translates it
 * (unroll_translate(): the evaluator, then opsql_translate_toks(); the
 * file `assume` gives the source's assume: values) on each dialect
 * and compared byte for byte with what the real Alembic printed
 * (NN-slug.<dialect>.sql, written by regen.py), or checked to be refused
 * with Alembic's reason (.refused) or declined as untranslatable with
 * strata's (.untranslatable).  TAP, one point per case and dialect.
 *
 * usage: test_alembic_golden [DIR]   (default: $STRATA_GOLDEN_DIR)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsql.h"
#include "unroll.h"

static const struct {
	const char *name;
	opsql_dialect d;
} dialects[] = { { "postgresql", OPSQL_POSTGRESQL }, { "sqlite", OPSQL_SQLITE } };

static int failures, points;

/* The whole file, NUL-terminated; NULL when it does not exist. */
static char *slurp(const char *dir, const char *name, const char *ext)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s%s", dir, name, ext);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0, k;
	char *s = malloc(cap);
	while (s && (k = fread(s + n, 1, cap - n - 1, f)) > 0) {
		n += k;
		if (n + 1 == cap) {
			char *t = realloc(s, cap *= 2);
			if (!t)
				free(s);
			s = t;
		}
	}
	fclose(f);
	if (!s) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	s[n] = 0;
	return s;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* module-head.py, "def upgrade():", the body indented by four spaces (empty
 * lines as they are), then a downgrade: the module regen.py gives Alembic. */
static char *module(const char *head, const char *body, int *defline, int *lastline)
{
	size_t n = strlen(head) + strlen(body) * 2 + 64;
	char *s = malloc(n);
	if (!s)
		exit(1);
	strcpy(s, head);
	*defline = count_lines(head) + 1;
	strcat(s, "def upgrade():\n");
	int lines = 0;
	for (const char *p = body; *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l)
			strcat(s, "    ");
		strncat(s, p, l);
		strcat(s, "\n");
		lines++;
		p += l + (e ? 1 : 0);
	}
	*lastline = *defline + lines;
	strcat(s, "\n\ndef downgrade():\n    pass\n");
	return s;
}

static void point(int ok, const char *name, const char *dialect)
{
	points++;
	if (!ok)
		failures++;
	printf("%s %d - %s %s\n", ok ? "ok" : "not ok", points, name, dialect);
}

/* Alembic's "pkg.Class: message" against strata's reason: the same message,
 * or strata's own wording under the same exception class. */
static int same_refusal(const char *alembic, const char *reason)
{
	const char *colon = strstr(alembic, ": ");
	if (!colon)
		return !strcmp(alembic, reason);
	if (!strcmp(colon + 2, reason))
		return 1;
	const char *cls = alembic;
	for (const char *p = alembic; p < colon; p++)
		if (*p == '.')
			cls = p + 1;
	size_t n = (size_t)(colon - cls);
	return !strncmp(reason, cls, n) && reason[n] == ':' && reason[n + 1] == ' ';
}

/* Alembic's offline run writes print()'s text into the --sql output;
 * strata leaves it out (it is not SQL).  The cases that print() start each
 * line with "print: ", and those lines are dropped from the expected SQL
 * (no SQL line Alembic writes starts so). */
static void drop_printed(char *sql)
{
	char *o = sql;
	for (char *p = sql; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (strncmp(p, "print: ", 7)) {
			memmove(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = 0;
}

static char *assume; /* DIR/assume: KEY=VALUE lines */

static void check(const char *dir, const char *head, const char *name, const char *body, int di)
{
	const char *dn = dialects[di].name;
	char ext[64];
	int defline, lastline;
	char *src = module(head, body, &defline, &lastline);
	opsql_result r;
	char err[256];
	int errline = 0;
	if (unroll_translate(src, strlen(src), "upgrade", dialects[di].d, assume, &r, err, sizeof err,
	                     &errline)) {
		printf("# %s %s: the file is not readable: line %d: %s\n", name, dn, errline, err);
		point(0, name, dn);
		free(src);
		return;
	}
	snprintf(ext, sizeof ext, ".%s.untranslatable", dn);
	char *untr = slurp(dir, name, ext);
	if (!untr)
		untr = slurp(dir, name, ".untranslatable");
	snprintf(ext, sizeof ext, ".%s.refused", dn);
	char *refused = slurp(dir, name, ext);
	snprintf(ext, sizeof ext, ".%s.sql", dn);
	char *sql = slurp(dir, name, ext);
	int ok = 0;
	if (untr) {
		chomp(untr);
		ok = r.status == OPSQL_UNTRANSLATABLE && !strcmp(r.reason, untr) && r.line > defline &&
		     r.line <= lastline;
		if (!ok)
			printf("# %s %s: want untranslatable \"%s\" in lines %d-%d, got status %d line %d \"%s\"\n", name,
			       dn, untr, defline + 1, lastline, r.status, r.line, r.reason);
	} else if (refused) {
		chomp(refused);
		ok = r.status == OPSQL_REFUSED && same_refusal(refused, r.reason) && r.line > defline &&
		     r.line <= lastline;
		if (!ok)
			printf("# %s %s: want refused \"%s\", got status %d line %d \"%s\"\n", name, dn, refused, r.status,
			       r.line, r.reason);
	} else if (sql) {
		/* Alembic prints COMMIT; ... BEGIN; around an autocommit block
		 * (PostgreSQL); strata runs a revision with one outside a
		 * transaction instead, on every dialect */
		static const char commit[] = "COMMIT;\n\n", begin[] = "BEGIN;\n\n";
		const char *want = sql;
		size_t wn = strlen(sql), cn = sizeof commit - 1, bn = sizeof begin - 1;
		int notx = strstr(body, "autocommit_block(") != NULL;
		drop_printed(sql);
		wn = strlen(sql);
		if (notx && wn >= cn + bn && !strncmp(sql, commit, cn) && !strcmp(sql + wn - bn, begin)) {
			want += cn;
			wn -= cn + bn;
		}
		ok = r.status == OPSQL_OK && r.len == wn && !memcmp(r.sql, want, wn) && r.no_transaction == notx &&
		     r.line == defline;
		if (!ok && r.status == OPSQL_OK)
			printf("# %s %s: got\n# [%s]\n# want\n# [%.*s]\n# no_transaction %d (want %d)\n", name, dn, r.sql,
			       (int)wn, want, r.no_transaction, notx);
		else if (!ok)
			printf("# %s %s: want the SQL, got status %d line %d \"%s\"\n", name, dn, r.status, r.line, r.reason);
	} else {
		printf("# %s %s: no %s.%s.sql, .refused or .untranslatable\n", name, dn, name, dn);
	}
	point(ok, name, dn);
	opsql_result_free(&r);
	free(untr);
	free(refused);
	free(sql);
	free(src);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("STRATA_GOLDEN_DIR");
	if (!dir) {
		fprintf(stderr, "usage: test_alembic_golden DIR (or STRATA_GOLDEN_DIR)\n");
		return 2;
	}
	char *head = slurp(dir, "module-head.py", "");
	assume = slurp(dir, "assume", "");
	DIR *d = opendir(dir);
	if (!head || !d) {
		printf("Bail out! no %s/module-head.py\n", dir);
		free(head);
		free(assume);
		if (d)
			closedir(d);
		return 1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		/* NN-slug.py (or NNN-slug.py: cases 100 and up) */
		size_t nd = 0;
		while (e->d_name[nd] >= '0' && e->d_name[nd] <= '9')
			nd++;
		if (l < nd + 4 || nd < 2 || nd > 3 || e->d_name[nd] != '-' || strcmp(e->d_name + l - 3, ".py"))
			continue;
		char **v = realloc(names, (n + 1) * sizeof *names);
		if (!v)
			return 1;
		names = v;
		names[n] = strndup(e->d_name, l - 3);
		if (!names[n])
			return 1;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	int nd = (int)(sizeof dialects / sizeof dialects[0]);
	printf("1..%zu\n", n * (size_t)nd);
	for (size_t i = 0; i < n; i++) {
		char *body = slurp(dir, names[i], ".py");
		for (int k = 0; k < nd; k++)
			check(dir, head, names[i], body ? body : "", k);
		free(body);
		free(names[i]);
	}
	free(names);
	free(head);
	free(assume);
	if (n == 0) {
		printf("Bail out! no NN-slug.py in %s\n", dir);
		return 1;
	}
	return failures ? 1 : 0;
}
