/*
 * trackers/: the native tracking tables of the sources' plugins (Prisma's
 * _prisma_migrations, Alembic's alembic_version, …), read and written next
 * to strata_ledger so the native tool keeps agreeing.  Reading returns rows;
 * what they mean for each migration is plan/'s business.  Uses base/,
 * config/, plugins/, ledger/ and driver/.
 */
#ifndef STRATA_TRACKERS_H
#define STRATA_TRACKERS_H

#include "driver.h"

/* One row a tracker reported, copied. */
typedef struct track_rec {
	unsigned bind;            /* the binding (loader.binds) whose tracker reported it */
	unsigned src;             /* its config source */
	char *id;                 /* "<source>:<version>"; the texts live in track_rows.mem */
	char *version;
	char *checksum;           /* or NULL */
	char *finished_at;        /* or NULL */
	char *error;              /* the tool's failure text, or NULL */
	strata_track_state state; /* STRATA_TRACK_UNKNOWN for a name not in the table */
} track_rec;

/* What one tracker of a source said as a whole. */
typedef struct track_src {
	size_t src;        /* config source */
	const char *tool;  /* the tracker's name */
	const char *table; /* for messages */
	unsigned int flags; /* STRATA_TRACKER_* */
	bool missing;      /* its table does not exist (STRATA_TRACKER_SAYS_MISSING) */
} track_src;

typedef struct track_rows {
	track_rec *v;
	size_t n, cap;
	arena mem; /* the rows' texts */
	track_src *src; /* per binding (loader.binds), in config order */
	size_t nsrc;
} track_rows;

/* Every source's trackers, in config order; lg answers host->is_ancestor()
 * and host->each_migration(). */
int track_read(const loader *L, const ledger *lg, db *d, track_rows *out);
/* The same reads made ahead, before the ledger exists (status's database
 * thread): only for the questions they ask d, which d's memo keeps for
 * track_read() (driver/memo.c); their rows, errors and messages dropped. */
void track_read_ahead(const loader *L, db *d);
void track_rows_free(track_rows *rows);
int track_record(const loader *L, const ledger *lg, db *d, const migration *m, const char *state,
                 const char *started, const char *finished, long ms, const char *error);
/* Is binding b a `retired: true` source's (read, never written)? */
bool track_bind_retired(const loader *L, size_t b);
/* The same event to binding b only (b's source must be m's). */
int track_record_one(const loader *L, const ledger *lg, db *d, size_t b, const migration *m,
                     const char *state, const char *started, const char *finished, long ms,
                     const char *error);

/* probe.c: strata init --db.  The trackers whose tables the database at url
 * (opened read-only) has, written into the sources init found (their
 * trackers, and a tracker_note for an ambiguity). */
struct init_found;
int track_probe_init(loader *L, const char *url, struct init_found *f);

/* The trackers' own locks (optional), held for a write command. */
typedef struct track_locks {
	bool *held; /* per binding */
	size_t n;
} track_locks;

/* The locks of the trackers that are (descriptors) or are not descriptor
 * trackers (STRATA_TRACKER_DESCRIPTORS).  Plugin trackers lock before the
 * plan is read (Prisma's advisory lock covers the read); descriptor
 * trackers create their table in lock(), so theirs is taken only once the
 * command's arguments held (run_ready), and a refused command creates
 * nothing. */
int track_lock(const loader *L, const ledger *lg, db *d, track_locks *t, bool descriptors);
void track_unlock(const loader *L, db *d, track_locks *t); /* also frees t */

#endif
