/* strata.yaml: read with libyaml's document API so every value keeps its line
 * and column for messages.  Unknown keys are errors: a typo must never turn a
 * setting off silently. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

typedef struct cfg_parse {
	err_ctx *e;
	yaml_document_t doc;
	const char *file;
	const config *cfg; /* its .env variables, for ${VAR} */
	bool quiet;        /* looking ahead for .env files: no error reported */
	yaml_node_t *key;  /* the key whose value is being read, for positions */
} cfg_parse;

static int bad(cfg_parse *p, yaml_node_t *n, const char *hint, const char *fmt, ...)
	STRATA_PRINTF(4, 5);

/* An error at a node's position, "strata.yaml:LINE:COL: message".  A node
 * that starts before the key being read was reached through an alias
 * (`key: *name`, `<<: *name`): its own position is the anchor's, lines
 * away, so the error is put where the alias is used, at the key. */
static int bad(cfg_parse *p, yaml_node_t *n, const char *hint, const char *fmt, ...)
{
	if (n && p->key && n->start_mark.index < p->key->start_mark.index)
		n = p->key;
	va_list ap;
	va_start(ap, fmt);
	err_setv(p->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, p->file,
	         n ? (int)n->start_mark.line + 1 : 0, n ? (int)n->start_mark.column + 1 : 0,
	         hint, fmt, ap);
	va_end(ap);
	return STRATA_EINVAL;
}

/* ${VAR} and ${VAR:-default} from the environment (the real one, else the
 * .env files'); an unset VAR without a default is an error, because an empty
 * database URL is never what was meant. */
static int expand(cfg_parse *p, yaml_node_t *n, const char *in, char **out)
{
	sbuf b = {0};
	for (const char *c = in; *c;) {
		if (c[0] != '$' || c[1] != '{') {
			sbuf_add(&b, c++, 1);
			continue;
		}
		const char *end = strchr(c, '}');
		if (!end) {
			sbuf_free(&b);
			return p->quiet ? STRATA_EINVAL
			                : bad(p, n, "write ${NAME}", "unterminated '${' in value");
		}
		char *name = xstrndup(c + 2, (size_t)(end - c - 2));
		char *def = strstr(name, ":-");
		if (def) {
			*def = '\0';
			def += 2;
		}
		const char *v = config_getenv(p->cfg, name);
		if ((!v || !*v) && def)
			v = def;
		if (!def && (!v || !*v)) {
			if (!p->quiet)
				bad(p, n, "export it, set it in .env, or write ${NAME:-default}",
				    "environment variable '%s' is %s", name, v ? "empty" : "not set");
			free(name);
			sbuf_free(&b);
			return STRATA_EINVAL;
		}
		sbuf_puts(&b, v);
		free(name);
		c = end + 1;
	}
	*out = sbuf_take(&b);
	return 0;
}

static int scalar(cfg_parse *p, yaml_node_t *n, const char *what, char **out)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return bad(p, n, NULL, "%s must be a string", what);
	return expand(p, n, (const char *)n->data.scalar.value, out);
}

/* A string or a list of strings (plugin_path, order). */
static int string_list(cfg_parse *p, yaml_node_t *n, const char *what, char ***out, size_t *count)
{
	if (n->type == YAML_SCALAR_NODE) {
		*out = xcalloc(1, sizeof **out);
		*count = 1;
		return scalar(p, n, what, &(*out)[0]);
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(p, n, NULL, "%s must be a string or a list of strings", what);
	size_t k = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*out = xcalloc(k, sizeof **out);
	*count = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		int rc = scalar(p, yaml_document_get_node(&p->doc, *it), what, &(*out)[*count]);
		if (rc)
			return rc;
		(*count)++;
	}
	return 0;
}

/* A key is a plain string.  `<<` is YAML 1.1's merge key, which libyaml
 * (YAML 1.1 without the merge type) leaves an ordinary key: read as one it
 * would be an unknown option, so it is refused by name.  Sets p->key. */
static int key_ok(cfg_parse *p, yaml_node_t *k)
{
	p->key = NULL;
	if (k->type != YAML_SCALAR_NODE)
		return bad(p, k, NULL, "keys must be strings");
	p->key = k;
	if (!strcmp((const char *)k->data.scalar.value, "<<") && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return bad(p, k, "write the keys out; an anchor (&name) can still be used as a whole value",
		           "YAML merge keys (<<) are not supported");
	return 0;
}

/* A key given twice would silently replace the first: refuse it. */
static int repeated(cfg_parse *p, yaml_node_t *map, yaml_node_pair_t *upto, yaml_node_t *k)
{
	for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < upto; q++) {
		yaml_node_t *o = yaml_document_get_node(&p->doc, q->key);
		if (o->type == YAML_SCALAR_NODE &&
		    !strcmp((const char *)o->data.scalar.value, (const char *)k->data.scalar.value))
			return bad(p, k, "remove one of them", "key '%s' given twice (also line %d)",
			           (const char *)k->data.scalar.value, (int)o->start_mark.line + 1);
	}
	return 0;
}

/* One duration value of the config, with its position for errors. */
static int duration(cfg_parse *p, yaml_node_t *n, const char *what, long *ms)
{
	char *v;
	int rc = scalar(p, n, what, &v);
	if (rc)
		return rc;
	rc = strata_parse_duration(v, ms);
	free(v);
	if (rc)
		return bad(p, n, "write e.g. 10s, 500ms, 2m or -1 (no limit)", "invalid duration for %s",
		           what);
	return 0;
}

/* "10s", "500ms", "2m", "1h" or a plain number of milliseconds; -1 = forever. */
int strata_parse_duration(const char *text, long *ms)
{
	char *end;
	errno = 0;
	double d = strtod(text, &end);
	double mult = 1;
	if (!strcmp(end, "s"))
		mult = 1000;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mult = 60000;
	else if (!strcmp(end, "h"))
		mult = 3600000;
	else if (strcmp(end, "ms") && *end)
		return STRATA_EINVAL;
	if (errno || end == text)
		return STRATA_EINVAL;
	if (d == -1 && !*end) {
		*ms = -1;
		return 0;
	}
	if (!(d >= 0 && d * mult <= 86400000.0))
		return STRATA_EINVAL;
	*ms = (long)(d * mult);
	return 0;
}

/* session: settings for the connection that runs migrations. */
static int parse_session(cfg_parse *p, yaml_node_t *n, config *cfg)
{
	if (n->type != YAML_MAPPING_NODE)
		return bad(p, n, "session: takes lock_timeout and statement_timeout",
		           "session must be a mapping");
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&p->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&p->doc, pr->value);
		int rc = key_ok(p, k);
		if (!rc)
			rc = repeated(p, n, pr, k);
		const char *key = (const char *)k->data.scalar.value;
		if (!rc && !strcmp(key, "lock_timeout"))
			rc = duration(p, v, "session lock_timeout", &cfg->session_lock_timeout_ms);
		else if (!rc && !strcmp(key, "statement_timeout"))
			rc = duration(p, v, "session statement_timeout", &cfg->session_statement_timeout_ms);
		else if (!rc)
			rc = bad(p, k, "known keys: lock_timeout, statement_timeout",
			         "unknown key '%s' in session", key);
		if (rc)
			return rc;
	}
	return 0;
}

/* tracker: a name, a list of names, or `none` (alone). */
static int parse_trackers(cfg_parse *p, yaml_node_t *v, cfg_source *src)
{
	src->has_trackers = true;
	src->tracker_line = (int)v->start_mark.line + 1;
	int rc = string_list(p, v, "tracker", &src->trackers, &src->ntrackers);
	if (rc)
		return rc;
	for (size_t i = 0; i < src->ntrackers; i++) {
		if (!*src->trackers[i])
			return bad(p, v, "name a tracker (see docs/trackers.md), or write none",
			           "tracker is empty");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(src->trackers[i], src->trackers[j]))
				return bad(p, v, "name each tracker once", "tracker '%s' is named twice",
				           src->trackers[i]);
		if (!strcmp(src->trackers[i], "none") && src->ntrackers > 1)
			return bad(p, v, "write  tracker: none  alone, or list the trackers",
			           "tracker 'none' in a list of trackers");
	}
	if (src->ntrackers == 1 && !strcmp(src->trackers[0], "none")) {
		free(src->trackers[0]);
		src->ntrackers = 0;
	}
	return 0;
}

/* retired: true or false (YAML 1.1's spellings refused: one way to say it). */
static int parse_retired(cfg_parse *p, yaml_node_t *v, cfg_source *src)
{
	char *t = NULL;
	int rc = scalar(p, v, "retired", &t);
	if (!rc) {
		src->retired_line = (int)v->start_mark.line + 1;
		if (!strcmp(t, "true"))
			src->retired = true;
		else if (strcmp(t, "false"))
			rc = bad(p, v, "write  retired: true  or  retired: false",
			         "retired must be true or false, not '%s'", t);
	}
	free(t);
	return rc;
}

/* single_transaction: true or false, like retired:; its line is kept for
 * the dialect's refusal (apply.c), which comes after the database is known. */
static int parse_single_tx(cfg_parse *p, yaml_node_t *v, config *cfg)
{
	char *t = NULL;
	int rc = scalar(p, v, "single_transaction", &t);
	if (!rc) {
		cfg->single_transaction_line = (int)v->start_mark.line + 1;
		if (!strcmp(t, "true"))
			cfg->single_transaction = true;
		else if (!strcmp(t, "false"))
			cfg->single_transaction = false;
		else
			rc = bad(p, v, "write  single_transaction: true  or  single_transaction: false",
			         "single_transaction must be true or false, not '%s'", t);
	}
	free(t);
	return rc;
}

/* dialect: one name; which names exist is formats/dialects.yaml's (plugins/). */
static int parse_dialect(cfg_parse *p, yaml_node_t *v, cfg_source *src)
{
	src->dialect_line = (int)v->start_mark.line + 1;
	src->dialect_col = (int)v->start_mark.column + 1;
	int rc = scalar(p, v, "dialect", &src->dialect);
	if (!rc && !*src->dialect)
		rc = bad(p, v, "name the database dialect this folder is for (postgresql, sqlite, h2, "
		         "mysql, …), or remove the key", "dialect is empty");
	return rc;
}

/* A format option given as a mapping of strings (the alembic source's
 * `assume: {settings.flag: true}`) reaches the plugin as one string of
 * KEY=VALUE lines, in the file's order; a key holding '=' or a line break,
 * or a value holding a line break, cannot be written that way. */
static int option_map(cfg_parse *p, yaml_node_t *n, const char *what, char **out)
{
	sbuf b = {0};
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&p->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&p->doc, pr->value);
		char *ks = NULL, *vs = NULL;
		int rc = scalar(p, k, what, &ks);
		if (!rc)
			rc = scalar(p, v, what, &vs);
		if (!rc && (!*ks || strpbrk(ks, "=\n")))
			rc = bad(p, k, "write the name as a dotted Python name (settings.flag)",
			         "%s: key '%s' is not a name", what, ks);
		if (!rc && strchr(vs, '\n'))
			rc = bad(p, v, "write the value on one line", "%s: value of '%s' has a line break",
			         what, ks);
		if (!rc)
			sbuf_printf(&b, "%s=%s\n", ks, vs);
		free(ks);
		free(vs);
		if (rc) {
			sbuf_free(&b);
			return rc;
		}
	}
	*out = sbuf_take(&b);
	if (!*out)
		*out = xstrdup("");
	return 0;
}

static int parse_source(cfg_parse *p, yaml_node_t *n, cfg_source *src, const char *dir)
{
	if (n->type != YAML_MAPPING_NODE)
		return bad(p, n, "each source is a mapping with name, format and path",
		           "source must be a mapping");
	src->line = (int)n->start_mark.line + 1;
	char *path = NULL;
	int rc = 0;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&p->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&p->doc, pr->value);
		if ((rc = key_ok(p, k)) || (rc = repeated(p, n, pr, k))) {
			free(path);
			return rc;
		}
		const char *key = (const char *)k->data.scalar.value;
		if (!strcmp(key, "name"))
			rc = scalar(p, v, "name", &src->name);
		else if (!strcmp(key, "format"))
			rc = scalar(p, v, "format", &src->format);
		else if (!strcmp(key, "path"))
			rc = scalar(p, v, "path", &path);
		else if (!strcmp(key, "tracker"))
			rc = parse_trackers(p, v, src);
		else if (!strcmp(key, "dialect"))
			rc = parse_dialect(p, v, src);
		else if (!strcmp(key, "retired"))
			rc = parse_retired(p, v, src);
		else {
			/* Format options: checked against the plugin's list when loaded. */
			src->opts = xrealloc(src->opts, (src->nopts + 1) * sizeof *src->opts);
			cfg_option *o = &src->opts[src->nopts++];
			memset(o, 0, sizeof *o);
			o->key = xstrdup(key);
			o->line = (int)k->start_mark.line + 1;
			rc = v && v->type == YAML_MAPPING_NODE ? option_map(p, v, key, &o->value)
			                                       : scalar(p, v, key, &o->value);
		}
		if (rc) {
			free(path);
			return rc;
		}
	}
	p->key = NULL; /* what follows is about the whole entry, at its own position */
	if (!src->name || !*src->name) {
		free(path);
		return bad(p, n, "add  name: <short name>  (it prefixes every migration id)",
		           "source has no name");
	}
	if (strchr(src->name, ':')) {
		free(path);
		return bad(p, n, NULL, "source name '%s' must not contain ':'", src->name);
	}
	if (!src->format) {
		free(path);
		return bad(p, n, "add  format: sqlpair  (see `strata plugins`)",
		           "source '%s' has no format", src->name);
	}
	if (!path) {
		return bad(p, n, "add  path: <folder of migrations>", "source '%s' has no path",
		           src->name);
	}
	src->path_display = path;
	src->path = path_join(dir, path);
	return 0;
}

/* `database: ~` (or null, or nothing) would be read as the URL "~", and
 * `database: ""` as no URL at all, falling back to sqlite:strata.db: both
 * are refused where they are written.  A value that only expands to
 * nothing (${VAR:-}) still falls through to the default. */
static int no_url(cfg_parse *p, yaml_node_t *v)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	if (v->type != YAML_SCALAR_NODE)
		return 0;
	const char *s = (const char *)v->data.scalar.value;
	const char *hint = "write a URL such as sqlite:app.db or postgresql://host/db, or remove "
	                   "the key for the default, sqlite:strata.db";
	if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
			if (!strcmp(s, nulls[i]))
				return bad(p, v, hint, "database is null");
	if (!*s)
		return bad(p, v, hint, "database is empty");
	return 0;
}

static int parse_root(cfg_parse *p, config *cfg)
{
	yaml_node_t *root = yaml_document_get_root_node(&p->doc);
	if (!root)
		return 0; /* empty file: all defaults */
	if (root->type != YAML_MAPPING_NODE)
		return bad(p, root, NULL, "the top level must be a mapping");
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&p->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&p->doc, pr->value);
		int rc = key_ok(p, k);
		if (!rc)
			rc = repeated(p, root, pr, k);
		if (rc)
			return rc;
		const char *key = (const char *)k->data.scalar.value;
		if (!strcmp(key, "database")) {
			free(cfg->database);
			cfg->database = NULL;
			rc = no_url(p, v);
			if (!rc)
				rc = scalar(p, v, "database", &cfg->database);
		} else if (!strcmp(key, "plugin_path")) {
			rc = string_list(p, v, "plugin_path", &cfg->plugin_path, &cfg->nplugin_path);
			for (size_t i = 0; !rc && i < cfg->nplugin_path; i++) {
				char *abs = path_join(cfg->dir, cfg->plugin_path[i]);
				free(cfg->plugin_path[i]);
				cfg->plugin_path[i] = abs;
			}
		} else if (!strcmp(key, "order")) {
			rc = string_list(p, v, "order", &cfg->order, &cfg->norder);
		} else if (!strcmp(key, "merge")) {
			char *m = NULL;
			rc = scalar(p, v, "merge", &m);
			if (!rc && !strcmp(m, "version"))
				cfg->merge_by_version = true;
			else if (!rc && strcmp(m, "sources"))
				rc = bad(p, v, "use  merge: sources  or  merge: version",
				         "unknown merge mode '%s'", m);
			free(m);
		} else if (!strcmp(key, "lock_timeout")) {
			rc = duration(p, v, "lock_timeout", &cfg->lock_timeout_ms);
		} else if (!strcmp(key, "single_transaction")) {
			rc = parse_single_tx(p, v, cfg);
		} else if (!strcmp(key, "session")) {
			rc = parse_session(p, v, cfg);
			p->key = k;
		} else if (!strcmp(key, "sources")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return bad(p, v, NULL, "sources must be a list");
			size_t k2 = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
			cfg->sources = xcalloc(k2, sizeof *cfg->sources);
			rc = 0;
			for (yaml_node_item_t *it = v->data.sequence.items.start;
			     !rc && it < v->data.sequence.items.top; it++) {
				cfg_source *src = &cfg->sources[cfg->nsources++];
				rc = parse_source(p, yaml_document_get_node(&p->doc, *it), src, cfg->dir);
				p->key = k; /* parse_source read its own keys */
				for (size_t j = 0; !rc && j + 1 < cfg->nsources; j++)
					if (!strcmp(cfg->sources[j].name, src->name))
						rc = bad(p, yaml_document_get_node(&p->doc, *it),
						         "give each source its own name",
						         "duplicate source name '%s'", src->name);
			}
		} else {
			return bad(p, k,
			           "known keys: database, sources, order, merge, plugin_path, lock_timeout, session, "
			           "single_transaction",
			           "unknown key '%s'", key);
		}
		if (rc)
			return rc;
	}
	/* order: names sources, each at most once; unnamed ones follow in config order. */
	for (size_t i = 0; i < cfg->norder; i++) {
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cfg->order[i], cfg->order[j]))
				return err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, p->file, 0, 0,
				               "name each source once", "order names source '%s' twice",
				               cfg->order[i]);
		bool found = false;
		for (size_t j = 0; j < cfg->nsources; j++)
			found |= !strcmp(cfg->order[i], cfg->sources[j].name);
		if (!found)
			return err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, p->file, 0, 0,
			               "order: lists source names from sources:",
			               "order names unknown source '%s'", cfg->order[i]);
	}
	return 0;
}

/* STRATA_LOCK_TIMEOUT_MS (milliseconds) beats the config, as DATABASE_URL does. */
static int lock_timeout_env(err_ctx *e, config *cfg)
{
	const char *v = getenv("STRATA_LOCK_TIMEOUT_MS");
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	long ms = strtol(v, &end, 10);
	if (errno || *end)
		return err_set(e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, NULL, 0, 0,
		               "a whole number of milliseconds, -1 to wait forever",
		               "STRATA_LOCK_TIMEOUT_MS='%s' is not a number", v);
	cfg->lock_timeout_ms = ms;
	return 0;
}

static int config_read(err_ctx *e, config *cfg, const char *path);

int config_load(err_ctx *e, config *cfg, const char *path)
{
	cfg->lock_timeout_ms = 10000;
	int rc = config_read(e, cfg, path);
	return rc ? rc : lock_timeout_env(e, cfg);
}

/* The .env files the sources' native tools read (config_source_env): each
 * source's format and path, expanded with what is known so far (the real
 * environment and the project's .env); a value that does not expand yet is
 * skipped here and reported by parse_root. */
static int source_env_files(cfg_parse *p, config *cfg)
{
	yaml_node_t *root = yaml_document_get_root_node(&p->doc);
	if (!root || root->type != YAML_MAPPING_NODE)
		return 0;
	int rc = 0;
	p->quiet = true;
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     !rc && pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&p->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&p->doc, pr->value);
		if (k->type != YAML_SCALAR_NODE || strcmp((const char *)k->data.scalar.value, "sources") ||
		    v->type != YAML_SEQUENCE_NODE)
			continue;
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     !rc && it < v->data.sequence.items.top; it++) {
			yaml_node_t *src = yaml_document_get_node(&p->doc, *it);
			char *format = NULL, *path = NULL;
			for (yaml_node_pair_t *q = src->type == YAML_MAPPING_NODE ? src->data.mapping.pairs.start : NULL;
			     q && q < src->data.mapping.pairs.top; q++) {
				yaml_node_t *sk = yaml_document_get_node(&p->doc, q->key);
				yaml_node_t *sv = yaml_document_get_node(&p->doc, q->value);
				if (sk->type != YAML_SCALAR_NODE || sv->type != YAML_SCALAR_NODE)
					continue;
				const char *key = (const char *)sk->data.scalar.value;
				char **slot = !strcmp(key, "format") ? &format : !strcmp(key, "path") ? &path : NULL;
				if (slot && !*slot && expand(p, sv, (const char *)sv->data.scalar.value, slot))
					*slot = NULL;
			}
			if (format && path) {
				char *folder = path_join(cfg->dir, path);
				p->quiet = false;
				rc = config_source_env(p->e, cfg, format, folder);
				p->quiet = true;
				free(folder);
			}
			free(format);
			free(path);
		}
	}
	p->quiet = false;
	return rc;
}

/* The .env beside the config file (in the working directory without one). */
static int project_env(err_ctx *e, config *cfg)
{
	char *env = path_join(cfg->dir, ".env");
	int rc = config_read_env(e, cfg, env);
	free(env);
	return rc;
}

/* A syntax error, at libyaml's position; or a read that failed, which
 * libyaml calls only "input error". */
static int yaml_failed(err_ctx *e, const yaml_parser_t *parser, FILE *f, const char *path)
{
	if (parser->error == YAML_READER_ERROR && ferror(f))
		return err_set(e, STRATA_EIO, STRATA_ECLASS_CONFIG, path, 0, 0, NULL,
		               "cannot read config: %s", strerror(errno ? errno : EIO));
	yaml_mark_t m = parser->problem_mark;
	return err_set(e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, path, (int)m.line + 1,
	               (int)m.column + 1, "check indentation and quoting", "%s%s%s",
	               parser->problem ? parser->problem : "malformed YAML",
	               parser->context ? " " : "", parser->context ? parser->context : "");
}

/* strata.yaml is one document.  A second one (after `---`) would be read by
 * nobody, its database: silently ignored, so it is refused at its `---`. */
static int one_document(err_ctx *e, yaml_parser_t *parser, FILE *f, const char *path)
{
	yaml_document_t next;
	if (!yaml_parser_load(parser, &next))
		return yaml_failed(e, parser, f, path);
	int more = yaml_document_get_root_node(&next) != NULL;
	yaml_mark_t m = next.start_mark;
	yaml_document_delete(&next);
	if (!more)
		return 0;
	return err_set(e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, path, (int)m.line + 1,
	               (int)m.column + 1, "keep one document: remove this `---` and what follows, "
	               "or merge it into the first",
	               "strata.yaml holds more than one YAML document");
}

static int config_read(err_ctx *e, config *cfg, const char *path)
{
	bool explicit_path = path != NULL;
	if (!path)
		path = "strata.yaml";
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (!explicit_path && errno == ENOENT) {
			cfg->dir = getcwd(NULL, 0);
			return project_env(e, cfg);
		}
		int en = errno;
		return err_set(e, STRATA_EIO, STRATA_ECLASS_CONFIG, path, 0, 0,
		               en == EACCES ? "check the file's permissions"
		               : explicit_path || en != ENOENT ? NULL
		                                               : "run `strata init` to write one",
		               "cannot read config: %s", strerror(en));
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fclose(f);
		return err_set(e, STRATA_EIO, STRATA_ECLASS_CONFIG, path, 0, 0,
		               S_ISDIR(st.st_mode) ? "the config is a file; name one with -c FILE"
		                                   : "the config must be a regular file",
		               "cannot read config: %s",
		               S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
	}
	cfg->file = xstrdup(path);
	const char *slash = strrchr(path, '/');
	if (slash) {
		char *d = xstrndup(path, (size_t)(slash - path) + (slash == path));
		if (d[0] == '/') {
			cfg->dir = d;
		} else {
			char *cwd = getcwd(NULL, 0);
			cfg->dir = path_join(cwd, d);
			free(cwd);
			free(d);
		}
	} else {
		cfg->dir = getcwd(NULL, 0);
	}

	int rc = project_env(e, cfg);
	if (rc) {
		fclose(f);
		return rc;
	}
	cfg_parse p = {.e = e, .file = path, .cfg = cfg};
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &p.doc)) {
		rc = yaml_failed(e, &parser, f, path);
		yaml_parser_delete(&parser);
		fclose(f);
		return rc;
	}
	rc = one_document(e, &parser, f, path);
	if (!rc)
		rc = source_env_files(&p, cfg);
	if (!rc)
		rc = parse_root(&p, cfg);
	yaml_document_delete(&p.doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

void config_free(config *cfg)
{
	free(cfg->file);
	free(cfg->dir);
	free(cfg->database);
	for (size_t i = 0; i < cfg->nsources; i++) {
		cfg_source *src = &cfg->sources[i];
		free(src->name);
		free(src->format);
		free(src->path);
		free(src->path_display);
		for (size_t j = 0; j < src->nopts; j++) {
			free(src->opts[j].key);
			free(src->opts[j].value);
		}
		free(src->opts);
		for (size_t j = 0; j < src->ntrackers; j++)
			free(src->trackers[j]);
		free(src->trackers);
		free(src->dialect);
	}
	free(cfg->sources);
	for (size_t i = 0; i < cfg->norder; i++)
		free(cfg->order[i]);
	free(cfg->order);
	for (size_t i = 0; i < cfg->nplugin_path; i++)
		free(cfg->plugin_path[i]);
	free(cfg->plugin_path);
	dotenv_free(&cfg->env);
	for (size_t i = 0; i < cfg->nenv_files; i++)
		free(cfg->env_files[i]);
	free(cfg->env_files);
	memset(cfg, 0, sizeof *cfg);
}

const char *config_file_name(const config *cfg)
{
	return cfg->file ? cfg->file : "strata.yaml";
}
