/* strata convert's output: a line per item not converted, "ID: not
 * converted (WHAT): reason (hint: …)", then "wrote N of M migrations to DIR
 * (FORMAT[:LAYOUT], DIALECT)"; with --json one object per item and a
 * summary object (JSON Lines).  Exit 4 when something was not converted. */
#include "cli.h"

static void item_json(const strata_convert_item *it)
{
	fputs("{\"event\": \"not_converted\", \"migration\": ", stdout);
	json_str(stdout, it->migration);
	fputs(", \"what\": ", stdout);
	json_str(stdout, it->what);
	fputs(", \"reason\": ", stdout);
	json_str(stdout, it->reason);
	fputs(", \"hint\": ", stdout);
	json_str(stdout, it->hint);
	fputs("}\n", stdout);
}

static void item_text(const strata_convert_item *it)
{
	text t = {0};
	text_esc(&t, it->migration);
	text_raw(&t, ": ", 2);
	text_color(&t, stdout, SGR_YELLOW);
	text_printf(&t, "not converted (%s):", it->what);
	text_color(&t, stdout, SGR_RESET);
	text_raw(&t, " ", 1);
	text_esc(&t, it->reason);
	if (it->hint) {
		text_raw(&t, " (hint: ", 8);
		text_esc(&t, it->hint);
		text_raw(&t, ")", 1);
	}
	text_line(&t, stdout);
}

int cli_convert_print(strata *s, const strata_convert_result *r, const char *out, int json,
                      int quiet)
{
	size_t n = strata_convert_item_count(s);
	int code = n ? 4 : 0;
	const char *layout = strata_convert_layout(s);
	if (json) {
		for (size_t i = 0; i < n; i++)
			item_json(strata_convert_item_get(s, i));
		fputs("{\"event\": \"summary\", \"command\": \"convert\", \"format\": ", stdout);
		json_str(stdout, strata_convert_format(s));
		fputs(", \"layout\": ", stdout);
		json_str(stdout, layout);
		fputs(", \"dialect\": ", stdout);
		json_str(stdout, strata_convert_dialect(s));
		fputs(", \"out\": ", stdout);
		json_str(stdout, out);
		printf(", \"migrations\": %zu, \"written\": %zu, \"not_converted\": %zu, \"exit\": %d}\n",
		       r->migrations, r->written, r->not_converted, code);
		return code;
	}
	if (quiet)
		return code;
	for (size_t i = 0; i < n; i++)
		item_text(strata_convert_item_get(s, i));
	const char *d = strata_convert_dialect(s);
	say(stdout, "wrote %zu of %zu migration%s to %s (%s%s%s%s%s)", r->written, r->migrations,
	    r->migrations == 1 ? "" : "s", out, strata_convert_format(s), layout ? ":" : "",
	    layout ? layout : "", d ? ", " : "", d ? d : "");
	return code;
}
