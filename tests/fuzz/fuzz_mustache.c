/*
 * fuzz_mustache.c - our Mustache renderer (view/mustache.c), both ways round:
 *   1. the input as a template: compiled, then rendered with a fixed context (HTML
 *      specials, nesting, lists, numbers, booleans, null) and partials resolved by name
 *      ("item", a parent "layout" with blocks, and "self", the input itself, for runaway
 *      recursion), through both mustache_render and mustache_render_compiled;
 *   2. the input as data: when it is a JSON object, it is the context of the product's own
 *      page templates (view_render, compiled from the embedded templates at start) and of a
 *      small fixed template; otherwise (valid UTF-8) it is the string x of a fixed template.
 * Seeds: the spec's templates (tests/data/mustache-spec) and contexts of the pages.
 *
 * Invariants: both render paths give the same answer and output; a failed render leaves
 * the output as it was; {{x}} of any string contains no < > " ' and no '&' that does not
 * start an entity; a number prints as text that reads back as the same number.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/utf8.h"
#include "fuzz.h"
#include "view/mustache.h"
#include "view/view.h"

static json_t *ctx;
static const char *self_src;
static size_t self_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	json_error_t jerr;

	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	FUZZ_ASSERT(view_init() == ERR_OK);
	ctx = json_loads("{\"title\": \"<b>\\\"x\\\" & 'y'</b>\", \"n\": 85, \"r\": 1.21, "
			 "\"big\": 1e21, \"t\": true, \"f\": false, \"z\": null, \"e\": \"\", "
			 "\"list\": [{\"name\": \"甲\"}, {\"name\": \"<乙>\"}, {\"name\": 3}], "
			 "\"empty\": [], \"a\": {\"b\": {\"c\": \"deep\"}}, "
			 "\"lang\": \"zh\", \"path\": \"/x?y=1&z=2\"}",
			 0, &jerr);
	FUZZ_ASSERT(ctx);
	return 0;
}

static const char *source(void *ud, const char *name, size_t n, size_t *len)
{
	static const char item[] = "<li>{{name}}</li>\n";
	static const char layout[] = "<h1>{{$title}}默认{{/title}}</h1>{{$body}}{{/body}}";
	(void)ud;

	if (n == 4 && !memcmp(name, "item", 4))
		return *len = sizeof(item) - 1, item;
	if (n == 6 && !memcmp(name, "layout", 6))
		return *len = sizeof(layout) - 1, layout;
	if (n == 4 && !memcmp(name, "self", 4))
		return *len = self_len, self_src;
	return NULL;
}

static void as_template(const char *p, size_t n)
{
	struct mustache *m = NULL;
	struct mustache_error e1, e2;
	struct buf a, b;
	int rc1, rc2;

	self_src = p;
	self_len = n;
	buf_init(&a, (size_t)1 << 20);
	buf_init(&b, (size_t)1 << 20);
	FUZZ_ASSERT(buf_append(&a, "head", 4) == ERR_OK);
	FUZZ_ASSERT(buf_append(&b, "head", 4) == ERR_OK);
	rc1 = mustache_render(p, n, ctx, source, NULL, &a, &e1);
	FUZZ_ASSERT(rc1 == ERR_OK || rc1 == ERR_INVALID || rc1 == ERR_TOO_BIG);
	if (rc1)
		FUZZ_ASSERT(a.n == 4 && memchr(e1.message, '\0', sizeof(e1.message)));
	rc2 = mustache_compile(p, n, &m, &e2);
	FUZZ_ASSERT(rc2 == ERR_OK || rc2 == ERR_INVALID);
	FUZZ_ASSERT(rc2 == ERR_OK ? m != NULL : m == NULL);
	if (rc2 == ERR_OK) {
		rc2 = mustache_render_compiled(m, ctx, source, NULL, &b, &e2);
		FUZZ_ASSERT(rc1 == rc2);
		FUZZ_ASSERT(a.n == b.n && memcmp(a.p, b.p, a.n) == 0);
		mustache_free(m);
	} else {
		FUZZ_ASSERT(rc1 == ERR_INVALID);
	}
	buf_fini(&a);
	buf_fini(&b);
}

/* escaped_ok checks HTML-escaped text: no markup characters, '&' only as an entity. */
static void escaped_ok(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(p[i] != '<' && p[i] != '>' && p[i] != '"' && p[i] != '\'');
		if (p[i] == '&') {
			const char *semi = memchr(p + i, ';', n - i);

			FUZZ_ASSERT(semi && semi - (p + i) <= 6);
		}
	}
}

static void render_fixed(const char *tpl, const json_t *data, struct buf *out)
{
	struct mustache_error e;
	int rc;

	buf_reset(out);
	rc = mustache_render(tpl, strlen(tpl), data, NULL, NULL, out, &e);
	FUZZ_ASSERT(rc == ERR_OK || rc == ERR_TOO_BIG);
	if (rc)
		buf_reset(out);
}

static void as_data(const char *p, size_t n)
{
	static const char *const pages[] = {"error", "login",	"people", "session",
					    "topic", "outputs", "map"};
	json_error_t jerr;
	json_t *data = json_loadb(p, n, 0, &jerr), *num;
	struct buf out;
	size_t i;

	buf_init(&out, (size_t)4 << 20);
	if (data && json_is_object(data)) {
		for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
			int rc;

			buf_reset(&out);
			rc = view_render(pages[i], data, &out);
			FUZZ_ASSERT(rc == ERR_OK || rc == ERR_TOO_BIG);
		}
		render_fixed("{{title}}", data, &out);
		if (json_is_string(json_object_get(data, "title")))
			escaped_ok(out.p ? out.p : "", out.n);
		num = json_object_get(data, "n");
		if (json_is_number(num)) {
			char text[64];

			render_fixed("{{n}}", data, &out);
			FUZZ_ASSERT(out.n > 0 && out.n < sizeof(text));
			memcpy(text, out.p, out.n);
			text[out.n] = '\0';
			if (json_is_real(num))
				FUZZ_ASSERT(strtod(text, NULL) == json_real_value(num));
			else
				FUZZ_ASSERT(strtoll(text, NULL, 10) == json_integer_value(num));
		}
		render_fixed("{{#list}}<li>{{name}}</li>{{/list}}{{^list}}无{{/list}}", data, &out);
	} else if (utf8_valid(p, n)) {
		json_t *x = json_pack("{s:s%}", "x", p, n);

		FUZZ_ASSERT(x);
		render_fixed("{{x}}", x, &out);
		escaped_ok(out.p ? out.p : "", out.n);
		render_fixed("{{{x}}}", x, &out);
		FUZZ_ASSERT(out.n == n && (n == 0 || memcmp(out.p, p, n) == 0));
		json_decref(x);
	}
	json_decref(data);
	buf_fini(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	as_template((const char *)data, size);
	as_data((const char *)data, size);
	return 0;
}
