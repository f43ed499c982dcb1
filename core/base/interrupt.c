/* A handle's interruption: the signal that asked the command under way to
 * stop, and the one thing a signal handler may reach, the connection's
 * cancel.  strata_interrupt() runs inside a signal handler, maybe on a
 * thread other than the command's (a source's scan threads), so it only
 * touches lock-free atomics and calls the published cancel; withdrawing a
 * cancel waits for a handler still inside it, so its connection is never
 * closed under it. */
#include "base.h"

#include <sched.h>

/* Async-signal-safe.  The first request wins; only it cancels. */
void intr_request(intr_state *st, int signo)
{
	int none = 0;
	if (signo <= 0 || !atomic_compare_exchange_strong(&st->signo, &none, signo))
		return;
	atomic_fetch_add(&st->busy, 1);
	intr_target *t = atomic_load(&st->target);
	if (t)
		t->cancel(t->ud);
	atomic_fetch_sub(&st->busy, 1);
}

int intr_signal(const intr_state *st)
{
	return atomic_load(&((intr_state *)st)->signo);
}

/* One target at a time, the last published (verify's scratch database over
 * its target).  A request that came before this is answered by the
 * caller's own check (intr_signal) before its next statement. */
void intr_publish(intr_state *st, intr_target *t)
{
	atomic_store(&st->target, t);
}

/* Sequentially consistent on both sides: a handler that still saw t (here
 * or before a later publish replaced it) had raised busy before the store,
 * so it is waited for, whoever holds the slot now. */
void intr_withdraw(intr_state *st, intr_target *t)
{
	intr_target *want = t;
	atomic_compare_exchange_strong(&st->target, &want, NULL);
	while (atomic_load(&st->busy))
		sched_yield();
}

const char *intr_signal_name(int signo)
{
	static const struct {
		int no;
		const char *name;
	} names[] = {{SIGINT, "SIGINT"}, {SIGTERM, "SIGTERM"}, {SIGHUP, "SIGHUP"},
	             {SIGQUIT, "SIGQUIT"}};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (names[i].no == signo)
			return names[i].name;
	return "a signal";
}
