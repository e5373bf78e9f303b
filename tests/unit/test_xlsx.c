/*
 * test_xlsx.c - reading the first worksheet of an XLSX workbook as CSV (src/base/xlsx):
 * a workbook written by our own export (view/sheet.c, libxlsxwriter) and one written by
 * another tool (tests/data/xlsx/people-minimal.xlsx, made with Python's zipfile by
 * make_minimal.py there: the first sheet found through the relationships, shared strings
 * with rich text and a phonetic guide, inline strings, a formula's cached text, a phone
 * stored as 1.3800138E+10, a row left out, a column skipped, booleans), and files that are
 * not workbooks. Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/xlsx.h"
#include "view/sheet.h"

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	p = malloc((size_t)len);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return p;
}

static void test_other_tool(void **state)
{
	struct xlsx_fault why = {NULL, NULL};
	struct buf out;
	size_t n;
	char *p = slurp("tests/data/xlsx/people-minimal.xlsx", &n);

	(void)state;
	buf_init(&out, 1 << 20);
	assert_true(xlsx_is_zip(p, n));
	assert_int_equal(xlsx_to_csv(p, n, &out, &why), ERR_OK);
	assert_string_equal(out.p, "姓名,类别,电话,工作单位,公开姓名\r\n"
				   /* rich text joined, phonetic guide left out, trailing space
				    * kept (quoted); the phone a whole number; a line break in
				    * a cell a space */
				   "\"表格甲 \",expert,13800138000,深圳大学 海洋学院,TRUE\r\n"
				   /* a skipped column, a formula's cached text */
				   "表格乙,member,,市医院\r\n"
				   /* row 4 left out: an empty record, so line 5 is row 5 */
				   "\r\n"
				   "表格丙,citizen,13900000002,,FALSE\r\n");
	buf_fini(&out);
	free(p);
}

static void test_own_export(void **state)
{
	json_t *header = json_pack("[sss]", "姓名", "电话", "人数");
	json_t *rows = json_pack("[[sIi][ss n]]", "导出甲", (json_int_t)13800138000LL, 12,
				 "=SUM(A1)", "x,\"y\"");
	struct sheet s = {"人员", header, rows};
	struct xlsx_fault why = {NULL, NULL};
	struct buf x, out;

	(void)state;
	buf_init(&x, 1 << 22);
	buf_init(&out, 1 << 20);
	assert_int_equal(sheet_xlsx(&s, 1, &x), ERR_OK);
	assert_int_equal(xlsx_to_csv(x.p, x.n, &out, &why), ERR_OK);
	/* the number cell 13800138000 stays a whole number; text comes back as written (the
	 * apostrophe before formula-like text is the export's, dropped by the importer) */
	assert_non_null(strstr(out.p, "姓名,电话,人数\r\n"));
	assert_non_null(strstr(out.p, "导出甲,13800138000,12\r\n"));
	assert_non_null(strstr(out.p, "\"x,\"\"y\"\"\""));
	buf_fini(&x);
	buf_fini(&out);
	json_decref(header);
	json_decref(rows);
}

static void test_not_a_workbook(void **state)
{
	struct xlsx_fault why = {NULL, NULL};
	struct buf out;
	size_t n;
	char *p;

	(void)state;
	buf_init(&out, 1 << 20);
	assert_int_equal(xlsx_to_csv("姓名,类别\n", strlen("姓名,类别\n"), &out, &why),
			 ERR_INVALID);
	assert_non_null(strstr(why.en, "not a zip"));
	assert_int_equal(out.n, 0);
	/* a zip archive cut short */
	p = slurp("tests/data/xlsx/people-minimal.xlsx", &n);
	assert_int_equal(xlsx_to_csv(p, n / 2, &out, &why), ERR_INVALID);
	assert_non_null(why.zh);
	assert_int_equal(out.n, 0);
	free(p);
	/* an out bound too small: ERR_TOO_BIG, out as it was */
	buf_fini(&out);
	buf_init(&out, 16);
	p = slurp("tests/data/xlsx/people-minimal.xlsx", &n);
	assert_int_equal(xlsx_to_csv(p, n, &out, &why), ERR_TOO_BIG);
	assert_int_equal(out.n, 0);
	free(p);
	buf_fini(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_other_tool),
	    cmocka_unit_test(test_own_export),
	    cmocka_unit_test(test_not_a_workbook),
	};

	return cmocka_run_group_tests_name("xlsx", tests, NULL, NULL);
}
