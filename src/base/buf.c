/*
 * buf.c - bounded growable buffer (see buf.h).
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->n = 0;
	b->cap = 0;
	b->max = max;
}

void buf_fini(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
	b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->n = 0;
	if (b->p)
		b->p[0] = '\0';
}

static int buf_grow(struct buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > b->max || b->n > b->max - extra)
		return ERR_TOO_BIG;
	need = b->n + extra + 1;
	if (need <= b->cap)
		return ERR_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	if (cap < need)
		cap = need;
	p = realloc(b->p, cap);
	if (!p)
		return ERR_NOMEM;
	b->p = p;
	b->cap = cap;
	return ERR_OK;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	int rc = buf_grow(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
	return ERR_OK;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int len, rc;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		return ERR_INVALID;
	rc = buf_grow(b, (size_t)len);
	if (rc)
		return rc;
	vsnprintf(b->p + b->n, (size_t)len + 1, fmt, ap);
	b->n += (size_t)len;
	return ERR_OK;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int buf_append_html(struct buf *b, const char *p, size_t n)
{
	size_t i, start = 0;
	const char *rep;
	int rc;

	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		rc = buf_append(b, p + start, i - start);
		if (rc)
			return rc;
		rc = buf_puts(b, rep);
		if (rc)
			return rc;
		start = i + 1;
	}
	return buf_append(b, p + start, n - start);
}

const char *buf_cstr(const struct buf *b)
{
	return b->p ? b->p : "";
}

char *buf_detach(struct buf *b)
{
	char *p = b->p;

	if (!p)
		p = calloc(1, 1);
	b->p = NULL;
	b->n = 0;
	b->cap = 0;
	return p;
}
