/*
 * fuzz_json.c - JSON request bodies, the way the dispatcher (web/app.c parse_json_body)
 * takes them before any handler: utf8_first_invalid, and on invalid text the scanner that
 * names the field holding the bad byte (invalid_utf8_field), then jansson's json_loadb with
 * JSON_REJECT_DUPLICATES, then the typed field readers handlers call (web_field,
 * web_int_field, web_bool_field, web_list_field, web_id_list_field in web/respond.c) for
 * every member of the object and for common field names. Seeds: bodies the HTTP tests send.
 *
 * Invariants: the field name found for bad UTF-8 is a NUL-terminated string shorter than its
 * buffer and valid UTF-8 (it goes into the error answer); jansson accepts only text that
 * passed our check; each reader's answer matches the member's JSON type.
 *
 * app.c is compiled into this target (invalid_utf8_field is file-local); the library's copy
 * of app.o is then not linked.
 */
#include "web/app.c"

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void read_member(struct web_ctx *c, const char *name)
{
	json_t *v = json_object_get(c->json, name);
	const char *list[16];
	int64_t ids[16], iv;
	size_t n;
	bool bad = false, present, b;
	const char *s = web_field(c, name, &bad);
	int rc;

	if (!v || json_is_null(v))
		FUZZ_ASSERT(!s && !bad);
	else if (json_is_string(v))
		FUZZ_ASSERT(s == json_string_value(v) && !bad);
	else
		FUZZ_ASSERT(!s && bad);
	rc = web_int_field(c, name, &iv, &present);
	FUZZ_ASSERT(present == (v && !json_is_null(v)));
	if (json_is_integer(v))
		FUZZ_ASSERT(rc == ERR_OK && iv == json_integer_value(v));
	rc = web_bool_field(c, name, &b, &present);
	FUZZ_ASSERT(json_is_boolean(v) ? rc == ERR_OK && b == json_is_true(v)
				       : (rc == ERR_OK) == (!v || json_is_null(v)));
	rc = web_list_field(c, name, list, ARRAY_LEN(list), &n, &present);
	FUZZ_ASSERT(n <= ARRAY_LEN(list));
	if (rc == ERR_OK && present)
		FUZZ_ASSERT(json_is_array(v) && n == json_array_size(v));
	rc = web_id_list_field(c, name, ids, ARRAY_LEN(ids), &n, &present);
	FUZZ_ASSERT(n <= ARRAY_LEN(ids));
	while (rc == ERR_OK && n--)
		FUZZ_ASSERT(ids[n] > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"title", "body",   "username", "password", "status",
					    "ids",   "org_id", "year",	   "visible",  "to"};
	const char *p = (const char *)data;
	struct web_ctx c;
	json_error_t jerr;
	json_t *obj, *v;
	const char *key;
	size_t bad, i = 0;

	bad = utf8_first_invalid(p, size);
	FUZZ_ASSERT(bad <= size);
	if (bad < size) {
		char field[64];

		memset(field, 'x', sizeof(field));
		invalid_utf8_field(p, size, bad, field, sizeof(field));
		FUZZ_ASSERT(memchr(field, '\0', sizeof(field)) != NULL);
		FUZZ_ASSERT(utf8_valid(field, strlen(field)));
		return 0;
	}
	FUZZ_ASSERT(utf8_valid(p, size));
	obj = json_loadb(p, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj)
		return 0;
	if (!json_is_object(obj)) {
		json_decref(obj);
		return 0;
	}
	memset(&c, 0, sizeof(c));
	c.api = true;
	c.json = obj;
	for (i = 0; i < ARRAY_LEN(names); i++)
		read_member(&c, names[i]);
	i = 0;
	json_object_foreach(obj, key, v)
	{
		if (i++ == 16)
			break;
		read_member(&c, key);
	}
	json_decref(obj);
	return 0;
}
