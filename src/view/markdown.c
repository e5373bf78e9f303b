/*
 * markdown.c - safe Markdown rendering (see markdown.h).
 */
#include "markdown.h"

#include <md4c-html.h>
#include <string.h>
#include <strings.h>

#include "base/utf8.h"

struct md_out {
	struct buf *out;
	int rc;
};

static void collect(const MD_CHAR *p, MD_SIZE n, void *ud)
{
	struct md_out *o = ud;

	if (!o->rc)
		o->rc = buf_append(o->out, p, n);
}

/* url_safe reports whether an attribute value (as md4c wrote it) is a harmless URL. */
static int url_safe(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = v[i];

		if (c == ':')
			break;
		if (c == '/' || c == '?' || c == '#')
			return 1; /* relative */
	}
	if (i == n)
		return 1;
	return (i == 4 && strncasecmp(v, "http", 4) == 0) ||
	       (i == 5 && strncasecmp(v, "https", 5) == 0) ||
	       (i == 6 && strncasecmp(v, "mailto", 6) == 0);
}

int markdown_html(const char *text, size_t n, struct buf *out)
{
	struct md_out o = {out, 0};
	size_t start = out->n, i;
	static const char *const attrs[] = {"href=\"", "src=\""};

	/* md4c trusts a lead byte's length: on ill-formed UTF-8 it reads past the text's end */
	if (!utf8_valid(text, n))
		return ERR_INVALID;
	if (md_html(text, (MD_SIZE)n, collect, &o,
		    MD_FLAG_NOHTML | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH, 0) != 0 &&
	    !o.rc)
		o.rc = ERR_INVALID;
	if (o.rc)
		return o.rc;
	/* neutralize unsafe schemes in place: md4c escapes attribute values, so the value
	 * runs to the next '"' */
	for (i = start; i < out->n; i++) {
		const char *eq = memchr(out->p + i, '=', out->n - i);
		size_t k;

		if (!eq)
			break;
		i = (size_t)(eq - out->p);
		for (k = 0; k < 2; k++) {
			size_t al = strlen(attrs[k]), vs, ve;

			/* the '=' is the attribute's last but one byte */
			if (i + 2 < start + al || i + 2 > out->n ||
			    memcmp(out->p + i + 2 - al, attrs[k], al) != 0)
				continue;
			vs = i + 2;
			for (ve = vs; ve < out->n && out->p[ve] != '"'; ve++)
				;
			if (!url_safe(out->p + vs, ve - vs))
				memset(out->p + vs, '#', ve - vs);
		}
	}
	return ERR_OK;
}
