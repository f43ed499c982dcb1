/* run/: the replay cache of verify and drift (template.c tells the design);
 * the stores that keep templates: files (template_files.c, for a scratch
 * that is a SQLite file) and databases on the server (template_db.c, for a
 * driver with the template ops). */
#ifndef STRATA_RUN_TEMPLATE_H
#define STRATA_RUN_TEMPLATE_H

#include "run_int.h"

/* Templates of one project kept after a save (the newest ones). */
#define TPL_KEEP 2

typedef struct tpl_entry {
	char *name, *key, *project, *created; /* from the comment; NULL: unreadable */
	size_t prefix;
} tpl_entry;

typedef struct run_tpl run_tpl;

typedef struct tpl_store {
	/* Every template the store holds (sorted by name, so find can bsearch). */
	int (*list)(plan *p, run_scratch *s, run_tpl *t);
	/* The name of the template of key (out: at least 128 bytes). */
	void (*name)(const run_tpl *t, const char *key, char *out, size_t size);
	/* The scratch made from template t->base_name: 0, or < 0 (reported). */
	int (*load)(plan *p, run_scratch *s, run_tpl *t);
	/* The closed scratch saved as the template of the first k; 1 when
	 * another process had saved it, 0 saved, < 0 (reported). */
	int (*save)(plan *p, run_scratch *s, run_tpl *t, size_t k, const char *name,
	            const char *comment);
	/* Drop one template (a failure is no error: the cache is best effort). */
	void (*drop)(plan *p, run_scratch *s, run_tpl *t, const tpl_entry *e);
} tpl_store;

extern const tpl_store tpl_files, tpl_databases;

struct run_tpl {
	const tpl_store *st;
	size_t n;         /* migrations the replay runs */
	char (*key)[65];  /* key[k]: of the first k, k = 0..n */
	char *project;    /* the config file (or folder), absolute */
	char *dir;        /* tpl_files: the folder */
	tpl_entry *have;  /* what list() found, by name */
	size_t nhave;
	size_t base;      /* the scratch was made from the template of the first base */
	char base_name[4200];
	size_t clean;     /* after the replay: the scratch is exactly the first clean */
	bool dirty;       /* a script that failed outside a transaction left the scratch in between */
};

/* The comment of a template ("strata replay template: key=... prefix=...
 * created=... project=..."), read back into e (name given, strings owned). */
char *tpl_comment(const run_tpl *t, size_t k);
void tpl_entry_read(tpl_entry *e, const char *name, const char *comment);
void tpl_entry_clear(tpl_entry *e);
int tpl_entry_cmp(const void *a, const void *b); /* by name */

/* verify.c's hooks.  prepare: t set up (keys computed), or NULL when the
 * cache is off or the driver cannot have one; never an error but out of
 * memory.  make: the scratch made from the longest template that fits: 1
 * made (or, when that template holds every migration to replay and flags
 * lack RUN_SCRATCH_READ, none needed: s->unmade); 0 when none fits or the
 * copy failed (said on one info line; the caller makes an empty one).
 * close: after the scratch's connection closed, the template of what the
 * replay left (when it is newer than base) saved, the project's old ones
 * pruned, t freed. */
run_tpl *tpl_prepare(plan *p, run_scratch *s, const char *target_url, const bool *which);
int tpl_make(plan *p, run_scratch *s, unsigned flags);
void tpl_close(plan *p, run_scratch *s);
/* The replay's k-th migration ran (ok), or failed leaving the scratch as
 * it was before it (undone: rolled back) or not. */
void tpl_replayed(run_tpl *t, size_t k, bool ok, bool undone);

#endif
