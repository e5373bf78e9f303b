/*
 * test_mustache.c - unit tests for view/mustache.
 *
 * Every case of the official spec files (mustache-spec/NAME.json under $SHENLIAO_TESTDATA,
 * default tests/data, so run from the repository root) runs as its own cmocka test, through
 * both the one-shot and the compiled API. Then our own cases: escaping, errors with line
 * numbers, the output bound, runaway partials, truthiness, numbers, and a page layout built
 * with inheritance.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/mustache.h"

static const char *const spec_files[] = {
    "comments", "delimiters", "interpolation", "inverted", "partials", "sections", "~inheritance",
};

struct spec_case {
	const char *file;
	const json_t *test;
};

/* print_quoted shows p[0..n) as a C string literal, so whitespace differences are visible. */
static void print_quoted(const char *label, const char *p, size_t n)
{
	struct buf b;
	size_t i;
	int rc = 0;

	buf_init(&b, BUF_MAX_DEFAULT);
	for (i = 0; i < n && rc == 0; i++) {
		switch (p[i]) {
		case '\n':
			rc = buf_puts(&b, "\\n");
			break;
		case '\r':
			rc = buf_puts(&b, "\\r");
			break;
		case '\t':
			rc = buf_puts(&b, "\\t");
			break;
		case '"':
			rc = buf_puts(&b, "\\\"");
			break;
		case '\\':
			rc = buf_puts(&b, "\\\\");
			break;
		default:
			rc = buf_putc(&b, p[i]);
		}
	}
	print_error("  %-9s \"%s\"\n", label, buf_cstr(&b));
	buf_fini(&b);
}

/* source_json resolves partials from a JSON object of name -> template text (ud). */
static const char *source_json(void *ud, const char *name, size_t name_len, size_t *out_len)
{
	const json_t *s = json_object_getn(ud, name, name_len);

	if (!json_is_string(s))
		return NULL;
	*out_len = json_string_length(s);
	return json_string_value(s);
}

static void run_spec_case(void **state)
{
	const struct spec_case *sc = *state;
	const json_t *t = sc->test;
	const json_t *tpl = json_object_get(t, "template"), *want = json_object_get(t, "expected");
	json_t *data = json_object_get(t, "data"), *partials = json_object_get(t, "partials");
	struct mustache_error err = {0, ""}, cerr = {0, ""};
	struct mustache *m = NULL;
	struct buf got, got2;
	int rc, rc2;
	bool ok;

	assert_non_null(tpl);
	assert_non_null(want);
	buf_init(&got, BUF_MAX_DEFAULT);
	buf_init(&got2, BUF_MAX_DEFAULT);
	rc = mustache_render(json_string_value(tpl), json_string_length(tpl), data, source_json,
			     partials, &got, &err);
	rc2 = mustache_compile(json_string_value(tpl), json_string_length(tpl), &m, &cerr);
	if (rc2 == 0)
		rc2 = mustache_render_compiled(m, data, source_json, partials, &got2, &cerr);
	ok = rc == 0 && got.n == json_string_length(want) &&
	     memcmp(buf_cstr(&got), json_string_value(want), got.n) == 0;
	if (!ok) {
		print_error("%s: %s\n", sc->file, json_string_value(json_object_get(t, "name")));
		print_quoted("template", json_string_value(tpl), json_string_length(tpl));
		print_quoted("expected", json_string_value(want), json_string_length(want));
		print_quoted("got", buf_cstr(&got), got.n);
		if (rc)
			print_error("  rc %d, line %d: %s\n", rc, err.line, err.message);
	}
	if (rc2 != rc || got2.n != got.n || memcmp(buf_cstr(&got2), buf_cstr(&got), got.n) != 0) {
		print_error("%s: %s: compiled render differs from one-shot render\n", sc->file,
			    json_string_value(json_object_get(t, "name")));
		print_quoted("compiled", buf_cstr(&got2), got2.n);
		ok = false;
	}
	mustache_free(m);
	buf_fini(&got);
	buf_fini(&got2);
	assert_true(ok);
}

/* run_spec_file runs every case of one spec file as a cmocka group; returns failures. */
static int run_spec_file(const char *dir, const char *file)
{
	char path[512];
	json_error_t jerr;
	json_t *root = NULL;
	const json_t *tests;
	struct CMUnitTest *units = NULL;
	struct spec_case *cases = NULL;
	char **names = NULL;
	size_t i, n = 0;
	int k, failed = 1;

	k = snprintf(path, sizeof(path), "%s/mustache-spec/%s.json", dir, file);
	if (k < 0 || (size_t)k >= sizeof(path)) {
		fprintf(stderr, "spec path too long: %s\n", dir);
		goto done;
	}
	root = json_load_file(path, 0, &jerr);
	tests = json_object_get(root, "tests");
	if (!json_is_array(tests) || json_array_size(tests) == 0) {
		fprintf(stderr, "%s: cannot load spec tests (%s)\n", path, jerr.text);
		goto done;
	}
	n = json_array_size(tests);
	units = calloc(n, sizeof(*units));
	cases = calloc(n, sizeof(*cases));
	names = calloc(n, sizeof(*names));
	if (!units || !cases || !names)
		goto done;
	for (i = 0; i < n; i++) {
		const char *name =
		    json_string_value(json_object_get(json_array_get(tests, i), "name"));
		size_t len = strlen(file) + strlen(name ? name : "?") + 3;

		names[i] = malloc(len);
		if (!names[i])
			goto done;
		k = snprintf(names[i], len, "%s: %s", file, name ? name : "?");
		if (k < 0 || (size_t)k >= len)
			goto done;
		cases[i].file = file;
		cases[i].test = json_array_get(tests, i);
		units[i].name = names[i];
		units[i].test_func = run_spec_case;
		units[i].initial_state = &cases[i];
	}
	failed = _cmocka_run_group_tests(file, units, n, NULL, NULL);
done:
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	free(cases);
	free(units);
	json_decref(root);
	return failed;
}

/* ---- our own cases ---- */

/* render renders tpl against the JSON text data with partials from the JSON object text
 * partials (may be NULL) into out; returns the render's result. */
static int render(const char *tpl, const char *data, const char *partials, struct buf *out,
		  struct mustache_error *err)
{
	json_t *d = json_loads(data, JSON_DECODE_ANY, NULL);
	json_t *p = partials ? json_loads(partials, 0, NULL) : NULL;
	int rc;

	assert_non_null(d);
	rc = mustache_render(tpl, strlen(tpl), d, source_json, p, out, err);
	json_decref(d);
	json_decref(p);
	return rc;
}

/* expect renders and checks the result is 0 and the output is want. */
static void expect(const char *tpl, const char *data, const char *partials, const char *want)
{
	struct mustache_error err = {0, ""};
	struct buf out;
	int rc;

	buf_init(&out, BUF_MAX_DEFAULT);
	rc = render(tpl, data, partials, &out, &err);
	if (rc || strcmp(buf_cstr(&out), want) != 0) {
		print_quoted("template", tpl, strlen(tpl));
		print_quoted("expected", want, strlen(want));
		print_quoted("got", buf_cstr(&out), out.n);
		print_error("  rc %d: %s\n", rc, err.message);
	}
	assert_int_equal(rc, 0);
	assert_string_equal(buf_cstr(&out), want);
	buf_fini(&out);
}

/* expect_invalid checks tpl fails with ERR_INVALID on line, with msg in the message, and
 * leaves the output as it was. */
static void expect_invalid(const char *tpl, const char *partials, int line, const char *msg)
{
	struct mustache_error err = {0, ""};
	struct buf out;
	int rc;

	buf_init(&out, BUF_MAX_DEFAULT);
	assert_int_equal(buf_puts(&out, "kept"), 0);
	rc = render(tpl, "{}", partials, &out, &err);
	if (rc != ERR_INVALID || err.line != line || !strstr(err.message, msg))
		print_error("template \"%s\": rc %d, line %d: %s\n", tpl, rc, err.line,
			    err.message);
	assert_int_equal(rc, ERR_INVALID);
	assert_int_equal(err.line, line);
	assert_non_null(strstr(err.message, msg));
	assert_string_equal(buf_cstr(&out), "kept");
	buf_fini(&out);
}

static void test_escape(void **state)
{
	(void)state;
	expect("{{x}}|{{{x}}}|{{&x}}", "{\"x\": \"it's <b>&\\\"\"}", NULL,
	       "it&#39;s &lt;b&gt;&amp;&quot;|it's <b>&\"|it's <b>&\"");
	/* partials and blocks escape the same way */
	expect("{{>p}}", "{\"x\": \"'\"}", "{\"p\": \"{{x}}\"}", "&#39;");
	expect("{{$b}}{{x}}{{/b}}", "{\"x\": \"'\"}", NULL, "&#39;");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_invalid("a\nb {{#sec}}\nc", NULL, 2, "unclosed section \"sec\"");
	expect_invalid("{{#a}}\n\n{{/b}}", NULL, 3, "closed by");
	expect_invalid("a\n\n{{x", NULL, 3, "unclosed tag");
	expect_invalid("{{{x}}", NULL, 1, "unclosed tag");
	expect_invalid("x\n{{/a}}", NULL, 2, "without an open section");
	expect_invalid("{{}}", NULL, 1, "empty tag");
	expect_invalid("{{#}}{{/}}", NULL, 1, "empty tag");
	expect_invalid("{{a b}}", NULL, 1, "space in tag name");
	expect_invalid("{{=<%=}}", NULL, 1, "invalid set-delimiter");
	expect_invalid("{{=<% = %>=}}", NULL, 1, "invalid set-delimiter");
	expect_invalid("{{<p}}{{$b}}{{/p}}{{/b}}", NULL, 1, "closed by");
	/* an error in a partial reports the partial's line */
	expect_invalid("ok\n{{>p}}", "{\"p\": \"\\n\\n{{#x}}\"}", 3, "partial \"p\"");
}

static void test_nesting_limit(void **state)
{
	struct mustache_error err = {0, ""};
	struct mustache *m = NULL;
	struct buf deep;
	int i;

	(void)state;
	buf_init(&deep, BUF_MAX_DEFAULT);
	for (i = 0; i < MUSTACHE_MAX_NESTING; i++)
		assert_int_equal(buf_puts(&deep, "{{#a}}"), 0);
	for (i = 0; i < MUSTACHE_MAX_NESTING; i++)
		assert_int_equal(buf_puts(&deep, "{{/a}}"), 0);
	assert_int_equal(mustache_compile(deep.p, deep.n, &m, &err), 0);
	mustache_free(m);
	buf_reset(&deep);
	for (i = 0; i <= MUSTACHE_MAX_NESTING; i++)
		assert_int_equal(buf_puts(&deep, "{{#a}}"), 0);
	assert_int_equal(mustache_compile(deep.p, deep.n, &m, &err), ERR_INVALID);
	assert_null(m);
	assert_non_null(strstr(err.message, "nested deeper"));
	buf_fini(&deep);
}

static void test_too_big(void **state)
{
	struct mustache_error err = {0, ""};
	struct buf out;

	(void)state;
	buf_init(&out, 16);
	assert_int_equal(buf_puts(&out, "head "), 0);
	assert_int_equal(render("{{x}}", "{\"x\": \"0123456789abcdef\"}", NULL, &out, &err),
			 ERR_TOO_BIG);
	assert_string_equal(buf_cstr(&out), "head ");
	/* escaping counts against the bound too */
	assert_int_equal(render("{{x}}", "{\"x\": \"<<<\"}", NULL, &out, &err), ERR_TOO_BIG);
	assert_int_equal(render("{{{x}}}", "{\"x\": \"<<<\"}", NULL, &out, &err), 0);
	assert_string_equal(buf_cstr(&out), "head <<<");
	buf_fini(&out);
}

static void test_partial_recursion(void **state)
{
	(void)state;
	/* the spec's recursion stops with the data ... */
	expect("{{>node}}", "{\"n\": [{\"n\": [{\"n\": []}]}]}",
	       "{\"node\": \"<{{#n}}{{>node}}{{/n}}>\"}", "<<<>>>");
	/* ... runaway recursion is stopped by the depth limit */
	expect_invalid("{{>loop}}", "{\"loop\": \"x{{>loop}}\"}", 1, "nested deeper than 64");
	expect_invalid("{{>a}}", "{\"a\": \"{{>b}}\", \"b\": \"\\n{{>a}}\"}", 2, "nested deeper");
	expect_invalid("{{<p}}{{/p}}", "{\"p\": \"{{<p}}{{/p}}\"}", 1, "nested deeper");
	/* a block whose argument contains the block itself */
	expect_invalid("{{<p}}{{$b}}[{{$b}}{{/b}}]{{/b}}{{/p}}", "{\"p\": \"{{$b}}{{/b}}\"}", 1,
		       "nested deeper");
}

static void test_truthiness(void **state)
{
	(void)state;
	/* an empty string is false, as in mustache.js; any other string is true */
	expect("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\": \"\"}", NULL, "no");
	expect("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\": \" \"}", NULL, "yes");
	expect("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\": 0}", NULL, "no");
	expect("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\": 0.5}", NULL, "yes");
	expect("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\": {}}", NULL, "yes");
	expect("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\": false}", NULL, "no");
	expect("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\": null}", NULL, "no");
	expect("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\": []}", NULL, "no");
	expect("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{}", NULL, "no");
	/* a scalar section value is pushed, so {{.}} sees it */
	expect("{{#n}}[{{.}}]{{/n}}", "{\"n\": 7}", NULL, "[7]");
}

static void test_values(void **state)
{
	(void)state;
	expect("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}} {{h}} {{i}}",
	       "{\"a\": 100.0, \"b\": 0.1, \"c\": -2.5, \"d\": 1e21, \"e\": 1.5e-7, "
	       "\"f\": 0.000001, \"g\": 123456789012, \"h\": -0.0, \"i\": 0.30000000000000004}",
	       NULL, "100 0.1 -2.5 1e+21 1.5e-7 0.000001 123456789012 0 0.30000000000000004");
	expect("{{t}} {{f}} [{{o}}] [{{l}}] [{{n}}]",
	       "{\"t\": true, \"f\": false, \"o\": {\"k\": 1}, \"l\": [1], \"n\": null}", NULL,
	       "true false [] [] []");
	/* keys and values may hold any UTF-8 */
	expect("{{名字}}: {{v}}", "{\"名字\": \"深聊\", \"v\": \"<é>\"}", NULL, "深聊: &lt;é&gt;");
	/* a NULL context is an empty one */
	{
		struct buf out;

		buf_init(&out, 64);
		assert_int_equal(mustache_render("[{{x}}{{.}}]", 12, NULL, NULL, NULL, &out, NULL),
				 0);
		assert_string_equal(buf_cstr(&out), "[]");
		buf_fini(&out);
	}
}

static const char layout_base[] = "<!doctype html>\n"
				  "<html lang=\"{{lang}}\">\n"
				  "<head>\n"
				  "  <title>{{$title}}Shenliao{{/title}}</title>\n"
				  "</head>\n"
				  "<body>\n"
				  "  <main>\n"
				  "    {{$content}}\n"
				  "    {{/content}}\n"
				  "  </main>\n"
				  "  {{>footer}}\n"
				  "</body>\n"
				  "</html>\n";

static const char layout_page[] = "{{<base}}\n"
				  "{{$title}}{{topic}} - Shenliao{{/title}}\n"
				  "{{$content}}\n"
				  "<h1>{{topic}}</h1>\n"
				  "<ul>\n"
				  "  {{#posts}}\n"
				  "  <li>{{text}}</li>\n"
				  "  {{/posts}}\n"
				  "</ul>\n"
				  "{{/content}}\n"
				  "{{/base}}\n";

static const char layout_footer[] = "<footer>\n"
				    "  <p>{{lang}}</p>\n"
				    "</footer>\n";

static const char layout_want[] = "<!doctype html>\n"
				  "<html lang=\"zh\">\n"
				  "<head>\n"
				  "  <title>Tea &amp; talk - Shenliao</title>\n"
				  "</head>\n"
				  "<body>\n"
				  "  <main>\n"
				  "    <h1>Tea &amp; talk</h1>\n"
				  "    <ul>\n"
				  "      <li>first</li>\n"
				  "      <li>&lt;second&gt;</li>\n"
				  "    </ul>\n"
				  "  </main>\n"
				  "  <footer>\n"
				  "    <p>zh</p>\n"
				  "  </footer>\n"
				  "</body>\n"
				  "</html>\n";

static const char layout_data[] = "{\"lang\": \"zh\", \"topic\": \"Tea & talk\", "
				  "\"posts\": [{\"text\": \"first\"}, {\"text\": \"<second>\"}]}";

static const char *source_layout(void *ud, const char *name, size_t name_len, size_t *out_len)
{
	const char *text = NULL;

	(void)ud;
	if (name_len == 4 && memcmp(name, "base", 4) == 0)
		text = layout_base;
	else if (name_len == 6 && memcmp(name, "footer", 6) == 0)
		text = layout_footer;
	if (text)
		*out_len = strlen(text);
	return text;
}

struct layout_set {
	struct mustache *base, *footer;
};

static const struct mustache *lookup_layout(void *ud, const char *name, size_t name_len)
{
	const struct layout_set *set = ud;

	if (name_len == 4 && memcmp(name, "base", 4) == 0)
		return set->base;
	if (name_len == 6 && memcmp(name, "footer", 6) == 0)
		return set->footer;
	return NULL;
}

/* test_layout renders a page on our base layout through all three entry points. */
static void test_layout(void **state)
{
	struct mustache_error err = {0, ""};
	struct layout_set set = {NULL, NULL};
	struct mustache *page = NULL;
	json_t *data = json_loads(layout_data, 0, NULL);
	struct buf a, b, c;

	(void)state;
	assert_non_null(data);
	buf_init(&a, BUF_MAX_DEFAULT);
	buf_init(&b, BUF_MAX_DEFAULT);
	buf_init(&c, BUF_MAX_DEFAULT);
	assert_int_equal(
	    mustache_render(layout_page, strlen(layout_page), data, source_layout, NULL, &a, &err),
	    0);
	if (strcmp(buf_cstr(&a), layout_want) != 0) {
		print_quoted("expected", layout_want, strlen(layout_want));
		print_quoted("got", buf_cstr(&a), a.n);
	}
	assert_string_equal(buf_cstr(&a), layout_want);

	assert_int_equal(mustache_compile(layout_page, strlen(layout_page), &page, &err), 0);
	assert_int_equal(mustache_render_compiled(page, data, source_layout, NULL, &b, &err), 0);
	assert_string_equal(buf_cstr(&b), buf_cstr(&a));

	assert_int_equal(mustache_compile(layout_base, strlen(layout_base), &set.base, &err), 0);
	assert_int_equal(mustache_compile(layout_footer, strlen(layout_footer), &set.footer, &err),
			 0);
	assert_int_equal(mustache_render_lookup(page, data, lookup_layout, &set, &c, &err), 0);
	assert_string_equal(buf_cstr(&c), buf_cstr(&a));

	mustache_free(page);
	mustache_free(set.base);
	mustache_free(set.footer);
	buf_fini(&a);
	buf_fini(&b);
	buf_fini(&c);
	json_decref(data);
}

struct thread_job {
	const struct mustache *m;
	const json_t *data;
	int rc;
	int same; /* every render gave layout_want */
};

static void *render_many(void *arg)
{
	struct thread_job *job = arg;
	struct buf out;
	int i;

	buf_init(&out, BUF_MAX_DEFAULT);
	job->same = 1;
	for (i = 0; i < 200 && job->rc == 0; i++) {
		buf_reset(&out);
		job->rc =
		    mustache_render_compiled(job->m, job->data, source_layout, NULL, &out, NULL);
		job->same &= strcmp(buf_cstr(&out), layout_want) == 0;
	}
	buf_fini(&out);
	return NULL;
}

/* test_threads renders one compiled template from several threads at once. */
static void test_threads(void **state)
{
	struct thread_job jobs[4];
	pthread_t th[4];
	struct mustache *page = NULL;
	json_t *data = json_loads(layout_data, 0, NULL);
	int i;

	(void)state;
	assert_int_equal(mustache_compile(layout_page, strlen(layout_page), &page, NULL), 0);
	for (i = 0; i < 4; i++) {
		jobs[i].m = page;
		jobs[i].data = data;
		jobs[i].rc = 0;
		jobs[i].same = 0;
		assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(jobs[i].rc, 0);
		assert_true(jobs[i].same);
	}
	mustache_free(page);
	json_decref(data);
}

static void test_whitespace(void **state)
{
	(void)state;
	/* a partial inside an indented partial is indented twice */
	expect("<div>\n  {{>outer}}\n</div>\n", "{}",
	       "{\"outer\": \"<p>\\n  {{>inner}}\\n</p>\\n\", \"inner\": \"a\\nb\\n\"}",
	       "<div>\n  <p>\n    a\n    b\n  </p>\n</div>\n");
	/* standalone lines inside a partial are removed, not indented */
	expect("  {{>p}}\n", "{\"x\": [1, 2]}", "{\"p\": \"{{#x}}\\n<{{.}}>\\n{{/x}}\\n\"}",
	       "  <1>\n  <2>\n");
	/* an inline partial is not indented */
	expect("  x{{>p}}\n", "{}", "{\"p\": \"a\\nb\"}", "  xa\nb\n");
	/* set delimiters do not leak out of a partial, nor into one */
	expect("{{=<% %>=}}<%>p%><%x%>", "{\"x\": 1}", "{\"p\": \"{{x}}<%x%>\"}", "1<%x%>1");
	/* templates need not be NUL-terminated and may contain NUL bytes */
	{
		struct buf out;
		json_t *d = json_pack("{s:s}", "x", "y");

		buf_init(&out, 64);
		assert_int_equal(mustache_render("a\0{{x}}zzz", 7, d, NULL, NULL, &out, NULL), 0);
		assert_int_equal(out.n, 3);
		assert_memory_equal(out.p, "a\0y", 3);
		buf_fini(&out);
		json_decref(d);
	}
}

int main(void)
{
	const char *dir = getenv("SHENLIAO_TESTDATA");
	const struct CMUnitTest own[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_nesting_limit),
	    cmocka_unit_test(test_too_big),
	    cmocka_unit_test(test_partial_recursion),
	    cmocka_unit_test(test_truthiness),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_whitespace),
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_threads),
	};
	size_t i;
	int failed = 0;

	if (!dir || !*dir)
		dir = "tests/data";
	for (i = 0; i < sizeof(spec_files) / sizeof(spec_files[0]); i++)
		failed += run_spec_file(dir, spec_files[i]);
	failed += cmocka_run_group_tests_name("mustache", own, NULL, NULL);
	return failed ? 1 : 0;
}
