/* The handle's error object: a class, a code, a message and where.  The last
 * error stays readable until the next call (libgit2's model). */
#include "strata_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int err_setv(strata *s, int code, strata_error_class cls, const char *file, int line, int col,
             const char *hint, const char *fmt, va_list ap)
{
	sbuf b = {0};
	char small[512];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(small, sizeof small, fmt, cp);
	va_end(cp);
	if (n >= 0 && (size_t)n < sizeof small) {
		sbuf_add(&b, small, (size_t)n);
	} else if (n >= 0) {
		char *big = xmalloc((size_t)n + 1);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		sbuf_add(&b, big, (size_t)n);
		free(big);
	}
	/* One line: messages from databases may carry newlines. */
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\n' || b.data[i] == '\r')
			b.data[i] = ' ';
	char *msg = sbuf_take(&b);
	char *f = xstrdup(file), *h = xstrdup(hint);
	pthread_mutex_lock(&s->err_lock);
	free(s->err_message);
	free(s->err_file);
	free(s->err_hint);
	s->err_message = msg;
	s->err_file = f;
	s->err_hint = h;
	s->err.cls = cls;
	s->err.code = code ? code : STRATA_ERR;
	s->err.message = msg;
	s->err.file = f;
	s->err.line = line;
	s->err.col = col;
	s->err.hint = h;
	int ret = s->err.code;
	pthread_mutex_unlock(&s->err_lock);
	return ret;
}

int err_set(strata *s, int code, strata_error_class cls, const char *file, int line, int col,
            const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_setv(s, code, cls, file, line, col, hint, fmt, ap);
	va_end(ap);
	return s->err.code;
}

void err_save(strata *s, err_saved *k)
{
	pthread_mutex_lock(&s->err_lock);
	k->info = s->err;
	k->message = xstrdup(s->err.message);
	k->file = xstrdup(s->err.file);
	k->hint = xstrdup(s->err.hint);
	pthread_mutex_unlock(&s->err_lock);
}

/* Put back what err_save() kept (if there was an error) and free the copy. */
void err_restore(strata *s, err_saved *k)
{
	if (k->message)
		err_set(s, k->info.code, k->info.cls, k->file, k->info.line, k->info.col, k->hint, "%s",
		        k->message);
	free(k->message);
	free(k->file);
	free(k->hint);
}

void err_clear(strata *s)
{
	free(s->err_message);
	free(s->err_file);
	free(s->err_hint);
	s->err_message = s->err_file = s->err_hint = NULL;
	memset(&s->err, 0, sizeof s->err);
}

const strata_error_info *strata_last_error(const strata *s)
{
	return s->err.message ? &s->err : NULL;
}

void vlogf_(strata *s, strata_log_level lvl, const char *file, int line, const char *fmt,
            va_list ap)
{
	if (!s->log)
		return;
	char buf[1024];
	vsnprintf(buf, sizeof buf, fmt, ap);
	s->log(s->log_ud, lvl, file, line, buf);
}

void logf_(strata *s, strata_log_level lvl, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlogf_(s, lvl, file, line, fmt, ap);
	va_end(ap);
}
