/*
 * fuzz_csv.c - the CSV layer of every import (base/csv.c): csv_decode, which takes a file
 * in UTF-8 (with or without a byte order mark), UTF-16 or GB18030 to UTF-8, then the reader
 * over the decoded text (with the default bounds and with tiny ones, to reach the bound
 * errors), and the writer. Seeds: CSV files in UTF-8 and GB18030.
 *
 * Invariants: decoded text is valid UTF-8 without NUL and fits the bound the people
 * import gives it (twice the input); valid UTF-8 without a byte order mark decodes to
 * itself; an error names a line that exists; records start on non-decreasing lines; every
 * record written back with csv_put_field/csv_end_record reads back as the same fields (the
 * round trip of an export and an import).
 */
#include <string.h>

#include "base/csv.h"
#include "base/utf8.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* lines counts physical lines as the reader does (CRLF, LF, lone CR), plus one. */
static size_t lines(const char *p, size_t n)
{
	size_t i, k = 1;

	for (i = 0; i < n; i++)
		if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n')))
			k++;
	return k;
}

/* read_all reads every record of p[0..n), writing each back into out (when not NULL). */
static int read_all(const char *p, size_t n, char sep, size_t max_field, size_t max_fields,
		    struct buf *out)
{
	struct csv_reader r;
	size_t last = 0, nl = lines(p, n), i;
	int rc;

	csv_reader_init(&r, p, n);
	r.sep = sep;
	r.max_field = max_field;
	r.max_fields = max_fields;
	while ((rc = csv_next(&r)) == ERR_OK) {
		FUZZ_ASSERT(r.nfields >= 1 && r.nfields <= max_fields);
		FUZZ_ASSERT(r.rec_line >= last && r.rec_line >= 1 && r.rec_line <= nl);
		last = r.rec_line;
		for (i = 0; i < r.nfields; i++) {
			size_t len;
			const char *f = csv_field(&r, i, &len);

			FUZZ_ASSERT(len <= max_field && f[len] == '\0');
			if (out)
				FUZZ_ASSERT(csv_put_field(out, i == 0, f, len) == ERR_OK);
		}
		FUZZ_ASSERT(*csv_field(&r, r.nfields, NULL) == '\0');
		if (out)
			FUZZ_ASSERT(csv_end_record(out) == ERR_OK);
	}
	FUZZ_ASSERT(rc == ERR_NOT_FOUND || rc == ERR_INVALID || rc == ERR_TOO_BIG);
	if (rc != ERR_NOT_FOUND) {
		FUZZ_ASSERT(r.err == rc && r.err_zh && r.err_en);
		FUZZ_ASSERT(r.err_line >= 1 && r.err_line <= nl);
		FUZZ_ASSERT(csv_next(&r) == rc); /* an error sticks */
	}
	csv_reader_fini(&r);
	return rc;
}

/* same_records checks that a and b (each read with ',') hold the same records. */
static void same_records(const char *a, size_t an, const char *b, size_t bn)
{
	struct csv_reader ra, rb;
	int rca, rcb;
	size_t i;

	csv_reader_init(&ra, a, an);
	csv_reader_init(&rb, b, bn);
	for (;;) {
		rca = csv_next(&ra);
		rcb = csv_next(&rb);
		FUZZ_ASSERT(rca == rcb);
		if (rca)
			break;
		FUZZ_ASSERT(ra.nfields == rb.nfields);
		for (i = 0; i < ra.nfields; i++) {
			size_t la, lb;
			const char *fa = csv_field(&ra, i, &la), *fb = csv_field(&rb, i, &lb);

			FUZZ_ASSERT(la == lb && memcmp(fa, fb, la) == 0);
		}
	}
	csv_reader_fini(&ra);
	csv_reader_fini(&rb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct csv_fault why;
	enum csv_encoding enc;
	struct buf text, out;
	int rc;

	buf_init(&text, 2 * size + 16); /* the people import's bound */
	rc = csv_decode(p, size, &text, &enc, &why);
	FUZZ_ASSERT(rc == ERR_OK || rc == ERR_INVALID);
	FUZZ_ASSERT(strcmp(csv_encoding_name(enc), "unknown") != 0);
	if (rc) {
		FUZZ_ASSERT(text.n == 0);
		/* the fault's line is one of the file's (a UTF-16 file has fewer bytes a line) */
		FUZZ_ASSERT(why.zh && why.en && why.line >= 1 && why.line <= size + 1);
		buf_fini(&text);
		return 0;
	}
	FUZZ_ASSERT(utf8_valid(text.p ? text.p : "", text.n));
	if (utf8_valid(p, size) && !(size >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0))
		FUZZ_ASSERT(text.n == size && (size == 0 || memcmp(text.p, p, size) == 0) &&
			    enc == CSV_ENC_UTF8);

	read_all(text.p ? text.p : "", text.n, '\t', CSV_FIELD_MAX, CSV_FIELDS_MAX, NULL);
	read_all(text.p ? text.p : "", text.n, ',', 8, 4, NULL);
	/* written back (after a byte order mark, as exports start) it reads the same */
	buf_init(&out, (size_t)64 << 20);
	FUZZ_ASSERT(buf_append(&out, "\xef\xbb\xbf", 3) == ERR_OK);
	if (read_all(text.p ? text.p : "", text.n, ',', CSV_FIELD_MAX, CSV_FIELDS_MAX, &out) ==
	    ERR_NOT_FOUND)
		same_records(text.p ? text.p : "", text.n, out.p, out.n);
	buf_fini(&out);
	buf_fini(&text);
	return 0;
}
