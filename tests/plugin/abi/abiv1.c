/*
 * abiv1: a plugin built against the version 1 ABI header (tests/plugin/abi/v1,
 * include/strata/plugin.h as of 8d02b9c), to prove that today's strata still
 * loads and drives it.
 *
 * Source role, format "abiv1": three linear migrations (parents NULL) handed
 * over in version 1 descriptors (STRATA_MIGRATION_DESC_INIT of that header,
 * on the stack), each with a down script.
 *
 * Tracker role: its own table abiv1_log(version, state), written by record()
 * through host->db_exec and host->db_query with bound parameters $1 $2, and
 * reported back by read() through host->track_row() in version 1 rows.
 */
#include <stddef.h>
#include <string.h>
#include <strata/plugin.h>

/* This must be the v1 header: its descriptor ends at native_checksum. */
_Static_assert(STRATA_MIGRATION_DESC_VERSION == 1u, "abiv1 must be built against the v1 header");
_Static_assert(sizeof(strata_migration_desc) ==
                   offsetof(strata_migration_desc, native_checksum) + sizeof(const char *),
               "v1 descriptor ends at native_checksum");

struct mig {
	const char *version, *name, *up, *down;
};

static const struct mig migs[] = {
	{"1", "create abiv1_a", "CREATE TABLE abiv1_a (id INTEGER PRIMARY KEY);\n",
	 "DROP TABLE abiv1_a;\n"},
	{"2", "seed abiv1_a", "INSERT INTO abiv1_a (id) VALUES (1);\nINSERT INTO abiv1_a (id) VALUES (2);\n",
	 "DELETE FROM abiv1_a WHERE id IN (1, 2);\n"},
	{"3", "create abiv1_b", "CREATE TABLE abiv1_b (x TEXT NOT NULL);\n", "DROP TABLE abiv1_b;\n"},
};

static int scan(strata_host *host, const strata_source_cfg *cfg)
{
	(void)cfg;
	for (size_t i = 0; i < sizeof migs / sizeof migs[0]; i++) {
		strata_migration_desc m = STRATA_MIGRATION_DESC_INIT;
		m.mig_version = migs[i].version;
		m.name = migs[i].name;
		m.up = migs[i].up;
		m.up_len = strlen(migs[i].up);
		m.down = migs[i].down;
		m.down_len = strlen(migs[i].down);
		m.file = migs[i].version; /* virtual: shown as <source path>/<version> */
		m.line = 1;
		int rc = host->add_migration(host, &m);
		if (rc < 0)
			return rc;
	}
	return STRATA_OK;
}

static const char LOG_DDL[] =
	"CREATE TABLE IF NOT EXISTS abiv1_log (version TEXT PRIMARY KEY, state TEXT NOT NULL)";

static int record(strata_host *host, const strata_source_cfg *cfg, const strata_track_event *ev)
{
	(void)cfg;
	if (!ev->mig_version || !ev->state) {
		host->error(host, STRATA_ECLASS_PLUGIN, NULL, 0, 0, NULL, "abiv1: event without version or state");
		return STRATA_EINVAL;
	}
	if (!strcmp(ev->state, "running"))
		return STRATA_OK; /* only outcomes are kept */
	int rc = host->db_exec(host, LOG_DDL);
	if (rc < 0)
		return rc;
	const char *const params[] = {ev->mig_version, ev->state};
	return host->db_query(host,
	                      "INSERT INTO abiv1_log (version, state) VALUES ($1, $2) "
	                      "ON CONFLICT (version) DO UPDATE SET state = excluded.state",
	                      params, 2, NULL, NULL);
}

static int on_log_row(void *ud, int ncols, const char *const *values)
{
	strata_host *host = ud;
	if (ncols != 2 || !values[0] || !values[1])
		return STRATA_EINVAL;
	strata_track_row row = {
		.version = 1,
		.struct_size = sizeof row,
		.mig_version = values[0],
		.state = values[1],
	};
	return host->track_row(host, &row);
}

static int read_log(strata_host *host, const strata_source_cfg *cfg)
{
	(void)cfg;
	int ex = host->db_table_exists(host, "abiv1_log");
	if (ex <= 0)
		return ex; /* no table: no rows */
	return host->db_query(host, "SELECT version, state FROM abiv1_log ORDER BY version", NULL, 0,
	                      on_log_row, host);
}

static const char *const formats[] = {"abiv1", NULL};

static const strata_source_ops source = {
	STRATA_OPS_INIT(strata_source_ops, STRATA_SOURCE_VERSION),
	.formats = formats,
	.scan = scan,
};

static const strata_tracker_ops tracker = {
	STRATA_OPS_INIT(strata_tracker_ops, STRATA_TRACKER_VERSION),
	.table = "abiv1_log",
	.read = read_log,
	.record = record,
};

static const strata_plugin desc = {
	STRATA_PLUGIN_INIT("abiv1", "1.0", "ABI fixture built against the v1 header"),
	.source = &source,
	.tracker = &tracker,
};

STRATA_PLUGIN_DEFINE(desc)
