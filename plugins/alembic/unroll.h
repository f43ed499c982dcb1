/*
 * The statements of an upgrade() / downgrade() body that pyeval.c can
 * decide, decided before the op.* translator (opsql.h) sees the body: the
 * body is rewritten, token by token, into the straight-line Python the
 * translator reads —
 *   name = <known value>           bound, not emitted (also a, b = ...; x: T = ...)
 *   if / elif / else on a known condition   the taken branch only
 *   for x in <known tuple or list>:         the body once per item
 *   try: ... except ...: ... else: ... finally: ...
 *                                  the try body, else and finally (Alembic's
 *                                  offline run raises nothing there)
 *   def helper(...) in the module or the body, helper(known args)
 *                                  its body with the parameters bound
 *   return                          ends the function it is in
 *   bind = op.get_bind(); bind.execute(X)   op.execute(X)
 *   op.* arguments                 what is known folded to literals
 * Everything else goes to the translator as written, which names what it
 * cannot translate; what is decided here and cannot be decided (an `if` on
 * an unknown name) is untranslatable with the exact construct.
 *
 * Independent of strata's headers; never prints, never exits.
 */
#ifndef STRATA_ALEMBIC_UNROLL_H
#define STRATA_ALEMBIC_UNROLL_H

#include "opsql.h"

/* opsql_translate_toks() (opsql.h) of the body of `def fn(` after the
 * rewriting above.  assume: the source's `assume:` option as KEY=VALUE
 * lines (NULL for none). */
int unroll_translate_toks(const struct px_toks *tokens, const char *fn, opsql_dialect dialect,
                          const char *assume, opsql_result *out, char *err, size_t errsize,
                          int *errline);

/* The same on text (tokenized here). */
/* unroll_translate_toks() with the translator's environment (column types,
 * the revision file for application enums; NULL: none). */
int unroll_translate_env(const struct px_toks *tokens, const char *fn, opsql_dialect dialect,
                         const char *assume, const opsql_env *env, opsql_result *out, char *err,
                         size_t errsize, int *errline);

int unroll_translate(const char *text, size_t len, const char *fn, opsql_dialect dialect,
                     const char *assume, opsql_result *out, char *err, size_t errsize,
                     int *errline);

#endif
