/*
 * pdf.c - documents as PDF with cairo and pango (see pdf.h).
 *
 * Cairo's PDF surface measures in points, and so do we: the pango context is told that a
 * font size is in the same units (absolute sizes), hinting is off and glyph positions are
 * not rounded, so what we measure is what the PDF shows at any zoom.
 *
 * Pagination is ours, not pango's: every block of text is one pango layout wrapped to the
 * text width, and we place its lines one by one on a fixed grid (PITCH for body text), so
 * that a paragraph can end on one page and go on on the next. Before a block starts we
 * ask whether it (or the part that must stay together) fits below the cursor; if not, the
 * page is finished - its number drawn - and a new one begun. A page never breaks while
 * nothing has been drawn on it yet, so no input can loop.
 *
 * The document is checked completely (doc_check) before the surface exists, so a bad
 * document costs nothing and leaves out untouched.
 */
#include "pdf.h"

#include <assert.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "sheet.h"

const char pdf_type[] = "application/pdf";

#define MM(x) ((x)*72.0 / 25.4)

#define PAGE_W	      MM(210)
#define PAGE_H	      MM(297)
#define MARGIN_TOP    MM(37)
#define MARGIN_BOTTOM MM(35)
#define MARGIN_LEFT   MM(28)
#define MARGIN_RIGHT  MM(26)
#define TEXT_W	      (PAGE_W - MARGIN_LEFT - MARGIN_RIGHT)
#define TEXT_BOTTOM   (PAGE_H - MARGIN_BOTTOM)

#define SERIF "Noto Serif CJK SC"
#define SANS  "Noto Sans CJK SC"

#define TITLE_PT   22.0 /* 二号 */
#define TITLE_LINE 34.0
#define BODY_PT	   16.0 /* 三号 */
#define PITCH	   28.0 /* body grid: 1.75 lines */
#define INDENT	   (2 * BODY_PT)
#define TRACKING   (-0.25) /* letter spacing: 28 characters to a line, as in GB/T 9704 */
#define META_PT	   14.0	   /* 四号 */
#define META_LINE  24.0
#define TABLE_PT   12.0 /* 小四 */
#define CAPTION_PT 13.0
#define PAGENUM_PT 14.0
#define CHART_W	   MM(150)
#define CHART_PT   10.5 /* 五号 */
#define CELL_PAD_X 5.0
#define CELL_PAD_Y 4.0
#define CELL_LINES 10

#define RGB_TEXT   0x1a1a1a
#define RGB_MUTED  0x555555
#define RGB_ACCENT 0xb3261e
#define RGB_RULE   0x444444
#define RGB_GRID   0xcccccc
#define RGB_TRACK  0xeeeae6
#define RGB_HEAD   0xeeeeee

struct pdf {
	struct buf *out;
	int write_rc; /* first error of pdf_write */
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoContext *pc;
	double y;   /* where the next block starts, in points from the top of the page */
	int page;   /* the page being drawn, from 1 */
	bool fresh; /* nothing drawn on this page yet */
};

/* --- checking the document --- */

/* is_text reports whether v is a string without NUL bytes, at most PDF_TEXT_MAX long. */
static bool is_text(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) <= PDF_TEXT_MAX &&
	       strlen(json_string_value(v)) == json_string_length(v);
}

/* opt_text reports whether obj[key] is absent, null or text. */
static bool opt_text(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return !v || json_is_null(v) || is_text(v);
}

/* get_text returns obj[key] when it is non-empty text, else NULL. Borrowed. */
static const char *get_text(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return is_text(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

/* opt_array sets *arr to obj[key] when it is an array, to NULL when absent or null, and
 * reports false for any other type. */
static bool opt_array(const json_t *obj, const char *key, const json_t **arr)
{
	const json_t *v = json_object_get(obj, key);

	*arr = json_is_array(v) ? v : NULL;
	return !v || json_is_null(v) || json_is_array(v);
}

static int check_meta(const json_t *meta)
{
	const json_t *m, *v;
	size_t i;

	json_array_foreach(meta, i, m)
	{
		v = json_object_get(m, "value");
		if (!json_is_object(m) || !is_text(json_object_get(m, "label")) ||
		    !(is_text(v) || json_is_number(v) || json_is_null(v) || !v))
			return ERR_INVALID;
	}
	return ERR_OK;
}

static int check_sections(const json_t *sections)
{
	const json_t *s;
	size_t i;

	json_array_foreach(sections, i, s)
	{
		if (!json_is_object(s) || !opt_text(s, "heading") || !opt_text(s, "body"))
			return ERR_INVALID;
	}
	return ERR_OK;
}

static int check_chart(const json_t *c)
{
	const json_t *labels, *values, *steps, *v;
	const char *kind;
	size_t i;

	if (!json_is_object(c) || !opt_text(c, "title"))
		return ERR_INVALID;
	kind = get_text(c, "kind");
	labels = json_object_get(c, "labels");
	values = json_object_get(c, "values");
	if (!kind || (strcmp(kind, "bars") && strcmp(kind, "funnel") && strcmp(kind, "line")))
		return ERR_INVALID;
	if (!json_is_array(labels) || !json_is_array(values) ||
	    json_array_size(labels) != json_array_size(values))
		return ERR_INVALID;
	json_array_foreach(labels, i, v)
	{
		if (!is_text(v) || !json_is_number(json_array_get(values, i)))
			return ERR_INVALID;
	}
	steps = json_object_get(c, "steps");
	if (steps && (!json_is_array(steps) || json_array_size(steps) != json_array_size(values)))
		return ERR_INVALID;
	json_array_foreach(steps, i, v)
	{
		if (!json_is_null(v) && !is_text(v))
			return ERR_INVALID;
	}
	return json_array_size(values) > PDF_CHART_MAX ? ERR_TOO_BIG : ERR_OK;
}

/* is_cell reports whether v may be a table cell. */
static bool is_cell(const json_t *v)
{
	double r;

	return is_text(v) || sheet_percent(v, &r) || json_is_number(v) || json_is_boolean(v) ||
	       json_is_null(v);
}

static int check_table(const json_t *t)
{
	const json_t *header, *rows, *row, *v;
	size_t i, j, cols = 0;

	if (!json_is_object(t) || !opt_text(t, "title") || !opt_array(t, "header", &header) ||
	    !opt_array(t, "rows", &rows))
		return ERR_INVALID;
	json_array_foreach(header, i, v)
	{
		if (!is_text(v))
			return ERR_INVALID;
	}
	json_array_foreach(rows, i, row)
	{
		if (!json_is_array(row))
			return ERR_INVALID;
		if (json_array_size(header) > 0 && json_array_size(row) > json_array_size(header))
			return ERR_INVALID;
		if (json_array_size(row) > cols)
			cols = json_array_size(row);
		json_array_foreach(row, j, v)
		{
			if (!is_cell(v))
				return ERR_INVALID;
		}
	}
	if (json_array_size(header) > cols)
		cols = json_array_size(header);
	return cols > PDF_TABLE_COLS_MAX ? ERR_TOO_BIG : ERR_OK;
}

/* doc_check validates the whole document (see pdf.h) before anything is drawn. */
static int doc_check(const json_t *doc)
{
	const json_t *meta, *sections, *charts, *tables, *v;
	size_t i;
	int rc;

	if (!json_is_object(doc) || !get_text(doc, "title") || !opt_text(doc, "subtitle") ||
	    !opt_text(doc, "footer"))
		return ERR_INVALID;
	if (!opt_array(doc, "meta", &meta) || !opt_array(doc, "sections", &sections) ||
	    !opt_array(doc, "charts", &charts) || !opt_array(doc, "tables", &tables))
		return ERR_INVALID;
	rc = check_meta(meta);
	if (!rc)
		rc = check_sections(sections);
	json_array_foreach(charts, i, v)
	{
		if (!rc)
			rc = check_chart(v);
	}
	json_array_foreach(tables, i, v)
	{
		if (!rc)
			rc = check_table(v);
	}
	return rc;
}

/* clip returns how many bytes of s to keep to stay under max bytes without cutting a
 * UTF-8 sequence. */
static size_t clip(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* --- pages --- */

static void set_rgb(cairo_t *cr, unsigned rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
			     (rgb & 0xff) / 255.0);
}

/* new_layout returns a layout in family at size points, wrapped at width points (width
 * <= 0: no wrapping) and aligned as align. The caller unrefs it. */
static PangoLayout *new_layout(struct pdf *p, const char *family, bool bold, double size,
			       double width, PangoAlignment align)
{
	PangoLayout *l = pango_layout_new(p->pc);
	PangoFontDescription *fd = pango_font_description_new();

	pango_font_description_set_family(fd, family);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	if (width > 0)
		pango_layout_set_width(l, pango_units_from_double(width));
	pango_layout_set_alignment(l, align);
	return l;
}

/* set_tracking gives l's text the body letter spacing. */
static void set_tracking(PangoLayout *l)
{
	PangoAttrList *attrs = pango_attr_list_new();

	pango_attr_list_insert(attrs,
			       pango_attr_letter_spacing_new((int)lround(TRACKING * PANGO_SCALE)));
	pango_layout_set_attributes(l, attrs);
	pango_attr_list_unref(attrs);
}

/* layout_size returns the logical width and height of l in points. */
static void layout_size(PangoLayout *l, double *w, double *h)
{
	PangoRectangle log;

	pango_layout_get_extents(l, NULL, &log);
	*w = pango_units_to_double(log.width);
	*h = pango_units_to_double(log.height);
}

/* draw_page_number writes "— n —" centred under the text area. */
static void draw_page_number(struct pdf *p)
{
	PangoLayout *l = new_layout(p, SERIF, false, PAGENUM_PT, TEXT_W, PANGO_ALIGN_CENTER);
	char text[48];

	snprintf(text, sizeof(text), "— %d —", p->page);
	pango_layout_set_text(l, text, -1);
	set_rgb(p->cr, RGB_TEXT);
	cairo_move_to(p->cr, MARGIN_LEFT, TEXT_BOTTOM + MM(7));
	pango_cairo_show_layout(p->cr, l);
	g_object_unref(l);
}

/* new_page finishes the current page and begins the next. ERR_TOO_BIG past
 * PDF_PAGES_MAX. */
static int new_page(struct pdf *p)
{
	if (p->page >= PDF_PAGES_MAX)
		return ERR_TOO_BIG;
	draw_page_number(p);
	cairo_show_page(p->cr);
	p->page++;
	p->y = MARGIN_TOP;
	p->fresh = true;
	return ERR_OK;
}

/* ensure begins a new page unless h points fit below the cursor or the page is empty. */
static int ensure(struct pdf *p, double h)
{
	if (p->y + h <= TEXT_BOTTOM + 0.01 || p->fresh)
		return ERR_OK;
	return new_page(p);
}

/* skip moves the cursor down h points, except at the top of a page. */
static void skip(struct pdf *p, double h)
{
	if (!p->fresh)
		p->y += h;
}

/* flow draws the lines of l at x, each centred in a band pitch points high, going on to
 * new pages as needed. A paragraph of two lines or more never leaves a single line at
 * the bottom of a page (it moves on) nor a single line at the top of the next (one more
 * line goes with it). */
static int flow(struct pdf *p, PangoLayout *l, double x, double pitch)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	int count = pango_layout_get_line_count(l), i = 0, fit, take, rc = ERR_OK;

	while (i < count) {
		fit = (int)floor((TEXT_BOTTOM - p->y + 0.01) / pitch);
		take = count - i;
		if (fit < take) {
			take = fit;
			if (count - i - take == 1 && take >= 2)
				take--;
			if (i == 0 && take == 1 && count >= 2)
				take = 0;
			if (take <= 0 && p->fresh)
				take = fit > 1 ? fit : 1;
		}
		for (; take > 0; take--, i++) {
			PangoRectangle log;
			double h, base;

			pango_layout_iter_get_line_extents(it, NULL, &log);
			h = pango_units_to_double(log.height);
			base = pango_units_to_double(pango_layout_iter_get_baseline(it) - log.y);
			cairo_move_to(p->cr, x + pango_units_to_double(log.x),
				      p->y + (pitch - h) / 2 + base);
			pango_cairo_show_layout_line(p->cr,
						     pango_layout_iter_get_line_readonly(it));
			p->y += pitch;
			p->fresh = false;
			pango_layout_iter_next_line(it);
		}
		if (i < count) {
			rc = new_page(p);
			if (rc)
				break;
		}
	}
	pango_layout_iter_free(it);
	return rc;
}

/* --- text blocks --- */

static int draw_head(struct pdf *p, const json_t *doc)
{
	const char *subtitle = get_text(doc, "subtitle");
	PangoLayout *l;
	int rc;

	set_rgb(p->cr, RGB_TEXT);
	l = new_layout(p, SERIF, true, TITLE_PT, TEXT_W, PANGO_ALIGN_CENTER);
	pango_layout_set_text(l, get_text(doc, "title"), -1);
	rc = flow(p, l, MARGIN_LEFT, TITLE_LINE);
	g_object_unref(l);
	if (!rc && subtitle) {
		p->y += 4;
		l = new_layout(p, SERIF, false, BODY_PT, TEXT_W, PANGO_ALIGN_CENTER);
		pango_layout_set_text(l, subtitle, -1);
		set_rgb(p->cr, RGB_MUTED);
		rc = flow(p, l, MARGIN_LEFT, PITCH);
		g_object_unref(l);
	}
	if (rc)
		return rc;
	p->y += 10;
	set_rgb(p->cr, RGB_ACCENT);
	cairo_set_line_width(p->cr, 1.2);
	cairo_move_to(p->cr, MARGIN_LEFT, p->y);
	cairo_line_to(p->cr, MARGIN_LEFT + TEXT_W, p->y);
	cairo_stroke(p->cr);
	p->y += 18;
	set_rgb(p->cr, RGB_TEXT);
	return ERR_OK;
}

/* meta_cell fills l with "label：value", the label in grey sans. */
static void meta_cell(PangoLayout *l, const json_t *m)
{
	const json_t *v = json_object_get(m, "value");
	const char *label = json_string_value(json_object_get(m, "label"));
	char text[1024], num[CHART_NUM_MAX];
	const char *value = "";
	PangoAttrList *attrs = pango_attr_list_new();
	PangoAttribute *a;
	size_t nl = clip(label, 256), nv;
	int k;

	if (is_text(v)) {
		value = json_string_value(v);
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		value = num;
	} else if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%.15g", json_real_value(v));
		value = num;
	}
	nv = clip(value, 600);
	k = snprintf(text, sizeof(text), "%.*s：%.*s", (int)nl, label, (int)nv, value);
	pango_layout_set_text(l, text, k);
	a = pango_attr_family_new(SANS);
	a->start_index = 0;
	a->end_index = (guint)(nl + strlen("："));
	pango_attr_list_insert(attrs, a);
	a = pango_attr_foreground_new(0x5555, 0x5555, 0x5555);
	a->start_index = 0;
	a->end_index = (guint)(nl + strlen("："));
	pango_attr_list_insert(attrs, a);
	pango_layout_set_attributes(l, attrs);
	pango_attr_list_unref(attrs);
}

/* draw_meta sets the label/value pairs two to a row. */
static int draw_meta(struct pdf *p, const json_t *meta)
{
	double colw = TEXT_W / 2;
	size_t i, n = json_array_size(meta);
	int rc = ERR_OK;

	for (i = 0; i < n && !rc; i += 2) {
		PangoLayout *a = new_layout(p, SERIF, false, META_PT, colw - 8, PANGO_ALIGN_LEFT);
		PangoLayout *b = new_layout(p, SERIF, false, META_PT, colw - 8, PANGO_ALIGN_LEFT);
		int la, lb;
		double y0;

		pango_layout_set_text(b, "", 0);
		meta_cell(a, json_array_get(meta, i));
		if (i + 1 < n)
			meta_cell(b, json_array_get(meta, i + 1));
		la = pango_layout_get_line_count(a);
		lb = pango_layout_get_line_count(b);
		rc = ensure(p, META_LINE * (la > lb ? la : lb));
		if (!rc) {
			y0 = p->y;
			rc = flow(p, a, MARGIN_LEFT, META_LINE);
			if (!rc) {
				double y1 = p->y;

				p->y = y0;
				rc = flow(p, b, MARGIN_LEFT + colw, META_LINE);
				if (y1 > p->y)
					p->y = y1;
			}
		}
		g_object_unref(a);
		g_object_unref(b);
	}
	if (n > 0)
		p->y += PITCH / 2;
	return rc;
}

/* blank_len returns the length of the blank (space, tab, U+3000, U+00A0...) that
 * s[i..n) starts with, or 0. */
static size_t blank_len(const char *s, size_t n, size_t i)
{
	if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\f' || s[i] == '\v')
		return 1;
	if (n - i >= 3 && memcmp(s + i, "\xE3\x80\x80", 3) == 0) /* U+3000 ideographic space */
		return 3;
	if (n - i >= 2 && memcmp(s + i, "\xC2\xA0", 2) == 0) /* U+00A0 no-break space */
		return 2;
	return 0;
}

/* next_para finds the next paragraph of s[*pos..n): a non-blank line without its leading
 * and trailing blanks, as s[*start..*start + *len). Returns false at the end. */
static bool next_para(const char *s, size_t n, size_t *pos, size_t *start, size_t *len)
{
	while (*pos < n) {
		const char *nl = memchr(s + *pos, '\n', n - *pos);
		size_t a = *pos, e = nl ? (size_t)(nl - s) : n, k;

		*pos = nl ? e + 1 : n;
		for (k = a < e ? blank_len(s, e, a) : 0; k > 0; k = a < e ? blank_len(s, e, a) : 0)
			a += k;
		while (e > a) {
			if (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')
				e--;
			else if (e - a >= 3 && memcmp(s + e - 3, "\xE3\x80\x80", 3) == 0)
				e -= 3;
			else
				break;
		}
		if (e > a) {
			*start = a;
			*len = e - a;
			return true;
		}
	}
	return false;
}

static PangoLayout *body_layout(struct pdf *p, const char *s, size_t n)
{
	PangoLayout *l = new_layout(p, SERIF, false, BODY_PT, TEXT_W, PANGO_ALIGN_LEFT);

	pango_layout_set_indent(l, pango_units_from_double(INDENT));
	pango_layout_set_justify(l, TRUE);
	set_tracking(l);
	pango_layout_set_text(l, s, (int)n);
	return l;
}

/* add_outline makes heading a bookmark to the cursor's place. */
static void add_outline(struct pdf *p, const char *heading)
{
	char link[96];

	snprintf(link, sizeof(link), "page=%d pos=[%.1f %.1f]", p->page, MARGIN_LEFT, p->y);
	cairo_pdf_surface_add_outline(p->surface, CAIRO_PDF_OUTLINE_ROOT, heading, link, 0);
}

static int draw_section(struct pdf *p, const json_t *section)
{
	const char *heading = get_text(section, "heading");
	const char *body = get_text(section, "body");
	size_t n = body ? strlen(body) : 0, pos = 0, start, len;
	PangoLayout *h = NULL, *l = NULL;
	bool more;
	int rc = ERR_OK, lines;

	more = body && next_para(body, n, &pos, &start, &len);
	if (heading) {
		h = new_layout(p, SANS, true, BODY_PT, TEXT_W, PANGO_ALIGN_LEFT);
		pango_layout_set_indent(h, pango_units_from_double(INDENT));
		set_tracking(h);
		pango_layout_set_text(h, heading, -1);
		lines = 0;
		if (more) {
			l = body_layout(p, body + start, len);
			lines = pango_layout_get_line_count(l);
			lines = lines > 2 ? 2 : lines;
		}
		/* the heading keeps its first two lines of text with it */
		rc = ensure(p, PITCH * (pango_layout_get_line_count(h) + lines));
		if (rc)
			goto fail;
		add_outline(p, heading);
		set_rgb(p->cr, RGB_TEXT);
		rc = flow(p, h, MARGIN_LEFT, PITCH);
		if (rc)
			goto fail;
	}
	while (more) {
		if (!l)
			l = body_layout(p, body + start, len);
		set_rgb(p->cr, RGB_TEXT);
		rc = flow(p, l, MARGIN_LEFT, PITCH);
		if (rc)
			goto fail;
		g_object_unref(l);
		l = NULL;
		more = next_para(body, n, &pos, &start, &len);
	}
fail:
	if (h)
		g_object_unref(h);
	if (l)
		g_object_unref(l);
	return rc;
}

/* draw_footer sets the sign-off the way official documents do: a block right-aligned two
 * characters from the margin, its lines centred on each other (the issuer over the date),
 * two blank lines under the text. When that does not fit, the block moves up to the foot
 * of the page rather than alone onto a new one. */
static int draw_footer(struct pdf *p, const char *footer)
{
	PangoLayout *l = new_layout(p, SERIF, false, BODY_PT, 0, PANGO_ALIGN_CENTER);
	double w, h, need, max = TEXT_W - INDENT;
	int rc = ERR_OK;

	pango_layout_set_text(l, footer, -1);
	layout_size(l, &w, &h);
	w = w + 0.5 < max ? w + 0.5 : max;
	pango_layout_set_width(l, pango_units_from_double(w));
	need = PITCH * pango_layout_get_line_count(l);
	if (p->fresh || p->y + 2 * PITCH + need <= TEXT_BOTTOM)
		skip(p, PITCH * 2);
	else if (p->y + PITCH / 2 + need <= TEXT_BOTTOM)
		p->y = TEXT_BOTTOM - need;
	else
		rc = new_page(p);
	if (!rc) {
		set_rgb(p->cr, RGB_TEXT);
		rc = flow(p, l, MARGIN_LEFT + max - w, PITCH);
	}
	g_object_unref(l);
	return rc;
}

/* --- charts --- */

/* text_box draws l's text s with its logical box's left edge at x (anchor -1), centre
 * (0) or right edge (1), centred vertically on ymid. Returns the width drawn. */
static double text_box(struct pdf *p, PangoLayout *l, const char *s, double x, double ymid,
		       int anchor)
{
	PangoRectangle log;
	double w, h;

	pango_layout_set_text(l, s, -1);
	pango_layout_get_extents(l, NULL, &log);
	w = pango_units_to_double(log.width);
	h = pango_units_to_double(log.height);
	if (anchor == 0)
		x -= w / 2;
	else if (anchor > 0)
		x -= w;
	cairo_move_to(p->cr, x - pango_units_to_double(log.x),
		      ymid - h / 2 - pango_units_to_double(log.y));
	pango_cairo_show_layout(p->cr, l);
	return w;
}

/* text_width returns the logical width of s in l. */
static double text_width(PangoLayout *l, const char *s)
{
	double w, h;

	pango_layout_set_text(l, s, -1);
	layout_size(l, &w, &h);
	return w;
}

struct chart_in {
	const char *kind;
	size_t n;
	const char **labels; /* n entries, borrowed from the document */
	const char **steps;  /* n entries or NULL: the words between stages (funnel) */
	double *values;	     /* n entries, cleaned */
	double max;
	bool integral;
};

/* bars: label column on the left, ellipsized; bar; value after it. */
static void draw_bars(struct pdf *p, const struct chart_in *c, double x0, double y0, double row,
		      double pt)
{
	PangoLayout *lab = new_layout(p, SANS, false, pt, 0, PANGO_ALIGN_LEFT);
	PangoLayout *val = new_layout(p, SANS, true, pt, 0, PANGO_ALIGN_LEFT);
	char num[CHART_NUM_MAX];
	double labw = 0, valw = 0, barx, barmax, w, y;
	size_t i;

	for (i = 0; i < c->n; i++) {
		w = text_width(lab, c->labels[i]);
		labw = w > labw ? w : labw;
		chart_format_value(c->values[i], num, sizeof(num));
		w = text_width(val, num);
		valw = w > valw ? w : valw;
	}
	if (labw > CHART_W * 0.34)
		labw = CHART_W * 0.34;
	pango_layout_set_width(lab, pango_units_from_double(labw));
	pango_layout_set_ellipsize(lab, PANGO_ELLIPSIZE_END);
	barx = x0 + labw + 8;
	barmax = CHART_W - labw - 8 - valw - 6;
	for (i = 0; i < c->n; i++) {
		y = y0 + row * (double)i + row / 2;
		set_rgb(p->cr, RGB_TEXT);
		text_box(p, lab, c->labels[i], x0, y, -1);
		set_rgb(p->cr, RGB_TRACK);
		cairo_rectangle(p->cr, barx, y - row * 0.3, barmax, row * 0.6);
		cairo_fill(p->cr);
		w = c->max > 0 ? c->values[i] / c->max * barmax : 0;
		set_rgb(p->cr, RGB_ACCENT);
		cairo_rectangle(p->cr, barx, y - row * 0.3, w, row * 0.6);
		cairo_fill(p->cr);
		chart_format_value(c->values[i], num, sizeof(num));
		set_rgb(p->cr, RGB_TEXT);
		text_box(p, val, num, barx + w + 4, y, -1);
	}
	g_object_unref(lab);
	g_object_unref(val);
}

/* funnel_label draws "label  value" centred in the chart box around ymid, the value in
 * bold. */
static void funnel_label(struct pdf *p, PangoLayout *l, const char *label, double value, double x0,
			 double ymid)
{
	char line[512], num[CHART_NUM_MAX];
	PangoAttrList *attrs = pango_attr_list_new();
	PangoAttribute *a;
	size_t nn = chart_format_value(value, num, sizeof(num));
	double w, h;
	int k;

	k = snprintf(line, sizeof(line), "%.*s  %s", (int)clip(label, 400), label, num);
	a = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
	a->start_index = (guint)((size_t)k - nn);
	a->end_index = (guint)k;
	pango_attr_list_insert(attrs, a);
	pango_layout_set_attributes(l, attrs);
	pango_attr_list_unref(attrs);
	pango_layout_set_text(l, line, k);
	layout_size(l, &w, &h);
	cairo_move_to(p->cr, x0, ymid - h / 2);
	pango_cairo_show_layout(p->cr, l);
}

/* funnel: like the SVG - a ratio line, a label line and a centred bar per stage, in
 * units of unit points. */
static void draw_funnel(struct pdf *p, const struct chart_in *c, double x0, double y0, double unit,
			double pt)
{
	static const unsigned colors[] = {0xb3261e, 0xc0463b, 0xcc6459,
					  0xd88278, 0xe3a098, 0xedbdb7};
	PangoLayout *lab = new_layout(p, SANS, false, pt, CHART_W, PANGO_ALIGN_CENTER);
	PangoLayout *small = new_layout(p, SANS, false, pt * 0.9, 0, PANGO_ALIGN_LEFT);
	char num[CHART_NUM_MAX], text[CHART_NUM_MAX + 208];
	double y = y0, w, cx = x0 + CHART_W / 2;
	size_t i, ncolors = sizeof(colors) / sizeof(colors[0]);

	pango_layout_set_ellipsize(lab, PANGO_ELLIPSIZE_MIDDLE);
	for (i = 0; i < c->n; i++) {
		if (i > 0 && c->steps && c->steps[i]) {
			snprintf(text, sizeof(text), "↓ %.*s", (int)clip(c->steps[i], 200),
				 c->steps[i]);
			set_rgb(p->cr, RGB_MUTED);
			text_box(p, small, text, cx, y + unit * 0.5, 0);
			y += unit;
		} else if (i > 0) {
			chart_format_ratio(c->values[i], c->values[i - 1], num, sizeof(num));
			snprintf(text, sizeof(text), "↓ %s", num);
			set_rgb(p->cr, RGB_MUTED);
			text_box(p, small, text, cx, y + unit * 0.5, 0);
			y += unit;
		}
		set_rgb(p->cr, RGB_TEXT);
		funnel_label(p, lab, c->labels[i], c->values[i], x0, y + unit * 0.55);
		y += unit * 1.1;
		w = c->max > 0 ? c->values[i] / c->max * CHART_W : 0;
		set_rgb(p->cr, colors[i < ncolors ? i : ncolors - 1]);
		cairo_rectangle(p->cr, cx - w / 2, y, w, unit * 1.2);
		cairo_fill(p->cr);
		y += unit * 1.2 + unit * 0.3;
	}
	g_object_unref(lab);
	g_object_unref(small);
}

/* line: y axis from 0 with round ticks, dots with values, x labels thinned to fit. */
static void draw_line(struct pdf *p, const struct chart_in *c, double x0, double y0, double h,
		      double pt)
{
	PangoLayout *tick = new_layout(p, SANS, false, pt * 0.9, 0, PANGO_ALIGN_LEFT);
	PangoLayout *lab = new_layout(p, SANS, false, pt * 0.9, 0, PANGO_ALIGN_LEFT);
	char num[CHART_NUM_MAX];
	double step, tickw = 0, labw = 0, left, right, top, bottom, spacing, x, y, w, valw = 0;
	size_t i, kx = 1, kv = 1;
	int count, t;

	chart_ticks(c->max, c->integral, &step, &count);
	for (t = 0; t <= count; t++) {
		chart_format_value(step * t, num, sizeof(num));
		w = text_width(tick, num);
		tickw = w > tickw ? w : tickw;
	}
	for (i = 0; i < c->n; i++) {
		w = text_width(lab, c->labels[i]);
		labw = w > labw ? w : labw;
		chart_format_value(c->values[i], num, sizeof(num));
		w = text_width(tick, num);
		valw = w > valw ? w : valw;
	}
	left = x0 + tickw + 6;
	right = x0 + CHART_W - 10;
	top = y0 + pt * 1.6;
	bottom = y0 + h - pt * 1.8;
	spacing = c->n > 1 ? (right - left) / (double)(c->n - 1) : right - left;
	while (c->n > 1 && (double)kx * spacing < labw + 4 && kx < c->n)
		kx++;
	while (c->n > 1 && (double)kv * spacing < valw + 2 && kv < c->n)
		kv++;

	cairo_set_line_width(p->cr, 0.5);
	for (t = 0; t <= count; t++) {
		y = bottom - (bottom - top) * t / count;
		set_rgb(p->cr, t == 0 ? RGB_RULE : RGB_GRID);
		cairo_move_to(p->cr, left, y);
		cairo_line_to(p->cr, right, y);
		cairo_stroke(p->cr);
		chart_format_value(step * t, num, sizeof(num));
		set_rgb(p->cr, RGB_MUTED);
		text_box(p, tick, num, left - 4, y, 1);
	}
	set_rgb(p->cr, RGB_ACCENT);
	cairo_set_line_width(p->cr, 1.6);
	cairo_set_line_join(p->cr, CAIRO_LINE_JOIN_ROUND);
	for (i = 0; i < c->n; i++) {
		x = c->n > 1 ? left + spacing * (double)i : (left + right) / 2;
		y = bottom - c->values[i] / (step * count) * (bottom - top);
		if (i == 0)
			cairo_move_to(p->cr, x, y);
		else
			cairo_line_to(p->cr, x, y);
	}
	cairo_stroke(p->cr);
	for (i = 0; i < c->n; i++) {
		x = c->n > 1 ? left + spacing * (double)i : (left + right) / 2;
		y = bottom - c->values[i] / (step * count) * (bottom - top);
		cairo_new_sub_path(p->cr);
		cairo_arc(p->cr, x, y, 2.8, 0, 2 * M_PI);
		set_rgb(p->cr, RGB_ACCENT);
		cairo_fill_preserve(p->cr);
		cairo_set_source_rgb(p->cr, 1, 1, 1);
		cairo_set_line_width(p->cr, 0.8);
		cairo_stroke(p->cr);
		set_rgb(p->cr, RGB_TEXT);
		if (i % kv == 0) {
			chart_format_value(c->values[i], num, sizeof(num));
			text_box(p, tick, num, x, y - pt * 0.9, 0);
		}
		if (i % kx == 0) {
			set_rgb(p->cr, RGB_MUTED);
			text_box(p, lab, c->labels[i], x, bottom + pt * 1.0, 0);
		}
	}
	g_object_unref(tick);
	g_object_unref(lab);
}

/* chart_height returns the drawing's natural height for c (without its caption). */
static double chart_height(const struct chart_in *c)
{
	if (c->n == 0)
		return 30;
	if (!strcmp(c->kind, "bars"))
		return 20 * (double)c->n;
	if (!strcmp(c->kind, "funnel"))
		return 14 * (1.1 + 1.2 + 0.3) * (double)c->n + 14 * (double)(c->n - 1);
	return 190;
}

static int draw_chart(struct pdf *p, const json_t *chart)
{
	const json_t *labels = json_object_get(chart, "labels");
	const json_t *values = json_object_get(chart, "values");
	const char *title = get_text(chart, "title");
	const json_t *steps = json_object_get(chart, "steps");
	const char *lab[PDF_CHART_MAX], *step[PDF_CHART_MAX];
	double val[PDF_CHART_MAX], h, k, x0 = MARGIN_LEFT + (TEXT_W - CHART_W) / 2, caption = 0;
	double room = TEXT_BOTTOM - MARGIN_TOP - 2 * PITCH, pt;
	struct chart_in c = {
	    get_text(chart, "kind"), json_array_size(values), lab, NULL, val, 0, true};
	PangoLayout *cap = NULL;
	size_t i;
	int rc;

	assert(c.n <= PDF_CHART_MAX);
	for (i = 0; i < c.n; i++) {
		lab[i] = json_string_value(json_array_get(labels, i));
		step[i] = steps ? json_string_value(json_array_get(steps, i)) : NULL;
		val[i] = chart_clean(json_number_value(json_array_get(values, i)));
		c.max = val[i] > c.max ? val[i] : c.max;
		if (val[i] != floor(val[i]))
			c.integral = false;
	}
	if (steps)
		c.steps = step;
	if (title) {
		cap = new_layout(p, SANS, true, CAPTION_PT, TEXT_W, PANGO_ALIGN_CENTER);
		pango_layout_set_text(cap, title, -1);
		caption = PITCH * pango_layout_get_line_count(cap);
	}
	h = chart_height(&c);
	k = h + caption > room ? (room - caption) / h : 1; /* shrink what cannot fit a page */
	h *= k;
	pt = CHART_PT * (k < 1 ? (k > 0.45 ? k : 0.45) : 1);
	skip(p, PITCH / 2);
	rc = ensure(p, caption + h);
	if (rc)
		goto fail;
	if (cap) {
		set_rgb(p->cr, RGB_TEXT);
		rc = flow(p, cap, MARGIN_LEFT, PITCH);
		if (rc)
			goto fail;
	}
	p->fresh = false;
	if (c.n == 0) {
		PangoLayout *l = new_layout(p, SANS, false, CHART_PT, 0, PANGO_ALIGN_LEFT);

		set_rgb(p->cr, RGB_MUTED);
		text_box(p, l, "暂无数据", MARGIN_LEFT + TEXT_W / 2, p->y + h / 2, 0);
		g_object_unref(l);
	} else if (!strcmp(c.kind, "bars")) {
		draw_bars(p, &c, x0, p->y, h / (double)c.n, pt);
	} else if (!strcmp(c.kind, "funnel")) {
		draw_funnel(p, &c, x0, p->y, 14 * k, pt);
	} else {
		draw_line(p, &c, x0, p->y, h, pt);
	}
	p->y += h + PITCH / 2;
fail:
	if (cap)
		g_object_unref(cap);
	return rc;
}

/* --- tables --- */

/* cell_text gives the text of a table cell: numbers as given (reals to 15 digits, so 0.1
 * stays 0.1), true/false as 是/否, null as nothing. The result points into the document or
 * into num. */
static const char *cell_text(const json_t *v, char *num, size_t cap)
{
	double r;

	if (sheet_percent(v, &r)) {
		sheet_percent_text(r, num, cap);
		return num;
	}
	if (is_text(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(num, cap, "%lld", (long long)json_integer_value(v));
		return num;
	}
	if (json_is_real(v)) {
		snprintf(num, cap, "%.15g", json_real_value(v));
		return num;
	}
	if (json_is_true(v))
		return "是";
	if (json_is_false(v))
		return "否";
	return "";
}

struct table {
	const json_t *header; /* may be NULL or empty */
	const json_t *rows;   /* may be NULL */
	size_t cols;
	double w[PDF_TABLE_COLS_MAX];
};

/* table_widths shares the text width among the columns: each wants its widest cell (up
 * to a sample of rows); if all fit they grow in proportion, else the narrow ones keep what
 * they want and the wide ones share the rest. */
static void table_widths(struct pdf *p, struct table *t)
{
	PangoLayout *l = new_layout(p, SERIF, false, TABLE_PT, 0, PANGO_ALIGN_LEFT);
	PangoLayout *hl = new_layout(p, SANS, true, TABLE_PT, 0, PANGO_ALIGN_LEFT);
	double want[PDF_TABLE_COLS_MAX], sum = 0, fair = TEXT_W / (double)t->cols, small = 0,
					 big = 0;
	double minw = 2 * TABLE_PT + 2 * CELL_PAD_X, w;
	char num[CHART_NUM_MAX];
	size_t i, j;

	for (j = 0; j < t->cols; j++) {
		const json_t *h = json_array_get(t->header, j);

		want[j] = h ? text_width(hl, json_string_value(h)) : 0;
	}
	for (i = 0; i < json_array_size(t->rows) && i < 200; i++) {
		const json_t *row = json_array_get(t->rows, i);

		for (j = 0; j < json_array_size(row); j++) {
			w = text_width(l, cell_text(json_array_get(row, j), num, sizeof(num)));
			want[j] = w > want[j] ? w : want[j];
		}
	}
	for (j = 0; j < t->cols; j++) {
		want[j] += 2 * CELL_PAD_X + 1;
		if (want[j] < minw)
			want[j] = minw;
		sum += want[j];
		if (want[j] <= fair)
			small += want[j];
		else
			big += want[j];
	}
	for (j = 0; j < t->cols; j++) {
		if (sum <= TEXT_W)
			t->w[j] = want[j] * TEXT_W / sum;
		else if (want[j] <= fair)
			t->w[j] = want[j];
		else
			t->w[j] = want[j] * (TEXT_W - small) / big;
	}
	g_object_unref(l);
	g_object_unref(hl);
}

/* table_row draws one row (the header when head) at the cursor, or with measure only
 * returns its height. */
static double table_row(struct pdf *p, const struct table *t, const json_t *row, bool head,
			bool measure)
{
	PangoLayout *l[PDF_TABLE_COLS_MAX];
	char num[PDF_TABLE_COLS_MAX][CHART_NUM_MAX];
	double h = 0, w, lh, x = MARGIN_LEFT;
	size_t j;

	for (j = 0; j < t->cols; j++) {
		const json_t *v = json_array_get(row, j);

		l[j] = new_layout(p, head ? SANS : SERIF, head, TABLE_PT, t->w[j] - 2 * CELL_PAD_X,
				  PANGO_ALIGN_CENTER);
		pango_layout_set_height(l[j], -CELL_LINES);
		pango_layout_set_ellipsize(l[j], PANGO_ELLIPSIZE_END);
		pango_layout_set_text(l[j], v ? cell_text(v, num[j], sizeof(num[j])) : "", -1);
		if (pango_layout_get_line_count(l[j]) > 1)
			pango_layout_set_alignment(l[j], PANGO_ALIGN_LEFT);
		layout_size(l[j], &w, &lh);
		h = lh > h ? lh : h;
	}
	h += 2 * CELL_PAD_Y;
	for (j = 0; j < t->cols && !measure; j++) {
		if (head) {
			set_rgb(p->cr, RGB_HEAD);
			cairo_rectangle(p->cr, x, p->y, t->w[j], h);
			cairo_fill(p->cr);
		}
		set_rgb(p->cr, RGB_RULE);
		cairo_set_line_width(p->cr, 0.5);
		cairo_rectangle(p->cr, x, p->y, t->w[j], h);
		cairo_stroke(p->cr);
		layout_size(l[j], &w, &lh);
		set_rgb(p->cr, RGB_TEXT);
		cairo_move_to(p->cr, x + CELL_PAD_X, p->y + (h - lh) / 2);
		pango_cairo_show_layout(p->cr, l[j]);
		x += t->w[j];
	}
	for (j = 0; j < t->cols; j++)
		g_object_unref(l[j]);
	return h;
}

static int draw_table(struct pdf *p, const json_t *table)
{
	struct table t = {NULL, NULL, 0, {0}};
	const char *title = get_text(table, "title");
	const json_t *row;
	double caption = 0, hh = 0, rh;
	PangoLayout *cap = NULL;
	size_t i;
	int rc = ERR_OK;

	(void)opt_array(table, "header", &t.header);
	(void)opt_array(table, "rows", &t.rows);
	t.cols = json_array_size(t.header);
	json_array_foreach(t.rows, i, row)
	{
		if (json_array_size(row) > t.cols)
			t.cols = json_array_size(row);
	}
	if (title) {
		cap = new_layout(p, SANS, true, CAPTION_PT, TEXT_W, PANGO_ALIGN_CENTER);
		pango_layout_set_text(cap, title, -1);
		caption = PITCH * pango_layout_get_line_count(cap);
	}
	skip(p, PITCH / 2);
	if (t.cols == 0) {
		if (cap)
			rc = flow(p, cap, MARGIN_LEFT, PITCH);
		goto fail;
	}
	table_widths(p, &t);
	if (json_array_size(t.header) > 0)
		hh = table_row(p, &t, t.header, true, true);
	rh = json_array_size(t.rows) > 0 ? table_row(p, &t, json_array_get(t.rows, 0), false, true)
					 : 0;
	rc = ensure(p, caption + hh + rh);
	if (rc)
		goto fail;
	if (cap) {
		set_rgb(p->cr, RGB_TEXT);
		rc = flow(p, cap, MARGIN_LEFT, PITCH);
		if (rc)
			goto fail;
	}
	if (hh > 0)
		p->y += table_row(p, &t, t.header, true, false);
	p->fresh = false;
	json_array_foreach(t.rows, i, row)
	{
		rh = table_row(p, &t, row, false, true);
		if (p->y + rh > TEXT_BOTTOM + 0.01) {
			rc = new_page(p);
			if (rc)
				goto fail;
			if (hh > 0)
				p->y += table_row(p, &t, t.header, true, false);
		}
		p->y += table_row(p, &t, row, false, false);
		p->fresh = false;
	}
	p->y += PITCH / 2;
fail:
	if (cap)
		g_object_unref(cap);
	return rc;
}

/* --- the document --- */

static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct pdf *p = closure;

	if (!p->write_rc)
		p->write_rc = buf_append(p->out, data, length);
	return p->write_rc ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static int draw_doc(struct pdf *p, const json_t *doc)
{
	const json_t *arr, *v;
	const char *footer = get_text(doc, "footer");
	size_t i;
	int rc = ERR_OK;

	rc = draw_head(p, doc);
	(void)opt_array(doc, "meta", &arr);
	if (!rc && arr)
		rc = draw_meta(p, arr);
	(void)opt_array(doc, "sections", &arr);
	json_array_foreach(arr, i, v)
	{
		if (!rc)
			rc = draw_section(p, v);
	}
	(void)opt_array(doc, "charts", &arr);
	json_array_foreach(arr, i, v)
	{
		if (!rc)
			rc = draw_chart(p, v);
	}
	(void)opt_array(doc, "tables", &arr);
	json_array_foreach(arr, i, v)
	{
		if (!rc)
			rc = draw_table(p, v);
	}
	if (!rc && footer)
		rc = draw_footer(p, footer);
	if (!rc)
		draw_page_number(p);
	return rc;
}

int pdf_render(const json_t *doc, struct buf *out)
{
	struct pdf p = {.out = out, .y = MARGIN_TOP, .page = 1, .fresh = true};
	cairo_font_options_t *fo = NULL;
	size_t start = out->n;
	int rc;

	rc = doc_check(doc);
	if (rc)
		return rc;
	p.surface = cairo_pdf_surface_create_for_stream(pdf_write, &p, PAGE_W, PAGE_H);
	if (cairo_surface_status(p.surface)) {
		rc = ERR_NOMEM;
		goto fail;
	}
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE, get_text(doc, "title"));
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR, "shenliao");
	p.cr = cairo_create(p.surface);
	if (cairo_status(p.cr)) {
		rc = ERR_NOMEM;
		goto fail;
	}
	/* the calling thread's font map (per thread, see pdf.h), our own context */
	p.pc = pango_font_map_create_context(pango_cairo_font_map_get_default());
	pango_context_set_language(p.pc, pango_language_from_string("zh-cn"));
	pango_context_set_round_glyph_positions(p.pc, FALSE);
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(p.pc, fo);
	pango_cairo_update_context(p.cr, p.pc);

	rc = draw_doc(&p, doc);
	if (rc)
		goto fail;
	cairo_destroy(p.cr);
	p.cr = NULL;
	cairo_surface_finish(p.surface);
	if (p.write_rc)
		rc = p.write_rc;
	else if (cairo_surface_status(p.surface))
		rc = ERR_NOMEM;
fail:
	if (fo)
		cairo_font_options_destroy(fo);
	if (p.pc)
		g_object_unref(p.pc);
	if (p.cr)
		cairo_destroy(p.cr);
	if (p.surface)
		cairo_surface_destroy(p.surface);
	if (rc) {
		out->n = start;
		if (out->p)
			out->p[start] = '\0';
	}
	return rc;
}

void pdf_thread_fini(void)
{
	pango_cairo_font_map_set_default(NULL);
}
