/* The dialect of a database URL without loading its driver: the driver's own
 * word when it is loaded, else formats/dialects.yaml (see that file for why). */
#include "plugins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* A scalar of the mapping m whose key is key[0..klen) (case-insensitive), or NULL. */
static yaml_node_t *child(yaml_document_t *doc, yaml_node_t *m, const char *key, size_t klen)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);
		if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == klen &&
		    !strncasecmp((const char *)k->data.scalar.value, key, klen))
			return yaml_document_get_node(doc, pr->value);
	}
	return NULL;
}

/* The scalar value for key in a YAML mapping file, at its top level
 * (section NULL) or in its section: mapping, or NULL (malloc'd).  One
 * reader for dialects.yaml's scheme table and its per-dialect settings. */
static char *lookup(const char *file, const char *section, const char *key, size_t klen)
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
		yaml_node_t *m = yaml_document_get_root_node(&doc);
		if (section)
			m = child(&doc, m, section, strlen(section));
		yaml_node_t *v = child(&doc, m, key, klen);
		if (v && v->type == YAML_SCALAR_NODE)
			found = xstrndup((const char *)v->data.scalar.value, v->data.scalar.length);
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
		char *d = lookup(file, NULL, scheme, k);
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

/* ---- dialect names: dialects.yaml's `dialects:` table ----
 * Each dialect with the names a folder or a source's `dialect:` may call it
 * by; the first formats dir that names an alias wins. */

static void add_name(loader *L, const char *alias, size_t alen, const char *canon, size_t clen)
{
	for (size_t i = 0; i < L->ndnames; i++)
		if (strlen(L->dnames[i].alias) == alen && !strncasecmp(L->dnames[i].alias, alias, alen))
			return;
	L->dnames = xrealloc(L->dnames, (L->ndnames + 1) * sizeof *L->dnames);
	L->dnames[L->ndnames].alias = xstrndup(alias, alen);
	L->dnames[L->ndnames].canonical = xstrndup(canon, clen);
	L->ndnames++;
}

static void read_names(loader *L, const char *file)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		return;
	yaml_parser_t p;
	yaml_document_t doc;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	if (yaml_parser_load(&p, &doc)) {
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		for (yaml_node_pair_t *pr = root && root->type == YAML_MAPPING_NODE ? root->data.mapping.pairs.start : NULL;
		     pr && pr < root->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
			yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
			if (k->type != YAML_SCALAR_NODE || strcmp((const char *)k->data.scalar.value, "dialects") ||
			    v->type != YAML_MAPPING_NODE)
				continue;
			for (yaml_node_pair_t *d = v->data.mapping.pairs.start; d < v->data.mapping.pairs.top; d++) {
				yaml_node_t *dk = yaml_document_get_node(&doc, d->key);
				yaml_node_t *dv = yaml_document_get_node(&doc, d->value);
				if (dk->type != YAML_SCALAR_NODE)
					continue;
				const char *canon = (const char *)dk->data.scalar.value;
				size_t clen = dk->data.scalar.length;
				add_name(L, canon, clen, canon, clen);
				for (yaml_node_item_t *it = dv->type == YAML_SEQUENCE_NODE ? dv->data.sequence.items.start : NULL;
				     it && it < dv->data.sequence.items.top; it++) {
					yaml_node_t *a = yaml_document_get_node(&doc, *it);
					if (a->type == YAML_SCALAR_NODE)
						add_name(L, (const char *)a->data.scalar.value, a->data.scalar.length, canon,
						         clen);
				}
			}
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&p);
	fclose(f);
}

static void names_read(loader *L)
{
	if (L->dnames_read)
		return;
	L->dnames_read = true;
	for (size_t i = 0; L->formats_dirs && L->formats_dirs[i]; i++) {
		char *file = path_join(L->formats_dirs[i], "dialects.yaml");
		read_names(L, file);
		free(file);
	}
}

const char *dialect_canonical(loader *L, const char *name)
{
	names_read(L);
	for (size_t i = 0; name && i < L->ndnames; i++)
		if (!strcasecmp(L->dnames[i].alias, name))
			return L->dnames[i].canonical;
	return NULL;
}

char *dialect_names_list(loader *L)
{
	names_read(L);
	sbuf b = {0};
	for (size_t i = 0; i < L->ndnames; i++) {
		bool first = true; /* each dialect once, by its own name */
		for (size_t j = 0; j < i; j++)
			first &= strcmp(L->dnames[j].canonical, L->dnames[i].canonical) != 0;
		if (first)
			sbuf_printf(&b, "%s%s", b.len ? ", " : "", L->dnames[i].canonical);
	}
	return b.data ? sbuf_take(&b) : xstrdup("");
}

static void left_out_clear(loader *L)
{
	free(L->left);
	free(L->left_out);
	L->left = NULL;
	L->left_out = NULL;
	L->nleft_out = 0;
}

int loader_leave_out(loader *L, const char *url)
{
	const config *cfg = L->cfg;
	bool *was = L->left;
	L->left = NULL;
	left_out_clear(L);
	const char *word = dialect_of_url(L, url);
	if (word && !dialect_canonical(L, word)) /* a driver's word the table does not list */
		add_name(L, word, strlen(word), word, strlen(word));
	const char *target = dialect_canonical(L, word);
	bool changed = false;
	L->left = xcalloc(cfg->nsources + 1, sizeof *L->left);
	for (size_t i = 0; i < cfg->nsources; i++) {
		const cfg_source *src = &cfg->sources[i];
		if (src->dialect) {
			const char *d = dialect_canonical(L, src->dialect);
			if (!d) {
				char *names = dialect_names_list(L);
				char *hint = xasprintf("known dialects (formats/dialects.yaml): %s", names);
				int rc = err_set(L->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, config_file_name(cfg),
				                 src->dialect_line, src->dialect_col, hint,
				                 "source '%s': unknown dialect '%s'", src->name, src->dialect);
				free(hint);
				free(names);
				free(was);
				return rc;
			}
			if (target && strcmp(d, target)) {
				L->left[i] = true;
				L->left_out = xrealloc(L->left_out, (L->nleft_out + 1) * sizeof *L->left_out);
				L->left_out[L->nleft_out++] =
					(strata_left_out_info){.source = src->name, .dialect = d, .database = target};
			}
		}
		changed |= (was ? was[i] : false) != L->left[i];
	}
	free(was);
	if (changed && L->bound)
		loader_unbind_trackers(L); /* bound for another target: again, without these */
	return 0;
}

/* ---- per-dialect settings: dialects.yaml's `SECTION: {dialect: value}`
 * tables (`schemas:`, the query --each-schema lists schemas with) ---- */

char *dialect_setting(loader *L, const char *section, const char *dialect)
{
	const char *canon = dialect_canonical(L, dialect);
	if (!canon)
		canon = dialect;
	for (size_t i = 0; canon && L->formats_dirs && L->formats_dirs[i]; i++) {
		char *file = path_join(L->formats_dirs[i], "dialects.yaml");
		char *v = lookup(file, section, canon, strlen(canon));
		free(file);
		if (v)
			return v;
	}
	return NULL;
}

bool dialect_transactional_ddl(loader *L, const char *dialect)
{
	char *v = dialect ? dialect_setting(L, "transactional_ddl", dialect) : NULL;
	bool yes = v && !strcmp(v, "true");
	free(v);
	return yes;
}
