/*
 * Unit tests of plugins/common/wfile.c, the writers' shared helpers: names
 * made for file names, the timestamps that keep a history's order (also
 * across dates before the fixed base), lineage parents, and files that are
 * made new, never overwritten.
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

#include "wfile.h"
#include "fake_host.h"

static void test_slug(void **state)
{
	(void)state;
	char out[32];
	wf_slug("create users", "migration", out, sizeof out);
	assert_string_equal(out, "create_users");
	wf_slug("  add: index (email) ", "migration", out, sizeof out);
	assert_string_equal(out, "add_index_email");
	wf_slug("keep_under_score", "migration", out, sizeof out);
	assert_string_equal(out, "keep_under_score");
	wf_slug("", "migration", out, sizeof out);
	assert_string_equal(out, "migration");
	wf_slug("!!!", "migration", out, sizeof out);
	assert_string_equal(out, "migration");
	wf_slug("abcdefghij", "m", out, 5);
	assert_string_equal(out, "abcd");
}

static void test_stamps(void **state)
{
	(void)state;
	char s[15], ms[14];
	assert_int_equal(wf_stamp14("2024-01-02T03:04:05Z", s), 1);
	assert_string_equal(s, "20240102030405");
	assert_int_equal(wf_stamp14("2024-13-02T03:04:05Z", s), 0);
	assert_int_equal(wf_stamp14("yesterday", s), 0);
	assert_int_equal(wf_stamp14(NULL, s), 0);
	wf_stamp14_at(0, s);
	assert_string_equal(s, "20200101000000");
	wf_stamp13_at(1, ms);
	assert_string_equal(ms, "1577836801000");
	/* no date: base + index; a date after the previous: the date */
	long long t = wf_next_secs(WF_NO_STAMP, NULL, 0);
	assert_true(t == 0);
	t = wf_next_secs(t, "2024-01-02T03:04:05Z", 1);
	wf_stamp14_at(t, s);
	assert_string_equal(s, "20240102030405");
	/* a date not after the previous one: one second after it */
	t = wf_next_secs(t, "2023-01-01T00:00:00Z", 2);
	wf_stamp14_at(t, s);
	assert_string_equal(s, "20240102030406");
	/* dates before the base keep their order too */
	long long a = wf_next_secs(WF_NO_STAMP, "2015-05-05T05:05:05Z", 0);
	long long b = wf_next_secs(a, "2014-01-01T00:00:00Z", 1);
	assert_true(a < 0 && b == a + 1);
	wf_stamp14_at(a, s);
	assert_string_equal(s, "20150505050505");
}

static void test_lineage(void **state)
{
	(void)state;
	const char *two[] = { "a", "b", NULL }, *none[] = { NULL };
	strata_write_mig m = { .version = STRATA_WRITE_MIG_VERSION, .struct_size = sizeof m };
	assert_int_equal(wf_lineage(&m), 0);
	m.parents = none;
	assert_int_equal(wf_lineage(&m), 0);
	m.parents = two;
	assert_int_equal(wf_lineage(&m), 2);
	m.dependencies = 1;
	assert_int_equal(wf_lineage(&m), 1);
	/* a writer built before the field: every parent is lineage */
	m.struct_size = (unsigned)offsetof(strata_write_mig, up_statements);
	assert_int_equal(wf_lineage(&m), 2);
}

static void test_write_new(void **state)
{
	(void)state;
	char dir[] = "/tmp/strata-wfile-XXXXXX";
	assert_non_null(mkdtemp(dir));
	fake_host f;
	fake_init(&f, NULL);
	assert_int_equal(wf_write3(&f.h, dir, "a/b/c.sql", "x", 1, "y", 1, NULL, 0), 0);
	char path[128];
	snprintf(path, sizeof path, "%s/a/b/c.sql", dir);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	char buf[8] = { 0 };
	assert_int_equal(fread(buf, 1, sizeof buf - 1, fp), 2);
	fclose(fp);
	assert_string_equal(buf, "xy");
	/* never overwritten: two migrations on one name are an error */
	assert_int_equal(wf_write(&f.h, dir, "a/b/c.sql", "z", 1), STRATA_EINVAL);
	assert_non_null(strstr(f.msg, "cannot create the file"));
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_stamps),
		cmocka_unit_test(test_lineage),
		cmocka_unit_test(test_write_new),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
