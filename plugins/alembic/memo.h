/*
 * The translation memo: what reading and translating a revision file gave
 * (its identity, its name, its upgrade() and downgrade() as SQL), kept in
 * ${XDG_CACHE_HOME:-~/.cache}/strata/alembic/ for the next command, as
 * Python keeps a module's bytecode in __pycache__.  An entry's key is the
 * SHA-256 of every input of that translation: the plugin's build (its GNU
 * build ID), the source's folder, the dialect, whether down scripts were
 * translated, the source's assume: and arguments: (with alembic.ini's
 * options), the bytes of formats/alembic/types.yaml and of the source's
 * types: file, the file's path and its bytes.  A translation that looked at
 * any other file (an application's enum module, a helper it followed) is
 * not kept, nor one that failed, nor any with a `tables` argument (whose
 * input is the whole history).  The file ends with the SHA-256 of what is
 * before it; one that does not check is ignored, and rewritten.
 * STRATA_ALEMBIC_CACHE=0 turns the memo off; STRATA_ALEMBIC_CACHE=/DIR
 * keeps it in DIR instead (the tests' own folder).
 */
#ifndef STRATA_ALEMBIC_MEMO_H
#define STRATA_ALEMBIC_MEMO_H

#include <stddef.h>

#include <strata/plugin.h>

#include "opsql.h"
#include "rev.h"

typedef struct al_memo al_memo;

/* The memo of source cfg, loaded; NULL when it is off or cannot be had
 * (no build ID, no cache folder, out of memory: the scan translates every
 * file, as without one).  assume, arguments and types_file as the scan
 * passes them to the translator (NULL: none). */
al_memo *al_memo_open(strata_host *h, const strata_source_cfg *cfg, opsql_dialect dia,
                      int want_down, const char *assume, const char *arguments,
                      const char *types_file);

/* key: the entry's key for the file rel with text[0..len); -1 when
 * OpenSSL cannot make one (the file is then translated and not kept). */
int al_memo_key(const al_memo *m, const char *rel, const char *text, size_t len,
                unsigned char key[32]);

/* What the entry for key holds, into r's py, name, up, down, has_down and
 * down_skipped (each malloc'd, as judge() fills them): 1, 0 when there is
 * none, -1 out of memory (r as it was).  Any thread. */
int al_memo_get(const al_memo *m, const unsigned char key[32], rev *r);

/* The entries let go once every file is read (al_memo_get() finds none
 * after it): a hundred thousand of them are tens of megabytes. */
void al_memo_release(al_memo *m);

/* The memo rewritten with the revisions whose memo is set (1: translated
 * now, 2: from the memo; the others are dropped from it), unless it holds
 * those already; a failure to write only costs the next command the
 * translations (a -v note). */
void al_memo_save(strata_host *h, al_memo *m, const rev *revs, size_t n);

void al_memo_free(al_memo *m);

#endif
