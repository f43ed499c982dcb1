/*
 * meta/_journal.json, as drizzle-kit writes it:
 *   {"version": "7", "dialect": "sqlite", "entries": [
 *     {"idx": 0, "version": "6", "when": 1700000000000, "tag": "0000_init",
 *      "breakpoints": true}, …]}
 * drizzle-orm's migrator reads entries[] in order and uses `tag` (the file
 * TAG.sql) and `when` (the row's created_at); `breakpoints` it reads but
 * never uses (every file is split at the breakpoint text).  JSON that does
 * not parse, or an entry without a string tag or an integer when, is an
 * error at the journal's line.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "drizzle_int.h"

#define HINT_JSON "fix the JSON by hand, or regenerate the folder with drizzle-kit generate"

static int line_at(const char *s, size_t off)
{
	int line = 1;
	for (size_t i = 0; i < off && s[i]; i++)
		line += s[i] == '\n';
	return line;
}

static int col_at(const char *s, size_t off)
{
	size_t b = off;
	while (b > 0 && s[b - 1] != '\n')
		b--;
	return (int)(off - b) + 1;
}

/* The offsets of the objects that open inside the root object's array
 * (entries[] is the journal's only array of objects): each entry's line,
 * for messages.  Strings are skipped.  Returns how many were found. */
static size_t entry_offsets(const char *s, size_t len, size_t *off, size_t max)
{
	char stack[64];
	size_t depth = 0, n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
		} else if (c == '{' || c == '[') {
			if (c == '{' && depth == 2 && stack[0] == '{' && stack[1] == '[' && n < max)
				off[n++] = i;
			if (depth < sizeof stack)
				stack[depth] = c;
			depth++;
		} else if ((c == '}' || c == ']') && depth) {
			depth--;
		}
	}
	return n;
}

static int bad(strata_host *h, int line, int col, const char *hint, const char *what)
{
	h->error(h, STRATA_ECLASS_SOURCE, DZ_JOURNAL, line, col, hint, "%s", what);
	return STRATA_EINVAL;
}

static int parse(strata_host *h, const char *text, size_t len, json_object **out)
{
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return strata_oom(h);
	json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t at = json_tokener_get_parse_end(tok);
	if (!root && e == json_tokener_continue) {
		/* The text ended inside a value. */
		e = json_tokener_error_parse_eof;
		at = len;
	}
	json_tokener_free(tok);
	if (e != json_tokener_success || !root) {
		char msg[256];
		snprintf(msg, sizeof msg, "not valid JSON: %s", json_tokener_error_desc(e));
		json_object_put(root);
		size_t o = at > 0 && at <= len ? at - 1 : 0;
		return bad(h, line_at(text, o), col_at(text, o), HINT_JSON, msg);
	}
	/* Anything but white space after the value. */
	for (size_t i = at; i < len; i++)
		if (!strchr(" \t\r\n", text[i])) {
			json_object_put(root);
			return bad(h, line_at(text, i), col_at(text, i), HINT_JSON,
			           "not valid JSON: text after the journal's object");
		}
	*out = root;
	return STRATA_OK;
}

/* A tag names a file in the folder: no path, no hidden file. */
static int tag_ok(const char *t)
{
	return *t && t[0] != '.' && !strchr(t, '/') && strlen(t) < 200;
}

static int entry(strata_host *h, json_object *o, int line, dz_entry *e)
{
	json_object *tag, *when;
	char msg[320];
	if (!json_object_is_type(o, json_type_object))
		return bad(h, line, 0, HINT_JSON, "a journal entry is not an object");
	if (!json_object_object_get_ex(o, "tag", &tag) || !json_object_is_type(tag, json_type_string))
		return bad(h, line, 0, "each entry needs \"tag\": \"NNNN_name\" (its file NNNN_name.sql)",
		           "a journal entry has no string \"tag\"");
	const char *t = json_object_get_string(tag);
	if (!tag_ok(t)) {
		snprintf(msg, sizeof msg, "journal entry tag '%.200s' is not a file name", t);
		return bad(h, line, 0, "a tag is the file's name without .sql, in this folder", msg);
	}
	if (!json_object_object_get_ex(o, "when", &when) || !json_object_is_type(when, json_type_int) ||
	    json_object_get_int64(when) < 0) {
		snprintf(msg, sizeof msg, "journal entry '%.200s' has no \"when\" (milliseconds)", t);
		return bad(h, line, 0,
		           "\"when\" is the Unix time in ms drizzle-kit generate wrote; "
		           "drizzle records it as created_at",
		           msg);
	}
	if (!(e->tag = strdup(t)))
		return strata_oom(h);
	snprintf(e->when, sizeof e->when, "%lld", (long long)json_object_get_int64(when));
	e->line = line;
	return STRATA_OK;
}

static int walk(strata_host *h, const char *text, size_t len, json_object *root, dz_journal *j)
{
	json_object *entries;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "entries", &entries) ||
	    !json_object_is_type(entries, json_type_array))
		return bad(h, 1, 0, HINT_JSON, "the journal has no \"entries\" array");
	size_t n = json_object_array_length(entries);
	size_t *off = calloc(n + 1, sizeof *off);
	j->v = calloc(n + 1, sizeof *j->v);
	if (!off || !j->v) {
		free(off);
		return strata_oom(h);
	}
	size_t found = entry_offsets(text, len, off, n);
	int rc = STRATA_OK;
	for (size_t i = 0; i < n && rc == STRATA_OK; i++) {
		int line = i < found ? line_at(text, off[i]) : 0;
		rc = entry(h, json_object_array_get_idx(entries, i), line, &j->v[i]);
		if (rc == STRATA_OK)
			j->n++;
		for (size_t k = 0; rc == STRATA_OK && k < i; k++)
			if (!strcmp(j->v[k].tag, j->v[i].tag)) {
				char msg[320];
				snprintf(msg, sizeof msg, "journal entry '%.200s' is listed twice (line %d)",
				         j->v[i].tag, j->v[k].line);
				rc = bad(h, line, 0, "keep one entry per file", msg);
			}
	}
	free(off);
	return rc;
}

int dz_journal_read(strata_host *h, int fd, dz_journal *out)
{
	*out = (dz_journal){0};
	char *text = NULL;
	size_t len = 0;
	int rc = strata_refuse_entry(h, fd, DZ_JOURNAL, NULL);
	if (rc == STRATA_OK)
		rc = strata_read_file(h, fd, DZ_JOURNAL, NULL, &text, &len);
	if (rc == STRATA_ENOTFOUND) {
		h->error(h, STRATA_ECLASS_SOURCE, DZ_JOURNAL, 0, 0,
		         "point the source's path at drizzle-kit's out folder (drizzle by default)",
		         "no such file: not a drizzle-kit migrations folder");
		return STRATA_EINVAL;
	}
	if (rc < 0)
		return rc;
	json_object *root = NULL;
	rc = parse(h, text, len, &root);
	if (rc == STRATA_OK)
		rc = walk(h, text, len, root, out);
	json_object_put(root);
	free(text);
	if (rc < 0)
		dz_journal_free(out);
	return rc;
}

void dz_journal_free(dz_journal *j)
{
	for (size_t i = 0; j->v && i < j->n; i++)
		free(j->v[i].tag);
	free(j->v);
	*j = (dz_journal){0};
}
