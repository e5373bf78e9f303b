/*
 * test_security.c - password hashing (argon2id) round trip, token hashing, random tokens,
 * and the CSRF decision for every kind of caller.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "view/markdown.h"
#include "model/model.h"
#include "web/web.h"

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static void test_password_round_trip(void **state)
{
	char h1[256], h2[256];
	(void)state;

	assert_int_equal(password_hash("correct horse 深聊", h1, sizeof(h1)), ERR_OK);
	assert_true(strncmp(h1, "$argon2id$", 10) == 0);
	assert_true(password_verify(h1, "correct horse 深聊"));
	assert_false(password_verify(h1, "correct horse"));
	assert_false(password_verify(h1, ""));
	/* salted: the same password hashes differently */
	assert_int_equal(password_hash("correct horse 深聊", h2, sizeof(h2)), ERR_OK);
	assert_string_not_equal(h1, h2);
	assert_true(password_verify(h2, "correct horse 深聊"));
	/* an unknown user (no hash) never verifies */
	assert_false(password_verify(NULL, "anything"));
	assert_int_equal(password_hash("x", h1, 8), ERR_TOO_BIG);
}

static void test_password_rules(void **state)
{
	struct verr e;
	(void)state;

	assert_int_equal(password_check("short", &e), ERR_INVALID);
	assert_string_equal(e.field, "password");
	assert_int_equal(password_check("long enough", &e), ERR_OK);
	assert_int_equal(password_check("bad\xff\xfe utf8", &e), ERR_INVALID);
}

static void test_tokens(void **state)
{
	char a[65], b[65], h1[65], h2[65];
	(void)state;

	rand_token(32, a);
	rand_token(32, b);
	assert_int_equal(strlen(a), 64);
	assert_string_not_equal(a, b);
	hash_token(a, 64, h1);
	hash_token(a, 64, h2);
	assert_string_equal(h1, h2);
	hash_token(b, 64, h2);
	assert_string_not_equal(h1, h2);
	assert_string_not_equal(h1, a);
}

static void test_constant_time_compare(void **state)
{
	(void)state;
	assert_true(str_eq_ct("abc", "abc"));
	assert_false(str_eq_ct("abc", "abd"));
	assert_false(str_eq_ct("abc", "abcd"));
	assert_false(str_eq_ct("", "")); /* empty tokens never match */
}

/* Links and images in a record keep safe schemes and relative paths; anything else
 * (javascript:, data:, vbscript:) is blanked, wherever it stands in the text. */
static void test_markdown_links(void **state)
{
	static const char md[] = "[a](https://example.org/x?y=1) [b](javascript:alert(1))\n\n"
				 "![c](data:text/html,hi) [d](/sessions/3) [e](mailto:x@y.cn)\n\n"
				 "a = b, href=\"javascript:z\" stays text [f](JavaScript:1)";
	struct buf out;

	(void)state;
	buf_init(&out, 1 << 16);
	assert_int_equal(buf_puts(&out, "<p>prefix</p>"), 0);
	assert_int_equal(markdown_html(md, strlen(md), &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "href=\"https://example.org/x?y=1"));
	assert_non_null(strstr(buf_cstr(&out), "href=\"/sessions/3\""));
	assert_non_null(strstr(buf_cstr(&out), "href=\"mailto:x@y.cn\""));
	assert_null(strstr(buf_cstr(&out), "href=\"javascript"));
	assert_null(strstr(buf_cstr(&out), "href=\"JavaScript"));
	assert_null(strstr(buf_cstr(&out), "src=\"data:"));
	assert_non_null(strstr(buf_cstr(&out), "href=\"###"));
	assert_non_null(strstr(buf_cstr(&out), "<p>prefix</p>"));
	buf_fini(&out);
}

static void test_csrf(void **state)
{
	const char *s = "5f2b9f0c5f2b9f0c5f2b9f0c5f2b9f0c5f2b9f0c5f2b9f0c5f2b9f0c5f2b9f0c";
	const char *t = "0000000000000000000000000000000000000000000000000000000000000000";
	(void)state;

	/* cookie sign-in: the session's token, nothing else */
	assert_true(csrf_valid(AUTH_COOKIE, true, s, s, NULL));
	assert_true(csrf_valid(AUTH_COOKIE, false, s, s, NULL));
	assert_false(csrf_valid(AUTH_COOKIE, true, NULL, s, NULL));
	assert_false(csrf_valid(AUTH_COOKIE, true, t, s, NULL));
	assert_false(csrf_valid(AUTH_COOKIE, true, "", "", NULL));
	/* the double-submit cookie does not stand in for a session's token */
	assert_false(csrf_valid(AUTH_COOKIE, false, t, s, t));
	/* bearer tokens cannot be sent by another site's page: no CSRF token needed */
	assert_true(csrf_valid(AUTH_BEARER, true, NULL, NULL, NULL));
	/* anonymous JSON needs a CORS preflight to come cross-site */
	assert_true(csrf_valid(AUTH_NONE, true, NULL, NULL, NULL));
	/* anonymous forms: token must equal the double-submit cookie */
	assert_true(csrf_valid(AUTH_NONE, false, t, NULL, t));
	assert_false(csrf_valid(AUTH_NONE, false, t, NULL, NULL));
	assert_false(csrf_valid(AUTH_NONE, false, NULL, NULL, t));
	assert_false(csrf_valid(AUTH_NONE, false, s, NULL, t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_password_round_trip),
	    cmocka_unit_test(test_password_rules),
	    cmocka_unit_test(test_tokens),
	    cmocka_unit_test(test_constant_time_compare),
	    cmocka_unit_test(test_csrf),
	    cmocka_unit_test(test_markdown_links),
	};

	return cmocka_run_group_tests_name("security", tests, setup, NULL);
}
