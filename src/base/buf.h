/*
 * buf.h - a growable byte buffer with a hard upper bound.
 *
 * Like curl's dynbuf: every buffer is created with a maximum size, so no input can grow
 * memory without limit. The content is always NUL-terminated (the NUL is not counted in n),
 * so b->p can be handed to C string functions when the content has no NUL bytes.
 * A buf is not thread-safe; it belongs to one thread at a time.
 */
#ifndef SHENLIAO_BASE_BUF_H
#define SHENLIAO_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

struct buf {
	char *p;    /* content, NUL-terminated; NULL until the first append */
	size_t n;   /* bytes used, not counting the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* n may never exceed this */
};

#define BUF_MAX_DEFAULT ((size_t)64 << 20)

/* buf_init prepares b, empty, holding at most max bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* buf_fini frees b's memory and leaves it empty (it may be used again). */
void buf_fini(struct buf *b);

/* buf_reset empties b and keeps its memory. */
void buf_reset(struct buf *b);

/* buf_append adds n bytes at p. ERR_TOO_BIG if b would exceed its max, ERR_NOMEM if
 * allocation fails; b is unchanged on error. */
int buf_append(struct buf *b, const void *p, size_t n) WARN_UNUSED;

/* buf_puts appends the C string s. */
int buf_puts(struct buf *b, const char *s) WARN_UNUSED;

/* buf_putc appends one byte. */
int buf_putc(struct buf *b, char c) WARN_UNUSED;

/* buf_printf appends printf-formatted text. */
int buf_printf(struct buf *b, const char *fmt, ...) WARN_UNUSED
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) WARN_UNUSED;

/* buf_append_html appends p[0..n) with & < > " ' escaped for HTML text and attributes. */
int buf_append_html(struct buf *b, const char *p, size_t n) WARN_UNUSED;

/* buf_cstr returns b's content as a C string ("" when empty); borrowed, valid until the
 * next change to b. */
const char *buf_cstr(const struct buf *b);

/* buf_detach returns b's content (caller frees with free(); "" allocated when empty) and
 * leaves b empty. NULL on allocation failure. */
char *buf_detach(struct buf *b);

#endif
