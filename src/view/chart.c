/*
 * chart.c - bar, funnel and line charts as SVG (see chart.h).
 *
 * All drawing happens in a 420-unit-wide viewBox. At 360 px that is a scale of 0.86, so the
 * 15-unit body text shows at about 13 px and the 17-unit titles at about 15 px; on a
 * projector everything grows with the box. We cannot measure text on the server, so
 * widths are estimated (a CJK character is one em, anything else about half) and labels
 * are cut to the columns they have.
 *
 * Output goes through a small writer with a sticky error (struct svg), so the drawing code
 * reads as a list of shapes; the public functions check the error once and roll out back.
 */
#include "chart.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

#define VIEW_W	   420.0
#define PAD	   16.0
#define FONT	   15.0 /* labels and values */
#define FONT_SMALL 13.0 /* ticks, ratios, value labels on the line */
#define FONT_TITLE 17.0
#define TITLE_H	   40.0 /* band taken by a visible title */

#define COLOR_ACCENT "#b3261e"
#define COLOR_TEXT   "#1d1b1a"
#define COLOR_MUTED  "#5c5753"
#define COLOR_GRID   "#ddd8d2"
#define COLOR_TRACK  "#f0ece7"

/* Funnel stages from dark to light; printable in grey as well. */
static const char *const funnel_colors[] = {"#b3261e", "#c0463b", "#cc6459",
					    "#d88278", "#e3a098", "#edbdb7"};

/* --- text --- */

/* u8_next decodes the code point at s[i..n) into *cp and returns its length in bytes; a
 * byte that does not start a well-formed sequence (or is NUL) gives U+FFFD and length 1. */
static size_t u8_next(const char *s, size_t n, size_t i, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s + i;
	size_t avail = n - i < 4 ? n - i : 4, len;

	if (p[0] < 0x80 && p[0] != 0) {
		*cp = p[0];
		return 1;
	}
	if (utf8_first_invalid(s + i, avail) == 0) {
		*cp = 0xFFFD;
		return 1;
	}
	if (p[0] < 0xE0) {
		len = 2;
		*cp = (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
	} else if (p[0] < 0xF0) {
		len = 3;
		*cp = (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
	} else {
		len = 4;
		*cp = (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3F) << 12 |
		      (unsigned)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
	}
	return len;
}

/* cp_wide reports whether cp takes two columns (East Asian wide or fullwidth, emoji). */
static bool cp_wide(unsigned cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
	       (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* text_cols returns the columns s takes (wide characters count two). */
static size_t text_cols(const char *s)
{
	size_t n = strlen(s), i = 0, cols = 0;
	unsigned cp;

	while (i < n) {
		i += u8_next(s, n, i, &cp);
		cols += cp_wide(cp) ? 2 : 1;
	}
	return cols;
}

/* text_px estimates the drawn width of cols narrow characters (digits) at size font. */
static double text_px(size_t cols, double font)
{
	return (double)cols * font * 0.55;
}

/* label_px estimates the drawn width of s cut to max_cols columns, at size font: a wide
 * character is one em, any other about half. */
static double label_px(const char *s, size_t max_cols, double font)
{
	size_t n = s ? strlen(s) : 0, i = 0, cols = 0;
	double em = 0;
	unsigned cp;

	while (i < n && cols < max_cols) {
		i += u8_next(s, n, i, &cp);
		cols += cp_wide(cp) ? 2 : 1;
		em += cp_wide(cp) ? 1.0 : 0.55;
	}
	return em * font;
}

/* cols_for returns how many columns fit in width px at font size font. */
static size_t cols_for(double px, double font)
{
	double c = px / (font * 0.55);

	return c < 4 ? 4 : (size_t)c;
}

/* --- the writer --- */

struct svg {
	struct buf *out;
	size_t start; /* out->n when the chart began, for rolling back */
	int rc;	      /* first error, sticky */
};

static void svg_init(struct svg *g, struct buf *out)
{
	g->out = out;
	g->start = out->n;
	g->rc = ERR_OK;
}

static void svg_printf(struct svg *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void svg_printf(struct svg *g, const char *fmt, ...)
{
	va_list ap;

	if (g->rc)
		return;
	va_start(ap, fmt);
	g->rc = buf_vprintf(g->out, fmt, ap);
	va_end(ap);
}

static void svg_raw(struct svg *g, const char *p, size_t n)
{
	if (!g->rc)
		g->rc = buf_append(g->out, p, n);
}

/* svg_text appends s as escaped XML text, at most max_cols columns (0: no limit); a longer
 * s is cut before a code point and ends in "…". Bad bytes become U+FFFD, control
 * characters and XML's non-characters become spaces or U+FFFD. */
static void svg_text(struct svg *g, const char *s, size_t max_cols)
{
	size_t n, i = 0, len, cols = 0, cut = 0;
	unsigned cp;

	if (!s)
		return;
	n = strlen(s);
	if (max_cols && text_cols(s) > max_cols)
		cut = max_cols > 2 ? max_cols - 2 : 1; /* "…" is wide in CJK fonts */
	while (i < n && !g->rc) {
		len = u8_next(s, n, i, &cp);
		if (cut && cols + (cp_wide(cp) ? 2 : 1) > cut)
			break;
		cols += cp_wide(cp) ? 2 : 1;
		if (cp < 0x20 || cp == 0x7F)
			svg_raw(g, " ", 1);
		else if (cp == 0xFFFD || cp == 0xFFFE || cp == 0xFFFF)
			svg_raw(g, "\xEF\xBF\xBD", 3);
		else if (!g->rc)
			g->rc = buf_append_html(g->out, s + i, len);
		i += len;
	}
	if (cut)
		svg_raw(g, "…", strlen("…"));
}

/* svg_open starts the document: root element, <title>, and the visible title when there
 * is one. Returns the y where the drawing may start. */
static double svg_open(struct svg *g, const char *kind, double height, const char *title)
{
	const char *name = title && *title ? title : "图表";

	svg_printf(g,
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-%s\" "
		   "viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" aria-label=\"",
		   kind, VIEW_W, height);
	svg_text(g, name, 0);
	svg_printf(g,
		   "\" font-family=\"Noto Sans CJK SC, sans-serif\" font-size=\"%.0f\" "
		   "fill=\"" COLOR_TEXT "\">\n<title>",
		   FONT);
	svg_text(g, name, 0);
	svg_printf(g, "</title>\n");
	if (!title || !*title)
		return PAD;
	svg_printf(g,
		   "<text class=\"chart-title\" x=\"%.0f\" y=\"26\" text-anchor=\"middle\" "
		   "font-size=\"%.0f\" font-weight=\"700\">",
		   VIEW_W / 2, FONT_TITLE);
	svg_text(g, title, cols_for(VIEW_W - 2 * PAD, FONT_TITLE));
	svg_printf(g, "</text>\n");
	return TITLE_H;
}

/* title_band returns the height svg_open will take for title. */
static double title_band(const char *title)
{
	return title && *title ? TITLE_H : PAD;
}

static int svg_finish(struct svg *g)
{
	svg_printf(g, "</svg>\n");
	if (g->rc) {
		g->out->n = g->start;
		if (g->out->p)
			g->out->p[g->start] = '\0';
	}
	return g->rc;
}

/* svg_desc writes <desc> with every label and value in words ("经济：12；社会：9"); with
 * ratios set, each stage after the first also gets its share of the one before. */
static void svg_desc(struct svg *g, const char *const *labels, const double *values, size_t n,
		     bool ratios, const char *const *steps)
{
	char num[CHART_NUM_MAX];
	size_t i;

	svg_printf(g, "<desc>");
	for (i = 0; i < n; i++) {
		if (i > 0)
			svg_printf(g, "；");
		svg_text(g, labels[i], 0);
		chart_format_value(values[i], num, sizeof(num));
		svg_printf(g, "：%s", num);
		if (ratios && i > 0 && steps && steps[i]) {
			svg_printf(g, "（");
			svg_text(g, steps[i], 0);
			svg_printf(g, "）");
		} else if (ratios && i > 0) {
			chart_format_ratio(values[i], values[i - 1], num, sizeof(num));
			svg_printf(g, "（上一环节的 %s）", num);
		}
	}
	svg_printf(g, "</desc>\n");
}

/* chart_empty draws the title and "暂无数据" for a chart without data. */
static int chart_empty(struct svg *g, const char *kind, const char *title)
{
	double y = svg_open(g, kind, title_band(title) + 70, title);

	svg_printf(g, "<desc>暂无数据</desc>\n");
	svg_printf(g,
		   "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"" COLOR_MUTED
		   "\">暂无数据</text>\n",
		   VIEW_W / 2, y + 35);
	return svg_finish(g);
}

/* data_max returns the largest cleaned value and the widest formatted one in columns. */
static double data_max(const double *values, size_t n, size_t *widest, bool *integral)
{
	char num[CHART_NUM_MAX];
	double max = 0, v;
	size_t i, w;

	*widest = 0;
	*integral = true;
	for (i = 0; i < n; i++) {
		v = chart_clean(values[i]);
		if (v > max)
			max = v;
		if (v != floor(v))
			*integral = false;
		w = chart_format_value(v, num, sizeof(num));
		if (w > *widest)
			*widest = w;
	}
	return max;
}

/* --- bars --- */

#define BAR_ROW 54.0 /* label line + bar + gap */
#define BAR_H	18.0

int chart_bars_svg(const char *title, const char *const *labels, const double *values, size_t n,
		   struct buf *out)
{
	char num[CHART_NUM_MAX];
	struct svg g;
	double max, top, bar_max, y, w;
	size_t widest, i;
	bool integral;

	if (n > 0 && (!labels || !values))
		return ERR_INVALID;
	svg_init(&g, out);
	if (n == 0)
		return chart_empty(&g, "bars", title);
	max = data_max(values, n, &widest, &integral);
	top = svg_open(&g, "bars", title_band(title) + (double)n * BAR_ROW, title);
	svg_desc(&g, labels, values, n, false, NULL);
	bar_max = VIEW_W - 2 * PAD - text_px(widest, FONT) - 10;
	for (i = 0; i < n; i++) {
		y = top + (double)i * BAR_ROW;
		w = max > 0 ? chart_clean(values[i]) / max * bar_max : 0;
		svg_printf(&g, "<text x=\"%.0f\" y=\"%.1f\">", PAD, y + 16);
		svg_text(&g, labels[i], cols_for(VIEW_W - 2 * PAD, FONT));
		svg_printf(&g,
			   "</text>\n<rect class=\"track\" x=\"%.0f\" y=\"%.1f\" width=\"%.2f\" "
			   "height=\"%.0f\" fill=\"" COLOR_TRACK "\"/>\n",
			   PAD, y + 24, bar_max, BAR_H);
		svg_printf(
		    &g,
		    "<rect class=\"bar\" x=\"%.0f\" y=\"%.1f\" width=\"%.2f\" height=\"%.0f\" "
		    "fill=\"" COLOR_ACCENT "\"/>\n",
		    PAD, y + 24, w, BAR_H);
		chart_format_value(values[i], num, sizeof(num));
		svg_printf(
		    &g,
		    "<text class=\"value\" x=\"%.2f\" y=\"%.1f\" font-weight=\"700\">%s</text>\n",
		    PAD + w + 6, y + 24 + BAR_H - 4, num);
	}
	return svg_finish(&g);
}

/* --- funnel --- */

#define FUNNEL_RATIO_H 24.0
#define FUNNEL_LABEL_H 24.0
#define FUNNEL_BAR_H   26.0
#define FUNNEL_GAP     6.0

int chart_funnel_svg(const char *title, const char *const *labels, const double *values, size_t n,
		     struct buf *out)
{
	return chart_funnel_steps_svg(title, labels, values, NULL, n, out);
}

int chart_funnel_steps_svg(const char *title, const char *const *labels, const double *values,
			   const char *const *steps, size_t n, struct buf *out)
{
	char num[CHART_NUM_MAX];
	struct svg g;
	double max, y, w, height;
	size_t widest, i, ncolors = sizeof(funnel_colors) / sizeof(funnel_colors[0]);
	size_t label_cols;
	bool integral;

	if (n > 0 && (!labels || !values))
		return ERR_INVALID;
	svg_init(&g, out);
	if (n == 0)
		return chart_empty(&g, "funnel", title);
	max = data_max(values, n, &widest, &integral);
	height = title_band(title) + (double)n * (FUNNEL_LABEL_H + FUNNEL_BAR_H + FUNNEL_GAP) +
		 (double)(n - 1) * FUNNEL_RATIO_H + PAD / 2;
	y = svg_open(&g, "funnel", height, title);
	svg_desc(&g, labels, values, n, true, steps);
	label_cols = cols_for(VIEW_W - 2 * PAD, FONT);
	label_cols = label_cols > widest + 6 ? label_cols - widest - 2 : 4;
	for (i = 0; i < n; i++) {
		if (i > 0) {
			svg_printf(
			    &g,
			    "<text class=\"ratio\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"middle\" "
			    "font-size=\"%.0f\" fill=\"" COLOR_MUTED "\">↓ ",
			    VIEW_W / 2, y + 16, FONT_SMALL);
			if (steps && steps[i]) {
				svg_text(&g, steps[i], 0);
			} else {
				chart_format_ratio(values[i], values[i - 1], num, sizeof(num));
				svg_printf(&g, "%s", num);
			}
			svg_printf(&g, "</text>\n");
			y += FUNNEL_RATIO_H;
		}
		svg_printf(&g, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"middle\"><tspan>",
			   VIEW_W / 2, y + 17);
		svg_text(&g, labels[i], label_cols);
		chart_format_value(values[i], num, sizeof(num));
		svg_printf(
		    &g, "</tspan> <tspan class=\"value\" font-weight=\"700\">%s</tspan></text>\n",
		    num);
		y += FUNNEL_LABEL_H;
		w = max > 0 ? chart_clean(values[i]) / max * (VIEW_W - 2 * PAD) : 0;
		svg_printf(
		    &g,
		    "<rect class=\"stage\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.0f\" "
		    "rx=\"3\" fill=\"%s\"/>\n",
		    (VIEW_W - w) / 2, y, w, FUNNEL_BAR_H,
		    funnel_colors[i < ncolors ? i : ncolors - 1]);
		y += FUNNEL_BAR_H + FUNNEL_GAP;
	}
	return svg_finish(&g);
}

/* --- line --- */

#define LINE_PLOT_H 200.0
#define LINE_AXIS_H 36.0 /* x labels under the plot */

/* thin returns the step k so that every k-th of n items spaced px apart has room for an
 * item need px wide. */
static size_t thin(double spacing, double need)
{
	size_t k = 1;

	while (spacing > 0 && (double)k * spacing < need + 3 && k < 1000000)
		k++;
	return k;
}

int chart_line_svg(const char *title, const char *const *xlabels, const double *values, size_t n,
		   struct buf *out)
{
	char num[CHART_NUM_MAX];
	struct svg g;
	double max, step, top, left, right, bottom, x, y, spacing, tick_w = 0, label_w = 0;
	size_t widest, i, kx, kv, label_cols = 12, c;
	bool integral;
	int count, t;

	if (n > 0 && (!xlabels || !values))
		return ERR_INVALID;
	svg_init(&g, out);
	if (n == 0)
		return chart_empty(&g, "line", title);
	max = data_max(values, n, &widest, &integral);
	chart_ticks(max, integral, &step, &count);
	for (t = 0; t <= count; t++) {
		c = chart_format_value(step * t, num, sizeof(num));
		if (text_px(c, FONT_SMALL) > tick_w)
			tick_w = text_px(c, FONT_SMALL);
	}
	for (i = 0; i < n; i++)
		label_w = fmax(label_w, label_px(xlabels[i], label_cols, FONT_SMALL));
	top = svg_open(&g, "line", title_band(title) + 22 + LINE_PLOT_H + LINE_AXIS_H, title) + 22;
	svg_desc(&g, xlabels, values, n, false, NULL);
	bottom = top + LINE_PLOT_H;
	left = PAD + tick_w + 8;
	right = VIEW_W - PAD - 12;
	spacing = n > 1 ? (right - left) / (double)(n - 1) : right - left;
	kx = thin(spacing, label_w);
	kv = thin(spacing, text_px(widest, FONT_SMALL));

	for (t = 0; t <= count; t++) {
		y = bottom - LINE_PLOT_H * t / count;
		chart_format_value(step * t, num, sizeof(num));
		svg_printf(&g,
			   "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			   "stroke-width=\"1\"/>\n<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
			   "text-anchor=\"end\" font-size=\"%.0f\" fill=\"" COLOR_MUTED
			   "\">%s</text>\n",
			   left, y, right, y, t == 0 ? COLOR_MUTED : COLOR_GRID, left - 6, y + 4.5,
			   FONT_SMALL, num);
	}
	svg_printf(&g, "<polyline fill=\"none\" stroke=\"" COLOR_ACCENT
		       "\" stroke-width=\"2.5\" stroke-linejoin=\"round\" points=\"");
	for (i = 0; i < n; i++) {
		x = n > 1 ? left + spacing * (double)i : (left + right) / 2;
		y = max > 0 ? bottom - chart_clean(values[i]) / (step * count) * LINE_PLOT_H
			    : bottom;
		svg_printf(&g, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	svg_printf(&g, "\"/>\n");
	for (i = 0; i < n; i++) {
		x = n > 1 ? left + spacing * (double)i : (left + right) / 2;
		y = max > 0 ? bottom - chart_clean(values[i]) / (step * count) * LINE_PLOT_H
			    : bottom;
		svg_printf(
		    &g,
		    "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"" COLOR_ACCENT
		    "\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n",
		    x, y);
		if (i % kv == 0) {
			chart_format_value(values[i], num, sizeof(num));
			svg_printf(&g,
				   "<text class=\"value\" x=\"%.1f\" y=\"%.1f\" "
				   "text-anchor=\"middle\" font-size=\"%.0f\">%s</text>\n",
				   x, y - 9, FONT_SMALL, num);
		}
		if (i % kx == 0) {
			svg_printf(&g,
				   "<text class=\"xlabel\" x=\"%.1f\" y=\"%.1f\" "
				   "text-anchor=\"middle\" font-size=\"%.0f\" fill=\"" COLOR_MUTED
				   "\">",
				   x, bottom + 22, FONT_SMALL);
			svg_text(&g, xlabels[i], label_cols);
			svg_printf(&g, "</text>\n");
		}
	}
	return svg_finish(&g);
}

/* --- shared helpers --- */

double chart_clean(double v)
{
	return isfinite(v) && v > 0 ? v : 0;
}

/* trim_zeros drops trailing zeros after a decimal point, and the point itself. */
static size_t trim_zeros(char *s, size_t k)
{
	if (!memchr(s, '.', k))
		return k;
	while (k > 0 && s[k - 1] == '0')
		k--;
	if (k > 0 && s[k - 1] == '.')
		k--;
	s[k] = '\0';
	return k;
}

size_t chart_format_value(double v, char *dst, size_t cap)
{
	int k;

	assert(cap >= CHART_NUM_MAX);
	v = chart_clean(v);
	if (v >= 1e15)
		return (size_t)snprintf(dst, cap, "%.3g", v);
	if (v == floor(v))
		return (size_t)snprintf(dst, cap, "%.0f", v);
	k = snprintf(dst, cap, "%.2f", v);
	return trim_zeros(dst, (size_t)k);
}

size_t chart_format_ratio(double cur, double prev, char *dst, size_t cap)
{
	double pct;
	size_t k;

	assert(cap >= CHART_NUM_MAX);
	cur = chart_clean(cur);
	prev = chart_clean(prev);
	if (prev <= 0)
		return (size_t)snprintf(dst, cap, "—");
	pct = cur / prev * 100;
	if (!isfinite(pct) || pct >= 1e6)
		return (size_t)snprintf(dst, cap, "%.3g%%", isfinite(pct) ? pct : 1e308);
	k = trim_zeros(dst, (size_t)snprintf(dst, cap, "%.1f", pct));
	dst[k++] = '%';
	dst[k] = '\0';
	return k;
}

void chart_ticks(double max, bool integral, double *step, int *count)
{
	double raw, mag, r, s;

	max = chart_clean(max);
	if (max <= 0) {
		*step = integral ? 1 : 0.25;
		*count = 4;
		return;
	}
	raw = max / 4;
	mag = pow(10, floor(log10(raw)));
	r = raw / mag;
	s = r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10;
	s *= mag;
	if (integral && s < 1)
		s = 1;
	*step = s;
	*count = (int)ceil(max / s - 1e-9);
	if (*count < 1)
		*count = 1;
}
