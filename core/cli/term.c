/* What a terminal gets that a pipe does not: colour (never with NO_COLOR set
 * to anything non-empty, see no-color.org, nor with TERM=dumb) and a progress
 * line on stderr, rewritten in place with \r and cleared before any other
 * output and at the end. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int color_out, color_err, progress_on, progress_shown;

void term_init(int quiet, int json)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	int dumb = term && !strcmp(term, "dumb");
	int color = !(nc && *nc) && !dumb;
	color_out = color && isatty(STDOUT_FILENO);
	color_err = color && isatty(STDERR_FILENO);
	progress_on = !quiet && !json && !dumb && isatty(STDERR_FILENO);
}

int term_color(FILE *f)
{
	return f == stdout ? color_out : f == stderr ? color_err : 0;
}

/* The line, cut to the terminal's width (a wrapped line would not be
 * rewritten whole by \r), on a character boundary. */
void progress_show(const char *fmt, ...)
{
	if (!progress_on)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	text t = {0};
	text_raw(&t, "\r\033[K", 4);
	size_t start = t.len;
	text_esc(&t, s);
	free(s);
	struct winsize ws;
	size_t cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
	size_t chars = 0, at = start;
	while (at < t.len) {
		unsigned cp;
		size_t k = utf8_len((const unsigned char *)t.data + at, &cp);
		if (++chars >= cols)
			break;
		at += k ? k : 1;
	}
	t.len = at;
	fflush(stdout);
	fwrite(t.data, 1, t.len, stderr);
	fflush(stderr);
	text_free(&t);
	progress_shown = 1;
}

void progress_clear(void)
{
	if (!progress_shown)
		return;
	progress_shown = 0;
	fputs("\r\033[K", stderr);
	fflush(stderr);
}

/* Progress lines go to stderr (a terminal, not -q, not --json). */
int term_progress(void)
{
	return progress_on;
}
