/*
 * csv.h - comma-separated values (RFC 4180): a reader, a writer, and the decoding of the
 * text of imported files.
 *
 * The reader walks a buffer one record at a time. Fields may be quoted ("a, b"), quotes
 * inside quoted fields are doubled (""), records end with CRLF, LF or a lone CR, and
 * quoted fields may hold line breaks. Each record knows the physical line it starts on, so
 * an import can tell a person "line 7" as their editor shows it. Fields and records are
 * bounded (max_field bytes, max_fields fields), so no input grows memory without limit.
 * Leniencies, as spreadsheets write: a quote inside an unquoted field is kept as a
 * character; a missing line break at the end is fine. Strictness: text after a closing
 * quote and an unterminated quote are errors with their line.
 *
 * Files offices send come from Excel: UTF-8 with a byte order mark ("CSV UTF-8"), or the
 * Windows code page of Chinese systems (GBK, which GB18030 contains). csv_decode turns any
 * of them into UTF-8 and says which it was.
 *
 * Threads: a reader belongs to one thread; the other functions are thread-safe.
 */
#ifndef SHENLIAO_BASE_CSV_H
#define SHENLIAO_BASE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

#define CSV_FIELD_MAX  ((size_t)64 * 1024) /* default bound of one field, in bytes */
#define CSV_FIELDS_MAX ((size_t)1024)	   /* default bound of the fields of one record */

struct csv_reader {
	/* the input, borrowed for the reader's life */
	const char *p;
	size_t n;
	size_t pos;
	/* settings: csv_reader_init sets defaults; change them before the first csv_next */
	char sep;	   /* field separator, ',' */
	size_t max_field;  /* bytes of one field */
	size_t max_fields; /* fields of one record */
	size_t line;	   /* physical line (from 1) of p[pos] */
	/* the current record, valid until the next csv_next */
	size_t rec_line; /* physical line its first byte is on */
	size_t nfields;
	struct buf data; /* its fields, each followed by a NUL */
	size_t *off;	 /* nfields offsets into data ... */
	size_t *len;	 /* ... and lengths */
	size_t cap;	 /* room in off and len */
	/* the error that stopped the reader (static strings), 0/NULL while none */
	int err;
	size_t err_line;
	const char *err_zh, *err_en;
};

/* csv_reader_init prepares r to read p[0..n) (borrowed; not copied), with the separator
 * ',' and the default bounds. A UTF-8 byte order mark at the start is skipped. Allocates
 * nothing; release with csv_reader_fini. */
void csv_reader_init(struct csv_reader *r, const char *p, size_t n);

/* csv_reader_fini frees r's memory. */
void csv_reader_fini(struct csv_reader *r);

/* csv_next reads the next record into r (r->nfields, csv_field, r->rec_line). An empty
 * line is a record of one empty field. Returns ERR_OK with a record; ERR_NOT_FOUND at the
 * end of the input; ERR_INVALID for malformed CSV and ERR_TOO_BIG for a field or record
 * over the bounds (r->err_line and r->err_zh / r->err_en say where and what); ERR_NOMEM.
 * After an error every further call returns it again. */
int csv_next(struct csv_reader *r) WARN_UNUSED;

/* csv_field returns field i of the current record, NUL-terminated, borrowed until the
 * next csv_next; "" (length 0) when the record has fewer fields. len may be NULL. */
const char *csv_field(const struct csv_reader *r, size_t i, size_t *len);

/* csv_record_blank reports whether every field of the current record is empty. */
bool csv_record_blank(const struct csv_reader *r);

/* csv_put_field appends one field to out: a comma first unless it is the record's first,
 * then p[0..n), in quotes (with " doubled) when it holds a comma, a quote, CR or LF, or
 * starts or ends with a space. ERR_TOO_BIG when out's bound is reached (out unchanged
 * up to the partial field). */
int csv_put_field(struct buf *out, bool first, const char *p, size_t n) WARN_UNUSED;

/* csv_end_record appends the CRLF that ends a record. */
int csv_end_record(struct buf *out) WARN_UNUSED;

enum csv_encoding {
	CSV_ENC_UTF8 = 0, /* valid UTF-8, no byte order mark */
	CSV_ENC_UTF8_BOM, /* UTF-8 after a byte order mark (Excel "CSV UTF-8") */
	CSV_ENC_UTF16,	  /* UTF-16 with its byte order mark (Excel "Unicode text") */
	CSV_ENC_GB18030,  /* not UTF-8: taken as GB18030, which covers GBK and GB2312 */
};

/* Where and why csv_decode refused a file. */
struct csv_fault {
	size_t line;	     /* physical line (from 1) of the first byte that is not text */
	const char *zh, *en; /* what is wrong there ("无效的 UTF-8" ...; static strings) */
};

/* csv_decode appends the text of the file p[0..n) to out as UTF-8: a UTF-8 byte order
 * mark is dropped; valid UTF-8 is taken as it is; a UTF-16 byte order mark selects
 * UTF-16; anything else is converted from GB18030 with iconv. *enc gets the encoding
 * found. ERR_INVALID when the bytes are not text in that encoding or hold a NUL
 * character; ERR_TOO_BIG when out's bound is reached; ERR_NOMEM; out is left as it was on
 * error. A file that is not valid UTF-8 is still taken for UTF-8 with a defect (and so
 * refused, not read as GB18030) when it has a UTF-8 byte order mark or when more of its
 * sequences are well-formed UTF-8 multi-byte characters than ill-formed ones, as in a
 * UTF-8 file with a stray bad byte; GB18030 text is almost never so. On ERR_INVALID, *why
 * (may be NULL) gets the physical line of the first byte that is not text (csv.h's line
 * counting: a quoted field over several lines counts as several) and why: invalid UTF-8, a
 * NUL byte, invalid UTF-16, or bytes that are neither UTF-8 nor GB18030. */
int csv_decode(const char *p, size_t n, struct buf *out, enum csv_encoding *enc,
	       struct csv_fault *why) WARN_UNUSED;

/* csv_encoding_name returns "utf-8", "utf-8-bom", "utf-16" or "gb18030". */
const char *csv_encoding_name(enum csv_encoding enc);

#endif
