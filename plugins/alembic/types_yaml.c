/* Column types from YAML (types_yaml.h): loading with libyaml through
 * ydoc.c, finding a row by the name a revision writes, rendering a call. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alembic_int.h"
#include "types_int.h"
#include "ydoc.h"

/* ------------------------------------------------------------ freeing */

static void free_pairs(at_pair *p, int n)
{
	for (int i = 0; i < n; i++) {
		free(p[i].arg);
		free(p[i].v.s);
	}
	free(p);
}

static void free_type(at_type *t)
{
	if (!t)
		return;
	free(t->name);
	for (int i = 0; i < t->nmod; i++)
		free(t->modules[i]);
	free(t->modules);
	for (int i = 0; i < t->nargs; i++)
		free(t->args[i]);
	free(t->args);
	free_pairs(t->defaults, t->ndef);
	for (int i = 0; i < t->nrules; i++) {
		free_pairs(t->rules[i].when, t->rules[i].nwhen);
		for (int d = 0; d < D_N; d++)
			free(t->rules[i].sql[d]);
	}
	free(t->rules);
	free(t);
}

void at_free(at_types *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free_type(t->t[i]);
	free(t->t);
	free(t);
}

/* ------------------------------------------------------------ loading */

static int grow(yd_doc *d, void **arr, int n, size_t size)
{
	void *p = realloc(*arr, (size_t)(n + 1) * size);
	if (!p)
		return strata_oom(d->h);
	memset((char *)p + (size_t)n * size, 0, size);
	*arr = p;
	return STRATA_OK;
}

static int has_arg(const at_type *t, const char *name)
{
	for (int i = 0; i < t->nargs; i++)
		if (!strcmp(t->args[i], name))
			return 1;
	return 0;
}

/* true, false, ~ / null, an integer (plain scalars), or a string. */
static int value(yd_doc *d, yaml_node_t *n, at_val *out)
{
	const char *s = yd_scalar(d, n, "a value");
	if (!s)
		return STRATA_EINVAL;
	memset(out, 0, sizeof *out);
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (!strcmp(s, "true") || !strcmp(s, "false")) {
			out->k = AT_BOOL;
			out->iv = s[0] == 't';
			return STRATA_OK;
		}
		if (!strcmp(s, "~") || !strcmp(s, "null") || !*s) {
			out->k = AT_NONE;
			return STRATA_OK;
		}
		char *end;
		long long v = strtoll(s, &end, 10);
		if (end != s && !*end) {
			out->k = AT_INT;
			out->iv = v;
			return STRATA_OK;
		}
	}
	out->k = AT_STR;
	out->s = strdup(s);
	return out->s ? STRATA_OK : strata_oom(d->h);
}

/* {arg: value, ...}, every arg one of the type's. */
static int pairs(yd_doc *d, yaml_node_t *map, const at_type *t, const char *what, at_pair **out,
                 int *n)
{
	if (map->type != YAML_MAPPING_NODE)
		return yd_bad(d, map, NULL, "%s must be a mapping", what);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yd_node(d, p->key), *v = yd_node(d, p->value);
		const char *key = yd_scalar(d, k, "an argument name");
		if (!key)
			return STRATA_EINVAL;
		if (!has_arg(t, key))
			return yd_bad(d, k, "list it in the type's args", "'%s' in %s is not an argument of %s",
			              key, what, t->name);
		int rc = grow(d, (void **)out, *n, sizeof **out);
		if (rc)
			return rc;
		at_pair *e = &(*out)[(*n)++];
		if (!(e->arg = strdup(key)))
			return strata_oom(d->h);
		if ((rc = value(d, v, &e->v)))
			return rc;
	}
	return STRATA_OK;
}

static int names(yd_doc *d, yaml_node_t *seq, const char *what, char ***out, int *n)
{
	if (seq->type != YAML_SEQUENCE_NODE)
		return yd_bad(d, seq, NULL, "%s must be a list", what);
	for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top;
	     i++) {
		int rc = grow(d, (void **)out, *n, sizeof **out);
		if (rc)
			return rc;
		if ((rc = yd_string(d, yd_node(d, *i), what, &(*out)[*n])))
			return rc;
		(*n)++;
	}
	return STRATA_OK;
}

typedef struct rule_ctx {
	at_type *t;
	at_rule *r;
} rule_ctx;

/* Every {name} in a template names an argument. */
static int check_template(yd_doc *d, yaml_node_t *n, const at_type *t, const char *s)
{
	for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
		const char *e = strchr(p, '}');
		if (!e)
			return yd_bad(d, n, NULL, "unclosed '{' in the SQL of %s", t->name);
		char arg[64];
		size_t len = (size_t)(e - p - 1);
		if (len >= sizeof arg)
			return yd_bad(d, n, NULL, "argument name too long in the SQL of %s", t->name);
		memcpy(arg, p + 1, len);
		arg[len] = '\0';
		if (!has_arg(t, arg))
			return yd_bad(d, n, "list it in the type's args", "{%s} in the SQL of %s is not an argument",
			              arg, t->name);
	}
	return STRATA_OK;
}

static int f_sql_dialect(yd_doc *d, yaml_node_t *v, rule_ctx *rc, int dia)
{
	at_val val;
	int e = value(d, v, &val);
	if (e)
		return e;
	if (val.k == AT_NONE)
		return STRATA_OK; /* cannot be compiled there */
	if (val.k != AT_STR) {
		free(val.s);
		return yd_bad(d, v, "quote it", "the SQL of %s on %s must be a string", rc->t->name, at_dialects[dia]);
	}
	rc->r->sql[dia] = val.s;
	return check_template(d, v, rc->t, val.s);
}

static int f_pg(yd_doc *d, yaml_node_t *v, void *u)
{
	return f_sql_dialect(d, v, u, D_PG);
}

static int f_sqlite(yd_doc *d, yaml_node_t *v, void *u)
{
	return f_sql_dialect(d, v, u, D_SQLITE);
}

static int f_when(yd_doc *d, yaml_node_t *v, void *u)
{
	rule_ctx *rc = u;
	return pairs(d, v, rc->t, "'when'", &rc->r->when, &rc->r->nwhen);
}

static const yd_field rule_fields[] = {
	{ "when", 0, f_when }, { "postgresql", 0, f_pg }, { "sqlite", 0, f_sqlite }, { NULL, 0, NULL }
};

static int f_sql(yd_doc *d, yaml_node_t *v, void *u)
{
	at_type *t = u;
	if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top)
		return yd_bad(d, v, NULL, "'sql' of %s must be a list of rules", t->name);
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		int rc = grow(d, (void **)&t->rules, t->nrules, sizeof *t->rules);
		if (rc)
			return rc;
		rule_ctx c = { t, &t->rules[t->nrules++] };
		if ((rc = yd_map(d, yd_node(d, *i), "a rule of 'sql'", rule_fields, &c)))
			return rc;
	}
	return STRATA_OK;
}

static int f_modules(yd_doc *d, yaml_node_t *v, void *u)
{
	at_type *t = u;
	return names(d, v, "'modules'", &t->modules, &t->nmod);
}

static int f_args(yd_doc *d, yaml_node_t *v, void *u)
{
	at_type *t = u;
	return names(d, v, "'args'", &t->args, &t->nargs);
}

static int f_defaults(yd_doc *d, yaml_node_t *v, void *u)
{
	at_type *t = u;
	return pairs(d, v, t, "'defaults'", &t->defaults, &t->ndef);
}

/* args first: defaults, when and the templates are checked against them. */
static const yd_field args_only[] = {
	{ "modules", 0, NULL }, { "args", 1, f_args }, { "defaults", 0, NULL }, { "sql", 1, NULL },
	{ NULL, 0, NULL }
};
static const yd_field type_fields[] = {
	{ "modules", 0, f_modules }, { "args", 1, NULL }, { "defaults", 0, f_defaults },
	{ "sql", 1, f_sql }, { NULL, 0, NULL }
};

static int skip(yd_doc *d, yaml_node_t *v, void *u)
{
	(void)d, (void)v, (void)u;
	return STRATA_OK;
}

static int with_skips(yd_doc *d, yaml_node_t *map, const char *what, const yd_field *in, void *t)
{
	yd_field f[8];
	int i = 0;
	for (; in[i].key; i++) {
		f[i] = in[i];
		if (!f[i].fn)
			f[i].fn = skip;
	}
	f[i] = in[i];
	return yd_map(d, map, what, f, t);
}

static int check_types(yd_doc *d, yaml_node_t *root, void *target)
{
	at_types *tt = target;
	if (root->type != YAML_MAPPING_NODE)
		return yd_bad(d, root, NULL, "a types file must be a mapping with the key 'types'");
	yaml_node_t *types = NULL;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yd_node(d, p->key);
		const char *key = yd_scalar(d, k, "a key");
		if (!key)
			return STRATA_EINVAL;
		if (strcmp(key, "types") || types)
			return yd_bad(d, k, "known keys: types", "%s key '%s' in a types file",
			              types ? "duplicate" : "unknown", key);
		types = yd_node(d, p->value);
	}
	if (!types || types->type != YAML_MAPPING_NODE)
		return yd_bad(d, types ? types : root, NULL, "'types' must be a mapping of type names");
	for (yaml_node_pair_t *p = types->data.mapping.pairs.start; p < types->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yd_node(d, p->key), *v = yd_node(d, p->value);
		at_type *t = calloc(1, sizeof *t);
		if (!t)
			return strata_oom(d->h);
		int rc = yd_string(d, k, "a type name", &t->name);
		if (!rc && (strchr(t->name, '.') || !*t->name))
			rc = yd_bad(d, k, "name the modules in 'modules'",
			            "type name '%s' must be a class name, without a module", t->name);
		char what[160];
		snprintf(what, sizeof what, "type %s", t->name ? t->name : "?");
		if (!rc)
			rc = with_skips(d, v, what, args_only, t);
		if (!rc)
			rc = with_skips(d, v, what, type_fields, t);
		if (!rc) {
			at_type **n = realloc(tt->t, (tt->n + 1) * sizeof *n);
			if (!n)
				rc = strata_oom(d->h);
			else {
				tt->t = n;
				tt->t[tt->n++] = t;
				continue;
			}
		}
		free_type(t);
		return rc;
	}
	return STRATA_OK;
}

int at_load(strata_host *h, const char *file, at_types **io)
{
	int fresh = !*io;
	if (fresh && !(*io = calloc(1, sizeof **io)))
		return strata_oom(h);
	int rc = yd_load_file(h, file, NULL, "column types file", check_types, *io);
	if (rc < 0 && fresh) {
		at_free(*io);
		*io = NULL;
	}
	return rc < 0 ? rc : STRATA_OK;
}

int at_load_all(strata_host *h, const char *dir, const char *user_file, at_types **out)
{
	*out = NULL;
	int rc = STRATA_OK, found = 0;
	for (size_t i = 0; h->formats_dirs && h->formats_dirs[i] && !found; i++) {
		char *f = al_join(h->formats_dirs[i], "alembic/types.yaml");
		if (!f)
			return strata_oom(h);
		if (access(f, F_OK) == 0) {
			found = 1;
			rc = at_load(h, f, out);
		}
		free(f);
	}
	if (!rc && !found) {
		h->error(h, STRATA_ECLASS_CONFIG, "alembic/types.yaml", 0, 0,
		         "reinstall strata, or set STRATA_FORMATS_PATH",
		         "no formats folder has alembic/types.yaml");
		rc = STRATA_EINVAL;
	}
	if (!rc && user_file) {
		char *f = al_join(dir, user_file);
		if (!f)
			rc = strata_oom(h);
		else
			rc = at_load(h, f, out);
		free(f);
	}
	if (rc < 0) {
		at_free(*out);
		*out = NULL;
	}
	return rc;
}

