/*
 * abiv2: a plugin built against the version 2 ABI header (tests/plugin/abi/v2,
 * include/strata/plugin.h as of 392709d), whose migration descriptor has the
 * *_blocked fields but not `dependencies` (added in version 3).
 *
 * Source role, format "abiv2": a graph with explicit parents
 *
 *     base ── left ──┐
 *        └── right ──┴── merge ── tip
 *
 * handed over in the order tip, merge, right, left, base (children before
 * their parents: the host must order them).  tip's up script is blocked
 * (up_blocked, a version 2 field): apply must stop before it with its reason.
 *
 * Every descriptor is a local on the stack of exactly the version 2 size, so
 * a host that reads a field past struct_size (`dependencies`) reads past the
 * end of a stack object: AddressSanitizer reports a stack-buffer-overflow.
 * The merge's descriptor is the first member of a struct of the plugin's own
 * with a word after it (as a host may embed strata_host in a larger struct),
 * so that without ASan such a read sees a known non-zero value instead of
 * whatever the stack holds: a host that honoured it would take the merge's
 * last parent for a dependency only, and `rollback --to right` would not
 * undo the merge.
 */
#include <stddef.h>
#include <string.h>
#include <strata/plugin.h>

/* This must be the v2 header: its descriptor ends at blocked_hint. */
_Static_assert(STRATA_MIGRATION_DESC_VERSION == 2u, "abiv2 must be built against the v2 header");
_Static_assert(sizeof(strata_migration_desc) ==
                   offsetof(strata_migration_desc, blocked_hint) + sizeof(const char *),
               "v2 descriptor ends at blocked_hint");

struct mig {
	const char *version, *up, *down;
	const char *const *parents;
	const char *up_blocked; /* NULL: runnable */
};

static const char *const root[] = {NULL};
static const char *const after_base[] = {"base", NULL};
static const char *const both[] = {"left", "right", NULL};
static const char *const after_merge[] = {"merge", NULL};

static void fill(strata_migration_desc *m, const struct mig *g)
{
	m->mig_version = g->version;
	m->name = g->version;
	m->up = g->up;
	m->up_len = strlen(g->up);
	m->down = g->down;
	m->down_len = g->down ? strlen(g->down) : 0;
	m->file = g->version; /* virtual: shown as <source path>/<version> */
	m->line = 1;
	m->parents = g->parents;
	if (g->up_blocked) {
		m->up_blocked = g->up_blocked;
		m->up_blocked_line = 3;
		m->blocked_hint = "write the SQL by hand";
	}
}

/* A descriptor of exactly sizeof(strata_migration_desc) (v2) on the stack. */
static int add(strata_host *host, const struct mig *g)
{
	strata_migration_desc m = STRATA_MIGRATION_DESC_INIT;
	fill(&m, g);
	return host->add_migration(host, &m);
}

/* The same, followed by a word of the plugin's own (see the top comment). */
static int add_embedded(strata_host *host, const struct mig *g)
{
	struct {
		strata_migration_desc m;
		unsigned int after;
	} w = {.m = STRATA_MIGRATION_DESC_INIT, .after = 1};
	fill(&w.m, g);
	return host->add_migration(host, &w.m);
}

static int scan(strata_host *host, const strata_source_cfg *cfg)
{
	(void)cfg;
	static const struct mig tip = {"tip", "SELECT 1;\n", "SELECT 1;\n", after_merge,
	                               "upgrade() builds its SQL in a loop"};
	static const struct mig merge = {"merge", "CREATE TABLE abiv2_merge (id INTEGER PRIMARY KEY);\n",
	                                 "DROP TABLE abiv2_merge;\n", both, NULL};
	static const struct mig right = {"right", "CREATE TABLE abiv2_right (id INTEGER PRIMARY KEY);\n",
	                                 "DROP TABLE abiv2_right;\n", after_base, NULL};
	static const struct mig left = {"left", "CREATE TABLE abiv2_left (id INTEGER PRIMARY KEY);\n",
	                                "DROP TABLE abiv2_left;\n", after_base, NULL};
	static const struct mig base = {"base", "CREATE TABLE abiv2_base (id INTEGER PRIMARY KEY);\n",
	                                "DROP TABLE abiv2_base;\n", root, NULL};
	int rc;
	if ((rc = add(host, &tip)) < 0 || (rc = add_embedded(host, &merge)) < 0 ||
	    (rc = add(host, &right)) < 0 || (rc = add(host, &left)) < 0 || (rc = add(host, &base)) < 0)
		return rc;
	return STRATA_OK;
}

static const char *const formats[] = {"abiv2", NULL};

static const strata_source_ops source = {
	STRATA_OPS_INIT(strata_source_ops, STRATA_SOURCE_VERSION),
	.formats = formats,
	.scan = scan,
};

static const strata_plugin desc = {
	STRATA_PLUGIN_INIT("abiv2", "2.0", "ABI fixture built against the v2 header"),
	.source = &source,
};

STRATA_PLUGIN_DEFINE(desc)
