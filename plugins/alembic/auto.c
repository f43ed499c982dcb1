/* offline_sql: auto — the real Alembic's offline SQL for just the revisions
 * strata cannot translate.  For such a revision REV (down_revision FROM) the
 * source's alembic.ini drives `alembic upgrade FROM:REV --sql` (a root
 * revision: `alembic upgrade REV --sql`; a downgrade: `alembic downgrade
 * REV:FROM --sql`, FROM "base" for a root), with sqlalchemy.url set to the
 * target's dialect (an .ini beside alembic.ini, so %(here)s stays, removed
 * afterwards).  Its output is cached beside the config in
 * .strata/alembic-offline/REV.DIALECT.up|down.HASH.sql, HASH the revision
 * file's FNV-1a 64, and read as an offline_sql script is (offline.c).
 * Alembic runs only when no cached script fits. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alembic_int.h"

/* alembic on PATH: its path (malloc'd), or NULL. */
char *al_auto_alembic(void)
{
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	for (const char *p = path; *p;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char buf[4096];
		if (n && n < sizeof buf - 16) {
			snprintf(buf, sizeof buf, "%.*s/alembic", (int)n, p);
			if (access(buf, X_OK) == 0)
				return strdup(buf);
		}
		p += n + (e ? 1 : 0);
	}
	return NULL;
}

static unsigned long long fnv1a(const char *s, size_t n)
{
	unsigned long long h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int mkdirs(const char *dir)
{
	char buf[4400];
	snprintf(buf, sizeof buf, "%s", dir);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0777) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

/* alembic.ini with sqlalchemy.url = DIALECT:// in its [alembic] section. */
static int write_ini(const char *src, const char *dst, const char *dialect)
{
	FILE *in = fopen(src, "r");
	if (!in)
		return -1;
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		if (fd >= 0)
			close(fd);
		fclose(in);
		return -1;
	}
	char line[8192];
	int in_alembic = 0, done = 0;
	while (fgets(line, sizeof line, in)) {
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '[') {
			if (in_alembic && !done) {
				fprintf(out, "sqlalchemy.url = %s://\n", dialect);
				done = 1;
			}
			in_alembic = !strncmp(p, "[alembic]", 9);
		} else if (in_alembic && !strncmp(p, "sqlalchemy.url", 14) &&
		           (p[14] == ' ' || p[14] == '=' || p[14] == ':' || p[14] == '\t')) {
			if (!done)
				fprintf(out, "sqlalchemy.url = %s://\n", dialect);
			done = 1;
			continue;
		}
		fputs(line, out);
	}
	if (in_alembic && !done)
		fprintf(out, "\nsqlalchemy.url = %s://\n", dialect);
	fclose(in);
	return fclose(out) ? -1 : 0;
}

/* The last non-empty line of file, for the error. */
static void last_line(const char *file, char *out, size_t size)
{
	out[0] = '\0';
	FILE *f = fopen(file, "r");
	if (!f)
		return;
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n)
			snprintf(out, size, "%s", line);
	}
	fclose(f);
}

/* Runs alembic with argv in dir, stdout to out_file; 0, or -1 with why. */
static int run(const char *alembic, char *const argv[], const char *dir, const char *out_file,
               const char *err_file, char *why, size_t whysize)
{
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, whysize, "cannot start alembic: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int o = open(out_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int n = open("/dev/null", O_RDONLY);
		if (o < 0 || e < 0 || n < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 || dup2(n, 0) < 0 ||
		    chdir(dir) < 0)
			_exit(126);
		execv(alembic, argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(why, whysize, "alembic: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	char last[512];
	last_line(err_file, last, sizeof last);
	snprintf(why, whysize, "exit %d%s%s", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
	         last[0] ? ": " : "", last);
	return -1;
}

int al_auto_script(strata_host *h, const strata_source_cfg *cfg, const char *alembic,
                   const char *dialect, const char *rev, const char *from, int down,
                   const char *rev_text, size_t rev_len, char **script, char *why, size_t whysize)
{
	*script = NULL;
	/* the cache: beside the config (strata.yaml), else in the source */
	char base[4096];
	if (cfg->config_file && strchr(cfg->config_file, '/')) {
		snprintf(base, sizeof base, "%s", cfg->config_file);
		*strrchr(base, '/') = '\0';
	} else if (cfg->config_file) {
		if (!getcwd(base, sizeof base))
			snprintf(base, sizeof base, "%s", cfg->path);
	} else {
		snprintf(base, sizeof base, "%s", cfg->path);
	}
	char dir[4200], file[4600];
	snprintf(dir, sizeof dir, "%s/.strata/alembic-offline", base);
	snprintf(file, sizeof file, "%s/%s.%s.%s.%016llx.sql", dir, rev, dialect, down ? "down" : "up",
	         fnv1a(rev_text, rev_len));
	if (access(file, R_OK) == 0) {
		h->debug(h, "alembic: %s: Alembic's offline SQL from the cache %s", rev, file);
		*script = strdup(file);
		return *script ? 0 : strata_oom(h);
	}
	if (!alembic) {
		snprintf(why, whysize, "no `alembic` on PATH to print this revision's SQL, and no cached "
		         "script (install Alembic, or write it with  alembic upgrade A:B --sql > FILE  and "
		         "give offline_sql: FILE)");
		return -1;
	}
	if (mkdirs(dir)) {
		snprintf(why, whysize, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	char ini[4200], src[4200], tmp[4700], err[4700], range[256];
	snprintf(src, sizeof src, "%s/alembic.ini", cfg->path);
	snprintf(ini, sizeof ini, "%s/.strata-offline-%ld.ini", cfg->path, (long)getpid());
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", file, (long)getpid());
	snprintf(err, sizeof err, "%s.%ld.err", file, (long)getpid());
	if (down)
		snprintf(range, sizeof range, "%s:%s", rev, from ? from : "base");
	else if (from)
		snprintf(range, sizeof range, "%s:%s", from, rev);
	else
		snprintf(range, sizeof range, "%s", rev);
	if (write_ini(src, ini, dialect)) {
		snprintf(why, whysize, "cannot write %s: %s", ini, strerror(errno));
		unlink(ini);
		return -1;
	}
	char *argv[] = { "alembic", "-c", ini, down ? "downgrade" : "upgrade", range, "--sql", NULL };
	h->debug(h, "alembic: %s: running alembic %s %s --sql in %s", rev, argv[3], range, cfg->path);
	int rc = run(alembic, argv, cfg->path, tmp, err, why, whysize);
	unlink(ini);
	unlink(err);
	if (!rc && rename(tmp, file)) {
		snprintf(why, whysize, "cannot write %s: %s", file, strerror(errno));
		rc = -1;
	}
	if (rc) {
		unlink(tmp);
		char w[600];
		snprintf(w, sizeof w, "%s", why);
		snprintf(why, whysize, "`alembic %s %s --sql` failed (%s)", argv[3], range, w);
		return -1;
	}
	*script = strdup(file);
	return *script ? 0 : strata_oom(h);
}
