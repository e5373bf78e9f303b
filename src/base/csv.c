/*
 * csv.c - the CSV reader and writer and the decoding of imported text (see csv.h).
 *
 * The reader copies each record's fields into one buffer (quoted fields must be unescaped,
 * so they cannot be views into the input) and keeps an offset and a length per field.
 * Unquoted fields and the runs between quotes are copied in spans, not byte by byte.
 */
#include "csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static const char utf8_bom[] = "\xef\xbb\xbf";

void csv_reader_init(struct csv_reader *r, const char *p, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->n = n;
	r->sep = ',';
	r->max_field = CSV_FIELD_MAX;
	r->max_fields = CSV_FIELDS_MAX;
	r->line = 1;
	buf_init(&r->data, BUF_MAX_DEFAULT);
	if (n >= 3 && memcmp(p, utf8_bom, 3) == 0)
		r->pos = 3;
}

void csv_reader_fini(struct csv_reader *r)
{
	buf_fini(&r->data);
	free(r->off);
	free(r->len);
	r->off = r->len = NULL;
	r->cap = r->nfields = 0;
}

/* stop records the error that ends the reader and returns rc. */
static int stop(struct csv_reader *r, int rc, size_t line, const char *zh, const char *en)
{
	r->err = rc;
	r->err_line = line;
	r->err_zh = zh;
	r->err_en = en;
	return rc;
}

static int field_start(struct csv_reader *r)
{
	if (r->nfields >= r->max_fields)
		return stop(r, ERR_TOO_BIG, r->line, "一行中的字段过多",
			    "a record has too many fields");
	if (r->nfields == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		size_t *off, *len;

		if (cap > r->max_fields)
			cap = r->max_fields;
		off = realloc(r->off, cap * sizeof(*off));
		if (!off)
			return stop(r, ERR_NOMEM, r->line, "内存不足", "out of memory");
		r->off = off;
		len = realloc(r->len, cap * sizeof(*len));
		if (!len)
			return stop(r, ERR_NOMEM, r->line, "内存不足", "out of memory");
		r->len = len;
		r->cap = cap;
	}
	r->off[r->nfields] = r->data.n;
	r->len[r->nfields] = 0;
	r->nfields++;
	return ERR_OK;
}

/* field_add appends p[0..n) to the field being read. */
static int field_add(struct csv_reader *r, const char *p, size_t n)
{
	size_t *len = &r->len[r->nfields - 1];
	int rc;

	if (n > r->max_field - *len)
		return stop(r, ERR_TOO_BIG, r->line, "字段过长", "a field is too long");
	rc = buf_append(&r->data, p, n);
	if (rc)
		return stop(r, rc, r->line, "内存不足", "out of memory");
	*len += n;
	return ERR_OK;
}

static int field_end(struct csv_reader *r)
{
	int rc = buf_putc(&r->data, '\0');

	return rc ? stop(r, rc, r->line, "内存不足", "out of memory") : ERR_OK;
}

/* count_lines counts the line breaks in p[0..n): CRLF, LF and a lone CR count once. */
static size_t count_lines(const char *p, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n')))
			k++;
	return k;
}

/* end_line consumes the line break at r->pos (CRLF, LF or CR). */
static void end_line(struct csv_reader *r)
{
	if (r->p[r->pos] == '\r' && r->pos + 1 < r->n && r->p[r->pos + 1] == '\n')
		r->pos++;
	r->pos++;
	r->line++;
}

/* read_quoted reads a quoted field whose opening quote is at r->pos. */
static int read_quoted(struct csv_reader *r)
{
	size_t qline = r->line;
	int rc;

	r->pos++;
	for (;;) {
		const char *q;
		size_t end;

		if (r->pos >= r->n)
			return stop(r, ERR_INVALID, qline,
				    "引号未闭合（从这一行开始的带引号字段没有结束）",
				    "a quoted field starting on this line is not closed");
		q = memchr(r->p + r->pos, '"', r->n - r->pos);
		end = q ? (size_t)(q - r->p) : r->n;
		r->line += count_lines(r->p + r->pos, end - r->pos);
		rc = field_add(r, r->p + r->pos, end - r->pos);
		if (rc)
			return rc;
		r->pos = end;
		if (!q)
			continue;
		if (r->pos + 1 < r->n && r->p[r->pos + 1] == '"') {
			rc = field_add(r, "\"", 1);
			if (rc)
				return rc;
			r->pos += 2;
			continue;
		}
		r->pos++; /* the closing quote */
		return ERR_OK;
	}
}

int csv_next(struct csv_reader *r)
{
	int rc;

	if (r->err)
		return r->err;
	if (r->pos >= r->n)
		return ERR_NOT_FOUND;
	buf_reset(&r->data);
	r->nfields = 0;
	r->rec_line = r->line;
	for (;;) {
		rc = field_start(r);
		if (rc)
			return rc;
		if (r->pos < r->n && r->p[r->pos] == '"') {
			rc = read_quoted(r);
			if (!rc)
				rc = field_end(r);
			if (rc)
				return rc;
			if (r->pos < r->n && r->p[r->pos] != r->sep && r->p[r->pos] != '\r' &&
			    r->p[r->pos] != '\n')
				return stop(r, ERR_INVALID, r->line, "右引号后面还有其他字符",
					    "text follows a closing quote");
		} else {
			size_t start = r->pos;

			while (r->pos < r->n && r->p[r->pos] != r->sep && r->p[r->pos] != '\r' &&
			       r->p[r->pos] != '\n')
				r->pos++;
			rc = field_add(r, r->p + start, r->pos - start);
			if (!rc)
				rc = field_end(r);
			if (rc)
				return rc;
		}
		if (r->pos >= r->n)
			return ERR_OK;
		if (r->p[r->pos] != r->sep) {
			end_line(r);
			return ERR_OK;
		}
		r->pos++;
	}
}

const char *csv_field(const struct csv_reader *r, size_t i, size_t *len)
{
	if (i >= r->nfields) {
		if (len)
			*len = 0;
		return "";
	}
	if (len)
		*len = r->len[i];
	return r->data.p + r->off[i];
}

bool csv_record_blank(const struct csv_reader *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (r->len[i])
			return false;
	return true;
}

int csv_put_field(struct buf *out, bool first, const char *p, size_t n)
{
	bool quote = n > 0 && (p[0] == ' ' || p[n - 1] == ' ');
	size_t i, start;
	int rc = ERR_OK;

	for (i = 0; i < n && !quote; i++)
		quote = p[i] == ',' || p[i] == '"' || p[i] == '\r' || p[i] == '\n';
	if (!first)
		rc = buf_putc(out, ',');
	if (!rc && !quote)
		return buf_append(out, p, n);
	if (!rc)
		rc = buf_putc(out, '"');
	for (i = start = 0; !rc && i < n; i++) {
		if (p[i] != '"')
			continue;
		rc = buf_append(out, p + start, i + 1 - start); /* through the quote ... */
		if (!rc)
			rc = buf_putc(out, '"'); /* ... and once more */
		start = i + 1;
	}
	if (!rc)
		rc = buf_append(out, p + start, n - start);
	if (!rc)
		rc = buf_putc(out, '"');
	return rc;
}

int csv_end_record(struct buf *out)
{
	return buf_append(out, "\r\n", 2);
}

/* fault records where and why a file is not text. */
static int fault(struct csv_fault *why, size_t line, const char *zh, const char *en)
{
	why->line = line;
	why->zh = zh;
	why->en = en;
	return ERR_INVALID;
}

/* convert appends p[0..n) converted from charset "from" to UTF-8 to out; the result must
 * be valid UTF-8 without NUL characters. Bytes that are not "from" are a fault (zh, en) on
 * the line the text converted before them ends on. */
static int convert(const char *from, const char *p, size_t n, struct buf *out,
		   struct csv_fault *why, const char *zh, const char *en)
{
	char chunk[16384];
	char *in = (char *)p; /* iconv's prototype; the input is not written to */
	size_t inleft = n, line;
	const char *z, *e2;
	struct buf tmp;
	iconv_t cd;
	int rc = ERR_OK;

	cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return ERR_IO;
	buf_init(&tmp, out->max);
	while (inleft > 0) {
		char *o = chunk;
		size_t oleft = sizeof(chunk), k;
		int e;

		k = iconv(cd, &in, &inleft, &o, &oleft);
		e = errno;
		rc = buf_append(&tmp, chunk, sizeof(chunk) - oleft);
		if (rc)
			goto out;
		if (k == (size_t)-1 && e != E2BIG) {
			/* EILSEQ: not this charset; EINVAL: cut off at the end */
			rc = fault(why, utf8_line_at(tmp.p ? tmp.p : "", tmp.n, tmp.n), zh, en);
			goto out;
		}
	}
	if (utf8_check_text(tmp.p ? tmp.p : "", tmp.n, &line, &z, &e2) < tmp.n)
		rc = fault(why, line, z, e2);
	if (!rc)
		rc = buf_append(out, tmp.p ? tmp.p : "", tmp.n);
out:
	iconv_close(cd);
	buf_fini(&tmp);
	return rc;
}

/* mostly_utf8 reports whether more of p[0..n)'s sequences are well-formed UTF-8 multi-byte
 * characters than ill-formed ones (each byte that starts no well-formed sequence counting
 * as one; NUL bytes as neither): a UTF-8 file with a few bad bytes, not GB18030, whose
 * pairs of bytes seldom happen to be UTF-8. */
static bool mostly_utf8(const char *p, size_t n)
{
	size_t i = 0, good = 0, bad = 0;

	while (i < n) {
		size_t k = i + utf8_first_invalid(p + i, n - i), j;

		for (j = i; j < k; j++)
			good += (unsigned char)p[j] >= 0xc2; /* a lead byte of a valid sequence */
		if (k == n)
			break;
		bad += p[k] != '\0';
		i = k + 1;
	}
	return good > bad;
}

int csv_decode(const char *p, size_t n, struct buf *out, enum csv_encoding *enc,
	       struct csv_fault *why)
{
	struct csv_fault none;
	size_t bad;

	if (!why)
		why = &none;
	memset(why, 0, sizeof(*why));
	if (n >= 3 && memcmp(p, utf8_bom, 3) == 0) {
		*enc = CSV_ENC_UTF8_BOM;
		if (utf8_check_text(p, n, &why->line, &why->zh, &why->en) < n)
			return ERR_INVALID; /* (the mark itself is valid UTF-8) */
		return buf_append(out, p + 3, n - 3);
	}
	if (n >= 2 && (((unsigned char)p[0] == 0xff && (unsigned char)p[1] == 0xfe) ||
		       ((unsigned char)p[0] == 0xfe && (unsigned char)p[1] == 0xff))) {
		*enc = CSV_ENC_UTF16;
		/* the mark gives the byte order */
		return convert("UTF-16", p, n, out, why, "无效的 UTF-16", "invalid UTF-16");
	}
	bad = utf8_check_text(p, n, &why->line, &why->zh, &why->en);
	if (bad == n) {
		*enc = CSV_ENC_UTF8;
		return buf_append(out, p, n);
	}
	if (p[bad] == '\0' || mostly_utf8(p, n)) {
		*enc = CSV_ENC_UTF8; /* a NUL is refused in any encoding */
		return ERR_INVALID;
	}
	memset(why, 0, sizeof(*why));
	*enc = CSV_ENC_GB18030;
	return convert("GB18030", p, n, out, why, "既不是有效的 UTF-8，也不是有效的 GB18030",
		       "neither valid UTF-8 nor valid GB18030");
}

const char *csv_encoding_name(enum csv_encoding enc)
{
	switch (enc) {
	case CSV_ENC_UTF8:
		return "utf-8";
	case CSV_ENC_UTF8_BOM:
		return "utf-8-bom";
	case CSV_ENC_UTF16:
		return "utf-16";
	case CSV_ENC_GB18030:
		return "gb18030";
	}
	return "unknown";
}
