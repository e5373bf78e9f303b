/*
 * test_mailer.c - what the mail of a notification says (web/mailer.h): the subject and the
 * body in Chinese first, then English, with the titles the inbox shows (json_notify.c) and
 * the full link; and every kind of notification has its title in both catalogs, so no mail
 * ever shows a raw identifier.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "model/notify.h"
#include "view/view.h"
#include "web/mailer.h"

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

static void test_subject_and_body(void **state)
{
	struct buf b;
	const char *zh, *en;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(mailer_text("invitation", "社区养老服务深聊会", "/invitations",
				     "https://zx.example.cn", 1, &b),
			 ERR_OK);
	assert_string_equal(
	    buf_cstr(&b),
	    "邀请您参加深聊会：社区养老服务深聊会 / You are invited to: 社区养老服务深聊会");
	buf_reset(&b);
	assert_int_equal(mailer_text("invitation", "社区养老服务深聊会", "/invitations",
				     "https://zx.example.cn", 0, &b),
			 ERR_OK);
	zh = strstr(buf_cstr(&b), "查看：https://zx.example.cn/invitations\n");
	en = strstr(buf_cstr(&b), "Open: https://zx.example.cn/invitations\n");
	assert_non_null(zh);
	assert_non_null(en);
	assert_true(zh < en);
	assert_non_null(strstr(buf_cstr(&b), "邀请您参加深聊会：社区养老服务深聊会\n"));
	assert_non_null(strstr(buf_cstr(&b), "You are invited to: 社区养老服务深聊会\n"));
	assert_non_null(strstr(buf_cstr(&b), "\n-- \n"));
	buf_fini(&b);
}

static void test_every_kind_has_words(void **state)
{
	static const char *const langs[] = {"zh", "en"};
	char key[80];
	size_t i, l;

	(void)state;
	for (i = 0; notify_kinds[i]; i++)
		for (l = 0; l < 2; l++) {
			snprintf(key, sizeof(key), "notify_title_%s", notify_kinds[i]);
			if (strcmp(view_text(langs[l], key), key) == 0)
				fail_msg("%s: %s missing", langs[l], key);
		}
	for (l = 0; l < 2; l++) {
		assert_string_not_equal(view_text(langs[l], "mail.open"), "mail.open");
		assert_string_not_equal(view_text(langs[l], "mail.footer"), "mail.footer");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_subject_and_body),
	    cmocka_unit_test(test_every_kind_has_words),
	};

	return cmocka_run_group_tests_name("mailer", tests, setup, teardown);
}
