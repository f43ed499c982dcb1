/* strata init: walk the repository, ask every source plugin whether a folder
 * holds its format, and write a strata.yaml naming what was found. */
#include "sources.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct found {
	char *dir; /* relative to the working directory */
	char *format;
	char **keys, **values;
	int score;
	char *name;       /* the source's name in the config */
	char *chosen_key; /* the key init gave a value of its own (own_tables()), or NULL */
	char *note;       /* the comment written above it */
} found;

typedef struct walk {
	loader *L;
	char *root; /* the config's folder: written paths are relative to it */
	found *items;
	size_t n;
	found best;
} walk;

static void found_clear(found *f)
{
	free(f->dir);
	free(f->format);
	for (size_t i = 0; f->keys && f->keys[i]; i++) {
		free(f->keys[i]);
		free(f->values[i]);
	}
	free(f->keys);
	free(f->values);
	free(f->name);
	free(f->chosen_key);
	free(f->note);
	memset(f, 0, sizeof *f);
}

static int on_detect(host_call *hc, const char *format, const char *const *keys,
                     const char *const *values)
{
	walk *w = hc->ud;
	found_clear(&w->best);
	w->best.format = xstrdup(format);
	size_t n = 0;
	while (keys && keys[n])
		n++;
	w->best.keys = xcalloc(n + 1, sizeof(char *));
	w->best.values = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		w->best.keys[i] = xstrdup(keys[i]);
		w->best.values[i] = xstrdup(values[i]);
	}
	return 0;
}

/* Folders never worth looking into. */
static bool skip_dir(const char *name)
{
	static const char *const skip[] = {"node_modules", "build", "dist", "target", "vendor",
	                                   "__pycache__", "venv", NULL};
	if (name[0] == '.')
		return true;
	for (size_t i = 0; skip[i]; i++)
		if (!strcmp(name, skip[i]))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int visit(walk *w, const char *rel, int depth)
{
	loader *L = w->L;
	const char *dir = *rel ? rel : ".";
	char *abs_dir = *rel ? path_join(w->root, rel) : xstrdup(w->root);
	/* Best score over every source plugin. */
	found keep = {0};
	for (size_t i = 0; i < L->nplugins; i++) {
		const strata_plugin *d = L->plugins[i].desc;
		if (!d || !d->source || !d->source->detect)
			continue;
		host_call hc;
		host_init(&hc, L);
		hc.ud = w;
		hc.on_detect = on_detect;
		int score = call_detect(&hc, &L->plugins[i], abs_dir);
		if (score < 0) {
			free(abs_dir);
			found_clear(&keep);
			found_clear(&w->best);
			return score;
		}
		if (score > keep.score && w->best.format) {
			found_clear(&keep);
			keep = w->best;
			keep.score = score;
			memset(&w->best, 0, sizeof w->best);
		}
		found_clear(&w->best);
	}
	if (keep.score > 0) {
		keep.dir = xstrdup(dir);
		w->items = xrealloc(w->items, (w->n + 1) * sizeof *w->items);
		w->items[w->n++] = keep;
		free(abs_dir);
		return 0; /* a migrations folder: do not look inside */
	}
	int rc = 0;
	if (depth < 4) {
		DIR *dh = opendir(abs_dir);
		struct dirent *e;
		char **subs = NULL;
		size_t ns = 0;
		while (dh && (e = readdir(dh))) {
			if (skip_dir(e->d_name))
				continue;
			char *p = path_join(abs_dir, e->d_name);
			struct stat st;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
				subs = xrealloc(subs, (ns + 1) * sizeof *subs);
				subs[ns++] = path_join(rel, e->d_name);
			}
			free(p);
		}
		if (dh)
			closedir(dh);
		if (ns)
			qsort(subs, ns, sizeof *subs, cmp_str);
		for (size_t i = 0; i < ns; i++) {
			if (!rc)
				rc = visit(w, subs[i], depth + 1);
			free(subs[i]);
		}
		free(subs);
	}
	free(abs_dir);
	return rc;
}

/* YAML plain scalars are fine for the values we write unless they hold
 * characters YAML treats specially; quote those. */
static void yaml_value(sbuf *b, const char *v)
{
	bool plain = *v != '\0';
	for (const char *p = v; *p; p++)
		if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') ||
		      ('0' <= *p && *p <= '9') || strchr("_./-", *p)))
			plain = false;
	if (plain) {
		sbuf_puts(b, v);
		return;
	}
	sbuf_add(b, "'", 1);
	for (const char *p = v; *p; p++) {
		sbuf_add(b, p, 1);
		if (*p == '\'')
			sbuf_add(b, "'", 1); /* '' is a quote inside single quotes */
	}
	sbuf_add(b, "'", 1);
}

/* A source's name for a folder: its base name; when several folders share
 * one (prisma/migrations and db/migrations), the parent's name tells them
 * apart (prisma, db). */
static char *base_name(const char *dir)
{
	const char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : dir;
	return xstrdup(strcmp(base, ".") ? base : "migrations");
}

static char *parent_name(const char *dir)
{
	const char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return base_name(dir);
	const char *start = slash;
	while (start > dir && start[-1] != '/')
		start--;
	return xstrndup(start, (size_t)(slash - start));
}

static char *source_name(const walk *w, size_t i)
{
	char *base = base_name(w->items[i].dir);
	for (size_t j = 0; j < w->n; j++) {
		char *other = base_name(w->items[j].dir);
		bool clash = j != i && !strcmp(other, base);
		free(other);
		if (clash) {
			free(base);
			return parent_name(w->items[i].dir);
		}
	}
	return base;
}

/* ---- one tracking table per source ----
 * A tracker whose table a source can rename (strata_tracker_ops.table_options:
 * Alembic's version_table, version_table_schema) must not be shared by two
 * sources: each would read the other's rows as its own.  A table is named
 * by the detected values of those keys (the tracker's `table` and no schema
 * when absent).  Names a plugin detected (Alembic: in env.py) are kept;
 * after them, in walk order, a source whose table is taken gets
 * TABLE_<source name>, with a warning and the tracker's table_note written
 * beside it. */

static const char *value_of(const found *f, const char *key)
{
	for (size_t k = 0; key && f->keys && f->keys[k]; k++)
		if (!strcmp(f->keys[k], key))
			return f->values[k];
	return NULL;
}

static void set_value(found *f, const char *key, const char *value)
{
	size_t k = 0;
	for (; f->keys && f->keys[k]; k++)
		if (!strcmp(f->keys[k], key)) {
			free(f->values[k]);
			f->values[k] = xstrdup(value);
			return;
		}
	f->keys = xrealloc(f->keys, (k + 2) * sizeof *f->keys);
	f->values = xrealloc(f->values, (k + 2) * sizeof *f->values);
	f->keys[k] = xstrdup(key);
	f->values[k] = xstrdup(value);
	f->keys[k + 1] = f->values[k + 1] = NULL;
}

/* The tracker's renaming keys for f, or NULL. */
static const strata_tracker_ops *table_tracker(const loader *L, const found *f,
                                               const plugin **pl)
{
	*pl = loader_find_tracker(L, f->format);
	const strata_tracker_ops *t = *pl ? (*pl)->desc->tracker : NULL;
	if (!t || !STRATA_HAS(strata_tracker_ops, t, table_note) || !t->table_options ||
	    !t->table_options[0])
		return NULL;
	return t;
}

/* "schema.table" or "table": f's table as the tracker would name it. */
static char *table_of(const strata_tracker_ops *t, const found *f, const char *table)
{
	const char *schema = t->table_options[1] ? value_of(f, t->table_options[1]) : NULL;
	if (!table)
		table = value_of(f, t->table_options[0]);
	if (!table)
		table = t->table ? t->table : "";
	return schema && *schema ? xasprintf("%s.%s", schema, table) : xstrdup(table);
}

typedef struct taken {
	const plugin *pl;
	char *table;
	size_t owner;
} taken;

static bool is_taken(const taken *tk, size_t n, const plugin *pl, const char *table, size_t *owner)
{
	for (size_t i = 0; i < n; i++)
		if (tk[i].pl == pl && !strcmp(tk[i].table, table)) {
			if (owner)
				*owner = tk[i].owner;
			return true;
		}
	return false;
}

static void own_tables(walk *w)
{
	taken *tk = xcalloc(w->n + 1, sizeof *tk);
	size_t nt = 0;
	for (int pass = 0; pass < 2; pass++) /* detected names first, then defaults */
		for (size_t i = 0; i < w->n; i++) {
			found *f = &w->items[i];
			const plugin *pl;
			const strata_tracker_ops *t = table_tracker(w->L, f, &pl);
			if (!t || (value_of(f, t->table_options[0]) != NULL) != (pass == 0))
				continue;
			char *table = table_of(t, f, NULL);
			size_t owner;
			if (is_taken(tk, nt, pl, table, &owner)) {
				const char *base = value_of(f, t->table_options[0]);
				if (!base)
					base = t->table ? t->table : "table";
				/* base_<name>, the name folded to [a-z0-9_] */
				char *suffix = xstrdup(f->name);
				for (char *c = suffix; *c; c++)
					if (*c >= 'A' && *c <= 'Z')
						*c = (char)(*c - 'A' + 'a');
					else if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
						*c = '_';
				char *mine = xasprintf("%s_%s", base, suffix);
				char *full = table_of(t, f, mine);
				for (int k = 2; is_taken(tk, nt, pl, full, NULL); k++) {
					free(mine);
					free(full);
					mine = xasprintf("%s_%s%d", base, suffix, k);
					full = table_of(t, f, mine);
				}
				free(suffix);
				const char *other = w->items[owner].name;
				logf_(w->L->e, STRATA_LOG_WARN, f->dir, 0,
				      "source '%s' would share %s with source '%s': wrote %s: %s (%s)",
				      f->name, table, other, t->table_options[0], mine,
				      t->table_note ? t->table_note : "the tool must use it too");
				f->note = xasprintf("strata init: %s is source '%s''s table; this source "
				                    "gets its own.%s%s",
				                    table, other, t->table_note ? "\n" : "",
				                    t->table_note ? t->table_note : "");
				free(f->chosen_key);
				f->chosen_key = xstrdup(t->table_options[0]);
				set_value(f, t->table_options[0], mine);
				free(mine);
				free(table);
				table = full;
			}
			tk[nt++] = (taken){pl, table, i};
		}
	for (size_t i = 0; i < nt; i++)
		free(tk[i].table);
	free(tk);
}

/* A comment, one "    # " line per line of text. */
static void yaml_comment(sbuf *b, const char *text)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		sbuf_printf(b, "    # %.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
}

int sources_init(loader *L, const char *path, int force)
{
	if (!path)
		path = "strata.yaml";
	if (!force && access(path, F_OK) == 0)
		return err_set(L->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, path, 0, 0,
		               "use `strata init --force` to replace it", "config already exists");
	int rc = loader_load_all(L);
	if (rc)
		return rc;
	/* Paths in a config are relative to its folder, so that is where to look. */
	walk w = {.L = L};
	const char *slash = strrchr(path, '/');
	char *cwd = getcwd(NULL, 0);
	if (slash) {
		char *d = xstrndup(path, (size_t)(slash - path) + (slash == path));
		w.root = path_join(cwd, d);
		free(d);
	} else {
		w.root = xstrdup(cwd);
	}
	free(cwd);
	rc = visit(&w, "", 0);
	if (!rc && w.n == 0)
		rc = err_set(L->e, STRATA_ENOTFOUND, STRATA_ECLASS_SOURCE, NULL, 0, 0,
		             "run it at the top of the repository; `strata plugins` lists the formats",
		             "no migration history found under this folder");
	/* Names first: own_tables() names sources in its messages. */
	for (size_t i = 0; !rc && i < w.n; i++) {
		char *base = source_name(&w, i);
		char *name = xstrdup(base);
		for (size_t j = 0, k = 2; j < i; j++) {
			char *other = source_name(&w, j);
			if (!strcmp(other, base)) {
				free(name);
				name = xasprintf("%s%zu", base, k++);
			}
			free(other);
		}
		free(base);
		w.items[i].name = name;
	}
	if (!rc)
		own_tables(&w);
	sbuf b = {0};
	if (!rc) {
		sbuf_puts(&b, "# strata.yaml, written by `strata init`; see docs/config.md\n");
		sbuf_puts(&b, "# --db and DATABASE_URL take precedence over this\n");
		sbuf_puts(&b, "database: sqlite:strata.db\n");
		sbuf_puts(&b, "sources:\n");
		for (size_t i = 0; i < w.n; i++) {
			const found *f = &w.items[i];
			const char *name = f->name;
			sbuf_puts(&b, "  - name: ");
			yaml_value(&b, name);
			sbuf_puts(&b, "\n    format: ");
			yaml_value(&b, f->format);
			sbuf_puts(&b, "\n    path: ");
			yaml_value(&b, f->dir);
			sbuf_puts(&b, "\n");
			for (size_t k = 0; f->keys && f->keys[k]; k++) {
				if (f->chosen_key && f->note && !strcmp(f->keys[k], f->chosen_key))
					yaml_comment(&b, f->note);
				sbuf_printf(&b, "    %s: ", f->keys[k]);
				yaml_value(&b, f->values[k]);
				sbuf_puts(&b, "\n");
			}
			logf_(L->e, STRATA_LOG_INFO, f->dir, 0, "found %s history (source '%s')", f->format,
			      name);
		}
		FILE *out = fopen(path, "w");
		if (!out || fwrite(b.data, 1, b.len, out) != b.len)
			rc = err_set(L->e, STRATA_EIO, STRATA_ECLASS_OS, path, 0, 0, NULL, "cannot write: %s",
			             strerror(errno));
		if (out && fclose(out) != 0 && !rc)
			rc = err_set(L->e, STRATA_EIO, STRATA_ECLASS_OS, path, 0, 0, NULL, "cannot write: %s",
			             strerror(errno));
	}
	sbuf_free(&b);
	for (size_t i = 0; i < w.n; i++)
		found_clear(&w.items[i]);
	free(w.items);
	free(w.root);
	found_clear(&w.best);
	return rc;
}
