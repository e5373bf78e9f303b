/*
 * fuzz_form.c - page form bodies (application/x-www-form-urlencoded): form_parse and
 * url_decode (http/form.c), the UTF-8 check the dispatcher makes on every field, and the
 * typed field readers handlers use (web_field, web_int_field, web_bool_field,
 * web_list_field, web_id_list_field in web/respond.c), as the dispatcher's parse_form_body
 * and a handler would call them. Seeds: forms the HTTP tests post.
 *
 * Invariants: url_decode never grows its input and is the identity on text without '%'
 * and '+'; every parsed value is NUL-terminated at value_len; encoding the parsed fields
 * again and parsing that gives the same fields; the readers agree with the fields.
 */
#include <stdbool.h>
#include <string.h>

#include "base/utf8.h"
#include "base/util.h"
#include "fuzz.h"
#include "web/web.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void encode(struct buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		char esc[3] = {'%', hex[ch >> 4], hex[ch & 15]};

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9'))
			FUZZ_ASSERT(buf_append(b, p + i, 1) == ERR_OK);
		else
			FUZZ_ASSERT(buf_append(b, esc, 3) == ERR_OK);
	}
}

static void read_fields(struct web_ctx *c, const char *name)
{
	const char *list[16];
	int64_t ids[16], v;
	size_t n;
	bool present, bad = false, b;
	const struct http_param *f = form_get(&c->form, name);
	const char *s = web_field(c, name, &bad);
	int rc;

	FUZZ_ASSERT(!bad);
	FUZZ_ASSERT((s == NULL) == (f == NULL));
	if (web_int_field(c, name, &v, &present) == ERR_OK && present)
		FUZZ_ASSERT(f && f->value_len);
	FUZZ_ASSERT(web_bool_field(c, name, &b, &present) == ERR_OK);
	FUZZ_ASSERT(!b || (f && (strcmp(f->value, "1") == 0 || strcmp(f->value, "on") == 0)));
	rc = web_list_field(c, name, list, ARRAY_LEN(list), &n, &present);
	FUZZ_ASSERT(rc == ERR_OK || rc == ERR_TOO_BIG);
	FUZZ_ASSERT(n <= ARRAY_LEN(list));
	if (f)
		FUZZ_ASSERT(present);
	rc = web_id_list_field(c, name, ids, ARRAY_LEN(ids), &n, &present);
	FUZZ_ASSERT(rc == ERR_OK || rc == ERR_TOO_BIG || rc == ERR_INVALID);
	FUZZ_ASSERT(n <= ARRAY_LEN(ids));
	while (rc == ERR_OK && n--)
		FUZZ_ASSERT(ids[n] > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"csrf_token", "title", "ids", "year", "visible"};
	char *copy = malloc(size ? size : 1);
	struct form f, g;
	struct web_ctx c;
	struct buf again;
	size_t i, n;
	int rc;

	/* url_decode, both ways */
	memcpy(copy, data, size);
	n = url_decode(copy, size, false);
	FUZZ_ASSERT(n == (size_t)-1 || n <= size);
	if (!memchr(data, '%', size) && !memchr(data, '+', size))
		FUZZ_ASSERT(n == size && memcmp(copy, data, size) == 0);
	memcpy(copy, data, size);
	n = url_decode(copy, size, true);
	FUZZ_ASSERT(n == (size_t)-1 || n <= size);
	free(copy);

	/* the body as the dispatcher parses it */
	rc = form_parse((const char *)data, size, 256, &f);
	FUZZ_ASSERT(rc == ERR_OK || rc == ERR_TOO_BIG || rc == ERR_INVALID);
	if (rc)
		return 0;
	buf_init(&again, (size_t)8 << 20);
	for (i = 0; i < f.n; i++) {
		const struct http_param *it = &f.items[i];

		FUZZ_ASSERT(it->value[it->value_len] == '\0');
		(void)utf8_valid(it->name, strlen(it->name));
		(void)utf8_valid(it->value, it->value_len);
		if (i)
			FUZZ_ASSERT(buf_append(&again, "&", 1) == ERR_OK);
		encode(&again, it->name, strlen(it->name));
		FUZZ_ASSERT(buf_append(&again, "=", 1) == ERR_OK);
		encode(&again, it->value, it->value_len);
	}
	/* an empty field name encodes to "=": parsing keeps it as a field again */
	rc = form_parse(again.p ? again.p : "", again.n, 256, &g);
	FUZZ_ASSERT(rc == ERR_OK);
	FUZZ_ASSERT(g.n == f.n);
	for (i = 0; i < f.n; i++) {
		FUZZ_ASSERT(strcmp(g.items[i].name, f.items[i].name) == 0);
		FUZZ_ASSERT(g.items[i].value_len == f.items[i].value_len);
		FUZZ_ASSERT(memcmp(g.items[i].value, f.items[i].value, f.items[i].value_len) == 0);
	}
	form_fini(&g);
	buf_fini(&again);

	/* the readers a handler calls */
	memset(&c, 0, sizeof(c));
	c.form = f;
	for (i = 0; i < ARRAY_LEN(names); i++)
		read_fields(&c, names[i]);
	for (i = 0; i < f.n && i < 8; i++)
		read_fields(&c, f.items[i].name);
	form_fini(&f);
	return 0;
}
