/* The dialect of a database URL without loading its driver: the driver's own
 * word when it is loaded, else formats/dialects.yaml (see that file for why). */
#include "strata_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* The scheme as the loader matches it: letters before ':', or "=" for a
 * libpq conninfo string. */
static size_t scheme_of(const char *url, const char **out)
{
	size_t k = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	if (k && url[k] == ':') {
		*out = url;
		return k;
	}
	*out = "=";
	return strchr(url, '=') ? 1 : 0;
}

/* The value for key in a flat YAML mapping file, or NULL (malloc'd). */
static char *lookup(const char *file, const char *key, size_t klen)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		return NULL;
	yaml_parser_t p;
	yaml_document_t doc;
	char *found = NULL;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	if (yaml_parser_load(&p, &doc)) {
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (root && root->type == YAML_MAPPING_NODE)
			for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
			     pr < root->data.mapping.pairs.top && !found; pr++) {
				yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
				yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
				if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
				    k->data.scalar.length == klen &&
				    !strncasecmp((const char *)k->data.scalar.value, key, klen))
					found = xstrndup((const char *)v->data.scalar.value, v->data.scalar.length);
			}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&p);
	fclose(f);
	return found;
}

const char *dialect_of_url(strata *s, const char *url)
{
	if (!url)
		return NULL;
	const plugin *drv = loader_find_scheme(s, url);
	if (drv)
		return drv->desc->driver->dialect;
	const char *scheme;
	size_t k = scheme_of(url, &scheme);
	if (!k)
		return NULL;
	if (s->dialect && s->dialect_scheme && strlen(s->dialect_scheme) == k &&
	    !strncasecmp(s->dialect_scheme, scheme, k))
		return s->dialect;
	for (size_t i = 0; s->formats_dirs && s->formats_dirs[i]; i++) {
		char *file = path_join(s->formats_dirs[i], "dialects.yaml");
		char *d = lookup(file, scheme, k);
		free(file);
		if (d) {
			free(s->dialect);
			free(s->dialect_scheme);
			s->dialect = d;
			s->dialect_scheme = xstrndup(scheme, k);
			return d;
		}
	}
	return NULL;
}
