/* The fleet: one command over many targets (--fleet FILE, --each-schema
 * PATTERN), --jobs N at once, each a child strata process (docs/fleet.md). */
#ifndef STRATA_CLI_FLEET_H
#define STRATA_CLI_FLEET_H

#include "cli.h"

#include <sys/types.h>

typedef enum { T_WAITING, T_RUNNING, T_DONE, T_NOT_RUN } fleet_state;

typedef struct fleet_target {
	char *url;    /* what the child gets as DATABASE_URL (password and all) */
	char *shown;  /* redacted: what JSON and messages call it */
	char *name;   /* the short name lines use: the schema, else shown */
	char *schema; /* --each-schema's, else NULL */
	/* fleet.c */
	fleet_state state;
	pid_t pid;
	int fd[2];       /* the child's stdout and stderr (read ends), -1 closed */
	text buf[2];     /* what came from them */
	long start_ms, ms;
	int exit;        /* the child's exit code; 128 + N when signal N ended it */
	bool interrupted; /* ended by a signal the fleet passed on */
} fleet_target;

typedef struct fleet {
	fleet_target *v;
	size_t n;
} fleet;

/* ---- fleet_targets.c: the targets, before anything runs ---- */
/* The lines of path ("-": stdin): blank and #-comment lines skipped,
 * ${VAR} / $VAR expanded from the environment; one usage error (printed,
 * returns 2) for an unset variable, a line that is no URL, a duplicate. */
int fleet_read_file(fleet *f, const char *path, int json);
/* Each target replaced by one per schema of its database matching pattern
 * (with only_url set, that URL is the one target first); errors printed. */
int fleet_each_schema(fleet *f, strata *s, const char *only_url, const char *pattern, int json);
void fleet_free(fleet *f);
/* One error line "strata: error: FILE:LINE: MSG (hint: H)", or with --json
 * the error object; returns code. */
int fleet_error(int json, int code, const char *file, int line, const char *hint, const char *fmt,
                ...) STRATA_PRINTF(6, 7);

/* ---- fleet_json.c: reading what the children printed with --json ---- */
/* The end of the JSON value at p (after leading blanks), or NULL when it is
 * not one whole value. */
const char *jv_end(const char *p);
/* The object at obj: each member's key (decoded) and value span to fn;
 * fn returns non-zero to stop. */
void jv_members(const char *obj, int (*fn)(void *ud, const char *key, const char *v, const char *end),
                void *ud);
/* The string value at v decoded (malloc'd), NULL when v is no string. */
char *jv_string(const char *v);
/* The member key of the object at obj as a string (malloc'd) or its number
 * (*num; returns NULL then), NULL when absent. */
char *jv_get_str(const char *obj, const char *key);
long jv_get_num(const char *obj, const char *key, long dflt);

/* ---- fleet_report.c ---- */
/* "ok", "pending", "problems", "error", "interrupted", "not run", "usage". */
const char *fleet_result_word(const fleet_target *t);
bool fleet_failed(const fleet_target *t); /* error, crash, usage, interrupted */
/* 0 < 3 (pending) < 4 (problems) < 1 (error, and every other code). */
int fleet_rank(int code);
/* "50 applied", "3 pending, 47 applied", "2 applied, 1 failed" (malloc'd), or NULL. */
char *fleet_counts(const fleet_target *t);
/* One line of the target's stderr on stderr, with its name. */
void fleet_say_line(const fleet_target *t, const char *line);
void fleet_print_table(const fleet *f, int jobs, int worst, long ms);
void fleet_print_json(const fleet *f, const char *command, int jobs, int worst, long ms);

#endif
