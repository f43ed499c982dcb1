/* The strata command line: a thin layer over libstrata. */
#ifndef STRATA_CLI_H
#define STRATA_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <strata/strata.h>

/* ---- main.c: the command table, the one list that --help, the man page's
 * command list and the shell completions are made from ---- */
enum {
	F_TO = 1 << 0, F_STEPS = 1 << 1, F_DRY = 1 << 2, F_SCRATCH = 1 << 3, F_APPLIED = 1 << 4,
	F_ROLLED = 1 << 5, F_FORCE = 1 << 6, F_OOO = 1 << 7, F_JSON = 1 << 8, F_ID = 1 << 9,
	F_SHELL = 1 << 10, /* completion's one argument */
	F_WRITES = 1 << 11, /* a write command: SIGINT, SIGTERM, SIGHUP stop it cleanly */
	F_INFER = 1 << 12,  /* baseline --infer */
	F_OUT = 1 << 13,    /* convert --out DIR */
	F_NAME = 1 << 14,   /* adopt --name NAME */
	F_OLD = 1 << 15,    /* adopt --keep-old-tracker / --drop-old-tracker */
	F_IDS = 1 << 16,    /* repair ID…: positional ids */
	F_PATH = 1 << 17,   /* adopt --path DIR */
	F_FLEET = 1 << 18,  /* --fleet FILE, --each-schema PATTERN, --jobs N (cli/fleet.c) */
	F_NOCACHE = 1 << 19, /* verify, drift --no-cache */
	F_SINGLE = 1 << 25  /* apply --[no-]single-transaction */
};

struct opts {
	const char *dir, *config, *db, *command, *to, *scratch, *id, *lock_timeout;
	const char *out, *name, *path;
	const char *const *ids; /* positional ids (F_IDS), n_ids of them */
	int n_ids;
	int json, quiet, verbose, dry_run, applied, rolled_back, force, out_of_order, steps;
	int infer, keep_old, drop_old;
	int single_tx; /* 1 --single-transaction, -1 --no-single-transaction, 0 the config's */
	const char *fleet, *each_schema; /* cli/fleet.c */
	int jobs;
	int no_cache;
	unsigned given; /* command flags seen, for "does not take" checks */
};
typedef struct opts opts;

typedef struct cli_command {
	const char *name;
	unsigned flags; /* accepted command flags, and F_WRITES */
	int (*run)(strata *s, const opts *o);
	const char *args;    /* "[--to ID] [--dry-run]": upper case words are values */
	const char *summary; /* what it does, one line */
} cli_command;
extern const cli_command cli_commands[]; /* ends with a NULL name */

/* An option: its flag (0: global, taken by every command), and the word its
 * value is named by in the synopsis, NULL when it takes none. */
typedef struct cli_option {
	const char *name, *alias;
	unsigned flag;
	const char *value;
	const char *summary;
} cli_option;
extern const cli_option cli_options[];

/* ---- doctor.c: strata doctor's findings; returns the exit code (0 or 4) ---- */
int cli_doctor_print(strata *s, const strata_doctor_result *r, int json, int quiet);
/* ---- infer.c: baseline --infer's verdicts; returns the exit code (0 or 4) ---- */
int cli_infer_print(strata *s, const strata_infer_result *r, int dry_run, int json, int quiet);

/* ---- repair.c: strata repair's items; returns the exit code (0 or 4) ---- */
int cli_repair_print(strata *s, const strata_repair_opts *o, int json, int quiet, int verbose);

/* ---- drift.c: strata drift's differences; returns the exit code (0 or 4) ---- */
int cli_drift_print(strata *s, const strata_drift_result *r, int json, int quiet);

/* ---- convert.c: strata convert's report; returns the exit code (0 or 4) ---- */
int cli_convert_print(strata *s, const strata_convert_result *r, const char *out, int json,
                      int quiet);
/* ---- adopt.c: strata adopt's report; returns the exit code ---- */
int cli_adopt_print(strata *s, const strata_adopt_opts *o, int json, int quiet);
/* --json --dry-run's sql_fn: the SQL kept for the object's "sql". */
void cli_adopt_sql(void *ud, const char *text, size_t len);

/* ---- json.c ---- */
/* A JSON string literal (or null) on f. */
void json_str(FILE *f, const char *s);
/* `, "key": value` on f, value as json_str() says it; key is a literal. */
void json_kv(FILE *f, const char *key, const char *value);

/* ---- text.c: message text, escaped, one line per message ---- */
typedef struct text {
	char *data;
	size_t len, cap;
} text;
/* Length of the valid UTF-8 sequence at p (its code point in *cp), 0 if it is not one. */
size_t utf8_len(const unsigned char *p, unsigned *cp);
void text_raw(text *t, const char *s, size_t n);  /* as it is (colour codes) */
void text_esc(text *t, const char *s);            /* control and non-UTF-8 escaped */
void text_printf(text *t, const char *fmt, ...) STRATA_PRINTF(2, 3); /* formatted, escaped */
void text_pad(text *t, const char *s, size_t width); /* escaped, padded to width */
size_t text_width(const char *s);                 /* bytes of s once escaped */
void text_color(text *t, FILE *f, const char *sgr); /* sgr when f shows colour */
void text_line(text *t, FILE *f);                 /* t and a newline on f; t freed */
void text_free(text *t);
/* One formatted message line on f, escaped. */
void say(FILE *f, const char *fmt, ...) STRATA_PRINTF(2, 3);
/* The error line on stderr, "strata: error: FILE:LINE:COL: MESSAGE (hint:
 * HINT)", escaped, `error:` red on a terminal; json: one object
 * {"event": "error", "message", "file", "line", "col", "hint", "exit"}. */
void error_line(int json, const char *message, const strata_error_info *e, int exit_code);

/* ---- term.c: colour and the progress line, on terminals only ---- */
#define SGR_RED "\033[31m"
#define SGR_GREEN "\033[32m"
#define SGR_YELLOW "\033[33m"
#define SGR_MAGENTA "\033[35m"
#define SGR_CYAN "\033[36m"
#define SGR_BOLD "\033[1m"
#define SGR_RESET "\033[0m"
void term_init(int quiet, int json);
int term_color(FILE *f);
void progress_show(const char *fmt, ...) STRATA_PRINTF(1, 2);
void progress_clear(void);
int term_progress(void);

/* ---- events.c: the write commands' per-migration events ---- */
void events_init(strata *s, int json, int quiet);
/* --dry-run's SQL: printed, or kept for the next --json event. */
void events_sql(void *ud, const char *text, size_t len);
/* apply's summary words for its transactions: "", " in one transaction",
 * " in 3 transactions, 2 outside one". */
const char *cli_commits_said(size_t commits, size_t alone);
/* The last JSON line of a write command. */
void events_summary(strata *s, const char *command, const char *count_key, size_t count,
                    int dry_run);
void events_free(void);

/* ---- fleet.c: --fleet FILE / --each-schema PATTERN with --jobs N: the
 * command on every target, a child process each; returns the worst exit ---- */
int cli_fleet(strata *s, const opts *o, int argc, char **argv);

/* ---- completion.c ---- */
int cli_completion(const char *shell);
void cli_help_man(void);
/* signals.c: SIGINT, SIGTERM, SIGHUP interrupt the command on s
 * (strata_interrupt) until released; release returns the signal that did, 0
 * when none. */
void cli_catch_signals(strata *s);
int cli_release_signals(strata *s);

#endif
