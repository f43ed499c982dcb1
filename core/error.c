/* The handle's error object: a class, a code, a message and where.  The last
 * error stays readable until the next call (libgit2's model). */
#include "strata_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not _Thread_local: a TLS variable in the executable changes how glibc
 * places the TLS of dlopen()ed plugins, and LeakSanitizer cannot see
 * pointers held in dynamic TLS (libpg_query's memory context).  One helper
 * thread at a time is all status needs. */
void err_redirect(strata *s, err_slot *to)
{
	pthread_mutex_lock(&s->redirect_lock);
	s->redirect = to;
	s->redirect_thread = pthread_self();
	pthread_mutex_unlock(&s->redirect_lock);
}

static err_slot *slot(strata *s)
{
	pthread_mutex_lock(&s->redirect_lock);
	err_slot *to = s->redirect && pthread_equal(s->redirect_thread, pthread_self())
	                   ? s->redirect
	                   : &s->err;
	pthread_mutex_unlock(&s->redirect_lock);
	return to;
}

const strata_error_info *err_cur(strata *s)
{
	return &slot(s)->info;
}

void err_slot_free(err_slot *e)
{
	free(e->message);
	free(e->file);
	free(e->hint);
	memset(e, 0, sizeof *e);
}

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
	/* Copy before freeing: file and hint may point into the old error. */
	err_slot e = {.message = sbuf_take(&b), .file = xstrdup(file), .hint = xstrdup(hint)};
	e.info = (strata_error_info){.cls = cls, .code = code ? code : STRATA_ERR,
	                             .message = e.message, .file = e.file, .line = line,
	                             .col = col, .hint = e.hint};
	err_slot *to = slot(s);
	err_slot_free(to);
	*to = e;
	return e.info.code;
}

int err_set(strata *s, int code, strata_error_class cls, const char *file, int line, int col,
            const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ret = err_setv(s, code, cls, file, line, col, hint, fmt, ap);
	va_end(ap);
	return ret;
}

void err_save(strata *s, err_saved *k)
{
	const err_slot *from = slot(s);
	k->info = from->info;
	k->message = xstrdup(from->message);
	k->file = xstrdup(from->file);
	k->hint = xstrdup(from->hint);
}

/* Put back what err_save() kept (if there was an error) and free the copy. */
void err_restore(strata *s, err_saved *k)
{
	if (k->message)
		err_set(s, k->info.code, k->info.cls, k->file, k->info.line, k->info.col, k->hint, "%s",
		        k->message);
	err_slot_free(k);
}

void err_clear(strata *s)
{
	err_slot_free(slot(s));
}

const strata_error_info *strata_last_error(const strata *s)
{
	return s->err.message ? &s->err.info : NULL;
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
