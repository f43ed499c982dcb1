/* strata doctor's output: one line per finding, "FILE:LINE: severity:
 * message (fix: …)", then a summary line; with --json one object per
 * finding and a summary object (JSON Lines).  Exit 4 when a finding is an
 * error or a warning, 0 when there are none or only notes. */
#include "cli.h"

static const char *sev_color(strata_severity sev)
{
	return sev == STRATA_SEVERITY_ERROR ? SGR_RED SGR_BOLD : sev == STRATA_SEVERITY_WARNING ? SGR_YELLOW : SGR_CYAN;
}

static void finding_json(const strata_finding *f)
{
	fputs("{\"event\": \"finding\", \"code\": ", stdout);
	json_str(stdout, f->code);
	json_kv(stdout, "severity", strata_severity_name(f->severity));
	json_kv(stdout, "file", f->file);
	printf(", \"line\": %d, \"col\": %d, \"migration\": ", f->line, f->col);
	json_str(stdout, f->migration);
	json_kv(stdout, "message", f->message);
	json_kv(stdout, "fix", f->fix);
	fputs("}\n", stdout);
}

static void finding_text(const strata_finding *f)
{
	text t = {0};
	if (f->file) {
		text_esc(&t, f->file);
		if (f->line)
			text_printf(&t, ":%d", f->line);
		text_raw(&t, ": ", 2);
	}
	text_color(&t, stdout, sev_color(f->severity));
	text_printf(&t, "%s:", strata_severity_name(f->severity));
	text_color(&t, stdout, SGR_RESET);
	text_printf(&t, " %s [%s]", f->message, f->code);
	if (f->fix)
		text_printf(&t, " (fix: %s)", f->fix);
	text_line(&t, stdout);
}

int cli_doctor_print(strata *s, const strata_doctor_result *r, int json, int quiet)
{
	size_t n = strata_finding_count(s);
	int code = r->errors + r->warnings ? 4 : 0;
	if (json) {
		for (size_t i = 0; i < n; i++)
			finding_json(strata_finding_get(s, i));
		printf("{\"event\": \"summary\", \"migrations\": %zu, \"database_read\": %s, "
		       "\"errors\": %zu, \"warnings\": %zu, \"notes\": %zu, \"exit\": %d}\n",
		       r->migrations, r->database_read ? "true" : "false", r->errors, r->warnings,
		       r->notes, code);
		return code;
	}
	if (quiet)
		return code;
	for (size_t i = 0; i < n; i++)
		finding_text(strata_finding_get(s, i));
	printf("%zu migration%s read%s: %zu error%s, %zu warning%s, %zu note%s\n", r->migrations,
	       r->migrations == 1 ? "" : "s", r->database_read ? " with the database" : "",
	       r->errors, r->errors == 1 ? "" : "s", r->warnings, r->warnings == 1 ? "" : "s",
	       r->notes, r->notes == 1 ? "" : "s");
	return code;
}
