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

/* What the target's result says, as a word. */
static const char *result_word(const fleet_target *t)
{
	if (t->state == T_NOT_RUN)
		return "not run";
	if (t->interrupted)
		return "interrupted";
	switch (t->exit) {
	case 0: return "ok";
	case 3: return "pending";
	case 4: return "problems";
	case 1: return "error";
	case 2: return "usage";
	default: return "error"; /* a crash, a child that could not start */
	}
}

/* The child's last top-level JSON value on stdout when it is its result (a
 * summary object, or status's one object), else NULL. */
static const char *result_of(const fleet_target *t, const char **end)
{
	const char *d = t->buf[0].data, *last = NULL;
	for (const char *p = d; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (*p == '{')
			last = p;
	*end = last ? jv_end(last) : NULL;
	if (!*end)
		return NULL;
	char *ev = jv_get_str(last, "event"); /* an event is no result (a run that failed) */
	bool result = !ev || !strcmp(ev, "summary");
	free(ev);
	return result ? last : NULL;
}

/* counts: "50 applied", "3 pending, 47 applied": the non-zero numbers of
 * the result object (of its "summary" object, when it has one; "0 applied"
 * when all are zero), else the child's events counted by kind (a run that
 * failed midway: "2 applied, 1 failed"). */
typedef struct counts {
	text t;
	char *first_key;
} counts;

static const char *const not_counts[] = {"line", "col", "exit", "index", "total", "ms", NULL};

static void add_count(text *t, long n, const char *key)
{
	text_printf(t, "%s%ld ", t->len ? ", " : "", n);
	for (const char *p = key; *p; p++)
		text_raw(t, *p == '_' ? " " : p, 1);
}

static int count_member(void *ud, const char *key, const char *v, const char *end)
{
	(void)end;
	counts *c = ud;
	char *e;
	long n = strtol(v, &e, 10);
	if (e == v || *v == '"')
		return 0;
	for (const char *const *k = not_counts; *k; k++)
		if (!strcmp(*k, key))
			return 0;
	if (!c->first_key)
		c->first_key = strdup(key);
	if (n)
		add_count(&c->t, n, key);
	return 0;
}

static int find_summary(void *ud, const char *key, const char *v, const char *end)
{
	(void)end;
	if (strcmp(key, "summary") || *v != '{')
		return 0;
	*(const char **)ud = v;
	return 1;
}

/* The events of a child that printed no summary, counted by kind. */
static void count_events(const fleet_target *t, text *out)
{
	struct ev_count {
		char *kind;
		long n;
	} k[16];
	size_t nk = 0;
	for (const char *p = t->buf[0].data; p && *p;) {
		char *ev = *p == '{' && jv_end(p) ? jv_get_str(p, "event") : NULL;
		size_t i = 0;
		while (ev && i < nk && strcmp(k[i].kind, ev))
			i++;
		if (ev && i == nk && nk < 16)
			k[nk++] = (struct ev_count){ev, 0}, ev = NULL;
		if (i < nk)
			k[i].n++;
		free(ev);
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : NULL;
	}
	for (size_t i = 0; i < nk; i++) {
		add_count(out, k[i].n, k[i].kind);
		free(k[i].kind);
	}
}

static char *counts_of(const fleet_target *t)
{
	counts c = {0};
	const char *end, *obj = result_of(t, &end);
	if (obj) {
		const char *sum = NULL;
		jv_members(obj, find_summary, &sum);
		jv_members(sum ? sum : obj, count_member, &c);
		if (!c.t.len && c.first_key)
			add_count(&c.t, 0, c.first_key);
	} else
		count_events(t, &c.t);
	free(c.first_key);
	return c.t.data;
}

/* One line of the child's stderr, with the target's name: its --json
 * events said as strata says them as text; any other line (a crash, a
 * sanitizer) as it is, escaped. */
static void say_line(const fleet_target *t, const char *line)
{
	text o = {0};
	char *ev = *line == '{' && jv_end(line) ? jv_get_str(line, "event") : NULL;
	if (!ev) {
		text_printf(&o, "strata: %s: %s", t->name, line);
		text_line(&o, stderr);
		return;
	}
	char *msg = jv_get_str(line, "message"), *file = jv_get_str(line, "file");
	char *hint = jv_get_str(line, "hint");
	long ln = jv_get_num(line, "line", 0), col = jv_get_num(line, "col", 0);
	bool err = !strcmp(ev, "error"), warn = !strcmp(ev, "warning");
	text_printf(&o, "strata: %s: ", t->name);
	if (err || warn) {
		text_color(&o, stderr, err ? SGR_RED SGR_BOLD : SGR_YELLOW);
		text_raw(&o, err ? "error:" : "warning:", err ? 6 : 8);
		text_color(&o, stderr, SGR_RESET);
		text_raw(&o, " ", 1);
	}
	if (file) {
		text_esc(&o, file);
		if (ln)
			text_printf(&o, ":%ld", ln);
		if (ln && col)
			text_printf(&o, ":%ld", col);
		text_raw(&o, ": ", 2);
	}
	text_esc(&o, msg ? msg : "");
	if (hint)
		text_printf(&o, " (hint: %s)", hint);
	text_line(&o, stderr);
	free(ev);
	free(msg);
	free(file);
	free(hint);
}

static bool failed(const fleet_target *t)
{
	return t->exit == 1 || t->exit == 2 || t->exit > 4;
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
	if (!r->quiet || failed(t))
		for (char *p = t->buf[1].data; p && *p;) {
			char *nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			say_line(t, p);
			if (nl)
				*nl = '\n';
			p = nl ? nl + 1 : NULL;
		}
	if (r->tty) {
		char *c = counts_of(t);
		text o = {0};
		text_printf(&o, "[%d/%zu] %s %s: ", r->done, r->f->n, t->name, r->command);
		const char *w = result_word(t);
		bool bad = failed(t);
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

/* ---- the end: the worst exit, the table, or the JSON object ---- */

/* 0 < 3 (pending) < 4 (problems) < 1 (error); a signal or crash is an error. */
static int rank(int code)
{
	return code == 0 ? 0 : code == 3 ? 1 : code == 4 ? 2 : 3;
}

static void print_json(const run *r, int worst, long ms)
{
	fleet *f = r->f;
	fputs("{\"targets\": [", stdout);
	size_t by[6] = {0};
	for (size_t i = 0; i < f->n; i++) {
		const fleet_target *t = &f->v[i];
		fputs(i ? ",\n  {\"target\": " : "\n  {\"target\": ", stdout);
		json_str(stdout, t->shown);
		if (t->schema)
			json_kv(stdout, "schema", t->schema);
		const char *w = result_word(t);
		json_kv(stdout, "state", w);
		if (t->state == T_NOT_RUN) {
			fputs(", \"exit\": null, \"ms\": null, \"result\": null}", stdout);
			by[5]++;
			continue;
		}
		printf(", \"exit\": %d, \"ms\": %ld", t->exit, t->ms);
		by[!strcmp(w, "ok") ? 0 : !strcmp(w, "pending") ? 1 : !strcmp(w, "problems") ? 2
		   : !strcmp(w, "interrupted") ? 4 : 3]++;
		const char *end, *res = result_of(t, &end);
		fputs(", \"result\": ", stdout);
		if (res)
			fwrite(res, 1, (size_t)(end - res), stdout);
		else
			fputs("null", stdout);
		/* the events before the result (JSON Lines commands), then stderr's */
		fputs(", \"events\": [", stdout);
		int k = 0;
		for (const char *p = t->buf[0].data; p && *p && p != res;) {
			const char *e = *p == '{' ? jv_end(p) : NULL;
			if (e) {
				fputs(k++ ? ", " : "", stdout);
				fwrite(p, 1, (size_t)(e - p), stdout);
			}
			const char *nl = strchr(p, '\n');
			p = nl ? nl + 1 : NULL;
		}
		fputs("], \"error\": ", stdout);
		const char *error = NULL, *error_end = NULL;
		text other = {0};
		for (char *p = t->buf[1].data; p && *p;) {
			char *nl = strchr(p, '\n');
			const char *e = *p == '{' ? jv_end(p) : NULL;
			char *ev = e ? jv_get_str(p, "event") : NULL;
			if (ev && !strcmp(ev, "error"))
				error = p, error_end = e;
			else if (e) {
				text_raw(&other, other.len ? ", " : "", other.len ? 2 : 0);
				text_raw(&other, p, (size_t)(e - p));
			} else { /* not JSON: a crash's words, as a string */
				if (nl)
					*nl = '\0';
				text_raw(&other, other.len ? ", " : "", other.len ? 2 : 0);
				char *line = p;
				text_raw(&other, "\"", 1);
				for (const char *c = line; *c; c++) {
					if (*c == '"' || *c == '\\')
						text_raw(&other, "\\", 1);
					if ((unsigned char)*c < 0x20)
						text_printf(&other, "\\u%04x", (unsigned char)*c);
					else
						text_raw(&other, c, 1);
				}
				text_raw(&other, "\"", 1);
				if (nl)
					*nl = '\n';
			}
			free(ev);
			p = nl ? nl + 1 : NULL;
		}
		if (error)
			fwrite(error, 1, (size_t)(error_end - error), stdout);
		else
			fputs("null", stdout);
		printf(", \"log\": [%s]}", other.data ? other.data : "");
		text_free(&other);
	}
	printf("%s], \"summary\": {\"command\": ", f->n ? "\n" : "");
	json_str(stdout, r->command);
	printf(", \"targets\": %zu, \"ok\": %zu, \"pending\": %zu, \"problems\": %zu, \"error\": %zu, "
	       "\"interrupted\": %zu, \"not_run\": %zu, \"jobs\": %d, \"ms\": %ld, \"exit\": %d}}\n",
	       f->n, by[0], by[1], by[2], by[3], by[4], by[5], r->jobs, ms, worst);
}

static void print_table(const run *r, int worst, long ms)
{
	fleet *f = r->f;
	size_t wn = 6, wr = 6, wc = 6;
	char **c = calloc(f->n + 1, sizeof *c);
	if (!c)
		exit(1);
	for (size_t i = 0; i < f->n; i++) {
		const fleet_target *t = &f->v[i];
		c[i] = t->state == T_DONE ? counts_of(t) : NULL;
		size_t l = text_width(t->name);
		wn = l > wn ? l : wn;
		l = strlen(result_word(t));
		wr = l > wr ? l : wr;
		l = c[i] ? text_width(c[i]) : 1;
		wc = l > wc ? l : wc;
	}
	text h = {0};
	text_pad(&h, "target", wn);
	text_raw(&h, "  ", 2);
	text_pad(&h, "result", wr);
	text_raw(&h, "  ", 2);
	text_pad(&h, "counts", wc);
	text_raw(&h, "  time", 6);
	text_line(&h, stdout);
	size_t by[4] = {0}, interrupted = 0, not_run = 0;
	for (size_t i = 0; i < f->n; i++) {
		const fleet_target *t = &f->v[i];
		const char *w = result_word(t);
		text o = {0};
		text_pad(&o, t->name, wn);
		text_raw(&o, "  ", 2);
		const char *col = failed(t) ? SGR_RED : t->exit == 3 || t->exit == 4 ? SGR_YELLOW
		                  : t->state == T_DONE                               ? SGR_GREEN
		                                                                     : NULL;
		if (col)
			text_color(&o, stdout, col);
		text_pad(&o, w, wr);
		if (col)
			text_color(&o, stdout, SGR_RESET);
		text_raw(&o, "  ", 2);
		text_pad(&o, c[i] ? c[i] : "-", wc);
		if (t->state == T_DONE)
			text_printf(&o, "  %ld ms", t->ms);
		else
			text_raw(&o, "  -", 3);
		text_line(&o, stdout);
		free(c[i]);
		if (t->state == T_NOT_RUN)
			not_run++;
		else if (!strcmp(w, "interrupted"))
			interrupted++;
		else
			by[rank(t->exit)]++;
	}
	free(c);
	text s = {0};
	text_printf(&s, "%zu target%s:", f->n, f->n == 1 ? "" : "s");
	const char *sep = " ";
	const struct {
		size_t n;
		const char *what;
	} parts[] = {{by[0], "ok"},           {by[1], "pending"},      {by[2], "with problems"},
	             {by[3], "failed"},       {interrupted, "interrupted"}, {not_run, "not run"}};
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		if (parts[i].n) {
			text_printf(&s, "%s%zu %s", sep, parts[i].n, parts[i].what);
			sep = ", ";
		}
	if (ms < 1000)
		text_printf(&s, " in %ld ms", ms);
	else
		text_printf(&s, " in %ld.%01ld s", ms / 1000, ms % 1000 / 100);
	text_printf(&s, " (--jobs %d); exit %d", r->jobs, worst);
	text_line(&s, stdout);
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
		if (f.v[i].state == T_DONE && rank(f.v[i].exit) > rank(worst))
			worst = f.v[i].exit == 2 || f.v[i].exit > 4 ? 1 : f.v[i].exit;
	if (r.sig)
		worst = 128 + r.sig;
	if (o->json)
		print_json(&r, worst, ms);
	else
		print_table(&r, worst, ms);
	free(r.argv);
	free(r.env);
	fleet_free(&f);
	return worst;
}
