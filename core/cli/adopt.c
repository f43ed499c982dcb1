/* strata adopt's output: one line (or, --json, one object) saying what was
 * written and recorded; --dry-run: the baseline's SQL, then what would be. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* --json --dry-run: the baseline's SQL, kept for the object's "sql". */
static char *dry_sql;
static size_t dry_len;

void cli_adopt_sql(void *ud, const char *text, size_t len)
{
	(void)ud;
	char *p = realloc(dry_sql, dry_len + len + 1);
	if (!p)
		return;
	memcpy(p + dry_len, text, len);
	dry_len += len;
	p[dry_len] = '\0';
	dry_sql = p;
}

/* "" is null in the object: nothing of that kind happened. */
static const char *or_null(const char *v)
{
	return v && *v ? v : NULL;
}

int cli_adopt_print(strata *s, const strata_adopt_opts *o, int json, int quiet)
{
	if (json) {
		printf("{\"command\": \"adopt\"");
		json_kv(stdout, "database", strata_database_display(s));
		json_kv(stdout, "migration", or_null(o->migration_id));
		json_kv(stdout, "source", or_null(o->new_source));
		json_kv(stdout, "folder", or_null(o->folder));
		json_kv(stdout, "retired", or_null(o->retired_source));
		json_kv(stdout, "dropped_tracker", or_null(o->dropped));
		printf(", \"old_rows_kept\": %zu, \"dry_run\": %s", o->old_rows_kept,
		       o->dry_run ? "true" : "false");
		if (o->dry_run)
			json_kv(stdout, "sql", dry_sql ? dry_sql : "");
		printf("}\n");
		free(dry_sql);
		dry_sql = NULL;
		dry_len = 0;
		return 0;
	}
	if (quiet)
		return 0;
	if (o->dry_run) {
		say(stdout, "-- would write the baseline above into %s (source '%s'), record it as "
		            "baselined and retire source '%s'; nothing was changed",
		    o->folder, o->new_source, o->retired_source);
		return 0;
	}
	say(stdout, "adopted %s: %s written in %s and recorded as baselined; source '%s' retired%s%s",
	    strata_database_display(s), o->migration_id, o->folder, o->retired_source,
	    *o->dropped ? ", dropped " : "", o->dropped);
	return 0;
}
