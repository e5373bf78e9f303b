/*
 * test_csv.c - the CSV reader and writer and the decoding of imported text (src/base/csv).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"

#define S(lit) lit, sizeof(lit) - 1

/* expect_record reads the next record and checks its line and fields (NULL-terminated). */
static void expect_record(struct csv_reader *r, size_t line, ...)
{
	const char *want;
	va_list ap;
	size_t i = 0;

	assert_int_equal(csv_next(r), ERR_OK);
	assert_int_equal(r->rec_line, line);
	va_start(ap, line);
	while ((want = va_arg(ap, const char *)) != NULL) {
		size_t n;
		const char *got = csv_field(r, i, &n);

		assert_true(i < r->nfields);
		assert_int_equal(n, strlen(want));
		assert_memory_equal(got, want, n);
		assert_int_equal(got[n], '\0');
		i++;
	}
	va_end(ap);
	assert_int_equal(r->nfields, i);
}

static void test_plain(void **state)
{
	struct csv_reader r;
	(void)state;

	csv_reader_init(&r, S("姓名,类别\r\n张三,member\nli,expert"));
	expect_record(&r, 1, "姓名", "类别", NULL);
	expect_record(&r, 2, "张三", "member", NULL);
	expect_record(&r, 3, "li", "expert", NULL); /* no line break at the end */
	assert_int_equal(csv_next(&r), ERR_NOT_FOUND);
	assert_int_equal(csv_next(&r), ERR_NOT_FOUND);
	/* fields past the end of a record read as empty */
	assert_string_equal(csv_field(&r, 7, NULL), "");
	csv_reader_fini(&r);
}

static void test_quoting(void **state)
{
	struct csv_reader r;
	(void)state;

	csv_reader_init(&r, S("\"a,b\",\"say \"\"hi\"\"\",\"\",x\"y\n\"\"\"\"\n"));
	expect_record(&r, 1, "a,b", "say \"hi\"", "", "x\"y", NULL);
	expect_record(&r, 2, "\"", NULL);
	assert_int_equal(csv_next(&r), ERR_NOT_FOUND);
	csv_reader_fini(&r);
}

static void test_empty_fields_and_lines(void **state)
{
	struct csv_reader r;
	(void)state;

	csv_reader_init(&r, S("a,,c,\n\n,\r\n"));
	expect_record(&r, 1, "a", "", "c", "", NULL);
	expect_record(&r, 2, "", NULL);
	assert_true(csv_record_blank(&r));
	expect_record(&r, 3, "", "", NULL);
	assert_true(csv_record_blank(&r));
	assert_int_equal(csv_next(&r), ERR_NOT_FOUND);
	csv_reader_fini(&r);
}

static void test_line_breaks(void **state)
{
	struct csv_reader r;
	(void)state;

	/* CRLF, LF and a lone CR each end one line; breaks inside quotes count as lines */
	csv_reader_init(&r, S("h1,h2\r\n\"two\r\nlines\",x\n\"three\nmore\rlines\",y\rlast,z\r\n"));
	expect_record(&r, 1, "h1", "h2", NULL);
	expect_record(&r, 2, "two\r\nlines", "x", NULL);
	expect_record(&r, 4, "three\nmore\rlines", "y", NULL);
	expect_record(&r, 7, "last", "z", NULL);
	assert_int_equal(csv_next(&r), ERR_NOT_FOUND);
	csv_reader_fini(&r);
}

static void test_bom_skipped(void **state)
{
	struct csv_reader r;
	(void)state;

	csv_reader_init(&r, S("\xef\xbb\xbf姓名,类别\n"));
	expect_record(&r, 1, "姓名", "类别", NULL);
	csv_reader_fini(&r);
}

static void test_errors(void **state)
{
	struct csv_reader r;
	(void)state;

	csv_reader_init(&r, S("a,b\nc,\"open\nstill open\n"));
	expect_record(&r, 1, "a", "b", NULL);
	assert_int_equal(csv_next(&r), ERR_INVALID);
	assert_int_equal(r.err_line, 2); /* where the quote opened */
	assert_non_null(r.err_zh);
	assert_non_null(r.err_en);
	assert_int_equal(csv_next(&r), ERR_INVALID); /* the reader stays stopped */
	csv_reader_fini(&r);

	csv_reader_init(&r, S("ok\n\"quoted\"tail,x\n"));
	expect_record(&r, 1, "ok", NULL);
	assert_int_equal(csv_next(&r), ERR_INVALID);
	assert_int_equal(r.err_line, 2);
	csv_reader_fini(&r);
}

static void test_bounds(void **state)
{
	struct csv_reader r;
	char *big;
	size_t i;
	(void)state;

	csv_reader_init(&r, S("12345678,x\n123456789,x\n"));
	r.max_field = 8;
	expect_record(&r, 1, "12345678", "x", NULL);
	assert_int_equal(csv_next(&r), ERR_TOO_BIG);
	assert_int_equal(r.err_line, 2);
	csv_reader_fini(&r);

	/* quoted fields are bounded too, across their doubled quotes */
	csv_reader_init(&r, S("\"1234\"\"5678\"\n"));
	r.max_field = 8;
	assert_int_equal(csv_next(&r), ERR_TOO_BIG);
	csv_reader_fini(&r);

	csv_reader_init(&r, S("a,b,c\na,b,c,d\n"));
	r.max_fields = 3;
	expect_record(&r, 1, "a", "b", "c", NULL);
	assert_int_equal(csv_next(&r), ERR_TOO_BIG);
	csv_reader_fini(&r);

	/* the default field bound */
	big = malloc(CSV_FIELD_MAX + 2);
	assert_non_null(big);
	for (i = 0; i < CSV_FIELD_MAX + 1; i++)
		big[i] = 'x';
	csv_reader_init(&r, big, CSV_FIELD_MAX);
	assert_int_equal(csv_next(&r), ERR_OK);
	assert_int_equal(r.len[0], CSV_FIELD_MAX);
	csv_reader_fini(&r);
	csv_reader_init(&r, big, CSV_FIELD_MAX + 1);
	assert_int_equal(csv_next(&r), ERR_TOO_BIG);
	csv_reader_fini(&r);
	free(big);
}

static void test_many_fields(void **state)
{
	struct csv_reader r;
	char line[400];
	size_t i, o = 0;
	(void)state;

	for (i = 0; i < 100; i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%zu", i ? "," : "", i % 10);
	csv_reader_init(&r, line, o);
	assert_int_equal(csv_next(&r), ERR_OK);
	assert_int_equal(r.nfields, 100);
	assert_string_equal(csv_field(&r, 99, NULL), "9");
	csv_reader_fini(&r);
}

static void test_writer(void **state)
{
	struct buf b;
	struct csv_reader r;
	(void)state;

	buf_init(&b, 1024);
	assert_int_equal(csv_put_field(&b, true, S("plain")), ERR_OK);
	assert_int_equal(csv_put_field(&b, false, S("a,b")), ERR_OK);
	assert_int_equal(csv_put_field(&b, false, S("say \"hi\"")), ERR_OK);
	assert_int_equal(csv_put_field(&b, false, S("two\nlines")), ERR_OK);
	assert_int_equal(csv_put_field(&b, false, S(" padded ")), ERR_OK);
	assert_int_equal(csv_put_field(&b, false, S("")), ERR_OK);
	assert_int_equal(csv_put_field(&b, false, S("深聊会")), ERR_OK);
	assert_int_equal(csv_end_record(&b), ERR_OK);
	assert_string_equal(
	    buf_cstr(&b),
	    "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded \",,深聊会\r\n");
	/* and it reads back */
	csv_reader_init(&r, b.p, b.n);
	expect_record(&r, 1, "plain", "a,b", "say \"hi\"", "two\nlines", " padded ", "", "深聊会",
		      NULL);
	csv_reader_fini(&r);
	buf_fini(&b);

	buf_init(&b, 4);
	assert_int_equal(csv_put_field(&b, true, S("toolong")), ERR_TOO_BIG);
	buf_fini(&b);
}

static void test_decode_utf8(void **state)
{
	enum csv_encoding enc;
	struct buf b;
	(void)state;

	buf_init(&b, 1024);
	assert_int_equal(csv_decode(S("张三,政协委员"), &b, &enc, NULL), ERR_OK);
	assert_int_equal(enc, CSV_ENC_UTF8);
	assert_string_equal(buf_cstr(&b), "张三,政协委员");
	assert_string_equal(csv_encoding_name(enc), "utf-8");
	buf_reset(&b);
	assert_int_equal(csv_decode(S("\xef\xbb\xbf张三,政协委员"), &b, &enc, NULL), ERR_OK);
	assert_int_equal(enc, CSV_ENC_UTF8_BOM);
	assert_string_equal(buf_cstr(&b), "张三,政协委员");
	assert_string_equal(csv_encoding_name(enc), "utf-8-bom");
	buf_reset(&b);
	assert_int_equal(csv_decode("", 0, &b, &enc, NULL), ERR_OK);
	assert_int_equal(b.n, 0);
	/* a BOM followed by bytes that are not UTF-8 is refused */
	assert_int_equal(csv_decode(S("\xef\xbb\xbf\xd5\xc5"), &b, &enc, NULL), ERR_INVALID);
	buf_fini(&b);
}

static void test_decode_gb18030(void **state)
{
	/* "张三,政协委员" in GBK (and so GB18030) */
	static const char gbk[] = "\xd5\xc5\xc8\xfd,\xd5\xfe\xd0\xad\xce\xaf\xd4\xb1";
	/* "€😀": a two-byte and a four-byte GB18030 sequence that GBK does not have */
	static const char gb4[] = "\xa2\xe3\x94\x39\xfc\x36";
	enum csv_encoding enc;
	struct buf b;
	(void)state;

	buf_init(&b, 1024);
	assert_int_equal(csv_decode(S(gbk), &b, &enc, NULL), ERR_OK);
	assert_int_equal(enc, CSV_ENC_GB18030);
	assert_string_equal(buf_cstr(&b), "张三,政协委员");
	assert_string_equal(csv_encoding_name(enc), "gb18030");
	buf_reset(&b);
	assert_int_equal(csv_decode(S(gb4), &b, &enc, NULL), ERR_OK);
	assert_string_equal(buf_cstr(&b), "€😀");
	buf_reset(&b);
	/* neither: a lead byte cut off at the end; a NUL */
	assert_int_equal(csv_decode(S("ok\xd5"), &b, &enc, NULL), ERR_INVALID);
	assert_int_equal(b.n, 0); /* out left as it was */
	assert_int_equal(csv_decode(S("a\0b"), &b, &enc, NULL), ERR_INVALID);
	assert_int_equal(b.n, 0);
	buf_fini(&b);

	/* the bound of out holds for converted text */
	buf_init(&b, 4);
	assert_int_equal(csv_decode(S(gbk), &b, &enc, NULL), ERR_TOO_BIG);
	buf_fini(&b);
}

static void test_decode_utf16(void **state)
{
	enum csv_encoding enc;
	struct buf b;
	(void)state;

	buf_init(&b, 1024);
	assert_int_equal(csv_decode(S("\xff\xfe\xf1\x6d\x4a\x80,\x00"), &b, &enc, NULL), ERR_OK);
	assert_int_equal(enc, CSV_ENC_UTF16);
	assert_string_equal(buf_cstr(&b), "深聊,");
	buf_reset(&b);
	assert_int_equal(csv_decode(S("\xfe\xff\x6d\xf1\x80\x4a"), &b, &enc, NULL), ERR_OK);
	assert_string_equal(buf_cstr(&b), "深聊");
	buf_fini(&b);
}

/* A file that is not text is refused with the physical line of its first bad byte and why:
 * UTF-8 (declared by a byte order mark, or mostly well-formed) with a bad sequence is
 * invalid UTF-8 there, not taken for GB18030; bytes that are no GB18030 either are named as
 * such; a NUL is refused in any encoding. */
static void test_decode_faults(void **state)
{
	/* lines 1-2 well-formed UTF-8 with Chinese, a quoted field over lines 2-3, line 3 bad */
#define HEAD "姓名,类别\n\"张\n三\","
	static const struct {
		const char *text;
		size_t n;
		size_t line;
		const char *zh;
	} cases[] = {
	    {S(HEAD "\xc0\xaf委员\n李四,委员\n"), 3, "无效的 UTF-8"},
	    {S(HEAD "\xe0\x80\xaf委员\n李四,委员\n"), 3, "无效的 UTF-8"},
	    {S(HEAD "\xed\xa0\x80委员\n李四,委员\n"), 3, "无效的 UTF-8"},
	    {S(HEAD "\xf4\x90\x80\x80委员\n李四,委员\n"), 3, "无效的 UTF-8"},
	    {S(HEAD "\0委员\n李四,委员\n"), 3, "含有 NUL 字节"},
	    {S("\xef\xbb\xbfname,category\r\nA,member\r\nB\xc0\xaf,member\r\n"), 3,
	     "无效的 UTF-8"}, /* a byte order mark says UTF-8, whatever GB18030 makes of it */
	    /* GBK "姓名,类别\r\n张三,委员\r\n" then a lead byte without its second byte */
	    {S("\xd0\xd5\xc3\xfb,\xc0\xe0\xb1\xf0\r\n\xd5\xc5\xc8\xfd,\xce\xaf\xd4\xb1\r\n"
	       "\xc0\xee\xcb\xc4\xd5,\xce\xaf\xd4\xb1\r\n"),
	     3, "既不是有效的 UTF-8，也不是有效的 GB18030"},
	    {S("\xd0\xd5\xc3\xfb,\xc0\xe0\xb1\xf0\n\xd5\xc5\0\n"), 2, "含有 NUL 字节"},
	    {S("\xff\xfe"
	       "a\0\n\0b\0\n\0\x00\xdc"),
	     3, "无效的 UTF-16"}, /* a lone low surrogate */
	};
	struct csv_fault why;
	enum csv_encoding enc;
	struct buf b;
	size_t i;
	(void)state;

	buf_init(&b, 1024);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&why, 0, sizeof(why));
		assert_int_equal(csv_decode(cases[i].text, cases[i].n, &b, &enc, &why),
				 ERR_INVALID);
		assert_int_equal(b.n, 0);
		assert_int_equal(why.line, cases[i].line);
		assert_string_equal(why.zh, cases[i].zh);
		assert_non_null(why.en);
	}
	/* the GB18030 of the cases above, whole, still imports */
	assert_int_equal(csv_decode(S("\xd0\xd5\xc3\xfb,\xc0\xe0\xb1\xf0\r\n\xc0\xee\xcb\xc4\r\n"),
				    &b, &enc, &why),
			 ERR_OK);
	assert_int_equal(enc, CSV_ENC_GB18030);
	assert_string_equal(buf_cstr(&b), "姓名,类别\r\n李四\r\n");
	buf_fini(&b);
#undef HEAD
}

/* An import in GBK reads like one in UTF-8 once decoded. */
static void test_decode_then_read(void **state)
{
	static const char gbk[] = "\xd0\xd5\xc3\xfb,\xc0\xe0\xb1\xf0\r\n" /* 姓名,类别 */
				  "\xd5\xc5\xc8\xfd,\xd5\xfe\xd0\xad\xce\xaf\xd4\xb1\r\n";
	enum csv_encoding enc;
	struct csv_reader r;
	struct buf b;
	(void)state;

	buf_init(&b, 1024);
	assert_int_equal(csv_decode(S(gbk), &b, &enc, NULL), ERR_OK);
	csv_reader_init(&r, b.p, b.n);
	expect_record(&r, 1, "姓名", "类别", NULL);
	expect_record(&r, 2, "张三", "政协委员", NULL);
	assert_int_equal(csv_next(&r), ERR_NOT_FOUND);
	csv_reader_fini(&r);
	buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_quoting),
	    cmocka_unit_test(test_empty_fields_and_lines),
	    cmocka_unit_test(test_line_breaks),
	    cmocka_unit_test(test_bom_skipped),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_many_fields),
	    cmocka_unit_test(test_writer),
	    cmocka_unit_test(test_decode_utf8),
	    cmocka_unit_test(test_decode_gb18030),
	    cmocka_unit_test(test_decode_utf16),
	    cmocka_unit_test(test_decode_faults),
	    cmocka_unit_test(test_decode_then_read),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
