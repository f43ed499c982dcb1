/* strata: command line over libstrata.  Parses arguments, calls one library
 * function per command, prints the result and maps errors to exit codes:
 * 0 ok, 1 error, 2 usage, 3 pending, 4 problems. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_ERR = 1, EXIT_USAGE = 2, EXIT_PENDING = 3, EXIT_PROBLEMS = 4 };

struct opts {
	const char *dir, *config, *db, *command, *to, *scratch, *id, *lock_timeout;
	int json, quiet, verbose, dry_run, applied, rolled_back, force, out_of_order, steps;
	unsigned given; /* command flags seen, for "does not take" checks */
};
typedef struct opts opts;

enum {
	F_TO = 1 << 0, F_STEPS = 1 << 1, F_DRY = 1 << 2, F_SCRATCH = 1 << 3, F_APPLIED = 1 << 4,
	F_ROLLED = 1 << 5, F_FORCE = 1 << 6, F_OOO = 1 << 7, F_JSON = 1 << 8, F_ID = 1 << 9
};

static int cmd_init(strata *s, const struct opts *o);
static int cmd_ledger(strata *s, const struct opts *o);
static int cmd_status(strata *s, const struct opts *o);
static int cmd_apply(strata *s, const struct opts *o);
static int cmd_rollback(strata *s, const struct opts *o);
static int cmd_baseline(strata *s, const struct opts *o);
static int cmd_mark(strata *s, const struct opts *o);
static int cmd_verify(strata *s, const struct opts *o);
static int cmd_plugins(strata *s, const struct opts *o);

static const struct command {
	const char *name;
	unsigned flags; /* accepted command flags */
	int (*run)(strata *s, const struct opts *o);
	const char *synopsis;
} commands[] = {
	{"init", F_FORCE, cmd_init, "init [--force]          find the histories here, write strata.yaml"},
	{"ledger", F_JSON, cmd_ledger, "ledger                  the merged, ordered list of migrations"},
	{"status", F_JSON, cmd_status, "status                  ledger vs database (exit 3 pending, 4 problems)"},
	{"apply", F_TO | F_DRY | F_OOO, cmd_apply, "apply [--to ID] [--dry-run] [--out-of-order]"},
	{"rollback", F_TO | F_STEPS | F_DRY, cmd_rollback, "rollback [--to ID | --steps N] [--dry-run]"},
	{"baseline", F_TO, cmd_baseline, "baseline [--to ID]      record as applied without running"},
	{"mark", F_ID | F_APPLIED | F_ROLLED, cmd_mark, "mark ID --applied | --rolled-back"},
	{"verify", F_SCRATCH, cmd_verify, "verify [--scratch URL]  apply the history to an empty database"},
	{"plugins", F_JSON, cmd_plugins, "plugins                 the plugins found"},
	{NULL, 0, NULL, NULL},
};

static int quiet, verbose;

static void usage(FILE *f)
{
	fputs("usage: strata [-C DIR] [-c FILE] [--db URL] [--lock-timeout DURATION] [--json] [-q|-v] "
	      "<command>\n\ncommands:\n",
	      f);
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %s\n", c->synopsis);
	fputs("\nDatabase: --db, else DATABASE_URL (from the environment, else from .env), else "
	      "database: in strata.yaml, else sqlite:strata.db\n",
	      f);
}

static int usage_error(const char *fmt, ...) STRATA_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("strata: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (hint: see `strata --help`)\n", stderr);
	return EXIT_USAGE;
}

/* Warnings always, progress unless -q, debug with -v. */
static void on_log(void *ud, strata_log_level lvl, const char *file, int line, const char *msg)
{
	(void)ud;
	if (lvl == STRATA_LOG_DEBUG && !verbose)
		return;
	if (lvl == STRATA_LOG_INFO) {
		if (!quiet)
			printf("%s\n", msg);
		return;
	}
	fflush(stdout);
	fprintf(stderr, "strata: %s", lvl == STRATA_LOG_WARN ? "warning: " : "");
	if (file && line)
		fprintf(stderr, "%s:%d: ", file, line);
	else if (file)
		fprintf(stderr, "%s: ", file);
	fprintf(stderr, "%s\n", msg);
}

/* One line: "strata: error: FILE:LINE:COL: MESSAGE (hint: HINT)". */
static int report(strata *s, int rc)
{
	const strata_error_info *e = strata_last_error(s);
	fflush(stdout);
	fputs("strata: error: ", stderr);
	if (e && e->file) {
		fputs(e->file, stderr);
		if (e->line)
			fprintf(stderr, ":%d", e->line);
		if (e->line && e->col)
			fprintf(stderr, ":%d", e->col);
		fputs(": ", stderr);
	}
	fputs(e && e->message ? e->message : "failed", stderr);
	if (e && e->hint)
		fprintf(stderr, " (hint: %s)", e->hint);
	fputc('\n', stderr);
	if (rc == STRATA_ESTATE)
		return EXIT_PROBLEMS;
	if (e && e->cls == STRATA_ECLASS_USAGE)
		return EXIT_USAGE;
	return EXIT_ERR;
}

/* ", "key": "value" (the first field of an object passes first = 1). */
static void json_field(const char *key, const char *value, int first)
{
	printf("%s\"%s\": ", first ? "{" : ", ", key);
	json_str(stdout, value);
}

static void print_migration_json(const strata_migration_info *m, int with_state)
{
	json_field("id", m->id, 1);
	json_field("source", m->source, 0);
	json_field("format", m->format, 0);
	json_field("version", m->version, 0);
	json_field("name", m->name, 0);
	json_field("checksum", m->checksum, 0);
	json_field("file", m->file, 0);
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
	return strlen(m->id);
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
			print_migration_json(strata_migration_get(s, i), 0);
		}
		printf("%s], \"summary\": {\"total\": %zu}}\n", n ? "\n" : "", n);
		return EXIT_OK;
	}
	int w = (int)width(s, id_len);
	for (size_t i = 0; i < n; i++) {
		const strata_migration_info *m = strata_migration_get(s, i);
		printf("%-*s  %.12s  %s%s%s\n", w, m->id, m->checksum, m->name,
		       m->has_down ? "" : "  (no down)", m->blocked ? "  (untranslatable)" : "");
	}
	if (!quiet)
		printf("%zu migration%s\n", n, n == 1 ? "" : "s");
	return EXIT_OK;
}

/* A failure's text in brackets, trimmed to its first non-empty line: a
 * native tool's log may be many (--json carries it whole). */
static void print_one_line(const char *text)
{
	while (*text == '\n' || *text == '\r' || *text == ' ')
		text++;
	size_t n = strcspn(text, "\r\n");
	printf("  [%.*s%s]", (int)n, text, text[n] && text[n + strspn(text + n, "\r\n \t")] ? " …" : "");
}

static int cmd_status(strata *s, const opts *o)
{
	size_t counts[STRATA_STATE_COUNT], ooo = 0;
	int rc = strata_status(s, counts, &ooo);
	if (rc)
		return report(s, rc);
	size_t n = strata_migration_count(s);
	size_t problems = counts[STRATA_FAILED] + counts[STRATA_MODIFIED] + counts[STRATA_MISSING] + ooo;
	size_t pending = counts[STRATA_PENDING] + counts[STRATA_ROLLED_BACK];
	if (o->json) {
		fputs("{\"database\": ", stdout);
		json_str(stdout, strata_database_display(s));
		fputs(", \"migrations\": [", stdout);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ",\n  " : "\n  ", stdout);
			print_migration_json(strata_migration_get(s, i), 1);
		}
		fputs(n ? "\n], \"summary\": {" : "], \"summary\": {", stdout);
		for (int st = 0; st < STRATA_STATE_COUNT; st++)
			printf("\"%s\": %zu, ", strata_state_name((strata_state)st), counts[st]);
		printf("\"out_of_order\": %zu}}\n", ooo);
	} else {
		printf("database: %s\n", strata_database_display(s));
		int w = (int)width(s, id_len);
		for (size_t i = 0; i < n; i++) {
			const strata_migration_info *m = strata_migration_get(s, i);
			printf("%-*s  %-11s  %s", w, m->id, strata_state_name(m->state), m->name);
			if (m->out_of_order)
				fputs("  (out of order)", stdout);
			if (m->native_only)
				fputs("  (native tracker)", stdout);
			if (m->decided_by)
				printf("  (%s by %s%s%s)", strata_state_name(m->state), m->decided_by,
				       m->decided_at ? ", " : "", m->decided_at ? m->decided_at : "");
			if (m->blocked && m->state == STRATA_PENDING)
				fputs("  (untranslatable)", stdout);
			if (m->state == STRATA_FAILED && m->error)
				print_one_line(m->error);
			putchar('\n');
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

static void print_sql(void *ud, const char *text, size_t len)
{
	(void)ud;
	fwrite(text, 1, len, stdout);
}

static int cmd_apply(strata *s, const opts *o)
{
	strata_apply_opts ao = {.to = o->to, .dry_run = o->dry_run, .out_of_order = o->out_of_order,
	                        .sql_fn = print_sql};
	int rc = strata_apply(s, &ao);
	if (rc)
		return report(s, rc);
	if (!quiet && !o->dry_run)
		printf("%zu migration%s applied to %s\n", ao.applied, ao.applied == 1 ? "" : "s",
		       strata_database_display(s));
	if (o->dry_run)
		printf("-- %zu migration%s would be applied; nothing was changed\n", ao.applied,
		       ao.applied == 1 ? "" : "s");
	return EXIT_OK;
}

static int cmd_rollback(strata *s, const opts *o)
{
	strata_rollback_opts ro = {.to = o->to, .steps = o->steps, .dry_run = o->dry_run,
	                           .sql_fn = print_sql};
	int rc = strata_rollback(s, &ro);
	if (rc)
		return report(s, rc);
	if (o->dry_run)
		printf("-- %zu migration%s would be rolled back; nothing was changed\n",
		       ro.rolled_back, ro.rolled_back == 1 ? "" : "s");
	else if (!quiet)
		printf("%zu migration%s rolled back\n", ro.rolled_back, ro.rolled_back == 1 ? "" : "s");
	return EXIT_OK;
}

static int cmd_baseline(strata *s, const opts *o)
{
	size_t n = 0;
	int rc = strata_baseline(s, o->to, &n);
	if (rc)
		return report(s, rc);
	if (!quiet)
		printf("%zu migration%s recorded as baselined (not run)\n", n, n == 1 ? "" : "s");
	return EXIT_OK;
}

static int cmd_mark(strata *s, const opts *o)
{
	if (!o->id || o->applied == o->rolled_back)
		return usage_error("mark needs an ID and exactly one of --applied, --rolled-back");
	int rc = strata_mark(s, o->id, o->applied);
	return rc ? report(s, rc) : EXIT_OK;
}

static int cmd_verify(strata *s, const opts *o)
{
	size_t n = 0;
	int rc = strata_verify(s, o->scratch, &n);
	if (rc) {
		/* How far it got, once it got going; a refusal before the first
		 * migration (wrong dialect, no scratch database) is its one line. */
		const strata_error_info *e = strata_last_error(s);
		if (n || (e && e->cls == STRATA_ECLASS_SQL))
			fprintf(stderr, "strata: verify failed after %zu migration%s\n", n,
			        n == 1 ? "" : "s");
		return report(s, rc);
	}
	if (!quiet)
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
		if (p->error) {
			printf("%-10s %-8s %-22s %s (refused: %s)\n", "-", "-", "-", p->file, p->error);
			continue;
		}
		printf("%-10s %-8s %-22s %s", p->name, p->version, r, p->file);
		const char *const *list = p->formats ? p->formats : p->schemes;
		for (size_t k = 0; list && list[k]; k++)
			printf("%s%s", k ? "," : "  [", list[k]);
		puts(list && list[0] ? "]" : "");
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
	if (!quiet)
		printf("wrote %s\n", path);
	return EXIT_OK;
}

static int need_value(int argc, char **argv, int *i, const char **out)
{
	if (*i + 1 >= argc)
		return usage_error("%s needs a value", argv[*i]);
	*out = argv[++*i];
	return 0;
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
		else if (!strcmp(a, "--applied"))
			o->applied = 1, o->given |= F_APPLIED;
		else if (!strcmp(a, "--rolled-back"))
			o->rolled_back = 1, o->given |= F_ROLLED;
		else if (!strcmp(a, "--force"))
			o->force = 1, o->given |= F_FORCE;
		else if (!strcmp(a, "--out-of-order"))
			o->out_of_order = 1, o->given |= F_OOO;
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
		else if (!o->id)
			o->id = a, o->given |= F_ID;
		else
			return usage_error("unexpected argument '%s'", a);
		if (rc)
			return rc;
	}
	if (o->quiet && o->verbose)
		return usage_error("-q and -v exclude each other");
	return 0;
}

int main(int argc, char **argv)
{
	opts o = {0};
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc;
	if (!o.command) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const struct command *c = commands;
	while (c->name && strcmp(c->name, o.command))
		c++;
	if (!c->name)
		return usage_error("unknown command '%s'", o.command);
	unsigned extra = o.given & ~c->flags;
	if (extra)
		return usage_error("%s does not take %s", c->name,
		                   extra & F_ID ? "that argument" : "that option");
	if ((o.given & F_TO) && (o.given & F_STEPS))
		return usage_error("--to and --steps exclude each other");
	quiet = o.quiet;
	verbose = o.verbose;
	if (o.dir && chdir(o.dir) != 0) {
		fprintf(stderr, "strata: error: %s: cannot change directory (hint: check -C)\n", o.dir);
		return EXIT_ERR;
	}

	long lock_ms = 0;
	if (o.lock_timeout && strata_parse_duration(o.lock_timeout, &lock_ms))
		return usage_error("--lock-timeout takes a duration such as 10s or 500ms, not '%s'",
		                   o.lock_timeout);
	strata *s = strata_new();
	strata_set_log(s, on_log, NULL);
	if (o.lock_timeout)
		strata_set_lock_timeout(s, lock_ms);
	if (o.db)
		strata_set_database(s, o.db);
	if (strcmp(c->name, "init") && (rc = strata_load_config(s, o.config))) {
		rc = report(s, rc);
		strata_free(s);
		return rc;
	}
	/* A write command stops cleanly on SIGINT, SIGTERM, SIGHUP: exit 128 + N. */
	static const char *const writers[] = {"apply", "rollback", "baseline", "mark", "verify"};
	bool writes = false;
	for (size_t i = 0; i < sizeof writers / sizeof *writers; i++)
		writes |= !strcmp(c->name, writers[i]) && !o.dry_run;
	if (writes)
		cli_catch_signals(s);
	rc = c->run(s, &o);
	int sig = writes ? cli_release_signals(s) : 0;
	if (sig && rc != EXIT_OK)
		rc = 128 + sig;
	strata_free(s);
	if (fflush(stdout) != 0)
		return EXIT_ERR;
	return rc;
}
