/* strata baseline --infer's output: one line per migration, its verdict
 * and why ("applied   app:20240101_init  (3 objects found)", "partial
 * …  missing: table public.x, column public.y.z"), then a summary line;
 * with --json one object per migration and a summary object (JSON Lines).
 * Exit 4 when a migration is partial or undecided, else 0. */
#include "cli.h"

static const char *verdict_color(strata_infer_verdict v)
{
	return v == STRATA_INFER_APPLIED   ? SGR_GREEN
	       : v == STRATA_INFER_PENDING ? SGR_CYAN
	                                   : SGR_YELLOW SGR_BOLD;
}

/* What became of its record: "" when nothing. */
static const char *record_note(const strata_inference *f, int dry_run)
{
	if (f->recorded)
		return dry_run ? "; would be recorded" : "; recorded as baselined";
	if (f->verdict == STRATA_INFER_APPLIED && f->state != STRATA_PENDING)
		return "; already recorded";
	if (f->verdict != STRATA_INFER_APPLIED &&
	    (f->state == STRATA_APPLIED || f->state == STRATA_BASELINED))
		return "; recorded as applied: left alone";
	return "";
}

static void line_text(const strata_inference *f, int dry_run)
{
	text t = {0};
	const char *note = record_note(f, dry_run);
	text_color(&t, stdout, verdict_color(f->verdict));
	text_pad(&t, strata_infer_verdict_name(f->verdict), 10);
	text_color(&t, stdout, SGR_RESET);
	text_esc(&t, f->migration);
	switch (f->verdict) {
	case STRATA_INFER_APPLIED:
		if (f->expected && !f->gone)
			text_printf(&t, "  (%zu object%s found%s)", f->found, f->found == 1 ? "" : "s", note);
		else if (f->expected && f->found == f->gone)
			text_printf(&t, "  (%zu dropped object%s gone%s)", f->gone, f->gone == 1 ? "" : "s",
			            note);
		else if (f->expected)
			text_printf(&t, "  (%zu object%s found, %zu dropped gone%s)", f->found - f->gone,
			            f->found - f->gone == 1 ? "" : "s", f->gone, note);
		else
			text_printf(&t, "  (%s%s)", f->reason ? f->reason : "", note);
		break;
	case STRATA_INFER_PARTIAL:
		text_printf(&t, "  %zu of %zu as expected;", f->found, f->expected);
		if (f->missing)
			text_printf(&t, " missing: %s", f->missing);
		if (f->present)
			text_printf(&t, "%s still there: %s", f->missing ? ";" : "", f->present);
		text_printf(&t, "%s", note);
		break;
	case STRATA_INFER_PENDING:
		text_printf(&t, "  (none of its %zu object%s found%s)", f->expected,
		            f->expected == 1 ? "" : "s", note);
		break;
	default:
		text_printf(&t, "  (%s%s)", f->reason ? f->reason : "?", note);
	}
	text_line(&t, stdout);
}

static void line_json(const strata_inference *f)
{
	fputs("{\"event\": \"inference\", \"migration\": ", stdout);
	json_str(stdout, f->migration);
	fputs(", \"verdict\": ", stdout);
	json_str(stdout, strata_infer_verdict_name(f->verdict));
	printf(", \"found\": %zu, \"expected\": %zu, \"gone\": %zu, \"missing\": ", f->found,
	       f->expected, f->gone);
	json_str(stdout, f->missing);
	fputs(", \"present\": ", stdout);
	json_str(stdout, f->present);
	fputs(", \"reason\": ", stdout);
	json_str(stdout, f->reason);
	fputs(", \"state\": ", stdout);
	json_str(stdout, strata_state_name(f->state));
	printf(", \"recorded\": %s}\n", f->recorded ? "true" : "false");
}

int cli_infer_print(strata *s, const strata_infer_result *r, int dry_run, int json, int quiet)
{
	int code = r->partial + r->undecided ? 4 : 0;
	if (json) {
		for (size_t i = 0; i < r->n; i++)
			line_json(&r->v[i]);
		fputs("{\"event\": \"summary\", \"command\": \"baseline\", \"infer\": true, \"database\": ",
		      stdout);
		json_str(stdout, strata_database_display(s));
		printf(", \"migrations\": %zu, \"applied\": %zu, \"partial\": %zu, \"pending\": %zu, "
		       "\"undecided\": %zu, \"recorded\": %zu, \"already\": %zu, \"dry_run\": %s, "
		       "\"exit\": %d}\n",
		       r->n, r->applied, r->partial, r->pending, r->undecided, r->recorded, r->already,
		       dry_run ? "true" : "false", code);
		return code;
	}
	if (quiet)
		return code;
	for (size_t i = 0; i < r->n; i++)
		line_text(&r->v[i], dry_run);
	printf("%zu migration%s: %zu applied (%zu %s, %zu already recorded), %zu partial, %zu "
	       "pending, %zu undecided%s\n",
	       r->n, r->n == 1 ? "" : "s", r->applied, r->recorded,
	       dry_run ? "would be recorded" : "recorded now", r->already, r->partial, r->pending,
	       r->undecided, dry_run ? "; nothing was changed" : "");
	if (r->partial + r->undecided)
		printf("not recorded: %zu partial, %zu undecided (decide them: apply what is missing, "
		       "or `strata mark ID --applied`)\n",
		       r->partial, r->undecided);
	return code;
}
