/*
 * test_model_valid.c - the text checks every entity of the model shares (model/valid.c):
 * a required text of only white space is as good as none (issue 10, item 11), whatever
 * spaces it is made of, while text with something in it passes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "model/model.h"
#include "model/valid.h"

#define BLANK(s) text_blank(s, sizeof(s) - 1)

static void test_text_blank(void **state)
{
	(void)state;
	assert_true(BLANK(""));
	assert_true(BLANK(" "));
	assert_true(BLANK("   \t\r\n\v\f"));
	assert_true(BLANK("\xe3\x80\x80"));	/* U+3000 ideographic space */
	assert_true(BLANK("\xc2\xa0\xc2\x85")); /* U+00A0, U+0085 */
	assert_true(BLANK("\xe2\x80\x83\xe2\x80\x8b\xe2\x80\xa8\xe2\x80\xaf\xe2\x81\x9f"));
	assert_true(BLANK("\xe1\x9a\x80\xef\xbb\xbf")); /* U+1680, the BOM */
	assert_false(BLANK("x"));
	assert_false(BLANK(" 深聊 "));
	assert_false(BLANK("\xe3\x80\x80\xe3\x80\x81")); /* U+3000 then the comma U+3001 */
	assert_false(BLANK("\xe2\x80\x8c"));		 /* U+200C joins: not a space */
	assert_false(BLANK("\xc2\xa1"));		 /* U+00A1 */
	assert_false(BLANK("0"));
}

static void test_text_check_blank(void **state)
{
	static const char *const blanks[] = {"   ", "\xe3\x80\x80\xe3\x80\x80", " \n\t ",
					     "\xc2\xa0"};
	struct verr e;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(blanks) / sizeof(blanks[0]); i++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(text_check(blanks[i], "title", 1, 200, &e), ERR_INVALID);
		assert_string_equal(e.code, "required");
		assert_string_equal(e.field, "title");
		assert_non_null(strstr(e.zh, "标题"));
	}
	/* an optional text may be blank: it is stored as given */
	assert_int_equal(text_check("   ", "summary", 0, 200, &e), ERR_OK);
	/* "" is still "required", a real text passes, a long one is too long */
	memset(&e, 0, sizeof(e));
	assert_int_equal(text_check("", "title", 1, 200, &e), ERR_INVALID);
	assert_string_equal(e.code, "required");
	assert_int_equal(text_check(" 深聊会 ", "title", 1, 200, NULL), ERR_OK);
	assert_int_equal(text_check("深聊会", "title", 1, 2, &e), ERR_INVALID);
	assert_string_equal(e.code, "too_long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_blank),
	    cmocka_unit_test(test_text_check_blank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
