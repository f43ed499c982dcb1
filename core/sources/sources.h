/*
 * sources/: the config's sources read by their plugins into the ledger, and
 * `strata init`'s walk that finds them.  Uses base/, config/, plugins/ and
 * ledger/.
 */
#ifndef STRATA_SOURCES_H
#define STRATA_SOURCES_H

#include "ledger.h"
#include "plugins.h"

/* Read every source into lg and order it (again only when want_down asks
 * for down text the loaded ledger lacks).  url: the target, whose dialect
 * the sources are told. */
int sources_load(ledger *lg, loader *L, const char *url, bool want_down);
/* verify's read: always afresh, each source asked (STRATA_WANT_DIALECT_CHECK)
 * to refuse a target whose dialect its history is not for. */
int sources_load_checked(ledger *lg, loader *L, const char *url);

/* add.c: host->add_migration().  A host_call bound with sources_bind()
 * copies each migration its source hands over into lg. */
void sources_bind(host_call *hc, const loader *L, ledger *lg, size_t source);
int sources_add(host_call *hc, const strata_migration_desc *d);

/* init.c: walk the folder of the config at path and write it. */
int sources_init(loader *L, const char *path, int force);

#endif
