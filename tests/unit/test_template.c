/*
 * Unit tests of the replay cache's pieces (core/run/template.c): the hash
 * state read at every step gives, for each prefix, the digest of that
 * prefix alone (the keys of every prefix in one pass), and a template's
 * comment reads back into its key, prefix, time and project.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

static void prefixes_hash_alone(void **state)
{
	(void)state;
	const char *parts[] = {"a", "", "migration 2\n", "x\0y", "the last"};
	size_t lens[] = {1, 0, 12, 3, 8};
	char all[64] = "", got[65], want[65];
	size_t used = 0;
	sha256_run *h = sha256_run_new();
	sha256_run_hex(h, got);
	sha256_hex("", 0, want);
	assert_string_equal(got, want);
	for (size_t i = 0; i < 5; i++) {
		sha256_run_add(h, parts[i], lens[i]);
		memcpy(all + used, parts[i], lens[i]);
		used += lens[i];
		sha256_run_hex(h, got);
		sha256_run_hex(h, got); /* reading twice changes nothing */
		sha256_hex(all, used, want);
		assert_string_equal(got, want);
	}
	sha256_run_free(h);
}

static void comment_reads_back(void **state)
{
	(void)state;
	tpl_entry e;
	tpl_entry_read(&e, "strata_tpl_ab",
	               "strata replay template: key=abcd prefix=400 created=2026-12-04T21:00:00.000Z "
	               "project=/home/me/my project/strata.yaml");
	assert_string_equal(e.name, "strata_tpl_ab");
	assert_string_equal(e.key, "abcd");
	assert_int_equal(e.prefix, 400);
	assert_string_equal(e.created, "2026-12-04T21:00:00.000Z");
	assert_string_equal(e.project, "/home/me/my project/strata.yaml");
	tpl_entry_clear(&e);
	/* Not strata's comment (or none): a name only, never used. */
	tpl_entry_read(&e, "strata_tpl_cd", "a database someone made");
	assert_null(e.key);
	assert_null(e.project);
	tpl_entry_clear(&e);
	tpl_entry_read(&e, "strata_tpl_ef", NULL);
	assert_string_equal(e.name, "strata_tpl_ef");
	assert_null(e.key);
	tpl_entry_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prefixes_hash_alone),
		cmocka_unit_test(comment_reads_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
