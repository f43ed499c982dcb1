/*
 * sources/: the config's sources read by their plugins into the ledger, and
 * `strata init`'s walk that finds them.  Uses base/, config/, plugins/ and
 * ledger/.
 */
#ifndef STRATA_SOURCES_H
#define STRATA_SOURCES_H

#include "ledger.h"
#include "plugins.h"

/* Read every source into lg and order it (again only when want_down asks
 * for down text the loaded ledger lacks).  url: the target, whose dialect
 * the sources are told. */
int sources_load(ledger *lg, loader *L, const char *url, bool want_down);
/* verify's read: always afresh, each source asked (STRATA_WANT_DIALECT_CHECK)
 * to refuse a target whose dialect its history is not for. */
int sources_load_checked(ledger *lg, loader *L, const char *url);

/* add.c: host->add_migration().  A host_call bound with sources_bind()
 * copies each migration its source hands over into lg. */
void sources_bind(host_call *hc, const loader *L, ledger *lg, size_t source);
int sources_add(host_call *hc, const strata_migration_desc *d);

/* init.c: strata init.  sources_init_find walks the folder of the config
 * at path (init_walk.c) and names a source for each history found;
 * sources_init_write writes the config.  Between the two, trackers/ may
 * fill in what the database says (trackers and note). */
typedef struct init_item {
	char *dir; /* relative to the config's folder */
	char *format;
	char **keys, **values;
	int score;
	char *name;       /* the source's name in the config */
	char *chosen_key; /* the key init gave a value of its own (own_tables()), or NULL */
	char *note;       /* the comment written above it */
	char *dialect;    /* one of parallel per-dialect trees: its dialect, else NULL */
	char **trackers;  /* init --db: the trackers whose tables the database has (NULL-terminated) */
	char *tracker_note; /* init --db: a comment above tracker: (an ambiguity), or NULL */
} init_item;

typedef struct init_found {
	loader *L;
	char *root; /* the config's folder: written paths are relative to it */
	init_item *items;
	size_t n;
	const char *database; /* init --db: the URL written as database:, or NULL */
} init_found;

int sources_init_find(loader *L, const char *path, int force, init_found *out);
int sources_init_write(init_found *f, const char *path);
void sources_init_free(init_found *f);

/* init_walk.c: the folders under root, depth first in name order, at most
 * INIT_WALK_DEPTH levels down, never entering a skipped name
 * (init_walk_skipped), a build tree (a folder holding CMakeCache.txt,
 * meson-info, pyvenv.cfg) or a symlinked folder.  fn gets each folder
 * (rel "" for root) and its subfolders worth entering (sorted,
 * NULL-terminated); it returns 0 to go inside, 1 not to, < 0 to stop the
 * walk with that status. */
#define INIT_WALK_DEPTH 16
typedef int (*init_walk_fn)(void *ud, const char *rel, const char *abs, const char *const *subs);
int init_walk(err_ctx *e, const char *root, init_walk_fn fn, void *ud);
bool init_walk_skipped(const char *name);

/* write.c: migrations written into a folder in one format (the source op
 * `write`), for `strata convert` and `strata adopt`.  out_dir must be new or
 * empty (made, with its parents); layout: the format's `layout` option
 * (sqlpair) or NULL; dialect: the SQL's ("postgresql", "sqlite").  Each of
 * migs[0..n) in order, then the finishing call.  What the plugin refuses is
 * added to rep (its index in migs and the plugin's reason) and the rest goes
 * on; 0 then, even with refusals, else < 0 with the error set (a folder
 * this call made is removed again; one that was empty may hold part of
 * the history).  Free rep with
 * sources_write_report_free. */
typedef struct write_refusal {
	size_t index;     /* in migs */
	const char *what; /* "migration", "down script": static */
	char *reason, *hint;
} write_refusal;

typedef struct write_report {
	size_t written;
	write_refusal *refused;
	size_t nrefused;
} write_report;

int sources_write(loader *L, const char *format, const char *layout, const char *out_dir,
                  const char *dialect, const strata_write_mig *migs, size_t n, write_report *rep);
/* A refusal the caller made itself (a script strata cannot read), for the report. */
void sources_write_report_add(write_report *rep, size_t index, const char *what,
                              const char *reason, const char *hint);
void sources_write_report_free(write_report *rep);

#endif
