/*
 * xlsx.h - reading the first worksheet of an XLSX workbook (Office Open XML, ECMA-376) as
 * CSV text, so that an import reads a spreadsheet exactly as it reads a CSV file.
 *
 * The archive is opened with libzip and its parts parsed with libxml2's reader (no network,
 * no external entities, no DTD): xl/workbook.xml names the sheets in order and
 * xl/_rels/workbook.xml.rels where the first one is; xl/sharedStrings.xml holds the texts
 * that cells refer to by number. Cells are shared strings, inline strings, formula results
 * (their cached value), booleans and numbers; a number that is a whole number is written
 * without exponent or fraction (a phone 13800138000 stored as 1.3800138E+10 comes out as
 * 13800138000), any other number as the workbook stored it. Each sheet row becomes one CSV
 * record and rows the sheet leaves out become empty records, so record k is sheet row k;
 * line breaks inside a cell become spaces, so that CSV line k is sheet row k too (an
 * import's "line 7" is the spreadsheet's row 7).
 *
 * Bounds: each part is read only up to XLSX_PART_MAX bytes once uncompressed (a small file
 * that inflates without end is refused), and out's own bound applies.
 *
 * Threads: thread-safe (libxml2 is initialised once, on first use).
 */
#ifndef SHENLIAO_BASE_XLSX_H
#define SHENLIAO_BASE_XLSX_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

#define XLSX_PART_MAX ((size_t)64 * 1024 * 1024) /* bytes of one part, uncompressed */

/* Why xlsx_to_csv refused a file: static strings. */
struct xlsx_fault {
	const char *zh, *en;
};

/* xlsx_is_zip: p[0..n) starts as a zip archive does ("PK\3\4"). */
bool xlsx_is_zip(const void *p, size_t n);

/* xlsx_to_csv appends the first worksheet of the workbook p[0..n) to out as CSV (UTF-8,
 * comma-separated, CRLF line ends, csv_put_field's quoting). ERR_INVALID with *why (may be
 * NULL) when the file is not a workbook (not a zip archive, no worksheet, malformed XML, a
 * shared string that does not exist, a part too large); ERR_TOO_BIG when out's bound is
 * reached; ERR_NOMEM. out is left as it was on error. */
int xlsx_to_csv(const void *p, size_t n, struct buf *out, struct xlsx_fault *why) WARN_UNUSED;

#endif
