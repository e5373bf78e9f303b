/*
 * test_i18n.c - the two catalogs (every i18n/zh*.json against every i18n/en*.json, as
 * embedded in the binary and merged by view_init) hold the same keys, each a string (it may
 * be empty: "第 %d 页" has a word after the number that English has not): a word added in
 * one language only would show its key to the readers of the other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "view/view.h"

static int setup(void **state)
{
	(void)state;
	return view_init() == ERR_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	view_fini();
	return 0;
}

/* missing_in counts (and prints) the keys of catalog from that are absent from catalog to
 * or not strings. */
static int missing_in(const char *from, const char *to)
{
	const json_t *a = view_catalog(from), *b = view_catalog(to), *v;
	const char *key;
	int bad = 0;

	json_object_foreach((json_t *)a, key, v)
	{
		const json_t *w = json_object_get(b, key);

		if (!w) {
			print_error("i18n key \"%s\" is in the %s catalog and missing from %s\n",
				    key, from, to);
			bad++;
		} else if (!json_is_string(v)) {
			print_error("i18n key \"%s\" is not a string in %s\n", key, from);
			bad++;
		}
	}
	return bad;
}

static void test_zh_keys_in_en(void **state)
{
	(void)state;
	assert_int_equal(missing_in("zh", "en"), 0);
}

static void test_en_keys_in_zh(void **state)
{
	(void)state;
	assert_int_equal(missing_in("en", "zh"), 0);
}

static void test_catalogs_differ(void **state)
{
	(void)state;
	/* the two are distinct catalogs, not one returned twice */
	assert_ptr_not_equal(view_catalog("zh"), view_catalog("en"));
	assert_string_not_equal(view_text("zh", "status_draft"), view_text("en", "status_draft"));
	assert_true(json_object_size(view_catalog("zh")) > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zh_keys_in_en),
	    cmocka_unit_test(test_en_keys_in_zh),
	    cmocka_unit_test(test_catalogs_differ),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
