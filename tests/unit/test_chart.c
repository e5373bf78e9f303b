/*
 * test_chart.c - SVG charts (src/view/chart): well-formed XML for every input, escaping,
 * proportions, funnel percentages, axis ticks, empty and hostile input.
 *
 * Well-formedness is checked by a small tag balancer written here (xmllint is not always
 * installed); when xmllint is present it is asked too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/utf8.h"
#include "view/chart.h"

/* xml_ok checks that s is one well-formed element: tags balanced and properly nested,
 * attribute values quoted, no raw '<' or '>' in text or attributes, every '&' an
 * entity. Returns 1 when it is. Enough for what chart.c writes (no comments, CDATA or
 * processing instructions). */
static int xml_ok(const char *s)
{
	const char *stack[64];
	size_t stack_n[64];
	int depth = 0, roots = 0;
	const char *p = s;

	while (*p) {
		if (*p == '&') {
			static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;",
							   "&#39;"};
			size_t k, ok = 0;

			for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
				if (strncmp(p, ents[k], strlen(ents[k])) == 0)
					ok = strlen(ents[k]);
			if (!ok)
				return 0;
			p += ok;
			continue;
		}
		if (*p == '>')
			return 0;
		if (*p != '<') {
			if (depth == 0 && *p != '\n' && *p != ' ')
				return 0; /* text outside the root */
			p++;
			continue;
		}
		if (p[1] == '/') {
			const char *name = p + 2;
			size_t n = strcspn(name, "> \n");

			if (depth == 0 || n != stack_n[depth - 1] ||
			    strncmp(name, stack[depth - 1], n) != 0 || name[n] != '>')
				return 0;
			depth--;
			p = name + n + 1;
			continue;
		}
		{
			const char *name = p + 1, *q;
			size_t n = strcspn(name, "/> \n");
			char quote = 0;

			if (n == 0)
				return 0;
			for (q = name + n; *q; q++) {
				if (quote) {
					if (*q == quote)
						quote = 0;
					else if (*q == '<' || *q == '>')
						return 0;
				} else if (*q == '"' || *q == '\'') {
					if (q[-1] != '=')
						return 0;
					quote = *q;
				} else if (*q == '>' || *q == '<') {
					break;
				}
			}
			if (*q != '>')
				return 0;
			if (q[-1] != '/') {
				if (depth == 64)
					return 0;
				if (depth == 0)
					roots++;
				stack[depth] = name;
				stack_n[depth] = n;
				depth++;
			} else if (depth == 0) {
				roots++;
			}
			p = q + 1;
		}
	}
	return depth == 0 && roots == 1;
}

/* xmllint_ok asks xmllint about s; 1 when it agrees or is not installed. */
static int xmllint_ok(const char *s)
{
	char path[] = "/tmp/test_chart_XXXXXX";
	char cmd[128];
	int fd, rc;
	FILE *f;

	if (system("command -v xmllint >/dev/null 2>&1") != 0)
		return 1;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
	rc = system(cmd);
	unlink(path);
	return rc == 0;
}

static void check_svg(const char *s)
{
	assert_true(utf8_valid(s, strlen(s)));
	assert_true(xml_ok(s));
	assert_true(strncmp(s, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
	assert_non_null(strstr(s, "width=\"100%\""));
	assert_non_null(strstr(s, "viewBox=\"0 0 420 "));
	assert_non_null(strstr(s, "role=\"img\" aria-label=\""));
	assert_non_null(strstr(s, "<title>"));
	assert_non_null(strstr(s, "font-family=\"Noto Sans CJK SC, sans-serif\""));
}

/* attr_values collects the numeric values of attribute attr (e.g. "width") on elements
 * whose start tag begins with prefix (e.g. "<rect class=\"bar\""), in order. */
static size_t attr_values(const char *s, const char *prefix, const char *attr, double *out,
			  size_t max)
{
	char key[32];
	size_t n = 0;
	const char *p = s, *end, *a;

	snprintf(key, sizeof(key), " %s=\"", attr);
	while (n < max && (p = strstr(p, prefix)) != NULL) {
		end = strchr(p, '>');
		a = strstr(p, key);
		assert_non_null(end);
		assert_true(a && a < end);
		out[n++] = strtod(a + strlen(key), NULL);
		p = end;
	}
	return n;
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static void test_bars(void **state)
{
	const char *labels[] = {"经济", "社会", "文化", "生态"};
	const double values[] = {12, 6, 3, 2.5};
	double w[8];
	struct buf b;
	(void)state;

	buf_init(&b, 1 << 20);
	assert_int_equal(chart_bars_svg("各领域场次", labels, values, 4, &b), ERR_OK);
	check_svg(b.p);
	assert_true(xmllint_ok(b.p));
	assert_non_null(strstr(b.p, "aria-label=\"各领域场次\""));
	assert_non_null(strstr(b.p, "<title>各领域场次</title>"));
	assert_non_null(strstr(b.p, "#b3261e"));
	/* proportional widths, values at the bar ends, integers without decimals */
	assert_int_equal(attr_values(b.p, "<rect class=\"bar\"", "width", w, 8), 4);
	assert_true(w[0] > 100);
	assert_true(fabs(w[0] / w[1] - 2) < 1e-3);
	assert_true(fabs(w[0] / w[2] - 4) < 1e-3);
	assert_true(fabs(w[0] / w[3] - 12 / 2.5) < 1e-3);
	assert_non_null(strstr(b.p, "font-weight=\"700\">12</text>"));
	assert_non_null(strstr(b.p, "font-weight=\"700\">6</text>"));
	assert_non_null(strstr(b.p, "font-weight=\"700\">2.5</text>"));
	assert_null(strstr(b.p, ">12.0"));
	/* the data in words for screen readers */
	assert_non_null(strstr(b.p, "<desc>经济：12；社会：6；文化：3；生态：2.5</desc>"));
	/* the value sits just after its bar */
	{
		double x[8];

		assert_int_equal(attr_values(b.p, "<text class=\"value\"", "x", x, 8), 4);
		assert_true(fabs(x[0] - (16 + w[0] + 6)) < 0.01);
	}
	buf_fini(&b);
}

static void test_escaping(void **state)
{
	const char *labels[] = {"<script>alert(1)</script>", "a & b \"q\" 'x'", "x>y"};
	const double values[] = {1, 2, 3};
	struct buf b;
	int i;
	(void)state;

	buf_init(&b, 1 << 20);
	for (i = 0; i < 3; i++) {
		int rc;

		buf_reset(&b);
		if (i == 0)
			rc = chart_bars_svg("<script>t</script>", labels, values, 3, &b);
		else if (i == 1)
			rc = chart_funnel_svg("<script>t</script>", labels, values, 3, &b);
		else
			rc = chart_line_svg("<script>t</script>", labels, values, 3, &b);
		assert_int_equal(rc, ERR_OK);
		check_svg(b.p);
		assert_true(xmllint_ok(b.p));
		assert_null(strstr(b.p, "<script"));
		assert_non_null(strstr(b.p, "&lt;script&gt;alert(1)&lt;/script&gt;"));
		assert_non_null(strstr(b.p, "aria-label=\"&lt;script&gt;t&lt;/script&gt;\""));
		assert_non_null(strstr(b.p, "a &amp; b &quot;q&quot; &#39;x&#39;"));
		assert_non_null(strstr(b.p, "x&gt;y"));
	}
	buf_fini(&b);
}

static void test_funnel(void **state)
{
	const char *labels[] = {"协商场次", "提出建议", "形成成果", "获得采纳", "落实"};
	const double values[] = {55, 120, 53, 20, 0};
	const char *zero_first[] = {"a", "b"};
	const double zero_values[] = {0, 5};
	double w[8], x[8];
	struct buf b;
	(void)state;

	buf_init(&b, 1 << 20);
	assert_int_equal(chart_funnel_svg("履职漏斗", labels, values, 5, &b), ERR_OK);
	check_svg(b.p);
	assert_true(xmllint_ok(b.p));
	assert_non_null(strstr(b.p, "↓ 218.2%"));
	assert_non_null(strstr(b.p, "↓ 44.2%"));
	assert_non_null(strstr(b.p, "↓ 37.7%"));
	assert_non_null(strstr(b.p, "↓ 0%"));
	assert_int_equal(count(b.p, "class=\"ratio\""), 4);
	assert_non_null(strstr(b.p, "<tspan>协商场次</tspan> <tspan class=\"value\" "
				    "font-weight=\"700\">55</tspan>"));
	assert_non_null(strstr(b.p, "提出建议：120（上一环节的 218.2%）"));
	/* centred stages, widths proportional to the largest */
	assert_int_equal(attr_values(b.p, "<rect class=\"stage\"", "width", w, 8), 5);
	assert_int_equal(attr_values(b.p, "<rect class=\"stage\"", "x", x, 8), 5);
	assert_true(fabs(w[1] - 388) < 0.01);
	assert_true(fabs(w[0] / w[1] - 55.0 / 120) < 1e-3);
	assert_true(fabs(x[2] + w[2] / 2 - 210) < 0.01);
	assert_true(w[4] == 0);

	buf_reset(&b);
	assert_int_equal(chart_funnel_svg("x", zero_first, zero_values, 2, &b), ERR_OK);
	check_svg(b.p);
	assert_non_null(strstr(b.p, "↓ —"));

	/* words between the stages where a stage is no subset of the one before; NULL: ratio */
	{
		const char *steps[] = {NULL, "每场平均 2.2 条建议", NULL, "采纳 <37.7%> & 更多",
				       NULL};

		buf_reset(&b);
		assert_int_equal(chart_funnel_steps_svg("履职漏斗", labels, values, steps, 5, &b),
				 ERR_OK);
		check_svg(b.p);
		assert_true(xmllint_ok(b.p));
		assert_non_null(strstr(b.p, "↓ 每场平均 2.2 条建议</text>"));
		assert_null(strstr(b.p, "218.2%"));
		assert_non_null(strstr(b.p, "↓ 44.2%"));
		assert_non_null(strstr(b.p, "↓ 采纳 &lt;37.7%&gt; &amp; 更多"));
		assert_non_null(strstr(b.p, "提出建议：120（每场平均 2.2 条建议）"));
		assert_int_equal(count(b.p, "class=\"ratio\""), 4);
	}
	buf_fini(&b);
}

static void test_line(void **state)
{
	const char *months[] = {"1月", "2月", "3月", "4月",  "5月",  "6月",
				"7月", "8月", "9月", "10月", "11月", "12月"};
	const double values[] = {3, 5, 8, 12, 7, 0, 4, 9, 11, 6, 120, 2};
	const double frac[] = {0.5, 1.25, 0.75};
	double cy[16], ty[16];
	struct buf b;
	(void)state;

	buf_init(&b, 1 << 20);
	assert_int_equal(chart_line_svg("月度协商场次", months, values, 12, &b), ERR_OK);
	check_svg(b.p);
	assert_true(xmllint_ok(b.p));
	assert_int_equal(count(b.p, "<circle class=\"dot\""), 12);
	assert_int_equal(count(b.p, "<text class=\"value\""), 12);
	assert_int_equal(count(b.p, "<text class=\"xlabel\""), 12);
	assert_non_null(strstr(b.p, ">12月</text>"));
	assert_non_null(strstr(b.p, "<polyline "));
	/* max 120: ticks 0 50 100 150 */
	assert_int_equal(count(b.p, "<text class=\"tick\""), 4);
	assert_non_null(strstr(b.p, ">150</text>"));
	assert_non_null(strstr(b.p, ">50</text>"));
	/* the dot for 120 is higher (smaller y) than every other; 0 sits on the axis (the
	 * bottom tick's line) */
	assert_int_equal(attr_values(b.p, "<circle class=\"dot\"", "cy", cy, 16), 12);
	assert_int_equal(attr_values(b.p, "<text class=\"tick\"", "y", ty, 16), 4);
	assert_true(cy[10] < cy[3] && cy[3] < cy[0]);
	assert_true(fabs(cy[5] - (ty[0] - 4.5)) < 0.11);
	assert_true(fabs((ty[0] - 4.5 - cy[10]) / (ty[0] - ty[3]) - 120.0 / 150) < 1e-3);

	/* fractions: ticks with decimals, values with at most two */
	buf_reset(&b);
	assert_int_equal(chart_line_svg(NULL, months, frac, 3, &b), ERR_OK);
	check_svg(b.p);
	assert_non_null(strstr(b.p, ">1.25</text>"));
	assert_non_null(strstr(b.p, ">0.5</text>"));
	assert_non_null(strstr(b.p, "aria-label=\"图表\""));
	buf_fini(&b);
}

static void test_line_many_points(void **state)
{
	const char *labels[40];
	double values[40];
	char names[40][16];
	struct buf b;
	size_t i, shown;
	(void)state;

	for (i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "2024年%zu期", i + 1);
		labels[i] = names[i];
		values[i] = (double)(i * 37 % 1000);
	}
	buf_init(&b, 1 << 20);
	assert_int_equal(chart_line_svg("t", labels, values, 40, &b), ERR_OK);
	check_svg(b.p);
	shown = count(b.p, "<text class=\"xlabel\"");
	/* labels thinned so they do not overlap, dots all there */
	assert_true(shown >= 3 && shown < 20);
	assert_int_equal(count(b.p, "<circle class=\"dot\""), 40);
	buf_fini(&b);
}

static void test_empty_and_zero(void **state)
{
	const char *labels[] = {"甲", "乙", "丙"};
	const double zeros[] = {0, 0, 0};
	const double bad[] = {-5, NAN, INFINITY};
	double w[4];
	struct buf b;
	(void)state;

	buf_init(&b, 1 << 20);
	assert_int_equal(chart_bars_svg("空", NULL, NULL, 0, &b), ERR_OK);
	check_svg(b.p);
	assert_non_null(strstr(b.p, ">暂无数据</text>"));
	buf_reset(&b);
	assert_int_equal(chart_funnel_svg("", NULL, NULL, 0, &b), ERR_OK);
	check_svg(b.p);
	buf_reset(&b);
	assert_int_equal(chart_line_svg(NULL, NULL, NULL, 0, &b), ERR_OK);
	check_svg(b.p);
	assert_true(xmllint_ok(b.p));

	buf_reset(&b);
	assert_int_equal(chart_bars_svg("零", labels, zeros, 3, &b), ERR_OK);
	check_svg(b.p);
	assert_int_equal(attr_values(b.p, "<rect class=\"bar\"", "width", w, 4), 3);
	assert_true(w[0] == 0 && w[1] == 0 && w[2] == 0);
	buf_reset(&b);
	assert_int_equal(chart_line_svg("零", labels, zeros, 3, &b), ERR_OK);
	check_svg(b.p);
	assert_null(strstr(b.p, "nan"));
	buf_reset(&b);
	assert_int_equal(chart_funnel_svg("零", labels, zeros, 3, &b), ERR_OK);
	check_svg(b.p);
	assert_int_equal(count(b.p, "↓ —"), 2);

	/* negative, NaN and infinity are drawn as 0 */
	buf_reset(&b);
	assert_int_equal(chart_bars_svg("坏", labels, bad, 3, &b), ERR_OK);
	check_svg(b.p);
	assert_null(strstr(b.p, "nan"));
	assert_null(strstr(b.p, "inf"));
	assert_null(strstr(b.p, ">-"));
	assert_int_equal(count(b.p, "font-weight=\"700\">0</text>"), 3);
	buf_reset(&b);
	assert_int_equal(chart_line_svg("坏", labels, bad, 3, &b), ERR_OK);
	check_svg(b.p);
	assert_null(strstr(b.p, "nan"));
	buf_reset(&b);
	assert_int_equal(chart_funnel_svg("坏", labels, bad, 3, &b), ERR_OK);
	check_svg(b.p);
	assert_null(strstr(b.p, "nan"));

	/* missing arrays with n > 0 */
	buf_reset(&b);
	assert_int_equal(chart_bars_svg("x", NULL, zeros, 3, &b), ERR_INVALID);
	assert_int_equal(chart_funnel_svg("x", labels, NULL, 3, &b), ERR_INVALID);
	assert_int_equal(chart_line_svg("x", NULL, NULL, 1, &b), ERR_INVALID);
	assert_int_equal(b.n, 0);
	buf_fini(&b);
}

static void test_long_and_bad_labels(void **state)
{
	char longest[400], mixed[200];
	const char *labels[3];
	const double values[] = {1, 2, 3};
	struct buf b;
	size_t i;
	(void)state;

	for (i = 0; i < 100; i++)
		memcpy(longest + 3 * i, "很", 3);
	longest[300] = '\0';
	/* ASCII and CJK mixed so a cut could land inside a sequence if done by bytes */
	snprintf(mixed, sizeof(mixed), "%s",
		 "a政b协c委d员e提f案g的h办i理j情k况l汇m总n统o计p表q格r一s二t三u四v五w六x七y八");
	labels[0] = longest;
	labels[1] = mixed;
	labels[2] = "bad\xff\xfe bytes\x01\x1f and \xe4\xb8"; /* invalid, controls, cut sequence */
	buf_init(&b, 1 << 20);
	assert_int_equal(chart_bars_svg(longest, labels, values, 3, &b), ERR_OK);
	check_svg(b.p);
	assert_true(xmllint_ok(b.p));
	assert_non_null(strstr(b.p, "很…</text>"));
	assert_non_null(strstr(b.p, "bad\xef\xbf\xbd\xef\xbf\xbd bytes   and \xef\xbf\xbd"));
	/* the full title stays in <title> and aria-label; the drawn one is cut */
	assert_non_null(strstr(b.p, longest));
	assert_int_equal(count(b.p, "…"), 3);
	buf_reset(&b);
	assert_int_equal(chart_funnel_svg("t", labels, values, 3, &b), ERR_OK);
	check_svg(b.p);
	buf_reset(&b);
	assert_int_equal(chart_line_svg("t", labels, values, 3, &b), ERR_OK);
	check_svg(b.p);
	assert_true(xmllint_ok(b.p));
	buf_fini(&b);
}

static void test_bound(void **state)
{
	const char *labels[] = {"经济", "社会"};
	const double values[] = {1, 2};
	struct buf b;
	(void)state;

	buf_init(&b, 600);
	assert_int_equal(buf_puts(&b, "<p>before</p>"), ERR_OK);
	assert_int_equal(chart_bars_svg("t", labels, values, 2, &b), ERR_TOO_BIG);
	assert_string_equal(buf_cstr(&b), "<p>before</p>");
	assert_int_equal(chart_line_svg("t", labels, values, 2, &b), ERR_TOO_BIG);
	assert_int_equal(chart_funnel_svg("t", labels, values, 2, &b), ERR_TOO_BIG);
	assert_string_equal(buf_cstr(&b), "<p>before</p>");
	buf_fini(&b);
}

static void test_helpers(void **state)
{
	char s[CHART_NUM_MAX];
	double step;
	int n;
	(void)state;

	chart_format_value(12, s, sizeof(s));
	assert_string_equal(s, "12");
	chart_format_value(3.5, s, sizeof(s));
	assert_string_equal(s, "3.5");
	chart_format_value(1.0 / 3, s, sizeof(s));
	assert_string_equal(s, "0.33");
	chart_format_value(2.999, s, sizeof(s));
	assert_string_equal(s, "3");
	chart_format_value(-7, s, sizeof(s));
	assert_string_equal(s, "0");
	chart_format_value(NAN, s, sizeof(s));
	assert_string_equal(s, "0");
	chart_format_value(1e300, s, sizeof(s));
	assert_string_equal(s, "1e+300");
	chart_format_value(1234567, s, sizeof(s));
	assert_string_equal(s, "1234567");

	chart_format_ratio(53, 120, s, sizeof(s));
	assert_string_equal(s, "44.2%");
	chart_format_ratio(1, 2, s, sizeof(s));
	assert_string_equal(s, "50%");
	chart_format_ratio(5, 0, s, sizeof(s));
	assert_string_equal(s, "—");
	chart_format_ratio(1e300, 1e-300, s, sizeof(s));
	assert_null(strstr(s, "inf"));

	chart_ticks(120, true, &step, &n);
	assert_true(step == 50 && n == 3);
	chart_ticks(12, true, &step, &n);
	assert_true(step == 5 && n == 3);
	chart_ticks(7, true, &step, &n);
	assert_true(step == 2 && n == 4);
	chart_ticks(3, true, &step, &n);
	assert_true(step == 1 && n == 3);
	chart_ticks(1, true, &step, &n);
	assert_true(step == 1 && n == 1);
	chart_ticks(0.8, false, &step, &n);
	assert_true(fabs(step - 0.2) < 1e-12 && n == 4);
	chart_ticks(0, true, &step, &n);
	assert_true(step == 1 && n == 4);
	chart_ticks(1000, true, &step, &n);
	assert_true(step == 500 && n == 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bars),
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_funnel),
	    cmocka_unit_test(test_line),
	    cmocka_unit_test(test_line_many_points),
	    cmocka_unit_test(test_empty_and_zero),
	    cmocka_unit_test(test_long_and_bad_labels),
	    cmocka_unit_test(test_bound),
	    cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests_name("chart", tests, NULL, NULL);
}
