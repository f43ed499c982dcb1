/* SIGINT, SIGTERM and SIGHUP while a write command runs: the handler only
 * asks libstrata to stop (strata_interrupt, async-signal-safe), which
 * cancels the statement under way; the command then rolls back, records,
 * unlocks and returns, and strata exits 128 + the signal's number (130 for
 * SIGINT, 143 for SIGTERM, 129 for SIGHUP).  A second one of the same
 * signal takes its default action (SA_RESETHAND): the way out when the
 * clean-up itself hangs.  A signal ignored when strata started (nohup, a
 * background job of a script) stays ignored. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
static strata *_Atomic target;
static struct sigaction before[sizeof caught / sizeof *caught];
static bool installed[sizeof caught / sizeof *caught];

static void on_signal(int signo)
{
	int saved = errno;
	strata *s = atomic_load(&target);
	if (s)
		strata_interrupt(s, signo);
	errno = saved;
}

void cli_catch_signals(strata *s)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof caught / sizeof *caught; i++)
		sigaddset(&sa.sa_mask, caught[i]);
	atomic_store(&target, s);
	for (size_t i = 0; i < sizeof caught / sizeof *caught; i++) {
		installed[i] = sigaction(caught[i], NULL, &before[i]) == 0 &&
		               before[i].sa_handler != SIG_IGN &&
		               sigaction(caught[i], &sa, NULL) == 0;
	}
}

/* Before the handle goes: the handlers as they were, no handle to reach. */
int cli_release_signals(strata *s)
{
	for (size_t i = 0; i < sizeof caught / sizeof *caught; i++)
		if (installed[i]) {
			sigaction(caught[i], &before[i], NULL);
			installed[i] = false;
		}
	atomic_store(&target, NULL);
	return strata_interrupted(s);
}
