/*
 * xlsx.c - the first worksheet of an XLSX workbook as CSV text (see xlsx.h), with libzip
 * for the archive and libxml2's streaming reader for its XML parts.
 */
#include "xlsx.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "csv.h"

#define REL_NS	 "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define MAX_COLS 16384 /* XFD, the last column a sheet may have */

static int fault(struct xlsx_fault *why, const char *zh, const char *en)
{
	if (why) {
		why->zh = zh;
		why->en = en;
	}
	return ERR_INVALID;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

bool xlsx_is_zip(const void *p, size_t n)
{
	return n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0;
}

/* read_part reads entry name of z into *out (malloc'd, NUL-terminated, *len bytes).
 * ERR_NOT_FOUND when there is no such entry. */
static int read_part(zip_t *z, const char *name, char **out, size_t *len, struct xlsx_fault *why)
{
	zip_stat_t st;
	zip_file_t *f;
	zip_int64_t got;
	char *p;

	*out = NULL;
	*len = 0;
	zip_stat_init(&st);
	if (zip_stat(z, name, 0, &st) != 0)
		return ERR_NOT_FOUND;
	if (!(st.valid & ZIP_STAT_SIZE) || st.size > XLSX_PART_MAX)
		return fault(why, "工作簿解压后过大",
			     "the workbook is too large once uncompressed");
	f = zip_fopen(z, name, 0);
	if (!f)
		return fault(why, "无法读取工作簿中的内容（文件可能已损坏或加密）",
			     "a part of the workbook cannot be read (the file may be damaged or "
			     "encrypted)");
	p = malloc((size_t)st.size + 1);
	if (!p) {
		zip_fclose(f);
		return ERR_NOMEM;
	}
	got = zip_fread(f, p, st.size);
	zip_fclose(f);
	if (got < 0 || (zip_uint64_t)got != st.size) {
		free(p);
		return fault(why, "无法读取工作簿中的内容（文件可能已损坏或加密）",
			     "a part of the workbook cannot be read (the file may be damaged or "
			     "encrypted)");
	}
	p[got] = '\0';
	*out = p;
	*len = (size_t)got;
	return ERR_OK;
}

static xmlTextReaderPtr open_xml(const char *p, size_t n)
{
	if (n > INT32_MAX)
		return NULL;
	return xmlReaderForMemory(p, (int)n, NULL, "UTF-8",
				  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static bool is(xmlTextReaderPtr r, const char *local)
{
	const xmlChar *name = xmlTextReaderConstLocalName(r);

	return name && strcmp((const char *)name, local) == 0;
}

static char *attr(xmlTextReaderPtr r, const char *name)
{
	return (char *)xmlTextReaderGetAttribute(r, (const xmlChar *)name);
}

static const char bad_xml_zh[] = "工作簿中的 XML 有误，文件可能已损坏";
static const char bad_xml_en[] = "the workbook's XML is malformed; the file may be damaged";

/* first_sheet writes the archive path of the workbook's first sheet into path (n bytes):
 * from the workbook and its relationships; xl/worksheets/sheet1.xml when they say none. */
static int first_sheet(zip_t *z, char *path, size_t n, struct xlsx_fault *why)
{
	char *wb = NULL, *rels = NULL, *rid = NULL, *target = NULL;
	size_t len;
	xmlTextReaderPtr r;
	int rc, ret;

	snprintf(path, n, "xl/worksheets/sheet1.xml");
	rc = read_part(z, "xl/workbook.xml", &wb, &len, why);
	if (rc == ERR_NOT_FOUND)
		return fault(why, "文件不是 XLSX 工作簿（缺少 xl/workbook.xml）",
			     "the file is not an XLSX workbook (it has no xl/workbook.xml)");
	if (rc)
		return rc;
	r = open_xml(wb, len);
	while (r && !rid && (ret = xmlTextReaderRead(r)) == 1)
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && is(r, "sheet"))
			rid = (char *)xmlTextReaderGetAttributeNs(r, (const xmlChar *)"id",
								  (const xmlChar *)REL_NS);
	if (r)
		xmlFreeTextReader(r);
	free(wb);
	if (!rid)
		return ERR_OK;
	rc = read_part(z, "xl/_rels/workbook.xml.rels", &rels, &len, why);
	if (rc == ERR_NOT_FOUND)
		rc = ERR_OK;
	r = rc || !rels ? NULL : open_xml(rels, len);
	while (r && !target && (ret = xmlTextReaderRead(r)) == 1)
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && is(r, "Relationship")) {
			char *id = attr(r, "Id");

			if (id && strcmp(id, rid) == 0)
				target = attr(r, "Target");
			xmlFree(id);
		}
	if (r)
		xmlFreeTextReader(r);
	if (target && target[0] == '/')
		snprintf(path, n, "%s", target + 1);
	else if (target)
		snprintf(path, n, "xl/%s", target);
	xmlFree(target);
	xmlFree(rid);
	free(rels);
	return rc;
}

/* The shared strings: texts concatenated into one buffer, offsets into it. */
struct strings {
	struct buf text;
	size_t *off, *len;
	size_t n, cap;
};

static void strings_fini(struct strings *s)
{
	buf_fini(&s->text);
	free(s->off);
	free(s->len);
}

static int strings_push(struct strings *s, size_t off, size_t len)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		size_t *o = realloc(s->off, cap * sizeof(*o)), *l;

		if (!o)
			return ERR_NOMEM;
		s->off = o;
		l = realloc(s->len, cap * sizeof(*l));
		if (!l)
			return ERR_NOMEM;
		s->len = l;
		s->cap = cap;
	}
	s->off[s->n] = off;
	s->len[s->n] = len;
	s->n++;
	return ERR_OK;
}

/* text_node: a node whose value is text of the element it is in. */
static bool text_node(int type)
{
	return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
	       type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || type == XML_READER_TYPE_WHITESPACE;
}

/* read_strings parses xl/sharedStrings.xml (p[0..n)): each <si> is the text of its <t>
 * elements, rich-text runs included, phonetic guides (<rPh>) left out. */
static int read_strings(const char *p, size_t n, struct strings *s, struct xlsx_fault *why)
{
	xmlTextReaderPtr r = open_xml(p, n);
	bool in_si = false, in_t = false;
	int rph = 0, ret, rc = ERR_OK;
	size_t start = 0;

	if (!r)
		return fault(why, bad_xml_zh, bad_xml_en);
	while (!rc && (ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		bool empty = xmlTextReaderIsEmptyElement(r) == 1;

		if (type == XML_READER_TYPE_ELEMENT) {
			if (is(r, "si")) {
				in_si = true;
				start = s->text.n;
				if (empty) {
					in_si = false;
					rc = strings_push(s, start, 0);
				}
			} else if (is(r, "rPh") && !empty) {
				rph++;
			} else if (is(r, "t") && !empty) {
				in_t = true;
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (is(r, "si") && in_si) {
				in_si = false;
				rc = strings_push(s, start, s->text.n - start);
			} else if (is(r, "rPh")) {
				rph--;
			} else if (is(r, "t")) {
				in_t = false;
			}
		} else if (text_node(type) && in_si && in_t && !rph) {
			const xmlChar *v = xmlTextReaderConstValue(r);

			if (v)
				rc = buf_puts(&s->text, (const char *)v);
		}
	}
	if (!rc && ret != 0)
		rc = fault(why, bad_xml_zh, bad_xml_en);
	xmlFreeTextReader(r);
	return rc;
}

/* col_of returns the column (from 0) of a cell reference such as "AB12"; -1 if none. */
static long col_of(const char *ref)
{
	long c = 0;
	size_t i;

	for (i = 0; ref[i] >= 'A' && ref[i] <= 'Z'; i++) {
		c = c * 26 + (ref[i] - 'A' + 1);
		if (c > MAX_COLS)
			return -1;
	}
	return i ? c - 1 : -1;
}

/* put_number appends the stored number v: a whole number without exponent or fraction. */
static int put_number(struct buf *cell, const char *v)
{
	char *end;
	double d = strtod(v, &end);

	if (*v && !*end && isfinite(d) && d == floor(d) && fabs(d) < 1e15 &&
	    (strchr(v, 'E') || strchr(v, 'e') || strchr(v, '.')))
		return buf_printf(cell, "%.0f", d);
	return buf_puts(cell, v);
}

/* The state of the sheet's reading. */
struct sheet {
	const struct strings *ss;
	struct buf *out;
	long row;	  /* the sheet row being read (from 1); rows before it are written */
	long col;	  /* columns of the row written so far */
	char type[16];	  /* the cell's t attribute */
	struct buf value; /* its <v>, or its inline string */
	bool in_v, in_is_t;
	int rph;
};

/* end_cell writes the cell just read at column col of the record. */
static int end_cell(struct sheet *sh, long col, struct xlsx_fault *why)
{
	struct buf cell;
	const char *v = sh->value.p ? sh->value.p : "";
	size_t i;
	int rc = ERR_OK;

	if (col < sh->col)
		col = sh->col; /* out of order: taken as the next one */
	if (col >= (long)CSV_FIELDS_MAX)
		return fault(why, "工作表的列过多", "the worksheet has too many columns");
	buf_init(&cell, CSV_FIELD_MAX);
	if (strcmp(sh->type, "s") == 0) {
		char *end;
		unsigned long k = strtoul(v, &end, 10);

		if (!*v || *end || k >= sh->ss->n)
			rc = fault(why, "单元格引用了不存在的共享字符串",
				   "a cell refers to a shared string that does not exist");
		else
			rc = buf_append(&cell, sh->ss->text.p + sh->ss->off[k], sh->ss->len[k]);
	} else if (strcmp(sh->type, "b") == 0) {
		rc = buf_puts(&cell, strcmp(v, "1") == 0 ? "TRUE" : "FALSE");
	} else if (!sh->type[0] || strcmp(sh->type, "n") == 0) {
		rc = put_number(&cell, v);
	} else { /* inlineStr, str (a formula's text), e (an error such as #N/A), d (a date) */
		rc = buf_puts(&cell, v);
	}
	/* one physical line per row: line breaks inside a cell become spaces */
	for (i = 0; !rc && i < cell.n; i++)
		if (cell.p[i] == '\r' || cell.p[i] == '\n')
			cell.p[i] = ' ';
	while (!rc && sh->col < col) {
		rc = csv_put_field(sh->out, sh->col == 0, "", 0);
		sh->col++;
	}
	if (!rc)
		rc = csv_put_field(sh->out, sh->col == 0, cell.p ? cell.p : "", cell.n);
	if (!rc)
		sh->col++;
	buf_fini(&cell);
	return rc;
}

/* start_row writes the empty records of the rows before row r (from 1). */
static int start_row(struct sheet *sh, long r)
{
	int rc = ERR_OK;

	if (r < sh->row)
		r = sh->row; /* out of order: taken as the next one */
	while (!rc && sh->row < r) {
		rc = csv_end_record(sh->out);
		sh->row++;
	}
	sh->col = 0;
	return rc;
}

static int end_row(struct sheet *sh)
{
	sh->row++;
	return csv_end_record(sh->out);
}

/* read_sheet parses the worksheet p[0..n) into sh->out. */
static int read_sheet(const char *p, size_t n, struct sheet *sh, struct xlsx_fault *why)
{
	xmlTextReaderPtr r = open_xml(p, n);
	long col = 0;
	bool in_row = false;
	int ret, rc = ERR_OK;

	if (!r)
		return fault(why, bad_xml_zh, bad_xml_en);
	while (!rc && (ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		bool empty = xmlTextReaderIsEmptyElement(r) == 1;

		if (type == XML_READER_TYPE_ELEMENT && is(r, "row")) {
			char *ra = attr(r, "r");
			long rn = ra ? strtol(ra, NULL, 10) : sh->row;

			xmlFree(ra);
			if (rn < 1 || rn > 1048576)
				rn = sh->row;
			rc = start_row(sh, rn);
			in_row = !empty;
			if (!rc && empty)
				rc = end_row(sh);
		} else if (type == XML_READER_TYPE_END_ELEMENT && is(r, "row") && in_row) {
			in_row = false;
			rc = end_row(sh);
		} else if (type == XML_READER_TYPE_ELEMENT && is(r, "c") && in_row) {
			char *ref = attr(r, "r"), *t = attr(r, "t");
			long c = ref ? col_of(ref) : -1;

			col = c >= 0 ? c : sh->col;
			snprintf(sh->type, sizeof(sh->type), "%s", t ? t : "");
			xmlFree(ref);
			xmlFree(t);
			buf_reset(&sh->value);
			sh->in_v = sh->in_is_t = false;
			sh->rph = 0;
			if (empty)
				rc = end_cell(sh, col, why);
		} else if (type == XML_READER_TYPE_END_ELEMENT && is(r, "c") && in_row) {
			rc = end_cell(sh, col, why);
		} else if (type == XML_READER_TYPE_ELEMENT && !empty && is(r, "v")) {
			sh->in_v = true;
		} else if (type == XML_READER_TYPE_END_ELEMENT && is(r, "v")) {
			sh->in_v = false;
		} else if (type == XML_READER_TYPE_ELEMENT && !empty && is(r, "rPh")) {
			sh->rph++;
		} else if (type == XML_READER_TYPE_END_ELEMENT && is(r, "rPh")) {
			sh->rph--;
		} else if (type == XML_READER_TYPE_ELEMENT && !empty && is(r, "t")) {
			sh->in_is_t = true;
		} else if (type == XML_READER_TYPE_END_ELEMENT && is(r, "t")) {
			sh->in_is_t = false;
		} else if (text_node(type) && (sh->in_v || (sh->in_is_t && !sh->rph))) {
			const xmlChar *v = xmlTextReaderConstValue(r);

			if (v)
				rc = buf_puts(&sh->value, (const char *)v);
		}
	}
	if (!rc && ret != 0)
		rc = fault(why, bad_xml_zh, bad_xml_en);
	xmlFreeTextReader(r);
	return rc;
}

int xlsx_to_csv(const void *p, size_t n, struct buf *out, struct xlsx_fault *why)
{
	struct strings ss;
	struct sheet sh;
	zip_source_t *src;
	zip_error_t zerr;
	zip_t *z = NULL;
	char path[512], *part = NULL;
	size_t len, before = out->n;
	int rc;

	pthread_once(&xml_once, xml_init);
	if (!xlsx_is_zip(p, n))
		return fault(why, "文件不是 XLSX 工作簿（不是 zip 压缩包）",
			     "the file is not an XLSX workbook (it is not a zip archive)");
	zip_error_init(&zerr);
	src = zip_source_buffer_create(p, n, 0, &zerr);
	if (src) {
		z = zip_open_from_source(src, ZIP_RDONLY, &zerr);
		if (!z)
			zip_source_free(src);
	}
	zip_error_fini(&zerr);
	if (!z)
		return fault(why, "文件不是 XLSX 工作簿（zip 压缩包已损坏）",
			     "the file is not an XLSX workbook (the zip archive is damaged)");
	memset(&ss, 0, sizeof(ss));
	buf_init(&ss.text, XLSX_PART_MAX);
	memset(&sh, 0, sizeof(sh));
	buf_init(&sh.value, CSV_FIELD_MAX);
	sh.ss = &ss;
	sh.out = out;
	sh.row = 1;
	rc = first_sheet(z, path, sizeof(path), why);
	if (!rc) {
		rc = read_part(z, "xl/sharedStrings.xml", &part, &len, why);
		if (rc == ERR_OK)
			rc = read_strings(part, len, &ss, why);
		else if (rc == ERR_NOT_FOUND)
			rc = ERR_OK; /* a workbook of numbers and inline strings has none */
		free(part);
		part = NULL;
	}
	if (!rc) {
		rc = read_part(z, path, &part, &len, why);
		if (rc == ERR_NOT_FOUND)
			rc = fault(why, "工作簿中没有工作表", "the workbook has no worksheet");
	}
	if (!rc)
		rc = read_sheet(part, len, &sh, why);
	free(part);
	buf_fini(&sh.value);
	strings_fini(&ss);
	zip_discard(z);
	if (rc) { /* out as it was */
		out->n = before;
		if (out->p)
			out->p[before] = '\0';
	}
	return rc;
}
