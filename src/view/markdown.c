/*
 * markdown.c - safe Markdown rendering (see markdown.h).
 */
#include "markdown.h"

#include <md4c-html.h>
#include <stdlib.h>
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

	char *copy = NULL;
	int rc;

	/* md4c trusts a lead byte's length: on ill-formed UTF-8 it reads past the text's end */
	if (!utf8_valid(text, n))
		return ERR_INVALID;
	/* md4c 0.4.8 also reads past the end of a text that stops inside a link destination
	 * ("[x](y", "##r[](r[](" with no line break after it; fixed upstream after 0.4.8, md4c
	 * pull request 167): give it one, which renders the same. fuzz_markdown hands md4c its
	 * text before a page that may not be read, so such a read crashes the fuzzer */
	if (n && text[n - 1] != '\n') {
		copy = malloc(n + 1);
		if (!copy)
			return ERR_NOMEM;
		memcpy(copy, text, n);
		copy[n] = '\n';
		text = copy;
		n++;
	}
	rc = md_html(text, (MD_SIZE)n, collect, &o,
		     MD_FLAG_NOHTML | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH, 0);
	free(copy);
	if (rc != 0 && !o.rc)
		o.rc = ERR_INVALID;
	if (o.rc)
		return o.rc;
	/* neutralize unsafe schemes in place. md4c escapes text ('<' and '"' never appear in
	 * it) and attribute values (no '"' inside), so the tags can be walked and each value
	 * runs from its opening quote to the next '"'. Only href and src values are URLs: the
	 * same letters inside another value (a title, a URL) are not an attribute. */
	for (i = start; i < out->n; i++) {
		if (out->p[i] != '<')
			continue;
		for (i++; i < out->n && out->p[i] != '>'; i++) {
			const char *q;
			size_t vs, ve, k;

			if (out->p[i] != '"')
				continue;
			vs = i + 1;
			q = memchr(out->p + vs, '"', out->n - vs);
			ve = q ? (size_t)(q - out->p) : out->n;
			for (k = 0; k < 2; k++) {
				size_t al = strlen(attrs[k]);

				/* the value follows ' href="' (or ' src="') */
				if (vs >= start + al + 1 && out->p[vs - al - 1] == ' ' &&
				    memcmp(out->p + vs - al, attrs[k], al) == 0 &&
				    !url_safe(out->p + vs, ve - vs))
					memset(out->p + vs, '#', ve - vs);
			}
			i = ve;
		}
	}
	return ERR_OK;
}
