/*
 * The scan() op: every sub-directory <name> of the migrations folder holding
 * <name>/migration.sql is one migration, version = the whole directory name
 * (Prisma's migration_name), in Prisma's order (order.c): the CLI's
 * localeCompare of the directory names, i.e. ICU's root collation.
 */
#include <dirent.h>
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
		if (fstatat(fd, e->d_name, &st, 0) < 0) {
			rc = lost_link(h, fd, e->d_name);
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
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
	rc = h->add_migration(h, &m);
	free(up);
	free(down);
	*emitted = rc == STRATA_OK;
	return rc;
}

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
	for (size_t i = 0; rc == STRATA_OK && i < ns.n; i++) {
		bool emitted;
		rc = emit_one(h, cfg, fd, ns.v[i], parent, &emitted);
		if (emitted) {
			parent = ns.v[i];
			char *t = ns.v[kept];
			ns.v[kept++] = ns.v[i];
			ns.v[i] = t;
		}
	}
	if (rc == STRATA_OK)
		rc = pr_order_warn(h, "", ns.v, kept);
	names_free(&ns);
	close(fd);
	return rc;
}
