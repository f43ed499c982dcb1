/* plugins/drizzle without a database: the statement-breakpoint rule
 * (split.c) and the journal reader (journal.c): entries in order, each at
 * its line, and every malformed journal refused at its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drizzle_int.h"
#include "fake_host.h"

static char *split(const char *text)
{
	fake_host f;
	fake_init(&f, "sqlite");
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(dz_split_script(&f.h, text, strlen(text), &out, &len), STRATA_OK);
	assert_int_equal(len, strlen(out));
	return out;
}

static void expect_split(const char *in, const char *want)
{
	char *got = split(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_split(void **state)
{
	(void)state;
	/* drizzle-kit's own output: every piece ends in ';', nothing added. */
	expect_split("CREATE TABLE a (id int);\n--> statement-breakpoint\nCREATE TABLE b (id int);",
	             "CREATE TABLE a (id int);\n--> statement-breakpoint\nCREATE TABLE b (id int);");
	/* A piece without ';' gets one just before the marker: same lines. */
	expect_split("SELECT 1\n--> statement-breakpoint\nSELECT 2",
	             "SELECT 1\n;--> statement-breakpoint\nSELECT 2");
	/* Mid-line, as drizzle splits it too. */
	expect_split("SELECT 1 --> statement-breakpoint\nSELECT 2",
	             "SELECT 1 ;--> statement-breakpoint\nSELECT 2");
	/* A piece of only white space gets nothing; one of a comment gets ';'. */
	expect_split("--> statement-breakpoint\n  \n--> statement-breakpoint\nSELECT 1;",
	             "--> statement-breakpoint\n  \n--> statement-breakpoint\nSELECT 1;");
	expect_split("-- note\n--> statement-breakpoint\nSELECT 1;",
	             "-- note\n;--> statement-breakpoint\nSELECT 1;");
	/* Only the exact marker splits. */
	expect_split("SELECT 1\n--> statement_breakpoint\n-->statement-breakpoint\nSELECT 2",
	             "SELECT 1\n--> statement_breakpoint\n-->statement-breakpoint\nSELECT 2");
	expect_split("", "");
}

typedef struct dir {
	char path[64];
	int fd;
} dir;

static void journal_dir(dir *d, const char *json)
{
	snprintf(d->path, sizeof d->path, "/tmp/strata-drizzle-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	char p[128];
	snprintf(p, sizeof p, "%s/meta", d->path);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/meta/_journal.json", d->path);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(json, fp);
	fclose(fp);
	d->fd = open(d->path, O_RDONLY | O_DIRECTORY);
	assert_true(d->fd >= 0);
}

static void dir_free(dir *d)
{
	char p[128];
	close(d->fd);
	snprintf(p, sizeof p, "%s/meta/_journal.json", d->path);
	unlink(p);
	snprintf(p, sizeof p, "%s/meta", d->path);
	rmdir(p);
	rmdir(d->path);
}

static void test_journal(void **state)
{
	(void)state;
	dir d;
	/* A string holding braces does not move the entries' lines. */
	journal_dir(&d, "{\n  \"note\": \"{[{\",\n  \"entries\": [\n    {\n      \"when\": 1700000000000,\n"
	                "      \"tag\": \"0000_a\"\n    },\n    {\"when\": 1700000001000, \"tag\": \"0001_b\"}\n"
	                "  ]\n}\n");
	fake_host f;
	fake_init(&f, "sqlite");
	dz_journal j;
	assert_int_equal(dz_journal_read(&f.h, d.fd, &j), STRATA_OK);
	assert_int_equal(j.n, 2);
	assert_string_equal(j.v[0].tag, "0000_a");
	assert_string_equal(j.v[0].when, "1700000000000");
	assert_int_equal(j.v[0].line, 4);
	assert_string_equal(j.v[1].tag, "0001_b");
	assert_int_equal(j.v[1].line, 8);
	dz_journal_free(&j);
	dir_free(&d);
}

static void expect_bad(const char *json, int line, const char *msg)
{
	dir d;
	journal_dir(&d, json);
	fake_host f;
	fake_init(&f, "sqlite");
	dz_journal j;
	assert_int_equal(dz_journal_read(&f.h, d.fd, &j), STRATA_EINVAL);
	assert_int_equal(j.n, 0);
	assert_null(j.v);
	assert_string_equal(f.file, DZ_JOURNAL);
	assert_int_equal(f.line, line);
	assert_string_equal(f.msg, msg);
	dir_free(&d);
}

static void test_bad_journals(void **state)
{
	(void)state;
	expect_bad("{\"entries\": [\n{\"tag\": \"0000_a\" \"when\": 1}]}", 2,
	           "not valid JSON: object value separator ',' expected");
	expect_bad("{\"entries\": []}\n}", 2, "not valid JSON: text after the journal's object");
	expect_bad("[]", 1, "the journal has no \"entries\" array");
	expect_bad("{\"entries\": [\n  {\"when\": 1}]}", 2, "a journal entry has no string \"tag\"");
	expect_bad("{\"entries\": [\n  {\"tag\": \"0000_a\", \"when\": \"1\"}]}", 2,
	           "journal entry '0000_a' has no \"when\" (milliseconds)");
	expect_bad("{\"entries\": [\n  {\"tag\": \"../x\", \"when\": 1}]}", 2,
	           "journal entry tag '../x' is not a file name");
	expect_bad("{\"entries\": [\n  {\"tag\": \"0000_a\", \"when\": 1},\n  {\"tag\": \"0000_a\", "
	           "\"when\": 2}]}",
	           3, "journal entry '0000_a' is listed twice (line 2)");
	expect_bad("{\"entries\": [\n  7]}", 0, "a journal entry is not an object");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_journal),
		cmocka_unit_test(test_bad_journals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
