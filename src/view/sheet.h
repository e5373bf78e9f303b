/*
 * sheet.h - tables for download: the same rows as CSV or as an Excel workbook (XLSX).
 *
 * Every export of the product (people, statistics, votes) builds its table once as
 * jansson values and hands it here: a sheet is a name, a header row and rows of cells.
 * A cell is a string, an integer, a real, true/false or null (empty), or a percentage:
 * the object {"percent": ratio} (0.867 is 86.7%). XLSX writes every number, percentages
 * included, as a number cell (a percentage with the number format 0.0%, so a user can sum
 * and chart it); CSV writes a percentage as people read it ("86.7%").
 *
 * CSV is written for Excel on Chinese Windows: UTF-8 with a byte order mark (without it
 * Excel reads the bytes as GBK and shows garbage), CRLF line ends, RFC 4180 quoting.
 * Strings that a spreadsheet would run as a formula (starting with = + - @, a tab or CR)
 * get a leading apostrophe, the usual defence against formula injection; importers of
 * our own CSV drop it again. Numbers are written as numbers and never get one.
 *
 * XLSX is written with libxlsxwriter, which in version 1.1.4 can only write to a file: we
 * write to a private temporary file (mkstemp), read it back and unlink it. The header row
 * is bold and frozen; column widths follow the content (CJK characters count double).
 *
 * Threads: thread-safe (no shared state; each call has its own temporary file).
 */
#ifndef SHENLIAO_VIEW_SHEET_H
#define SHENLIAO_VIEW_SHEET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

struct sheet {
	const char *name; /* the XLSX tab: fitted to Excel's rules (31 characters, no []:*?/\) */
	const json_t *header; /* array of strings */
	const json_t *rows;   /* array of arrays of cells (borrowed) */
};

/* sheet_csv appends s as CSV (see top) to out. The sheet's name is not part of CSV.
 * ERR_INVALID when header or rows are not arrays or a cell is an array or object;
 * ERR_TOO_BIG when out's bound is reached. */
int sheet_csv(const struct sheet *s, struct buf *out) WARN_UNUSED;

/* sheet_xlsx appends an XLSX workbook holding sheets[0..n) (n >= 1), in order, to out.
 * Repeated tab names get " (2)", " (3)"... ERR_INVALID as for sheet_csv or n == 0;
 * ERR_TOO_BIG for a string over Excel's 32,767 characters, a table over Excel's
 * 1,048,576 rows or 16,384 columns, or out's bound; ERR_IO when the temporary file
 * fails. */
int sheet_xlsx(const struct sheet *sheets, size_t n, struct buf *out) WARN_UNUSED;

/* sheet_percent reports whether cell v is a percentage and gives its ratio. */
bool sheet_percent(const json_t *v, double *ratio);

/* sheet_percent_text writes a percentage as people read it ("86.7%") into out[cap]. */
void sheet_percent_text(double ratio, char *out, size_t cap);

/* sheet_tables_text replaces, in place, each percentage cell of tables (an array of
 * {"rows": [...]} objects) by its text, for a page that shows the cells as they are. */
void sheet_tables_text(json_t *tables);

/* The media types of the two formats, for Content-Type. */
extern const char sheet_csv_type[];
extern const char sheet_xlsx_type[];

#endif
