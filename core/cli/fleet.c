/* The fleet's scheduler and its output.  Each target is one child process:
 * this binary again (/proc/self/exe) with the same command line but for the
 * fleet's own options, --json, and the target's URL as DATABASE_URL (in the
 * environment, not argv, where any user of the machine could read its
 * password).  So a target runs exactly what the single-target command runs,
 * under its own lock, and a crash or a leak stays in its process.  At most
 * --jobs children run at once; their stdout and stderr come through pipes,
 * read with poll(2), kept per target and shown when it ends, with its name.
 *
 * SIGINT, SIGTERM, SIGHUP: no new target starts; the signal goes on to every
 * child (each in a process group of its own, so a terminal's ^C reaches it
 * once, through here), which stops as strata stops on it (rolls back the
 * migration under way, unlocks); the fleet waits for them, reports them as
 * interrupted and exits 128 + N.  A child outlives no fleet: on Linux it
 * gets SIGTERM when the fleet dies (PR_SET_PDEATHSIG). */
#include "fleet.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

extern char **environ;

static long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the child's command line and environment ---- */

/* The options that are the fleet's own, dropped from the child's argv (-C:
 * the child starts in the folder the fleet changed to). */
static const char *const own[] = {"-C", "--fleet", "--each-schema", "--jobs", "--db", "--json",
                                  "-q", "--quiet", NULL};

static bool is_own(const char *a)
{
	for (const char *const *p = own; *p; p++)
		if (!strcmp(a, *p))
			return true;
	return false;
}

static bool takes_value(const char *a)
{
	for (const cli_option *o = cli_options; o->name; o++)
		if ((!strcmp(a, o->name) || (o->alias && !strcmp(a, o->alias))))
			return o->value != NULL;
	return false;
}

static char **child_argv(int argc, char **argv)
{
	char **v = calloc((size_t)argc + 2, sizeof *v);
	if (!v)
		exit(1);
	int n = 0;
	v[n++] = argv[0];
	v[n++] = "--json";
	for (int i = 1; i < argc; i++) {
		bool value = takes_value(argv[i]);
		if (!is_own(argv[i]))
			v[n++] = argv[i];
		if (value && i + 1 < argc) {
			if (!is_own(argv[i]))
				v[n++] = argv[i + 1];
			i++;
		}
	}
	v[n] = NULL;
	return v;
}

/* environ without DATABASE_URL, a free slot at [0] for the target's. */
static char **child_env(void)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **v = calloc(n + 2, sizeof *v);
	if (!v)
		exit(1);
	size_t k = 1;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "DATABASE_URL=", 13))
			v[k++] = environ[i];
	return v;
}

/* ---- signals: a self-pipe wakes poll() ---- */

static int sigpipe_fd[2] = {-1, -1};
static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction before[3];
static bool installed[3];

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;
	if (write(sigpipe_fd[1], &b, 1) < 0) {
	}
	errno = saved;
}

static void catch_signals(void)
{
	if (pipe2(sigpipe_fd, O_CLOEXEC | O_NONBLOCK) != 0)
		return;
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < 3; i++)
		installed[i] = sigaction(caught[i], NULL, &before[i]) == 0 &&
		               before[i].sa_handler != SIG_IGN && sigaction(caught[i], &sa, NULL) == 0;
}

static void release_signals(void)
{
	for (size_t i = 0; i < 3; i++)
		if (installed[i])
			sigaction(caught[i], &before[i], NULL);
	for (int i = 0; i < 2; i++)
		if (sigpipe_fd[i] >= 0)
			close(sigpipe_fd[i]);
	sigpipe_fd[0] = sigpipe_fd[1] = -1;
}

/* ---- running ---- */

typedef struct run {
	const opts *o;
	fleet *f;
	const char *command;
	const char *exe;
	char **argv, **env;
	int jobs, started, done, running;
	int sig; /* the first signal received */
	bool tty; /* progress lines on stderr */
	bool quiet, json;
} run;

/* What the fleet says about a target it could not run, or whose child
 * crashed: one of the target's stderr lines, as the child's own errors are
 * ({"event": "error", ...}, on a line of its own). */
static void note_error(fleet_target *t, const char *fmt, ...) STRATA_PRINTF(2, 3);
static void note_error(fleet_target *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL, *obj = NULL;
	size_t len = 0;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	FILE *m = open_memstream(&obj, &len);
	if (m) {
		fputs("{\"event\": \"error\", \"message\": ", m);
		json_str(m, msg ? msg : "failed");
		fputs(", \"file\": null, \"line\": 0, \"col\": 0, \"hint\": null, \"exit\": 1}\n", m);
		fclose(m);
	}
	text *b = &t->buf[1];
	if (b->len && b->data[b->len - 1] != '\n')
		text_raw(b, "\n", 1);
	if (obj)
		text_raw(b, obj, len);
	free(obj);
	free(msg);
}

static void start(run *r, fleet_target *t)
{
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) != 0) {
		out[0] = out[1] = -1;
		goto broken;
	}
	if (pipe2(err, O_CLOEXEC) != 0) {
		close(out[0]);
		close(out[1]);
	broken:
		t->state = T_DONE;
		t->exit = 1;
		note_error(t, "cannot start: pipe: %s", strerror(errno));
		return;
	}
	char *var = NULL;
	if (asprintf(&var, "DATABASE_URL=%s", t->url) < 0)
		exit(1);
	r->env[0] = var;
	fflush(stdout);
	fflush(stderr);
	t->start_ms = mono_ms();
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent) /* the fleet died before prctl */
			_exit(1);
#else
		(void)parent;
#endif
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execve(r->exe, r->argv, r->env);
		dprintf(2, "cannot run %s: %s\n", r->exe, strerror(errno));
		_exit(127);
	}
	free(var);
	r->env[0] = NULL;
	close(out[1]);
	close(err[1]);
	r->started++;
	if (pid < 0) {
		close(out[0]);
		close(err[0]);
		t->state = T_DONE;
		t->exit = 1;
		note_error(t, "cannot start: fork: %s", strerror(errno));
		return;
	}
	setpgid(pid, pid); /* both sides, whichever runs first */
	t->pid = pid;
	t->fd[0] = out[0];
	t->fd[1] = err[0];
	t->state = T_RUNNING;
	r->running++;
}

static void running_line(const run *r)
{
	if (!r->tty || !r->running)
		return;
	text t = {0};
	for (size_t i = 0, k = 0; i < r->f->n; i++)
		if (r->f->v[i].state == T_RUNNING)
			text_printf(&t, "%s%s", k++ ? ", " : "", r->f->v[i].name);
	progress_show("[%d/%zu done] %s: %s", r->done, r->f->n, r->command, t.data ? t.data : "");
	text_free(&t);
}

/* The target ended: its lines, and on a terminal its progress line. */
static void finish(run *r, fleet_target *t, int status)
{
	t->ms = mono_ms() - t->start_ms;
	t->exit = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
	t->state = T_DONE;
	/* 128 + N after the fleet passed signal N on: stopped as asked (a
	 * clean exit, or the default action of a second one); else a signal
	 * that killed it is a crash, said as one of its lines */
	t->interrupted = r->sig && t->exit > 128;
	if (WIFSIGNALED(status) && !t->interrupted)
		note_error(t, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	r->running--;
	r->done++;
	if (r->json)
		return;
	progress_clear();
	if (!r->quiet || fleet_failed(t))
		for (char *p = t->buf[1].data; p && *p;) {
			char *nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			fleet_say_line(t, p);
			if (nl)
				*nl = '\n';
			p = nl ? nl + 1 : NULL;
		}
	if (r->tty) {
		char *c = fleet_counts(t);
		text o = {0};
		text_printf(&o, "[%d/%zu] %s %s: ", r->done, r->f->n, t->name, r->command);
		const char *w = fleet_result_word(t);
		bool bad = fleet_failed(t);
		if (bad || t->exit) {
			text_color(&o, stderr, bad ? SGR_RED : SGR_YELLOW);
			text_esc(&o, w);
			text_color(&o, stderr, SGR_RESET);
			text_raw(&o, c ? ", " : "", c ? 2 : 0);
		}
		text_printf(&o, "%s in %ld ms", c ? c : (bad || t->exit) ? "" : "done", t->ms);
		text_line(&o, stderr);
		free(c);
	}
	running_line(r);
}

static void forward(run *r, int sig)
{
	for (size_t i = 0; i < r->f->n; i++)
		if (r->f->v[i].state == T_RUNNING)
			kill(r->f->v[i].pid, sig);
}

static void schedule(run *r)
{
	fleet *f = r->f;
	size_t next = 0;
	struct pollfd *pf = calloc(2 * f->n + 1, sizeof *pf);
	fleet_target **who = calloc(2 * f->n + 1, sizeof *who);
	if (!pf || !who)
		exit(1);
	for (;;) {
		while (!r->sig && r->running < r->jobs && next < f->n) {
			start(r, &f->v[next]);
			if (f->v[next].state == T_DONE) /* could not start */
				r->done++;
			next++;
			running_line(r);
		}
		if (!r->running)
			break;
		size_t np = 0;
		pf[np++] = (struct pollfd){.fd = sigpipe_fd[0], .events = POLLIN};
		for (size_t i = 0; i < f->n; i++)
			for (int k = 0; k < 2; k++)
				if (f->v[i].state == T_RUNNING && f->v[i].fd[k] >= 0) {
					who[np] = &f->v[i];
					pf[np++] = (struct pollfd){.fd = f->v[i].fd[k], .events = POLLIN};
				}
		if (poll(pf, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[0].revents & POLLIN) {
			unsigned char b;
			while (read(sigpipe_fd[0], &b, 1) == 1) {
				if (!r->sig)
					r->sig = b;
				forward(r, b);
			}
		}
		for (size_t j = 1; j < np; j++) {
			if (!pf[j].revents)
				continue;
			fleet_target *t = who[j];
			int k = t->fd[0] == pf[j].fd ? 0 : 1;
			char buf[8192];
			ssize_t got = read(pf[j].fd, buf, sizeof buf);
			if (got > 0)
				text_raw(&t->buf[k], buf, (size_t)got);
			else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(t->fd[k]);
				t->fd[k] = -1;
			}
		}
		for (size_t i = 0; i < f->n; i++) {
			fleet_target *t = &f->v[i];
			if (t->state != T_RUNNING || t->fd[0] >= 0 || t->fd[1] >= 0)
				continue;
			int status = 0;
			while (waitpid(t->pid, &status, 0) < 0 && errno == EINTR)
				;
			finish(r, t, status);
		}
	}
	for (; next < f->n; next++)
		f->v[next].state = T_NOT_RUN;
	progress_clear();
	free(pf);
	free(who);
}

int cli_fleet(strata *s, const opts *o, int argc, char **argv)
{
	fleet f = {0};
	int rc = 0;
	if (o->fleet)
		rc = fleet_read_file(&f, o->fleet, o->json);
	if (!rc && o->each_schema)
		rc = fleet_each_schema(&f, s, o->fleet ? NULL : strata_database_url(s), o->each_schema,
		                       o->json);
	if (rc) {
		fleet_free(&f);
		return rc;
	}
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0)
		exe[n] = '\0';
	else
		snprintf(exe, sizeof exe, "%s", argv[0]);
	run r = {.o = o, .f = &f, .command = o->command, .exe = exe, .jobs = o->jobs > 0 ? o->jobs : 1,
	         .quiet = o->quiet, .json = o->json};
	r.tty = !o->quiet && !o->json && term_progress();
	r.argv = child_argv(argc, argv);
	r.env = child_env();
	long t0 = mono_ms();
	catch_signals();
	schedule(&r);
	release_signals();
	long ms = mono_ms() - t0;
	int worst = 0;
	for (size_t i = 0; i < f.n; i++)
		if (f.v[i].state == T_DONE && fleet_rank(f.v[i].exit) > fleet_rank(worst))
			worst = f.v[i].exit == 2 || f.v[i].exit > 4 ? 1 : f.v[i].exit;
	if (r.sig)
		worst = 128 + r.sig;
	if (o->json)
		fleet_print_json(&f, r.command, r.jobs, worst, ms);
	else
		fleet_print_table(&f, r.jobs, worst, ms);
	free(r.argv);
	free(r.env);
	fleet_free(&f);
	return worst;
}
