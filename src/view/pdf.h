/*
 * pdf.h - printable documents (proposals, reports, session records) as PDF, laid out like a
 * Chinese official document, with cairo and pango.
 *
 * The layout follows the feel of GB/T 9704: A4 portrait, margins 37 mm top, 35 mm bottom,
 * 28 mm left, 26 mm right; the title centred in bold serif (Noto Serif CJK SC Bold, 22 pt,
 * 二号); the subtitle centred under it, then a thin red rule; body text in serif at 16 pt
 * (三号) on a 28 pt line grid (1.75) with a two-character first-line indent; headings in
 * bold sans (Noto Sans CJK SC, 黑体-like) on the same grid; page numbers "— 1 —" centred
 * under the text area. Text is set with the language zh-cn and wraps between any two
 * characters where Chinese allows it (pango's line breaking: no 。， at a line start).
 * Paragraphs split across pages line by line, but never leave one line alone at the
 * bottom or top of a page, and a heading always keeps its first lines with it. Charts
 * are drawn as vectors in a box 150 mm wide; tables get a shaded header row, thin rules,
 * and the header row repeated on every page they continue on.
 *
 * The document is a jansson object (every key but "title" optional; others are ignored):
 *
 *   "title":    string, not empty
 *   "subtitle": string                      centred under the title
 *   "meta":     [{"label": s, "value": s|number}]   two pairs a row, above the body
 *   "sections": [{"heading": s, "body": s}]  body is plain text: each non-blank line is a
 *                                            paragraph (a blank line between is fine); the
 *                                            spaces people type to indent are dropped
 *   "charts":   [{"kind": "bars"|"funnel"|"line", "title": s,
 *                 "labels": [s], "values": [number]}]   same length, at most PDF_CHART_MAX
 *                 (funnel: optional "steps": [s|null], the same length, the words between
 *                 stage i - 1 and i instead of the ratio, as chart_funnel_steps_svg)
 *   "tables":   [{"title": s, "header": [s], "rows": [[cell]]}]   a cell is a string, a
 *                 number, true/false (是/否), null or a percentage {"percent": ratio}
 *                 (view/sheet.h: shown "86.7%"); no row longer than the header (when
 *                 there is one); at most PDF_TABLE_COLS_MAX columns; cells are cut after
 *                 ten lines
 *   "footer":   string                      the sign-off after the body, two lines down:
 *                                            its lines (issuer, date) centred on each other,
 *                                            the block two characters from the right margin
 *
 * Order on the page: title, subtitle, meta, sections, charts, tables, footer. Headings
 * become the PDF's outline (bookmarks); the PDF's title is the document's title and its
 * creator "shenliao".
 *
 * Threads: pdf_render may be called from several threads at once. Each call makes its
 * own cairo surface and pango context; fonts come from pango's default cairo font map,
 * which has been per thread since pango 1.32.6 (we build against 1.50), so threads share
 * nothing of ours and only fontconfig's and cairo's own internally locked caches. Each
 * calling thread therefore keeps one font map with its loaded fonts (a few MB for the CJK
 * faces), freed when the thread exits or by pdf_thread_fini.
 *
 * Known: cairo 1.16.0 (Debian 12) loses about 768 bytes per embedded font while it writes
 * the font subsets (in cairo_surface_finish; reproduced without our code), so each PDF
 * leaks up to about 3 KB inside cairo. tests/unit/test_pdf.c names that leak for
 * LeakSanitizer; a newer cairo should make the suppression unused.
 */
#ifndef SHENLIAO_VIEW_PDF_H
#define SHENLIAO_VIEW_PDF_H

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

#define PDF_TEXT_MAX	   (256 << 10) /* bytes in one string (a body: some 140 pages) */
#define PDF_CHART_MAX	   60	       /* values in one chart */
#define PDF_TABLE_COLS_MAX 16	       /* columns in one table */
#define PDF_PAGES_MAX	   300	       /* pages in one document (a few ms each) */

/* pdf_render appends the PDF for doc (see top) to out; doc is only read. The whole
 * document is checked before anything is drawn: ERR_INVALID when doc is not an object,
 * the title is missing or empty, a key has the wrong type, a string holds a NUL or is
 * over PDF_TEXT_MAX bytes, a chart's kind is unknown or its labels and values differ in
 * length, or a table row is longer than its header. ERR_TOO_BIG for a chart over
 * PDF_CHART_MAX values, a table over PDF_TABLE_COLS_MAX columns, a document over
 * PDF_PAGES_MAX pages, or out's bound; ERR_NOMEM when cairo fails. On error out is left
 * as it was. Thread-safe (see top). */
int pdf_render(const json_t *doc, struct buf *out) WARN_UNUSED;

/* pdf_thread_fini frees the fonts the calling thread loaded for pdf_render; the next
 * render on this thread loads them again. Optional: a thread's fonts are freed when it
 * exits anyway; call it from the main thread at shutdown to leave nothing behind. */
void pdf_thread_fini(void);

/* The media type of the output, for Content-Type. */
extern const char pdf_type[];

#endif
