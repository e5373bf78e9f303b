/*
 * person.c - the people registry (see person.h): the table person, its validation, its
 * JSON form, listing by org subtree, and the import of a CSV table.
 *
 * The import reads the file twice: once to validate every row (so the answer can list
 * every bad row, and nothing is written when one is bad), once to insert. Holding every
 * parsed row in memory instead would cost several kilobytes per row; parsing again costs
 * milliseconds.
 */
#include "person.h"
#include "privacy.h"
#include "session.h"
#include "valid.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/csv.h"
#include "base/utf8.h"
#include "base/util.h"
#include "base/xlsx.h"
#include "db/db.h"

#define F(field) offsetof(struct person, field), sizeof(((struct person *)0)->field)

const struct person_field_info person_fields[PERSON_NFIELDS] = {
    {"name", "姓名", "name", 100, true, false, F(name)},
    {"category", "类别", "category", 20, true, false, F(category)},
    {"sector", "界别", "sector", 100, false, false, F(sector)},
    {"committee", "专委会", "committee", 100, false, false, F(committee)},
    {"term", "届次", "term", 50, false, false, F(term)},
    {"affiliation", "工作单位", "affiliation", 200, false, false, F(affiliation)},
    {"title", "职务", "title", 100, false, false, F(title)},
    {"phone", "电话", "phone", 30, false, true, F(phone)},
    {"email", "邮箱", "email", 254, false, true, F(email)},
};

const char *const person_category_codes[PERSON_NCATEGORIES] = {
    "member",	  "leader",   "expert",	    "entrepreneur", "sector_rep",
    "social_org", "official", "think_tank", "citizen",
};

static const char *const category_zh[PERSON_NCATEGORIES] = {
    "政协委员", "政协领导", "专家学者", "企业家", "界别群众",
    "社会组织", "政府部门", "智库",	"市民",
};

static const char *const category_en[PERSON_NCATEGORIES] = {
    "CPPCC member",	   "CPPCC leader",	    "Expert or scholar",
    "Entrepreneur",	   "Sector representative", "Social organization",
    "Government official", "Think-tank expert",	    "Citizen",
};

#define PERSON_COLS                                                                                \
	"p.id, p.org_id, COALESCE(p.user_id, 0), p.name, p.category, p.sector, p.committee,"       \
	" p.term, p.affiliation, p.title, p.phone, p.email, p.public_name, p.created_at,"          \
	" p.updated_at"

static const char sql_get[] = "SELECT " PERSON_COLS " FROM person p WHERE p.id = ?";
static const char sql_by_user[] = "SELECT " PERSON_COLS " FROM person p WHERE p.user_id = ?";
static const char sql_insert[] =
    "INSERT INTO person (org_id, user_id, name, category, sector, committee, term,"
    " affiliation, title, phone, email, public_name, created_at, updated_at)"
    " VALUES (?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_update[] =
    "UPDATE person SET org_id = ?, user_id = NULLIF(CAST(? AS BIGINT), 0), name = ?, category = ?, "
    "sector = ?,"
    " committee = ?, term = ?, affiliation = ?, title = ?, phone = ?, email = ?,"
    " public_name = ?, updated_at = ? WHERE id = ?";
static const char sql_list[] = "SELECT " PERSON_COLS " FROM person p JOIN org o ON o.id = p.org_id"
			       " WHERE p.id > ?1 AND substr(o.path, 1, length(?2)) = ?2"
			       " AND (?3 = '' OR p.category = ?3)"
			       " AND (?4 = '' OR instr(lower(p.name), lower(?4)) > 0)"
			       " ORDER BY p.id LIMIT ?5";

/* --- fields and categories --- */

const char *person_text(const struct person *p, enum person_field f)
{
	return (const char *)p + person_fields[f].offset;
}

static char *text_of(struct person *p, enum person_field f)
{
	return (char *)p + person_fields[f].offset;
}

/* is_space_at returns the length of the space at s[0..n): an ASCII blank or U+3000 (the
 * full-width space of Chinese input methods); 0 if none. */
static size_t is_space_at(const char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	if (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0)
		return 3;
	return 0;
}

/* trim narrows s[0..*n) to drop spaces at both ends. */
static const char *trim(const char *s, size_t *n)
{
	size_t k;

	while ((k = is_space_at(s, *n)) != 0) {
		s += k;
		*n -= k;
	}
	for (;;) {
		if (*n >= 1 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
			*n -= 1;
		else if (*n >= 3 && memcmp(s + *n - 3, "\xe3\x80\x80", 3) == 0)
			*n -= 3;
		else
			return s;
	}
}

/* field_err fills e for field fi with messages that start with the field's label: zh and
 * en are formats of the rest, sharing the arguments. Returns ERR_INVALID. */
static int field_err(struct verr *e, const char *code, const struct person_field_info *fi,
		     const char *zh, const char *en, ...)
{
	char rest[200];
	va_list ap;

	if (!e)
		return ERR_INVALID;
	e->code = code;
	e->field = fi->name;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	va_start(ap, en);
	vsnprintf(rest, sizeof(rest), zh, ap);
	va_end(ap);
	snprintf(e->zh, sizeof(e->zh), "%s%s", fi->zh, rest);
	va_start(ap, en);
	vsnprintf(rest, sizeof(rest), en, ap);
	va_end(ap);
	snprintf(e->en, sizeof(e->en), "%s %s", fi->en, rest);
#pragma GCC diagnostic pop
	return ERR_INVALID;
}

int person_set_text(struct person *p, enum person_field f, const char *s, size_t n, struct verr *e)
{
	const struct person_field_info *fi = &person_fields[f];
	char *dst = text_of(p, f);

	s = trim(s, &n);
	if (n >= fi->cap) {
		if (f == PERSON_CATEGORY)
			return verr_set(e, "invalid", fi->name, "类别无效",
					"category is not one of the categories");
		return field_err(e, "too_long", fi, "最多 %zu 个字符",
				 "may have at most %zu characters", fi->max_chars);
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return ERR_OK;
}

const char *person_category_label(const char *code, const char *lang)
{
	size_t i;

	for (i = 0; code && i < PERSON_NCATEGORIES; i++)
		if (strcmp(code, person_category_codes[i]) == 0)
			return lang && strcmp(lang, "en") == 0 ? category_en[i] : category_zh[i];
	return NULL;
}

const char *person_category_parse(const char *s)
{
	size_t i;

	for (i = 0; s && i < PERSON_NCATEGORIES; i++)
		if (strcasecmp(s, person_category_codes[i]) == 0 ||
		    strcmp(s, category_zh[i]) == 0 || strcasecmp(s, category_en[i]) == 0)
			return person_category_codes[i];
	return NULL;
}

/* --- validation --- */

static int check_text(const struct person_field_info *fi, const char *s, struct verr *e)
{
	size_t n = strlen(s), i, chars;

	if (!utf8_valid(s, n))
		return field_err(e, "invalid_utf8", fi, "不是有效的 UTF-8 文本",
				 "is not valid UTF-8 text");
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return field_err(e, "invalid", fi, "须为一行文字，不能含换行或控制字符",
					 "must be one line without control characters");
	chars = utf8_count(s, n);
	if (fi->required && chars == 0)
		return field_err(e, "required", fi, "不能为空", "is required");
	if (chars > fi->max_chars)
		return field_err(e, "too_long", fi, "最多 %zu 个字符（现在 %zu 个）",
				 "may have at most %zu characters (it has %zu)", fi->max_chars,
				 chars);
	return ERR_OK;
}

static int check_phone(const char *s, struct verr *e)
{
	bool digit = false;
	const char *c;

	for (c = s; *c; c++) {
		if (*c >= '0' && *c <= '9')
			digit = true;
		else if (*c != '+' && *c != '-' && *c != ' ')
			return verr_set(e, "invalid", "phone", "电话只能包含数字、+、- 和空格",
					"phone may contain only digits, +, - and spaces");
	}
	if (*s && !digit)
		return verr_set(e, "invalid", "phone", "电话须包含数字",
				"phone must contain digits");
	return ERR_OK;
}

/* check_email accepts the shape local@domain.tld: one @, something before it, a domain
 * with a dot inside, no spaces. Whether the address exists is not ours to know. */
static int check_email(const char *s, struct verr *e)
{
	const char *at = strchr(s, '@'), *dot, *c;
	size_t dlen;

	if (!*s)
		return ERR_OK;
	for (c = s; *c; c++)
		if (*c == ' ')
			goto bad;
	if (!at || at == s || strchr(at + 1, '@'))
		goto bad;
	dlen = strlen(at + 1);
	dot = strchr(at + 1, '.');
	if (dlen < 3 || !dot || at[1] == '.' || at[dlen] == '.' || strstr(at, ".."))
		goto bad;
	return ERR_OK;
bad:
	return verr_set(e, "invalid", "email", "邮箱格式不正确（应形如 name@example.cn）",
			"email is not an address like name@example.cn");
}

int person_check(const struct person *p, enum person_field f, struct verr *e)
{
	const struct person_field_info *fi = &person_fields[f];
	const char *s = person_text(p, f);
	int rc;

	if (f == PERSON_CATEGORY) {
		if (!*s)
			return verr_set(e, "required", fi->name, "请填写类别",
					"category is required");
		if (!person_category_label(s, "zh"))
			return verr_set(
			    e, "invalid", fi->name,
			    "类别须为以下之一：政协委员 member、政协领导 leader、专家学者 "
			    "expert、企业家 entrepreneur、界别群众 sector_rep、社会组织 "
			    "social_org、政府部门 official、智库 think_tank、市民 citizen",
			    "category must be one of member, leader, expert, entrepreneur, "
			    "sector_rep, social_org, official, think_tank, citizen");
		return ERR_OK;
	}
	rc = check_text(fi, s, e);
	if (!rc && f == PERSON_PHONE)
		rc = check_phone(s, e);
	if (!rc && f == PERSON_EMAIL)
		rc = check_email(s, e);
	return rc;
}

int person_validate(struct db *db, const struct person *p, struct verr *e)
{
	struct org o;
	struct user u;
	int f, rc;

	for (f = 0; f < PERSON_NFIELDS; f++) {
		rc = person_check(p, (enum person_field)f, e);
		if (rc)
			return rc;
	}
	rc = org_get(db, p->org_id, &o);
	if (rc == ERR_NOT_FOUND)
		return verr_set(e, "invalid", "org_id", "所属组织不存在", "the org does not exist");
	if (rc)
		return rc;
	if (p->user_id) {
		rc = user_get(db, p->user_id, &u);
		if (rc == ERR_NOT_FOUND)
			return verr_set(e, "invalid", "user_id", "关联的账号不存在",
					"the linked account does not exist");
		if (rc)
			return rc;
	}
	return ERR_OK;
}

/* --- rows --- */

static int person_read(struct db_stmt *st, struct person *p)
{
	int f;

	memset(p, 0, sizeof(*p));
	p->id = db_col_int(st, 0);
	p->org_id = db_col_int(st, 1);
	p->user_id = db_col_int(st, 2);
	for (f = 0; f < PERSON_NFIELDS; f++)
		if (copy_field(text_of(p, (enum person_field)f), person_fields[f].cap,
			       db_col_text(st, 3 + f)))
			return ERR_TOO_BIG;
	p->public_name = db_col_int(st, 12) != 0;
	p->created_at = db_col_int(st, 13);
	p->updated_at = db_col_int(st, 14);
	return ERR_OK;
}

int person_get(struct db *db, int64_t id, struct person *p)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_get, &st, "i", id);

	if (rc)
		return rc;
	rc = person_read(st, p);
	db_done(st);
	return rc;
}

int person_find_by_user(struct db *db, int64_t user_id, struct person *p)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_by_user, &st, "i", user_id);

	if (rc)
		return rc;
	rc = person_read(st, p);
	db_done(st);
	return rc;
}

/* --- who may --- */

bool person_can_manage(const struct actor *a, const struct org *o)
{
	if (a->via == AUTH_SYSTEM)
		return true;
	return a->via != AUTH_NONE && a->role >= ROLE_ORGANIZER && org_is_within(o, &a->org);
}

bool person_sees_contact(const struct actor *a)
{
	return a->via == AUTH_SYSTEM || (a->via != AUTH_NONE && a->role >= ROLE_ORGANIZER);
}

int person_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		     struct person *p, struct org *o)
{
	struct person tmp_p;
	struct org tmp_o;
	bool self, visible, allowed;
	int rc;

	if (!p)
		p = &tmp_p;
	if (!o)
		o = &tmp_o;
	if (id <= 0)
		return ERR_NOT_FOUND;
	rc = person_get(db, id, p);
	if (!rc)
		rc = org_get(db, p->org_id, o);
	if (rc)
		return rc;
	self = a->via != AUTH_NONE && a->user.id && p->user_id == a->user.id;
	/* a handling unit's account sees only what is assigned to it (scope_path): no one in
	 * the registry but its own person */
	visible = a->via == AUTH_SYSTEM || self ||
		  (a->via != AUTH_NONE && !a->user.handler_id && org_is_within(o, &a->org));
	allowed = op == AUTHZ_READ ? visible : person_can_manage(a, o);
	return authz_decide(a, visible, allowed);
}

int person_authorize_org(struct db *db, const struct actor *a, int64_t org_id, enum authz_op op,
			 struct org *o)
{
	struct org tmp;
	bool visible, allowed;
	int rc;

	if (!o)
		o = &tmp;
	if (org_id <= 0)
		return ERR_NOT_FOUND;
	rc = org_get(db, org_id, o);
	if (rc)
		return rc;
	visible = a->via != AUTH_NONE && actor_can_see_org(a, o);
	if (op == AUTHZ_READ)
		allowed = visible && (a->via == AUTH_SYSTEM ||
				      (!a->user.handler_id && org_is_within(o, &a->org)));
	else
		allowed = visible && person_can_manage(a, o);
	return authz_decide(a, visible, allowed);
}

/* person_audit_json is what the audit log records of p: every field (new reference). */
static json_t *person_audit_json(const struct person *p)
{
	char created[21], updated[21];
	json_t *j;
	int f;

	time_iso(p->created_at, created);
	time_iso(p->updated_at, updated);
	j = json_pack("{sI sI so}", "id", (json_int_t)p->id, "org_id", (json_int_t)p->org_id,
		      "user_id", p->user_id ? json_integer(p->user_id) : json_null());
	for (f = 0; j && f < PERSON_NFIELDS; f++)
		json_object_set_new(j, person_fields[f].name,
				    json_string(person_text(p, (enum person_field)f)));
	if (j) {
		json_object_set_new(j, "public_name", json_boolean(p->public_name));
		json_object_set_new(j, "created_at", json_string(created));
		json_object_set_new(j, "updated_at", json_string(updated));
	}
	return j;
}

#define PERSON_ROW_TYPES "iisssssssssn"
#define PERSON_ROW(p)                                                                              \
	(p)->org_id, (p)->user_id, (p)->name, (p)->category, (p)->sector, (p)->committee,          \
	    (p)->term, (p)->affiliation, (p)->title, (p)->phone, (p)->email, (int)(p)->public_name

/* person_index puts p into the search index: its name, sector, affiliation and title
 * (never its contact data); search.c shows it only to who may read it. */
static int person_index(struct db *db, const struct person *p)
{
	char body[sizeof(p->sector) + sizeof(p->affiliation) + sizeof(p->title) + 3];

	snprintf(body, sizeof(body), "%s %s %s", p->sector, p->affiliation, p->title);
	return search_put(db, "person", p->id, 0, p->org_id, p->name, body);
}

static int linked_elsewhere(struct verr *e)
{
	verr_set(e, "conflict", "user_id", "该账号已关联到另一位人员",
		 "that account is already linked to another person");
	return ERR_CONFLICT;
}

/* insert validates p, inserts it and audits action. */
static int insert(struct db *db, const struct actor *who, struct person *p, const char *action,
		  struct verr *e)
{
	int64_t now = time_now();
	json_t *after;
	int rc;

	rc = person_validate(db, p, e);
	if (rc)
		return rc;
	rc = db_exec(db, sql_insert, PERSON_ROW_TYPES "ii", PERSON_ROW(p), now, now);
	if (rc == ERR_CONFLICT && p->user_id)
		return linked_elsewhere(e);
	if (rc)
		return rc;
	p->id = db_last_id(db);
	p->created_at = p->updated_at = now;
	rc = person_index(db, p);
	if (rc)
		return rc;
	after = person_audit_json(p);
	rc = audit_write(db, who, p->org_id, action, "person", p->id, NULL, after);
	json_decref(after);
	return rc;
}

int person_create(struct db *db, const struct actor *who, struct person *p, struct verr *e)
{
	return insert(db, who, p, "person.create", e);
}

int person_update(struct db *db, const struct actor *who, const struct person *before,
		  struct person *p, struct verr *e)
{
	json_t *b, *a;
	int rc;

	/* an erased person stays erased: a change would bring personal data back */
	if (person_erased(db, p->id)) {
		verr_set(e, "erased", "id", "此人的个人信息已删除，不能再修改",
			 "this person's personal data has been erased; it cannot be changed");
		return ERR_CONFLICT;
	}
	rc = person_validate(db, p, e);
	if (rc)
		return rc;
	p->updated_at = time_now();
	rc = db_exec(db, sql_update, PERSON_ROW_TYPES "ii", PERSON_ROW(p), p->updated_at, p->id);
	if (rc == ERR_CONFLICT && p->user_id)
		return linked_elsewhere(e);
	if (!rc)
		rc = person_index(db, p);
	if (rc)
		return rc;
	b = person_audit_json(before);
	a = person_audit_json(p);
	rc = audit_write(db, who, p->org_id, "person.update", "person", p->id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

struct person_each {
	int (*fn)(const struct person *p, void *ud);
	void *ud;
};

static int person_row(struct db_stmt *st, void *ud)
{
	struct person_each *k = ud;
	struct person p;
	int rc = person_read(st, &p);

	return rc ? rc : k->fn(&p, k->ud);
}

int person_list(struct db *db, const struct org *scope, const struct person_filter *filter,
		int64_t after, int limit, int (*fn)(const struct person *p, void *ud), void *ud)
{
	const char *cat = filter && filter->category ? filter->category : "";
	const char *q = filter && filter->q ? filter->q : "";
	struct person_each k = {fn, ud};

	/* a negative limit is none: SQLite reads LIMIT -1 so, PostgreSQL refuses it */
	return db_each(db, sql_list, person_row, &k, "isssi", after, scope->path, cat, q,
		       limit < 0 ? INT64_MAX : (int64_t)limit);
}

/* --- import --- */

/* Columns of an import beyond the text fields. */
enum { COL_ORG = PERSON_NFIELDS, COL_PUBLIC, COL_ID_CARD, COL_NKINDS, COL_NONE = -1 };

static const struct {
	const char *zh, *en;
} extra_cols[] = {{"所属组织", "org"}, {"公开姓名", "public_name"}, {"身份证号", "id_card"}};

/* clip returns how many bytes of s[0..n) to show when echoing a cell in a message: at most
 * max, never cutting a character in two. */
static int clip(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return (int)n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return (int)max;
}

/* whole_chars cuts s at the first incomplete character, which a truncating snprintf may
 * leave at the end: messages must stay valid UTF-8 to become JSON. */
static void whole_chars(char *s)
{
	s[utf8_first_invalid(s, strlen(s))] = '\0';
}

#define ECHO 40 /* bytes of a cell echoed in a message */

struct import_col {
	int kind;	  /* enum person_field, COL_ORG, COL_PUBLIC, or COL_NONE (empty header) */
	const char *head; /* the header as written in the file (trimmed) */
};

struct import_ctx {
	struct db *db;
	const struct actor *who;
	struct person_import *imp;
	struct import_col *cols;
	size_t ncols;
	bool write;
	bool row_bad; /* the current row has a problem already */
	size_t cap_problems;
	bool given[COL_NKINDS]; /* the current row's cells that are not empty */
	char id_hash[65];	/* the current row's ID-card hash, "" when none */
	size_t cap_refusals;
};

static const char *col_zh(int kind)
{
	return kind < PERSON_NFIELDS ? person_fields[kind].zh : extra_cols[kind - COL_ORG].zh;
}

static const char *col_en(int kind)
{
	return kind < PERSON_NFIELDS ? person_fields[kind].en : extra_cols[kind - COL_ORG].en;
}

/* column_kind maps a header (trimmed) to its column kind; -2 if unknown. */
static int column_kind(const char *h)
{
	int k;

	if (!*h)
		return COL_NONE;
	for (k = 0; k < COL_NKINDS; k++)
		if (strcmp(h, col_zh(k)) == 0 || strcasecmp(h, col_en(k)) == 0)
			return k;
	return -2;
}

/* row_problem records problem e of the cell in column col (NULL: the whole row). */
static int row_problem(struct import_ctx *x, size_t line, const struct import_col *col,
		       struct verr *e)
{
	struct person_import *imp = x->imp;
	size_t max = imp->max_listed ? imp->max_listed : 1000;
	struct person_import_problem *pb;

	if (!x->row_bad)
		imp->bad_rows++;
	x->row_bad = true;
	if (imp->nproblems >= max)
		return ERR_OK;
	if (imp->nproblems == x->cap_problems) {
		size_t cap = x->cap_problems ? 2 * x->cap_problems : 16;
		void *q = realloc(imp->problems, cap * sizeof(*imp->problems));

		if (!q)
			return ERR_NOMEM;
		imp->problems = q;
		x->cap_problems = cap;
	}
	pb = &imp->problems[imp->nproblems++];
	memset(pb, 0, sizeof(*pb));
	pb->line = line;
	/* a header longer than the column field is cut at a whole character */
	snprintf(pb->column, sizeof(pb->column), "%s", col ? col->head : "");
	whole_chars(pb->column);
	snprintf(pb->field, sizeof(pb->field), "%s", e->field ? e->field : "");
	snprintf(pb->code, sizeof(pb->code), "%s", e->code ? e->code : "");
	memcpy(pb->zh, e->zh, sizeof(pb->zh));
	memcpy(pb->en, e->en, sizeof(pb->en));
	whole_chars(pb->zh);
	whole_chars(pb->en);
	return ERR_OK;
}

static int parse_public(const char *s, bool *out)
{
	static const char *const yes[] = {"是", "1", "yes", "y", "true", "同意"};
	static const char *const no[] = {"否", "0", "no", "n", "false", "不同意", ""};
	size_t i;

	for (i = 0; i < ARRAY_LEN(yes); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return *out = true, ERR_OK;
	for (i = 0; i < ARRAY_LEN(no); i++)
		if (strcasecmp(s, no[i]) == 0)
			return *out = false, ERR_OK;
	return ERR_INVALID;
}

/* cell_org resolves an org slug of the import to an org within the scope. */
static int cell_org(struct import_ctx *x, const char *slug, struct person *p, struct verr *e)
{
	struct org o;
	int rc;

	if (!*slug)
		return ERR_OK;
	rc = org_get_by_slug(x->db, slug, &o);
	if (rc == ERR_NOT_FOUND)
		return verr_set(e, "invalid", "org", "没有简称为“%.*s”的组织",
				"there is no org with the slug '%.*s'",
				clip(slug, strlen(slug), ECHO), slug);
	if (rc)
		return rc;
	if (!org_is_within(&o, x->imp->scope))
		return verr_set(e, "forbidden", "org", "组织“%.*s”不在您管理的范围内",
				"the org '%.*s' is outside the bodies you manage",
				clip(slug, strlen(slug), ECHO), slug);
	p->org_id = o.id;
	return ERR_OK;
}

/* find_col returns the column of kind k, or NULL when the header has none. */
static const struct import_col *find_col(const struct import_ctx *x, int k)
{
	size_t i;

	for (i = 0; i < x->ncols; i++)
		if (x->cols[i].kind == k)
			return &x->cols[i];
	return NULL;
}

/* id_card_hash checks the ID-card number s[0..n) (18 characters, the last a check
 * character per GB 11643, or the 15 digits of the old cards) and writes the hex SHA-256 of
 * it (a final x upper-cased) into out; "" for an empty cell. */
static int id_card_hash(const char *s, size_t n, char out[65], struct verr *e)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	char num[19];
	size_t i;
	int sum = 0;
	bool ok = n == 15 || n == 18;

	out[0] = '\0';
	if (!n)
		return ERR_OK;
	for (i = 0; ok && i < n; i++) {
		num[i] = s[i] == 'x' ? 'X' : s[i];
		ok = (num[i] >= '0' && num[i] <= '9') || (i == 17 && num[i] == 'X');
	}
	if (ok && n == 18) {
		for (i = 0; i < 17; i++)
			sum += (num[i] - '0') * w[i];
		ok = "10X98765432"[sum % 11] == num[17];
	}
	if (!ok) /* the number is not echoed: it is personal data */
		return verr_set(e, "invalid", "id_card",
				"身份证号无效：须为 18 位（末位为校验码，可为 X）或 15 位数字",
				"the ID-card number is not valid: 18 characters (the last a check "
				"character, which may be X) or 15 digits");
	audit_sha256_hex(num, n, out);
	return ERR_OK;
}

/* import_cell applies the cell s[0..n) (trimmed) of column col to p; a problem with it is
 * left in e and reported as ERR_INVALID. */
static int import_cell(struct import_ctx *x, const struct import_col *col, const char *s, size_t n,
		       struct person *p, struct verr *e)
{
	char small[256]; /* categories, yes/no and slugs are short */
	const char *code;
	int k = col ? col->kind : COL_NONE;

	if (k >= 0)
		x->given[k] = n > 0;
	if (k == COL_NONE) {
		if (!n)
			return ERR_OK;
		if (col)
			return verr_set(e, "invalid", NULL, "此列没有表头，却填了内容“%.*s”",
					"this column has no header but holds '%.*s'",
					clip(s, n, ECHO), s);
		return verr_set(e, "invalid", NULL, "此行的字段比表头多（多出“%.*s”）",
				"this row has more fields than the header ('%.*s')",
				clip(s, n, ECHO), s);
	}
	if (k < PERSON_NFIELDS && k != PERSON_CATEGORY) {
		int rc = person_set_text(p, (enum person_field)k, s, n, e);

		return rc ? rc : person_check(p, (enum person_field)k, e);
	}
	if (n >= sizeof(small))
		return verr_set(e, "too_long", k == PERSON_CATEGORY ? "category" : col_en(k),
				"内容过长", "the text is too long");
	memcpy(small, s, n);
	small[n] = '\0';
	switch (k) {
	case PERSON_CATEGORY:
		code = n ? person_category_parse(small) : "";
		if (!code)
			return verr_set(e, "invalid", "category",
					"类别“%.*s”无效：须为政协委员、政协领导、专家学者、企业家、"
					"界别群众、社会组织、政府部门、智库、市民之一（或其代码）",
					"category '%.*s' is not one of the categories (a Chinese "
					"label or a code such as member, expert, official)",
					clip(small, n, ECHO), small);
		snprintf(p->category, sizeof(p->category), "%s", code);
		return person_check(p, PERSON_CATEGORY, e);
	case COL_ID_CARD:
		return id_card_hash(small, n, x->id_hash, e);
	case COL_PUBLIC:
		if (parse_public(small, &p->public_name))
			return verr_set(e, "invalid", "public_name",
					"公开姓名须为“是”或“否”（现在是“%.*s”）",
					"public_name must be yes or no (it is '%.*s')",
					clip(small, n, ECHO), small);
		return ERR_OK;
	default: /* COL_ORG */
		return cell_org(x, small, p, e);
	}
}

static const char sql_set_hash[] = "UPDATE person SET id_card_hash = NULLIF(?, '') WHERE id = ?";
static const char sql_get_hash[] = "SELECT COALESCE(id_card_hash, '') FROM person WHERE id = ?";
/* the persons a row may be: of the scope (?2), not erased, and not known by another ID card
 * (?3, the row's hash, '' when it has none) */
#define MATCH_FROM                                                                                 \
	"SELECT p.id FROM person p JOIN org o ON o.id = p.org_id"                                  \
	" WHERE substr(o.path, 1, length(?2)) = ?2 AND p.erased_at IS NULL"                        \
	" AND (?3 = '' OR p.id_card_hash IS NULL OR p.id_card_hash = ?3)"
static const char sql_match_hash[] = MATCH_FROM " AND p.id_card_hash = ?1 ORDER BY p.id LIMIT 2";
static const char sql_match_phone[] = MATCH_FROM " AND p.phone = ?1 ORDER BY p.id LIMIT 2";
static const char sql_match_name[] =
    MATCH_FROM " AND p.name = ?1 AND p.affiliation = ?4 ORDER BY p.id LIMIT 2";

/* refusal lists a valid row that is not applied (line, why). */
static int refusal(struct import_ctx *x, size_t line, const char *code, const char *zh,
		   const char *en)
{
	struct person_import *imp = x->imp;
	size_t max = imp->max_listed ? imp->max_listed : 1000;
	struct person_import_problem *pb;

	imp->refused++;
	if (imp->nrefusals >= max)
		return ERR_OK;
	if (imp->nrefusals == x->cap_refusals) {
		size_t cap = x->cap_refusals ? 2 * x->cap_refusals : 16;
		void *q = realloc(imp->refusals, cap * sizeof(*imp->refusals));

		if (!q)
			return ERR_NOMEM;
		imp->refusals = q;
		x->cap_refusals = cap;
	}
	pb = &imp->refusals[imp->nrefusals++];
	memset(pb, 0, sizeof(*pb));
	pb->line = line;
	snprintf(pb->code, sizeof(pb->code), "%s", code);
	snprintf(pb->zh, sizeof(pb->zh), "%s", zh);
	snprintf(pb->en, sizeof(pb->en), "%s", en);
	return ERR_OK;
}

/* match finds the person row p is, by its ID-card hash, else phone, else name and
 * affiliation: *id (0: none), *many when the key that found one found more. */
static int match(struct import_ctx *x, const struct person *p, int64_t *id, bool *many)
{
	const char *scope = x->imp->scope ? x->imp->scope->path : "-";
	struct db_ids ids = {NULL, 0};
	int rc = ERR_OK;

	*id = 0;
	*many = false;
	if (x->id_hash[0])
		rc = db_each(x->db, sql_match_hash, db_ids_row, &ids, "sss", x->id_hash, scope,
			     x->id_hash);
	if (!rc && !ids.n && p->phone[0])
		rc = db_each(x->db, sql_match_phone, db_ids_row, &ids, "sss", p->phone, scope,
			     x->id_hash);
	if (!rc && !ids.n)
		rc = db_each(x->db, sql_match_name, db_ids_row, &ids, "ssss", p->name, scope,
			     x->id_hash, p->affiliation);
	if (!rc && ids.n) {
		*id = ids.ids[0];
		*many = ids.n > 1;
	}
	free(ids.ids);
	return rc;
}

/* merge_row copies into m the cells of the row (p) that are not empty; true when m
 * changed. */
static bool merge_row(const struct import_ctx *x, const struct person *p, struct person *m)
{
	bool changed = false;
	int f;

	for (f = 0; f < PERSON_NFIELDS; f++) {
		const char *v = person_text(p, (enum person_field)f);

		if (x->given[f] && strcmp(v, person_text(m, (enum person_field)f)) != 0) {
			snprintf(text_of(m, (enum person_field)f), person_fields[f].cap, "%s", v);
			changed = true;
		}
	}
	if (x->given[COL_ORG] && m->org_id != p->org_id) {
		m->org_id = p->org_id;
		changed = true;
	}
	if (x->given[COL_PUBLIC] && m->public_name != p->public_name) {
		m->public_name = p->public_name;
		changed = true;
	}
	return changed;
}

static int stored_hash(struct db *db, int64_t id, char *out, size_t n)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_get_hash, &st, "i", id);

	if (rc)
		return rc;
	rc = copy_field(out, n, db_col_text(st, 0));
	db_done(st);
	return rc;
}

/* import_apply writes valid row p (line): adds it, or updates the person it matches. */
static int import_apply(struct import_ctx *x, struct person *p, size_t line)
{
	struct person before, m;
	char stored[80] = "";
	struct verr e;
	int64_t id;
	bool many, changed;
	int rc = match(x, p, &id, &many);

	memset(&e, 0, sizeof(e));
	if (rc)
		return rc;
	if (many)
		return refusal(
		    x, line, "ambiguous",
		    "此行与人员库中的多位人员相符（身份证号、电话或姓名与工作单位相同），"
		    "无法确定更新哪一位；请补充身份证号或在人员库中合并后再导入",
		    "this row matches several people of the registry (same ID card, "
		    "phone, or name and affiliation); add the ID-card number or merge "
		    "them, then import again");
	if (!id) {
		rc = insert(x->db, x->who, p, "person.import", &e);
		if (!rc && x->id_hash[0])
			rc = db_exec(x->db, sql_set_hash, "si", x->id_hash, p->id);
		if (rc == ERR_INVALID || rc == ERR_CONFLICT)
			return row_problem(x, line, NULL, &e); /* validated already */
		if (!rc) {
			x->imp->added++;
			x->imp->imported++;
		}
		return rc;
	}
	rc = person_get(x->db, id, &before);
	if (!rc)
		rc = stored_hash(x->db, id, stored, sizeof(stored));
	if (rc)
		return rc;
	m = before;
	changed = merge_row(x, p, &m);
	if (x->id_hash[0] && strcmp(stored, x->id_hash) != 0) {
		rc = db_exec(x->db, sql_set_hash, "si", x->id_hash, id);
		changed = true;
	}
	if (!rc && !changed) {
		x->imp->unchanged++;
		return ERR_OK;
	}
	if (!rc)
		rc = person_update(x->db, x->who, &before, &m, &e);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return row_problem(x, line, NULL, &e);
	if (!rc) {
		x->imp->updated++;
		x->imp->imported++;
	}
	return rc;
}

/* import_row builds a person from the current record, records every problem of its
 * cells, and (when writing) inserts it. */
static int import_row(struct import_ctx *x, struct csv_reader *r)
{
	struct person p;
	struct verr e;
	size_t i, n, line = r->rec_line;
	int rc = ERR_OK, f;

	memset(&p, 0, sizeof(p));
	memset(&e, 0, sizeof(e));
	p.org_id = x->imp->default_org;
	x->row_bad = false;
	memset(x->given, 0, sizeof(x->given));
	x->id_hash[0] = '\0';
	for (i = 0; i < r->nfields && !rc; i++) {
		const struct import_col *col = i < x->ncols ? &x->cols[i] : NULL;
		const char *s = csv_field(r, i, &n);

		s = trim(s, &n);
		/* exports put an apostrophe before formula-like text (sheet.h): drop it */
		if (n >= 2 && s[0] == '\'' && strchr("=+-@", s[1])) {
			s++;
			n--;
		}
		rc = import_cell(x, col, s, n, &p, &e);
		if (rc == ERR_INVALID)
			rc = row_problem(x, line, col, &e);
	}
	/* a short row leaves the last cells out: the required ones are still required */
	for (f = 0; !rc && f < PERSON_NFIELDS; f++) {
		const struct import_col *col = find_col(x, f);

		if (col && (size_t)(col - x->cols) >= r->nfields &&
		    person_check(&p, (enum person_field)f, &e))
			rc = row_problem(x, line, col, &e);
	}
	if (rc || x->row_bad || !x->write)
		return rc;
	return import_apply(x, &p, line);
}

static int file_problem(struct person_import *imp, const char *code, const char *zh, const char *en,
			...)
{
	va_list ap;

	imp->file_err.code = code;
	imp->file_err.field = NULL;
	va_start(ap, en);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(imp->file_err.zh, sizeof(imp->file_err.zh), zh, ap);
	va_end(ap);
	va_start(ap, en);
	vsnprintf(imp->file_err.en, sizeof(imp->file_err.en), en, ap);
#pragma GCC diagnostic pop
	va_end(ap);
	whole_chars(imp->file_err.zh);
	whole_chars(imp->file_err.en);
	return ERR_INVALID;
}

/* line_problem records a problem of the whole file found on physical line `line`: "第 N 行：
 * zh" and "line N: en", each followed by its tail. */
static int line_problem(struct person_import *imp, const char *code, size_t line, const char *zh,
			const char *en, const char *zh_tail, const char *en_tail)
{
	imp->file_err.code = code;
	imp->file_err.field = NULL;
	imp->file_line = line;
	snprintf(imp->file_err.zh, sizeof(imp->file_err.zh), "第 %zu 行：%s%s", line, zh, zh_tail);
	snprintf(imp->file_err.en, sizeof(imp->file_err.en), "line %zu: %s%s", line, en, en_tail);
	whole_chars(imp->file_err.zh);
	whole_chars(imp->file_err.en);
	return ERR_INVALID;
}

/* read_header reads the column names from the first non-blank record. */
static int read_header(struct import_ctx *x, struct csv_reader *r)
{
	bool seen[COL_NKINDS] = {false};
	size_t i;
	int rc, k;

	do
		rc = csv_next(r);
	while (rc == ERR_OK && csv_record_blank(r));
	if (rc == ERR_NOT_FOUND)
		return file_problem(x->imp, "empty_file", "文件是空的", "the file is empty");
	if (rc)
		return rc;
	x->ncols = r->nfields;
	x->cols = calloc(x->ncols, sizeof(*x->cols));
	if (!x->cols)
		return ERR_NOMEM;
	for (i = 0; i < x->ncols; i++) {
		size_t n;
		const char *h = trim(csv_field(r, i, &n), &n);
		char *copy = malloc(n + 1);

		if (!copy)
			return ERR_NOMEM;
		memcpy(copy, h, n);
		copy[n] = '\0';
		x->cols[i].head = copy;
		k = column_kind(copy);
		if (k == -2)
			return file_problem(
			    x->imp, "unknown_column",
			    "第 %zu 列的表头“%.*s”无法识别。可用：姓名、类别、界别、"
			    "专委会、届次、工作单位、职务、电话、邮箱、所属组织、公开姓名、"
			    "身份证号",
			    "column %zu: the header '%.*s' is not known; use name, "
			    "category, sector, committee, term, affiliation, title, "
			    "phone, email, org, public_name, id_card",
			    i + 1, clip(copy, n, ECHO), copy);
		if (k >= 0 && seen[k])
			return file_problem(x->imp, "duplicate_column", "表头“%.*s”出现了两次",
					    "the header '%.*s' appears twice", clip(copy, n, ECHO),
					    copy);
		if (k >= 0)
			seen[k] = true;
		x->cols[i].kind = k;
	}
	if (!seen[PERSON_NAME] || !seen[PERSON_CATEGORY])
		return file_problem(
		    x->imp, "missing_column",
		    "缺少必需的列“%s”（表头须包含 姓名 和 类别，或 name 和 category）",
		    "the column '%s' is missing (the header needs name and category)",
		    !seen[PERSON_NAME] ? "姓名/name" : "类别/category");
	return ERR_OK;
}

/* guess_sep picks the separator from the first line: a tab when it has tabs and no comma
 * (cells copied from a spreadsheet and pasted), else a comma. */
static char guess_sep(const char *text, size_t n)
{
	const char *eol = memchr(text, '\n', n);
	size_t len = eol ? (size_t)(eol - text) : n;

	return memchr(text, '\t', len) && !memchr(text, ',', len) ? '\t' : ',';
}

/* import_pass reads the whole table once: validating (write false) or inserting. */
static int import_pass(struct import_ctx *x, const char *text, size_t n)
{
	struct csv_reader r;
	size_t i;
	int rc;

	csv_reader_init(&r, text, n);
	r.sep = guess_sep(text, n);
	x->cols = NULL;
	x->ncols = 0;
	x->imp->rows = 0;
	rc = read_header(x, &r);
	while (!rc && (rc = csv_next(&r)) == ERR_OK) {
		if (csv_record_blank(&r))
			continue;
		x->imp->rows++;
		rc = import_row(x, &r);
	}
	if (rc == ERR_NOT_FOUND)
		rc = ERR_OK;
	if ((rc == ERR_INVALID || rc == ERR_TOO_BIG) && r.err)
		rc = line_problem(x->imp, "invalid_csv", r.err_line, r.err_zh, r.err_en, "", "");
	if (!rc && !x->imp->rows && !x->imp->file_err.code)
		rc = file_problem(x->imp, "empty_file", "文件只有表头，没有数据行",
				  "the file has a header but no rows");
	for (i = 0; i < x->ncols; i++)
		free((char *)x->cols[i].head);
	free(x->cols);
	csv_reader_fini(&r);
	return rc;
}

/* import_start resets imp's results and prepares x. */
static void import_start(struct import_ctx *x, struct db *db, const struct actor *who,
			 struct person_import *imp)
{
	memset(x, 0, sizeof(*x));
	x->db = db;
	x->who = who;
	x->imp = imp;
	imp->rows = imp->imported = imp->bad_rows = imp->file_line = 0;
	imp->added = imp->updated = imp->unchanged = imp->refused = 0;
	memset(&imp->file_err, 0, sizeof(imp->file_err));
	imp->problems = imp->refusals = NULL;
	imp->nproblems = imp->nrefusals = 0;
}

/* import_text reads the table text[0..n) (UTF-8) twice: every row checked, then, when all
 * are good, every row written. */
static int import_text(struct import_ctx *x, const char *text, size_t n)
{
	int rc = import_pass(x, text, n);

	if (!rc && x->imp->bad_rows)
		rc = ERR_INVALID;
	if (!rc) {
		x->write = true;
		rc = import_pass(x, text, n);
		if (!rc && x->imp->bad_rows)
			rc = ERR_INVALID;
	}
	return rc;
}

int person_import_csv(struct db *db, const struct actor *who, const char *p, size_t n,
		      struct person_import *imp)
{
	struct import_ctx x;
	struct csv_fault why;
	struct buf text;
	int rc;

	import_start(&x, db, who, imp);
	if (n == 0)
		return file_problem(imp, "empty_file", "文件是空的", "the file is empty");
	buf_init(&text, 2 * n + 16);
	rc = csv_decode(p, n, &text, &imp->encoding, &why);
	if (rc == ERR_INVALID)
		rc = line_problem(
		    imp, "invalid_encoding", why.line, why.zh, why.en,
		    "。文件须为文本：请另存为 UTF-8 或 GBK（GB18030）编码的 CSV",
		    "; the file must be text: save it as CSV in UTF-8 or GBK (GB18030)");
	if (!rc)
		rc = import_text(&x, text.p ? text.p : "", text.n);
	buf_fini(&text);
	return rc;
}

int person_import_xlsx(struct db *db, const struct actor *who, const char *p, size_t n,
		       struct person_import *imp)
{
	struct import_ctx x;
	struct xlsx_fault why = {NULL, NULL};
	struct buf text;
	int rc;

	import_start(&x, db, who, imp);
	imp->encoding = CSV_ENC_UTF8;
	if (n == 0)
		return file_problem(imp, "empty_file", "文件是空的", "the file is empty");
	buf_init(&text, BUF_MAX_DEFAULT);
	rc = xlsx_to_csv(p, n, &text, &why);
	if (rc == ERR_INVALID)
		rc = file_problem(imp, "invalid_xlsx", "无法读取 XLSX 文件：%s",
				  "cannot read the XLSX file: %s", why.zh, why.en);
	else if (rc == ERR_TOO_BIG)
		rc = file_problem(imp, "invalid_xlsx", "XLSX 文件的内容过大",
				  "the XLSX file holds too much");
	if (!rc)
		rc = import_text(&x, text.p ? text.p : "", text.n);
	buf_fini(&text);
	return rc;
}

void person_import_release(struct person_import *imp)
{
	free(imp->problems);
	free(imp->refusals);
	imp->problems = imp->refusals = NULL;
	imp->nproblems = imp->nrefusals = 0;
}
