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

typedef init_item found;

typedef struct walk {
	loader *L;
	init_found *f;
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
	free(f->dialect);
	for (size_t i = 0; f->trackers && f->trackers[i]; i++)
		free(f->trackers[i]);
	free(f->trackers);
	free(f->tracker_note);
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

/* The best score over every source plugin for folder abs, into keep. */
static int detect_at(walk *w, const char *abs, found *keep)
{
	loader *L = w->L;
	for (size_t i = 0; i < L->nplugins; i++) {
		const strata_plugin *d = L->plugins[i].desc;
		if (!d || !d->source || !d->source->detect)
			continue;
		host_call hc;
		host_init(&hc, L);
		hc.ud = w;
		hc.on_detect = on_detect;
		int score = call_detect(&hc, &L->plugins[i], abs);
		if (score < 0) {
			found_clear(keep);
			found_clear(&w->best);
			return score;
		}
		if (score > keep->score && w->best.format) {
			found_clear(keep);
			*keep = w->best;
			keep->score = score;
			memset(&w->best, 0, sizeof w->best);
		}
		found_clear(&w->best);
	}
	return 0;
}

/* How many different dialects the folders subs are named after. */
static size_t dialects_named(loader *L, const char *const *subs)
{
	const char *seen[8];
	size_t n = 0;
	for (size_t i = 0; subs[i] && n < 8; i++) {
		const char *d = dialect_canonical(L, subs[i]);
		bool dup = !d;
		for (size_t j = 0; j < n && !dup; j++)
			dup = !strcmp(seen[j], d);
		if (!dup)
			seen[n++] = d;
	}
	return n;
}

/* Files of abs itself (not its subfolders'), hidden ones aside. */
static size_t own_files(const char *abs)
{
	DIR *d = opendir(abs);
	size_t n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		struct stat st;
		char *p = path_join(abs, e->d_name);
		n += stat(p, &st) == 0 && S_ISREG(st.st_mode);
		free(p);
	}
	if (d)
		closedir(d);
	return n;
}

static int on_folder(void *ud, const char *rel, const char *abs, const char *const *subs)
{
	walk *w = ud;
	found keep = {0};
	int rc = detect_at(w, abs, &keep);
	if (rc < 0)
		return rc;
	if (keep.score <= 0)
		return 0;
	/* A history whose subfolders are parallel per-dialect trees (Flyway's
	 * db/migration/H2, MYSQL, POSTGRESQL): each tree is a source, never
	 * the whole, which would put every dialect's scripts in one ledger. */
	if (dialects_named(w->L, subs) >= 2) {
		size_t files = own_files(abs);
		if (files)
			logf_(w->L->e, STRATA_LOG_WARN, *rel ? rel : ".", 0,
			      "%zu file%s beside the per-dialect folders %s in no source: move %s into "
			      "each dialect's folder, or add a source for %s by hand",
			      files, files == 1 ? "" : "s", files == 1 ? "is" : "are",
			      files == 1 ? "it" : "them", files == 1 ? "it" : "them");
		found_clear(&keep);
		return 0;
	}
	init_found *f = w->f;
	keep.dir = xstrdup(*rel ? rel : ".");
	f->items = xrealloc(f->items, (f->n + 1) * sizeof *f->items);
	f->items[f->n++] = keep;
	return 1; /* a migrations folder: do not look inside */
}

/* Path component k of dir counted from its end (0: the last), or NULL. */
static const char *component(const char *dir, int k, size_t *len)
{
	const char *end = dir + strlen(dir);
	for (;;) {
		const char *start = end;
		while (start > dir && start[-1] != '/')
			start--;
		if (k-- == 0) {
			*len = (size_t)(end - start);
			return *len ? start : NULL;
		}
		if (start == dir)
			return NULL;
		end = start - 1;
	}
}

/* Does b have, where a has its component k (a's ca, ca_len), a folder
 * named after another dialect, the rest of both paths the same? */
static bool sibling_tree(loader *L, const char *a, const char *ca, size_t ca_len, const char *b,
                         int k, const char *dialect)
{
	size_t cb_len;
	const char *cb = component(b, k, &cb_len);
	if (!cb || (size_t)(ca - a) != (size_t)(cb - b) || strncmp(a, b, (size_t)(ca - a)) ||
	    strcmp(ca + ca_len, cb + cb_len))
		return false;
	char *name = xstrndup(cb, cb_len);
	const char *d = dialect_canonical(L, name);
	free(name);
	return d && strcmp(d, dialect);
}

/* Parallel per-dialect trees: a source whose folder, or the folder above it
 * (prisma/postgresql/migrations), is named after a dialect in
 * formats/dialects.yaml, beside another source at the same place named
 * after another dialect.  A lone folder named postgres is not enough. */
static void find_dialects(init_found *f)
{
	for (size_t i = 0; i < f->n; i++)
		for (int k = 0; k < 2 && !f->items[i].dialect; k++) {
			size_t len;
			const char *c = component(f->items[i].dir, k, &len);
			if (!c)
				break;
			char *name = xstrndup(c, len);
			const char *d = dialect_canonical(f->L, name);
			free(name);
			for (size_t j = 0; d && j < f->n && !f->items[i].dialect; j++)
				if (j != i && sibling_tree(f->L, f->items[i].dir, c, len, f->items[j].dir, k, d))
					f->items[i].dialect = xstrdup(d);
		}
}

/* YAML plain scalars are fine for the values we write unless they hold
 * characters YAML treats specially; quote those. */
static void yaml_value(sbuf *b, const char *v)
{
	bool plain = *v != '\0';
	for (const char *p = v; *p; p++)
		if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') ||
		      ('0' <= *p && *p <= '9') || strchr("_./-", *p) ||
		      (*p == ':' && p > v && p[1] && p[1] != ' '))) /* sqlite:app.db */
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

static char *source_name(const init_found *fd, size_t i)
{
	char *base = base_name(fd->items[i].dir);
	for (size_t j = 0; j < fd->n; j++) {
		char *other = base_name(fd->items[j].dir);
		bool clash = j != i && !strcmp(other, base);
		free(other);
		if (clash) {
			free(base);
			return parent_name(fd->items[i].dir);
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

static void own_tables(init_found *fd)
{
	taken *tk = xcalloc(fd->n + 1, sizeof *tk);
	size_t nt = 0;
	for (int pass = 0; pass < 2; pass++) /* detected names first, then defaults */
		for (size_t i = 0; i < fd->n; i++) {
			found *f = &fd->items[i];
			const plugin *pl;
			const strata_tracker_ops *t = table_tracker(fd->L, f, &pl);
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
				const char *other = fd->items[owner].name;
				logf_(fd->L->e, STRATA_LOG_WARN, f->dir, 0,
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

int sources_init_find(loader *L, const char *path, int force, init_found *out)
{
	memset(out, 0, sizeof *out);
	out->L = L;
	if (!path)
		path = "strata.yaml";
	if (!force && access(path, F_OK) == 0)
		return err_set(L->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, path, 0, 0,
		               "use `strata init --force` to replace it", "config already exists");
	int rc = loader_load_all(L);
	if (rc)
		return rc;
	/* Paths in a config are relative to its folder, so that is where to look. */
	const char *slash = strrchr(path, '/');
	char *cwd = getcwd(NULL, 0);
	if (slash) {
		char *d = xstrndup(path, (size_t)(slash - path) + (slash == path));
		out->root = path_join(cwd, d);
		free(d);
	} else {
		out->root = xstrdup(cwd);
	}
	free(cwd);
	walk w = {.L = L, .f = out};
	rc = init_walk(L->e, out->root, on_folder, &w);
	found_clear(&w.best);
	if (!rc && out->n == 0)
		rc = err_set(L->e, STRATA_ENOTFOUND, STRATA_ECLASS_SOURCE, NULL, 0, 0,
		             "run it at the top of the repository; `strata plugins` lists the formats",
		             "no migration history found under this folder");
	/* Names first: own_tables() names sources in its messages. */
	for (size_t i = 0; !rc && i < out->n; i++) {
		char *base = source_name(out, i);
		char *name = xstrdup(base);
		for (size_t j = 0, k = 2; j < i; j++) {
			char *other = source_name(out, j);
			if (!strcmp(other, base)) {
				free(name);
				name = xasprintf("%s%zu", base, k++);
			}
			free(other);
		}
		free(base);
		out->items[i].name = name;
	}
	if (!rc) {
		own_tables(out);
		find_dialects(out);
	}
	return rc;
}

/* tracker: one name, or a flow list of them. */
static void yaml_trackers(sbuf *b, char *const *t)
{
	size_t n = 0;
	while (t[n])
		n++;
	sbuf_puts(b, "    tracker: ");
	if (n > 1)
		sbuf_puts(b, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_puts(b, ", ");
		yaml_value(b, t[i]);
	}
	sbuf_puts(b, n > 1 ? "]\n" : "\n");
}

int sources_init_write(init_found *fd, const char *path)
{
	loader *L = fd->L;
	if (!path)
		path = "strata.yaml";
	sbuf b = {0};
	sbuf_puts(&b, "# strata.yaml, written by `strata init`; see docs/config.md\n");
	sbuf_puts(&b, "# --db and DATABASE_URL take precedence over this\n");
	sbuf_puts(&b, "database: ");
	yaml_value(&b, fd->database ? fd->database : "sqlite:strata.db");
	sbuf_puts(&b, "\n");
	sbuf_puts(&b, "sources:\n");
	for (size_t i = 0; i < fd->n; i++) {
		const found *f = &fd->items[i];
		const char *name = f->name;
		sbuf_puts(&b, "  - name: ");
		yaml_value(&b, name);
		sbuf_puts(&b, "\n    format: ");
		yaml_value(&b, f->format);
		sbuf_puts(&b, "\n    path: ");
		yaml_value(&b, f->dir);
		sbuf_puts(&b, "\n");
		if (f->dialect) {
			sbuf_puts(&b, "    dialect: ");
			yaml_value(&b, f->dialect);
			sbuf_puts(&b, "\n");
		}
		for (size_t k = 0; f->keys && f->keys[k]; k++) {
			if (f->chosen_key && f->note && !strcmp(f->keys[k], f->chosen_key))
				yaml_comment(&b, f->note);
			sbuf_printf(&b, "    %s: ", f->keys[k]);
			yaml_value(&b, f->values[k]);
			sbuf_puts(&b, "\n");
		}
		if (f->tracker_note)
			yaml_comment(&b, f->tracker_note);
		if (f->trackers && f->trackers[0])
			yaml_trackers(&b, f->trackers);
		logf_(L->e, STRATA_LOG_INFO, f->dir, 0, "found %s history (source '%s'%s%s)", f->format,
		      name, f->dialect ? ", dialect " : "", f->dialect ? f->dialect : "");
	}
	int rc = 0;
	FILE *out = fopen(path, "w");
	if (!out || fwrite(b.data, 1, b.len, out) != b.len)
		rc = err_set(L->e, STRATA_EIO, STRATA_ECLASS_OS, path, 0, 0, NULL, "cannot write: %s",
		             strerror(errno));
	if (out && fclose(out) != 0 && !rc)
		rc = err_set(L->e, STRATA_EIO, STRATA_ECLASS_OS, path, 0, 0, NULL, "cannot write: %s",
		             strerror(errno));
	sbuf_free(&b);
	return rc;
}

void sources_init_free(init_found *fd)
{
	for (size_t i = 0; i < fd->n; i++)
		found_clear(&fd->items[i]);
	free(fd->items);
	free(fd->root);
	memset(fd, 0, sizeof *fd);
}
