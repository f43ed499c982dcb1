/*
 * libstrata — public API.
 *
 * One strata handle holds a configuration, the plugins it loaded, the merged
 * ledger of migrations and (while a command runs) a database connection.  The
 * `strata` command line tool is a thin layer over these calls; embedders use
 * the same ones.
 *
 * Errors: every call returns 0 or a negative STRATA_E* status (plugin.h) and
 * leaves the details in strata_last_error(), which stays readable until the
 * next call on the handle.
 */
#ifndef STRATA_H
#define STRATA_H

#include <stddef.h>
#include <strata/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* libstrata is built with hidden visibility; everything declared here is its
 * exported API. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#define STRATA_VERSION "0.1.0"

typedef struct strata strata;

/* What went wrong, readable after the fact (libgit2-style). */
typedef struct strata_error_info {
	strata_error_class cls;
	int code;            /* STRATA_E* */
	const char *message; /* never NULL after an error */
	const char *file;    /* NULL if none */
	int line, col;       /* 0 if unknown */
	const char *hint;    /* NULL if none */
} strata_error_info;

typedef enum strata_log_level {
	STRATA_LOG_DEBUG = 0, /* -v */
	STRATA_LOG_INFO,      /* progress: "applied app:0001 (12 ms)" */
	STRATA_LOG_WARN       /* problems that do not stop the command */
} strata_log_level;

/* Log sink; file/line locate the subject when known (else NULL/0). */
typedef void (*strata_log_fn)(void *ud, strata_log_level level, const char *file, int line,
                              const char *message);

typedef enum strata_state {
	STRATA_PENDING = 0,
	STRATA_APPLIED,
	STRATA_BASELINED,
	STRATA_FAILED,
	STRATA_MODIFIED,
	STRATA_MISSING,
	STRATA_ROLLED_BACK,
	STRATA_IGNORED,  /* not run: below the baseline migration chosen, or a
	                    baseline migration on a database that has versions */
	STRATA_OUTDATED, /* a repeatable changed since its last run: runs again */
	STRATA_RETIRED,  /* of a source with `retired: true` (strata adopt), not
	                    applied here: never run, never pending nor missing */
	STRATA_STATE_COUNT
} strata_state;

/* "pending" "applied" … as used in --json. */
const char *strata_state_name(strata_state st);
/* A migration's kind from its STRATA_MIG_* flags: "versioned", "baseline"
 * or "repeatable" (--json's "kind"). */
const char *strata_kind_name(unsigned int flags);

/* One row of the ledger (and, after strata_status(), its state). */
typedef struct strata_migration_info {
	const char *id;       /* "<source>:<version>" */
	const char *source;
	const char *format;
	const char *version;
	const char *name;
	const char *checksum; /* sha256 hex of the up script ("" for missing) */
	const char *file;     /* path for messages, NULL for missing */
	int line;
	const char *down_file; /* NULL if none */
	int has_down;
	unsigned int flags;   /* STRATA_MIG_* */
	strata_state state;
	int out_of_order;     /* pending, but older than an applied migration */
	int native_only;      /* applied according to a native tracker only */
	const char *applied_at;  /* finished_at from the ledger, or NULL */
	const char *applied_by;
	long execution_ms;       /* -1 if unknown */
	const char *error;       /* failure text for failed, or NULL */
	/* Why the source cannot turn the up script into SQL (an untranslatable
	 * Alembic body), or NULL; apply stops before such a migration. */
	const char *blocked;
	/* The migration's parents came from its source (a graph, as Alembic's),
	 * rather than from version order. */
	int graph;
	/* The native tool acted after strata: its tracking table disagrees with
	 * strata_ledger, and its table decided the state.  The tool (its plugin's
	 * name) and, when it records one, the time; NULL when they agree. */
	const char *decided_by;
	const char *decided_at;
} strata_migration_info;

typedef struct strata_plugin_info {
	const char *name;     /* NULL for a file that failed to load */
	const char *version;
	const char *summary;
	const char *file;
	int is_source, is_tracker, is_driver;
	const char *const *formats; /* source formats, or NULL */
	const char *const *schemes; /* driver URL schemes, or NULL */
	const char *error;    /* why it was refused, or NULL */
} strata_plugin_info;

strata *strata_new(void);
void strata_free(strata *s);
const strata_error_info *strata_last_error(const strata *s);
void strata_set_log(strata *s, strata_log_fn fn, void *ud);

/* Load a config file.  path NULL: "strata.yaml" in the working directory if it
 * exists (a missing default file is not an error). */
int strata_load_config(strata *s, const char *path);
/* --db: beats DATABASE_URL, which beats the config, which beats sqlite:strata.db. */
void strata_set_database(strata *s, const char *url);
/* --lock-timeout: how long to wait for another strata's lock, in ms (-1:
 * forever); beats STRATA_LOCK_TIMEOUT_MS and lock_timeout in the config. */
void strata_set_lock_timeout(strata *s, long ms);
/* "10s", "500ms", "2m", "1h", a number of ms, or -1: 0 or STRATA_EINVAL. */
int strata_parse_duration(const char *text, long *ms);
/* The URL in effect, password redacted. */
const char *strata_database_display(strata *s);
/* Redact a URL or conninfo string into buf. */
void strata_redact_url(const char *url, char *buf, size_t size);

/* Plugins: found on the build tree, the installed plugin dir,
 * STRATA_PLUGIN_PATH and the config's plugin_path. */
int strata_load_plugins(strata *s);
size_t strata_plugin_count(const strata *s);
const strata_plugin_info *strata_plugin_get(const strata *s, size_t i);

/* Sources left out of the ledger because their `dialect:` is not the
 * target database's (valid after a call that read the ledger: status,
 * apply, …; strata_load_ledger). */
typedef struct strata_left_out_info {
	const char *source;   /* the source's name */
	const char *dialect;  /* its dialect, as formats/dialects.yaml names it */
	const char *database; /* the target database's dialect */
} strata_left_out_info;
size_t strata_left_out_count(const strata *s);
const strata_left_out_info *strata_left_out_get(const strata *s, size_t i);

/* Read every source and merge them into one ordered ledger. */
int strata_load_ledger(strata *s);
size_t strata_migration_count(const strata *s);
const strata_migration_info *strata_migration_get(const strata *s, size_t i);
/* Up (down when down != 0) script of migration i, or NULL. */
const char *strata_migration_script(const strata *s, size_t i, int down, size_t *len);

/* Read the applied state from the database (read-only; a missing database is
 * an empty one).  Afterwards the list holds the ledger plus one entry per
 * missing migration; counts[] (STRATA_STATE_COUNT long, may be NULL) gets
 * the number per state and *out_of_order the pending-but-older ones. */
int strata_status(strata *s, size_t counts[STRATA_STATE_COUNT], size_t *out_of_order);

/* SQL sink for --dry-run. */
typedef void (*strata_sql_fn)(void *ud, const char *text, size_t len);

typedef struct strata_apply_opts {
	const char *to;      /* stop after this id (inclusive), NULL = all */
	int dry_run;         /* print SQL through sql_fn, touch nothing */
	int out_of_order;    /* allow pending migrations older than applied ones */
	strata_sql_fn sql_fn;
	void *sql_ud;
	size_t applied;      /* out: how many were applied (or would be) */
	/* All or nothing (`--single-transaction`): the due migrations in one
	 * transaction, tracking rows included, split only where one cannot run
	 * inside a transaction.  0: as strata.yaml's single_transaction says
	 * (default off), 1: on, -1: off (`--no-single-transaction`). */
	int single_transaction;
	size_t commits;      /* out: transactions committed with single_transaction */
	size_t alone;        /* out: of those applied, run alone outside one (where a batch split) */
} strata_apply_opts;

int strata_apply(strata *s, strata_apply_opts *opts);

typedef struct strata_rollback_opts {
	const char *to;      /* roll back everything after this id */
	int steps;           /* used when to == NULL; default 1 */
	int dry_run;
	strata_sql_fn sql_fn;
	void *sql_ud;
	size_t rolled_back;  /* out */
} strata_rollback_opts;

int strata_rollback(strata *s, strata_rollback_opts *opts);

/* Record migrations up to `to` (NULL = all) as applied without running them. */
int strata_baseline(strata *s, const char *to, size_t *recorded);

/* Repair one migration's record: applied != 0 → applied, else rolled back. */
int strata_mark(strata *s, const char *id, int applied);

/* Apply the whole ledger to an empty scratch database (NULL: a temporary
 * SQLite file) and report the first failure. */
int strata_verify(strata *s, const char *scratch_url, size_t *verified);

/*
 * Doctor: every problem of the history in one run, found by reading each
 * migration with the dialect's own parser (the driver's objects op), and,
 * when the database in effect exists, its tracking rows (read only; a
 * database that does not exist yet is not created).  Each finding names a
 * file:line, a stable code (docs/guide.md, "doctor", lists them) and its fix.
 * Notes (an object no migration creates, assumed to exist) do not count as
 * problems.  The findings stay readable until the next call on the handle.
 */
typedef enum strata_severity {
	STRATA_SEVERITY_NOTE = 0,
	STRATA_SEVERITY_WARNING,
	STRATA_SEVERITY_ERROR
} strata_severity;
/* "note" "warning" "error". */
const char *strata_severity_name(strata_severity sev);

typedef struct strata_finding {
	const char *code;      /* "forward-reference", "already-created", … */
	strata_severity severity;
	const char *file;      /* the migration's file, or the tracking table */
	int line, col;         /* 0 when unknown */
	const char *migration; /* the migration's id, or NULL */
	const char *message;
	const char *fix;
} strata_finding;

typedef struct strata_doctor_result {
	size_t errors, warnings, notes; /* out: findings per severity */
	size_t migrations;              /* out: how many were read */
	int database_read;              /* out: the database existed and its rows were read */
} strata_doctor_result;

int strata_doctor(strata *s, strata_doctor_result *out);
size_t strata_finding_count(const strata *s);
const strata_finding *strata_finding_get(const strata *s, size_t i);

/*
 * Events: what a write command (apply, rollback, baseline, mark, verify)
 * does to each migration, as it happens: for a progress line, or one JSON
 * line per migration.  While a sink is set, the per-migration progress lines
 * ("applied …", "rolled back …", "skipped …", "marked …") go to it instead of
 * the log sink; everything else is logged as before.
 */
typedef enum strata_event_kind {
	STRATA_EVENT_START = 0,   /* about to run (apply, rollback, verify) */
	STRATA_EVENT_APPLIED,
	STRATA_EVENT_ROLLED_BACK,
	STRATA_EVENT_BASELINED,
	STRATA_EVENT_MARKED,      /* mark: migration->state says which way */
	STRATA_EVENT_VERIFIED,    /* ran cleanly on the scratch database */
	STRATA_EVENT_SKIPPED,     /* done meanwhile by another process */
	STRATA_EVENT_FAILED,      /* it failed: strata_last_error() once the call returns */
	STRATA_EVENT_DRY_RUN,     /* --dry-run: its SQL went to sql_fn just before */
	/* apply with single_transaction: a transaction committed (its applied
	 * events come just before it); migration is its last, count says how
	 * many it held, reason why it ended there (NULL: the end of the apply). */
	STRATA_EVENT_COMMITTED,
	STRATA_EVENT_KIND_COUNT
} strata_event_kind;

#define STRATA_EVENT_VERSION 2

/* Filled by libstrata; a reader built against a newer header asks
 * STRATA_HAS(strata_event, ev, field) before reading a later field. */
typedef struct strata_event {
	unsigned int version;     /* STRATA_EVENT_VERSION of the library */
	unsigned int struct_size; /* sizeof(strata_event) as the library saw it */
	strata_event_kind kind;
	const char *command;      /* "apply" "rollback" "baseline" "mark" "verify" */
	const strata_migration_info *migration; /* lives for the call */
	size_t index, total;      /* 1-based place in this command's work, and how much there is */
	long ms;                  /* how long it ran (APPLIED, ROLLED_BACK, VERIFIED, FAILED), else -1 */
	/* Fields above: version 1. */
	size_t count;             /* COMMITTED: the migrations its transaction held, else 0 */
	const char *reason;       /* COMMITTED: the migration after it runs outside a transaction, and why; else NULL */
	/* Fields above: version 2.  Append only; bump the version with every field. */
} strata_event;

typedef void (*strata_event_fn)(void *ud, const strata_event *ev);
void strata_set_events(strata *s, strata_event_fn fn, void *ud);
/* "start" "applied" "rolled_back" "baselined" "marked" "verified" "skipped"
 * "failed" "dry_run" "committed", as used in --json. */
const char *strata_event_name(strata_event_kind kind);

/* Find the migration histories under the working directory and write the
 * config to path (refuses to overwrite unless force). */
int strata_init(strata *s, const char *path, int force);

/* Ask the command under way on s to stop, for signal signo (SIGINT,
 * SIGTERM, SIGHUP, …): async-signal-safe, meant to be called from a signal
 * handler (the strata CLI's does).  The statement running is cancelled
 * (PostgreSQL: PQcancel; SQLite: a progress handler), the migration's
 * transaction rolled back and nothing of it recorded, the locks released;
 * the command then returns STRATA_EINTR with "interrupted by SIGINT while
 * applying ID (FILE); rolled back, nothing recorded".  The first request
 * counts; it stays on the handle: every later write command returns
 * STRATA_EINTR before it starts (use a new handle). */
void strata_interrupt(strata *s, int signo);
/* The signal strata_interrupt() was given, 0 when it was not called. */
int strata_interrupted(const strata *s);

/* ---- repair: recorded checksums that no longer match their files ----
 *
 * For each migration whose file no longer has the checksum strata_ledger
 * or a native tracker recorded (or those named in ids): when strata_ledger
 * kept the text it applied, both texts are read with the dialect's own
 * parser (the driver's normalize op); the same statements (comments and
 * whitespace aside) → the file's checksum is recorded again in
 * strata_ledger and every native tracker of its source, in one
 * transaction; other statements → refused with the line diff, unless
 * force.  A row with no recorded text is decided by the live catalog.
 * dry_run says what would be done and writes nothing.  The items stay
 * readable until the next call on the handle. */
typedef struct strata_repair_item {
	const char *id;
	const char *file;         /* the migration's file */
	int line;                 /* its first changed line (0: unknown) */
	const char *action;       /* "repaired" "would_repair" "refused" */
	const char *reason;       /* why, one line */
	const char *diff;         /* recorded text against the file, unified; NULL: none */
	const char *old_checksum; /* strata_ledger's, or the tracker's when it has no row */
	const char *new_checksum; /* the file's */
	int forced;               /* repaired although the statements differ (force) */
} strata_repair_item;

typedef struct strata_repair_opts {
	const char *const *ids; /* NULL: every migration that needs it */
	size_t n_ids;
	int force, dry_run;
	size_t repaired, refused; /* out */
} strata_repair_opts;

int strata_repair(strata *s, strata_repair_opts *opts);
size_t strata_repair_count(const strata *s);
const strata_repair_item *strata_repair_get(const strata *s, size_t i);
/* For `status -v`: the diff of migration i's text as strata_ledger
 * recorded it against its file now (unified, malloc'd: free it), after
 * strata_status; "" when they are equal, NULL when no text was recorded. */
char *strata_migration_diff(const strata *s, size_t i);
/*
 * baseline (what it skipped) and baseline --infer.
 */
/* A baseline's counts: what it wrote, and each reason it left one out. */
typedef struct strata_baseline_result {
	size_t recorded; /* out: written now, as baselined */
	size_t already;  /* out: recorded before (applied, baselined): left alone */
	size_t after_to; /* out: after --to: left pending */
	size_t ignored;  /* out: below a baseline migration: stay ignored */
	size_t renewed;  /* out: recorded in strata_ledger, their native row written again */
	size_t retired;  /* out: of a retired source: their records stay as they are */
} strata_baseline_result;

/* strata_baseline(), with the counts. */
int strata_baseline_counted(strata *s, const char *to, strata_baseline_result *out);

/* baseline --infer: each migration decided on the live catalog (the
 * driver's catalog op) against what the migration creates and drops (its
 * objects op, the history replayed so a later DROP or RENAME is known). */
typedef enum strata_infer_verdict {
	STRATA_INFER_APPLIED = 1, /* every object it leaves is there, every one it drops gone */
	STRATA_INFER_PARTIAL,     /* some of it: missing / present say what is not */
	STRATA_INFER_PENDING,     /* none of it */
	STRATA_INFER_UNDECIDED    /* nothing to look for, or its script not read: reason says */
} strata_infer_verdict;
/* "applied" "partial" "pending" "undecided". */
const char *strata_infer_verdict_name(strata_infer_verdict v);

typedef struct strata_inference {
	const char *migration; /* its id */
	strata_infer_verdict verdict;
	size_t found, expected; /* evidence that holds, evidence looked at */
	size_t gone;            /* of found: objects it drops, not there */
	const char *missing;    /* "table public.x, column public.y.z": created, not there (or NULL) */
	const char *present;    /* dropped by it, still there (or NULL) */
	const char *reason;     /* how a migration without evidence was decided (or NULL) */
	strata_state state;     /* its record before the run */
	int recorded;           /* recorded by this run (dry run: would be) */
} strata_inference;

typedef struct strata_infer_result {
	strata_inference *v; /* out: one per ledger migration, in ledger order */
	size_t n;
	size_t applied, partial, pending, undecided; /* out: per verdict */
	size_t recorded; /* out: recorded now (dry run: would be) */
	size_t already;  /* out: decided applied, recorded before: left alone */
} strata_infer_result;

/* Decide every migration; unless dry_run, record the applied ones that are
 * not recorded yet in strata_ledger and every native tracker, as
 * strata_baseline() does, in one transaction under the command's locks.
 * A partial or undecided migration is never recorded.  Free out with
 * strata_infer_result_free(). */
int strata_baseline_infer(strata *s, int dry_run, strata_infer_result *out);
void strata_infer_result_free(strata_infer_result *r);
/*
 * drift: the live database (the handle's) against what its recorded
 * history makes.  The migrations it records as applied are replayed on an
 * empty scratch database of its dialect (scratch_url, else one made beside
 * it as verify does), both catalogs read (the driver's catalog op; tracking
 * tables left out) and compared object by object.  Each difference stays
 * readable until the next call on the handle.
 */
typedef enum strata_drift_change {
	STRATA_DRIFT_EXTRA = 0, /* in the database, not made by the history */
	STRATA_DRIFT_MISSING,   /* made by the history, not in the database */
	STRATA_DRIFT_DIFFERENT  /* in both, defined otherwise */
} strata_drift_change;
/* "extra" "missing" "different". */
const char *strata_drift_change_name(strata_drift_change ch);

typedef struct strata_drift_item {
	strata_obj_kind kind;
	strata_drift_change change;
	const char *schema;    /* NULL where the dialect has none (SQLite) */
	const char *parent;    /* the table of a column, index, constraint, trigger */
	const char *name;      /* a function's with its arguments: "f(integer)" */
	const char *live;      /* its definition in the database, NULL when missing */
	const char *history;   /* its definition as the history makes it, NULL when extra */
	const char *migration; /* the id of the migration that last touched it, or NULL */
} strata_drift_item;

typedef struct strata_drift_result {
	size_t migrations;               /* out: how many were replayed */
	size_t extra, missing, different; /* out: differences per change */
} strata_drift_result;

int strata_drift(strata *s, const char *scratch_url, strata_drift_result *out);
size_t strata_drift_count(const strata *s);
const strata_drift_item *strata_drift_get(const strata *s, size_t i);
/*
 * convert: the ledger's migrations, in order, written in another tool's
 * format into out_dir (new or empty): to is "FORMAT[:LAYOUT]" ("prisma",
 * "sqlpair:dbmate").  Up scripts as the ledger has them (Alembic's: the SQL
 * translated for the database in effect's dialect), down scripts where
 * there are any.  What could not be converted (a script strata cannot read,
 * a merge into a linear format, a kind the format lacks) is listed, one
 * item each, readable until the next call on the handle.  0 (also with
 * items listed), or an error code.
 */
typedef struct strata_convert_item {
	const char *migration; /* its id */
	const char *what;      /* "migration" (not written) or "down script" (written without it) */
	const char *reason;
	const char *hint; /* or NULL */
} strata_convert_item;

typedef struct strata_convert_result {
	size_t migrations;    /* out: in the ledger */
	size_t written;       /* out: written to out_dir */
	size_t not_converted; /* out: items listed */
} strata_convert_result;

int strata_convert(strata *s, const char *to, const char *out_dir, strata_convert_result *out);
size_t strata_convert_item_count(const strata *s);
const strata_convert_item *strata_convert_item_get(const strata *s, size_t i);
/* The format, layout (or NULL) and dialect (or NULL) of the last convert. */
const char *strata_convert_format(const strata *s);
const char *strata_convert_layout(const strata *s);
const char *strata_convert_dialect(const strata *s);
/* ---- adopt ---- */
/* strata adopt: the live schema as one baseline migration of another
 * tool's format, written in the new source's folder, recorded as baselined
 * (strata_ledger and the tool's tracker, with the tool's checksum); the old
 * source retired in strata.yaml (`retired: true`), its tracking table kept
 * or dropped.  Refused while the old source has a migration that is not
 * applied.  Nothing is written with dry_run (the SQL goes to sql_fn). */
typedef struct strata_adopt_opts {
	const char *to;        /* "prisma", "alembic", "sqlpair:LAYOUT" */
	const char *name;      /* the baseline's id; NULL: "0_init" */
	const char *path;      /* the new source's folder, relative to strata.yaml;
	                          NULL: the tool's usual one */
	int drop_old_tracker;  /* DROP the old tool's table in the same transaction */
	int dry_run;
	strata_sql_fn sql_fn;
	void *sql_ud;
	/* out */
	char migration_id[256];  /* the baseline's ledger id */
	char new_source[64];
	char retired_source[256];
	char folder[1024];       /* as written in strata.yaml */
	char dropped[256];       /* the table dropped, or "" */
	size_t old_rows_kept;    /* rows of the old tracker copied into strata_ledger */
} strata_adopt_opts;
int strata_adopt(strata *s, strata_adopt_opts *o);

/* The URL in effect as given, password and all (never print it: see
 * strata_database_display); valid until the next call on s. */
const char *strata_database_url(strata *s);

/* --each-schema: the schemas of url's database (NULL: the one in effect)
 * whose names match pattern, a shell glob (fnmatch(3): *, ?, [...]), sorted
 * by name; system schemas never match.  *names (n of them) are freed with
 * strata_schemas_free.  A usage error when the dialect has no schemas
 * (SQLite) or no schema matches. */
int strata_schemas(strata *s, const char *url, const char *pattern, char ***names, size_t *n);
void strata_schemas_free(char **names, size_t n);

/*
 * The replay cache of verify and drift (on by default): a scratch database
 * strata made is kept as a template keyed by the migrations replayed, and
 * the next run replays only what is new (docs/guide.md, "The replay
 * cache").  on = 0 (--no-cache): every replay is whole and nothing is
 * saved.  An explicit scratch URL never uses the cache.
 */
void strata_set_replay_cache(strata *s, int on);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif /* STRATA_H */
