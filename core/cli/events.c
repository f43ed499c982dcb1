/* The write commands' per-migration events (strata_set_events): as text, a
 * progress line on a terminal ("[3/40] applying app:0003") and the lines
 * "applied …", "rolled back …"; with --json one JSON object per line on
 * stdout as each happens, then a summary object (JSON Lines). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int json, quiet;
static text sql; /* --json --dry-run: the SQL of the migration whose event comes next */

static const char *doing(const char *command)
{
	return !strcmp(command, "rollback") ? "rolling back"
	       : !strcmp(command, "verify") ? "verifying"
	                                    : "applying";
}

static void json_line(const strata_event *ev)
{
	const strata_migration_info *m = ev->migration;
	const char *kind = strata_event_name(ev->kind);
	if (ev->kind == STRATA_EVENT_DRY_RUN)
		kind = !strcmp(ev->command, "rollback") ? "would_roll_back" : "would_apply";
	fputs("{\"event\": ", stdout);
	json_str(stdout, kind);
	json_kv(stdout, "command", ev->command);
	json_kv(stdout, "id", m->id);
	json_kv(stdout, "source", m->source);
	json_kv(stdout, "version", m->version);
	json_kv(stdout, "name", m->name);
	json_kv(stdout, "file", !strcmp(ev->command, "rollback") && m->down_file ? m->down_file : m->file);
	if (ev->kind == STRATA_EVENT_COMMITTED && STRATA_HAS(strata_event, ev, reason)) {
		printf(", \"count\": %zu", ev->count);
		json_kv(stdout, "reason", ev->reason);
	}
	if (ev->kind == STRATA_EVENT_MARKED) {
		json_kv(stdout, "state", strata_state_name(m->state));
	}
	printf(", \"index\": %zu, \"total\": %zu", ev->index, ev->total);
	if (ev->ms >= 0)
		printf(", \"ms\": %ld", ev->ms);
	if (ev->kind == STRATA_EVENT_DRY_RUN) {
		json_kv(stdout, "sql", sql.data ? sql.data : "");
		text_free(&sql);
	}
	fputs("}\n", stdout);
	fflush(stdout);
}

static void on_event(void *ud, const strata_event *ev)
{
	(void)ud;
	const strata_migration_info *m = ev->migration;
	if (json) {
		if (ev->kind != STRATA_EVENT_START)
			json_line(ev);
		return;
	}
	switch (ev->kind) {
	case STRATA_EVENT_START:
		progress_show("[%zu/%zu] %s %s", ev->index, ev->total, doing(ev->command), m->id);
		break;
	case STRATA_EVENT_APPLIED:
	case STRATA_EVENT_ROLLED_BACK:
		if (!quiet)
			say(stdout, "%s %s %s (%ld ms)",
			    ev->kind == STRATA_EVENT_APPLIED ? "applied" : "rolled back", m->id, m->name,
			    ev->ms);
		progress_clear();
		break;
	case STRATA_EVENT_SKIPPED:
		if (!quiet && !strcmp(ev->command, "apply"))
			say(stdout, "skipped %s: applied meanwhile by another process", m->id);
		progress_clear();
		break;
	case STRATA_EVENT_MARKED:
		if (!quiet)
			say(stdout, "marked %s %s", m->id,
			    m->state == STRATA_APPLIED ? "applied" : "rolled back");
		break;
	case STRATA_EVENT_COMMITTED: /* where a batch ends early; at the end the summary says it */
		if (!quiet && STRATA_HAS(strata_event, ev, reason) && ev->reason)
			say(stdout, "committed %zu migration%s; %s", ev->count, ev->count == 1 ? "" : "s",
			    ev->reason);
		break;
	default: /* verified, baselined, failed, dry_run: the summary or the error says it */
		progress_clear();
		break;
	}
}

void events_init(strata *s, int json_, int quiet_)
{
	json = json_;
	quiet = quiet_;
	strata_set_events(s, on_event, NULL);
}

void events_sql(void *ud, const char *s, size_t len)
{
	(void)ud;
	if (json)
		text_raw(&sql, s, len);
	else if (!quiet)
		fwrite(s, 1, len, stdout);
}

void events_summary(strata *s, const char *command, const char *count_key, size_t count,
                    int dry_run)
{
	fputs("{\"event\": \"summary\", \"command\": ", stdout);
	json_str(stdout, command);
	json_kv(stdout, "database", strata_database_display(s));
	if (count_key) {
		fputs(", ", stdout);
		json_str(stdout, count_key);
		printf(": %zu", count);
	}
	if (dry_run)
		fputs(", \"dry_run\": true", stdout);
	fputs("}\n", stdout);
}

const char *cli_commits_said(size_t commits, size_t alone)
{
	static char buf[96];
	if (!alone && commits <= 1)
		return commits ? " in one transaction" : "";
	if (!commits)
		return "";
	snprintf(buf, sizeof buf, " in %zu transaction%s, %zu outside one", commits,
	         commits == 1 ? "" : "s", alone);
	return buf;
}

void events_free(void)
{
	text_free(&sql);
	progress_clear();
}
