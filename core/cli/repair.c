/* strata repair's output: one line per migration, "ACTION ID FILE:LINE:
 * reason", the diff under a refused one (under every one with -v), then a
 * summary line; with --json one object per migration and a summary object
 * (JSON Lines).  Exit 4 when one was refused, 0 otherwise. */
#include "cli.h"

#include <string.h>

static void item_json(const strata_repair_item *it)
{
	fputs("{\"event\": \"repair\", \"id\": ", stdout);
	json_str(stdout, it->id);
	fputs(", \"action\": ", stdout);
	json_str(stdout, it->action);
	fputs(", \"file\": ", stdout);
	json_str(stdout, it->file);
	printf(", \"line\": %d, \"reason\": ", it->line);
	json_str(stdout, it->reason);
	fputs(", \"old_checksum\": ", stdout);
	json_str(stdout, it->old_checksum);
	fputs(", \"new_checksum\": ", stdout);
	json_str(stdout, it->new_checksum);
	printf(", \"forced\": %s, \"diff\": ", it->forced ? "true" : "false");
	json_str(stdout, it->diff);
	fputs("}\n", stdout);
}

/* The diff's lines, indented, - red and + green on a terminal. */
static void diff_text(const char *diff)
{
	for (const char *p = diff; p && *p;) {
		size_t n = strcspn(p, "\n");
		char line[8192];
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
		text t = {0};
		text_raw(&t, "    ", 4);
		const char *c = *p == '-' ? SGR_RED : *p == '+' ? SGR_GREEN : *p == '@' ? SGR_CYAN : NULL;
		if (c)
			text_color(&t, stdout, c);
		text_esc(&t, line);
		if (c)
			text_color(&t, stdout, SGR_RESET);
		text_line(&t, stdout);
		p += n + (p[n] == '\n');
	}
}

static void item_text(const strata_repair_item *it, int verbose)
{
	text t = {0};
	bool refused = !strcmp(it->action, "refused");
	text_color(&t, stdout, refused ? SGR_RED SGR_BOLD : SGR_GREEN);
	text_esc(&t, refused ? "refused" : !strcmp(it->action, "repaired") ? "repaired" : "would repair");
	text_color(&t, stdout, SGR_RESET);
	text_raw(&t, " ", 1);
	text_esc(&t, it->id);
	if (it->file) {
		text_raw(&t, " (", 2);
		text_esc(&t, it->file);
		if (it->line)
			text_printf(&t, ":%d", it->line);
		text_raw(&t, ")", 1);
	}
	text_printf(&t, ": %s", it->reason);
	text_line(&t, stdout);
	if (it->diff && (refused || it->forced || verbose))
		diff_text(it->diff);
}

int cli_repair_print(strata *s, const strata_repair_opts *o, int json, int quiet, int verbose)
{
	size_t n = strata_repair_count(s);
	int code = o->refused ? 4 : 0;
	if (json) {
		for (size_t i = 0; i < n; i++)
			item_json(strata_repair_get(s, i));
		printf("{\"event\": \"summary\", \"command\": \"repair\", \"%s\": %zu, \"refused\": %zu, "
		       "\"dry_run\": %s, \"exit\": %d}\n",
		       o->dry_run ? "would_repair" : "repaired", o->repaired, o->refused,
		       o->dry_run ? "true" : "false", code);
		return code;
	}
	if (quiet)
		return code;
	for (size_t i = 0; i < n; i++)
		item_text(strata_repair_get(s, i), verbose);
	if (!n)
		printf("nothing to repair: every recorded checksum matches its file\n");
	else if (o->dry_run)
		printf("-- %zu migration%s would be repaired, %zu refused; nothing was changed\n",
		       o->repaired, o->repaired == 1 ? "" : "s", o->refused);
	else
		printf("%zu migration%s repaired, %zu refused\n", o->repaired,
		       o->repaired == 1 ? "" : "s", o->refused);
	return code;
}
