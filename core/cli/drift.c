/* strata drift's output: one line per difference, then a summary line.
 *   + table public.audit  (in the database, not made by the history)
 *   - column public.users.email  (made by app:0002_email, not in the database)
 *   ~ column public.users.age: bigint NOT NULL in the database, integer in the history (app:0001)
 * A definition on several lines or long (a function's body) is not
 * printed: "its definition differs".  With --json one object per
 * difference and a summary object (JSON Lines).  Exit 4 when there is a
 * difference, 0 when there is none. */
#include "cli.h"

#include <string.h>

/* schema.parent.name, the parts there are (a schema's and an extension's
 * name alone: neither is named within a schema). */
static void full_name(text *t, const strata_drift_item *it)
{
	if (it->schema && it->kind != STRATA_OBJK_SCHEMA && it->kind != STRATA_OBJK_EXTENSION)
		text_printf(t, "%s.", it->schema);
	if (it->parent)
		text_printf(t, "%s.", it->parent);
	text_esc(t, it->name);
}

static bool one_line(const char *def)
{
	return def && !strchr(def, '\n') && strlen(def) <= 160;
}

static void item_text(const strata_drift_item *it)
{
	static const char *const mark[] = {"+", "-", "~"};
	static const char *const sgr[] = {SGR_GREEN, SGR_RED, SGR_YELLOW};
	text t = {0};
	text_color(&t, stdout, sgr[it->change]);
	text_printf(&t, "%s", mark[it->change]);
	text_color(&t, stdout, SGR_RESET);
	text_printf(&t, " %s ", strata_obj_kind_name(it->kind));
	full_name(&t, it);
	const char *mig = it->migration ? it->migration : "no migration known";
	if (it->change == STRATA_DRIFT_EXTRA)
		text_printf(&t, "  (in the database, not made by the history)");
	else if (it->change == STRATA_DRIFT_MISSING)
		text_printf(&t, "  (made by %s, not in the database)", it->migration ? it->migration : "the history");
	else if (one_line(it->live) && one_line(it->history))
		text_printf(&t, ": %s in the database, %s in the history (%s)", it->live, it->history, mig);
	else
		text_printf(&t, ": its definition differs from the history's (%s)", mig);
	text_line(&t, stdout);
}

static void item_json(const strata_drift_item *it)
{
	fputs("{\"event\": \"drift\", \"kind\": ", stdout);
	json_str(stdout, strata_obj_kind_name(it->kind));
	fputs(", \"schema\": ", stdout);
	json_str(stdout, it->schema);
	fputs(", \"parent\": ", stdout);
	json_str(stdout, it->parent);
	fputs(", \"name\": ", stdout);
	json_str(stdout, it->name);
	fputs(", \"change\": ", stdout);
	json_str(stdout, strata_drift_change_name(it->change));
	fputs(", \"live\": ", stdout);
	json_str(stdout, it->live);
	fputs(", \"history\": ", stdout);
	json_str(stdout, it->history);
	fputs(", \"migration\": ", stdout);
	json_str(stdout, it->migration);
	fputs("}\n", stdout);
}

int cli_drift_print(strata *s, const strata_drift_result *r, int json, int quiet)
{
	size_t n = strata_drift_count(s);
	int code = n ? 4 : 0;
	if (json) {
		for (size_t i = 0; i < n; i++)
			item_json(strata_drift_get(s, i));
		printf("{\"event\": \"summary\", \"migrations\": %zu, \"extra\": %zu, \"missing\": %zu, "
		       "\"different\": %zu, \"exit\": %d}\n",
		       r->migrations, r->extra, r->missing, r->different, code);
		return code;
	}
	if (quiet)
		return code;
	for (size_t i = 0; i < n; i++)
		item_text(strata_drift_get(s, i));
	if (!n)
		printf("no drift: the database is what its %zu applied migration%s\n", r->migrations,
		       r->migrations == 1 ? " makes" : "s make");
	else
		printf("drift: %zu extra, %zu missing, %zu different (%zu migration%s replayed)\n",
		       r->extra, r->missing, r->different, r->migrations, r->migrations == 1 ? "" : "s");
	return code;
}
