/*
 * model.h - the domain's shared types: who is acting (struct actor), validation errors
 * for people (struct verr), and the entities of the foundation: bodies (org), accounts
 * (user), sign-in (auth) and the audit log.
 *
 * Every function takes the connection to use; none opens transactions unless it says so.
 * Functions that change data write their audit row in the caller's transaction, so the
 * change and its record commit or roll back together.
 */
#ifndef SHENLIAO_MODEL_MODEL_H
#define SHENLIAO_MODEL_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
struct db; /* the connection (db/db.h): only the model opens it up */

/* A validation error for people: machine code, the field at fault, messages in Chinese and
 * English. */
struct verr {
	const char *code;
	const char *field;
	char zh[512];
	char en[512];
};

/* verr_set fills e (which may be NULL) and returns ERR_INVALID, so callers can
 * "return verr_set(...)". zh and en are printf formats sharing the same arguments. */
int verr_set(struct verr *e, const char *code, const char *field, const char *zh, const char *en,
	     ...);

/* verr_type fills e for a field of the wrong JSON type (code "invalid_type"). */
int verr_type(struct verr *e, const char *field, const char *type_zh, const char *type_en);

/* text_blank reports whether the UTF-8 text s[0..n) holds nothing but white space: ASCII
 * blanks and line ends, no-break spaces, the ideographic space U+3000 of Chinese input
 * methods, the other Unicode spaces, zero-width spaces and the BOM. An empty text is blank.
 * Pure, thread-safe. */
bool text_blank(const char *s, size_t n);

/* --- bodies --- */

enum org_level { ORG_NATIONAL = 0, ORG_PROVINCE, ORG_CITY, ORG_DISTRICT };

struct org {
	int64_t id;
	int64_t parent_id; /* 0 for a root */
	char slug[64];
	char name[512];
	char level[16];
	char path[128]; /* "/1/4/" */
	int64_t created_at, updated_at;
};

/* org_level_parse returns the enum org_level for "national".."district", or -1. */
int org_level_parse(const char *s);

/* org_level_name returns "national".."district" for an enum org_level, or NULL. */
const char *org_level_name(int level);

/* org_get loads org id into *o. ERR_NOT_FOUND if none. */
int org_get(struct db *db, int64_t id, struct org *o) WARN_UNUSED;
int org_get_by_slug(struct db *db, const char *slug, struct org *o) WARN_UNUSED;

/* org_get_root loads the first root body (no parent; the one `shenliao init` made).
 * ERR_NOT_FOUND if the database has none. */
int org_get_root(struct db *db, struct org *o) WARN_UNUSED;

/* org_is_within reports whether org "inner" is "outer" or below it (by path). */
bool org_is_within(const struct org *inner, const struct org *outer);
/* org_path_within: is the body at materialized path inner the one at outer or below it?
 * (false for an empty outer) */
bool org_path_within(const char *inner, const char *outer);

/* org_create validates and inserts o (slug, name, level, parent_id set by the caller; a
 * parent_id of 0 makes a root, which only the command line does; an empty slug becomes
 * "org-<id>"). Fills id, path, times.
 * ERR_INVALID with e filled; ERR_CONFLICT with e filled when the slug is taken. */
struct actor;
int org_create(struct db *db, const struct actor *who, struct org *o, struct verr *e) WARN_UNUSED;

/* org_update stores o's name and slug (validated) and audits the change from before. */
int org_update(struct db *db, const struct actor *who, const struct org *before, struct org *o,
	       struct verr *e) WARN_UNUSED;

/* org_list calls fn for each org within scope (path prefix) with id > after, in id order,
 * up to limit rows. Also includes the ancestors of scope when with_ancestors. */
int org_list(struct db *db, const struct org *scope, bool with_ancestors, int64_t after, int limit,
	     int (*fn)(const struct org *o, void *ud), void *ud) WARN_UNUSED;

/* --- accounts --- */

struct user {
	int64_t id;
	int64_t org_id;
	char username[64];
	char display_name[512];
	char role[16];
	bool disabled;
	int64_t handler_id; /* a handling unit's account (承办单位), 0 otherwise */
	int64_t person_id;  /* the registry person linked to it (person.user_id), 0 none */
	int64_t created_at, updated_at;
};

/* The roles. A leader (领导) reads what an organizer of its body reads and changes nothing
 * but its instructions (批示) on outputs; it sits below member on purpose, so that every
 * "role >= ROLE_MEMBER / ROLE_ORGANIZER" test of a write refuses it, and the reads that are
 * an organizer's grant it by name (actor_reads_as_staff). */
enum role { ROLE_GUEST = 0, ROLE_LEADER, ROLE_MEMBER, ROLE_ORGANIZER, ROLE_ADMIN };

/* role_parse returns the enum role for "guest", "leader", "member", "organizer", "admin",
 * or -1. */
int role_parse(const char *s);

int user_get(struct db *db, int64_t id, struct user *u) WARN_UNUSED;
int user_get_by_name(struct db *db, const char *username, struct user *u) WARN_UNUSED;

/* user_create validates u and password, hashes the password (argon2id) and inserts. When
 * u->person_id is set the account is linked to that registry person (user_link_person). */
int user_create(struct db *db, const struct actor *who, struct user *u, const char *password,
		struct verr *e) WARN_UNUSED;

/* user_update stores u's display_name, role, org_id and disabled flag; when password is not
 * NULL it is validated and replaces the old one, and every other browser sign-in of u is
 * ended (all of them when who is not u signed in by cookie; who's own stays). Disabling
 * ends every sign-in of u. Audited "user.update" or "user.password", plus "user.role"
 * when the role, the body or the handling unit changed. API tokens are not revoked (a
 * disabled account's tokens stop working). */
int user_update(struct db *db, const struct actor *who, const struct user *before, struct user *u,
		const char *password, struct verr *e) WARN_UNUSED;

/* user_link_person links account u to registry person u->person_id (0: to no one) in place
 * of old_person_id, inside the caller's write transaction, and audits "user.person". The
 * person must be one who may read (person_authorize): ERR_INVALID with e naming person_id
 * when there is no such person or who may not see it, or it is erased; ERR_CONFLICT (code
 * "person_linked") when it is linked to another account. user_create and user_update call it
 * when the person changes. */
int user_link_person(struct db *db, const struct actor *who, const struct user *u,
		     int64_t old_person_id, struct verr *e) WARN_UNUSED;

/* user_list calls fn for users whose org is within scope, id > after, id order. */
int user_list(struct db *db, const struct org *scope, int64_t after, int limit,
	      int (*fn)(const struct user *u, void *ud), void *ud) WARN_UNUSED;

/* password_check validates a new password (length 8..256, UTF-8). */
int password_check(const char *pw, struct verr *e) WARN_UNUSED;

/* password_hash writes the argon2id hash string of pw into out (>= 128 bytes). */
int password_hash(const char *pw, char *out, size_t outlen) WARN_UNUSED;

/* password_verify reports whether pw matches hash. Takes the same time for a NULL hash. */
bool password_verify(const char *hash, const char *pw);

/* --- who acts: the signed-in user and how they came in --- */

enum auth_via { AUTH_NONE = 0, AUTH_COOKIE, AUTH_BEARER, AUTH_SYSTEM };

struct actor {
	enum auth_via via;
	struct user user; /* id 0 for the command line's system actor */
	struct org org;
	enum role role;
	char csrf[65];	    /* for cookie sign-ins */
	int64_t session_id; /* the auth_session row of a cookie sign-in, 0 otherwise */
	const char *address;
};

/* What a caller asks to do with an object, for the per-resource X_authorize functions of
 * the model (session_authorize, topic_authorize, output_authorize...). READ: see it;
 * WRITE: change it (edit, record, transition); a resource may define more specific needs
 * in its own header and map them to these. */
enum authz_op {
	AUTHZ_READ = 0,
	AUTHZ_WRITE = 1,
	AUTHZ_MANAGE = 2 /* administer it: an account's role and body, a body's own record */
};

/* authz_decide is the one answer to "may this caller do this to that object", given what
 * the resource's own rule found: visible (the caller may know the object exists and read
 * it) and allowed (the caller may do the action asked for). Every X_authorize of the model
 * ends here, so the API and the pages answer the same situation the same way:
 *   allowed                       -> ERR_OK
 *   anonymous, not allowed        -> ERR_AUTH      (sign in first; 401 / sign-in page)
 *   signed in, not visible        -> ERR_NOT_FOUND (as if it did not exist; 404)
 *   signed in, visible, not allowed -> ERR_FORBIDDEN (403) */
int authz_decide(const struct actor *a, bool visible, bool allowed);

/* actor_reads_as_staff: may a read what organizers of its body read (organizers, admins,
 * leaders; the command line). Only for reads: a write asks for ROLE_ORGANIZER. */
bool actor_reads_as_staff(const struct actor *a);

/* actor_system fills a for actions of the command line (audited as user NULL). */
void actor_system(struct actor *a);

/* actor_can_see_org: the actor's own org, anything below it, and its ancestors (for
 * names and structure). actor_can_manage_org: admins, their org and below. */
bool actor_can_see_org(const struct actor *a, const struct org *o);
bool actor_can_manage_org(const struct actor *a, const struct org *o);

/* --- the per-kind authorization of bodies and accounts --- */

/* org_authorize loads org id into *o (may be NULL) and decides whether a may do op to it:
 * visible (actor_can_see_org: the actor's own body, those below it and those above it);
 * READ allowed when visible; WRITE and MANAGE allowed when actor_can_manage_org (admins,
 * their body and those below). Returns what authz_decide returns, or ERR_NOT_FOUND when
 * there is no such org (id 0 included). */
int org_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		  struct org *o) WARN_UNUSED;

/* user_authorize loads account id into *u and its body into *o (either may be NULL) and
 * decides whether a may do op to it. Visible: one's own account, and the accounts of one's
 * body and those below it. READ and WRITE allowed for one's own account (WRITE: the
 * display name and the password; which fields is the caller's to check) and for its
 * manager (an admin whose subtree holds the account's body, actor_can_manage_org); MANAGE
 * (role, body, disabled, handling unit) for its manager only. Returns what authz_decide
 * returns, or ERR_NOT_FOUND when there is no such account (id 0 included). */
int user_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		   struct user *u, struct org *o) WARN_UNUSED;

/* --- sign-in (auth.c) --- */

struct auth_limits {
	int session_ttl_s;
};

extern struct auth_limits auth_limits;

/* auth_login checks username and password. On success fills *u and audits "login.ok";
 * ERR_AUTH for wrong credentials or a disabled account, audited "login.failed" (with the
 * username tried). address is the client's, recorded in the audit row. Runs its own write
 * transaction. Throttling guesses is the caller's (web/auth.c), before calling this. */
int auth_login(struct db *db, const char *username, const char *password, const char *address,
	       struct user *u) WARN_UNUSED;

/* auth_session_create starts a browser sign-in for user_id: token gets the cookie value
 * (64 hex), csrf the form token. Only the token's hash is stored. */
int auth_session_create(struct db *db, int64_t user_id, char token[65], char csrf[65]) WARN_UNUSED;

/* auth_session_find fills a from a cookie token; ERR_AUTH when unknown, expired or the
 * user is disabled. */
int auth_session_find(struct db *db, const char *token, struct actor *a) WARN_UNUSED;

/* auth_session_delete ends the sign-in with that token (no error if none). */
int auth_session_delete(struct db *db, const char *token) WARN_UNUSED;

/* auth_sessions_end ends every browser sign-in of account user_id but session keep (0: all
 * of them) and sets *ended (may be NULL) to how many. In the caller's transaction. */
int auth_sessions_end(struct db *db, int64_t user_id, int64_t keep, int *ended) WARN_UNUSED;

/* auth_session_end_others ends every browser sign-in of a's account but the one a is
 * calling from (a cookie sign-in; a bearer caller keeps none), sets *ended to how many,
 * and audits "logout.everywhere". API bearer tokens are not touched. In the caller's
 * transaction. ERR_AUTH for an anonymous or system actor. */
int auth_session_end_others(struct db *db, const struct actor *a, int *ended) WARN_UNUSED;

/* auth_token_create makes an API bearer token for user_id (shown once, hash stored). */
int auth_token_create(struct db *db, int64_t user_id, char token[65]) WARN_UNUSED;

/* auth_token_find fills a from a bearer token; ERR_AUTH when unknown or revoked. */
int auth_token_find(struct db *db, const char *token, struct actor *a) WARN_UNUSED;

/* --- the audit log (audit.c) --- */

/* audit_write records that who did action to entity #id, with before/after (either may be
 * NULL; borrowed). The row is chained to the one before it (see audit.c): call it inside the
 * caller's write transaction (store_begin / web_begin), which is what keeps two writers from
 * chaining onto the same row; outside one, a race is refused (ERR_CONFLICT), never forked. */
int audit_write(struct db *db, const struct actor *who, int64_t org_id, const char *action,
		const char *entity, int64_t id, const json_t *before,
		const json_t *after) WARN_UNUSED;

/* audit_seal gives the rows written before the chain existed (hash NULL) their hashes, in
 * the order of their ids, in one write transaction of its own (call it outside any). Rows
 * are sealed only while no row has a hash yet: an unsealed row after a sealed one is
 * tampering, left for audit_verify to report. *sealed (may be NULL) gets the count. */
int audit_seal(struct db *db, int64_t *sealed) WARN_UNUSED;

/* What audit_verify found wrong first. */
enum audit_fault {
	AUDIT_INTACT = 0,
	AUDIT_CONTENT_CHANGED, /* the row's fields do not give its hash */
	AUDIT_LINK_BROKEN,     /* its prev_hash is not the hash of the row before it */
	AUDIT_ROW_MISSING,     /* ids jump: the row(s) before it are gone */
	AUDIT_NOT_SEALED,      /* a row without a hash after the chain began */
	AUDIT_ANCHOR_LOST,     /* the anchored row is gone: the newest rows were removed */
	AUDIT_ANCHOR_CHANGED   /* the anchored row has another hash: the chain was rewritten */
};

/* What audit_verify reports: rows walked, the first fault and the row it is in (for
 * AUDIT_ROW_MISSING: bad_id is the first row after the gap, missing_id the first id gone),
 * and the last row's id and hash (the chain's head, worth writing down elsewhere: deleting
 * the newest rows and nothing else can only be seen against a head kept outside). */
struct audit_check {
	int64_t rows;
	int64_t redacted; /* before/after JSON erased by audit_redact (recorded, so sound) */
	enum audit_fault fault;
	int64_t bad_id, missing_id;
	int64_t head_id;
	char head_hash[65];
};

/* audit_verify walks the whole audit chain of db in one read transaction and fills out.
 * With an anchor (anchor_id > 0: a row's id and hash written down earlier, e.g. a head
 * printed by a past verify) the chain must also still hold that row with that hash, which
 * is what shows the newest rows removed or the whole tail rewritten. ERR_OK when the walk
 * ran (out->fault says whether the chain holds); ERR_INVALID when db is not a shenliao
 * database or has no chain (the schema older than the chain: open it with this shenliao
 * once, which migrates and seals it); ERR_DB when it cannot be read. Never writes. */
int audit_verify(struct db *db, int64_t anchor_id, const char *anchor_hash,
		 struct audit_check *out) WARN_UNUSED;

/* audit_redact erases the before and after (the JSON, which may hold personal data) of
 * every row about entity #entity_id, keeping their SHA-256 so that the chain still holds:
 * first it writes a row "audit.redact" for the entity (after: rows erased, reason), which
 * the database requires before it lets the JSON go (see migration 0009) and audit_verify
 * before it accepts a row without it. For erasure of a person (PIPL): call it for each
 * entity whose rows name them, in the erasure's write transaction. *rows (may be NULL)
 * gets the rows erased. */
int audit_redact(struct db *db, const struct actor *who, int64_t org_id, const char *entity,
		 int64_t entity_id, const char *reason, int64_t *rows) WARN_UNUSED;

/* audit_fault_name: "content_changed", "link_broken", "row_missing", "not_sealed", "intact". */
const char *audit_fault_name(enum audit_fault f);

/* audit_sha256_hex writes the SHA-256 of p[0..n) as 64 lower-case hex digits into out. */
void audit_sha256_hex(const void *p, size_t n, char out[65]);

/* A file read by an import, as the audit log records it. */
struct audit_file {
	const char *name; /* as the user named it (NULL: not named, e.g. pasted text) */
	char sha256[65];  /* of its bytes, hex (audit_sha256_hex) */
	int64_t bytes;
};

/* audit_import records an import by who into org_id (action e.g. "people.import", or
 * "people.import_refused" for one refused as a whole): the files with their SHA-256 and
 * size, the rows added and refused, and extra (borrowed, may be NULL: more members for the
 * record, e.g. the counts of each kind). In the caller's write transaction. */
int audit_import(struct db *db, const struct actor *who, int64_t org_id, const char *action,
		 const char *entity, int64_t entity_id, const struct audit_file *files,
		 size_t nfiles, int64_t added, int64_t refused, const json_t *extra) WARN_UNUSED;

/* audit_export records that who downloaded personal data: action e.g. "people.export", the
 * file name handed out, its format ("csv", "xlsx", "pdf"), how many rows it holds (-1 when
 * rows mean nothing, a PDF), and extra (borrowed, may be NULL: the filter used). Opens and
 * commits its own write transaction (an export is a read: call it outside any) and should
 * answer before the data goes out: what cannot be recorded is not handed out. */
int audit_export(struct db *db, const struct actor *who, int64_t org_id, const char *action,
		 const char *entity, int64_t entity_id, const char *file, const char *format,
		 int64_t rows, const json_t *extra) WARN_UNUSED;

/* One row of the audit log as the audit page shows it. */
struct audit_entry {
	int64_t id;
	int64_t at;
	char user[64];	   /* the username, "" for the command line or a failed sign-in */
	char action[64];   /* "person.create" */
	char entity[32];   /* "person" */
	int64_t entity_id; /* 0 when none */
	char address[64];  /* the client's address, "" when none */
	char org[512];	   /* the body's name, "" when none */
};

/* audit_list calls fn for the entries a may see with id < before (INT64_MAX: from the
 * newest), newest first, up to limit: those of the actor's body and the bodies below it,
 * and, for the admins of a root body, the entries of no body (failed sign-ins). Stops at
 * fn's first non-zero result and returns it. Authorization (admins only) is the caller's. */
int audit_list(struct db *db, const struct actor *a, int64_t before, int limit,
	       int (*fn)(const struct audit_entry *e, void *ud), void *ud) WARN_UNUSED;

#endif
