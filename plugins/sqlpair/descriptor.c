/*
 * Loading one layout descriptor (formats/layouts/NAME.yaml) with libyaml's
 * document API.  The schema is a table per mapping, so an unknown key, a
 * missing key or a bad value is always reported at its file:line:col.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "internal.h"

typedef struct dctx {
	strata_host *h;
	const char *file;
	yaml_document_t *doc;
	const char *name; /* expected layout name: the file's base name */
} dctx;

typedef int (*field_fn)(dctx *d, yaml_node_t *val, void *target);

typedef struct field {
	const char *key;
	int required;
	field_fn fn;
} field;

/* What up:/down: parse into, with the marks needed to check the group
 * numbers once the regex (which may come later in the mapping) is known. */
typedef struct pat_target {
	sp_pattern *p;
	yaml_mark_t version_mark, name_mark;
	int has_version;
} pat_target;

/* Every descriptor problem is a config error at the node at fault; libyaml
 * marks are 0-based, people count from 1. */
STRATA_PRINTF(4, 5)
static int bad(dctx *d, const yaml_mark_t *m, const char *hint, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	d->h->error(d->h, STRATA_ECLASS_CONFIG, d->file, m ? (int)m->line + 1 : 0,
	            m ? (int)m->column + 1 : 0, hint, "%s", msg);
	return STRATA_EINVAL;
}

/* Scalars are the only leaves of the schema; anything else is a type error. */
static const char *scalar(dctx *d, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		bad(d, &n->start_mark, NULL, "%s must be a string", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

/* Capture group numbers are small: regmatch arrays live on the stack. */
static int get_group(dctx *d, yaml_node_t *n, int *out)
{
	const char *s = scalar(d, n, "a capture group");
	if (!s)
		return STRATA_EINVAL;
	size_t len = strlen(s);
	if (len < 1 || len > 2 || strspn(s, "0123456789") != len || atoi(s) > SP_MAX_GROUP)
		return bad(d, &n->start_mark, NULL,
		           "'%s' is not a capture group number (0 to %d)", s, SP_MAX_GROUP);
	*out = atoi(s);
	return STRATA_OK;
}

/* YAML 1.1 has many spellings of booleans; descriptors use two. */
static int get_bool(dctx *d, yaml_node_t *n, int *out)
{
	const char *s = scalar(d, n, "a boolean");
	if (!s)
		return STRATA_EINVAL;
	if (strcmp(s, "true") && strcmp(s, "false"))
		return bad(d, &n->start_mark, NULL, "expected true or false, not '%s'", s);
	*out = s[0] == 't';
	return STRATA_OK;
}

/* Patterns are compiled once, here, and a bad one is reported with
 * regerror's own words at the line that holds it. */
static int get_regex(dctx *d, yaml_node_t *n, sp_regex *r)
{
	const char *s = scalar(d, n, "a regular expression");
	if (!s)
		return STRATA_EINVAL;
	int rc = regcomp(&r->re, s, REG_EXTENDED);
	if (rc != 0) {
		char err[256];
		regerror(rc, &r->re, err, sizeof err);
		return bad(d, &n->start_mark, NULL, "invalid regular expression '%s': %s", s, err);
	}
	r->compiled = 1;
	r->text = strdup(s);
	return r->text ? STRATA_OK : sp_oom(d->h);
}

/* Strings owned by the layout (name, summary) are plain malloc'd copies. */
static int get_string(dctx *d, yaml_node_t *n, const char *what, char **out)
{
	const char *s = scalar(d, n, what);
	if (!s)
		return STRATA_EINVAL;
	free(*out);
	*out = strdup(s);
	return *out ? STRATA_OK : sp_oom(d->h);
}

/* The list of known keys goes into the hint of an unknown-key error, since
 * the usual cause is a typo. */
static void known_keys(const field *f, char *buf, size_t size)
{
	size_t o = (size_t)snprintf(buf, size, "known keys:");
	for (; f->key && o < size; f++)
		o += (size_t)snprintf(buf + o, size - o, " %s", f->key);
}

/* Walk one mapping against its field table: each key known, once, and
 * every required key present. */
static int parse_map(dctx *d, yaml_node_t *map, const char *what, const field *fields,
                     void *target)
{
	if (map->type != YAML_MAPPING_NODE)
		return bad(d, &map->start_mark, NULL, "%s must be a mapping", what);
	unsigned seen = 0;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(d->doc, p->value);
		const char *key = scalar(d, k, "a key");
		if (!key)
			return STRATA_EINVAL;
		size_t i = 0;
		while (fields[i].key && strcmp(fields[i].key, key))
			i++;
		if (!fields[i].key) {
			char hint[256];
			known_keys(fields, hint, sizeof hint);
			return bad(d, &k->start_mark, hint, "unknown key '%s' in %s", key, what);
		}
		if (seen & (1u << i))
			return bad(d, &k->start_mark, NULL, "duplicate key '%s' in %s", key, what);
		seen |= 1u << i;
		int rc = fields[i].fn(d, v, target);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; fields[i].key; i++)
		if (fields[i].required && !(seen & (1u << i)))
			return bad(d, &map->start_mark, NULL, "missing key '%s' in %s",
			           fields[i].key, what);
	return STRATA_OK;
}

/* ---- up: / down: ---- */

static int f_match(dctx *d, yaml_node_t *v, void *t)
{
	return get_regex(d, v, &((pat_target *)t)->p->rx);
}

static int f_version(dctx *d, yaml_node_t *v, void *t)
{
	pat_target *pt = t;
	pt->version_mark = v->start_mark;
	pt->has_version = 1;
	return get_group(d, v, &pt->p->version_group);
}

static int f_name(dctx *d, yaml_node_t *v, void *t)
{
	pat_target *pt = t;
	pt->name_mark = v->start_mark;
	return get_group(d, v, &pt->p->name_group);
}

static const field pattern_fields[] = {
	{"match", 1, f_match},
	{"version", 1, f_version},
	{"name", 0, f_name},
	{NULL, 0, NULL},
};

/* A group number must exist in its regex, and the version must be a real
 * group (group 0 would be the whole path). */
static int parse_pattern(dctx *d, yaml_node_t *v, sp_pattern *p, const char *what)
{
	pat_target pt = {.p = p};
	int rc = parse_map(d, v, what, pattern_fields, &pt);
	if (rc < 0)
		return rc;
	int groups = (int)p->rx.re.re_nsub;
	if (p->version_group < 1 || p->version_group > groups)
		return bad(d, &pt.version_mark, NULL,
		           "version group %d does not exist in '%s' (%d groups)",
		           p->version_group, p->rx.text, groups);
	if (p->name_group > groups)
		return bad(d, &pt.name_mark, NULL, "name group %d does not exist in '%s' (%d groups)",
		           p->name_group, p->rx.text, groups);
	return STRATA_OK;
}

/* ---- sections: ---- */

static int f_sec_up(dctx *d, yaml_node_t *v, void *t)
{
	return get_regex(d, v, &((sp_layout *)t)->sec_up);
}

static int f_sec_down(dctx *d, yaml_node_t *v, void *t)
{
	return get_regex(d, v, &((sp_layout *)t)->sec_down);
}

static int f_options(dctx *d, yaml_node_t *v, void *t)
{
	return get_bool(d, v, &((sp_layout *)t)->sec_options);
}

static int f_require_down(dctx *d, yaml_node_t *v, void *t)
{
	return get_bool(d, v, &((sp_layout *)t)->require_down);
}

static int f_before_up(dctx *d, yaml_node_t *v, void *t)
{
	const char *s = scalar(d, v, "text_before_up");
	if (!s)
		return STRATA_EINVAL;
	if (strcmp(s, "error") && strcmp(s, "ignore"))
		return bad(d, &v->start_mark, NULL,
		           "text_before_up must be 'error' or 'ignore', not '%s'", s);
	((sp_layout *)t)->text_before_up_error = s[0] == 'e';
	return STRATA_OK;
}

static const field section_fields[] = {
	{"up", 1, f_sec_up},
	{"down", 1, f_sec_down},
	{"options", 0, f_options},
	{"require_down", 0, f_require_down},
	{"text_before_up", 0, f_before_up},
	{NULL, 0, NULL},
};

/* ---- top level ---- */

static int f_layout(dctx *d, yaml_node_t *v, void *t)
{
	sp_layout *l = t;
	int rc = get_string(d, v, "layout", &l->name);
	if (rc < 0)
		return rc;
	if (strcmp(l->name, d->name))
		return bad(d, &v->start_mark, NULL,
		           "layout '%s' does not match the file name '%s.yaml'", l->name, d->name);
	return STRATA_OK;
}

static int f_summary(dctx *d, yaml_node_t *v, void *t)
{
	return get_string(d, v, "summary", &((sp_layout *)t)->summary);
}

static int f_up(dctx *d, yaml_node_t *v, void *t)
{
	return parse_pattern(d, v, &((sp_layout *)t)->up, "'up'");
}

static int f_down(dctx *d, yaml_node_t *v, void *t)
{
	((sp_layout *)t)->has_down = 1;
	return parse_pattern(d, v, &((sp_layout *)t)->down, "'down'");
}

static int f_sections(dctx *d, yaml_node_t *v, void *t)
{
	((sp_layout *)t)->has_sections = 1;
	return parse_map(d, v, "'sections'", section_fields, t);
}

/* ignore: is a list of patterns; the array is sized up front so a failure
 * half-way leaves only compiled entries to free. */
static int f_ignore(dctx *d, yaml_node_t *v, void *t)
{
	sp_layout *l = t;
	if (v->type != YAML_SEQUENCE_NODE)
		return bad(d, &v->start_mark, NULL, "'ignore' must be a list of regular expressions");
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	l->ignore = calloc(n ? n : 1, sizeof *l->ignore);
	if (!l->ignore)
		return sp_oom(d->h);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = yaml_document_get_node(d->doc, v->data.sequence.items.start[i]);
		int rc = get_regex(d, item, &l->ignore[i]);
		l->n_ignore = i + 1;
		if (rc < 0)
			return rc;
	}
	return STRATA_OK;
}

static const field root_fields[] = {
	{"layout", 1, f_layout},
	{"summary", 0, f_summary},
	{"up", 1, f_up},
	{"down", 0, f_down},
	{"sections", 0, f_sections},
	{"ignore", 0, f_ignore},
	{NULL, 0, NULL},
};

/* libyaml's own syntax errors also carry a mark. */
static int yaml_failed(dctx *d, yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return sp_oom(d->h);
	if (p->context)
		return bad(d, &p->problem_mark, NULL, "YAML syntax error: %s %s", p->problem,
		           p->context);
	return bad(d, &p->problem_mark, NULL, "YAML syntax error: %s",
	           p->problem ? p->problem : "unknown");
}

/* Parse the document and check it against the schema. */
static int load_doc(dctx *d, yaml_parser_t *p, sp_layout *l)
{
	yaml_document_t doc;
	if (!yaml_parser_load(p, &doc))
		return yaml_failed(d, p);
	d->doc = &doc;
	int rc;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		d->h->error(d->h, STRATA_ECLASS_CONFIG, d->file, 0, 0, NULL,
		            "empty layout descriptor");
		rc = STRATA_EINVAL;
	} else {
		rc = parse_map(d, root, "the layout descriptor", root_fields, l);
	}
	yaml_document_delete(&doc);
	return rc;
}

/* Load `file`, which must describe the layout `name`, into *out. */
int sp_layout_load(strata_host *h, const char *file, const char *name, sp_layout **out)
{
	dctx d = {.h = h, .file = file, .name = name};
	*out = NULL;
	FILE *fp = fopen(file, "rb");
	if (!fp) {
		h->error(h, STRATA_ECLASS_CONFIG, file, 0, 0, NULL,
		         "cannot open layout descriptor: %s", strerror(errno));
		return STRATA_EIO;
	}
	sp_layout *l = calloc(1, sizeof *l);
	yaml_parser_t p;
	int rc;
	if (!l || !yaml_parser_initialize(&p)) {
		free(l);
		fclose(fp);
		return sp_oom(h);
	}
	yaml_parser_set_input_file(&p, fp);
	rc = load_doc(&d, &p, l);
	if (rc >= 0 && !(l->file = strdup(file)))
		rc = sp_oom(h);
	yaml_parser_delete(&p);
	fclose(fp);
	if (rc < 0) {
		sp_layout_free(l);
		return rc;
	}
	*out = l;
	return STRATA_OK;
}
