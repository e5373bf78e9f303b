/*
 * snippet.c - search excerpts as HTML (see snippet.h).
 */
#include "snippet.h"

int snippet_html(struct buf *out, const char *text, size_t n, const size_t *off, const size_t *len,
		 size_t nmarks, bool cut_before, bool cut_after)
{
	size_t at = 0, i;
	int rc = ERR_OK;

	if (cut_before)
		rc = buf_puts(out, "…");
	for (i = 0; !rc && i < nmarks; i++) {
		if (off[i] < at || off[i] > n || len[i] > n - off[i])
			continue; /* out of order or past the end: not a match of this text */
		rc = buf_append_html(out, text + at, off[i] - at);
		if (!rc)
			rc = buf_puts(out, "<mark>");
		if (!rc)
			rc = buf_append_html(out, text + off[i], len[i]);
		if (!rc)
			rc = buf_puts(out, "</mark>");
		at = off[i] + len[i];
	}
	if (!rc)
		rc = buf_append_html(out, text + at, n - at);
	if (!rc && cut_after)
		rc = buf_puts(out, "…");
	return rc;
}
