/*
 * test_pdf.c - PDF documents (src/view/pdf): a long Chinese document with a table and
 * every kind of chart read back with pdftotext (title, heading, text from a later page, a
 * table cell, page numbers), headings never alone at the bottom of a page, malformed
 * documents refused, and four renders at once from four threads.
 *
 * The pdftotext checks are skipped (the rest still runs) when poppler-utils is missing.
 * Set PDF_KEEP=path to keep the long document for looking at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cairo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "view/pdf.h"

static const char sentence[] =
    "委员们围绕育后女性重返岗位的现实困难深入协商，认为应当在劳动合同、岗位保留和"
    "职业培训等方面形成制度安排，既保障女职工的合法权益，也兼顾用人单位的合理关切。";

/* long_body returns paragraphs of sentence, numbered, with marker after paragraph
 * marker_at; the caller frees it. Paragraphs are separated by blank lines or by a single
 * newline with an ideographic-space indent typed by hand, as people do. */
static char *long_body(int paragraphs, int marker_at, const char *marker)
{
	struct buf b;
	int i, j;

	buf_init(&b, 1 << 20);
	for (i = 1; i <= paragraphs; i++) {
		assert_int_equal(buf_printf(&b, i % 2 ? "　　第%d段。" : "第%d段。", i), ERR_OK);
		for (j = 0; j < 1 + i % 3; j++)
			assert_int_equal(buf_puts(&b, sentence), ERR_OK);
		if (i == marker_at)
			assert_int_equal(buf_puts(&b, marker), ERR_OK);
		assert_int_equal(buf_puts(&b, i % 2 ? "\n\n" : "\r\n"), ERR_OK);
	}
	return buf_detach(&b);
}

static json_t *long_doc(void)
{
	char *b1 = long_body(6, 0, ""), *b2 = long_body(14, 12, "此句位于第二页以后用于检验分页。"),
	     *b3 = long_body(5, 0, "");
	json_t *doc = json_pack(
	    "{s:s s:s s:[{s:s s:s} {s:s s:i} {s:s s:s} {s:s s:s}]"
	    " s:[{s:s s:s} {s:s s:s} {s:s s:s}]"
	    " s:[{s:s s:s s:[s s s s] s:[i i i i]}"
	    "    {s:s s:s s:[s s s] s:[i i i]}"
	    "    {s:s s:s s:[s s s s s s s s s s s s] s:[f f f f f f f f f f f f]}]"
	    " s:[{s:s s:[s s s] s:[[s i f] [s i f] [s i n] [s i b]]}]"
	    " s:s}",
	    "title", "关于建立育后岗位保留制度的提案", "subtitle", "深圳市政协 · 提案", "meta",
	    "label", "领衔人", "value", "张丽华", "label", "联名人数", "value", 12, "label", "案号",
	    "value", "第0123号", "label", "类别", "value", "社会事业", "sections", "heading",
	    "一、基本情况", "body", b1, "heading", "二、存在的问题", "body", b2, "heading",
	    "三、几点建议", "body", b3, "charts", "kind", "bars", "title", "各领域协商场次",
	    "labels", "经济", "社会", "文化", "生态文明建设与城市更新", "values", 12, 9, 5, 3,
	    "kind", "funnel", "title", "履职成果转化", "labels", "协商场次", "提出建议", "获得采纳",
	    "values", 55, 120, 20, "kind", "line", "title", "2024年月度协商场次", "labels", "1月",
	    "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
	    "values", 3.0, 5.0, 8.0, 12.0, 7.0, 0.0, 4.0, 9.0, 11.0, 6.0, 10.0, 2.0, "tables",
	    "title", "表1 各领域协商情况", "header", "领域", "场次", "占比", "rows", "经济建设", 12,
	    0.25, "社会服务", 9, 0.1875, "文化", 5, "生态", 3, 1, "footer",
	    "深圳市政协办公厅\n2024年12月20日");

	free(b1);
	free(b2);
	free(b3);
	assert_non_null(doc);
	return doc;
}

/* has_pdftotext reports whether the text checks can run. */
static int has_pdftotext(void)
{
	return system("command -v pdftotext >/dev/null 2>&1") == 0;
}

/* write_temp writes b to a new temporary file and returns its path (static buffer). */
static const char *write_temp(const struct buf *b)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_pdf_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b->p, 1, b->n, f), b->n);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* pdf_text runs pdftotext on pages first..last (0: to the end) of the PDF at path and
 * returns the text with all white space removed (CJK lines break anywhere); the caller
 * frees it. */
static char *pdf_text(const char *path, int first, int last)
{
	char cmd[256], chunk[4096];
	struct buf b;
	size_t n, i;
	FILE *p;

	if (last > 0)
		snprintf(cmd, sizeof(cmd), "pdftotext -q -enc UTF-8 -f %d -l %d %s -", first, last,
			 path);
	else
		snprintf(cmd, sizeof(cmd), "pdftotext -q -enc UTF-8 -f %d %s -", first, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	buf_init(&b, 16 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		for (i = 0; i < n; i++)
			if (chunk[i] != ' ' && chunk[i] != '\n' && chunk[i] != '\f' &&
			    chunk[i] != '\r')
				assert_int_equal(buf_putc(&b, chunk[i]), ERR_OK);
	assert_int_equal(pclose(p), 0);
	return buf_detach(&b);
}

/* find returns where needle[0..k) first occurs in hay[0..n), or NULL. */
static const char *find(const char *hay, size_t n, const char *needle, size_t k)
{
	size_t i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return hay + i;
	return NULL;
}

/* page_count counts "/Type /Page" objects that are not /Pages. */
static int page_count(const struct buf *b)
{
	const char *p = b->p, *end = b->p + b->n;
	int n = 0;

	while (p < end && (p = find(p, (size_t)(end - p), "/Type /Page", 11)) != NULL) {
		if (p[11] != 's')
			n++;
		p += 11;
	}
	return n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_long_document(void **state)
{
	json_t *doc = long_doc();
	struct buf b;
	const char *path, *keep = getenv("PDF_KEEP");
	char *all, *later;
	double t0, t1;
	int pages;
	(void)state;

	buf_init(&b, 64 << 20);
	assert_int_equal(buf_puts(&b, "x"), ERR_OK); /* appends after what out holds */
	t0 = now();
	assert_int_equal(pdf_render(doc, &b), ERR_OK);
	t1 = now();
	{
		/* once more, with this thread's fonts loaded: what a busy worker pays */
		struct buf again;
		double t2 = now();

		buf_init(&again, 64 << 20);
		assert_int_equal(pdf_render(doc, &again), ERR_OK);
		print_message("      again, fonts loaded: %.0f ms\n", (now() - t2) * 1000);
		buf_fini(&again);
	}
	assert_true(b.n > 1000);
	assert_memory_equal(b.p, "x%PDF-", 6);
	memmove(b.p, b.p + 1, b.n - 1);
	b.n--;
	pages = page_count(&b);
	print_message("      long document: %d pages, %zu bytes, rendered in %.0f ms\n", pages, b.n,
		      (t1 - t0) * 1000);
	assert_true(pages >= 4);
	/* metadata */
	assert_non_null(find(b.p, b.n, "/Creator (shenliao)", 19));
	assert_non_null(find(b.p, b.n, "/Title", 6));

	path = write_temp(&b);
	if (keep) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "cp %s %s", path, keep);
		assert_int_equal(system(cmd), 0);
	}
	if (!has_pdftotext()) {
		print_message("      pdftotext not installed: text checks skipped\n");
		goto done;
	}
	all = pdf_text(path, 1, 0);
	later = pdf_text(path, 2, 0);
	assert_non_null(strstr(all, "关于建立育后岗位保留制度的提案"));
	assert_non_null(strstr(all, "深圳市政协·提案"));
	assert_non_null(strstr(all, "领衔人：张丽华"));
	assert_non_null(strstr(all, "联名人数：12"));
	assert_non_null(strstr(all, "二、存在的问题"));
	assert_non_null(strstr(all, "第1段。委员们")); /* the typed indent is dropped */
	assert_null(strstr(later, "关于建立育后岗位保留制度的提案"));
	assert_non_null(strstr(later, "此句位于第二页以后用于检验分页。"));
	assert_non_null(strstr(later, "社会服务"));
	assert_non_null(strstr(later, "0.1875"));
	assert_non_null(strstr(later, "是")); /* true in a cell */
	assert_non_null(strstr(later, "各领域协商场次"));
	assert_non_null(strstr(later, "218.2%"));
	assert_non_null(strstr(later, "16.7%"));
	assert_non_null(strstr(all, "—1—"));
	assert_non_null(strstr(all, "—2—"));
	assert_non_null(strstr(later, "深圳市政协办公厅2024年12月20日"));
	free(all);
	free(later);
done:
	unlink(path);
	buf_fini(&b);
	json_decref(doc);
}

/* last_line returns the last non-empty line of page page of the PDF at path, not counting
 * the page number; the caller frees it. */
static char *last_line(const char *path, int page)
{
	char cmd[256], line[4096], last[4096] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "pdftotext -q -enc UTF-8 -f %d -l %d %s -", page, page, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n\f")] = '\0';
		if (line[0] && !strstr(line, "—"))
			snprintf(last, sizeof(last), "%s", line);
	}
	assert_int_equal(pclose(p), 0);
	return strdup(last);
}

static void test_headings_keep_with_text(void **state)
{
	json_t *doc = json_pack("{s:s s:[]}", "title", "分页检查", "sections");
	json_t *sections = json_object_get(doc, "sections");
	struct buf b;
	const char *path;
	int i, pages, page;
	(void)state;

	/* many short sections of varying length: without keep-with-next some heading would
	 * land on the last line of a page */
	for (i = 1; i <= 40; i++) {
		char heading[64], *body = long_body(1 + i % 3, 0, "");

		snprintf(heading, sizeof(heading), "第%d节要点", i);
		assert_int_equal(json_array_append_new(sections, json_pack("{s:s s:s}", "heading",
									   heading, "body", body)),
				 0);
		free(body);
	}
	buf_init(&b, 64 << 20);
	assert_int_equal(pdf_render(doc, &b), ERR_OK);
	pages = page_count(&b);
	assert_true(pages >= 5);
	if (!has_pdftotext())
		goto done;
	path = write_temp(&b);
	for (page = 1; page <= pages; page++) {
		char *last = last_line(path, page);

		assert_null(strstr(last, "节要点"));
		free(last);
	}
	unlink(path);
done:
	buf_fini(&b);
	json_decref(doc);
}

static void test_long_table(void **state)
{
	json_t *doc =
	    json_pack("{s:s s:[{s:s s:[s s s] s:[]}]}", "title", "长表", "tables", "title",
		      "表2 委员名单", "header", "序号", "姓名与界别", "备注", "rows");
	json_t *rows = json_object_get(json_array_get(json_object_get(doc, "tables"), 0), "rows");
	const char *path, *keep = getenv("PDF_KEEP_TABLE");
	struct buf b;
	int i;
	(void)state;

	for (i = 1; i <= 80; i++) {
		char name[64];

		snprintf(name, sizeof(name), "委员%03d（经济界）", i);
		json_array_append_new(rows,
				      json_pack("[i s s]", i, name,
						i % 7 ? ""
						      : "本行备注较长，需要在单元格内换行显示，"
							"以检验行高随内容增加。"));
	}
	buf_init(&b, 64 << 20);
	assert_int_equal(pdf_render(doc, &b), ERR_OK);
	assert_true(page_count(&b) >= 3);
	path = write_temp(&b);
	if (keep) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "cp %s %s", path, keep);
		assert_int_equal(system(cmd), 0);
	}
	if (has_pdftotext()) {
		char *p2 = pdf_text(path, 2, 2), *p3 = pdf_text(path, 3, 3);

		/* the header row again at the top of every page the table goes on to */
		assert_true(strncmp(p2, "序号姓名与界别", strlen("序号姓名与界别")) == 0);
		assert_true(strncmp(p3, "序号姓名与界别", strlen("序号姓名与界别")) == 0);
		assert_non_null(strstr(p2, "备注"));
		free(p3);
		p3 = pdf_text(path, page_count(&b), 0);
		assert_non_null(strstr(p3, "委员080（经济界）"));
		free(p2);
		free(p3);
	}
	unlink(path);
	buf_fini(&b);
	json_decref(doc);
}

static void test_small_documents(void **state)
{
	static const char *const docs[] = {
	    "{\"title\": \"只有标题\"}",
	    "{\"title\": \"t\", \"subtitle\": null, \"meta\": [], \"sections\": [{}],"
	    " \"charts\": [{\"kind\": \"line\", \"labels\": [], \"values\": []},"
	    "  {\"kind\": \"bars\", \"labels\": [\"a\"], \"values\": [-3]},"
	    "  {\"kind\": \"funnel\", \"labels\": [\"a\", \"b\"], \"values\": [0, 0]}],"
	    " \"tables\": [{\"title\": \"空表\"}, {\"rows\": [[1, 2, 3]]},"
	    "  {\"header\": [\"一\"], \"rows\": []}], \"footer\": \"\"}",
	    "{\"title\": \"一个很长的标题一个很长的标题一个很长的标题一个很长的标题一个很长的"
	    "标题一个很长的标题\", \"meta\": [{\"label\": \"只有一项\", \"value\": 1.5}],"
	    " \"sections\": [{\"heading\": \"无正文\"}, {\"body\": \"\\n\\n  \\n\"}]}",
	    /* a funnel with words between its stages, a table with percentage cells */
	    "{\"title\": \"t\", \"charts\": [{\"kind\": \"funnel\", \"labels\": [\"场次\", "
	    "\"建议\", \"采纳\"], \"values\": [55, 107, 20], \"steps\": [null, \"每场平均 1.9 "
	    "条建议\", null]}], \"tables\": [{\"header\": [\"指标\", \"数值\"], \"rows\": "
	    "[[\"立案率\", {\"percent\": 0.867}]]}]}",
	};
	struct buf b;
	size_t i;
	(void)state;

	buf_init(&b, 16 << 20);
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_error_t err;
		json_t *doc = json_loads(docs[i], 0, &err);

		assert_non_null(doc);
		buf_reset(&b);
		assert_int_equal(pdf_render(doc, &b), ERR_OK);
		assert_memory_equal(b.p, "%PDF-", 5);
		assert_int_equal(page_count(&b), 1);
		json_decref(doc);
	}
	buf_fini(&b);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	    "[]",
	    "{}",
	    "{\"title\": \"\"}",
	    "{\"title\": 3}",
	    "{\"title\": \"t\", \"subtitle\": 1}",
	    "{\"title\": \"t\", \"footer\": []}",
	    "{\"title\": \"a\\u0000b\"}",
	    "{\"title\": \"t\", \"sections\": {}}",
	    "{\"title\": \"t\", \"sections\": [1]}",
	    "{\"title\": \"t\", \"sections\": [{\"heading\": 1}]}",
	    "{\"title\": \"t\", \"sections\": [{\"body\": [\"x\"]}]}",
	    "{\"title\": \"t\", \"meta\": [{\"value\": \"x\"}]}",
	    "{\"title\": \"t\", \"meta\": [{\"label\": \"x\", \"value\": {}}]}",
	    "{\"title\": \"t\", \"meta\": \"x\"}",
	    "{\"title\": \"t\", \"charts\": [{\"kind\": \"pie\", \"labels\": [], \"values\": []}]}",
	    "{\"title\": \"t\", \"charts\": [{\"labels\": [], \"values\": []}]}",
	    "{\"title\": \"t\", \"charts\": [{\"kind\": \"bars\", \"labels\": [\"a\"], "
	    "\"values\": []}]}",
	    "{\"title\": \"t\", \"charts\": [{\"kind\": \"bars\", \"labels\": [\"a\"], "
	    "\"values\": [\"1\"]}]}",
	    "{\"title\": \"t\", \"charts\": [{\"kind\": \"line\", \"labels\": [1], "
	    "\"values\": [1]}]}",
	    "{\"title\": \"t\", \"charts\": [{\"kind\": \"line\", \"values\": [1]}]}",
	    "{\"title\": \"t\", \"tables\": [{\"header\": [\"a\"], \"rows\": [[1, 2]]}]}",
	    "{\"title\": \"t\", \"tables\": [{\"header\": [1], \"rows\": []}]}",
	    "{\"title\": \"t\", \"tables\": [{\"rows\": [[[1]]]}]}",
	    "{\"title\": \"t\", \"tables\": [{\"rows\": [1]}]}",
	    "{\"title\": \"t\", \"tables\": [{\"rows\": {}}]}",
	    "{\"title\": \"t\", \"tables\": [{\"title\": 5}]}",
	    "{\"title\": \"t\", \"tables\": [{\"header\": [\"a\"], \"rows\": [[null], 7]}]}",
	    "{\"title\": \"t\", \"tables\": [{\"rows\": [[{\"percent\": \"1\"}]]}]}",
	    "{\"title\": \"t\", \"charts\": [{\"kind\": \"funnel\", \"labels\": [\"a\", "
	    "\"b\"], \"values\": [1, 2], \"steps\": [null]}]}",
	    "{\"title\": \"t\", \"charts\": [{\"kind\": \"funnel\", \"labels\": [\"a\", "
	    "\"b\"], \"values\": [1, 2], \"steps\": [null, 3]}]}",
	};
	json_t *many = json_pack("{s:s s:[{s:s s:[] s:[]}]}", "title", "t", "charts", "kind",
				 "bars", "labels", "values");
	json_t *chart = json_array_get(json_object_get(many, "charts"), 0);
	struct buf b;
	size_t i;
	(void)state;

	buf_init(&b, 16 << 20);
	assert_int_equal(buf_puts(&b, "keep"), ERR_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_error_t err;
		json_t *doc = json_loads(bad[i], JSON_ALLOW_NUL, &err);

		assert_non_null(doc);
		if (pdf_render(doc, &b) != ERR_INVALID)
			fail_msg("accepted: %s", bad[i]);
		json_decref(doc);
	}
	for (i = 0; i <= PDF_CHART_MAX; i++) {
		json_array_append_new(json_object_get(chart, "labels"), json_string("x"));
		json_array_append_new(json_object_get(chart, "values"),
				      json_integer((json_int_t)i));
	}
	assert_int_equal(pdf_render(many, &b), ERR_TOO_BIG);
	assert_string_equal(buf_cstr(&b), "keep");
	/* a string over PDF_TEXT_MAX */
	{
		char *text = malloc(PDF_TEXT_MAX + 2);
		json_t *doc;

		assert_non_null(text);
		memset(text, 'a', PDF_TEXT_MAX + 1);
		text[PDF_TEXT_MAX + 1] = '\0';
		doc = json_pack("{s:s s:[{s:s}]}", "title", "t", "sections", "body", text);
		assert_int_equal(pdf_render(doc, &b), ERR_INVALID);
		assert_string_equal(buf_cstr(&b), "keep");
		json_decref(doc);
		free(text);
	}
	/* a table wider than PDF_TABLE_COLS_MAX */
	{
		json_t *wide = json_pack("{s:s s:[{s:[[]]}]}", "title", "t", "tables", "rows");
		json_t *row = json_array_get(
		    json_object_get(json_array_get(json_object_get(wide, "tables"), 0), "rows"), 0);

		for (i = 0; i <= PDF_TABLE_COLS_MAX; i++)
			json_array_append_new(row, json_integer((json_int_t)i));
		assert_int_equal(pdf_render(wide, &b), ERR_TOO_BIG);
		json_array_remove(row, 0);
		buf_reset(&b);
		assert_int_equal(pdf_render(wide, &b), ERR_OK);
		buf_reset(&b);
		assert_int_equal(buf_puts(&b, "keep"), ERR_OK);
		json_decref(wide);
	}
	/* a bound too small for the PDF: refused, out left as it was */
	{
		struct buf small;
		json_t *doc = long_doc();

		buf_init(&small, 20000);
		assert_int_equal(buf_puts(&small, "keep"), ERR_OK);
		assert_int_equal(pdf_render(doc, &small), ERR_TOO_BIG);
		assert_string_equal(buf_cstr(&small), "keep");
		buf_fini(&small);
		json_decref(doc);
	}
	json_decref(many);
	buf_fini(&b);
}

struct job {
	json_t *doc;
	struct buf out;
	int rc;
};

/* mask_date blanks the creation date cairo writes, the one part that depends on time. */
static void mask_date(struct buf *b)
{
	const char *p = find(b->p, b->n, "/CreationDate (", 15);
	char *q;

	assert_non_null(p);
	for (q = b->p + (p - b->p) + 15; q < b->p + b->n && *q != ')'; q++)
		*q = 'X';
}

static void *render_job(void *arg)
{
	struct job *j = arg;

	j->rc = pdf_render(j->doc, &j->out);
	return NULL;
}

static void test_threads(void **state)
{
	json_t *doc = long_doc();
	struct job jobs[4];
	pthread_t th[4];
	struct buf one;
	int i;
	(void)state;

	buf_init(&one, 64 << 20);
	assert_int_equal(pdf_render(doc, &one), ERR_OK);
	mask_date(&one);
	for (i = 0; i < 4; i++) {
		jobs[i].doc = json_deep_copy(doc);
		buf_init(&jobs[i].out, 64 << 20);
		jobs[i].rc = -100;
		assert_int_equal(pthread_create(&th[i], NULL, render_job, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].rc, ERR_OK);
		/* the same document renders to the same bytes on any thread */
		mask_date(&jobs[i].out);
		assert_int_equal(jobs[i].out.n, one.n);
		assert_memory_equal(jobs[i].out.p, one.p, one.n);
		buf_fini(&jobs[i].out);
		json_decref(jobs[i].doc);
	}
	buf_fini(&one);
	json_decref(doc);
}

/*
 * LeakSanitizer hook (used only in the SAN=1 build). Two leaks are not ours and nothing we
 * call frees them, so they are named here precisely rather than hidden wholesale:
 * - cairo 1.16.0 loses one 768-byte array per embedded font while it writes the font
 *   subsets in cairo_surface_finish (also seen without any of our code: a PDF surface,
 *   one pango line, finish, destroy); up to four fonts, so about 3 KB per document;
 * - fontconfig loses 288 bytes once, parsing its configuration.
 * A leak of ours (a layout, a surface, a context) is allocated outside both and is still
 * reported. Matching cairo_surface_finish needs full stacks: libcairo has no frame
 * pointers, so the fast unwinder stops inside it (this costs about two seconds).
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:cairo_surface_finish\nleak:libfontconfig.so\n";
}

static int teardown(void **state)
{
	(void)state;
	/* leave nothing for LeakSanitizer: this thread's fonts, cairo's caches */
	pdf_thread_fini();
	cairo_debug_reset_static_data();
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_long_document), cmocka_unit_test(test_headings_keep_with_text),
	    cmocka_unit_test(test_long_table),	  cmocka_unit_test(test_small_documents),
	    cmocka_unit_test(test_malformed),	  cmocka_unit_test(test_threads),
	};

	/* GObjects from plain malloc, so that LeakSanitizer sees a leaked layout or context:
	 * GLib 2.74 keeps them in slice magazines, which look reachable. GLib reads G_SLICE
	 * before main, hence the exec. */
	(void)argc;
	if (!getenv("G_SLICE")) {
		setenv("G_SLICE", "always-malloc", 1);
		execv("/proc/self/exe", argv);
	}
	return cmocka_run_group_tests_name("pdf", tests, NULL, teardown);
}
