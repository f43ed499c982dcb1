/* strata: command line over libstrata.  Parses arguments, calls one library
 * function per command, prints the result and maps errors to exit codes:
 * 0 ok, 1 error, 2 usage, 3 pending, 4 problems. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

enum { EXIT_OK = 0, EXIT_ERR = 1, EXIT_USAGE = 2, EXIT_PENDING = 3, EXIT_PROBLEMS = 4 };

static int cmd_init(strata *s, const struct opts *o);
static int cmd_ledger(strata *s, const struct opts *o);
static int cmd_status(strata *s, const struct opts *o);
static int cmd_apply(strata *s, const struct opts *o);
static int cmd_rollback(strata *s, const struct opts *o);
static int cmd_baseline(strata *s, const struct opts *o);
static int cmd_mark(strata *s, const struct opts *o);
static int cmd_verify(strata *s, const struct opts *o);
static int cmd_doctor(strata *s, const struct opts *o);
static int cmd_repair(strata *s, const struct opts *o);
static int cmd_drift(strata *s, const struct opts *o);
static int cmd_convert(strata *s, const struct opts *o);
static int cmd_plugins(strata *s, const struct opts *o);
static int cmd_completion(strata *s, const struct opts *o);
static int cmd_adopt(strata *s, const struct opts *o);

/* F_JSON is every command's (--json is global) but completion's. */
const cli_command cli_commands[] = {
	{"init", F_FORCE | F_JSON, cmd_init, "[--force]",
	 "find the histories here, write strata.yaml (--db: with the trackers its tables show)"},
	{"ledger", F_JSON, cmd_ledger, "", "the merged, ordered list of migrations"},
	{"status", F_JSON | F_FLEET, cmd_status, "", "ledger vs database (exit 3 pending, 4 problems)"},
	{"apply", F_TO | F_DRY | F_OOO | F_SINGLE | F_JSON | F_WRITES | F_FLEET, cmd_apply,
	 "[--to ID] [--dry-run] [--out-of-order] [--[no-]single-transaction]",
	 "apply pending migrations in order"},
	{"rollback", F_TO | F_STEPS | F_DRY | F_JSON | F_WRITES, cmd_rollback, "[--to ID | --steps N] [--dry-run]",
	 "run down scripts, newest first"},
	{"baseline", F_TO | F_INFER | F_DRY | F_JSON | F_WRITES | F_FLEET, cmd_baseline, "[--to ID | --infer [--dry-run]]",
	 "record as applied without running (--infer: those the live schema holds)"},
	{"mark", F_ID | F_APPLIED | F_ROLLED | F_JSON | F_WRITES, cmd_mark, "ID --applied | --rolled-back",
	 "repair one migration's record"},
	{"verify", F_SCRATCH | F_NOCACHE | F_JSON | F_WRITES, cmd_verify, "[--scratch URL] [--no-cache]",
	 "apply the history to an empty database"},
	{"doctor", F_JSON, cmd_doctor, "", "every problem of the history in one run (exit 4 findings)"},
	{"repair", F_IDS | F_FORCE | F_DRY | F_JSON | F_WRITES, cmd_repair, "[ID ...] [--force] [--dry-run]",
	 "record again checksums of files changed in comments or whitespace only (exit 4 refused)"},
	{"drift", F_SCRATCH | F_NOCACHE | F_JSON | F_FLEET, cmd_drift, "[--scratch URL] [--no-cache]",
	 "the live schema against what its applied history makes (exit 4 differences)"},
	{"convert", F_TO | F_OUT | F_JSON, cmd_convert, "--to FORMAT[:LAYOUT] --out DIR",
	 "write the history in another tool's layout (exit 4: some not converted)"},
	{"adopt", F_TO | F_NAME | F_PATH | F_OLD | F_DRY | F_JSON | F_WRITES, cmd_adopt,
	 "--to FORMAT[:LAYOUT] [--name NAME] [--path DIR] [--keep-old-tracker | --drop-old-tracker] [--dry-run]",
	 "write another tool's baseline from the live schema, retire the old source"},
	{"plugins", F_JSON, cmd_plugins, "", "the plugins found"},
	{"completion", F_SHELL, cmd_completion, "bash|zsh|fish", "print a shell completion script"},
	{NULL, 0, NULL, NULL, NULL},
};

/* Every option parse() knows, for the completions (flag 0: global). */
const cli_option cli_options[] = {
	{"-C", NULL, 0, "DIR", "change to DIR first"},
	{"--config", "-c", 0, "FILE", "config file"},
	{"--db", NULL, 0, "URL", "database URL"},
	{"--lock-timeout", NULL, 0, "DURATION", "how long to wait for a lock"},
	{"--json", NULL, F_JSON, NULL, "JSON output (JSON Lines for write commands)"},
	{"--quiet", "-q", 0, NULL, "nothing but errors"},
	{"--verbose", "-v", 0, NULL, "debug lines on stderr"},
	{"--help", "-h", 0, NULL, "usage"},
	{"--version", NULL, 0, NULL, "the version"},
	{"--to", NULL, F_TO, "ID", "stop at this migration"},
	{"--steps", NULL, F_STEPS, "N", "how many to roll back"},
	{"--dry-run", NULL, F_DRY, NULL, "print the SQL, change nothing"},
	{"--out-of-order", NULL, F_OOO, NULL, "apply older pending migrations too"},
	{"--single-transaction", NULL, F_SINGLE, NULL, "apply: all or nothing, in one transaction"},
	{"--no-single-transaction", NULL, F_SINGLE, NULL, "apply: each migration commits on its own"},
	{"--scratch", NULL, F_SCRATCH, "URL", "the empty database to verify (or drift) on"},
	{"--no-cache", NULL, F_NOCACHE, NULL, "replay the whole history, keep no template"},
	{"--applied", NULL, F_APPLIED, NULL, "record as applied"},
	{"--rolled-back", NULL, F_ROLLED, NULL, "record as rolled back"},
	{"--force", NULL, F_FORCE, NULL, "overwrite strata.yaml (init); repair what differs (repair)"},
	{"--infer", NULL, F_INFER, NULL, "baseline what the live schema already holds"},
	{"--out", NULL, F_OUT, "DIR", "convert: the new or empty folder to write"},
	{"--name", NULL, F_NAME, "NAME", "adopt: the baseline's id (0_init)"},
	{"--path", NULL, F_PATH, "DIR", "adopt: the new source's folder"},
	{"--keep-old-tracker", NULL, F_OLD, NULL, "adopt: leave the old tracking table (default)"},
	{"--drop-old-tracker", NULL, F_OLD, NULL, "adopt: drop the old tracking table"},
	{"--fleet", NULL, F_FLEET, "FILE", "run on each database of FILE (one URL a line; - stdin)"},
	{"--each-schema", NULL, F_FLEET, "PATTERN", "run on each schema matching PATTERN ('tenant_*')"},
	{"--jobs", NULL, F_FLEET, "N", "fleet: at most N targets at once (1)"},
	{NULL, NULL, 0, NULL, NULL},
};

static int quiet, verbose, json_mode;

static void usage(FILE *f)
{
	fputs("usage: strata [-C DIR] [-c FILE] [--db URL] [--lock-timeout DURATION] [--json] [-q|-v] "
	      "<command>\n\ncommands:\n",
	      f);
	for (const cli_command *c = cli_commands; c->name; c++) {
		int n = fprintf(f, "  %s%s%s", c->name, *c->args ? " " : "", c->args);
		fprintf(f, "%*s%s\n", n < 26 ? 26 - n : 2, "", c->summary);
	}
	fputs("\nDatabase: --db, else DATABASE_URL (from the environment, else from .env), else "
	      "database: in strata.yaml, else sqlite:strata.db\n",
	      f);
	fputs("Many targets: apply, status, baseline and drift take --fleet FILE (a URL a line) or "
	      "--each-schema PATTERN, with --jobs N\n",
	      f);
}

/* --json: one object on stderr, {"event": "error", …}. */
static void json_error(const char *message, const strata_error_info *e, int exit_code)
{
	error_line(1, message, e, exit_code);
}

static int usage_error(const char *fmt, ...) STRATA_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (json_mode) {
		strata_error_info e = {.cls = STRATA_ECLASS_USAGE, .hint = "see `strata --help`"};
		json_error(msg ? msg : "usage", &e, EXIT_USAGE);
	} else
		say(stderr, "strata: %s (hint: see `strata --help`)", msg ? msg : "usage");
	free(msg);
	return EXIT_USAGE;
}

/* Without -q: warnings (yellow on a terminal) and progress; debug with -v.
 * With --json each is an object on stderr: {"event": "warning", …}. */
static void on_log(void *ud, strata_log_level lvl, const char *file, int line, const char *msg)
{
	(void)ud;
	if ((lvl == STRATA_LOG_DEBUG && !verbose) || quiet)
		return;
	if (json_mode) {
		const char *ev = lvl == STRATA_LOG_WARN ? "warning" : lvl == STRATA_LOG_INFO ? "info" : "debug";
		fflush(stdout);
		fprintf(stderr, "{\"event\": \"%s\", \"message\": ", ev);
		json_str(stderr, msg);
		json_kv(stderr, "file", file);
		fprintf(stderr, ", \"line\": %d}\n", line);
		return;
	}
	text t = {0};
	if (lvl == STRATA_LOG_INFO) {
		text_esc(&t, msg);
		text_line(&t, stdout);
		return;
	}
	text_raw(&t, "strata: ", 8);
	if (lvl == STRATA_LOG_WARN) {
		text_color(&t, stderr, SGR_YELLOW);
		text_raw(&t, "warning:", 8);
		text_color(&t, stderr, SGR_RESET);
		text_raw(&t, " ", 1);
	}
	if (file && line)
		text_printf(&t, "%s:%d: ", file, line);
	else if (file)
		text_printf(&t, "%s: ", file);
	text_esc(&t, msg);
	text_line(&t, stderr);
}

static int exit_of(const strata_error_info *e, int rc)
{
	if (rc == STRATA_ESTATE)
		return EXIT_PROBLEMS;
	if (e && e->cls == STRATA_ECLASS_USAGE)
		return EXIT_USAGE;
	return EXIT_ERR;
}

/* One line: "strata: error: FILE:LINE:COL: MESSAGE (hint: HINT)", escaped,
 * `error:` red on a terminal; with --json one object on stderr. */
static int report(strata *s, int rc)
{
	const strata_error_info *e = strata_last_error(s);
	int code = exit_of(e, rc);
	const char *message = e && e->message ? e->message : "failed";
	error_line(json_mode, message, e, code);
	return code;
}

/* ", "key": "value" (the first field of an object passes first = 1). */
static void json_field(const char *key, const char *value, int first)
{
	printf("%s\"%s\": ", first ? "{" : ", ", key);
	json_str(stdout, value);
}

static void print_migration_json(const strata_migration_info *m, int with_state, const char *diff)
{
	json_field("id", m->id, 1);
	json_field("source", m->source, 0);
	json_field("format", m->format, 0);
	json_field("version", m->version, 0);
	json_field("name", m->name, 0);
	json_field("checksum", m->checksum, 0);
	json_field("file", m->file, 0);
	json_field("kind", strata_kind_name(m->flags), 0);
	if (m->blocked)
		json_field("untranslatable", m->blocked, 0);
	if (with_state) {
		json_field("state", strata_state_name(m->state), 0);
		printf(", \"out_of_order\": %s", m->out_of_order ? "true" : "false");
		json_field("applied_at", m->applied_at, 0);
		if (m->error)
			json_field("error", m->error, 0);
		if (m->decided_by) {
			json_field("decided_by", m->decided_by, 0);
			json_field("decided_at", m->decided_at, 0);
		}
		if (diff)
			json_field("diff", diff, 0);
	}
	fputs("}", stdout);
}

static size_t width(strata *s, size_t (*len)(const strata_migration_info *))
{
	size_t w = 0;
	for (size_t i = 0; i < strata_migration_count(s); i++) {
		size_t l = len(strata_migration_get(s, i));
		w = l > w ? l : w;
	}
	return w;
}

static size_t id_len(const strata_migration_info *m)
{
	return text_width(m->id);
}

/* The sources a dialect: key left out for this database, a line each. */
static void print_left_out(strata *s)
{
	for (size_t i = 0; i < strata_left_out_count(s); i++) {
		const strata_left_out_info *l = strata_left_out_get(s, i);
		say(stdout, "left out: %s (dialect %s, the database is %s)", l->source, l->dialect,
		    l->database);
	}
}

/* The same as the member ', "left_out": [...]' of a JSON object. */
static void print_left_out_json(strata *s)
{
	fputs(", \"left_out\": [", stdout);
	for (size_t i = 0; i < strata_left_out_count(s); i++) {
		const strata_left_out_info *l = strata_left_out_get(s, i);
		fputs(i ? ", {\"source\": " : "{\"source\": ", stdout);
		json_str(stdout, l->source);
		json_kv(stdout, "dialect", l->dialect);
		json_kv(stdout, "database", l->database);
		fputs("}", stdout);
	}
	fputs("]", stdout);
}

static int cmd_ledger(strata *s, const opts *o)
{
	int rc = strata_load_ledger(s);
	if (rc)
		return report(s, rc);
	size_t n = strata_migration_count(s);
	if (o->json) {
		fputs("{\"database\": ", stdout);
		json_str(stdout, strata_database_display(s));
		fputs(", \"migrations\": [", stdout);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ",\n  " : "\n  ", stdout);
			print_migration_json(strata_migration_get(s, i), 0, NULL);
		}
		fputs(n ? "\n]" : "]", stdout);
		print_left_out_json(s);
		printf(", \"summary\": {\"total\": %zu}}\n", n);
		return EXIT_OK;
	}
	if (quiet)
		return EXIT_OK;
	print_left_out(s);
	size_t w = width(s, id_len);
	for (size_t i = 0; i < n; i++) {
		const strata_migration_info *m = strata_migration_get(s, i);
		text t = {0};
		text_pad(&t, m->id, w);
		text_printf(&t, "  %.12s  %s%s%s", m->checksum, m->name, m->has_down ? "" : "  (no down)",
		            m->blocked ? "  (untranslatable)" : "");
		text_line(&t, stdout);
	}
	printf("%zu migration%s\n", n, n == 1 ? "" : "s");
	return EXIT_OK;
}

/* A failure's text in brackets, trimmed to its first non-empty line: a
 * native tool's log may be many (--json carries it whole). */
static void print_one_line(text *t, const char *s)
{
	while (*s == '\n' || *s == '\r' || *s == ' ')
		s++;
	size_t n = strcspn(s, "\r\n");
	text_printf(t, "  [%.*s%s]", (int)n, s, s[n] && s[n + strspn(s + n, "\r\n \t")] ? " …" : "");
}

/* A state's colour in status, on a terminal. */
static const char *state_color(strata_state st)
{
	switch (st) {
	case STRATA_APPLIED: return SGR_GREEN;
	case STRATA_BASELINED: return SGR_CYAN;
	case STRATA_PENDING:
	case STRATA_ROLLED_BACK:
	case STRATA_OUTDATED: return SGR_YELLOW;
	case STRATA_MISSING: return SGR_MAGENTA;
	case STRATA_IGNORED:
	case STRATA_RETIRED: return SGR_CYAN;
	default: return SGR_RED; /* failed, modified */
	}
}

/* -v: what changed in a modified migration since strata_ledger recorded
 * its text, indented under its line (or why that cannot be shown). */
static void print_diff(strata *s, size_t i)
{
	char *diff = strata_migration_diff(s, i);
	if (!diff || !*diff) {
		say(stdout, "    %s", diff ? "(the file is the text strata_ledger recorded: only the "
		                             "recorded checksum differs)"
		                           : "(no recorded text to compare: the row predates it, or "
		                             "another tool wrote it)");
		free(diff);
		return;
	}
	for (const char *p = diff; *p;) {
		size_t n = strcspn(p, "\n");
		text t = {0};
		text_raw(&t, "    ", 4);
		const char *c = *p == '-' ? SGR_RED : *p == '+' ? SGR_GREEN : *p == '@' ? SGR_CYAN : NULL;
		if (c)
			text_color(&t, stdout, c);
		char *line = strndup(p, n);
		text_esc(&t, line ? line : "");
		free(line);
		if (c)
			text_color(&t, stdout, SGR_RESET);
		text_line(&t, stdout);
		p += n + (p[n] == '\n');
	}
	free(diff);
}

static int cmd_status(strata *s, const opts *o)
{
	size_t counts[STRATA_STATE_COUNT], ooo = 0;
	int rc = strata_status(s, counts, &ooo);
	if (rc)
		return report(s, rc);
	size_t n = strata_migration_count(s);
	size_t problems = counts[STRATA_FAILED] + counts[STRATA_MODIFIED] + counts[STRATA_MISSING] + ooo;
	size_t pending = counts[STRATA_PENDING] + counts[STRATA_ROLLED_BACK] + counts[STRATA_OUTDATED];
	if (quiet) {
	} else if (o->json) {
		fputs("{\"database\": ", stdout);
		json_str(stdout, strata_database_display(s));
		fputs(", \"migrations\": [", stdout);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ",\n  " : "\n  ", stdout);
			const strata_migration_info *m = strata_migration_get(s, i);
			/* -v: a modified migration's change against the text strata_ledger kept */
			char *diff = verbose && m->state == STRATA_MODIFIED ? strata_migration_diff(s, i) : NULL;
			if (diff && !*diff) {
				free(diff);
				diff = NULL;
			}
			print_migration_json(m, 1, diff);
			free(diff);
		}
		fputs(n ? "\n]" : "]", stdout);
		print_left_out_json(s);
		fputs(", \"summary\": {", stdout);
		for (int st = 0; st < STRATA_STATE_COUNT; st++)
			printf("\"%s\": %zu, ", strata_state_name((strata_state)st), counts[st]);
		printf("\"out_of_order\": %zu}}\n", ooo);
	} else {
		say(stdout, "database: %s", strata_database_display(s));
		print_left_out(s);
		size_t w = width(s, id_len);
		for (size_t i = 0; i < n; i++) {
			const strata_migration_info *m = strata_migration_get(s, i);
			text t = {0};
			const char *state = strata_state_name(m->state);
			text_pad(&t, m->id, w);
			text_raw(&t, "  ", 2);
			text_color(&t, stdout, state_color(m->state));
			text_esc(&t, state);
			text_color(&t, stdout, SGR_RESET);
			text_pad(&t, "", 11 - strlen(state) + 2);
			text_esc(&t, m->name);
			if (m->out_of_order)
				text_raw(&t, "  (out of order)", 16);
			if (m->flags & (STRATA_MIG_BASELINE | STRATA_MIG_REPEATABLE))
				text_printf(&t, "  (%s)", strata_kind_name(m->flags));
			if (m->native_only)
				text_raw(&t, "  (native tracker)", 18);
			if (m->decided_by)
				text_printf(&t, "  (%s by %s%s%s)", state, m->decided_by,
				            m->decided_at ? ", " : "", m->decided_at ? m->decided_at : "");
			if (m->blocked && m->state == STRATA_PENDING)
				text_raw(&t, "  (untranslatable)", 18);
			if (m->state == STRATA_FAILED && m->error)
				print_one_line(&t, m->error);
			text_line(&t, stdout);
			if (verbose && m->state == STRATA_MODIFIED)
				print_diff(s, i);
		}
		printf("%zu migration%s:", n, n == 1 ? "" : "s");
		const char *sep = " ";
		for (int st = 0; st < STRATA_STATE_COUNT; st++)
			if (counts[st]) {
				printf("%s%zu %s", sep, counts[st], strata_state_name((strata_state)st));
				sep = ", ";
			}
		if (ooo)
			printf("%s%zu out of order", sep, ooo);
		putchar('\n');
	}
	return problems ? EXIT_PROBLEMS : pending ? EXIT_PENDING : EXIT_OK;
}

/* The write commands: per-migration lines come from events.c; each prints its
 * summary line here, or with --json its summary object. */
static int cmd_apply(strata *s, const opts *o)
{
	strata_apply_opts ao = {.to = o->to, .dry_run = o->dry_run, .out_of_order = o->out_of_order,
	                        .sql_fn = events_sql, .single_transaction = o->single_tx};
	int rc = strata_apply(s, &ao);
	if (rc)
		return report(s, rc);
	if (o->json)
		events_summary(s, "apply", o->dry_run ? "would_apply" : "applied", ao.applied, o->dry_run);
	else if (quiet)
		;
	else if (!o->dry_run)
		say(stdout, "%zu migration%s applied to %s%s", ao.applied, ao.applied == 1 ? "" : "s",
		    strata_database_display(s), cli_commits_said(ao.commits, ao.alone));
	else
		printf("-- %zu migration%s would be applied; nothing was changed\n", ao.applied,
		       ao.applied == 1 ? "" : "s");
	return EXIT_OK;
}

static int cmd_rollback(strata *s, const opts *o)
{
	strata_rollback_opts ro = {.to = o->to, .steps = o->steps, .dry_run = o->dry_run,
	                           .sql_fn = events_sql};
	int rc = strata_rollback(s, &ro);
	if (rc)
		return report(s, rc);
	if (o->json)
		events_summary(s, "rollback", o->dry_run ? "would_roll_back" : "rolled_back",
		               ro.rolled_back, o->dry_run);
	else if (quiet)
		;
	else if (o->dry_run)
		printf("-- %zu migration%s would be rolled back; nothing was changed\n",
		       ro.rolled_back, ro.rolled_back == 1 ? "" : "s");
	else
		printf("%zu migration%s rolled back\n", ro.rolled_back, ro.rolled_back == 1 ? "" : "s");
	return EXIT_OK;
}

/* baseline --infer: the verdicts (cli/infer.c prints them). */
static int cmd_baseline_infer(strata *s, const opts *o)
{
	if (o->to)
		return usage_error("--infer decides every migration; it does not take --to");
	strata_infer_result r = {0};
	int rc = strata_baseline_infer(s, o->dry_run, &r);
	if (!rc)
		rc = cli_infer_print(s, &r, o->dry_run, o->json, quiet);
	else
		rc = report(s, rc);
	strata_infer_result_free(&r);
	return rc;
}

/* What a baseline left out, and why: "3 already recorded, 2 pending after --to". */
static void skipped(text *t, const strata_baseline_result *r)
{
	const struct {
		size_t n;
		const char *why;
	} parts[] = {
		{r->already, "already recorded"},
		{r->after_to, "pending after --to"},
		{r->ignored, "ignored (below the baseline migration)"},
		{r->renewed, "recorded, their native row written again"},
		{r->retired, "of a retired source"},
	};
	const char *sep = "";
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		if (parts[i].n) {
			text_printf(t, "%s%zu %s", sep, parts[i].n, parts[i].why);
			sep = ", ";
		}
}

static int cmd_baseline(strata *s, const opts *o)
{
	if (o->infer)
		return cmd_baseline_infer(s, o);
	if (o->dry_run)
		return usage_error("--dry-run goes with --infer here");
	strata_baseline_result r = {0};
	int rc = strata_baseline_counted(s, o->to, &r);
	if (rc)
		return report(s, rc);
	size_t n = r.recorded;
	bool left = r.already + r.after_to + r.ignored + r.renewed + r.retired;
	if (o->json) {
		fputs("{\"event\": \"summary\", \"command\": \"baseline\", \"database\": ", stdout);
		json_str(stdout, strata_database_display(s));
		printf(", \"baselined\": %zu, \"already\": %zu, \"after_to\": %zu, \"ignored\": %zu, "
		       "\"renewed\": %zu, \"retired\": %zu}\n",
		       n, r.already, r.after_to, r.ignored, r.renewed, r.retired);
	} else if (!quiet) {
		text t = {0};
		if (n)
			text_printf(&t, "%zu migration%s recorded as baselined (not run)", n, n == 1 ? "" : "s");
		else
			text_printf(&t, "nothing to baseline%s", left ? "" : ": the ledger has no migrations");
		if (left)
			text_printf(&t, "%s", n ? "; left out: " : ": ");
		skipped(&t, &r);
		text_line(&t, stdout);
	}
	return EXIT_OK;
}

static int cmd_mark(strata *s, const opts *o)
{
	if (!o->id || o->applied == o->rolled_back)
		return usage_error("mark needs an ID and exactly one of --applied, --rolled-back");
	int rc = strata_mark(s, o->id, o->applied);
	if (rc)
		return report(s, rc);
	if (o->json)
		events_summary(s, "mark", "marked", 1, 0);
	return EXIT_OK;
}

/* adopt: the live schema as another tool's baseline (core/run/adopt.c);
 * cli/adopt.c prints what was done. */
static int cmd_adopt(strata *s, const opts *o)
{
	strata_adopt_opts ao = {.to = o->to, .name = o->name, .path = o->path,
	                        .drop_old_tracker = o->drop_old, .dry_run = o->dry_run,
	                        .sql_fn = o->json ? cli_adopt_sql : events_sql};
	int rc = strata_adopt(s, &ao);
	if (rc)
		return report(s, rc);
	return cli_adopt_print(s, &ao, o->json, quiet);
}

/* doctor: the findings, read only (cli/doctor.c prints them). */
static int cmd_doctor(strata *s, const opts *o)
{
	strata_doctor_result r = {0};
	int rc = strata_doctor(s, &r);
	if (rc)
		return report(s, rc);
	return cli_doctor_print(s, &r, o->json, quiet);
}

/* repair: the items (cli/repair.c prints them). */
static int cmd_repair(strata *s, const opts *o)
{
	strata_repair_opts ro = {.ids = o->ids, .n_ids = (size_t)o->n_ids, .force = o->force,
	                         .dry_run = o->dry_run};
	int rc = strata_repair(s, &ro);
	if (rc)
		return report(s, rc);
	return cli_repair_print(s, &ro, o->json, quiet, verbose);
}

/* drift: the differences, read only but for the scratch (cli/drift.c prints them). */
static int cmd_drift(strata *s, const opts *o)
{
	strata_drift_result r = {0};
	strata_set_replay_cache(s, !o->no_cache);
	int rc = strata_drift(s, o->scratch, &r);
	if (rc)
		return report(s, rc);
	return cli_drift_print(s, &r, o->json, quiet);
}

/* convert: the history written in another format (cli/convert.c prints the report). */
static int cmd_convert(strata *s, const opts *o)
{
	if (!o->to || !o->out)
		return usage_error("convert needs --to FORMAT[:LAYOUT] and --out DIR");
	strata_convert_result r = {0};
	int rc = strata_convert(s, o->to, o->out, &r);
	if (rc)
		return report(s, rc);
	return cli_convert_print(s, &r, o->out, o->json, quiet);
}

static int cmd_verify(strata *s, const opts *o)
{
	size_t n = 0;
	strata_set_replay_cache(s, !o->no_cache);
	int rc = strata_verify(s, o->scratch, &n);
	if (rc) {
		/* How far it got, once it got going; a refusal before the first
		 * migration (wrong dialect, no scratch database) is its one line.
		 * (--json: the events said it.) */
		const strata_error_info *e = strata_last_error(s);
		if ((n || (e && e->cls == STRATA_ECLASS_SQL)) && !o->json)
			say(stderr, "strata: verify failed after %zu migration%s", n, n == 1 ? "" : "s");
		return report(s, rc);
	}
	if (o->json)
		events_summary(s, "verify", "verified", n, 0);
	else if (!quiet)
		printf("verified: %zu migration%s apply cleanly in order on an empty database\n", n,
		       n == 1 ? "" : "s");
	return EXIT_OK;
}

static void json_list(const char *const *list)
{
	putchar('[');
	for (size_t k = 0; list && list[k]; k++) {
		if (k)
			fputs(", ", stdout);
		json_str(stdout, list[k]);
	}
	putchar(']');
}

static void roles(const strata_plugin_info *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", p->is_source ? "source," : "", p->is_tracker ? "tracker," : "",
	         p->is_driver ? "driver," : "");
	size_t n = strlen(buf);
	if (n)
		buf[n - 1] = '\0';
}

static int cmd_plugins(strata *s, const opts *o)
{
	int rc = strata_load_plugins(s);
	if (rc)
		return report(s, rc);
	size_t n = strata_plugin_count(s);
	if (quiet)
		return EXIT_OK;
	if (o->json)
		fputs("{\"plugins\": [", stdout);
	for (size_t i = 0; i < n; i++) {
		const strata_plugin_info *p = strata_plugin_get(s, i);
		char r[64];
		roles(p, r, sizeof r);
		if (o->json) {
			fputs(i ? ",\n  " : "\n  ", stdout);
			json_field("name", p->name, 1);
			json_field("version", p->version, 0);
			fputs(", \"roles\": [", stdout);
			for (const char *role = r; *role;) {
				size_t k = strcspn(role, ",");
				char one[16];
				snprintf(one, sizeof one, "%.*s", (int)k, role);
				if (role != r)
					fputs(", ", stdout);
				json_str(stdout, one);
				role += k + (role[k] == ',');
			}
			fputs("], \"formats\": ", stdout);
			json_list(p->formats);
			fputs(", \"schemes\": ", stdout);
			json_list(p->schemes);
			json_field("file", p->file, 0);
			json_field("error", p->error, 0);
			fputs("}", stdout);
			continue;
		}
		text t = {0};
		if (p->error) {
			text_printf(&t, "%-10s %-8s %-22s %s (refused: %s)", "-", "-", "-", p->file, p->error);
			text_line(&t, stdout);
			continue;
		}
		text_printf(&t, "%-10s %-8s %-22s %s", p->name, p->version, r, p->file);
		const char *const *list = p->formats ? p->formats : p->schemes;
		for (size_t k = 0; list && list[k]; k++)
			text_printf(&t, "%s%s", k ? "," : "  [", list[k]);
		if (list && list[0])
			text_raw(&t, "]", 1);
		text_line(&t, stdout);
	}
	if (o->json)
		printf("%s]}\n", n ? "\n" : "");
	return EXIT_OK;
}

static int cmd_init(strata *s, const opts *o)
{
	const char *path = o->config ? o->config : "strata.yaml";
	int rc = strata_init(s, path, o->force);
	if (rc)
		return report(s, rc);
	if (o->json) {
		fputs("{\"event\": \"summary\", \"command\": \"init\", \"wrote\": ", stdout);
		json_str(stdout, path);
		fputs("}\n", stdout);
	} else if (!quiet)
		say(stdout, "wrote %s", path);
	return EXIT_OK;
}

static int cmd_completion(strata *s, const opts *o)
{
	(void)s;
	if (quiet) /* -q: nothing but errors, even here */
		return EXIT_OK;
	if (!o->id)
		return usage_error("completion needs a shell: bash, zsh or fish");
	if (cli_completion(o->id))
		return usage_error("completion knows bash, zsh and fish, not '%s'", o->id);
	return EXIT_OK;
}

static int need_value(int argc, char **argv, int *i, const char **out)
{
	if (*i + 1 >= argc)
		return usage_error("%s needs a value", argv[*i]);
	*out = argv[++*i];
	return 0;
}

/* The positional ids of F_IDS commands (freed by main). */
static const char **ids;

static const char **xids_add(const char **v, int *n, const char *a)
{
	const char **w = realloc(v, (size_t)(*n + 2) * sizeof *w);
	if (!w) {
		fputs("strata: out of memory\n", stderr);
		exit(EXIT_ERR);
	}
	w[(*n)++] = a;
	w[*n] = NULL;
	return w;
}

static int parse(int argc, char **argv, opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *steps = NULL;
		int rc = 0;
		if (!strcmp(a, "-C"))
			rc = need_value(argc, argv, &i, &o->dir);
		else if (!strcmp(a, "-c") || !strcmp(a, "--config"))
			rc = need_value(argc, argv, &i, &o->config);
		else if (!strcmp(a, "--db"))
			rc = need_value(argc, argv, &i, &o->db);
		else if (!strcmp(a, "--lock-timeout"))
			rc = need_value(argc, argv, &i, &o->lock_timeout);
		else if (!strcmp(a, "--json"))
			o->json = 1, o->given |= F_JSON;
		else if (!strcmp(a, "--help-man")) { /* hidden: the man page's command list */
			cli_help_man();
			exit(EXIT_OK);
		}
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			o->quiet = 1;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			o->verbose = 1;
		else if (!strcmp(a, "--to"))
			rc = need_value(argc, argv, &i, &o->to), o->given |= F_TO;
		else if (!strcmp(a, "--steps")) {
			rc = need_value(argc, argv, &i, &steps);
			o->given |= F_STEPS;
			char *end;
			if (!rc && ((o->steps = (int)strtol(steps, &end, 10)) <= 0 || *end))
				return usage_error("--steps takes a positive number, not '%s'", steps);
		} else if (!strcmp(a, "--dry-run"))
			o->dry_run = 1, o->given |= F_DRY;
		else if (!strcmp(a, "--scratch"))
			rc = need_value(argc, argv, &i, &o->scratch), o->given |= F_SCRATCH;
		else if (!strcmp(a, "--no-cache"))
			o->no_cache = 1, o->given |= F_NOCACHE;
		else if (!strcmp(a, "--applied"))
			o->applied = 1, o->given |= F_APPLIED;
		else if (!strcmp(a, "--rolled-back"))
			o->rolled_back = 1, o->given |= F_ROLLED;
		else if (!strcmp(a, "--infer"))
			o->infer = 1, o->given |= F_INFER;
		else if (!strcmp(a, "--force"))
			o->force = 1, o->given |= F_FORCE;
		else if (!strcmp(a, "--out"))
			rc = need_value(argc, argv, &i, &o->out), o->given |= F_OUT;
		else if (!strcmp(a, "--out-of-order"))
			o->out_of_order = 1, o->given |= F_OOO;
		else if (!strcmp(a, "--single-transaction") || !strcmp(a, "--no-single-transaction")) {
			int v = a[2] == 'n' ? -1 : 1;
			if (o->single_tx && o->single_tx != v)
				return usage_error("--single-transaction and --no-single-transaction exclude each other");
			o->single_tx = v, o->given |= F_SINGLE;
		}
		else if (!strcmp(a, "--name"))
			rc = need_value(argc, argv, &i, &o->name), o->given |= F_NAME;
		else if (!strcmp(a, "--path"))
			rc = need_value(argc, argv, &i, &o->path), o->given |= F_PATH;
		else if (!strcmp(a, "--keep-old-tracker"))
			o->keep_old = 1, o->given |= F_OLD;
		else if (!strcmp(a, "--drop-old-tracker"))
			o->drop_old = 1, o->given |= F_OLD;
		else if (!strcmp(a, "--fleet"))
			rc = need_value(argc, argv, &i, &o->fleet), o->given |= F_FLEET;
		else if (!strcmp(a, "--each-schema"))
			rc = need_value(argc, argv, &i, &o->each_schema), o->given |= F_FLEET;
		else if (!strcmp(a, "--jobs")) {
			const char *jobs = NULL;
			rc = need_value(argc, argv, &i, &jobs);
			o->given |= F_FLEET;
			char *end;
			if (!rc && ((o->jobs = (int)strtol(jobs, &end, 10)) <= 0 || *end || o->jobs > 1024))
				return usage_error("--jobs takes a number from 1 to 1024, not '%s'", jobs);
		}
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(EXIT_OK);
		} else if (!strcmp(a, "--version")) {
			printf("strata %s\n", STRATA_VERSION);
			exit(EXIT_OK);
		} else if (a[0] == '-' && a[1])
			return usage_error("unknown option '%s'", a);
		else if (!o->command)
			o->command = a;
		else if (!strcmp(o->command, "repair")) { /* F_IDS: every positional is an id */
			ids = xids_add(ids, &o->n_ids, a);
			o->ids = ids;
			o->given |= F_IDS;
		} else if (!o->id)
			o->id = a, o->given |= strcmp(o->command, "completion") ? F_ID : F_SHELL;
		else
			return usage_error("unexpected argument '%s'", a);
		if (rc)
			return rc;
	}
	if (o->quiet && o->verbose)
		return usage_error("-q and -v exclude each other");
	if (o->quiet && o->json)
		return usage_error("-q and --json exclude each other");
	return 0;
}

/* A command is short: memory it frees is kept for its next allocations,
 * not given back to the kernel to be faulted in again.  glibc's default
 * (give back what passes 128 KiB at the top of the heap) made Alembic's
 * scan, which frees one translation's memory per revision, cost 2,000 brk
 * calls for 1,000 revisions, each shrink a TLB shootdown on the CPUs of the
 * other threads: `status` on 1,000 revisions used 52 ms of CPU, now 40. */
static void keep_freed_memory(void)
{
#ifdef __GLIBC__
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 1 << 20);
#endif
}

int main(int argc, char **argv)
{
	keep_freed_memory();
	opts o = {0};
	for (int i = 1; i < argc; i++) /* usage errors are JSON too */
		json_mode |= !strcmp(argv[i], "--json");
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc;
	if (!o.command) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const cli_command *c = cli_commands;
	while (c->name && strcmp(c->name, o.command))
		c++;
	if (!c->name)
		return usage_error("unknown command '%s'", o.command);
	unsigned extra = o.given & ~c->flags;
	if (extra & F_FLEET)
		return usage_error("%s does not take --fleet, --each-schema or --jobs (apply, status, "
		                   "baseline and drift do)", c->name);
	if (extra)
		return usage_error("%s does not take %s", c->name,
		                   extra & (F_ID | F_SHELL) ? "that argument" : "that option");
	if (o.keep_old && o.drop_old)
		return usage_error("--keep-old-tracker and --drop-old-tracker exclude each other");
	if ((o.given & F_TO) && (o.given & F_STEPS))
		return usage_error("--to and --steps exclude each other");
	if (o.jobs && !o.fleet && !o.each_schema)
		return usage_error("--jobs goes with --fleet FILE or --each-schema PATTERN");
	if (o.fleet && o.db)
		return usage_error("--fleet FILE names the databases; it does not take --db");
	quiet = o.quiet;
	verbose = o.verbose;
	term_init(o.quiet, o.json);
	if (o.dir && chdir(o.dir) != 0) {
		strata_error_info e = {.file = o.dir, .hint = "check -C"};
		if (json_mode)
			json_error("cannot change directory", &e, EXIT_ERR);
		else
			say(stderr, "strata: error: %s: cannot change directory (hint: check -C)", o.dir);
		return EXIT_ERR;
	}

	long lock_ms = 0;
	if (o.lock_timeout && strata_parse_duration(o.lock_timeout, &lock_ms))
		return usage_error("--lock-timeout takes a duration such as 10s or 500ms, not '%s'",
		                   o.lock_timeout);
	strata *s = strata_new();
	strata_set_log(s, on_log, NULL);
	events_init(s, o.json, o.quiet);
	if (o.lock_timeout)
		strata_set_lock_timeout(s, lock_ms);
	if (o.db)
		strata_set_database(s, o.db);
	if (strcmp(c->name, "init") && strcmp(c->name, "completion") &&
	    (rc = strata_load_config(s, o.config))) {
		rc = report(s, rc);
		strata_free(s);
		events_free();
		return rc;
	}
	if (o.fleet || o.each_schema) { /* many targets, a child process each (cli/fleet.c) */
		rc = cli_fleet(s, &o, argc, argv);
		strata_free(s);
		events_free();
		return fflush(stdout) != 0 ? EXIT_ERR : rc;
	}
	/* A write command stops cleanly on SIGINT, SIGTERM, SIGHUP: exit 128 + N. */
	bool writes = (c->flags & F_WRITES) && !o.dry_run;
	if (writes)
		cli_catch_signals(s);
	rc = c->run(s, &o);
	int sig = writes ? cli_release_signals(s) : 0;
	if (sig && rc != EXIT_OK)
		rc = 128 + sig;
	strata_free(s);
	events_free();
	free(ids);
	if (fflush(stdout) != 0)
		return EXIT_ERR;
	return rc;
}
