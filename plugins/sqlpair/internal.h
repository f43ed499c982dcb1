/*
 * sqlpair internals: the types and functions its files share.  Nothing here
 * is part of the plugin ABI; every symbol is prefixed sp_ and stays hidden.
 */
#ifndef SQLPAIR_INTERNAL_H
#define SQLPAIR_INTERNAL_H

#include <regex.h>
#include <string.h>
#include <stdbool.h>
#include <stddef.h>

#include "strata/plugin.h"
#include "strata/plugin_util.h" /* strata_oom, strata_read_file, strata_arena */

/* ---- util.c: small shared helpers ---- */
int sp_fail(strata_host *h, const char *file, int line, const char *hint, const char *fmt, ...)
	STRATA_PRINTF(5, 6);
char *sp_path_join(const char *a, const char *b, const char *c);
/* A file the walk listed, read whole (strata_read_file); one gone since is
 * reported, STRATA_EIO. */
int sp_read_file(strata_host *h, int rootfd, const char *rel, char **out, size_t *len);

/* ---- layout.c / descriptor.c: one formats/layouts/NAME.yaml ---- */
#define SP_MAX_GROUP 31

typedef struct sp_regex {
	regex_t re;
	int compiled;
	char *text; /* the pattern as written, for messages */
	char *tail; /* a literal every match ends with, or NULL (schema.c) */
	size_t tail_len;
	char *head; /* a literal every match starts with, or NULL (schema.c) */
	size_t head_len;
} sp_regex;

/* regexec() behind the tail test: a path that does not end with r's tail
 * cannot match, and most files of a folder fail a given pattern. */
int sp_rx_match(const sp_regex *r, const char *s, size_t nmatch, regmatch_t *m);
/* The literal every match of an ERE ends with (malloc'd), or NULL (schema.c). */
char *sp_regex_tail(const char *ere, size_t *len);
/* The literal every match of an ERE starts with (malloc'd), or NULL. */
char *sp_regex_head(const char *ere, size_t *len);
/* Does the n bytes at s start with r's head (or has r none)? */
static inline int sp_head_ok(const sp_regex *r, const char *s, size_t n)
{
	return !r->head || (n >= r->head_len && !memcmp(s, r->head, r->head_len));
}

typedef struct sp_pattern {
	sp_regex rx;
	int version_group; /* 0 (baseline:/repeatable: only): no version */
	int name_group; /* 0: no name */
	int key_group;  /* baseline:/repeatable:: the migration's id; 0 elsewhere */
	unsigned int kind; /* STRATA_MIG_BASELINE, STRATA_MIG_REPEATABLE, or 0 */
	sp_regex claim; /* kinds: names of this kind; one `match` does not fit is an error */
	int has_claim;
} sp_pattern;

typedef struct sp_layout {
	char *name;
	char *summary;
	char *tracker; /* the tracker a source of this layout gets by default, or NULL */
	char *file; /* the descriptor's path, for messages */
	sp_pattern up;
	int has_down;
	sp_pattern down;
	int has_sections;
	sp_regex sec_up, sec_down;
	int sec_options;
	int require_down;
	int text_before_up_error;
	int down_before_up_comment; /* a down marker before the up marker is a comment line */
	int repeated_up_text;       /* a second up marker before the down is up text */
	sp_regex *ignore;
	size_t n_ignore;
	/* Other kinds of migration files (Flyway's B and R__), tried in
	 * order after up: and down:; n_kinds of them. */
	sp_pattern kinds[2];
	size_t n_kinds;
	/* write: how the writer names and lays out files; a layout without
	 * it is read only.  Templates take {version} and {name}. */
	int has_write;
	char *w_up, *w_down;             /* file templates (w_down NULL: sections) */
	char *w_baseline, *w_repeatable; /* kinds the layout can hold, or NULL */
	char *w_up_marker, *w_down_marker; /* sectioned: the marker lines written */
	char *w_companion, *w_companion_text; /* a file beside (the JS that runs the SQL), or NULL */
	int w_version; /* SP_WV_* */
	int w_width;   /* SP_WV_SEQ: digits, zero-padded */
	int w_ident;   /* names must be identifiers (a class name) */
} sp_layout;
#define SP_WV_SEQ 0     /* 1, 2, 3… (width: zero-padded) */
#define SP_WV_STAMP14 1 /* YYYYMMDDHHMMSS */
#define SP_WV_STAMP13 2 /* Unix milliseconds */

typedef struct sp_span {
	const char *s;
	size_t len;
} sp_span;

int sp_layout_load(strata_host *h, const char *file, const char *name, sp_layout **out);
void sp_layout_free(sp_layout *l);
int sp_pattern_match(const sp_pattern *p, const char *s, sp_span *version, sp_span *name);
/* The same, with the key group (kinds[] patterns). */
int sp_kind_match(const sp_pattern *p, const char *s, sp_span *key, sp_span *version,
                  sp_span *name);
int sp_layout_ignored(const sp_layout *l, const char *rel);

/* ---- catalog.c: finding descriptors in host->formats_dirs ---- */
typedef struct sp_catalog {
	sp_layout **v; /* sorted by name */
	size_t n;
} sp_catalog;

int sp_catalog_find(strata_host *h, const char *name, sp_layout **out);
int sp_catalog_load_all(strata_host *h, sp_catalog *out);
char *sp_catalog_hint(strata_host *h);
void sp_catalog_free(sp_catalog *c);

/* ---- walk.c: the sorted regular files under a folder ---- */
typedef struct sp_files {
	char **v; /* regular files (and links to them) */
	size_t n, cap;
	char **other; /* everything else: folders, links to none, FIFOs */
	size_t n_other, cap_other;
	strata_arena arena;
} sp_files;

#define SP_MAX_DEPTH 4 /* folders below the source folder that are listed */
struct dirent;
int sp_open_root(strata_host *h, const char *path, int quiet);
int sp_walk(strata_host *h, int rootfd, sp_files *out);
void sp_files_free(sp_files *f);
/* DT_REG (a file, or a link to one), DT_DIR (never a link) or 0. */
int sp_entry_type(int dfd, const struct dirent *e);
int sp_files_add(strata_host *h, sp_files *f, const char *prefix, const char *name, int type,
                 char **rel);
void sp_files_sort(sp_files *f);

/* ---- dcache.c: sp_walk for detect(), each folder read once while it is unchanged ---- */
/* What says a file or folder is unchanged: its identity and its times. */
typedef struct sp_stamp {
	unsigned long long dev, ino, size;
	long long mtime_s, mtime_ns, ctime_s, ctime_ns;
	int exists;
	/* Changed within the last 2 seconds of the stat: a change in the same
	 * clock tick would leave the times as they are, so such a stamp never
	 * vouches for what was read (git's "racily clean" entries). */
	int racy;
} sp_stamp;
void sp_stamp_of(const char *path, sp_stamp *s);
int sp_stamp_eq(const sp_stamp *a, const sp_stamp *b);
/* gen: the walk detect() is in (detect.c); a listing checked in this walk
 * is used without a stat. */
int sp_walk_cached(strata_host *h, const char *root, unsigned gen, sp_files *out);
void sp_dcache_drop(void);

/* ---- classify.c: which files are ups, downs or strangers ---- */
typedef struct sp_entry {
	const char *file;    /* relative path, borrowed from sp_files */
	const char *version; /* as written */
	const char *norm;    /* normalized, for comparing */
	const char *name;
	size_t down; /* index into downs, or SP_NONE */
	const char *key;   /* kinds: the migration's id; NULL for up and down files */
	unsigned int kind; /* STRATA_MIG_BASELINE / _REPEATABLE, or 0 */
} sp_entry;
#define SP_NONE ((size_t)-1)

typedef struct sp_set {
	const char *root; /* the source folder, absolute, to name a second file */
	sp_entry *up, *down, *other; /* other: baseline and repeatable files */
	size_t n_up, n_down, cap_up, cap_down, n_other, cap_other;
	strata_arena arena;
} sp_set;

int sp_classify(strata_host *h, const sp_layout *l, const sp_files *f, sp_set *out);
int sp_refuse_other(strata_host *h, const sp_layout *l, int rootfd, const sp_files *f);
void sp_set_free(sp_set *s);

/* ---- util.c, naming a second file in a message ---- */
char *sp_other_file(strata_host *h, const sp_set *s, const char *rel);

/* ---- pair.c: order by version, find duplicates, match downs to ups ---- */
int sp_pair(strata_host *h, sp_set *s);

/* ---- sections.c: up and down inside one file ---- */
typedef struct sp_sections {
	const char *up;
	size_t up_len;
	int up_line;
	const char *down; /* NULL: no down section */
	size_t down_len;
	int down_line;
	unsigned int flags;
} sp_sections;

int sp_sections_split(strata_host *h, const sp_layout *l, const char *file, char *buf, size_t len,
                      sp_sections *out);
int sp_sections_has_up(const sp_layout *l, char *buf, size_t len);

/* ---- emit.c: hand the paired migrations to the host ---- */
int sp_emit(strata_host *h, const sp_layout *l, int rootfd, const sp_set *s, bool want_down);

/* ---- detect.c ---- */
int sp_detect_choose(strata_host *h, const sp_catalog *c, int rootfd, const sp_files *f,
                     const sp_layout **best);
int sp_detect(strata_host *h, const char *dir);

/* ---- write.c: the write() op, from the layout's write: keys ---- */
int sp_write(strata_host *h, const strata_source_cfg *cfg, const strata_write_mig *m);

/* ---- scan.c ---- */
int sp_scan(strata_host *h, const strata_source_cfg *cfg);
const char *sp_default_tracker(strata_host *h, const strata_source_cfg *cfg);

#endif /* SQLPAIR_INTERNAL_H */
