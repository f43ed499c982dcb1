/*
 * Statement breakpoints.  drizzle-orm's migrator (readMigrationFiles) splits
 * each file's text at every "--> statement-breakpoint", wherever it stands,
 * and runs each piece as one query.  strata hands the driver the whole text
 * (the marker is an SQL line comment), so a piece that does not end in ';'
 * gets one just before its marker: the piece is then one statement here
 * too, as drizzle runs it, and every line keeps its number.
 */
#include <stdlib.h>
#include <string.h>

#include "drizzle_int.h"

/* Does text[a, b) hold something and not end in ';' (white space aside)? */
static int needs_semicolon(const char *text, size_t a, size_t b)
{
	while (b > a && strchr(" \t\r\n\f\v", text[b - 1]))
		b--;
	return b > a && text[b - 1] != ';';
}

int dz_split_script(strata_host *h, const char *text, size_t len, char **out, size_t *out_len)
{
	const size_t ml = strlen(DZ_BREAKPOINT);
	size_t marks = 0;
	for (const char *p = text; (p = strstr(p, DZ_BREAKPOINT)); p += ml)
		marks++;
	char *s = malloc(len + marks + 1);
	if (!s)
		return strata_oom(h);
	size_t o = 0, from = 0, piece = 0; /* piece: where the piece after a marker starts */
	for (const char *p = text; (p = strstr(p, DZ_BREAKPOINT)); p += ml) {
		size_t at = (size_t)(p - text);
		memcpy(s + o, text + from, at - from);
		o += at - from;
		if (needs_semicolon(text, piece, at))
			s[o++] = ';';
		from = at;
		piece = at + ml;
	}
	memcpy(s + o, text + from, len - from);
	o += len - from;
	s[o] = '\0';
	*out = s;
	*out_len = o;
	return STRATA_OK;
}
