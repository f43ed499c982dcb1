/*
 * strata plugin ABI — the only header a strata plugin includes.
 *
 * A plugin is a shared module that exports one function, strata_plugin_entry(),
 * returning a pointer to a const strata_plugin descriptor.  The descriptor says
 * which ABI the plugin was built for and which roles it fills:
 *
 *   source   reads a folder of migrations and hands them to the host;
 *   tracker  reads and writes one tool's tracking table through the host's
 *            database connection;
 *   driver   talks to one kind of database (chosen by URL scheme).
 *
 * Rules of the road (the host relies on them):
 *   - Every struct below starts with a version and its size and only ever grows
 *     at the end, like sqlite3_vfs.  Each append bumps the struct's version and
 *     is headed by a "Fields below: version N" marker.  The reader of a struct
 *     (host or plugin) touches a field only when STRATA_HAS() says the size its
 *     writer reported covers it: that one check, never a version compare.
 *   - Memory never crosses the boundary un-owned.  The host copies everything a
 *     plugin hands it during the call; the plugin frees its own allocations.
 *   - A plugin never prints and never exits.  It reports through host->error()
 *     (message, file, line, column, hint) and returns a negative status.
 */
#ifndef STRATA_PLUGIN_H
#define STRATA_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped only when a struct changes incompatibly; the host refuses others. */
#define STRATA_PLUGIN_ABI_VERSION 1u

#if defined(__GNUC__)
#define STRATA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define STRATA_EXPORT __attribute__((visibility("default")))
#else
#define STRATA_PRINTF(f, a)
#define STRATA_EXPORT
#endif

/*
 * Does the struct p points to hold field?  True when the struct_size its
 * writer reported (the sizeof of the header it was built with) covers the
 * whole field.  The ABI's one field-presence check, for host and plugins:
 *     if (STRATA_HAS(strata_migration_desc, d, dependencies)) …
 */
#define STRATA_HAS(type, p, field) \
	((size_t)(p)->struct_size >= offsetof(type, field) + sizeof(((const type *)0)->field))

/* Status codes: 0 is success, errors are negative. */
enum {
	STRATA_OK = 0,
	STRATA_ERR = -1,       /* generic failure, details in the host error */
	STRATA_ENOTFOUND = -2, /* the thing asked for does not exist */
	STRATA_EBUSY = -3,     /* a lock could not be taken in time */
	STRATA_EINVAL = -4,    /* bad input: config, file contents, usage */
	STRATA_ENOMEM = -5,
	STRATA_EIO = -6,       /* the file system or the database failed */
	STRATA_ESQL = -7,      /* a migration statement failed */
	STRATA_ESTATE = -8,    /* the recorded state forbids it (failed, modified, …) */
	STRATA_EINTR = -9,     /* stopped on request (strata_interrupt(): a signal) */
	STRATA_STOP = 1        /* a row callback asks the driver to stop early */
};

/* Error classes: what kind of thing went wrong, for messages and exit codes. */
typedef enum strata_error_class {
	STRATA_ECLASS_NONE = 0,
	STRATA_ECLASS_CONFIG,  /* strata.yaml or a formats/ descriptor */
	STRATA_ECLASS_PLUGIN,  /* loading or ABI */
	STRATA_ECLASS_SOURCE,  /* a migration folder or file */
	STRATA_ECLASS_DB,      /* connecting, tracking tables */
	STRATA_ECLASS_SQL,     /* a migration's own statements */
	STRATA_ECLASS_LOCK,
	STRATA_ECLASS_USAGE,
	STRATA_ECLASS_OS
} strata_error_class;

/* Driver open flags. */
#define STRATA_OPEN_READONLY 0x1u

/* Migration flags. */
#define STRATA_MIG_NO_TRANSACTION 0x1u /* run outside a transaction */
#define STRATA_MIG_HAS_DOWN       0x2u /* down script present (maybe empty) */
/* The down script's own transaction mode (dbmate's options on the down
 * marker): with DOWN_OWN_TX, NO_TRANSACTION is the up script's alone and
 * DOWN_NO_TRANSACTION says whether the down script runs outside one. */
#define STRATA_MIG_DOWN_OWN_TX         0x4u
#define STRATA_MIG_DOWN_NO_TRANSACTION 0x8u
/* Kinds (none of the two: a versioned migration).  A baseline migration
 * (Flyway's B{version}__) stands for every versioned migration up to its
 * version on an empty database; its version is native_key (mig_version is
 * its own id, e.g. "B1_20_0", so it may share a version with a V).  A
 * repeatable (Flyway's R__) has no version: mig_version is its id, it runs
 * after the versioned ones, in name order, and again when its checksum
 * changes. */
#define STRATA_MIG_BASELINE       0x10u
#define STRATA_MIG_REPEATABLE     0x20u

typedef struct strata_host strata_host;
struct strata_object;
struct strata_catalog_object;
struct strata_write_mig;
typedef struct strata_conn strata_conn; /* a driver's connection, opaque */

/* Row callback for queries: values are NUL-terminated text, NULL for SQL NULL,
 * valid only during the call.  Return STRATA_STOP to end early. */
typedef int (*strata_row_fn)(void *ud, int ncols, const char *const *values);

/* Text sink, used for schema dumps. */
typedef int (*strata_text_fn)(void *ud, const char *text, size_t len);

/*
 * What a source hands the host for one migration.  Every pointer is borrowed
 * for the duration of add_migration(); the host copies what it keeps.
 */
typedef struct strata_migration_desc {
	unsigned int version; /* STRATA_MIGRATION_DESC_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1. */
	const char *mig_version;     /* as written: "0001", "1.2.3", a revision id */
	const char *name;            /* human name, may be "" */
	const char *up;              /* up script */
	size_t up_len;
	const char *down;            /* NULL if none */
	size_t down_len;
	const char *file;            /* file of the up script, relative to the source */
	int line;                    /* line in that file where the up script starts */
	const char *down_file;       /* NULL if none */
	int down_line;
	unsigned int flags;          /* STRATA_MIG_* */
	const char *const *parents;  /* NULL: linear (previous in version order);
	                                else NULL-terminated list of versions in the same
	                                source, empty list for a root */
	const char *native_checksum; /* the format's own checksum, or NULL */
	/* Fields below: version 2.  A script the source found but cannot turn into SQL (an
	 * Alembic body with a loop, a call to a helper, …): the reason and its
	 * line in file / down_file, plus a hint naming the ways forward.  The
	 * migration keeps its place in the ledger; apply and rollback stop before
	 * it.  NULL reason: the script is runnable. */
	const char *up_blocked;
	int up_blocked_line;
	const char *down_blocked;
	int down_blocked_line;
	const char *blocked_hint;
	/* Fields below: version 3.  How many of parents[] (the last ones) are dependencies
	 * only (Alembic's depends_on), not lineage: ordered before the migration
	 * and applied with it, but `rollback --to` a dependency does not undo
	 * it.  0: every parent is lineage. */
	unsigned int dependencies;
	/* Fields below: version 4.  What the native tool keys this migration's
	 * tracking row by, when that is not mig_version (Drizzle's journal
	 * `when`, in milliseconds); NULL: the version. */
	const char *native_key;
	/* Fields below: version 5.  Where each line of up / down comes from,
	 * for a script the source translated (Alembic's op.* calls): for script
	 * line i (0-based, counted from the script's first byte) the line in
	 * file / down_file, and the column there of the line's first character
	 * (1-based; 0: report the line only).  NULL: lines count from line /
	 * down_line as the script is written. */
	const int *up_lines;
	const int *up_cols;
	size_t up_nlines;
	const int *down_lines;
	const int *down_cols;
	size_t down_nlines;
} strata_migration_desc;
#define STRATA_MIGRATION_DESC_VERSION 5u
#define STRATA_MIGRATION_DESC_INIT \
	{ .version = STRATA_MIGRATION_DESC_VERSION, .struct_size = sizeof(strata_migration_desc) }

/* A source binding from the config: name, folder and format options. */
typedef struct strata_source_cfg {
	unsigned int version; /* STRATA_SOURCE_CFG_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1. */
	const char *name;      /* source name from strata.yaml */
	const char *format;    /* format name that selected this plugin */
	const char *path;      /* folder, absolute */
	const char *config_file; /* for messages */
	int config_line;
	const char *const *option_keys;   /* NULL-terminated, parallel to values */
	const char *const *option_values;
	/* What the command needs (STRATA_WANT_*).  Without STRATA_WANT_DOWN_TEXT a
	 * source may skip reading separate down files: it then hands over
	 * down = NULL with down_file set and STRATA_MIG_HAS_DOWN in flags. */
	unsigned int want;
	/* Fields below: version 2.  The dialect of the database the command targets ("sqlite",
	 * "postgresql"), from its URL, for sources whose SQL depends on it
	 * (Alembic's op.* calls); NULL when no driver serves the URL. */
	const char *dialect;
	/* Fields below: version 3.  For a tracker that serves descriptors
	 * (STRATA_TRACKER_DESCRIPTORS): the descriptor the call is about, the
	 * NAME of formats/trackers/NAME.yaml; NULL in every other call. */
	const char *tracker;
} strata_source_cfg;
#define STRATA_SOURCE_CFG_VERSION 3u
#define STRATA_WANT_DOWN_TEXT 0x1u
/* `want` bits are requests: a plugin that does not know one ignores it, and
 * a host never relies on it being honoured.  STRATA_WANT_DIALECT_CHECK (set by
 * `verify`): a source whose history names the dialect it was written for
 * (Prisma's migration_lock.toml) fails the scan, naming that file:line, when
 * cfg->dialect (the target's) is another one. */
#define STRATA_WANT_DIALECT_CHECK 0x2u
/* STRATA_WANT_QUERIES_ONLY (a tracker's read() made ahead: `status` reads
 * the trackers' tables beside the folder scan, before the ledger exists):
 * only the read's questions to the database and their answers are kept, its
 * rows, messages and errors are dropped, and the same read() follows once
 * the ledger exists.  A tracker may skip the work that asks the database
 * nothing (Prisma's re-reading of each applied migration.sql). */
#define STRATA_WANT_QUERIES_ONLY 0x4u

/* A migration script to run: SQL text plus where it came from. */
typedef struct strata_script {
	unsigned int version; /* STRATA_SCRIPT_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1. */
	const char *sql;
	size_t len;
	const char *file;  /* path for messages */
	int line;          /* line of sql[0] within file */
	unsigned int flags; /* STRATA_MIG_* */
	/* Fields below: version 2.  The source's line map (strata_migration_desc
	 * version 5): for line i of sql (0-based, from sql[0]) the line in file
	 * and the column there of its first character (cols NULL or cols[i] 0:
	 * the line only).  NULL lines: count from line. */
	const int *lines;
	const int *cols;
	size_t nlines;
} strata_script;
#define STRATA_SCRIPT_VERSION 2u

/* A source: reads migrations from a folder. */
typedef struct strata_source_ops {
	unsigned int version; /* STRATA_SOURCE_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1. */
	const char *const *formats;  /* format names served, NULL-terminated */
	const char *const *options;  /* option keys accepted besides name/format/path */
	/* Read every migration in cfg->path and hand each to host->add_migration(). */
	int (*scan)(strata_host *host, const strata_source_cfg *cfg);
	/* For `strata init`: does dir (absolute) hold this format?  Return a score
	 * (0 = no, higher = more certain) and, through host->detected(), the format
	 * name and options to write into strata.yaml. */
	int (*detect)(strata_host *host, const char *dir);
	/* Fields below: version 2 (optional).  The tracker a source of this
	 * config gets when strata.yaml names none (`tracker:`): a name the host
	 * resolves as it resolves `tracker:` (a tracker plugin's name, or a
	 * descriptor formats/trackers/NAME.yaml), or NULL for strata_ledger
	 * only.  The host copies it at once.  NULL function: a plugin that is
	 * itself a tracker is its sources' default, others have none. */
	const char *(*default_tracker)(strata_host *host, const strata_source_cfg *cfg);
	/* Fields below: version 3 (optional), for `strata convert` and `strata
	 * adopt`: write migrations in this format.  cfg is the target: path the
	 * output folder (the host made it; it may hold files already), its
	 * options the layout's, dialect the SQL's.  The host calls write() once
	 * per migration in ledger order, then once with m NULL to finish (a lock
	 * file, a journal).  The files must scan back, with the same options,
	 * to the same migrations in the same order, with the same up and down
	 * text.  A migration the format cannot hold as given: host->error()
	 * saying why, and STRATA_WRITE_REFUSED; the host reports it and goes on
	 * with the next.  0, or < 0 after host->error(). */
	int (*write)(strata_host *host, const strata_source_cfg *cfg, const struct strata_write_mig *m);
} strata_source_ops;
#define STRATA_SOURCE_VERSION 3u
/* write(): this migration cannot be written in the format (not an error). */
#define STRATA_WRITE_REFUSED 2
/* write(): written without its down script, which the format cannot hold
 * (Drizzle has none): host->error() says why; the host lists the down
 * script as not converted. */
#define STRATA_WRITE_NO_DOWN 3

/* One migration to write (strata_source_ops.write); borrowed for the call. */
typedef struct strata_write_mig {
	unsigned int version; /* STRATA_WRITE_MIG_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1. */
	const char *mig_version; /* the source's own id: "0001", a revision id */
	const char *name;        /* human name, may be "" */
	const char *up;
	size_t up_len;
	const char *down; /* NULL: none */
	size_t down_len;
	const char *const *parents; /* as strata_migration_desc's; NULL: linear */
	unsigned int flags;         /* STRATA_MIG_* */
	const char *created;        /* ISO-8601 UTC when known (the file's date), or NULL */
	size_t index;               /* 0-based place in the history being written */
	const char *new_version;    /* the id to write it under in the target
	                               format (the host makes one: a Prisma
	                               timestamp, an Alembic revision), or NULL
	                               for mig_version */
	/* Fields above: version 1.  Fields below: version 2 (strata convert).
	 * The up and down scripts cut into statements by the target dialect's
	 * driver (its statements op), NULL-terminated, each without its ';',
	 * for formats that hold one statement per call (Alembic's op.execute);
	 * NULL when the host did not cut them (no such driver, or it failed:
	 * a writer that needs them refuses the migration). */
	const char *const *up_statements;
	const char *const *down_statements;
	/* How many of parents[] (the last ones) are dependencies only
	 * (Alembic's depends_on), as strata_migration_desc's: the ledger's
	 * order already has them before it, so a linear format counts only the
	 * others as its parents. */
	unsigned int dependencies;
} strata_write_mig;
#define STRATA_WRITE_MIG_VERSION 2u

/* One record a tracker reports from its table. */
typedef struct strata_track_row {
	unsigned int version; /* STRATA_TRACK_ROW_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1. */
	const char *mig_version; /* the source's version this row is about */
	const char *state;       /* "applied" "baselined" "failed" "rolled_back"
	                            "modified" (applied, but the tool's own checksum
	                            rule says the file changed), or "head": this
	                            migration and every ancestor (through parents)
	                            are applied (Alembic keeps only the heads) */
	const char *checksum;    /* native checksum recorded, or NULL */
	const char *finished_at; /* or NULL */
	/* Fields below: version 2.  The tool's own text for a failed row (the
	 * logs Prisma keeps), whole; NULL when it has none. */
	const char *error;
} strata_track_row;
#define STRATA_TRACK_ROW_VERSION 2u

/*
 * A migration's recorded state.  Rows (strata_track_row.state) and events
 * (strata_track_event.state) carry it across the boundary as its name, for
 * compatibility; the names are these, and strata_track_state_of() is the one
 * place a name becomes a state (host and plugins alike).
 */
typedef enum strata_track_state {
	STRATA_TRACK_UNKNOWN = 0,     /* a name not below: never guessed at */
	STRATA_TRACK_APPLIED,         /* "applied" */
	STRATA_TRACK_BASELINED,       /* "baselined": recorded without running */
	STRATA_TRACK_FAILED,          /* "failed" */
	STRATA_TRACK_ROLLED_BACK,     /* "rolled_back" */
	STRATA_TRACK_MODIFIED,        /* "modified": applied, the tool's checksum differs */
	STRATA_TRACK_HEAD,            /* "head": it and every ancestor are applied */
	STRATA_TRACK_RUNNING,         /* "running": started outside a transaction */
	STRATA_TRACK_ROLLING_BACK,    /* "rolling_back" */
	STRATA_TRACK_ROLLBACK_FAILED, /* "rollback_failed" */
	/* An event only (`strata repair`): the migration stays as recorded, its
	 * file changed in comments or whitespace only; the tracker records the
	 * event's checksum and native_checksum as the file's (an UPDATE of the
	 * checksum, nothing else).  A tracker without checksums ignores it. */
	STRATA_TRACK_REPAIRED,        /* "repaired" */
	STRATA_TRACK_STATE_COUNT
} strata_track_state;

static inline const char *strata_track_state_name(strata_track_state st)
{
	static const char *const names[STRATA_TRACK_STATE_COUNT] = {
		"unknown", "applied", "baselined", "failed", "rolled_back", "modified", "head",
		"running", "rolling_back", "rollback_failed", "repaired",
	};
	return (unsigned)st < STRATA_TRACK_STATE_COUNT ? names[st] : "unknown";
}

static inline strata_track_state strata_track_state_of(const char *name)
{
	for (int i = 1; name && i < STRATA_TRACK_STATE_COUNT; i++) {
		const char *a = strata_track_state_name((strata_track_state)i), *b = name;
		while (*a && *a == *b)
			a++, b++;
		if (*a == *b)
			return (strata_track_state)i;
	}
	return STRATA_TRACK_UNKNOWN;
}

/* The event a tracker records: one migration changed state. */
typedef struct strata_track_event {
	unsigned int version; /* STRATA_TRACK_EVENT_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1. */
	const char *mig_version;
	const char *name;
	const char *state;      /* "applied" "baselined" "failed" "rolled_back" "running" */
	const char *checksum;   /* sha256 hex of the up script */
	const char *native_checksum;
	const char *started_at; /* ISO-8601 UTC */
	const char *finished_at;
	const char *error;      /* failure text or NULL */
	long execution_ms;
	/* Fields below: version 2.  The migration's parents as its source gave
	 * them (NULL-terminated; NULL for a linear source). */
	const char *const *parents;
} strata_track_event;
#define STRATA_TRACK_EVENT_VERSION 2u

/* A tracker: one tool's tracking table, reached through the host's database
 * calls (host->db_exec, host->db_query), so it works with any driver. */
typedef struct strata_tracker_ops {
	unsigned int version; /* STRATA_TRACKER_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1 (lock and unlock optional). */
	const char *table;    /* table name, for messages and docs */
	/* Report every row through host->track_row(); a missing table is no rows,
	 * or STRATA_ENOTFOUND with STRATA_TRACKER_SAYS_MISSING (flags). */
	int (*read)(strata_host *host, const strata_source_cfg *cfg);
	/* Record one event inside the host's current transaction, creating the
	 * table with the tool's own DDL first if needed. */
	int (*record)(strata_host *host, const strata_source_cfg *cfg,
	              const strata_track_event *ev);
	/* Optional: the native tool's own lock, taken after strata's and held for
	 * a whole write command, so the tool and strata never interleave (Prisma's
	 * advisory lock).  timeout_ms < 0 waits forever; STRATA_EBUSY on timeout. */
	int (*lock)(strata_host *host, const strata_source_cfg *cfg, long timeout_ms);
	int (*unlock)(strata_host *host, const strata_source_cfg *cfg);
	/* Fields below: version 2 (optional).  STRATA_TRACKER_*: what the
	 * table's rows, and their absence, say. */
	unsigned int flags;
	/* The source options (also listed in the source's options) that give
	 * one source a table of its own instead of `table`, NULL-terminated: the
	 * first names the table, a second its schema.  Two sources with the same
	 * names would share one table; `strata init` gives a later one its own,
	 * with table_note (what the native tool must be told) as a comment
	 * beside it. */
	const char *const *table_options;
	const char *table_note;
	/* Fields below: version 3 (optional). */
	/* The table as messages should name it ("schema.table" or "table"),
	 * for this config; copied by the host at once.  NULL: `table`. */
	const char *(*table_of)(strata_host *host, const strata_source_cfg *cfg);
	/* For `strata init --db`: does the connected database hold this
	 * tracker's table?  0 no; otherwise how many of the columns it expects
	 * the table has, plus one (so the best-matching tracker of several that
	 * share a table name wins); < 0 error. */
	int (*probe)(strata_host *host, const strata_source_cfg *cfg);
} strata_tracker_ops;
#define STRATA_TRACKER_VERSION 3u
/* read() returns STRATA_ENOTFOUND, reporting nothing, when the tool's table
 * does not exist (without this flag a missing table reads as no rows). */
#define STRATA_TRACKER_SAYS_MISSING 0x1u
/* The table, when it exists, is the tool's whole record: a migration it does
 * not report is not applied in the tool's view (Alembic keeps only heads, and
 * a downgrade removes them).  Without it, a migration the table does not
 * report is one the tool has no record of, and strata_ledger's stands. */
#define STRATA_TRACKER_COMPLETE 0x2u
/* One plugin, many tables: the tracker reads the descriptor
 * formats/trackers/NAME.yaml that cfg->tracker names in every call (the
 * host binds a source to NAME when no tracker plugin is called NAME).
 * The host takes such a tracker's lock() only once a write command's
 * arguments held, before its first migration runs, so lock() may create
 * the table (a refused command creates nothing); when the table did not
 * exist, the host then records what strata_ledger says is done. */
#define STRATA_TRACKER_DESCRIPTORS 0x4u

/* A database driver. */
typedef struct strata_driver_ops {
	unsigned int version; /* STRATA_DRIVER_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1 (lock, unlock and every member from
	 * needs_autocommit on are optional). */
	const char *const *schemes; /* URL schemes without ':' ("sqlite"), NULL-terminated */
	const char *dialect;        /* "sqlite", "postgresql" */
	/* Connect.  With STRATA_OPEN_READONLY the driver must not create or change
	 * anything and returns STRATA_ENOTFOUND (without reporting an error) when
	 * the database does not exist yet. */
	int (*open)(strata_host *host, const char *url, unsigned int flags, strata_conn **out);
	void (*close)(strata_conn *conn);
	/* Run host-written SQL (one or more statements, no parameters). */
	int (*exec)(strata_conn *conn, strata_host *host, const char *sql);
	/* Run one statement with text parameters $1..$n (NULL = SQL NULL). */
	int (*query)(strata_conn *conn, strata_host *host, const char *sql,
	             const char *const *params, int nparams, strata_row_fn fn, void *ud);
	/* Transactions.  begin takes the write lock at once where the database has one. */
	int (*begin)(strata_conn *conn, strata_host *host);
	int (*commit)(strata_conn *conn, strata_host *host);
	int (*rollback)(strata_conn *conn, strata_host *host);
	/* Run a migration script: split it into statements with the dialect's own
	 * parser and run them in order; on failure report file:line:col. */
	int (*run)(strata_conn *conn, strata_host *host, const strata_script *script);
	/* Write the schema (DDL only, stable order) to fn. */
	int (*dump_schema)(strata_conn *conn, strata_host *host, strata_text_fn fn, void *ud);
	/* Optional: a lock held across a whole command; NULL when the driver's
	 * transactions already serialize writers. timeout_ms < 0 waits forever. */
	int (*lock)(strata_conn *conn, strata_host *host, long timeout_ms);
	int (*unlock)(strata_conn *conn, strata_host *host);
	/* Does the table exist (in the connection's schema)? 1 yes, 0 no, <0 error. */
	int (*table_exists)(strata_conn *conn, strata_host *host, const char *table);
	/* Optional: must this script run outside a transaction block, because it
	 * holds a statement the database refuses inside one (CREATE INDEX
	 * CONCURRENTLY, VACUUM, …)?  1 yes, 0 no (also for text that does not
	 * parse: the database reports that when it runs), < 0 error.  NULL, or a
	 * table too small to hold it: never. */
	int (*needs_autocommit)(strata_conn *conn, strata_host *host, const strata_script *script);
	/* Optional, for `verify`: create an empty scratch database beside this
	 * connection's and write a URL for it (NUL-terminated, at most size
	 * bytes) to url; scratch_drop removes the one this connection created.
	 * NULL: verify without --scratch refuses a target of this driver (a
	 * "sqlite" target is verified on a temporary SQLite file instead). */
	int (*scratch_create)(strata_conn *conn, strata_host *host, char *url, size_t size);
	int (*scratch_drop)(strata_conn *conn, strata_host *host);
	/* Fields below: version 2. */
	/* Optional: does the script control its own transaction, read with the
	 * dialect's parser?  Returns one of STRATA_TXN_* below, or < 0 after
	 * host->error().  Only BEGIN/START, COMMIT/END, ROLLBACK/ABORT, PREPARE
	 * TRANSACTION, COMMIT/ROLLBACK PREPARED and COMMIT AND CHAIN count;
	 * SAVEPOINT, RELEASE and ROLLBACK TO do not.  For STRATA_TXN_WRAPPED set
	 * [*body_start, *body_end) to the byte range of script->sql between the
	 * opening BEGIN (its ';' included) and the closing COMMIT.  conn is NULL
	 * when the database does not exist yet (a dry run): answer from the text.
	 * NULL, or a table too small to hold it: STRATA_TXN_NONE. */
	int (*txn_control)(strata_conn *conn, strata_host *host, const strata_script *script,
	                   size_t *body_start, size_t *body_end);
	/* Fields below: version 3. */
	/* Optional: ask the statement running on conn to stop, because the user
	 * interrupted the command (SIGINT, SIGTERM, SIGHUP).  Called from a
	 * signal handler, possibly on another thread than the one inside the
	 * driver: it may only use async-signal-safe calls (PQcancel is; a flag
	 * polled by sqlite3_progress_handler is), no host service, no memory
	 * allocation.  From then on run() stops before its next statement and
	 * lock() stops waiting, both returning STRATA_EINTR (after
	 * host->error()); the statement under way fails as the database
	 * reports a cancel.  exec, query, rollback and unlock keep working, so
	 * the host can roll back, record and release.  One call per
	 * connection; the host never calls it once close() began. */
	void (*cancel)(strata_conn *conn);
	/* Fields below: version 4. */
	/* Optional: does a statement of the script write table (INSERT, UPDATE,
	 * DELETE, MERGE, COPY FROM into it), read with the dialect's own parser?
	 * schema NULL: the table however qualified (or not); else a qualified
	 * name must name that schema.  Names compare as the database compares
	 * them.  1 with *line set to the first such statement's line (counted
	 * from script->line, as run() reports lines), 0 none (also for text the
	 * parser rejects: run() reports that), < 0 after host->error().  Only
	 * parsed (prepared), never run.  Asked at record time, inside the
	 * host's transaction, after the script ran (a baseline: without
	 * running it).  NULL, or a table too small
	 * to hold it: the host answers STRATA_ENOTFOUND (db_writes_table). */
	int (*writes_table)(strata_conn *conn, strata_host *host, const strata_script *script,
	                    const char *schema, const char *table, int *line);
	/* Fields below: version 5. */
	/* Optional, for `strata doctor`: what each statement of the script does
	 * to which object, read with the dialect's own parser: one
	 * strata_object (below) per object a statement creates, drops, alters,
	 * renames, refers to or writes, to fn, in statement order (a statement
	 * may give several: CREATE TABLE with a FOREIGN KEY is a create and a
	 * refer).  fn returns 0 to go on, STRATA_STOP to end early (not an
	 * error), < 0 to fail.  A statement the parser rejects is reported to fn
	 * as STRATA_OBJ_INVALID (its line, the parser's message in `error`), and
	 * the walk goes on with the next one where the dialect can tell where
	 * that is: one call finds every problem.  With STRATA_OBJECTS_SCRATCH in
	 * flags, conn is a scratch database the host made for this walk (SQLite:
	 * an in-memory one) and the driver may change it: it runs each statement
	 * there so the next one sees its effect (SQLite has no syntax tree; its
	 * parser resolves names against the schema), and the host calls
	 * objects() for every migration in ledger order on the same scratch.
	 * Without the flag conn may be NULL (PostgreSQL reads libpg_query's
	 * tree and needs no database); a driver that needs a scratch and gets
	 * none returns STRATA_ENOTFOUND without reporting.  0, fn's error, or
	 * < 0 after host->error().  NULL, or a table too small to hold it: the
	 * host answers STRATA_ENOTFOUND (db_objects). */
	int (*objects)(strata_conn *conn, strata_host *host, const strata_script *script,
	               unsigned int flags, int (*fn)(void *ud, const struct strata_object *o),
	               void *ud);
	/* Optional, for `strata drift` and `strata baseline --infer`: every
	 * object of conn's live schema, read from the database's own catalog,
	 * one strata_catalog_object (below) each to fn: schemas, tables,
	 * columns, indexes, constraints, views, sequences, types, functions,
	 * triggers, extensions, in a stable order.  The host leaves tracking
	 * tables out; the driver leaves out only what the database itself owns
	 * (pg_catalog, information_schema, sqlite_*).  fn returns 0, STRATA_STOP
	 * or < 0 as for objects().  0, or < 0 after host->error(). */
	int (*catalog)(strata_conn *conn, strata_host *host, unsigned int flags,
	               int (*fn)(void *ud, const struct strata_catalog_object *o), void *ud);
	/* Optional, for `strata repair`: each statement of the script as the
	 * dialect's own parser reads it, comments and whitespace left out, one
	 * canonical text per statement to fn in order: two scripts that give the
	 * same texts run the same statements.  conn may be NULL (PostgreSQL's
	 * libpg_query needs no database).  A statement the parser rejects:
	 * STRATA_EINVAL after host->error() naming script->file:line. */
	int (*normalize)(strata_conn *conn, strata_host *host, const strata_script *script,
	                 strata_text_fn fn, void *ud);
	/* Optional, for `strata convert`: the script cut into statements where
	 * the dialect's own splitter cuts it, each statement's bytes (its
	 * comments kept) and the line it starts on (counted from script->line)
	 * to fn.  conn may be NULL.  0, fn's error, or < 0 after host->error(). */
	int (*statements)(strata_conn *conn, strata_host *host, const strata_script *script,
	                  int (*fn)(void *ud, const char *sql, size_t len, int line), void *ud);
	/* Optional, for `strata adopt`: SQL that makes conn's live schema on an
	 * empty database of this dialect, to fn: from the database's own
	 * catalog functions or its own dump tool, post-processed by rules
	 * docs/plugins.md lists, never written by guess.  The tables named in
	 * skip (NULL-terminated: the tracking tables) and their sequences are
	 * left out.  0, or < 0 after host->error(). */
	int (*schema_sql)(strata_conn *conn, strata_host *host, const char *const *skip,
	                  strata_text_fn fn, void *ud);
	/* Fields below: version 6 (optional, all three or none): a pipeline, so
	 * that what the host sends inside a transaction goes to the server in
	 * as few round trips as its results allow (PostgreSQL: libpq's pipeline
	 * mode; docs/postgres.md).  SQLite has no round trips and leaves them
	 * NULL: the host then makes every call as before.
	 *   pipeline(on 1): enter, before begin().  1 entered, 0 this connection
	 *     cannot (nothing reported: the host goes on without), < 0 error.
	 *     While on, the host calls only begin(), commit(), run(), defer()
	 *     and flush(); begin() and commit() are queued, not sent.
	 *     pipeline(on 0): leave; what is still queued is sent and its
	 *     results dropped (the host rolls back next), 0 or < 0.
	 *   run() while on: the script's statements are queued behind what is
	 *     queued (the script, borrowed, stays valid until the next flush(),
	 *     which the host makes at once); STRATA_ENOTFOUND, nothing
	 *     reported, when this script cannot go through the pipeline (the
	 *     host then flushes, leaves and calls run() again).
	 *   defer(): queue a statement with bound parameters, as query() would
	 *     run it; fn (NULL: none) gets its rows at the flush, and a
	 *     statement with fn is the last one queued before that flush.  tag
	 *     (> STRATA_PIPE_COMMIT) is the host's name for it.  0 or < 0.
	 *   flush(): send what is queued, wait for every result.  0, or the
	 *     first failure, reported exactly as the call that queued it would
	 *     have reported it run alone (query(), begin(), commit(), a run()
	 *     statement at file:line), and nothing queued after it takes
	 *     effect; *tag is the failing statement's tag (STRATA_PIPE_BEGIN,
	 *     STRATA_PIPE_COMMIT, defer()'s, 0 for a script's statement). */
	int (*pipeline)(strata_conn *conn, strata_host *host, int on);
	int (*defer)(strata_conn *conn, strata_host *host, const char *sql,
	             const char *const *params, int nparams, strata_row_fn fn, void *ud, int tag);
	int (*flush)(strata_conn *conn, strata_host *host, int *tag);
	/* Fields below: version 7 (optional), the replay cache of `verify` and
	 * `drift` (core/run/template.c).  template_tag: what besides the
	 * scripts changes what a replay makes on a scratch of this connection's
	 * server (the server's major version, the user, the schema, the
	 * encoding...), as one line to out (NUL-terminated, at most size
	 * bytes).  Enough for the SQLite driver, whose templates are files the
	 * host copies.  The other four make templates databases on the server,
	 * all or none: template_list: every database whose name starts with
	 * prefix, with its comment (NULL: none), to fn (0 go on, < 0 stop).
	 * scratch_from_template: scratch_create, but a copy of the database
	 * name (CREATE DATABASE ... TEMPLATE); its failure (the template busy, a
	 * permission) is reported.  template_save: the scratch this connection
	 * created becomes the database name, with comment (renamed, after
	 * which scratch_drop has nothing to drop, or copied); the host closed
	 * every connection to the scratch first.  STRATA_EBUSY, nothing
	 * reported, when name exists already (another process saved it).
	 * template_drop: drop the database name unless it is in use (an error
	 * then, which the host ignores). */
	int (*template_tag)(strata_conn *conn, strata_host *host, char *out, size_t size);
	int (*template_list)(strata_conn *conn, strata_host *host, const char *prefix,
	                     int (*fn)(void *ud, const char *name, const char *comment), void *ud);
	int (*scratch_from_template)(strata_conn *conn, strata_host *host, const char *name,
	                             char *url, size_t size);
	int (*template_save)(strata_conn *conn, strata_host *host, const char *name,
	                     const char *comment);
	int (*template_drop)(strata_conn *conn, strata_host *host, const char *name);
} strata_driver_ops;
#define STRATA_DRIVER_VERSION 7u
/* flush()'s *tag for a queued begin() and commit(). */
#define STRATA_PIPE_BEGIN  1
#define STRATA_PIPE_COMMIT 2
/* objects(): conn is a scratch the driver may change (runs each statement). */
#define STRATA_OBJECTS_SCRATCH 0x1u

/* What a statement does to an object (strata_object.action). */
typedef enum strata_obj_action {
	STRATA_OBJ_CREATE = 1,
	STRATA_OBJ_DROP,
	STRATA_OBJ_ALTER,
	STRATA_OBJ_REFER,   /* uses it without changing it: a FOREIGN KEY's table,
	                       a view's tables, COMMENT ON, an index's table */
	STRATA_OBJ_RENAME,  /* name becomes new_name */
	STRATA_OBJ_WRITE,   /* INSERT, UPDATE, DELETE, MERGE, COPY FROM into it */
	STRATA_OBJ_INVALID  /* the statement does not parse: error says why */
} strata_obj_action;

/* Which kind of object (strata_object.kind); a dialect uses those it has. */
typedef enum strata_obj_kind {
	STRATA_OBJK_NONE = 0,
	STRATA_OBJK_TABLE,
	STRATA_OBJK_COLUMN,
	STRATA_OBJK_INDEX,
	STRATA_OBJK_VIEW,
	STRATA_OBJK_MATVIEW,
	STRATA_OBJK_SEQUENCE,
	STRATA_OBJK_TYPE, /* enum and composite types */
	STRATA_OBJK_DOMAIN,
	STRATA_OBJK_FUNCTION,
	STRATA_OBJK_PROCEDURE,
	STRATA_OBJK_TRIGGER,
	STRATA_OBJK_CONSTRAINT,
	STRATA_OBJK_SCHEMA,
	STRATA_OBJK_EXTENSION,
	STRATA_OBJK_RELATION, /* a table, view or sequence: the parser cannot tell which */
	STRATA_OBJK_COUNT
} strata_obj_kind;

/* strata_object.flags: what the statement says besides the object. */
#define STRATA_OBJF_IF_NOT_EXISTS 0x1u
#define STRATA_OBJF_IF_EXISTS     0x2u
#define STRATA_OBJF_OR_REPLACE    0x4u
#define STRATA_OBJF_CONCURRENTLY  0x8u

/*
 * One object one statement touches, as objects() reports it; every pointer
 * is valid during the callback only.  Names are as the database compares
 * them (PostgreSQL: unquoted names folded to lower case, as the parse tree
 * gives them; SQLite: as written, compared case-blind).
 *   action CREATE/DROP/ALTER: kind, schema (NULL: unqualified) and name
 *     are the object; parent is the table of a column, index, trigger or
 *     constraint (NULL for others).
 *   REFER: parent_schema.parent is the object referred to (a FOREIGN KEY's
 *     table, a view's table, the table of a CREATE INDEX), of kind
 *     STRATA_OBJK_RELATION unless the parser knows; kind/schema/name are the
 *     object whose definition holds the reference (NULL name: the
 *     statement itself, as COMMENT ON).
 *   RENAME: kind/schema/name before, new_name after (parent: the table of
 *     a renamed column).
 *   WRITE: kind TABLE, schema.name the table written.
 *   INVALID: error is the parser's message, line/col where it points.
 * line:col is the statement's first word (the error's position for
 * INVALID), counted from script->line as run() counts them; statement is
 * its 1-based place in the script; statements the number of statements the
 * script has (0 while unknown).
 */
typedef struct strata_object {
	unsigned int version; /* STRATA_OBJECT_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1. */
	strata_obj_action action;
	strata_obj_kind kind;
	const char *schema;
	const char *name;
	const char *parent_schema;
	const char *parent;
	const char *new_name;
	unsigned int flags; /* STRATA_OBJF_* */
	int line, col;
	int statement;
	int statements;
	const char *error;
	/* Fields above: version 1. */
} strata_object;
#define STRATA_OBJECT_VERSION 1u
typedef int (*strata_object_fn)(void *ud, const struct strata_object *o);

/*
 * One object of a live schema, as catalog() reports it; every pointer is
 * valid during the callback only.  schema is NULL where the dialect has
 * none (SQLite); parent is the table of a column, index, constraint or
 * trigger (NULL for others); name as the database keeps it.  definition is
 * what two catalogs compare for the object: canonical text from the
 * database's own functions (a column's "type NOT NULL DEFAULT expr", an
 * index's or a view's definition), equal for equal objects on one server.
 */
typedef struct strata_catalog_object {
	unsigned int version; /* STRATA_CATALOG_OBJECT_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1. */
	strata_obj_kind kind;
	const char *schema;
	const char *parent;
	const char *name;
	const char *definition;
	/* Fields above: version 1. */
} strata_catalog_object;
#define STRATA_CATALOG_OBJECT_VERSION 1u
typedef int (*strata_catalog_fn)(void *ud, const struct strata_catalog_object *o);

/* "create" "drop" … and "table" "index" …, as `strata doctor` prints them. */
static inline const char *strata_obj_action_name(strata_obj_action a)
{
	static const char *const names[] = {
		"?", "create", "drop", "alter", "refer", "rename", "write", "invalid",
	};
	return (unsigned)a <= STRATA_OBJ_INVALID ? names[a] : "?";
}

static inline const char *strata_obj_kind_name(strata_obj_kind k)
{
	static const char *const names[STRATA_OBJK_COUNT] = {
		"object", "table", "column", "index", "view", "materialized view", "sequence",
		"type", "domain", "function", "procedure", "trigger", "constraint", "schema",
		"extension", "relation",
	};
	return (unsigned)k < STRATA_OBJK_COUNT ? names[k] : "object";
}

/* What txn_control found in a script. */
enum {
	/* No transaction control of its own (savepoints are fine): runs as it is. */
	STRATA_TXN_NONE = 0,
	/* One BEGIN that opens the file and one COMMIT (or END) that closes it,
	 * with nothing else outside them and no other transaction control inside:
	 * the host drops both and runs the body in its own transaction. */
	STRATA_TXN_WRAPPED = 1,
	/* Any other transaction control (several blocks, a ROLLBACK, a COMMIT in
	 * the middle, statements outside the block, BEGIN with options): the host
	 * runs the file as written, outside a transaction of its own. */
	STRATA_TXN_OWN = 2
};

/* A migration of the tracker's source, as host->each_migration() shows it;
 * valid during the callback only. */
typedef struct strata_mig_info {
	unsigned int version; /* STRATA_MIG_INFO_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1. */
	const char *mig_version;
	const char *name;
	const char *file;       /* the up script's file, relative to the source folder */
	const char *up;         /* the up script (NULL when the source blocked it) */
	size_t up_len;
	const char *checksum;   /* sha256 hex of up, as strata_ledger keeps it */
	const char *native_key; /* strata_migration_desc.native_key, or NULL */
	unsigned int flags;     /* STRATA_MIG_* */
} strata_mig_info;
#define STRATA_MIG_INFO_VERSION 1u
typedef int (*strata_mig_fn)(void *ud, const strata_mig_info *m);

/*
 * Services the host lends a plugin for the duration of one call.  The host may
 * embed this struct in a larger one of its own; plugins touch only these fields.
 */
struct strata_host {
	unsigned int version; /* STRATA_HOST_VERSION */
	unsigned int struct_size;
	/* Fields below: version 1. */
	/* Report an error (the last one reported wins).  file/hint may be NULL,
	 * line/col 0 when unknown. */
	void (*error)(strata_host *h, strata_error_class cls, const char *file, int line,
	              int col, const char *hint, const char *fmt, ...) STRATA_PRINTF(7, 8);
	/* A warning the user should see; the operation goes on. */
	void (*warn)(strata_host *h, const char *file, int line, const char *fmt, ...)
		STRATA_PRINTF(4, 5);
	/* A line for -v. */
	void (*debug)(strata_host *h, const char *fmt, ...) STRATA_PRINTF(2, 3);
	/* Source role: hand over one migration (copied). */
	int (*add_migration)(strata_host *h, const strata_migration_desc *m);
	/* Source role, detect(): what to write in strata.yaml for this folder.
	 * keys/values NULL-terminated, may be NULL. */
	int (*detected)(strata_host *h, const char *format, const char *const *keys,
	                const char *const *values);
	/* Directories that hold the formats/ descriptors, most specific first,
	 * NULL-terminated. */
	const char *const *formats_dirs;
	/* Tracker role: database access inside the host's connection. */
	int (*db_exec)(strata_host *h, const char *sql);
	int (*db_query)(strata_host *h, const char *sql, const char *const *params,
	                int nparams, strata_row_fn fn, void *ud);
	const char *(*db_dialect)(strata_host *h);
	int (*db_table_exists)(strata_host *h, const char *table);
	/* Tracker role, read(): report one row (copied). */
	int (*track_row)(strata_host *h, const strata_track_row *row);
	/* SHA-256 of data as 64 lowercase hex digits plus NUL. */
	void (*sha256_hex)(const void *data, size_t len, char out[65]);
	/* Versions, one rule for every source: the sort key of v[0..len) is
	 * written to out (room for 2 * len + 3 bytes) and its length returned.
	 * Keys compare with version_cmp: "0001" == "1", 2 < 10, 1.9 < 1.10,
	 * "1_2" == "1.2"; text that is not digits and . _ - sorts after numbers. */
	size_t (*version_key)(const char *v, size_t len, char *out);
	int (*version_cmp)(const char *ka, const char *kb);
	/* How long a driver waits for a lock held by someone else, in ms (< 0:
	 * forever): lock_timeout in strata.yaml, STRATA_LOCK_TIMEOUT_MS beats it. */
	long lock_timeout_ms;
	/* Session settings for the connection that runs migrations (strata.yaml
	 * session: lock_timeout, statement_timeout), in ms; 0 = leave the
	 * server's default.  Drivers whose database has no such setting ignore them. */
	long session_lock_timeout_ms;
	long session_statement_timeout_ms;
	/* Fields below: version 2.  Tracker role: the ledger's graph of the tracker's source.
	 * 1 when version a is b or one of b's ancestors (through parents), 0 when
	 * not, STRATA_ENOTFOUND (no error reported) when a or b is not a
	 * migration of the source. */
	int (*is_ancestor)(strata_host *h, const char *a, const char *b);
	/* Fields below: version 3.  Tracker role: every migration of the
	 * tracker's source, in the ledger's order, to fn (STRATA_STOP ends the
	 * walk early and is not an error); 0, or fn's error. */
	int (*each_migration)(strata_host *h, strata_mig_fn fn, void *ud);
	/* Fields below: version 4.  Tracker role: does text[0..len) write
	 * [schema.]table, as the connected database's own parser reads it (the
	 * driver's writes_table)?  1 with *line the statement's line in text
	 * (1-based), 0 no, < 0 error; STRATA_ENOTFOUND, nothing reported, when
	 * the driver cannot tell (it has no writes_table). */
	int (*db_writes_table)(strata_host *h, const char *text, size_t len, const char *schema,
	                       const char *table, int *line);
	/* Fields below: version 5.  Tracker role: each_migration() from the
	 * migration of version's source just before version (from version
	 * itself when it is the first; nothing at all when the source has no
	 * such version) to the end, or until fn returns STRATA_STOP: a record()
	 * that needs one migration and the one before it gets them at once,
	 * not by walking the whole history once per migration recorded
	 * (quadratic: a baseline of 100,000 took minutes). */
	int (*each_migration_near)(strata_host *h, const char *version, strata_mig_fn fn, void *ud);
};
#define STRATA_HOST_VERSION 5u

/* The descriptor a plugin exports. */
typedef struct strata_plugin {
	unsigned int abi_version; /* STRATA_PLUGIN_ABI_VERSION */
	unsigned int struct_size; /* sizeof(strata_plugin) as the plugin saw it */
	/* Fields below: ABI 1. */
	const char *name;
	const char *version;
	const char *summary;
	const strata_source_ops *source;   /* NULL if not a source */
	const strata_tracker_ops *tracker; /* NULL if not a tracker */
	const strata_driver_ops *driver;   /* NULL if not a driver */
} strata_plugin;

#define STRATA_PLUGIN_INIT(name_, version_, summary_)                               \
	.abi_version = STRATA_PLUGIN_ABI_VERSION, .struct_size = sizeof(strata_plugin), \
	.name = (name_), .version = (version_), .summary = (summary_)

#define STRATA_OPS_INIT(type_, ver_) .version = (ver_), .struct_size = sizeof(type_)

/* The one symbol the host looks up. */
#define STRATA_PLUGIN_ENTRY_SYMBOL "strata_plugin_entry"
typedef const strata_plugin *(*strata_plugin_entry_fn)(void);

/* Declare the plugin's entry point: STRATA_PLUGIN_DEFINE(my_descriptor); */
#define STRATA_PLUGIN_DEFINE(desc_)                                         \
	STRATA_EXPORT const strata_plugin *strata_plugin_entry(void);       \
	STRATA_EXPORT const strata_plugin *strata_plugin_entry(void) { return &(desc_); }

/* Convenience for plugin code: option lookup in a source config. */
static inline const char *strata_cfg_option(const strata_source_cfg *cfg, const char *key)
{
	if (!cfg->option_keys)
		return NULL;
	for (size_t i = 0; cfg->option_keys[i]; i++) {
		const char *a = cfg->option_keys[i], *b = key;
		while (*a && *a == *b)
			a++, b++;
		if (*a == *b)
			return cfg->option_values[i];
	}
	return NULL;
}

#ifdef __cplusplus
}
#endif
#endif /* STRATA_PLUGIN_H */
