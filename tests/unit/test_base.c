/*
 * test_base.c - the pure helpers of src/base: UTF-8 validation, the bounded buffer, HTML
 * escaping, checked integer parsing; and urlencoded form decoding from src/http.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "base/util.h"
#include "http/http.h"

#define V(s) utf8_valid(s, sizeof(s) - 1)
#define S(s) s, sizeof(s) - 1

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(V(""));
	assert_true(V("hello"));
	assert_true(V("深聊会"));
	assert_true(V("\xc2\x80"));	    /* U+0080 */
	assert_true(V("\xef\xbf\xbf"));	    /* U+FFFF */
	assert_true(V("\xf0\x9f\x98\x80")); /* U+1F600 */
	assert_true(V("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
	assert_true(V("\xed\x9f\xbf"));	    /* U+D7FF, just below the surrogates */
}

static void test_utf8_invalid(void **state)
{
	(void)state;
	assert_false(V("\x80"));	     /* lone continuation */
	assert_false(V("\xc3\x28"));	     /* bad continuation */
	assert_false(V("\xc0\xaf"));	     /* overlong '/' */
	assert_false(V("\xc1\xbf"));	     /* overlong */
	assert_false(V("\xe0\x80\xaf"));     /* overlong 3-byte */
	assert_false(V("\xf0\x80\x80\xaf")); /* overlong 4-byte */
	assert_false(V("\xed\xa0\x80"));     /* surrogate U+D800 */
	assert_false(V("\xed\xbf\xbf"));     /* surrogate U+DFFF */
	assert_false(V("\xf4\x90\x80\x80")); /* above U+10FFFF */
	assert_false(V("\xf5\x80\x80\x80"));
	assert_false(V("\xff"));
	assert_false(V("\xe6\xb7"));	     /* truncated 深 */
	assert_false(utf8_valid("a\0b", 3)); /* NUL */
	assert_int_equal(utf8_first_invalid("ab\xffz", 4), 2);
	assert_int_equal(utf8_first_invalid("深\xe8", 4), 3);
}

/* The physical line of a byte, as an editor counts: LF, CRLF and a lone CR end a line. */
static void test_utf8_line_at(void **state)
{
	static const char t[] = "a\nb\r\nc\rd\n\n\"e\nf\"";
	(void)state;
	assert_int_equal(utf8_line_at(t, sizeof(t) - 1, 0), 1);
	assert_int_equal(utf8_line_at(t, sizeof(t) - 1, 1), 1); /* the LF itself is on line 1 */
	assert_int_equal(utf8_line_at(t, sizeof(t) - 1, 2), 2);
	assert_int_equal(utf8_line_at(t, sizeof(t) - 1, 4), 2); /* the LF of CRLF */
	assert_int_equal(utf8_line_at(t, sizeof(t) - 1, 5), 3);
	assert_int_equal(utf8_line_at(t, sizeof(t) - 1, 7), 4);	 /* after a lone CR */
	assert_int_equal(utf8_line_at(t, sizeof(t) - 1, 9), 5);	 /* an empty line */
	assert_int_equal(utf8_line_at(t, sizeof(t) - 1, 11), 6); /* a quoted field over two lines */
	assert_int_equal(utf8_line_at(t, sizeof(t) - 1, 13), 7);
	assert_int_equal(utf8_line_at(t, sizeof(t) - 1, 15), 7); /* the end */
	assert_int_equal(utf8_line_at("", 0, 0), 1);
}

/* utf8_check_text: where a file stops being text, with its line and why. */
static void test_utf8_check_text(void **state)
{
	static const struct {
		const char *bad; /* put on line 3 */
		size_t n;
		bool nul;
	} cases[] = {
	    {"\xc0\xaf", 2, false},	    /* overlong '/' */
	    {"\xe0\x80\xaf", 3, false},	    /* overlong 3-byte */
	    {"\xf0\x80\x80\xaf", 4, false}, /* overlong 4-byte */
	    {"\xed\xa0\x80", 3, false},	    /* surrogate U+D800 */
	    {"\xf4\x90\x80\x80", 4, false}, /* above U+10FFFF */
	    {"\xff", 1, false},		    /* never in UTF-8 */
	    {"\x80", 1, false},		    /* lone continuation */
	    {"\xe6\xb7", 2, false},	    /* truncated 深 */
	    {"\0", 1, true},		    /* NUL */
	};
	const char *zh, *en;
	size_t i, line;
	(void)state;

	assert_int_equal(utf8_check_text(S("深聊\n会\n"), &line, &zh, &en), 11);
	assert_int_equal(utf8_check_text("", 0, &line, &zh, &en), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char t[64];
		size_t n = 0, at;

		memcpy(t, "id,\xe6\xb7\xb1\r\n\"x\ny\",", 14); /* a field over lines 2-3 */
		n = 14;
		memcpy(t + n, cases[i].bad, cases[i].n);
		n += cases[i].n;
		memcpy(t + n, "z\n4\n", 4);
		n += 4;
		line = 0;
		zh = en = NULL;
		at = utf8_check_text(t, n, &line, &zh, &en);
		assert_int_equal(at, 14);
		assert_int_equal(line, 3);
		assert_string_equal(zh, cases[i].nul ? "含有 NUL 字节" : "无效的 UTF-8");
		assert_string_equal(en, cases[i].nul ? "contains a NUL byte" : "invalid UTF-8");
		assert_false(utf8_valid(t, n));
	}
	/* line may be NULL and so may the texts */
	assert_int_equal(utf8_check_text(S("ok\xff"), NULL, NULL, NULL), 2);
}

static void test_utf8_count(void **state)
{
	(void)state;
	assert_int_equal(utf8_count("深聊会 ok", strlen("深聊会 ok")), 6);
	assert_int_equal(utf8_count("", 0), 0);
}

static void test_buf_bounds(void **state)
{
	struct buf b;
	(void)state;

	buf_init(&b, 8);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(buf_puts(&b, "12345"), ERR_OK);
	assert_int_equal(buf_puts(&b, "6789"), ERR_TOO_BIG);
	assert_int_equal(b.n, 5); /* unchanged on error */
	assert_string_equal(buf_cstr(&b), "12345");
	assert_int_equal(buf_printf(&b, "%d", 678), ERR_OK);
	assert_string_equal(buf_cstr(&b), "12345678");
	assert_int_equal(buf_putc(&b, 'x'), ERR_TOO_BIG);
	buf_reset(&b);
	assert_int_equal(b.n, 0);
	buf_fini(&b);
	buf_fini(&b); /* twice is fine */
}

static void test_buf_html(void **state)
{
	struct buf b;
	const char *in = "<a href=\"x\">Tom & Jerry's</a>";
	(void)state;

	buf_init(&b, 1024);
	assert_int_equal(buf_append_html(&b, in, strlen(in)), ERR_OK);
	assert_string_equal(buf_cstr(&b),
			    "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
	buf_fini(&b);
}

static void test_num_parse(void **state)
{
	int64_t v = 7;
	(void)state;

	assert_int_equal(num_parse("42", 2, 0, 100, &v), ERR_OK);
	assert_int_equal(v, 42);
	assert_int_equal(num_parse("-5", 2, -10, 10, &v), ERR_OK);
	assert_int_equal(v, -5);
	v = 7;
	assert_int_equal(num_parse("101", 3, 0, 100, &v), ERR_INVALID);
	assert_int_equal(num_parse("", 0, 0, 100, &v), ERR_INVALID);
	assert_int_equal(num_parse("-", 1, -10, 100, &v), ERR_INVALID);
	assert_int_equal(num_parse("1a", 2, 0, 100, &v), ERR_INVALID);
	assert_int_equal(num_parse(" 1", 2, 0, 100, &v), ERR_INVALID);
	assert_int_equal(num_parse("+1", 2, 0, 100, &v), ERR_INVALID);
	assert_int_equal(num_parse("99999999999999999999", 20, 0, INT64_MAX, &v), ERR_INVALID);
	assert_int_equal(num_parse("9223372036854775807", 19, 0, INT64_MAX, &v), ERR_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(num_parse("9223372036854775808", 19, 0, INT64_MAX, &v), ERR_INVALID);
	assert_int_equal(num_parse("-9223372036854775808", 20, INT64_MIN, 0, &v), ERR_OK);
	assert_true(v == INT64_MIN);
}

static void test_array_grow(void **state)
{
	int64_t *a = NULL, *x;
	size_t n = 0, i;

	(void)state;
	for (i = 0; i < 100; i++) {
		x = array_grow(&a, &n, sizeof(*a));
		assert_non_null(x);
		assert_int_equal(*x, 0); /* zeroed */
		*x = (int64_t)i;
	}
	assert_int_equal(n, 100);
	for (i = 0; i < n; i++)
		assert_int_equal(a[i], (int64_t)i);
	free(a);
}

static void test_form(void **state)
{
	const char *body = "a=1&name=%E6%B7%B1%E8%81%8A+ok&empty=&flag&x=%2B%26";
	struct form f;
	const struct http_param *p;
	(void)state;

	assert_int_equal(form_parse(body, strlen(body), 10, &f), ERR_OK);
	assert_int_equal(f.n, 5);
	p = form_get(&f, "name");
	assert_non_null(p);
	assert_string_equal(p->value, "深聊 ok");
	assert_string_equal(form_get(&f, "empty")->value, "");
	assert_string_equal(form_get(&f, "flag")->value, "");
	assert_string_equal(form_get(&f, "x")->value, "+&");
	assert_null(form_get(&f, "missing"));
	form_fini(&f);
	assert_int_equal(form_parse("a=%zz", 5, 10, &f), ERR_INVALID);
	assert_int_equal(form_parse("a=%4", 4, 10, &f), ERR_INVALID);
	assert_int_equal(form_parse("a=1&b=2&c=3", 11, 2, &f), ERR_TOO_BIG);
	assert_int_equal(form_parse("", 0, 2, &f), ERR_OK);
	assert_int_equal(f.n, 0);
	form_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_valid),	 cmocka_unit_test(test_utf8_invalid),
	    cmocka_unit_test(test_utf8_line_at), cmocka_unit_test(test_utf8_check_text),
	    cmocka_unit_test(test_utf8_count),	 cmocka_unit_test(test_buf_bounds),
	    cmocka_unit_test(test_buf_html),	 cmocka_unit_test(test_array_grow),
	    cmocka_unit_test(test_num_parse),	 cmocka_unit_test(test_form),
	};

	return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
