/*
 * test_sheet.c - table exports (src/view/sheet): CSV bytes exactly, XLSX as a zip holding
 * the sheets with their names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "view/sheet.h"

/* has reports whether hay[0..n) contains the C string needle. */
static int has(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return 1;
	return 0;
}

static json_t *people_rows(void)
{
	return json_pack("[[s s i] [s s f] [s n b] [s s s]]", "张三", "政协委员", 42, "Li, Ming",
			 "say \"hi\"", 0.5, "two\nlines", 1, "=1+2", "+86 755 1234", "-3");
}

static void test_csv_bytes(void **state)
{
	json_t *header = json_pack("[s s s]", "姓名", "类别", "数");
	json_t *rows = people_rows();
	struct sheet s = {"人员", header, rows};
	struct buf b;
	static const char want[] = "\xef\xbb\xbf"
				   "姓名,类别,数\r\n"
				   "张三,政协委员,42\r\n"
				   "\"Li, Ming\",\"say \"\"hi\"\"\",0.5\r\n"
				   "\"two\nlines\",,TRUE\r\n"
				   "'=1+2,'+86 755 1234,'-3\r\n";
	(void)state;

	buf_init(&b, 1 << 20);
	assert_int_equal(sheet_csv(&s, &b), ERR_OK);
	assert_int_equal(b.n, sizeof(want) - 1);
	assert_memory_equal(b.p, want, b.n);
	buf_fini(&b);
	json_decref(header);
	json_decref(rows);
}

static void test_csv_numbers_and_errors(void **state)
{
	json_t *header = json_pack("[s s s s]", "a", "b", "c", "d");
	json_t *rows =
	    json_pack("[[I f f b]]", (json_int_t)-9007199254740993LL, 1.0 / 3.0, -2.5, 0);
	json_t *bad = json_pack("[[{}]]");
	struct sheet s = {"x", header, rows};
	struct buf b;
	(void)state;

	buf_init(&b, 1 << 20);
	assert_int_equal(sheet_csv(&s, &b), ERR_OK);
	/* numbers are never taken for formulas: no apostrophe before a negative number */
	assert_string_equal(buf_cstr(&b),
			    "\xef\xbb\xbf"
			    "a,b,c,d\r\n-9007199254740993,0.333333333333333,-2.5,FALSE\r\n");
	buf_reset(&b);
	s.rows = bad;
	assert_int_equal(sheet_csv(&s, &b), ERR_INVALID);
	s.rows = header; /* not an array of arrays */
	buf_reset(&b);
	assert_int_equal(sheet_csv(&s, &b), ERR_INVALID);
	s.rows = NULL;
	assert_int_equal(sheet_csv(&s, &b), ERR_INVALID);
	buf_fini(&b);
	/* the bound of out */
	s.rows = rows;
	buf_init(&b, 8);
	assert_int_equal(sheet_csv(&s, &b), ERR_TOO_BIG);
	buf_fini(&b);
	json_decref(header);
	json_decref(rows);
	json_decref(bad);
}

/* unzip_member runs `unzip -p` on xlsx to read one member; NULL when unzip is missing. */
static char *unzip_member(const struct buf *xlsx, const char *member)
{
	char path[] = "/tmp/test-sheet-XXXXXX", cmd[256];
	struct buf out;
	char chunk[4096];
	size_t k;
	FILE *f;
	int fd;

	if (system("command -v unzip >/dev/null 2>&1") != 0)
		return NULL;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, xlsx->p, xlsx->n), (ssize_t)xlsx->n);
	close(fd);
	snprintf(cmd, sizeof(cmd), "unzip -p %s %s", path, member);
	f = popen(cmd, "r");
	assert_non_null(f);
	buf_init(&out, 1 << 24);
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(&out, chunk, k), ERR_OK);
	pclose(f);
	unlink(path);
	return buf_detach(&out);
}

/* A percentage cell {"percent": r}: "86.7%" in CSV (as people read it), a number with the
 * percent format 0.0% in XLSX; any other object stays refused. */
static void test_percent(void **state)
{
	json_t *header = json_pack("[s s]", "指标", "数值");
	json_t *rows = json_pack("[[s {sf}] [s {sI}] [s s]]", "立案率", "percent", 0.8667, "办复率",
				 "percent", (json_int_t)1, "满意率", "—");
	json_t *bad = json_pack("[[{sfsi}]]", "percent", 0.5, "x", 1);
	json_t *tables;
	struct sheet s = {"总览", header, rows};
	struct buf b;
	double r = 0;
	char *xml;
	(void)state;

	assert_true(sheet_percent(json_array_get(json_array_get(rows, 0), 1), &r));
	assert_true(fabs(r - 0.8667) < 1e-12);
	assert_false(sheet_percent(json_array_get(json_array_get(rows, 2), 1), &r));
	buf_init(&b, 1 << 20);
	assert_int_equal(sheet_csv(&s, &b), ERR_OK);
	assert_string_equal(buf_cstr(&b),
			    "\xef\xbb\xbf"
			    "指标,数值\r\n立案率,86.7%\r\n办复率,100.0%\r\n满意率,—\r\n");
	buf_reset(&b);
	assert_int_equal(sheet_xlsx(&s, 1, &b), ERR_OK);
	xml = unzip_member(&b, "xl/worksheets/sheet1.xml");
	if (xml) {
		/* numbers, not shared strings */
		assert_non_null(strstr(xml, "<v>0.8667</v>"));
		assert_non_null(strstr(xml, "<v>1</v>"));
		free(xml);
		xml = unzip_member(&b, "xl/styles.xml");
		assert_non_null(strstr(xml, "formatCode=\"0.0%\""));
		free(xml);
		xml = unzip_member(&b, "xl/sharedStrings.xml");
		assert_null(strstr(xml, "86.7%"));
		free(xml);
	}
	s.rows = bad;
	buf_reset(&b);
	assert_int_equal(sheet_csv(&s, &b), ERR_INVALID);
	/* for a page: the cells in place as text */
	tables = json_pack("[{sO}]", "rows", rows);
	sheet_tables_text(tables);
	assert_string_equal(json_string_value(json_array_get(json_array_get(rows, 0), 1)), "86.7%");
	assert_string_equal(json_string_value(json_array_get(json_array_get(rows, 1), 1)),
			    "100.0%");
	json_decref(tables);
	buf_fini(&b);
	json_decref(header);
	json_decref(rows);
	json_decref(bad);
}

static void test_xlsx_one(void **state)
{
	json_t *header = json_pack("[s s s]", "姓名", "类别", "数");
	json_t *rows = people_rows();
	struct sheet s = {"人员", header, rows};
	struct buf b;
	char *xml;
	(void)state;

	buf_init(&b, 1 << 24);
	assert_int_equal(sheet_xlsx(&s, 1, &b), ERR_OK);
	assert_true(b.n > 100);
	assert_memory_equal(b.p, "PK", 2);
	/* the zip's directory names the worksheet */
	assert_true(has(b.p, b.n, "xl/worksheets/sheet1.xml"));
	assert_false(has(b.p, b.n, "xl/worksheets/sheet2.xml"));
	xml = unzip_member(&b, "xl/workbook.xml");
	if (xml) {
		assert_true(has(xml, strlen(xml), "name=\"人员\""));
		free(xml);
		xml = unzip_member(&b, "xl/sharedStrings.xml");
		assert_non_null(xml);
		assert_true(has(xml, strlen(xml), "张三"));
		/* XLSX cells are typed: formula-like text stays as written */
		assert_true(has(xml, strlen(xml), ">=1+2<"));
		free(xml);
		xml = unzip_member(&b, "xl/worksheets/sheet1.xml");
		assert_non_null(xml);
		assert_true(has(xml, strlen(xml), "<pane ")); /* the header row is frozen */
		assert_true(has(xml, strlen(xml), "<cols>")); /* widths set */
		free(xml);
		xml = unzip_member(&b, "xl/styles.xml");
		assert_non_null(xml);
		assert_true(has(xml, strlen(xml), "<b/>")); /* a bold font for the header */
		free(xml);
	}
	buf_fini(&b);
	json_decref(header);
	json_decref(rows);
}

static void test_xlsx_many(void **state)
{
	json_t *header = json_pack("[s s]", "a", "b");
	json_t *rows = json_pack("[[i i]]", 1, 2);
	struct sheet s[4] = {
	    {"统计", header, rows},
	    {"统计", header, rows}, /* repeated: gets " (2)" */
	    {"a/b:c*d?e[f]\\g and a name longer than 31 characters", header, rows}, /* fitted */
	    {NULL, header, rows}, /* none: "Sheet4" */
	};
	struct buf b;
	char *xml;
	(void)state;

	buf_init(&b, 1 << 24);
	assert_int_equal(sheet_xlsx(s, 4, &b), ERR_OK);
	assert_memory_equal(b.p, "PK", 2);
	assert_true(has(b.p, b.n, "xl/worksheets/sheet4.xml"));
	xml = unzip_member(&b, "xl/workbook.xml");
	if (xml) {
		size_t n = strlen(xml);

		assert_true(has(xml, n, "name=\"统计\""));
		assert_true(has(xml, n, "name=\"统计 (2)\""));
		assert_true(has(xml, n, "name=\"a_b_c_d_e_f__g and a name longe\""));
		assert_true(has(xml, n, "name=\"Sheet4\""));
		free(xml);
	}
	buf_fini(&b);
	assert_int_equal(sheet_xlsx(s, 0, &b), ERR_INVALID);
	json_decref(header);
	json_decref(rows);
}

static void test_xlsx_limits(void **state)
{
	json_t *header = json_pack("[s]", "long");
	json_t *rows = json_array();
	json_t *bad = json_pack("[[[]]]");
	struct sheet s = {"x", header, rows};
	struct buf b;
	char *big = malloc(40000);
	(void)state;

	assert_non_null(big);
	memset(big, 'x', 39999);
	big[39999] = '\0';
	json_array_append_new(rows, json_pack("[s]", big));
	buf_init(&b, 1 << 24);
	assert_int_equal(sheet_xlsx(&s, 1, &b), ERR_TOO_BIG);
	s.rows = bad;
	assert_int_equal(sheet_xlsx(&s, 1, &b), ERR_INVALID);
	buf_fini(&b);
	free(big);
	json_decref(header);
	json_decref(rows);
	json_decref(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_bytes),	cmocka_unit_test(test_csv_numbers_and_errors),
	    cmocka_unit_test(test_xlsx_one),	cmocka_unit_test(test_xlsx_many),
	    cmocka_unit_test(test_xlsx_limits), cmocka_unit_test(test_percent),
	};

	return cmocka_run_group_tests_name("sheet", tests, NULL, NULL);
}
