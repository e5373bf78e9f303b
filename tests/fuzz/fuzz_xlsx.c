/*
 * fuzz_xlsx.c - the XLSX reader of the people import (base/xlsx.c): xlsx_to_csv on the
 * input as a workbook, with a large bound and with a tiny one (to reach ERR_TOO_BIG). Seeds:
 * the workbooks of tests/data/xlsx (made by another tool) and one written by our export.
 *
 * Invariants: the answer is ERR_OK, ERR_INVALID (with both messages), ERR_TOO_BIG or
 * ERR_NOMEM; on error the output is as it was; on success the text holds no NUL, every
 * physical line ends with CRLF (one record per sheet row, no line break inside a cell) and
 * it reads back as CSV without error.
 */
#include <string.h>

#include "base/csv.h"
#include "base/xlsx.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void check(const uint8_t *data, size_t size, size_t max)
{
	struct xlsx_fault why = {NULL, NULL};
	struct csv_reader r;
	struct buf out;
	size_t i;
	int rc;

	buf_init(&out, max);
	FUZZ_ASSERT(buf_puts(&out, "x") == ERR_OK || max < 2);
	rc = xlsx_to_csv(data, size, &out, &why);
	FUZZ_ASSERT(rc == ERR_OK || rc == ERR_INVALID || rc == ERR_TOO_BIG || rc == ERR_NOMEM);
	if (rc == ERR_INVALID)
		FUZZ_ASSERT(why.zh && why.en);
	if (rc) {
		FUZZ_ASSERT(out.n == (max < 2 ? 0 : 1));
		buf_fini(&out);
		return;
	}
	FUZZ_ASSERT(memchr(out.p, '\0', out.n) == NULL);
	for (i = 1; i < out.n; i++) {
		if (out.p[i] == '\n')
			FUZZ_ASSERT(out.p[i - 1] == '\r');
		if (out.p[i] == '\r')
			FUZZ_ASSERT(i + 1 < out.n && out.p[i + 1] == '\n');
	}
	csv_reader_init(&r, out.p + 1, out.n - 1);
	while ((rc = csv_next(&r)) == ERR_OK)
		;
	FUZZ_ASSERT(rc == ERR_NOT_FOUND);
	csv_reader_fini(&r);
	buf_fini(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, (size_t)8 << 20);
	check(data, size, 64);
	return 0;
}
