/*
 * test_smtp.c - the message of http/smtp.h: addresses that may stand in a header, the
 * RFC 2047 Subject (every line at most 78 characters, no character split between two
 * encoded-words, decoding back to the text), the Date and Message-ID, the base64 body with
 * CRLF line ends, and HOST:PORT checking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "http/smtp.h"

static void test_addr_ok(void **state)
{
	(void)state;
	assert_true(smtp_addr_ok("a@example.cn"));
	assert_true(smtp_addr_ok("first.last+tag@mail.example.cn"));
	assert_false(smtp_addr_ok(NULL));
	assert_false(smtp_addr_ok(""));
	assert_false(smtp_addr_ok("no-at"));
	assert_false(smtp_addr_ok("@example.cn"));
	assert_false(smtp_addr_ok("a@"));
	assert_false(smtp_addr_ok("a@b@c.cn"));
	assert_false(smtp_addr_ok("a b@example.cn"));
	assert_false(smtp_addr_ok("a\r\nBcc:x@example.cn")); /* header injection */
	assert_false(smtp_addr_ok("a>@example.cn"));
	assert_false(smtp_addr_ok("a,b@example.cn"));
	assert_false(smtp_addr_ok("张@example.cn"));
}

static void test_server_set(void **state)
{
	struct smtp_server s;

	(void)state;
	assert_int_equal(smtp_server_set(&s, "127.0.0.1:2525", "n@x.cn", NULL, NULL, NULL), ERR_OK);
	assert_string_equal(s.url, "smtp://127.0.0.1:2525");
	assert_string_equal(s.user, "");
	assert_int_equal(
	    smtp_server_set(&s, "smtp.example.cn:587", "n@x.cn", "u", "secret", "/ca.pem"), ERR_OK);
	assert_string_equal(s.password, "secret");
	smtp_server_fini(&s);
	assert_string_equal(s.password, "");
	assert_int_equal(smtp_server_set(&s, "[::1]:25", "n@x.cn", NULL, NULL, NULL), ERR_OK);
	assert_int_equal(smtp_server_set(&s, "host", "n@x.cn", NULL, NULL, NULL), ERR_INVALID);
	assert_int_equal(smtp_server_set(&s, "host:0", "n@x.cn", NULL, NULL, NULL), ERR_INVALID);
	assert_int_equal(smtp_server_set(&s, "host:70000", "n@x.cn", NULL, NULL, NULL),
			 ERR_INVALID);
	assert_int_equal(smtp_server_set(&s, "ho st:25", "n@x.cn", NULL, NULL, NULL), ERR_INVALID);
	assert_int_equal(smtp_server_set(&s, "h/x:25", "n@x.cn", NULL, NULL, NULL), ERR_INVALID);
	assert_int_equal(smtp_server_set(&s, ":25", "n@x.cn", NULL, NULL, NULL), ERR_INVALID);
	assert_int_equal(smtp_server_set(&s, "host:25", "bad", NULL, NULL, NULL), ERR_INVALID);
}

/* decode_subject joins the encoded-words of the Subject header in msg into out. */
static void decode_subject(const char *msg, char *out, size_t cap)
{
	const char *p = strstr(msg, "\r\nSubject: "), *end;
	size_t n = 0;

	assert_non_null(p);
	p += 11;
	end = strstr(p, "\r\nMIME-Version");
	assert_non_null(end);
	while (p < end) {
		const char *w = strstr(p, "=?UTF-8?B?"), *q;
		size_t got = 0;

		assert_non_null(w);
		w += 10;
		q = strstr(w, "?=");
		assert_non_null(q);
		assert_int_equal(sodium_base642bin((unsigned char *)out + n, cap - n - 1, w,
						   (size_t)(q - w), NULL, &got, NULL,
						   sodium_base64_VARIANT_ORIGINAL),
				 0);
		/* every word holds whole characters: it decodes to valid UTF-8 on its own */
		{
			char one[128];

			memcpy(one, out + n, got);
			one[got] = '\0';
			assert_true(got == 0 || (((unsigned char)one[0] & 0xC0) != 0x80));
		}
		n += got;
		p = q + 2;
		if (strncmp(p, "\r\n ", 3) == 0)
			p += 3;
	}
	out[n] = '\0';
}

static void test_message(void **state)
{
	char subject[1024], got[1024];
	struct smtp_mail m;
	struct buf out;
	const char *line, *nl, *body;
	size_t i;

	(void)state;
	/* a long subject of Chinese, ASCII and a 4-byte character, so the cuts fall anywhere */
	subject[0] = '\0';
	for (i = 0; i < 9; i++)
		snprintf(subject + strlen(subject), sizeof(subject) - strlen(subject),
			 "深聊会邀请 %zu：社区养老😀", i);
	m.from = "noreply@shenliao.test";
	m.to = "a@example.cn";
	m.subject = subject;
	m.body = "第一行\nline two\n";
	m.date = 1700000000; /* Tue, 14 Nov 2023 22:13:20 +0000 */
	m.id = 42;
	buf_init(&out, 1 << 20);
	assert_int_equal(smtp_message(&m, &out), ERR_OK);
	assert_non_null(strstr(out.p, "From: <noreply@shenliao.test>\r\n"));
	assert_non_null(strstr(out.p, "\r\nTo: <a@example.cn>\r\n"));
	assert_non_null(strstr(out.p, "\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
	assert_non_null(strstr(out.p, "\r\nMessage-ID: <1700000000.42."));
	assert_non_null(strstr(out.p, ".shenliao@shenliao.test>\r\n"));
	assert_non_null(strstr(out.p, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"));
	assert_non_null(strstr(out.p, "\r\nContent-Transfer-Encoding: base64\r\n"));
	body = strstr(out.p, "\r\n\r\n");
	assert_non_null(body);
	/* headers: ASCII, CRLF, no line over 78 characters */
	for (line = out.p; line < body + 2; line = nl + 2) {
		nl = strstr(line, "\r\n");
		assert_non_null(nl);
		assert_true(nl - line <= 78);
		for (i = 0; line + i < nl; i++)
			assert_true((unsigned char)line[i] < 0x80 && line[i] != '\n');
	}
	decode_subject(out.p, got, sizeof(got));
	assert_string_equal(got, subject);
	/* the body decodes to the text with CRLF line ends */
	{
		unsigned char dec[256];
		size_t n = 0;

		body += 4;
		assert_int_equal(sodium_base642bin(dec, sizeof(dec) - 1, body, strlen(body), "\r\n",
						   &n, NULL, sodium_base64_VARIANT_ORIGINAL),
				 0);
		dec[n] = '\0';
		assert_string_equal((char *)dec, "第一行\r\nline two\r\n");
	}
	/* refused: an address that could inject a header, text that is not UTF-8 */
	buf_reset(&out);
	m.to = "a@example.cn\r\nBcc: b@example.cn";
	assert_int_equal(smtp_message(&m, &out), ERR_INVALID);
	m.to = "a@example.cn";
	m.subject = "\xff\xfe";
	assert_int_equal(smtp_message(&m, &out), ERR_INVALID);
	buf_fini(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addr_ok),
	    cmocka_unit_test(test_server_set),
	    cmocka_unit_test(test_message),
	};

	return cmocka_run_group_tests_name("smtp", tests, NULL, NULL);
}
