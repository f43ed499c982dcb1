/*
 * Unit tests of core/plugins/call.c, the one funnel into plugins: a failure
 * leaves an error whose code is what the plugin returned, with the plugin's
 * message, or "WHAT: plugin NAME failed and gave no reason" when it gave none.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "plugins.h"

typedef struct fx {
	err_ctx e;
	config cfg;
	loader L;
} fx;

static int setup(void **state)
{
	fx *f = xcalloc(1, sizeof *f);
	err_ctx_init(&f->e);
	f->cfg.lock_timeout_ms = 10000;
	f->cfg.sources = xcalloc(1, sizeof *f->cfg.sources);
	f->cfg.sources[0].name = xstrdup("db");
	f->cfg.sources[0].format = xstrdup("fake");
	f->cfg.sources[0].path = xstrdup("/proj/db");
	f->cfg.sources[0].path_display = xstrdup("db");
	f->cfg.nsources = 1;
	loader_init(&f->L, &f->e, &f->cfg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	loader_free(&f->L);
	config_free(&f->cfg);
	err_ctx_free(&f->e);
	free(f);
	return 0;
}

/* Sources that fail in the ways a plugin can. */
static int scan_busy_with_reason(strata_host *h, const strata_source_cfg *cfg)
{
	h->error(h, STRATA_ECLASS_SOURCE, "0001.sql", 3, 0, NULL, "locked by %s", cfg->name);
	return STRATA_EBUSY;
}

static int scan_silent(strata_host *h, const strata_source_cfg *cfg)
{
	(void)h, (void)cfg;
	return STRATA_EIO;
}

static int scan_ok(strata_host *h, const strata_source_cfg *cfg)
{
	(void)h;
	return strcmp(cfg->path, "/proj/db") ? STRATA_EINVAL : STRATA_OK;
}

static const char *const formats[] = {"fake", NULL};

static int run_scan(fx *f, int (*scan)(strata_host *, const strata_source_cfg *))
{
	strata_source_ops ops = {STRATA_OPS_INIT(strata_source_ops, STRATA_SOURCE_VERSION),
	                         .formats = formats, .scan = scan};
	strata_plugin desc = {STRATA_PLUGIN_INIT("fake", "1", "test"), .source = &ops};
	plugin pl = {.desc = &desc};
	host_call hc;
	host_init(&hc, &f->L);
	hc.source = 0;
	return call_scan(&hc, &pl);
}

static void test_code_is_the_plugins(void **state)
{
	fx *f = *state;
	assert_int_equal(run_scan(f, scan_busy_with_reason), STRATA_EBUSY);
	const strata_error_info *e = err_last(&f->e);
	assert_non_null(e);
	assert_int_equal(e->code, STRATA_EBUSY); /* not the host's STRATA_ERR */
	assert_string_equal(e->message, "locked by db");
	assert_string_equal(e->file, "db/0001.sql"); /* from the config's point of view */
	assert_int_equal(e->line, 3);
}

static void test_no_reason_given(void **state)
{
	fx *f = *state;
	assert_int_equal(run_scan(f, scan_silent), STRATA_EIO);
	const strata_error_info *e = err_last(&f->e);
	assert_non_null(e);
	assert_int_equal(e->code, STRATA_EIO);
	assert_string_equal(e->message,
	                    "source 'db' failed to read: plugin fake failed and gave no reason");
	assert_string_equal(e->file, "db");
}

/* An error left from before the call is not taken for the plugin's reason. */
static void test_stale_error_is_not_a_reason(void **state)
{
	fx *f = *state;
	err_set(&f->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, "strata.yaml", 1, 1, NULL, "earlier");
	assert_int_equal(run_scan(f, scan_silent), STRATA_EIO);
	const strata_error_info *e = err_last(&f->e);
	assert_int_equal(e->code, STRATA_EIO);
	assert_string_equal(e->message,
	                    "source 'db' failed to read: plugin fake failed and gave no reason");
}

static void test_success_binds_the_source(void **state)
{
	fx *f = *state;
	assert_int_equal(run_scan(f, scan_ok), 0);
	assert_null(err_last(&f->e));
}

/* Drivers: a silent failure names the call and the (redacted) target. */
static int begin_silent(strata_conn *c, strata_host *h)
{
	(void)c, (void)h;
	return STRATA_ESQL;
}

static void test_driver_no_reason(void **state)
{
	fx *f = *state;
	strata_driver_ops ops = {STRATA_OPS_INIT(strata_driver_ops, STRATA_DRIVER_VERSION),
	                         .begin = begin_silent};
	strata_plugin desc = {STRATA_PLUGIN_INIT("drv", "1", "test"), .driver = &ops};
	plugin pl = {.desc = &desc};
	host_call hc;
	host_init(&hc, &f->L);
	hc.display = "postgresql://u:***@h/db";
	assert_int_equal(call_begin(&hc, &pl, NULL), STRATA_ESQL);
	const strata_error_info *e = err_last(&f->e);
	assert_int_equal(e->code, STRATA_ESQL);
	assert_string_equal(e->message,
	                    "cannot begin a transaction: plugin drv failed and gave no reason");
	assert_string_equal(e->file, "postgresql://u:***@h/db");
}

/* A driver table from before needs_autocommit was appended: never read. */
static void test_short_driver_table(void **state)
{
	fx *f = *state;
	strata_driver_ops ops = {STRATA_OPS_INIT(strata_driver_ops, STRATA_DRIVER_VERSION)};
	ops.struct_size = (unsigned)offsetof(strata_driver_ops, needs_autocommit);
	strata_plugin desc = {STRATA_PLUGIN_INIT("drv", "1", "test"), .driver = &ops};
	plugin pl = {.desc = &desc};
	host_call hc;
	host_init(&hc, &f->L);
	strata_script sc = {.version = STRATA_SCRIPT_VERSION, .struct_size = sizeof sc};
	assert_int_equal(call_needs_autocommit(&hc, &pl, NULL, &sc), 0);
	assert_false(call_has_scratch(&pl));
	assert_false(STRATA_HAS(strata_driver_ops, &ops, needs_autocommit));
	assert_true(STRATA_HAS(strata_driver_ops, &ops, table_exists));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_code_is_the_plugins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_reason_given, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_error_is_not_a_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_success_binds_the_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_no_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_driver_table, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
