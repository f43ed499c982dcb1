/*
 * The scan() op: every sub-directory <name> of the migrations folder holding
 * <name>/migration.sql is one migration, version = the whole directory name
 * (Prisma's migration_name), in Prisma's order (order.c): the CLI's
 * localeCompare of the directory names, i.e. ICU's root collation.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prisma_int.h"

typedef struct names {
	char **v;
	size_t n, cap;
} names;

/* The directory names are the scan's own copies. */
static void names_free(names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

/* An entry that stat() cannot follow is a link to nothing (or a loop):
 * it may have been a migration folder, so it is refused, not skipped. */
static int lost_link(strata_host *h, int fd, const char *name)
{
	int rc = strata_refuse_entry(h, fd, name, name);
	return rc == STRATA_EINVAL ? rc : STRATA_OK;
}

/* Only directories are migrations (Prisma reads every sub-directory); files
 * such as migration_lock.toml or a README beside them are not. */
static int list_dirs(strata_host *h, const strata_source_cfg *cfg, int fd, names *ns)
{
	int dfd = dup(fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		h->error(h, STRATA_ECLASS_SOURCE, cfg->path, 0, 0, NULL, "cannot list the folder");
		return STRATA_EIO;
	}
	struct dirent *e;
	int rc = STRATA_OK;
	while (rc == STRATA_OK && (e = readdir(d))) {
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		/* The entry's type says enough unless it is a link (followed:
		 * a link to a folder is a migration) or the file system gives
		 * none (DT_UNKNOWN). */
		if (e->d_type != DT_DIR) {
			if (e->d_type == DT_REG || e->d_type == DT_FIFO || e->d_type == DT_SOCK ||
			    e->d_type == DT_CHR || e->d_type == DT_BLK)
				continue;
			if (fstatat(fd, e->d_name, &st, 0) < 0) {
				rc = lost_link(h, fd, e->d_name);
				continue;
			}
			if (!S_ISDIR(st.st_mode))
				continue;
		}
		if (ns->n == ns->cap) {
			size_t cap = ns->cap ? ns->cap * 2 : 32;
			char **nv = realloc(ns->v, cap * sizeof *nv);
			if (!nv) {
				rc = strata_oom(h);
				break;
			}
			ns->v = nv;
			ns->cap = cap;
		}
		if (!(ns->v[ns->n] = strdup(e->d_name)))
			rc = strata_oom(h);
		else
			ns->n++;
	}
	closedir(d);
	return rc == STRATA_OK ? pr_order(h, ns->v, ns->n) : rc;
}

/* Down scripts are read only when the command will run them (a host too old
 * to say gets them always). */
static bool want_down_text(const strata_source_cfg *cfg)
{
	if (!STRATA_HAS(strata_source_cfg, cfg, want))
		return true;
	return (cfg->want & STRATA_WANT_DOWN_TEXT) != 0;
}

static int emit_read(strata_host *h, const char *dir, const char *parent, char *up, size_t up_len,
                     bool has_down, char *down, size_t down_len, bool warn_empty, bool *emitted);

/* One folder to one migration.  A folder without migration.sql is what
 * Prisma calls P3015; here it is a warning and the folder is skipped, so one
 * stray directory does not stop every command.  A migration.sql (or
 * down.sql) that is there but no file (a folder, a dangling link) is an
 * error: skipped, the migration would be lost without a word.  An empty
 * migration.sql is valid for Prisma (it applies and records it), so it is
 * kept, with a warning. */
static int emit_one(strata_host *h, const strata_source_cfg *cfg, int fd, const char *dir,
                    const char *parent, bool *emitted)
{
	char up_rel[PATH_MAX], down_rel[PATH_MAX];
	snprintf(up_rel, sizeof up_rel, "%s/migration.sql", dir);
	snprintf(down_rel, sizeof down_rel, "%s/down.sql", dir);
	char *up = NULL, *down = NULL;
	size_t up_len = 0, down_len = 0;
	*emitted = false;
	int rc = strata_refuse_entry(h, fd, up_rel, NULL);
	if (rc == STRATA_OK)
		rc = strata_read_file(h, fd, up_rel, NULL, &up, &up_len);
	if (rc == STRATA_ENOTFOUND) {
		h->warn(h, dir, 0, "no migration.sql in this folder; ignored "
		        "(Prisma refuses it: P3015)");
		return STRATA_OK;
	}
	if (rc < 0)
		return rc;
	if (up_len == 0)
		h->warn(h, up_rel, 0, "empty migration.sql");
	rc = strata_refuse_entry(h, fd, down_rel, NULL); /* down.sql, if any, must be a file too */
	if (rc == STRATA_EINVAL) {
		free(up);
		return rc;
	}
	bool has_down = rc == STRATA_OK;
	if (has_down && want_down_text(cfg)) {
		rc = strata_read_file(h, fd, down_rel, NULL, &down, &down_len);
		if (rc < 0) {
			free(up);
			return rc;
		}
	}
	return emit_read(h, dir, parent, up, up_len, has_down, down, down_len, false, emitted);
}

/* One folder whose files are read (up, and down when the command runs it;
 * both freed here) to one migration; warn_empty: say that migration.sql is
 * empty (emit_one said it already). */
static int emit_read(strata_host *h, const char *dir, const char *parent, char *up, size_t up_len,
                     bool has_down, char *down, size_t down_len, bool warn_empty, bool *emitted)
{
	char up_rel[PATH_MAX], down_rel[PATH_MAX];
	snprintf(up_rel, sizeof up_rel, "%s/migration.sql", dir);
	snprintf(down_rel, sizeof down_rel, "%s/down.sql", dir);
	if (up_len == 0 && warn_empty)
		h->warn(h, up_rel, 0, "empty migration.sql");
	char sum[65];
	h->sha256_hex(up, up_len, sum);
	const char *under = strchr(dir, '_');
	const char *parents[2] = { parent, NULL };
	strata_migration_desc m = STRATA_MIGRATION_DESC_INIT;
	m.mig_version = dir;
	m.name = under && under[1] ? under + 1 : dir;
	m.up = up;
	m.up_len = up_len;
	m.down = down;
	m.down_len = down_len;
	m.file = up_rel;
	m.line = 1;
	m.down_file = has_down ? down_rel : NULL;
	m.down_line = 1;
	m.flags = has_down ? STRATA_MIG_HAS_DOWN : 0;
	m.parents = parents; /* { NULL } for the first: an explicit root */
	m.native_checksum = sum;
	int rc = h->add_migration(h, &m);
	free(up);
	free(down);
	*emitted = rc == STRATA_OK;
	return rc;
}

/*
 * The usual folder, read on a worker thread (no host calls): migration.sql
 * a regular file (opened without blocking, so a FIFO there is seen, not
 * waited on), down.sql a regular file or no entry at all, read when the
 * command runs it.  Five system calls where emit_one's checks make nine.
 * Anything else (no migration.sql, a link, a folder, a read error) is
 * `slow`: emit_one looks again and says what it is, as it always did.
 */
typedef struct pre {
	const char *dir;
	char *up, *down;
	size_t up_len, down_len;
	bool has_down, slow;
} pre;

typedef struct pre_ctx {
	int fd;
	bool want_down;
	pre *v;
} pre_ctx;

static void pre_read(void *ud, size_t i)
{
	pre_ctx *c = ud;
	pre *p = &c->v[i];
	char rel[PATH_MAX];
	struct stat st;
	p->slow = true;
	snprintf(rel, sizeof rel, "%s/migration.sql", p->dir);
	int f = openat(c->fd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (f < 0)
		return;
	if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(f);
		return;
	}
	if (strata_slurp_rest(f, &st, NULL, 0, &p->up, &p->up_len) != 0)
		return;
	snprintf(rel, sizeof rel, "%s/down.sql", p->dir);
	if (fstatat(c->fd, rel, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			return;
	} else if (!S_ISREG(st.st_mode)) {
		return;
	} else {
		p->has_down = true;
		if (c->want_down && strata_slurp_listed(c->fd, rel, &p->down, &p->down_len) != 0)
			return;
	}
	p->slow = false;
}

/* Folders read at once: every core busy, memory flat (as sqlpair's emit.c). */
#define PR_WINDOW 256

/* Parents are set explicitly, each migration's the one before it, so the host
 * keeps Prisma's directory order instead of its numeric version order.  Then
 * one warning if byte order would order the migrations otherwise. */
int pr_scan(strata_host *h, const strata_source_cfg *cfg)
{
	int fd = open(cfg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		h->error(h, STRATA_ECLASS_SOURCE, cfg->path, 0, 0,
		         "point the source's path at prisma/migrations",
		         "cannot open the migrations folder");
		return STRATA_EIO;
	}
	int rc = pr_check_provider_scan(h, cfg);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	names ns = { 0 };
	rc = list_dirs(h, cfg, fd, &ns);
	const char *parent = NULL;
	size_t kept = 0; /* ns.v[0..kept): the folders that are migrations */
	pre *v = rc == STRATA_OK ? calloc(PR_WINDOW, sizeof *v) : NULL;
	if (rc == STRATA_OK && !v)
		rc = strata_oom(h);
	for (size_t at = 0; rc == STRATA_OK && at < ns.n; at += PR_WINDOW) {
		size_t w = ns.n - at < PR_WINDOW ? ns.n - at : PR_WINDOW;
		for (size_t k = 0; k < w; k++)
			v[k] = (pre){ .dir = ns.v[at + k] };
		pre_ctx c = { fd, want_down_text(cfg), v };
		strata_each(w, 64, pre_read, &c);
		for (size_t k = 0; k < w; k++) {
			size_t i = at + k;
			bool emitted = false;
			if (rc != STRATA_OK) {
				free(v[k].up);
				free(v[k].down);
				continue;
			}
			if (v[k].slow) {
				free(v[k].up);
				free(v[k].down);
				rc = emit_one(h, cfg, fd, ns.v[i], parent, &emitted);
			} else {
				rc = emit_read(h, ns.v[i], parent, v[k].up, v[k].up_len, v[k].has_down,
				               v[k].down, v[k].down_len, true, &emitted);
			}
			if (emitted) {
				parent = ns.v[i];
				char *t = ns.v[kept];
				ns.v[kept++] = ns.v[i];
				ns.v[i] = t;
			}
		}
	}
	free(v);
	if (rc == STRATA_OK)
		rc = pr_order_warn(h, "", ns.v, kept);
	names_free(&ns);
	close(fd);
	return rc;
}
