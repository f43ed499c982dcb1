/* The handle's error object: a class, a code, a message and where.  The last
 * error stays readable until the next call (libgit2's model). */
#include "errors.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not _Thread_local: a TLS variable in the executable changes how glibc
 * places the TLS of dlopen()ed plugins, and LeakSanitizer cannot see
 * pointers held in dynamic TLS (libpg_query's memory context).  One helper
 * thread at a time is all status needs. */
void err_ctx_init(err_ctx *e)
{
	memset(e, 0, sizeof *e);
	pthread_mutex_init(&e->redirect_lock, NULL);
}

void err_ctx_free(err_ctx *e)
{
	err_slot_free(&e->err);
	pthread_mutex_destroy(&e->redirect_lock);
}

void err_redirect(err_ctx *e, err_slot *to)
{
	pthread_mutex_lock(&e->redirect_lock);
	e->redirect = to;
	e->redirect_thread = pthread_self();
	pthread_mutex_unlock(&e->redirect_lock);
}

static err_slot *slot(err_ctx *e)
{
	pthread_mutex_lock(&e->redirect_lock);
	err_slot *to = e->redirect && pthread_equal(e->redirect_thread, pthread_self())
	                   ? e->redirect
	                   : &e->err;
	pthread_mutex_unlock(&e->redirect_lock);
	return to;
}

const strata_error_info *err_cur(err_ctx *e)
{
	return &slot(e)->info;
}

unsigned long err_serial(err_ctx *e)
{
	const err_slot *to = slot(e);
	return to->message ? to->serial : 0;
}

void err_stamp(err_ctx *e, int code)
{
	err_slot *to = slot(e);
	if (to->message && code < 0)
		to->info.code = code;
}

void err_slot_free(err_slot *slot)
{
	free(slot->message);
	free(slot->file);
	free(slot->hint);
	memset(slot, 0, sizeof *slot);
}

int err_setv(err_ctx *e, int code, strata_error_class cls, const char *file, int line, int col,
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
	static atomic_ulong serials;
	err_slot made = {.message = sbuf_take(&b), .file = xstrdup(file), .hint = xstrdup(hint),
	                 .serial = atomic_fetch_add(&serials, 1) + 1};
	made.info = (strata_error_info){.cls = cls, .code = code ? code : STRATA_ERR,
	                                .message = made.message, .file = made.file, .line = line,
	                                .col = col, .hint = made.hint};
	err_slot *to = slot(e);
	err_slot_free(to);
	*to = made;
	return made.info.code;
}

int err_set(err_ctx *e, int code, strata_error_class cls, const char *file, int line, int col,
            const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ret = err_setv(e, code, cls, file, line, col, hint, fmt, ap);
	va_end(ap);
	return ret;
}

void err_save(err_ctx *e, err_saved *k)
{
	const err_slot *from = slot(e);
	k->info = from->info;
	k->message = xstrdup(from->message);
	k->file = xstrdup(from->file);
	k->hint = xstrdup(from->hint);
}

/* Put back what err_save() kept (if there was an error) and free the copy. */
void err_restore(err_ctx *e, err_saved *k)
{
	if (k->message)
		err_set(e, k->info.code, k->info.cls, k->file, k->info.line, k->info.col, k->hint, "%s",
		        k->message);
	err_slot_free(k);
}

void err_clear(err_ctx *e)
{
	err_slot_free(slot(e));
}

const strata_error_info *err_last(const err_ctx *e)
{
	return e->err.message ? &e->err.info : NULL;
}

void vlogf_(err_ctx *e, strata_log_level lvl, const char *file, int line, const char *fmt,
            va_list ap)
{
	if (!e->log)
		return;
	char buf[1024];
	vsnprintf(buf, sizeof buf, fmt, ap);
	e->log(e->log_ud, lvl, file, line, buf);
}

void logf_(err_ctx *e, strata_log_level lvl, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlogf_(e, lvl, file, line, fmt, ap);
	va_end(ap);
}
