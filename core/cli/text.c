/* Message text made safe for a terminal: one message is always one line.
 * Control characters (C0, DEL, C1) and bytes that are not UTF-8 are written
 * as escapes (\n, \r, \t, \x1b, \xc2\x9b, \xff), so a file name such as
 * $'0002_x\nstrata: error: forged.sql' can neither start a second line nor
 * move the cursor or change colours; valid UTF-8 text passes as it is. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t utf8_len(const unsigned char *p, unsigned *cp)
{
	unsigned c = p[0], n, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, c &= 0x07;
	else
		return 0;
	for (unsigned k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		c = c << 6 | (p[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static void grow(text *t, size_t more)
{
	if (t->len + more + 1 <= t->cap)
		return;
	size_t cap = t->cap ? t->cap : 128;
	while (cap < t->len + more + 1)
		cap *= 2;
	char *d = realloc(t->data, cap);
	if (!d) {
		fputs("strata: error: out of memory\n", stderr);
		exit(1);
	}
	t->data = d;
	t->cap = cap;
}

void text_raw(text *t, const char *s, size_t n)
{
	grow(t, n);
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

void text_esc(text *t, const char *s)
{
	char buf[8];
	for (const unsigned char *p = (const unsigned char *)s; p && *p;) {
		unsigned cp;
		size_t n = utf8_len(p, &cp);
		if (n == 0) {
			snprintf(buf, sizeof buf, "\\x%02x", *p);
			text_raw(t, buf, 4);
			p++;
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			text_raw(t, cp == '\n' ? "\\n" : cp == '\r' ? "\\r" : "\\t", 2);
			p++;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			for (size_t k = 0; k < n; k++) {
				snprintf(buf, sizeof buf, "\\x%02x", p[k]);
				text_raw(t, buf, 4);
			}
			p += n;
		} else {
			text_raw(t, (const char *)p, n);
			p += n;
		}
	}
}

static void text_vprintf(text *t, const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0) {
		fputs("strata: error: out of memory\n", stderr);
		exit(1);
	}
	text_esc(t, s);
	free(s);
}

void text_printf(text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	text_vprintf(t, fmt, ap);
	va_end(ap);
}

void text_pad(text *t, const char *s, size_t width)
{
	size_t at = t->len;
	text_esc(t, s);
	for (size_t w = t->len - at; w < width; w++)
		text_raw(t, " ", 1);
}

size_t text_width(const char *s)
{
	text t = {0};
	text_esc(&t, s);
	size_t n = t.len;
	text_free(&t);
	return n;
}

void text_color(text *t, FILE *f, const char *sgr)
{
	if (term_color(f))
		text_raw(t, sgr, strlen(sgr));
}

void text_line(text *t, FILE *f)
{
	text_raw(t, "\n", 1);
	if (f == stdout || f == stderr)
		progress_clear();
	if (f == stderr)
		fflush(stdout);
	fwrite(t->data, 1, t->len, f);
	if (f == stderr)
		fflush(stderr);
	text_free(t);
}

void text_free(text *t)
{
	free(t->data);
	*t = (text){0};
}

void say(FILE *f, const char *fmt, ...)
{
	va_list ap;
	text t = {0};
	va_start(ap, fmt);
	text_vprintf(&t, fmt, ap);
	va_end(ap);
	text_line(&t, f);
}

void error_line(int json, const char *message, const strata_error_info *e, int exit_code)
{
	fflush(stdout);
	if (json) {
		fputs("{\"event\": \"error\", \"message\": ", stderr);
		json_str(stderr, message);
		json_kv(stderr, "file", e ? e->file : NULL);
		fprintf(stderr, ", \"line\": %d, \"col\": %d, \"hint\": ", e ? e->line : 0, e ? e->col : 0);
		json_str(stderr, e ? e->hint : NULL);
		fprintf(stderr, ", \"exit\": %d}\n", exit_code);
		return;
	}
	text t = {0};
	text_raw(&t, "strata: ", 8);
	text_color(&t, stderr, SGR_RED SGR_BOLD);
	text_raw(&t, "error:", 6);
	text_color(&t, stderr, SGR_RESET);
	text_raw(&t, " ", 1);
	if (e && e->file) {
		text_esc(&t, e->file);
		if (e->line)
			text_printf(&t, ":%d", e->line);
		if (e->line && e->col)
			text_printf(&t, ":%d", e->col);
		text_raw(&t, ": ", 2);
	}
	text_esc(&t, message);
	if (e && e->hint)
		text_printf(&t, " (hint: %s)", e->hint);
	text_line(&t, stderr);
}
