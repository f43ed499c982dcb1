/*
 * base/errors.h: the error object of a handle and its log sink.  The last
 * error stays readable until the next call (libgit2's model); a helper
 * thread may send its errors to a slot of its own (err_redirect).
 */
#ifndef STRATA_ERRORS_H
#define STRATA_ERRORS_H

#include "base.h"

/* An error with the strings it owns. */
typedef struct err_slot {
	strata_error_info info;
	char *message, *file, *hint;
	unsigned long serial; /* unique per error set; 0: none */
} err_slot;
typedef err_slot err_saved;

typedef struct err_ctx {
	err_slot err;
	pthread_mutex_t redirect_lock; /* err_redirect(): status's database thread */
	err_slot *redirect;
	pthread_t redirect_thread;
	strata_log_fn log;
	void *log_ud;
	strata_event_fn event; /* strata_set_events(): the write commands' per-migration sink */
	void *event_ud;
	intr_state intr; /* the handle's interruption: every layer can ask */
} err_ctx;

void err_ctx_init(err_ctx *e);
void err_ctx_free(err_ctx *e);

int err_set(err_ctx *e, int code, strata_error_class cls, const char *file, int line, int col,
            const char *hint, const char *fmt, ...) STRATA_PRINTF(8, 9);
int err_setv(err_ctx *e, int code, strata_error_class cls, const char *file, int line, int col,
             const char *hint, const char *fmt, va_list ap);
void err_clear(err_ctx *e);
/* The error the calling thread reads and writes: the handle's, or the slot a
 * helper thread was given with err_redirect(). */
const strata_error_info *err_cur(err_ctx *e);
/* Which error is current (0: none): an error set later has another serial. */
unsigned long err_serial(err_ctx *e);
/* Give the current error another status code (the one a call returned). */
void err_stamp(err_ctx *e, int code);
/* Keep the current error across a clean-up call that may set its own. */
void err_save(err_ctx *e, err_saved *k);
void err_restore(err_ctx *e, err_saved *k);
/* A helper thread sends its errors to its own slot (NULL: back to the
 * handle), so two threads never write one error in halves. */
void err_redirect(err_ctx *e, err_slot *to);
void err_slot_free(err_slot *slot);
/* The handle's own error, for strata_last_error(). */
const strata_error_info *err_last(const err_ctx *e);

void vlogf_(err_ctx *e, strata_log_level lvl, const char *file, int line, const char *fmt,
            va_list ap);
void logf_(err_ctx *e, strata_log_level lvl, const char *file, int line, const char *fmt, ...)
	STRATA_PRINTF(5, 6);

#endif
