/*
 * Checking a libyaml document against tables of keys: every key known and
 * given once, every required key present, leaves of the right type; each
 * failure reported at the node at fault (libyaml counts from 0, people
 * from 1).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yschema.h"

int tb_ybad(tb_ydoc *y, const yaml_node_t *n, const char *hint, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	y->h->error(y->h, STRATA_ECLASS_CONFIG, y->file, n ? (int)n->start_mark.line + 1 : 0,
	            n ? (int)n->start_mark.column + 1 : 0, hint, "%s", msg);
	return STRATA_EINVAL;
}

yaml_node_t *tb_ynode(tb_ydoc *y, int id)
{
	return yaml_document_get_node(y->doc, id);
}

const char *tb_yscalar(tb_ydoc *y, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		tb_ybad(y, n, NULL, "%s must be a string", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

int tb_ystring(tb_ydoc *y, yaml_node_t *n, const char *what, char **out)
{
	const char *s = tb_yscalar(y, n, what);
	if (!s)
		return STRATA_EINVAL;
	free(*out);
	*out = strdup(s);
	return *out ? STRATA_OK : strata_oom(y->h);
}

/* The usual cause of an unknown key is a typo: the hint lists them all. */
static void known_keys(const tb_field *f, char *buf, size_t size)
{
	size_t o = (size_t)snprintf(buf, size, "known keys:");
	for (; f->key && o < size; f++)
		o += (size_t)snprintf(buf + o, size - o, " %s", f->key);
}

int tb_ymap(tb_ydoc *y, yaml_node_t *map, const char *what, const tb_field *fields, void *target)
{
	if (map->type != YAML_MAPPING_NODE)
		return tb_ybad(y, map, NULL, "%s must be a mapping", what);
	unsigned seen = 0;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = tb_ynode(y, p->key), *v = tb_ynode(y, p->value);
		const char *key = tb_yscalar(y, k, "a key");
		if (!key)
			return STRATA_EINVAL;
		size_t i = 0;
		while (fields[i].key && strcmp(fields[i].key, key))
			i++;
		if (!fields[i].key) {
			char hint[512];
			known_keys(fields, hint, sizeof hint);
			return tb_ybad(y, k, hint, "unknown key '%s' in %s", key, what);
		}
		if (seen & (1u << i))
			return tb_ybad(y, k, NULL, "duplicate key '%s' in %s", key, what);
		seen |= 1u << i;
		int rc = fields[i].fn(y, v, target);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; fields[i].key; i++)
		if (fields[i].required && !(seen & (1u << i)))
			return tb_ybad(y, map, NULL, "missing key '%s' in %s", fields[i].key, what);
	return STRATA_OK;
}
