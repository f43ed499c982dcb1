/* The writers' shared file helpers (wfile.h). */
#define _DEFAULT_SOURCE /* timegm */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wfile.h"

/* Each folder of rel's path under dir, made if missing. */
static int make_parents(strata_host *h, const char *dir, const char *rel)
{
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= sizeof path) {
		h->error(h, STRATA_ECLASS_SOURCE, rel, 0, 0, NULL, "path too long");
		return STRATA_EINVAL;
	}
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		int bad = mkdir(path, 0777) < 0 && errno != EEXIST;
		*p = '/';
		if (bad) {
			h->error(h, STRATA_ECLASS_SOURCE, rel, 0, 0, NULL, "cannot make its folder: %s",
			         strerror(errno));
			return STRATA_EIO;
		}
	}
	return STRATA_OK;
}

static int put(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int wf_write3(strata_host *h, const char *dir, const char *rel, const char *a, size_t alen,
              const char *b, size_t blen, const char *c, size_t clen)
{
	int rc = make_parents(h, dir, rel);
	if (rc < 0)
		return rc;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		int e = errno;
		h->error(h, STRATA_ECLASS_SOURCE, rel, 0, 0,
		         e == EEXIST ? "two migrations would have this file name: give them "
		                       "different names"
		                     : NULL,
		         "cannot create the file: %s", strerror(e));
		return e == EEXIST ? STRATA_EINVAL : STRATA_EIO;
	}
	int bad = (a && put(fd, a, alen)) || (b && put(fd, b, blen)) || (c && put(fd, c, clen));
	int e = errno;
	if (close(fd) < 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		h->error(h, STRATA_ECLASS_SOURCE, rel, 0, 0, NULL, "cannot write the file: %s",
		         strerror(e));
		return STRATA_EIO;
	}
	return STRATA_OK;
}

int wf_write(strata_host *h, const char *dir, const char *rel, const char *data, size_t len)
{
	return wf_write3(h, dir, rel, data, len, NULL, 0, NULL, 0);
}

void wf_slug(const char *name, const char *fallback, char *out, size_t size)
{
	size_t o = 0;
	int gap = 0;
	for (const char *p = name ? name : ""; *p && o + 1 < size; p++) {
		char ch = *p;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		         (ch >= '0' && ch <= '9') || ch == '_';
		if (!ok) {
			gap = o > 0;
			continue;
		}
		if (gap && o + 2 < size)
			out[o++] = '_';
		gap = 0;
		out[o++] = ch;
	}
	out[o] = '\0';
	if (!o)
		snprintf(out, size, "%s", fallback);
}

int wf_stamp14(const char *iso, char out[15])
{
	int Y, M, D, hh, mm, ss;
	if (!iso || sscanf(iso, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d", &Y, &M, &D, &hh, &mm, &ss) != 6)
		return 0;
	if (Y < 1000 || M < 1 || M > 12 || D < 1 || D > 31 || hh > 23 || mm > 59 || ss > 60)
		return 0;
	char buf[64];
	snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", Y, M, D, hh, mm, ss);
	memcpy(out, buf, 14);
	out[14] = '\0';
	return 1;
}

void wf_stamp14_at(long long secs, char out[15])
{
	time_t t = (time_t)(946684800LL + secs);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 15, "%Y%m%d%H%M%S", &tm);
}

long long wf_next_secs(long long last, const char *created, size_t index)
{
	long long s = (long long)index;
	char st[15];
	if (wf_stamp14(created, st)) {
		struct tm tm = { 0 };
		sscanf(st, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		       &tm.tm_min, &tm.tm_sec);
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		s = (long long)timegm(&tm) - 946684800LL;
	}
	return last >= 0 && s <= last ? last + 1 : s;
}

void wf_stamp13_at(long long secs, char out[14])
{
	snprintf(out, 14, "%013lld", (946684800LL + secs) * 1000LL);
}

int wf_ends_nl(const char *text, size_t len)
{
	return len == 0 || text[len - 1] == '\n';
}

int wf_refuse(strata_host *h, const strata_write_mig *m, const char *hint, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	h->error(h, STRATA_ECLASS_SOURCE, m && m->mig_version ? m->mig_version : NULL, 0, 0, hint,
	         "%s", msg);
	return STRATA_WRITE_REFUSED;
}
