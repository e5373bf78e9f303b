/*
 * chart.h - charts for the statistics page, drawn on the server as SVG.
 *
 * Every chart is a string appended to a struct buf: no I/O, no JavaScript, so it prints,
 * works without scripts and is the same on a 360-pixel phone and on a projector. The SVG
 * has a viewBox and width="100%", so it scales to its container; the drawing is laid out
 * for a narrow box (labels sit above bars, not beside them) and font sizes are chosen so
 * that text stays about 13 px high at 360 px wide.
 *
 * Accessibility: the root has role="img" and an aria-label (the title); a <title> and a
 * <desc> listing every value in words follow, for screen readers and for copying.
 *
 * Input is forgiven, never trusted: a value that is negative, NaN or infinite is drawn as
 * 0; a NULL title or label is empty; labels longer than the space they get are cut at a
 * code point and end in "…"; bytes that are not UTF-8 become U+FFFD and control characters
 * become spaces, so the output is always well-formed XML; all text is escaped.
 *
 * The value formatting and axis helpers at the end are shared with pdf.c, so a number reads
 * the same on the page and in the printed document.
 *
 * Threads: every function here is thread-safe (no shared state).
 */
#ifndef SHENLIAO_VIEW_CHART_H
#define SHENLIAO_VIEW_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* chart_bars_svg appends a horizontal bar chart: one row per label, the label above its
 * bar, bar lengths proportional to values[i] / max(values), the value printed at the end
 * of the bar (integers without decimals). labels and values must hold n entries (they
 * may be NULL when n == 0); n == 0 or all-zero values draw "暂无数据" or empty bars.
 * ERR_INVALID when labels or values is NULL with n > 0; ERR_TOO_BIG / ERR_NOMEM from out.
 * On error out is left as it was. */
int chart_bars_svg(const char *title, const char *const *labels, const double *values, size_t n,
		   struct buf *out) WARN_UNUSED;

/* chart_funnel_svg appends a funnel: one centred bar per stage, widths proportional to
 * values[i] / max(values), each stage with its label and value, and between stages the
 * ratio of the stage to the previous one as a percentage ("↓ 44.2%"; "—" when the
 * previous stage is 0). Stages need not shrink (55 sessions may give 120 suggestions:
 * 218.2%). Arguments and errors as for chart_bars_svg. */
int chart_funnel_svg(const char *title, const char *const *labels, const double *values, size_t n,
		     struct buf *out) WARN_UNUSED;

/* chart_funnel_steps_svg is chart_funnel_svg with the words between the stages given:
 * steps[i] (1 <= i < n) is shown between stage i - 1 and stage i instead of the ratio, for
 * a stage that is no subset of the one before ("每场平均 1.9 条建议"); steps NULL or
 * steps[i] NULL: the ratio. */
int chart_funnel_steps_svg(const char *title, const char *const *labels, const double *values,
			   const char *const *steps, size_t n, struct buf *out) WARN_UNUSED;

/* chart_line_svg appends a line chart of values over xlabels (typically 12 months): y axis
 * from 0 with ticks at round numbers (1, 2 or 5 times a power of ten), a dot with its value
 * above every point, x labels thinned out when they would overlap. Arguments and errors as
 * for chart_bars_svg. */
int chart_line_svg(const char *title, const char *const *xlabels, const double *values, size_t n,
		   struct buf *out) WARN_UNUSED;

/* --- shared with pdf.c --- */

#define CHART_NUM_MAX 32 /* bytes enough for any chart_format_* result, with the NUL */

/* chart_clean returns v when it is finite and positive, else 0: what a chart draws. */
double chart_clean(double v);

/* chart_format_value writes chart_clean(v) to dst (cap >= CHART_NUM_MAX) as people read
 * it: integers without decimals ("120"), others with at most two ("3.5", "0.33"), very
 * large ones in exponent form. Returns the length written. */
size_t chart_format_value(double v, char *dst, size_t cap);

/* chart_format_ratio writes cur / prev as a percentage with at most one decimal ("44.2%",
 * "50%") to dst (cap >= CHART_NUM_MAX), or "—" when prev is 0 (after chart_clean).
 * Returns the length written. */
size_t chart_format_ratio(double cur, double prev, char *dst, size_t cap);

/* chart_ticks chooses a y axis from 0 for data whose maximum is max: *step is 1, 2 or 5
 * times a power of ten, *count >= 1 the number of steps, and step * count >= max. With
 * integral set the step is at least 1. All-zero data get 0..4 (or 0..1 with fractions). */
void chart_ticks(double max, bool integral, double *step, int *count);

#endif
