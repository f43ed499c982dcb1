/* The dialect of a database URL without loading its driver: the driver's own
 * word when it is loaded, else formats/dialects.yaml (see that file for why). */
#include "plugins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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

const char *dialect_of_url(loader *L, const char *url)
{
	if (!url)
		return NULL;
	const plugin *drv = loader_find_scheme(L, url);
	if (drv)
		return drv->desc->driver->dialect;
	const char *scheme;
	size_t k = url_match_scheme(url, &scheme);
	if (!k)
		return NULL;
	if (L->dialect && L->dialect_scheme && strlen(L->dialect_scheme) == k &&
	    !strncasecmp(L->dialect_scheme, scheme, k))
		return L->dialect;
	for (size_t i = 0; L->formats_dirs && L->formats_dirs[i]; i++) {
		char *file = path_join(L->formats_dirs[i], "dialects.yaml");
		char *d = lookup(file, scheme, k);
		free(file);
		if (d) {
			free(L->dialect);
			free(L->dialect_scheme);
			L->dialect = d;
			L->dialect_scheme = xstrndup(scheme, k);
			return d;
		}
	}
	return NULL;
}
