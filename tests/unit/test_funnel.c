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

/* txn_control: version 2 of strata_driver_ops. */
static size_t txn_start = 3, txn_end = 9;
static int txn_answer = STRATA_TXN_WRAPPED;

static int txn_fixed(strata_conn *c, strata_host *h, const strata_script *sc, size_t *start,
                     size_t *end)
{
	(void)c, (void)h, (void)sc;
	*start = txn_start;
	*end = txn_end;
	return txn_answer;
}

static int txn_never(strata_conn *c, strata_host *h, const strata_script *sc, size_t *start,
                     size_t *end)
{
	(void)c, (void)h, (void)sc, (void)start, (void)end;
	fail_msg("txn_control read from a driver table that does not hold it");
	return STRATA_TXN_OWN;
}

static int txn_silent(strata_conn *c, strata_host *h, const strata_script *sc, size_t *start,
                      size_t *end)
{
	(void)c, (void)h, (void)sc, (void)start, (void)end;
	return STRATA_EIO;
}

static int txn_call(fx *f, strata_driver_ops *ops, size_t *start, size_t *end)
{
	strata_plugin desc = {STRATA_PLUGIN_INIT("drv", "1", "test"), .driver = ops};
	plugin pl = {.desc = &desc};
	host_call hc;
	host_init(&hc, &f->L);
	strata_script sc = {.version = STRATA_SCRIPT_VERSION, .struct_size = sizeof sc,
	                    .sql = "BEGIN; x; COMMIT;", .len = 17, .file = "m/1.sql", .line = 1};
	return call_txn_control(&hc, &pl, NULL, &sc, start, end);
}

/* A version-1 driver table ends before txn_control: whatever lies beyond
 * its end is never called, and the script has no transaction control. */
static void test_txn_control_v1_driver(void **state)
{
	fx *f = *state;
	strata_driver_ops ops = {STRATA_OPS_INIT(strata_driver_ops, STRATA_DRIVER_VERSION),
	                         .txn_control = txn_never};
	ops.struct_size = (unsigned)offsetof(strata_driver_ops, txn_control);
	size_t start = 99, end = 99;
	assert_int_equal(txn_call(f, &ops, &start, &end), STRATA_TXN_NONE);
	assert_int_equal(start, 0);
	assert_int_equal(end, 17);
	assert_true(STRATA_HAS(strata_driver_ops, &ops, scratch_drop));
	assert_false(STRATA_HAS(strata_driver_ops, &ops, txn_control));
	ops.struct_size = sizeof ops; /* version 2 without the member: the same */
	ops.txn_control = NULL;
	assert_int_equal(txn_call(f, &ops, &start, &end), STRATA_TXN_NONE);
	assert_null(err_last(&f->e));
}

/* The pipeline (driver version 6): all three members, in a table that
 * holds them; run() while on may say "not this script" without an error. */
static int pipe_on(strata_conn *c, strata_host *h, int on)
{
	(void)c, (void)h;
	return on;
}

static int pipe_defer(strata_conn *c, strata_host *h, const char *sql, const char *const *p,
                      int n, strata_row_fn fn, void *ud, int tag)
{
	(void)c, (void)h, (void)sql, (void)p, (void)n, (void)fn, (void)ud, (void)tag;
	return 0;
}

static int pipe_flush(strata_conn *c, strata_host *h, int *tag)
{
	(void)c, (void)h;
	*tag = STRATA_PIPE_COMMIT;
	return STRATA_ESQL;
}

static int run_answer = STRATA_ENOTFOUND;
static int run_fixed(strata_conn *c, strata_host *h, const strata_script *sc)
{
	(void)c, (void)h, (void)sc;
	return run_answer;
}

static void test_pipeline(void **state)
{
	fx *f = *state;
	strata_driver_ops ops = {STRATA_OPS_INIT(strata_driver_ops, STRATA_DRIVER_VERSION),
	                         .run = run_fixed, .pipeline = pipe_on, .defer = pipe_defer,
	                         .flush = pipe_flush};
	strata_plugin desc = {STRATA_PLUGIN_INIT("drv", "1", "test"), .driver = &ops};
	plugin pl = {.desc = &desc};
	host_call hc;
	host_init(&hc, &f->L);
	hc.display = "postgresql://h/db";
	assert_true(call_has_pipeline(&pl));
	assert_int_equal(call_pipeline(&hc, &pl, NULL, 1), 1);
	int tag = 0;
	assert_int_equal(call_flush(&hc, &pl, NULL, &tag), STRATA_ESQL);
	assert_int_equal(tag, STRATA_PIPE_COMMIT);
	assert_string_equal(err_last(&f->e)->message,
	                    "query failed: plugin drv failed and gave no reason");
	err_clear(&f->e);
	strata_script sc = {.version = STRATA_SCRIPT_VERSION, .struct_size = sizeof sc,
	                    .sql = "x", .len = 1, .file = "m/1.sql", .line = 1};
	run_answer = STRATA_ENOTFOUND; /* not this script: no error */
	assert_int_equal(call_run_piped(&hc, &pl, NULL, &sc), STRATA_ENOTFOUND);
	assert_null(err_last(&f->e));
	run_answer = STRATA_ESQL;
	assert_int_equal(call_run_piped(&hc, &pl, NULL, &sc), STRATA_ESQL);
	assert_string_equal(err_last(&f->e)->message,
	                    "migration failed: plugin drv failed and gave no reason");
	err_clear(&f->e);
	/* A version-5 table ends before them; one without all three has none. */
	ops.struct_size = (unsigned)offsetof(strata_driver_ops, pipeline);
	assert_false(call_has_pipeline(&pl));
	ops.struct_size = sizeof ops;
	ops.defer = NULL;
	assert_false(call_has_pipeline(&pl));
}

static void test_txn_control_answers(void **state)
{
	fx *f = *state;
	strata_driver_ops ops = {STRATA_OPS_INIT(strata_driver_ops, STRATA_DRIVER_VERSION),
	                         .txn_control = txn_fixed};
	size_t start = 0, end = 0;
	txn_answer = STRATA_TXN_WRAPPED, txn_start = 6, txn_end = 9;
	assert_int_equal(txn_call(f, &ops, &start, &end), STRATA_TXN_WRAPPED);
	assert_int_equal(start, 6);
	assert_int_equal(end, 9);
	txn_answer = STRATA_TXN_OWN;
	assert_int_equal(txn_call(f, &ops, &start, &end), STRATA_TXN_OWN);
	assert_int_equal(start, 0); /* the whole script runs */
	assert_int_equal(end, 17);
	assert_null(err_last(&f->e));
	/* A body outside the script is the plugin's bug, not a reason to run it. */
	txn_answer = STRATA_TXN_WRAPPED, txn_start = 6, txn_end = 18;
	assert_int_equal(txn_call(f, &ops, &start, &end), STRATA_ERR);
	const strata_error_info *e = err_last(&f->e);
	assert_int_equal(e->cls, STRATA_ECLASS_PLUGIN);
	assert_string_equal(e->message, "plugin drv gave an invalid answer about the script's "
	                                "transaction control (1, bytes 6-18 of 17)");
	txn_answer = 7, txn_start = 0, txn_end = 0;
	assert_int_equal(txn_call(f, &ops, &start, &end), STRATA_ERR);
	ops.txn_control = txn_silent;
	assert_int_equal(txn_call(f, &ops, &start, &end), STRATA_EIO);
	e = err_last(&f->e);
	assert_int_equal(e->code, STRATA_EIO);
	assert_string_equal(e->message, "cannot read the script's transaction control: plugin drv "
	                                "failed and gave no reason");
	assert_string_equal(e->file, "m/1.sql");
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
		cmocka_unit_test_setup_teardown(test_txn_control_v1_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn_control_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipeline, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
