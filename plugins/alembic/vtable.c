/* The source's version table: Alembic's version_table and
 * version_table_schema, which a project passes to context.configure() in its
 * env.py (two trees in one database, a main one and a tenants one, each need
 * their own).  Each of the two comes from the source's option in strata.yaml,
 * else from a string literal in the tree's env.py, else its default
 * (alembic_version, no schema).  env.py is read, never run: only a string
 * literal counts; a name, a call, an f-string or **kwargs leave the default,
 * with a -v note saying so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alembic_int.h"
#include "opsql.h"
#include "pyexpr.h"

void al_envpy_free(al_envpy *e)
{
	free(e->table);
	free(e->schema);
	memset(e, 0, sizeof *e);
}

void al_vtable_free(al_vtable *v)
{
	free(v->table);
	free(v->schema);
	free(v->sql);
	free(v->schema_sql);
	free(v->pkc);
	memset(v, 0, sizeof *v);
}

/* One context.configure(...) call. */
typedef struct configure_call {
	int line, online, unpacked; /* connection= given; **kwargs given */
	const px *arg[2];           /* version_table, version_table_schema */
} configure_call;

typedef struct env_read {
	strata_host *h;
	const char *display;
	int notes;
	al_envpy *out;
	int oom;
	configure_call *calls; /* here, not on the stack: the arena may longjmp */
	int n;
} env_read;

static const char *const KEYS[2] = {"version_table", "version_table_schema"};

static int is_literal(const px *e)
{
	return e && e->k == PX_STR && !e->fstr && !e->bytes;
}

static int keep(env_read *r, int k, const px *e, int line)
{
	char **dst = k ? &r->out->schema : &r->out->table;
	if (!(*dst = strdup(e->s))) {
		r->oom = 1;
		return -1;
	}
	if (k)
		r->out->schema_line = line;
	else
		r->out->table_line = line;
	return 0;
}

/* Which call counts: the one that passes connection= (what `alembic
 * upgrade` runs online, as strata does), else the first that names the key. */
static int on_tokens(const px_toks *tk, void *ud)
{
	env_read *r = ud;
	jmp_buf oom;
	px_arena a = {.oom = &oom};
	int rc = 0;
	r->calls = NULL;
	r->n = 0;
	if (setjmp(oom)) {
		px_arena_free(&a);
		free(r->calls);
		r->calls = NULL;
		r->oom = 1;
		return -1;
	}
	for (int i = 0; i + 3 < tk->n; i++) {
		if (!px_is_name(&tk->t[i], "context") || !px_is_op(&tk->t[i + 1], ".") ||
		    !px_is_name(&tk->t[i + 2], "configure") || !px_is_op(&tk->t[i + 3], "("))
			continue;
		int j = i;
		px *e = px_parse_expr(&a, tk->t, &j, tk->n);
		if (!e || e->k != PX_CALL)
			continue;
		configure_call *nc = realloc(r->calls, (size_t)(r->n + 1) * sizeof *nc);
		if (!nc) {
			r->oom = 1;
			rc = -1;
			break;
		}
		r->calls = nc;
		configure_call *c = &r->calls[r->n++];
		memset(c, 0, sizeof *c);
		c->line = tk->t[i].line;
		c->online = px_kwarg(e, "connection") != NULL;
		for (int k = 0; k < e->na; k++)
			c->unpacked |= e->kw[k] && !strcmp(e->kw[k], "**");
		c->arg[0] = px_kwarg(e, KEYS[0]);
		c->arg[1] = px_kwarg(e, KEYS[1]);
		i = j > i ? j - 1 : i;
	}
	const configure_call *calls = r->calls, *online = NULL;
	int n = r->n;
	for (int i = 0; i < n && !online; i++)
		if (calls[i].online)
			online = &calls[i];
	for (int k = 0; !rc && k < 2; k++) {
		const configure_call *c = online;
		for (int i = 0; !c && i < n; i++)
			if (calls[i].arg[k])
				c = &calls[i];
		if (!c)
			continue;
		const px *v = c->arg[k];
		if (is_literal(v))
			rc = keep(r, k, v, v->line ? v->line : c->line);
		else if (r->notes && (v || c->unpacked))
			r->h->debug(r->h, "%s:%d: %s of context.configure() is %s, which strata does not "
			            "evaluate; it uses %s",
			            r->display, v && v->line ? v->line : c->line, KEYS[k],
			            v ? "not a string literal" : "possibly in **kwargs",
			            k ? "no schema" : AL_TABLE);
	}
	px_arena_free(&a);
	free(r->calls);
	r->calls = NULL;
	return rc;
}

int al_envpy_read(strata_host *h, const char *path, const char *display, int notes,
                  al_envpy *out)
{
	memset(out, 0, sizeof *out);
	char *text = NULL;
	size_t len = 0;
	int rc = strata_read_file(h, AT_FDCWD, path, display, &text, &len);
	if (rc == STRATA_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	env_read r = {h, display, notes, out, 0, NULL, 0};
	char err[256] = "";
	int line = 0;
	rc = px_with_tokens(text, len, on_tokens, &r, err, sizeof err, &line);
	free(text);
	if (rc && (r.oom || !line)) { /* the tokenizer's only line-less failure */
		al_envpy_free(out);
		return strata_oom(h);
	}
	if (rc) {
		if (notes)
			h->debug(h, "%s:%d: %s: strata cannot read env.py, so its version table is the "
			         "default", display, line, err);
		al_envpy_free(out);
	}
	return 0;
}

char *al_beside(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	for (;;) { /* "a/b/", "a/b/." are a/b */
		while (n > 1 && dir[n - 1] == '/')
			n--;
		if (n > 1 && dir[n - 1] == '.' && dir[n - 2] == '/')
			n--;
		else
			break;
	}
	while (n > 0 && dir[n - 1] != '/')
		n--;
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!n)
		return strdup(name);
	if (n == 1 && dir[0] == '/')
		n = 0; /* the root: "/" + name */
	size_t m = strlen(name);
	char *out = malloc(n + m + 2);
	if (out)
		snprintf(out, n + m + 2, "%.*s/%s", (int)n, dir, name);
	return out;
}

char *al_envpy_path(strata_host *h, const char *path, int *rc)
{
	*rc = 0;
	al_ini ini;
	int got = al_ini_read(h, path, &ini);
	if (got < 0) {
		*rc = got;
		return NULL;
	}
	char *env = got ? al_join(ini.script_dir, "env.py") : al_beside(path, "env.py");
	if (got)
		al_ini_free(&ini);
	if (!env)
		*rc = strata_oom(h);
	return env;
}

/* schema.name, each part quoted on its own (SQLAlchemy's format_table). */
static char *joined(const char *qs, const char *qn)
{
	if (!qn)
		return NULL;
	size_t n = strlen(qn) + (qs ? strlen(qs) + 1 : 0) + 1;
	char *out = malloc(n);
	if (out)
		snprintf(out, n, "%s%s%s", qs ? qs : "", qs ? "." : "", qn);
	return out;
}

int al_vtable_get(strata_host *h, const strata_source_cfg *cfg, const char *dialect, int notes,
                  al_vtable *out)
{
	memset(out, 0, sizeof *out);
	const char *opt[2] = {strata_cfg_option(cfg, KEYS[0]), strata_cfg_option(cfg, KEYS[1])};
	if (opt[0] && !*opt[0]) {
		h->error(h, STRATA_ECLASS_CONFIG, cfg->config_file, cfg->config_line, 0,
		         "name the table, or remove the key for alembic_version",
		         "source '%s': version_table is empty", cfg->name);
		return STRATA_EINVAL;
	}
	al_envpy env = {0};
	if (!opt[0] || !opt[1]) {
		int rc;
		char *path = al_envpy_path(h, cfg->path, &rc);
		if (!path)
			return rc;
		rc = al_envpy_read(h, path, path, notes, &env);
		free(path);
		if (rc)
			return rc;
	}
	const char *table = opt[0] ? opt[0] : env.table && *env.table ? env.table : AL_TABLE;
	const char *schema = opt[1] ? opt[1] : env.schema;
	if (schema && !*schema)
		schema = NULL; /* version_table_schema: '' is "none", as None is for Alembic */
	opsql_dialect dia = dialect && !strcmp(dialect, "sqlite") ? OPSQL_SQLITE : OPSQL_POSTGRESQL;
	size_t tl = strlen(table);
	char *pkc = malloc(tl + 5);
	if (pkc)
		memcpy(pkc, table, tl), memcpy(pkc + tl, "_pkc", 5);
	out->table = strdup(table);
	out->schema = schema ? strdup(schema) : NULL;
	out->schema_sql = schema ? opsql_ident(dia, schema) : NULL;
	char *qn = opsql_ident(dia, table);
	out->sql = joined(out->schema_sql, qn);
	free(qn);
	out->pkc = pkc ? opsql_ident(dia, pkc) : NULL;
	free(pkc);
	al_envpy_free(&env);
	if (!out->table || (schema && (!out->schema || !out->schema_sql)) || !out->sql ||
	    !out->pkc) {
		al_vtable_free(out);
		return strata_oom(h);
	}
	if (notes)
		h->debug(h, "source %s: version table %s", cfg->name, out->sql);
	return 0;
}
