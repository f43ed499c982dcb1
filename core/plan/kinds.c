/* Kinds of migration beyond versioned ones (STRATA_MIG_BASELINE,
 * STRATA_MIG_REPEATABLE), planned once the recorded states are known:
 *   baseline    on a source with no versioned migration recorded, the
 *               newest baseline migration runs in place of every versioned
 *               one at or below its version (those are `ignored`; with a
 *               target, the newest at or below the target); once one
 *               is recorded, it keeps covering them; on a source that has
 *               versioned migrations, baseline migrations are `ignored`
 *   repeatable  done while its checksum is the one last recorded; a changed
 *               one is `outdated` and runs again */
#include "plan.h"

#include <string.h>

const char *strata_kind_name(unsigned int flags)
{
	return (flags & STRATA_MIG_BASELINE)     ? "baseline"
	       : (flags & STRATA_MIG_REPEATABLE) ? "repeatable"
	                                         : "versioned";
}

static bool recorded(strata_state st)
{
	return st == STRATA_APPLIED || st == STRATA_BASELINED || st == STRATA_MODIFIED ||
	       st == STRATA_FAILED;
}

static bool undone(strata_state st)
{
	return st == STRATA_PENDING || st == STRATA_ROLLED_BACK;
}

/* p->target as run_find_index reads it (an id, or the one version or
 * name it names), or NULL. */
static const migration *target_of(const plan *p)
{
	const migration *hit = NULL;
	size_t hits = 0;
	for (size_t i = 0; p->target && i < p->lg->nmigs; i++) {
		const strata_migration_info *in = &p->lg->migs[i]->info;
		if (!strcmp(in->id, p->target))
			return p->lg->migs[i];
		if (!strcmp(in->version, p->target) || (*in->name && !strcmp(in->name, p->target)))
			hit = p->lg->migs[i], hits++;
	}
	return hits == 1 ? hit : NULL;
}

/* One source: the baseline migration that covers its versions, or NULL. */
static migration *covering(plan *p, size_t src, const migration *to)
{
	migration *done = NULL, *newest = NULL;
	bool versions = false;
	for (size_t i = 0; i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		if (m->src != src || (m->info.flags & STRATA_MIG_REPEATABLE))
			continue;
		bool b = (m->info.flags & STRATA_MIG_BASELINE) != 0;
		if (b && recorded(m->info.state) &&
		    (!done || version_cmp(m->vnorm, done->vnorm) > 0))
			done = m;
		else if (b && (!newest || version_cmp(m->vnorm, newest->vnorm) > 0) &&
		         (!to || to->src != src || (to->info.flags & STRATA_MIG_REPEATABLE) ||
		          version_cmp(m->vnorm, to->vnorm) <= 0))
			newest = m;
		else if (!b && recorded(m->info.state))
			versions = true;
	}
	for (size_t i = 0; i < p->nmissing; i++)
		versions |= p->missing[i]->src == src;
	return done ? done : versions ? NULL : newest;
}

/* A repeatable: changed is outdated.  Its re-run failed in strata (the
 * tool's table keeps the run before, as Flyway's would): failed, not the
 * tool acting after strata, and retried like any failed apply. */
static void repeatable(migration *m)
{
	strata_migration_info *in = &m->info;
	if (m->recorded == STRATA_FAILED && m->native_decided && !m->from_native) {
		in->state = STRATA_FAILED;
		m->native_decided = false;
		m->apply_failed = true;
		in->decided_by = in->decided_at = NULL;
		return;
	}
	if (in->state == STRATA_MODIFIED)
		in->state = STRATA_OUTDATED;
}

void plan_kinds(plan *p)
{
	ledger *lg = p->lg;
	const migration *to = target_of(p);
	for (size_t s = 0; s < p->cfg->nsources; s++) {
		migration *cover = covering(p, s, to);
		for (size_t i = 0; i < lg->nmigs; i++) {
			migration *m = lg->migs[i];
			strata_migration_info *in = &m->info;
			if (m->src != s)
				continue;
			if (in->flags & STRATA_MIG_REPEATABLE) {
				repeatable(m);
				continue;
			}
			if (!undone(in->state) || m == cover)
				continue;
			if ((in->flags & STRATA_MIG_BASELINE) ||
			    (cover && version_cmp(m->vnorm, cover->vnorm) <= 0))
				in->state = STRATA_IGNORED;
		}
	}
}
