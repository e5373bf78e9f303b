/*
 * person.h - the people registry (人员库): CPPCC members, leaders, experts, entrepreneurs,
 * sector representatives, social organizations, officials, think-tank experts, citizens.
 *
 * A person is not an account: most never sign in. A person belongs to one body (org) and
 * may be linked to at most one account (user_id), which lets other modules ask "which
 * person is the signed-in user" (person_find_by_user). Phone and email are contact data,
 * shown only to organizers and admins (person_sees_contact; web/json_people.c leaves them
 * out for others). public_name says the person agreed to be named on public pages.
 *
 * Field names are those of the JSON API; person_fields lists the text fields with their
 * Chinese and English labels and limits, so the API, the pages, the CSV import and the
 * exports all speak of the same fields in the same words.
 *
 * Like the rest of the model: every function takes the connection to use and opens no
 * transaction; changes write their audit row ("person.create", "person.update",
 * "person.import") in the caller's transaction. Thread-safe as far as each thread uses
 * its own connection; the tables below are constant.
 */
#ifndef SHENLIAO_MODEL_PERSON_H
#define SHENLIAO_MODEL_PERSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/csv.h"
#include "model/model.h"

/* The text fields of a person, in the order of exports. */
enum person_field {
	PERSON_NAME = 0,
	PERSON_CATEGORY,
	PERSON_SECTOR,
	PERSON_COMMITTEE,
	PERSON_TERM,
	PERSON_AFFILIATION,
	PERSON_TITLE,
	PERSON_PHONE,
	PERSON_EMAIL,
	PERSON_NFIELDS
};

struct person_field_info {
	const char *name; /* API field name: "name" */
	const char *zh;	  /* label and CSV header: "姓名" */
	const char *en;	  /* English label and CSV header: "name" */
	size_t max_chars; /* most characters (code points) */
	bool required;	  /* at least one character */
	bool contact;	  /* shown only to organizers and admins */
	size_t offset;	  /* of the char array in struct person */
	size_t cap;	  /* its size in bytes */
};

extern const struct person_field_info person_fields[PERSON_NFIELDS];

struct person {
	int64_t id;
	int64_t org_id;
	int64_t user_id; /* 0: not linked to an account */
	char name[401];
	char category[16]; /* a code: member, leader, ... (person_category_codes) */
	char sector[401];  /* 界别 */
	char committee[401];
	char term[201];
	char affiliation[801];
	char title[401];
	char phone[121];
	char email[1017];
	bool public_name;
	int64_t created_at, updated_at;
};

/* person_text returns the text of field f in p (borrowed from p). */
const char *person_text(const struct person *p, enum person_field f);

/* person_set_text stores s[0..n) (trimmed of spaces at both ends) as field f of p.
 * ERR_INVALID with e filled when it cannot fit (too long; for the category: not a code).
 * The text is checked by person_check, not here. */
int person_set_text(struct person *p, enum person_field f, const char *s, size_t n,
		    struct verr *e) WARN_UNUSED;

/* --- categories --- */

#define PERSON_NCATEGORIES 9

/* The category codes, in the order pages list them: member, leader, expert, entrepreneur,
 * sector_rep, social_org, official, think_tank, citizen. Their labels are also in the
 * catalogs as cat_<code>. */
extern const char *const person_category_codes[PERSON_NCATEGORIES];

/* person_category_label returns the label of category code in lang ("zh", or "en"), or
 * NULL for an unknown code. Static strings. */
const char *person_category_label(const char *code, const char *lang);

/* person_category_parse returns the code named by s: a code (any case), its Chinese label
 * or its English label (any case); NULL if none. Static strings. */
const char *person_category_parse(const char *s);

/* --- reading and writing --- */

/* person_get loads person id. ERR_NOT_FOUND if none. */
int person_get(struct db *db, int64_t id, struct person *p) WARN_UNUSED;

/* person_find_by_user loads the person linked to account user_id (there is at most one).
 * ERR_NOT_FOUND if none. */
int person_find_by_user(struct db *db, int64_t user_id, struct person *p) WARN_UNUSED;

/* person_check validates field f of p alone (e filled naming the API field, messages using
 * the field's label). */
int person_check(const struct person *p, enum person_field f, struct verr *e) WARN_UNUSED;

/* person_validate checks every field of p, that org_id exists and that user_id (when
 * set) exists. ERR_INVALID with e filled at the first problem. */
int person_validate(struct db *db, const struct person *p, struct verr *e) WARN_UNUSED;

/* person_create validates and inserts p (org_id and the fields set by the caller), filling
 * id and times, and audits "person.create". ERR_CONFLICT with e (field user_id) when the
 * account is already linked to another person. Authorization is the caller's. */
int person_create(struct db *db, const struct actor *who, struct person *p,
		  struct verr *e) WARN_UNUSED;

/* person_update stores p (validated; all fields but id and created_at) and audits
 * "person.update" from before. ERR_CONFLICT as for person_create. */
int person_update(struct db *db, const struct actor *who, const struct person *before,
		  struct person *p, struct verr *e) WARN_UNUSED;

/* --- who may --- */

/* person_can_manage: may a add, change and import persons of body o (organizers and admins
 * of o or a body above it; the command line). */
bool person_can_manage(const struct actor *a, const struct org *o);

/* person_sees_contact: may a see the contact fields (phone, email) of the persons it may
 * read (organizers and admins; the command line). */
bool person_sees_contact(const struct actor *a);

/* person_authorize loads person id into *p and its body into *o (either may be NULL) and
 * decides whether a may do op to it. Visible: the persons of the actor's body and of the
 * bodies below it (not to a handling unit's account, which sees only what is assigned to
 * it), and the person linked to the actor's own account. READ allowed when
 * visible; WRITE and MANAGE when person_can_manage the person's body. Returns what
 * authz_decide returns (a person of an unrelated body or of a body above: ERR_NOT_FOUND for
 * a signed-in caller), or ERR_NOT_FOUND when there is no such person (id 0 included). */
int person_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		     struct person *p, struct org *o) WARN_UNUSED;

/* person_authorize_org loads body org_id into *o (may be NULL) and decides whether a may do
 * op to the persons of that body as a whole: READ list and export them (the actor's body
 * and those below it; not a handling unit's account), WRITE add persons to it, move persons into
 * it, import into it (person_can_manage). Visible: actor_can_see_org (a body above is seen:
 * ERR_FORBIDDEN; one of another branch is not: ERR_NOT_FOUND). Returns what authz_decide returns,
 * or ERR_NOT_FOUND when there is no such body. */
int person_authorize_org(struct db *db, const struct actor *a, int64_t org_id, enum authz_op op,
			 struct org *o) WARN_UNUSED;

struct person_filter {
	const char *category; /* a code, or NULL / "" for all */
	const char *q;	      /* a substring of the name (ASCII letters in any case), or NULL */
};

/* person_list calls fn for each person whose org is within scope (path prefix) and who
 * matches filter (may be NULL), with id > after, in id order, up to limit rows (a negative
 * limit: no limit). Stops at fn's first non-zero result and returns it. */
int person_list(struct db *db, const struct org *scope, const struct person_filter *filter,
		int64_t after, int limit, int (*fn)(const struct person *p, void *ud),
		void *ud) WARN_UNUSED;

/* --- importing a table --- */

/* One problem of a refused import's row. */
struct person_import_problem {
	size_t line;	  /* as an editor counts lines, the header being line 1 */
	char column[128]; /* the column's header as written in the file, "" for the whole row */
	char field[32];	  /* the API field, "" when none */
	char code[32];	  /* "required", "too_long", "invalid"... */
	char zh[512], en[512];
};

struct person_import {
	/* set by the caller */
	const struct org *scope; /* rows may name orgs (by slug) within it */
	int64_t default_org;	 /* the org of rows that name none */
	size_t max_listed;	 /* most row problems listed in errors (0: 1000) */
	/* results */
	enum csv_encoding encoding;		/* of the file */
	size_t rows;				/* data rows read (blank lines not counted) */
	size_t imported;			/* rows applied: added + updated */
	size_t added, updated, unchanged;	/* new persons; matched and changed; matched
						 * and already as in the file */
	size_t refused;				/* valid rows not applied (refusals) */
	struct person_import_problem *refusals; /* why, for the first max_listed of them */
	size_t nrefusals;
	size_t bad_rows;			/* rows refused; every one is counted ... */
	struct person_import_problem *problems; /* ... and the first max_listed problems are */
	size_t nproblems;			/* listed here (person_import_release frees) */
	struct verr file_err; /* a problem of the whole file (file_err.code set) ... */
	size_t file_line;     /* ... and its physical line when it has one (else 0) */
};

/* person_import_csv imports persons from the CSV file p[0..n): encoding detected
 * (csv_decode); commas separate cells, or tabs when the first line has tabs and no comma
 * (cells copied from a spreadsheet); a header line naming the columns in Chinese or English
 * (姓名/name and 类别/category required; 界别/sector, 专委会/committee, 届次/term,
 * 工作单位/affiliation, 职务/title, 电话/phone, 邮箱/email, 所属组织/org as a slug,
 * 公开姓名/public_name optional); category as a code or a label; blank lines skipped; cells trimmed
 * of spaces, and of the apostrophe exports put before formula-like text. Every row is validated
 * before any is written: either all rows are inserted (ERR_OK, imp->imported, an audit row
 * "person.import" each) or none (ERR_INVALID with imp->file_err.code set for a problem of
 * the whole file - empty, unknown or missing or repeated column, malformed CSV, bytes that
 * are not text (csv_decode: invalid UTF-8, NUL, not GB18030), with imp->file_line for the
 * last three - or imp->bad_rows > 0 and imp->errors listing the rows' problems, line numbers
 * counted as an editor shows them, the header being line 1). Runs in the caller's write
 * transaction, which the caller rolls back on error. Line numbers refer to physical lines
 * (a quoted field may span several). */
/*
 * Re-importing: a row is first matched to a person of the scope (not erased) by the
 * SHA-256 of its ID-card number (the optional column 身份证号/id_card: 18 characters with a
 * valid check character, or 15 digits; only the hash is stored, in person.id_card_hash),
 * else by its phone, else by its name and affiliation; a person whose stored hash differs
 * from the row's is never its match. A match is updated with the row's non-empty cells
 * (an empty cell keeps what is there; audited "person.update") or counted unchanged; no
 * match adds a person ("person.import"). A row matching two or more persons by the first
 * key that finds any is refused (code "ambiguous", listed in refusals) and the others are
 * still applied. imp->added / updated / unchanged / refused count them.
 */
int person_import_csv(struct db *db, const struct actor *who, const char *p, size_t n,
		      struct person_import *imp) WARN_UNUSED;

/* person_import_xlsx imports persons from the first worksheet of the XLSX workbook
 * p[0..n) (base/xlsx.h), read as person_import_csv reads a CSV file: the same header names,
 * the same checks and matching, line numbers being the sheet's row numbers. A file that is
 * not a workbook is a problem of the whole file (imp->file_err.code "invalid_xlsx"). */
int person_import_xlsx(struct db *db, const struct actor *who, const char *p, size_t n,
		       struct person_import *imp) WARN_UNUSED;

/* person_import_release frees what person_import_csv left in imp (the problems). */
void person_import_release(struct person_import *imp);

#endif
