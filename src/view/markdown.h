/*
 * markdown.h - Markdown (CommonMark + tables, strikethrough) to safe HTML, with md4c.
 * Raw HTML in the source is not passed through, and links or images whose scheme is not
 * http, https, mailto or relative are neutralized. Thread-safe.
 */
#ifndef SHENLIAO_VIEW_MARKDOWN_H
#define SHENLIAO_VIEW_MARKDOWN_H

#include <stddef.h>

#include "base/buf.h"

/* markdown_html appends the HTML for text[0..n) to out. ERR_INVALID (nothing appended) when the
 * text is not valid UTF-8 or holds a NUL. */
int markdown_html(const char *text, size_t n, struct buf *out) WARN_UNUSED;

#endif
