/*
 * The table-driven YAML checker of ydoc.h.  libyaml counts lines and
 * columns from 0, people from 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/plugin_util.h" /* strata_oom */
#include "ydoc.h"

int yd_bad(yd_doc *d, const yaml_node_t *n, const char *hint, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	d->h->error(d->h, STRATA_ECLASS_CONFIG, d->file, n ? (int)n->start_mark.line + 1 : 0,
	            n ? (int)n->start_mark.column + 1 : 0, hint, "%s", msg);
	return STRATA_EINVAL;
}

yaml_node_t *yd_node(yd_doc *d, int id)
{
	return yaml_document_get_node(d->doc, id);
}

const char *yd_scalar(yd_doc *d, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		yd_bad(d, n, NULL, "%s must be a string", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

int yd_string(yd_doc *d, yaml_node_t *n, const char *what, char **out)
{
	const char *s = yd_scalar(d, n, what);
	if (!s)
		return STRATA_EINVAL;
	free(*out);
	*out = strdup(s);
	return *out ? STRATA_OK : strata_oom(d->h);
}

/* YAML 1.1 has many spellings of booleans; descriptors use two. */
int yd_bool(yd_doc *d, yaml_node_t *n, int *out)
{
	const char *s = yd_scalar(d, n, "a boolean");
	if (!s)
		return STRATA_EINVAL;
	if (strcmp(s, "true") && strcmp(s, "false"))
		return yd_bad(d, n, NULL, "expected true or false, not '%s'", s);
	*out = s[0] == 't';
	return STRATA_OK;
}

/* The usual cause of an unknown key is a typo: the hint lists them all. */
static void known_keys(const yd_field *f, char *buf, size_t size)
{
	size_t o = (size_t)snprintf(buf, size, "known keys:");
	for (; f->key && o < size; f++)
		o += (size_t)snprintf(buf + o, size - o, " %s", f->key);
}

int yd_map(yd_doc *d, yaml_node_t *map, const char *what, const yd_field *fields, void *target)
{
	if (map->type != YAML_MAPPING_NODE)
		return yd_bad(d, map, NULL, "%s must be a mapping", what);
	unsigned seen = 0;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yd_node(d, p->key), *v = yd_node(d, p->value);
		const char *key = yd_scalar(d, k, "a key");
		if (!key)
			return STRATA_EINVAL;
		size_t i = 0;
		while (fields[i].key && strcmp(fields[i].key, key))
			i++;
		if (!fields[i].key) {
			char hint[512];
			known_keys(fields, hint, sizeof hint);
			return yd_bad(d, k, hint, "unknown key '%s' in %s", key, what);
		}
		if (seen & (1u << i))
			return yd_bad(d, k, NULL, "duplicate key '%s' in %s", key, what);
		seen |= 1u << i;
		int rc = fields[i].fn(d, v, target);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; fields[i].key; i++)
		if (fields[i].required && !(seen & (1u << i)))
			return yd_bad(d, map, NULL, "missing key '%s' in %s", fields[i].key, what);
	return STRATA_OK;
}

/* libyaml's own syntax errors carry a mark of their own. */
static int syntax_error(yd_doc *d, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return strata_oom(d->h);
	d->h->error(d->h, STRATA_ECLASS_CONFIG, d->file, (int)p->problem_mark.line + 1,
	            (int)p->problem_mark.column + 1, NULL, "YAML syntax error: %s%s%s",
	            p->problem ? p->problem : "unknown", p->context ? " " : "",
	            p->context ? p->context : "");
	return STRATA_EINVAL;
}

int yd_load_file(strata_host *h, const char *file, const char *name, const char *what,
                 int (*check)(yd_doc *d, yaml_node_t *root, void *target), void *target)
{
	yd_doc d = {.h = h, .file = file, .name = name};
	FILE *fp = fopen(file, "rb");
	if (!fp) {
		h->error(h, STRATA_ECLASS_CONFIG, file, 0, 0, NULL, "cannot open %s: %s", what,
		         strerror(errno));
		return STRATA_EIO;
	}
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		fclose(fp);
		return strata_oom(h);
	}
	yaml_parser_set_input_file(&p, fp);
	yaml_document_t doc;
	int rc;
	if (!yaml_parser_load(&p, &doc)) {
		rc = syntax_error(&d, &p);
	} else {
		d.doc = &doc;
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (root) {
			rc = check(&d, root, target);
		} else {
			h->error(h, STRATA_ECLASS_CONFIG, file, 0, 0, NULL, "empty %s", what);
			rc = STRATA_EINVAL;
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&p);
	fclose(fp);
	return rc;
}
