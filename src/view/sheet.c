/*
 * sheet.c - CSV and XLSX from one table (see sheet.h).
 */
#include "sheet.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/csv.h"

const char sheet_csv_type[] = "text/csv; charset=utf-8";
const char sheet_xlsx_type[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#define WIDTH_MIN	 8
#define WIDTH_MAX	 60
#define WIDTH_SAMPLE	 2000 /* rows looked at for column widths */
#define SHEET_NAME_CHARS 31

/* formula_like reports whether a spreadsheet would take string s as a formula. */
static bool formula_like(const char *s)
{
	return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
	       s[0] == '\r';
}

bool sheet_percent(const json_t *v, double *ratio)
{
	const json_t *r = json_is_object(v) ? json_object_get(v, "percent") : NULL;

	if (!json_is_number(r) || json_object_size(v) != 1)
		return false;
	*ratio = json_number_value(r);
	return isfinite(*ratio);
}

void sheet_percent_text(double ratio, char *out, size_t cap)
{
	snprintf(out, cap, "%.1f%%", ratio * 100);
}

void sheet_tables_text(json_t *tables)
{
	json_t *t, *row, *v;
	size_t i, j, k;
	double r;
	char text[40];

	json_array_foreach(tables, i, t)
	{
		json_array_foreach(json_object_get(t, "rows"), j, row)
		{
			json_array_foreach(row, k, v)
			{
				if (!sheet_percent(v, &r))
					continue;
				sheet_percent_text(r, text, sizeof(text));
				json_array_set_new(row, k, json_string(text));
			}
		}
	}
}

/* csv_cell appends one cell of the table to out. */
static int csv_cell(struct buf *out, bool first, const json_t *v)
{
	char num[40];
	double r;
	int k;

	if (sheet_percent(v, &r)) {
		sheet_percent_text(r, num, sizeof(num));
		return csv_put_field(out, first, num, strlen(num));
	}
	switch (json_typeof(v)) {
	case JSON_STRING: {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		struct buf tmp;
		int rc;

		if (!formula_like(s))
			return csv_put_field(out, first, s, n);
		buf_init(&tmp, n + 2);
		rc = buf_putc(&tmp, '\'');
		if (!rc)
			rc = buf_append(&tmp, s, n);
		if (!rc)
			rc = csv_put_field(out, first, tmp.p, tmp.n);
		buf_fini(&tmp);
		return rc;
	}
	case JSON_INTEGER:
		k = snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return csv_put_field(out, first, num, (size_t)k);
	case JSON_REAL:
		if (!isfinite(json_real_value(v)))
			return csv_put_field(out, first, "", 0);
		k = snprintf(num, sizeof(num), "%.15g", json_real_value(v));
		return csv_put_field(out, first, num, (size_t)k);
	case JSON_TRUE:
		return csv_put_field(out, first, "TRUE", 4);
	case JSON_FALSE:
		return csv_put_field(out, first, "FALSE", 5);
	case JSON_NULL:
		return csv_put_field(out, first, "", 0);
	default:
		return ERR_INVALID;
	}
}

static int csv_row(struct buf *out, const json_t *row)
{
	const json_t *v;
	size_t i;
	int rc = ERR_OK;

	if (!json_is_array(row))
		return ERR_INVALID;
	json_array_foreach(row, i, v)
	{
		rc = csv_cell(out, i == 0, v);
		if (rc)
			return rc;
	}
	return csv_end_record(out);
}

int sheet_csv(const struct sheet *s, struct buf *out)
{
	const json_t *row;
	size_t i;
	int rc;

	if (!json_is_array(s->header) || !json_is_array(s->rows))
		return ERR_INVALID;
	rc = buf_append(out, "\xef\xbb\xbf", 3);
	if (!rc)
		rc = csv_row(out, s->header);
	json_array_foreach(s->rows, i, row)
	{
		if (rc)
			break;
		rc = csv_row(out, row);
	}
	return rc;
}

/* --- XLSX --- */

/* text_width estimates how many character cells s takes on screen: wide (CJK) characters
 * take two. Every sequence of three or four bytes is counted wide; close enough for
 * column widths. */
static size_t text_width(const char *s, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80)
			w++;
		else if (c >= 0xe0)
			w += 2;
		else if (c >= 0xc0)
			w++;
	}
	return w;
}

static size_t cell_width(const json_t *v)
{
	char num[40];
	double r;

	if (sheet_percent(v, &r)) {
		sheet_percent_text(r, num, sizeof(num));
		return strlen(num);
	}

	if (json_is_string(v))
		return text_width(json_string_value(v), json_string_length(v));
	if (json_is_integer(v))
		return (size_t)snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return (size_t)snprintf(num, sizeof(num), "%.15g", json_real_value(v));
	return 5;
}

/* set_widths sizes each column to its widest cell among the header and the first rows. */
static int set_widths(lxw_worksheet *ws, const struct sheet *s)
{
	size_t ncols = json_array_size(s->header), i, j;
	size_t *w;
	int rc = ERR_OK;

	if (ncols == 0)
		return ERR_OK;
	w = calloc(ncols, sizeof(*w));
	if (!w)
		return ERR_NOMEM;
	for (j = 0; j < ncols; j++)
		w[j] = cell_width(json_array_get(s->header, j));
	for (i = 0; i < json_array_size(s->rows) && i < WIDTH_SAMPLE; i++) {
		const json_t *row = json_array_get(s->rows, i);

		for (j = 0; j < ncols && j < json_array_size(row); j++) {
			size_t cw = cell_width(json_array_get(row, j));

			if (cw > w[j])
				w[j] = cw;
		}
	}
	for (j = 0; j < ncols && !rc; j++) {
		size_t width = w[j] + 2;

		if (width < WIDTH_MIN)
			width = WIDTH_MIN;
		if (width > WIDTH_MAX)
			width = WIDTH_MAX;
		if (worksheet_set_column(ws, (lxw_col_t)j, (lxw_col_t)j, (double)width, NULL))
			rc = ERR_INVALID;
	}
	free(w);
	return rc;
}

static int lxw_rc(lxw_error e)
{
	switch (e) {
	case LXW_NO_ERROR:
		return ERR_OK;
	case LXW_ERROR_MEMORY_MALLOC_FAILED:
		return ERR_NOMEM;
	case LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED:
	case LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE:
		return ERR_TOO_BIG;
	default:
		return ERR_IO;
	}
}

static int xlsx_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, const json_t *v,
		     lxw_format *fmt, lxw_format *pct)
{
	double ratio;

	if (sheet_percent(v, &ratio))
		return lxw_rc(worksheet_write_number(ws, r, col, ratio, pct));
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (json_string_length(v) == 0)
			return ERR_OK;
		/* the library refuses strings over Excel's 32,767 characters */
		return lxw_rc(worksheet_write_string(ws, r, col, json_string_value(v), fmt));
	case JSON_INTEGER:
		return lxw_rc(
		    worksheet_write_number(ws, r, col, (double)json_integer_value(v), fmt));
	case JSON_REAL:
		if (!isfinite(json_real_value(v)))
			return ERR_OK;
		return lxw_rc(worksheet_write_number(ws, r, col, json_real_value(v), fmt));
	case JSON_TRUE:
	case JSON_FALSE:
		return lxw_rc(worksheet_write_boolean(ws, r, col, json_is_true(v), fmt));
	case JSON_NULL:
		return ERR_OK;
	default:
		return ERR_INVALID;
	}
}

static int xlsx_row(lxw_worksheet *ws, size_t r, const json_t *row, lxw_format *fmt,
		    lxw_format *pct)
{
	const json_t *v;
	size_t j;
	int rc;

	if (!json_is_array(row))
		return ERR_INVALID;
	if (r >= LXW_ROW_MAX || json_array_size(row) > LXW_COL_MAX)
		return ERR_TOO_BIG;
	json_array_foreach(row, j, v)
	{
		rc = xlsx_cell(ws, (lxw_row_t)r, (lxw_col_t)j, v, fmt, pct);
		if (rc)
			return rc;
	}
	return ERR_OK;
}

/* tab_name writes into out[LXW_MAX_SHEETNAME_LENGTH] a tab name for sheet i that Excel
 * accepts and wb does not use yet. */
static void tab_name(lxw_workbook *wb, const char *name, size_t i, char *out)
{
	char base[LXW_MAX_SHEETNAME_LENGTH];
	size_t n = 0, chars = 0, k, keep;
	const char *p;

	for (p = name ? name : ""; *p && chars < SHEET_NAME_CHARS; chars++) {
		size_t len = 1;
		unsigned char c = (unsigned char)*p;

		if (c >= 0xf0)
			len = 4;
		else if (c >= 0xe0)
			len = 3;
		else if (c >= 0xc0)
			len = 2;
		if (strlen(p) < len)
			break;
		if (len == 1 && (c < 0x20 || strchr("[]:*?/\\", c)))
			base[n++] = '_';
		else {
			memcpy(base + n, p, len);
			n += len;
		}
		p += len;
	}
	base[n] = '\0';
	if (n && base[0] == '\'')
		base[0] = '_';
	if (n && base[n - 1] == '\'')
		base[n - 1] = '_';
	if (!n)
		snprintf(base, sizeof(base), "Sheet%zu", i + 1);
	snprintf(out, LXW_MAX_SHEETNAME_LENGTH, "%s", base);
	for (k = 2; workbook_validate_sheet_name(wb, out) != LXW_NO_ERROR && k < 10000; k++) {
		char suffix[16];
		size_t sl = (size_t)snprintf(suffix, sizeof(suffix), " (%zu)", k);

		/* cut the base to leave room for the suffix, on a character boundary */
		for (keep = 0, chars = 0, p = base; *p && chars + sl < SHEET_NAME_CHARS; chars++) {
			size_t len = 1;

			while ((p[len] & 0xc0) == 0x80)
				len++;
			p += len;
			keep += len;
		}
		snprintf(out, LXW_MAX_SHEETNAME_LENGTH, "%.*s%s", (int)keep, base, suffix);
	}
}

/* write_book fills workbook wb with the sheets; wb is closed (and freed) by the caller. */
static int write_book(lxw_workbook *wb, const struct sheet *sheets, size_t n)
{
	lxw_format *bold = workbook_add_format(wb), *pct = workbook_add_format(wb);
	char name[LXW_MAX_SHEETNAME_LENGTH];
	size_t i, r;
	int rc = ERR_OK;

	if (!bold || !pct)
		return ERR_NOMEM;
	format_set_bold(bold);
	format_set_num_format(pct, "0.0%");
	for (i = 0; i < n && !rc; i++) {
		const struct sheet *s = &sheets[i];
		const json_t *row;
		lxw_worksheet *ws;

		if (!json_is_array(s->header) || !json_is_array(s->rows))
			return ERR_INVALID;
		tab_name(wb, s->name, i, name);
		ws = workbook_add_worksheet(wb, name);
		if (!ws)
			return ERR_INVALID;
		rc = xlsx_row(ws, 0, s->header, bold, pct);
		if (!rc)
			rc = set_widths(ws, s);
		if (!rc)
			worksheet_freeze_panes(ws, 1, 0);
		json_array_foreach(s->rows, r, row)
		{
			if (rc)
				break;
			rc = xlsx_row(ws, r + 1, row, NULL, pct);
		}
	}
	return rc;
}

/* read_back appends the content of open file fd to out. */
static int read_back(int fd, struct buf *out)
{
	char chunk[65536];
	ssize_t k;
	int rc = ERR_OK;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return ERR_IO;
	while (!rc && (k = read(fd, chunk, sizeof(chunk))) != 0) {
		if (k < 0)
			return ERR_IO;
		rc = buf_append(out, chunk, (size_t)k);
	}
	return rc;
}

int sheet_xlsx(const struct sheet *sheets, size_t n, struct buf *out)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	lxw_workbook *wb;
	lxw_error le;
	size_t start = out->n;
	int fd, rc, k;

	if (n == 0)
		return ERR_INVALID;
	if (!dir || !*dir)
		dir = "/tmp";
	k = snprintf(path, sizeof(path), "%s/shenliao-sheet-XXXXXX", dir);
	if (k < 0 || (size_t)k >= sizeof(path))
		return ERR_TOO_BIG;
	/* mkstemp makes the file ours alone (0600); the library rewrites that same file, and
	 * we read it back through our descriptor, never by name again */
	fd = mkstemp(path);
	if (fd < 0)
		return ERR_IO;
	wb = workbook_new(path);
	if (!wb) {
		rc = ERR_NOMEM;
		goto out;
	}
	rc = write_book(wb, sheets, n);
	le = workbook_close(wb); /* writes the file and frees wb, also after a failure */
	if (!rc && le != LXW_NO_ERROR)
		rc = lxw_rc(le);
	if (!rc)
		rc = read_back(fd, out);
	if (!rc && (out->n - start < 2 || memcmp(out->p + start, "PK", 2) != 0))
		rc = ERR_IO;
out:
	close(fd);
	unlink(path);
	return rc;
}
