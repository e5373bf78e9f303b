/*
 * people.c - the people registry (人员库): JSON API, CSV import, CSV/XLSX export, pages.
 *
 * Everyone signed in sees the persons of their own body and of the bodies below it, without
 * contact data (phone, email). Organizers and admins also see the contact data, add and
 * change persons in that subtree, import tables and export them. Persons of other branches
 * and of the bodies above are out of sight: 404, as if they did not exist (person_authorize
 * decides, for the API and the pages alike).
 *
 * The import route takes the CSV file itself as its body (ROUTE_RAW_BODY, Content-Type
 * text/csv): the server does not read multipart uploads, so the import page offers a text
 * box to paste the table into, and scripts and the desktop send the file to the API.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/csv.h"
#include "base/utf8.h"
#include "base/util.h"
#include "model/person.h"
#include "model/session.h"
#include "view/sheet.h"
#include "view/view.h"
#include "web/privacy.h"

#define PEOPLE_PAGE   100    /* rows per page of /people, unless ?limit= */
#define EXPORT_MAX    100000 /* most rows in one export */
#define IMPORT_LISTED 1000   /* most row problems listed when an import is refused */
#define ORG_OPTIONS   500    /* most bodies in an org select */

static bool is_staff(const struct web_ctx *c)
{
	return person_sees_contact(&c->actor);
}

static bool can_manage(const struct web_ctx *c, const struct org *o)
{
	return person_can_manage(&c->actor, o);
}

/* --- reading the request --- */

struct people_query {
	struct org scope;  /* the caller's body, or the one ?org= names */
	char category[16]; /* a code, or "" */
	char q[401];	   /* a name substring, or "" */
	bool org_given;
};

static int bad_query(struct web_ctx *c, const char *field, const char *zh, const char *en)
{
	web_error(c, 400, "invalid", field, zh, en);
	return ERR_INVALID;
}

/* read_query reads the filters ?category= (a code or label), ?q= (part of a name) and
 * ?org= (an id or slug in the caller's subtree). On bad input answers 400 (a body out of
 * sight is as unknown as a missing one; 403 for a body above the caller's) and returns
 * non-zero. */
static int read_query(struct web_ctx *c, struct people_query *pq)
{
	const char *cat = http_query(c->req, "category");
	const char *q = http_query(c->req, "q");
	const char *org = http_query(c->req, "org");

	memset(pq, 0, sizeof(*pq));
	pq->scope = c->actor.org;
	/* a handling unit's account lists no one (person_authorize): its scope holds nothing */
	if (c->actor.user.handler_id)
		snprintf(pq->scope.path, sizeof(pq->scope.path), "%s", scope_path(&c->actor));
	if (cat && *cat) {
		const char *code = person_category_parse(cat);

		if (!code)
			return bad_query(c, "category", "类别无效",
					 "category is not one of the categories");
		snprintf(pq->category, sizeof(pq->category), "%s", code);
	}
	if (q && *q) {
		size_t n = strlen(q);

		if (n >= sizeof(pq->q) || !utf8_valid(q, n) || utf8_count(q, n) > 100)
			return bad_query(c, "q", "搜索词须为不超过 100 个字符的文本",
					 "q must be text of at most 100 characters");
		memcpy(pq->q, q, n + 1);
	}
	if (org && *org) {
		struct org o;
		int64_t id = 0;
		int rc;

		if (num_parse(org, strlen(org), 1, INT64_MAX, &id) == ERR_OK)
			rc = ERR_OK;
		else
			rc = strlen(org) < sizeof(o.slug) ? org_get_by_slug(c->db, org, &o)
							  : ERR_NOT_FOUND;
		if (!rc)
			rc = person_authorize_org(c->db, &c->actor, id ? id : o.id, AUTHZ_READ, &o);
		if (rc == ERR_NOT_FOUND)
			return bad_query(c, "org", "没有这个组织", "there is no such org");
		if (rc)
			return web_answer(c, rc, NULL), rc;
		pq->scope = o;
		pq->org_given = true;
	}
	return ERR_OK;
}

/* --- a person's fields in a request: parsed first (no database), then validated --- */

struct person_in {
	const char *text[PERSON_NFIELDS]; /* NULL: not given */
	bool public_given, public_name;
	bool org_given;
	int64_t org_id;
	bool user_given;
	int64_t user_id;      /* JSON user_id; 0 unlinks */
	const char *username; /* the pages' username field; "" unlinks */
};

/* parse_person reads the person fields of the request (JSON or form) into in, checking
 * only their types. */
static int parse_person(struct web_ctx *c, struct person_in *in, struct verr *e)
{
	bool present;
	int f;

	memset(in, 0, sizeof(*in));
	for (f = 0; f < PERSON_NFIELDS; f++) {
		const char *name = person_fields[f].name;
		bool bad = false;

		in->text[f] = web_field(c, name, &bad);
		if (bad)
			return verr_type(e, name, "字符串", "a string");
	}
	if (web_bool_field(c, "public_name", &in->public_name, &in->public_given))
		return verr_type(e, "public_name", "布尔值", "a boolean");
	if (web_int_field(c, "org_id", &in->org_id, &in->org_given))
		return verr_type(e, "org_id", "整数", "an integer");
	if (c->json) {
		json_t *v = json_object_get(c->json, "user_id");

		in->user_given = v != NULL;
		if (v && !json_is_null(v) &&
		    (web_int_field(c, "user_id", &in->user_id, &present) || in->user_id < 1))
			return verr_type(e, "user_id", "正整数或 null",
					 "a positive integer or null");
	} else {
		in->username = web_field(c, "username", NULL);
		in->user_given = in->username != NULL;
	}
	return ERR_OK;
}

/* apply_user sets p->user_id from in: a newly linked account must be in the caller's
 * subtree (an account out of sight is as unknown as a missing one). */
static int apply_user(struct web_ctx *c, const struct person_in *in, struct person *p,
		      struct verr *e)
{
	struct user u;
	int64_t id = in->user_id;
	int rc = ERR_OK;

	if (!in->user_given)
		return ERR_OK;
	if (in->username) {
		id = 0;
		if (*in->username) {
			rc = strlen(in->username) < sizeof(u.username)
				 ? user_get_by_name(c->db, in->username, &u)
				 : ERR_NOT_FOUND;
			id = rc ? 0 : u.id;
		}
	}
	/* linking needs the account in sight (ERR_FORBIDDEN: seen, not administered) */
	if (!rc && id && id != p->user_id &&
	    (rc = user_authorize(c->db, &c->actor, id, AUTHZ_READ, NULL, NULL)) == ERR_FORBIDDEN)
		rc = ERR_OK;
	if (rc == ERR_NOT_FOUND)
		return verr_set(e, "invalid", "user_id", "关联的账号不存在",
				"the linked account does not exist");
	if (rc)
		return rc;
	p->user_id = id;
	return ERR_OK;
}

/* apply_person validates in and applies it to p: the texts, the flag, the body (one the
 * caller manages persons of) and the linked account. */
static int apply_person(struct web_ctx *c, const struct person_in *in, struct person *p,
			struct verr *e)
{
	int f, rc;

	for (f = 0; f < PERSON_NFIELDS; f++)
		if (in->text[f] && (rc = person_set_text(p, (enum person_field)f, in->text[f],
							 strlen(in->text[f]), e)) != 0)
			return rc;
	if (in->public_given)
		p->public_name = in->public_name;
	if (in->org_given && in->org_id != p->org_id) {
		rc = person_authorize_org(c->db, &c->actor, in->org_id, AUTHZ_WRITE, NULL);
		if (rc == ERR_NOT_FOUND)
			return verr_set(e, "invalid", "org_id", "所属组织不存在",
					"the org does not exist");
		if (rc)
			return rc;
		p->org_id = in->org_id;
	}
	return apply_user(c, in, p, e);
}

/* create_person is shared by the API and the page: a person of the caller's body unless
 * org_id names another in its subtree. Answers nothing. */
static int create_person(struct web_ctx *c, struct person *p, struct verr *e)
{
	struct person_in in;
	int rc;

	memset(p, 0, sizeof(*p));
	memset(e, 0, sizeof(*e));
	p->org_id = c->actor.org.id;
	rc = parse_person(c, &in, e);
	if (!rc)
		rc = person_authorize_org(c->db, &c->actor, c->actor.org.id, AUTHZ_WRITE, NULL);
	if (!rc)
		rc = apply_person(c, &in, p, e);
	if (!rc)
		rc = web_form_check(c, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, person_create(c->db, &c->actor, p, e));
	return rc;
}

/* update_person applies the request to person {id}; *before gets the stored person. */
static int update_person(struct web_ctx *c, struct person *before, struct person *p, struct verr *e)
{
	struct person_in in;
	int rc, prc;

	memset(e, 0, sizeof(*e));
	memset(before, 0, sizeof(*before));
	prc = parse_person(c, &in, e);
	/* authorized before a parse error is told, so strangers learn nothing */
	rc = person_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_WRITE, before, NULL);
	if (rc)
		return rc;
	*p = *before;
	rc = prc ? prc : apply_person(c, &in, p, e);
	if (!rc)
		rc = web_form_check(c, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, person_update(c->db, &c->actor, before, p, e));
	return rc;
}

/* --- API --- */

struct collect {
	json_t *items;
	bool contact;
};

static int collect_person(const struct person *p, void *ud)
{
	struct collect *k = ud;

	return json_array_append_new(k->items, person_to_json(p, k->contact)) ? ERR_NOMEM : ERR_OK;
}

int h_api_people_list(struct web_ctx *c)
{
	struct people_query pq;
	struct person_filter f;
	struct collect k;
	int64_t after;
	int limit, rc;

	if (web_page(c, &limit, &after) || read_query(c, &pq))
		return 0;
	f.category = pq.category;
	f.q = pq.q;
	k.items = json_array();
	k.contact = is_staff(c);
	rc = person_list(c->db, &pq.scope, &f, after, limit + 1, collect_person, &k);
	if (rc) {
		json_decref(k.items);
		return web_fail(c, rc);
	}
	return web_list(c, k.items, limit);
}

int h_api_people_create(struct web_ctx *c)
{
	struct person p;
	struct verr e;
	int rc = create_person(c, &p, &e);

	if (rc)
		return web_answer(c, rc, &e);
	return web_json(c, 201, person_to_json(&p, true));
}

int h_api_person_get(struct web_ctx *c)
{
	struct person p;
	int rc = person_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &p, NULL);

	if (rc)
		return web_answer(c, rc, NULL);
	return web_json(c, 200, person_to_json(&p, is_staff(c)));
}

int h_api_person_patch(struct web_ctx *c)
{
	struct person before, p;
	struct verr e;
	int rc = update_person(c, &before, &p, &e);

	if (rc)
		return web_answer(c, rc, &e);
	return web_json(c, 200, person_to_json(&p, true));
}

/* media_is reports whether Content-Type ct names type (parameters ignored). */
static bool media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	return ct && strncasecmp(ct, type, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* upload_name copies the file name a client gave its upload (Content-Disposition:
 * attachment; filename="people.csv") into out[cap] and returns out; NULL when it gave none
 * (or one that is not UTF-8 or does not fit). */
static const char *upload_name(struct web_ctx *c, char *out, size_t cap)
{
	const char *cd = http_header(c->req, "Content-Disposition"), *p;
	size_t n;

	p = cd ? strstr(cd, "filename=") : NULL;
	if (!p)
		return NULL;
	p += strlen("filename=");
	if (*p == '"')
		n = strcspn(++p, "\"");
	else
		n = strcspn(p, "; ");
	if (n == 0 || n >= cap || !utf8_valid(p, n))
		return NULL;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* audit_people_import records the import of p[0..n) named name (may be NULL): in the
 * import's transaction when it went in; in one of its own when it was refused (the
 * attempt stays on record although nothing of it was kept). */
static int audit_people_import(struct web_ctx *c, const char *name, const char *p, size_t n,
			       const struct person_import *imp, int rc)
{
	struct audit_file f = {name, {0}, (int64_t)n};
	json_t *why;
	int arc;

	audit_sha256_hex(p, n, f.sha256);
	if (!rc)
		return audit_import(c->db, &c->actor, c->actor.org.id, "people.import", "org",
				    c->actor.org.id, &f, 1, (int64_t)imp->imported, 0, NULL);
	if (rc != ERR_INVALID)
		return rc; /* not refused, failed: nothing to record */
	why =
	    json_pack("{s:s}", "reason", imp->file_err.code ? imp->file_err.code : "invalid_rows");
	arc = web_begin(c);
	if (!arc)
		arc = audit_import(c->db, &c->actor, c->actor.org.id, "people.import_refused",
				   "org", c->actor.org.id, &f, 1, 0,
				   (int64_t)(imp->file_err.code ? imp->rows : imp->bad_rows), why);
	arc = web_finish(c, arc);
	json_decref(why);
	return arc ? arc : rc;
}

/* run_import imports the CSV file p[0..n) (an XLSX workbook when xlsx; named name, may be
 * NULL) in one transaction: all rows or none; audited either way. */
static int run_import(struct web_ctx *c, const char *name, const char *p, size_t n, bool xlsx,
		      struct person_import *imp)
{
	int rc;

	memset(imp, 0, sizeof(*imp));
	imp->scope = &c->actor.org;
	imp->default_org = c->actor.org.id;
	imp->max_listed = IMPORT_LISTED;
	rc = person_authorize_org(c->db, &c->actor, c->actor.org.id, AUTHZ_WRITE, NULL);
	if (!rc)
		rc = web_begin(c);
	if (rc)
		return rc;
	rc = xlsx ? person_import_xlsx(c->db, &c->actor, p, n, imp)
		  : person_import_csv(c->db, &c->actor, p, n, imp);
	if (!rc)
		rc = audit_people_import(c, name, p, n, imp, rc);
	rc = web_finish(c, rc);
	return rc == ERR_INVALID ? audit_people_import(c, name, p, n, imp, rc) : rc;
}

/* import_problems returns the listed row problems as [{line, column, field, message}] in
 * the request's language (new reference). */
static json_t *import_problems(const struct web_ctx *c, const struct person_import *imp)
{
	bool en = strcmp(c->lang, "en") == 0;
	json_t *rows = json_array();
	size_t i;

	for (i = 0; i < imp->nproblems; i++) {
		const struct person_import_problem *pb = &imp->problems[i];

		json_array_append_new(rows, json_pack("{sI ss ss ss}", "line", (json_int_t)pb->line,
						      "column", pb->column, "field", pb->field,
						      "message", en ? pb->en : pb->zh));
	}
	return rows;
}

/* import_refusals returns the rows not applied as [{line, code, message}] (new
 * reference). */
static json_t *import_refusals(const struct web_ctx *c, const struct person_import *imp)
{
	bool en = strcmp(c->lang, "en") == 0;
	json_t *rows = json_array();
	size_t i;

	for (i = 0; i < imp->nrefusals; i++) {
		const struct person_import_problem *pb = &imp->refusals[i];

		json_array_append_new(rows,
				      json_pack("{sI ss ss}", "line", (json_int_t)pb->line, "code",
						pb->code, "message", en ? pb->en : pb->zh));
	}
	return rows;
}

/* import_counts: what an import did, as the API answers it (new reference). */
static json_t *import_counts(const struct web_ctx *c, const struct person_import *imp)
{
	return json_pack("{sI sI sI sI sI so}", "imported", (json_int_t)imp->imported, "added",
			 (json_int_t)imp->added, "updated", (json_int_t)imp->updated, "unchanged",
			 (json_int_t)imp->unchanged, "refused", (json_int_t)imp->refused,
			 "refusals", import_refusals(c, imp));
}

/* import_summary writes the message of a refused import into zh and en. */
static void import_summary(const struct person_import *imp, char zh[256], char en[256])
{
	size_t listed = imp->nproblems;

	snprintf(zh, 256, "有 %zu 行数据有误，未导入任何人员。请改正后重新导入。%s", imp->bad_rows,
		 listed < imp->bad_rows ? "（只列出了前面的问题）" : "");
	snprintf(en, 256,
		 "%zu row%s ha%s problems; nothing was imported. Correct them and import "
		 "again.%s",
		 imp->bad_rows, imp->bad_rows == 1 ? "" : "s", imp->bad_rows == 1 ? "s" : "ve",
		 listed < imp->bad_rows ? " (only the first problems are listed)" : "");
}

int h_api_people_import(struct web_ctx *c)
{
	const char *ct = http_header(c->req, "Content-Type");
	struct person_import imp;
	char zh[256], en[256], name[256];
	json_t *err;
	int rc;

	bool xlsx = media_is(ct, sheet_xlsx_type);

	if (!xlsx && !media_is(ct, "text/csv"))
		return web_error(c, 415, "unsupported_media_type", NULL,
				 "请求体须为 CSV 文件（Content-Type: text/csv）或 XLSX 工作簿"
				 "（Content-Type: application/vnd.openxmlformats-officedocument."
				 "spreadsheetml.sheet）",
				 "the body must be a CSV file (Content-Type: text/csv) or an XLSX "
				 "workbook (Content-Type: application/vnd.openxmlformats-"
				 "officedocument.spreadsheetml.sheet)");
	rc = run_import(c, upload_name(c, name, sizeof(name)), c->req->body.p, c->req->body.n, xlsx,
			&imp);
	if (rc == ERR_INVALID && imp.file_err.code && imp.file_line) {
		/* a problem on one line of the file (not text, malformed CSV): the line too */
		err = json_pack("{ss ss sI}", "code", imp.file_err.code, "message",
				strcmp(c->lang, "en") == 0 ? imp.file_err.en : imp.file_err.zh,
				"line", (json_int_t)imp.file_line);
		rc = web_json(c, 422, json_pack("{so}", "error", err));
	} else if (rc == ERR_INVALID && imp.file_err.code) {
		rc = web_error(c, 422, imp.file_err.code, NULL, imp.file_err.zh, imp.file_err.en);
	} else if (rc == ERR_INVALID && imp.bad_rows) {
		import_summary(&imp, zh, en);
		err = json_pack("{ss ss so sI}", "code", "invalid_rows", "message",
				strcmp(c->lang, "en") == 0 ? en : zh, "rows",
				import_problems(c, &imp), "bad_rows", (json_int_t)imp.bad_rows);
		rc = web_json(c, 422, json_pack("{so}", "error", err));
	} else if (rc) {
		rc = web_fail(c, rc);
	} else {
		json_t *j = import_counts(c, &imp);

		json_object_set_new(j, "format", json_string(xlsx ? "xlsx" : "csv"));
		if (!xlsx)
			json_object_set_new(j, "encoding",
					    json_string(csv_encoding_name(imp.encoding)));
		rc = web_json(c, 200, j);
	}
	person_import_release(&imp);
	return rc;
}

/* --- export --- */

struct export_rows {
	struct web_ctx *c;
	json_t *rows;
	json_t *slugs; /* org id -> slug, looked up once each */
};

static int export_row(const struct person *p, void *ud)
{
	struct export_rows *x = ud;
	bool en = strcmp(x->c->lang, "en") == 0;
	json_t *row = json_array(), *slug;
	char key[24];
	int f;

	snprintf(key, sizeof(key), "%lld", (long long)p->org_id);
	slug = json_object_get(x->slugs, key);
	if (!slug) {
		struct org o;
		int rc = org_get(x->c->db, p->org_id, &o);

		if (rc) {
			json_decref(row);
			return rc;
		}
		slug = json_string(o.slug);
		json_object_set_new(x->slugs, key, slug);
	}
	for (f = 0; f < PERSON_NFIELDS; f++) {
		const char *s = person_text(p, (enum person_field)f);

		if (f == PERSON_CATEGORY)
			s = person_category_label(s, x->c->lang);
		json_array_append_new(row, json_string(s ? s : ""));
	}
	json_array_append(row, slug);
	json_array_append_new(
	    row, json_string(p->public_name ? (en ? "yes" : "是") : (en ? "no" : "否")));
	return json_array_append_new(x->rows, row) ? ERR_NOMEM : ERR_OK;
}

/* export_header: the import's own headers, so an export can be edited and imported. */
static json_t *export_header(const struct web_ctx *c)
{
	bool en = strcmp(c->lang, "en") == 0;
	json_t *h = json_array();
	int f;

	for (f = 0; f < PERSON_NFIELDS; f++)
		json_array_append_new(h,
				      json_string(en ? person_fields[f].en : person_fields[f].zh));
	json_array_append_new(h, json_string(en ? "org" : "所属组织"));
	json_array_append_new(h, json_string(en ? "public_name" : "公开姓名"));
	return h;
}

static int export(struct web_ctx *c, bool xlsx)
{
	struct export_rows x = {c, json_array(), json_object()};
	struct people_query pq;
	struct person_filter f;
	struct sheet s;
	char when[21], cd[160], file[128];
	size_t nrows;
	json_t *filter;
	int rc;

	if (read_query(c, &pq)) {
		json_decref(x.rows);
		json_decref(x.slugs);
		return 0;
	}
	f.category = pq.category;
	f.q = pq.q;
	rc = person_list(c->db, &pq.scope, &f, 0, EXPORT_MAX + 1, export_row, &x);
	if (!rc && json_array_size(x.rows) > EXPORT_MAX)
		rc = ERR_TOO_BIG;
	s.name = strcmp(c->lang, "en") == 0 ? "People" : "人员库";
	s.header = export_header(c);
	s.rows = x.rows;
	nrows = json_array_size(x.rows);
	if (!rc)
		rc = xlsx ? sheet_xlsx(&s, 1, &c->resp->body) : sheet_csv(&s, &c->resp->body);
	json_decref((json_t *)s.header);
	json_decref(x.rows);
	json_decref(x.slugs);
	if (rc) {
		buf_reset(&c->resp->body);
		if (rc == ERR_TOO_BIG)
			return web_error(
			    c, 413, "too_many_rows", NULL,
			    "人员太多，无法一次导出；请按组织或类别筛选后分批导出",
			    "too many people for one export; filter by org or category");
		return web_fail(c, rc);
	}
	time_iso(time_now(), when);
	snprintf(file, sizeof(file), "people-%s-%.4s%.2s%.2s.%s", pq.scope.slug, when, when + 5,
		 when + 8, xlsx ? "xlsx" : "csv");
	snprintf(cd, sizeof(cd), "attachment; filename=\"%s\"", file);
	/* personal data leaves the server: on record first, or not at all */
	filter = json_pack("{s:s, s:s}", "category", pq.category, "q", pq.q);
	rc = audit_export(c->db, &c->actor, pq.scope.id, "people.export", "org", pq.scope.id, file,
			  xlsx ? "xlsx" : "csv", (int64_t)nrows, filter);
	json_decref(filter);
	if (rc) {
		buf_reset(&c->resp->body);
		return web_fail(c, rc);
	}
	c->resp->status = 200;
	c->resp->content_type = xlsx ? sheet_xlsx_type : sheet_csv_type;
	if (http_resp_header(c->resp, "Content-Disposition", cd) ||
	    http_resp_header(c->resp, "Cache-Control", "no-store"))
		return web_fail(c, ERR_TOO_BIG);
	return 0;
}

int h_api_people_csv(struct web_ctx *c)
{
	return export(c, false);
}

int h_api_people_xlsx(struct web_ctx *c)
{
	return export(c, true);
}

/* --- pages --- */

/* url_query appends "name=value" (percent-encoded) to b, after '?' or '&'. */
static int url_query(struct buf *b, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *v;
	int rc;

	rc = buf_printf(b, "%c%s=", b->n && strchr(b->p, '?') ? '&' : '?', name);
	for (v = (const unsigned char *)value; !rc && *v; v++) {
		if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		    (*v >= '0' && *v <= '9') || *v == '-' || *v == '_' || *v == '.' || *v == '~')
			rc = buf_putc(b, (char)*v);
		else
			rc = buf_printf(b, "%%%c%c", hex[*v >> 4], hex[*v & 15]);
	}
	return rc;
}

/* filter_url returns base followed by the list's filters, and limit and cursor when not 0
 * (new reference). */
static json_t *filter_url(const char *base, const struct people_query *pq, int limit,
			  int64_t cursor)
{
	char num[24];
	struct buf b;
	json_t *s;
	int rc;

	buf_init(&b, 4096);
	rc = buf_puts(&b, base);
	if (!rc && pq->category[0])
		rc = url_query(&b, "category", pq->category);
	if (!rc && pq->q[0])
		rc = url_query(&b, "q", pq->q);
	if (!rc && pq->org_given)
		rc = url_query(&b, "org", pq->scope.slug);
	if (!rc && limit) {
		snprintf(num, sizeof(num), "%d", limit);
		rc = url_query(&b, "limit", num);
	}
	if (!rc && cursor) {
		snprintf(num, sizeof(num), "%lld", (long long)cursor);
		rc = url_query(&b, "cursor", num);
	}
	s = json_string(rc ? base : buf_cstr(&b));
	buf_fini(&b);
	return s;
}

static json_t *category_options(const struct web_ctx *c, const char *selected)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < PERSON_NCATEGORIES; i++) {
		const char *code = person_category_codes[i];

		json_array_append_new(a, json_pack("{ss ss sb}", "value", code, "label",
						   person_category_label(code, c->lang), "selected",
						   selected && strcmp(selected, code) == 0));
	}
	return a;
}

struct org_options {
	json_t *a;
	int64_t selected;
};

static int org_option(const struct org *o, void *ud)
{
	struct org_options *k = ud;

	return json_array_append_new(k->a, json_pack("{sI ss sb}", "id", (json_int_t)o->id, "name",
						     o->name, "selected", o->id == k->selected))
		   ? ERR_NOMEM
		   : ERR_OK;
}

/* org_options lists the bodies the caller may put persons in, selected marked. */
static json_t *org_options(struct web_ctx *c, int64_t selected)
{
	struct org_options k = {json_array(), selected};

	if (org_list(c->db, &c->actor.org, false, 0, ORG_OPTIONS, org_option, &k)) {
		json_decref(k.a);
		return json_array();
	}
	return k.a;
}

/* org_name returns the name of org id into out (or "" when missing). */
static void org_name(struct web_ctx *c, int64_t id, char *out, size_t cap)
{
	struct org o;

	snprintf(out, cap, "%s", org_get(c->db, id, &o) == ERR_OK ? o.name : "");
}

/* person_view returns p as pages show it: the API fields (contact data for organizers and
 * admins), the category's label and the body's name. */
static json_t *person_view(struct web_ctx *c, const struct person *p)
{
	json_t *j = person_to_json(p, is_staff(c));
	char name[512];

	org_name(c, p->org_id, name, sizeof(name));
	json_object_set_new(j, "category_label",
			    json_string(person_category_label(p->category, c->lang)));
	json_object_set_new(j, "org_name", json_string(name));
	json_object_set_new(j, "name", web_person_name(c, p->name));
	return j;
}

/* form_view returns the values of the person form: p's, and when re-shown after a refusal
 * the username as typed. */
/* form_view is the person form's data for p; reshown with e (a refused submission), it
 * carries the username typed and e's message beside its field (field_error.<field>). */
static json_t *form_view(struct web_ctx *c, const struct person *p, const struct verr *e)
{
	bool reshown = e != NULL;
	json_t *j = person_to_json(p, true);
	const char *typed = reshown ? web_field(c, "username", NULL) : NULL;
	struct user u;

	if (typed)
		json_object_set_new(j, "username", json_string(typed));
	else if (p->user_id && user_get(c->db, p->user_id, &u) == ERR_OK)
		json_object_set_new(j, "username", json_string(u.username));
	json_object_set_new(j, "categories", category_options(c, p->category));
	json_object_set_new(j, "orgs", org_options(c, p->org_id));
	json_object_set_new(j, "field_error",
			    e && e->field ? json_pack("{ss}", e->field, web_verr_text(c, e))
					  : json_object());
	return j;
}

struct page_rows {
	struct web_ctx *c;
	json_t *rows;
	int limit;
	int seen;     /* rows read: one past the page says there is a next page */
	int64_t last; /* the id of the limit-th row: the next page's cursor */
};

static int page_row(const struct person *p, void *ud)
{
	struct page_rows *r = ud;

	if (++r->seen > r->limit)
		return ERR_OK;
	r->last = p->id;
	return json_array_append_new(r->rows, person_view(r->c, p)) ? ERR_NOMEM : ERR_OK;
}

/* import_counts_query: the counts of the import just done (?added=&updated=&unchanged=
 * &refused=, the page's redirect after an import), NULL when there are none. */
static json_t *import_counts_query(struct web_ctx *c)
{
	static const char *const names[] = {"added", "updated", "unchanged", "refused"};
	json_t *j;
	size_t i;

	if (!http_query(c->req, "added"))
		return NULL;
	j = json_object();
	for (i = 0; i < ARRAY_LEN(names); i++) {
		const char *v = http_query(c->req, names[i]);
		int64_t k = 0;

		if (!v || num_parse(v, strlen(v), 0, 1000000000, &k) != ERR_OK)
			k = 0;
		json_object_set_new(j, names[i], json_integer((json_int_t)k));
	}
	return j;
}

int h_people_page(struct web_ctx *c)
{
	struct page_rows r = {c, NULL, 0, 0, 0};
	struct people_query pq;
	struct person_filter f;
	const char *imported = http_query(c->req, "imported");
	json_t *next = json_null();
	int64_t after;
	int limit, rc;

	if (web_page(c, &limit, &after) || read_query(c, &pq))
		return 0;
	if (!http_query(c->req, "limit"))
		limit = PEOPLE_PAGE;
	f.category = pq.category;
	f.q = pq.q;
	r.rows = json_array();
	r.limit = limit;
	rc = person_list(c->db, &pq.scope, &f, after, limit + 1, page_row, &r);
	if (rc) {
		json_decref(r.rows);
		return web_fail(c, rc);
	}
	if (r.seen > limit) {
		json_decref(next);
		next = filter_url("/people", &pq, http_query(c->req, "limit") ? limit : 0, r.last);
	}
	return web_render(
	    c, 200, "people",
	    json_pack("{so so ss sb so so so ss? sb so?}", "people", r.rows, "categories",
		      category_options(c, pq.category), "q", pq.q, "staff", is_staff(c), "next",
		      next, "export_csv", filter_url("/api/v1/people.csv", &pq, 0, 0),
		      "export_xlsx", filter_url("/api/v1/people.xlsx", &pq, 0, 0), "imported",
		      http_query(c->req, "added") ? NULL : imported, "empty",
		      json_array_size(r.rows) == 0, "import_counts", import_counts_query(c)));
}

/* person_page renders person p (stored) with the edit form showing form (p itself, or the
 * refused values) and an error. */
static int person_page(struct web_ctx *c, int status, const struct person *p, const struct org *o,
		       const struct person *form, const struct verr *e)
{
	const char *error = e ? web_verr_text(c, e) : NULL;
	bool edit = can_manage(c, o);
	struct user u;
	json_t *view = person_view(c, p), *data;

	if (edit && p->user_id && user_get(c->db, p->user_id, &u) == ERR_OK)
		json_object_set_new(
		    view, "user",
		    json_pack("{ss ss}", "username", u.username, "display_name", u.display_name));
	data = json_pack("{so so* sb ss? sb}", "person", view, "form",
			 edit ? form_view(c, form, e) : NULL, "edit", edit, "error", error, "saved",
			 http_query(c->req, "saved") != NULL);
	web_person_privacy(c, p, data);
	return web_render(c, status, "person", data);
}

int h_person_page(struct web_ctx *c)
{
	struct person p;
	struct org o;
	int rc = person_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &p, &o);

	if (rc)
		return web_answer(c, rc, NULL);
	return person_page(c, 200, &p, &o, &p, NULL);
}

int h_person_post(struct web_ctx *c)
{
	struct person before, p;
	struct verr e;
	struct org o;
	char loc[64];
	int rc = update_person(c, &before, &p, &e);

	if ((rc == ERR_INVALID || rc == ERR_CONFLICT) &&
	    org_get(c->db, before.org_id, &o) == ERR_OK)
		return person_page(c, rc == ERR_CONFLICT ? 409 : 422, &before, &o, &p, &e);
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/people/%lld?saved=1", (long long)p.id);
	return web_redirect(c, loc);
}

static int new_page(struct web_ctx *c, int status, const struct person *form, const struct verr *e)
{
	const char *error = e ? web_verr_text(c, e) : NULL;

	return web_render(c, status, "person_new",
			  json_pack("{so ss?}", "form", form_view(c, form, e), "error", error));
}

int h_person_new_page(struct web_ctx *c)
{
	struct person p;

	memset(&p, 0, sizeof(p));
	p.org_id = c->actor.org.id;
	snprintf(p.category, sizeof(p.category), "member");
	return new_page(c, 200, &p, NULL);
}

int h_person_new_post(struct web_ctx *c)
{
	struct person p;
	struct verr e;
	char loc[64];
	int rc = create_person(c, &p, &e);

	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return new_page(c, rc == ERR_CONFLICT ? 409 : 422, &p, &e);
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/people/%lld?saved=1", (long long)p.id);
	return web_redirect(c, loc);
}

/* import_page renders the import page: text the pasted table, error and rows (the bad rows)
 * of a refused import, counts (import_counts) of one that left rows out. */
static int import_page(struct web_ctx *c, int status, const char *text, const char *error,
		       json_t *rows, json_t *counts)
{
	json_t *headers = json_array(), *cats = json_array();
	size_t i;

	/* the English column names and the category codes, shown as codes to type */
	for (i = 0; i < PERSON_NFIELDS; i++)
		json_array_append_new(headers, json_string(person_fields[i].en));
	json_array_append_new(headers, json_string("org"));
	json_array_append_new(headers, json_string("public_name"));
	json_array_append_new(headers, json_string("id_card"));
	for (i = 0; i < PERSON_NCATEGORIES; i++)
		json_array_append_new(cats, json_string(person_category_codes[i]));
	return web_render(
	    c, status, "people_import",
	    json_pack("{ss ss? sb so* so so so* so*}", "csv", text ? text : "", "error", error,
		      "has_rows", json_array_size(rows) > 0, "rows", rows, "header_codes", headers,
		      "category_codes", cats, "counts", counts, "refusals",
		      counts ? json_incref(json_object_get(counts, "refusals")) : NULL));
}

int h_people_import_page(struct web_ctx *c)
{
	return import_page(c, 200, NULL, NULL, NULL, NULL);
}

int h_people_import_post(struct web_ctx *c)
{
	const char *text = web_field(c, "csv", NULL);
	struct person_import imp;
	char zh[256], en[256], loc[160];
	int rc;

	if (!text || !*text)
		return import_page(c, 422, "", view_text(c->lang, "people_import_empty"), NULL,
				   NULL);
	rc = run_import(c, NULL, text, strlen(text), false, &imp);
	if (rc == ERR_INVALID && imp.file_err.code) {
		rc = import_page(c, 422, text, web_verr_text(c, &imp.file_err), NULL, NULL);
	} else if (rc == ERR_INVALID && imp.bad_rows) {
		import_summary(&imp, zh, en);
		rc = import_page(c, 422, text, strcmp(c->lang, "en") == 0 ? en : zh,
				 import_problems(c, &imp), NULL);
	} else if (rc) {
		rc = web_fail(c, rc);
	} else if (imp.refused) { /* the others went in: say which did not, and why */
		rc = import_page(c, 200, text, NULL, NULL, import_counts(c, &imp));
	} else {
		snprintf(loc, sizeof(loc),
			 "/people?imported=%zu&added=%zu&updated=%zu&unchanged=%zu&refused=%zu",
			 imp.imported, imp.added, imp.updated, imp.unchanged, imp.refused);
		rc = web_redirect(c, loc);
	}
	person_import_release(&imp);
	return rc;
}
