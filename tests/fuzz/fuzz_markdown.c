/*
 * fuzz_markdown.c - Markdown to HTML (view/markdown.c: md4c with raw HTML off, and our pass
 * that neutralizes link and image URLs with unsafe schemes), as topic descriptions and
 * session summaries are shown. Seeds: Markdown with links, images, tables, code, entities
 * and the usual tricks for sneaking a script in.
 *
 * Invariants, read as a browser would read the output: every '<' opens a tag md4c makes
 * (p, a, img, em, code, table ...; never script, iframe or anything from the input), and
 * every href/src value, with its character references decoded and the tabs and line breaks
 * a URL parser drops removed, is relative or http, https or mailto.
 *
 * md4c is Debian's shared library, built without the sanitizers: a read of its own past the
 * end of the text is invisible to them (md4c 0.4.8 makes such reads: see markdown.c). So the
 * text is handed over ending where a page that may not be read begins, and such a read is a
 * crash. markdown_html gives md4c its own copy of a text that does not end in a line break
 * (with one added); such a text is rendered a second time with the line break, from the
 * guarded page, and must render the same.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/utf8.h"
#include "fuzz.h"
#include "view/markdown.h"

#define GUARDED_MAX ((size_t)1 << 20) /* longer inputs go unguarded */

static char *guarded_end; /* the first byte of the page that may not be read */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *base;

	(void)argc;
	(void)argv;
	base = mmap(NULL, GUARDED_MAX + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	FUZZ_ASSERT(base != MAP_FAILED);
	FUZZ_ASSERT(mprotect(base + GUARDED_MAX, page, PROT_NONE) == 0);
	guarded_end = base + GUARDED_MAX;
	return 0;
}

/* guarded returns p[0..n), followed by a line break when nl, copied to end at the guard
 * page; p itself when it does not fit. */
static const char *guarded(const uint8_t *p, size_t n, bool nl)
{
	char *dst;

	if (n + nl > GUARDED_MAX)
		return (const char *)p;
	dst = guarded_end - n - nl;
	if (n)
		memcpy(dst, p, n);
	if (nl)
		dst[n] = '\n';
	return dst;
}

static bool tag_allowed(const char *p, size_t n)
{
	static const char *const tags[] = {
	    "p",  "a",	   "img",   "em",    "strong", "code", "pre", "blockquote", "ul",
	    "ol", "li",	   "hr",    "br",    "h1",     "h2",   "h3",  "h4",	    "h5",
	    "h6", "table", "thead", "tbody", "tr",     "th",   "td",  "del",	    "input"};
	size_t i, k = 0;

	if (k < n && p[k] == '/')
		k++;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t tl = strlen(tags[i]);

		if (n - k >= tl && strncasecmp(p + k, tags[i], tl) == 0 &&
		    (n - k == tl || p[k + tl] == ' ' || p[k + tl] == '>' || p[k + tl] == '/'))
			return true;
	}
	return false;
}

/* decode_url decodes &amp; &quot; &lt; &gt; &#N; &#xN; in v[0..n) into out and drops tabs,
 * line breaks and leading spaces and control characters, as the HTML and URL parsers do. */
static size_t decode_url(const char *v, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < cap; i++) {
		unsigned long c = (unsigned char)v[i];

		if (v[i] == '&') {
			const char *semi = memchr(v + i, ';', n - i);

			if (!semi)
				return (size_t)-1; /* md4c escapes '&': a bare one is a bug */
			if (v[i + 1] == '#') {
				char *e;

				c = v[i + 2] == 'x' || v[i + 2] == 'X' ? strtoul(v + i + 3, &e, 16)
								       : strtoul(v + i + 2, &e, 10);
			} else if (!strncmp(v + i, "&amp;", 5)) {
				c = '&';
			} else if (!strncmp(v + i, "&quot;", 6)) {
				c = '"';
			} else if (!strncmp(v + i, "&lt;", 4)) {
				c = '<';
			} else if (!strncmp(v + i, "&gt;", 4)) {
				c = '>';
			} else {
				c = '?';
			}
			i = (size_t)(semi - v);
		}
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (o == 0 && c <= 0x20)
			continue;
		out[o++] = c < 0x80 ? (char)c : '?';
	}
	out[o] = '\0';
	return o;
}

static bool url_ok(const char *u)
{
	size_t i;

	for (i = 0; u[i]; i++) {
		char c = u[i];

		if (c == ':')
			break;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '-' || c == '.'))
			return true; /* not a scheme: relative */
	}
	if (!u[i])
		return true;
	return (i == 4 && strncasecmp(u, "http", 4) == 0) ||
	       (i == 5 && strncasecmp(u, "https", 5) == 0) ||
	       (i == 6 && strncasecmp(u, "mailto", 6) == 0) || i == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	size_t i;
	int rc;

	buf_init(&out, (size_t)64 << 20);
	FUZZ_ASSERT(buf_append(&out, "<p>", 3) == ERR_OK); /* output is appended */
	rc = markdown_html(guarded(data, size, false), size, &out);
	FUZZ_ASSERT(rc == ERR_OK || rc == ERR_TOO_BIG || rc == ERR_INVALID);
	FUZZ_ASSERT((rc == ERR_INVALID) == !utf8_valid((const char *)data, size));
	FUZZ_ASSERT(out.n >= 3 && memcmp(out.p, "<p>", 3) == 0);
	for (i = 3; rc == ERR_OK && i < out.n; i++) {
		const char *gt;
		size_t tl, k;

		if (out.p[i] != '<')
			continue;
		gt = memchr(out.p + i, '>', out.n - i);
		FUZZ_ASSERT(gt);
		tl = (size_t)(gt - out.p) - i - 1;
		FUZZ_ASSERT(tag_allowed(out.p + i + 1, tl));
		/* the attributes of this tag */
		for (k = i + 1; k < i + 1 + tl; k++) {
			const char *v, *q;
			char url[4096];

			if (out.p[k] == '"') { /* another attribute's value: skip it whole */
				q = memchr(out.p + k + 1, '"', out.n - k - 1);
				FUZZ_ASSERT(q);
				k = (size_t)(q - out.p);
				continue;
			}
			if (!((k + 6 <= out.n && !strncmp(out.p + k, " href=", 6)) ||
			      (k + 5 <= out.n && !strncmp(out.p + k, " src=", 5))))
				continue;
			v = (const char *)memchr(out.p + k, '=', 6) + 1;
			FUZZ_ASSERT(*v == '"');
			v++;
			q = memchr(v, '"', out.n - (size_t)(v - out.p));
			FUZZ_ASSERT(q);
			if (decode_url(v, (size_t)(q - v), url, sizeof(url)) != (size_t)-1)
				FUZZ_ASSERT(url_ok(url));
			else
				FUZZ_ASSERT(!"bare & in a URL attribute");
			k = (size_t)(q - out.p);
		}
		i = (size_t)(gt - out.p);
	}
	if (rc == ERR_OK && size > 0 && data[size - 1] != '\n') {
		struct buf again;

		buf_init(&again, (size_t)64 << 20);
		FUZZ_ASSERT(buf_append(&again, "<p>", 3) == ERR_OK);
		FUZZ_ASSERT(markdown_html(guarded(data, size, true), size + 1, &again) == ERR_OK);
		FUZZ_ASSERT(again.n == out.n && memcmp(again.p, out.p, out.n) == 0);
		buf_fini(&again);
	}
	buf_fini(&out);
	return 0;
}
