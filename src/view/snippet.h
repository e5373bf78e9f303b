/*
 * snippet.h - a search excerpt as HTML: the plain text escaped, every match in <mark>, an
 * ellipsis where the excerpt was cut from a longer text. The model (search.c) finds the
 * excerpt and its matches; the HTML is made here.
 */
#ifndef SHENLIAO_VIEW_SNIPPET_H
#define SHENLIAO_VIEW_SNIPPET_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* snippet_html appends text[0..n) to out, HTML-escaped, with the nmarks matches
 * text[off[i]..off[i]+len[i]) wrapped in <mark> (in order, not overlapping; a mark past the
 * end of the text is ignored), and "…" before when cut_before, after when cut_after.
 * ERR_TOO_BIG when out is full. Pure, thread-safe. */
int snippet_html(struct buf *out, const char *text, size_t n, const size_t *off, const size_t *len,
		 size_t nmarks, bool cut_before, bool cut_after) WARN_UNUSED;

#endif
