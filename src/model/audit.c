/*
 * audit.c - the audit log: one row for every change, in the transaction of the change,
 * each row sealed into a hash chain so that a change made to the log afterwards shows.
 *
 * The chain. Every row holds prev_hash, the hash of the row before it (64 zeros for the
 * first), and hash = SHA-256(prev_hash as 32 bytes || "shenliao-audit-1" || the ten
 * fields id, at, user_id, org_id, action, entity, entity_id, before_sha256, after_sha256,
 * address, in that order), each field encoded as one byte of type and its value: 0x00 for
 * NULL; 0x01 and 8 bytes big-endian for an integer; 0x02, the length as 8 bytes big-endian
 * and the bytes for a text. Anything else SQLite may hold (a real, a blob: only a hand
 * could have put one there) is 0x03 or 0x04 with its bytes as text, so it never gives the
 * hash a writer made. before_sha256 and after_sha256 are the SHA-256 of before_json and
 * after_json (NULL with them): the chain covers the JSON through them. All hashes are
 * stored as lower-case hex.
 *
 * Erasure. Personal data in a row's before and after can be erased (PIPL) without breaking
 * the chain: audit_redact writes a row "audit.redact" naming the entity, then sets the JSON
 * of its earlier rows to NULL, keeping their SHA-256. The trigger allows that change and no
 * other, and only with such a row after; audit_verify accepts a row without its JSON only
 * then, and counts it.
 *
 * No forks. audit_write reads the newest row and inserts the next with id = its id + 1,
 * both in the caller's write transaction. In SQLite that transaction (BEGIN IMMEDIATE)
 * serialises writers; in a database that lets two transactions read the same newest row
 * (PostgreSQL, read committed) the second insert meets the first's primary key and fails
 * (ERR_CONFLICT) instead of chaining beside it. Ids without gaps are what lets
 * audit_verify tell a missing row from a changed one.
 *
 * Triggers (migration 0009) refuse UPDATE and DELETE on the table. Someone who can drop
 * them can also rewrite the whole tail of the chain with fresh hashes (there is no secret):
 * the chain proves the log against the head hash last written down somewhere else
 * (`shenliao audit verify` prints it), and shows any change that did not rewrite the rest.
 */
#include "model.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "db/db.h"

static const char audit_domain[] = "shenliao-audit-1";
static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* One row's fields as they are stored (NULL where the column is NULL). */
enum { AUDIT_NFIELDS = 10 };
struct audit_field {
	char type;     /* 'n' NULL, 'i' integer, 't' text, 'r' real, 'b' blob */
	int64_t i;     /* 'i' */
	const char *p; /* the others */
	size_t n;
};

static void put_be64(unsigned char out[8], uint64_t v)
{
	int k;

	for (k = 7; k >= 0; k--) {
		out[k] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

/* hex_to_bin reads 64 hex digits into out[32]; ERR_INVALID when hex is not that. */
static int hex_to_bin(const char *hex, unsigned char out[32])
{
	size_t bin_len = 0;

	if (!hex || strlen(hex) != 64 ||
	    sodium_hex2bin(out, 32, hex, 64, NULL, &bin_len, NULL) != 0 || bin_len != 32)
		return ERR_INVALID;
	return ERR_OK;
}

/* row_hash computes the hash (hex) of the row f[] chained to prev (hex). ERR_INVALID when
 * prev is not a hash. */
static int row_hash(const char *prev, const struct audit_field f[AUDIT_NFIELDS], char out[65])
{
	crypto_hash_sha256_state h;
	unsigned char bin[32], len[8], tag;
	size_t k;

	if (hex_to_bin(prev, bin))
		return ERR_INVALID;
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, bin, sizeof(bin));
	crypto_hash_sha256_update(&h, (const unsigned char *)audit_domain,
				  sizeof(audit_domain) - 1);
	for (k = 0; k < AUDIT_NFIELDS; k++) {
		switch (f[k].type) {
		case 'n':
			tag = 0;
			crypto_hash_sha256_update(&h, &tag, 1);
			break;
		case 'i':
			tag = 1;
			put_be64(len, (uint64_t)f[k].i);
			crypto_hash_sha256_update(&h, &tag, 1);
			crypto_hash_sha256_update(&h, len, 8);
			break;
		default:
			tag = f[k].type == 't' ? 2 : f[k].type == 'r' ? 3 : 4;
			put_be64(len, (uint64_t)f[k].n);
			crypto_hash_sha256_update(&h, &tag, 1);
			crypto_hash_sha256_update(&h, len, 8);
			crypto_hash_sha256_update(&h, (const unsigned char *)f[k].p, f[k].n);
		}
	}
	crypto_hash_sha256_final(&h, bin);
	sodium_bin2hex(out, 65, bin, sizeof(bin));
	return ERR_OK;
}

static struct audit_field f_int(int64_t v)
{
	struct audit_field f = {'i', v, NULL, 0};

	return f;
}

/* f_id is an id column written with NULLIF(CAST(? AS BIGINT), 0): NULL for 0. */
static struct audit_field f_id(int64_t v)
{
	struct audit_field f = {v ? 'i' : 'n', v, NULL, 0};

	return f;
}

static struct audit_field f_text(const char *s)
{
	struct audit_field f = {s ? 't' : 'n', 0, s, s ? strlen(s) : 0};

	return f;
}

void audit_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char bin[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(bin, (const unsigned char *)p, n);
	sodium_bin2hex(out, 65, bin, sizeof(bin));
}

const char *audit_fault_name(enum audit_fault f)
{
	switch (f) {
	case AUDIT_INTACT:
		return "intact";
	case AUDIT_CONTENT_CHANGED:
		return "content_changed";
	case AUDIT_LINK_BROKEN:
		return "link_broken";
	case AUDIT_ROW_MISSING:
		return "row_missing";
	case AUDIT_NOT_SEALED:
		return "not_sealed";
	case AUDIT_ANCHOR_LOST:
		return "anchor_lost";
	case AUDIT_ANCHOR_CHANGED:
		return "anchor_changed";
	}
	return "unknown";
}

/* --- the fields of a stored row, read back --- */

/* The columns in hashing order, then the chain, the type of each column, and the JSON. */
#define AUDIT_COLS                                                                                 \
	"id, at, user_id, org_id, action, entity, entity_id, before_sha256, after_sha256,"         \
	" address, prev_hash, hash, typeof(id), typeof(at), typeof(user_id), typeof(org_id),"      \
	" typeof(action), typeof(entity), typeof(entity_id), typeof(before_sha256),"               \
	" typeof(after_sha256), typeof(address), before_json, after_json"
enum { COL_PREV = 10, COL_HASH = 11, COL_TYPES = 12, COL_BEFORE = 22, COL_AFTER = 23 };

/* stored_fields reads the ten fields of the row st stands on (columns as AUDIT_COLS);
 * valid until st moves. */
static void stored_fields(struct db_stmt *st, struct audit_field f[AUDIT_NFIELDS])
{
	size_t k;

	for (k = 0; k < AUDIT_NFIELDS; k++) {
		const char *type = db_col_text(st, COL_TYPES + (int)k);

		memset(&f[k], 0, sizeof(f[k]));
		if (strcmp(type, "null") == 0) {
			f[k].type = 'n';
		} else if (strcmp(type, "integer") == 0) {
			f[k].type = 'i';
			f[k].i = db_col_int(st, (int)k);
		} else {
			f[k].type = strcmp(type, "text") == 0	? 't'
				    : strcmp(type, "real") == 0 ? 'r'
								: 'b';
			f[k].p = db_col_text(st, (int)k);
			f[k].n = db_col_len(st, (int)k);
		}
	}
}

/* --- writing --- */

static const char sql_head[] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1";
static const char sql_insert[] =
    "INSERT INTO audit (id, at, user_id, org_id, action, entity, entity_id, before_json,"
    " after_json, address, prev_hash, hash, before_sha256, after_sha256) VALUES (?, ?,"
    " NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?, NULLIF(CAST(? AS BIGINT), "
    "0), ?, ?, ?, ?, ?, ?, ?)";

/* json_digest writes the SHA-256 of text (hex) into out and returns out; NULL for NULL. */
static const char *json_digest(const char *text, char out[65])
{
	if (!text)
		return NULL;
	audit_sha256_hex(text, strlen(text), out);
	return out;
}

/* chain_head reads the newest row's id (0 when none) and hash (zeros when none; "" when
 * that row has none). */
static int chain_head(struct db *db, int64_t *id, char hash[65])
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_head, &st, NULL);

	if (rc == ERR_NOT_FOUND) {
		*id = 0;
		memcpy(hash, zero_hash, 65);
		return ERR_OK;
	}
	if (rc)
		return rc;
	*id = db_col_int(st, 0);
	snprintf(hash, 65, "%s", db_col_text(st, 1));
	db_done(st);
	return ERR_OK;
}

static int seal_rows(struct db *db, int64_t *sealed);

int audit_write(struct db *db, const struct actor *who, int64_t org_id, const char *action,
		const char *entity, int64_t id, const json_t *before, const json_t *after)
{
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	const char *address = who ? who->address : NULL;
	int64_t user_id = who ? who->user.id : 0, at = time_now(), last;
	struct audit_field f[AUDIT_NFIELDS];
	char prev[65], hash[65], bd[65], ad[65];
	const char *bsum = json_digest(b, bd), *asum = json_digest(a, ad);
	int rc;

	rc = chain_head(db, &last, prev);
	if (!rc && !prev[0]) {
		/* rows from before the chain that no start has sealed yet (a database migrated
		 * by db_migrate alone): seal them in this transaction, then chain on */
		rc = seal_rows(db, NULL);
		if (!rc)
			rc = chain_head(db, &last, prev);
		if (!rc && !prev[0]) /* an unsealed row after sealed ones: verify reports it */
			memcpy(prev, zero_hash, 65);
	}
	if (!rc) {
		f[0] = f_int(last + 1);
		f[1] = f_int(at);
		f[2] = f_id(user_id);
		f[3] = f_id(org_id);
		f[4] = f_text(action);
		f[5] = f_text(entity);
		f[6] = f_id(id);
		f[7] = f_text(bsum);
		f[8] = f_text(asum);
		f[9] = f_text(address);
		rc = row_hash(prev, f, hash);
	}
	if (!rc)
		rc = db_exec(db, sql_insert, "iiiississsssss", last + 1, at, user_id, org_id,
			     action, entity, id, b, a, address, prev, hash, bsum, asum);
	free(b);
	free(a);
	return rc;
}

/* --- sealing the rows from before the chain --- */

static const char sql_any_sealed[] = "SELECT 1 FROM audit WHERE hash IS NOT NULL LIMIT 1";
static const char sql_next_unsealed[] = "SELECT " AUDIT_COLS " FROM audit"
					" WHERE id > ? AND hash IS NULL ORDER BY id LIMIT 1";
static const char sql_seal[] = "UPDATE audit SET prev_hash = ?, hash = ?, before_sha256 = ?,"
			       " after_sha256 = ? WHERE id = ?";

/* seal_digest is the SHA-256 (hex, into out) of the JSON in column col of the row at st,
 * or the digest stored in column sum when the JSON is gone; NULL when neither is there. */
static const char *seal_digest(struct db_stmt *st, int col, int sum, char out[65])
{
	if (!db_col_null(st, col))
		return json_digest(db_col_text(st, col), out);
	if (db_col_null(st, sum))
		return NULL;
	snprintf(out, 65, "%s", db_col_text(st, sum));
	return out;
}

/* seal_rows seals every row without a hash, oldest first, in the caller's transaction,
 * when no row has one yet (see audit_seal). */
static int seal_rows(struct db *db, int64_t *sealed)
{
	struct audit_field f[AUDIT_NFIELDS];
	struct db_stmt *st;
	char prev[65], hash[65], bd[65], ad[65];
	const char *bsum, *asum;
	int64_t any, after = INT64_MIN, id, n = 0;
	int rc = db_get_int(db, sql_any_sealed, &any, NULL);

	if (sealed)
		*sealed = 0;
	if (rc == ERR_OK)
		return ERR_OK; /* the chain exists: nothing of the past is left to seal */
	if (rc != ERR_NOT_FOUND)
		return rc;
	memcpy(prev, zero_hash, 65);
	for (;;) {
		rc = db_get_row(db, sql_next_unsealed, &st, "i", after);
		if (rc == ERR_NOT_FOUND)
			break;
		if (rc)
			return rc;
		id = db_col_int(st, 0);
		stored_fields(st, f);
		/* (a digest already there stands for JSON erased: keep it) */
		bsum = seal_digest(st, COL_BEFORE, 7, bd);
		asum = seal_digest(st, COL_AFTER, 8, ad);
		f[7] = f_text(bsum);
		f[8] = f_text(asum);
		rc = row_hash(prev, f, hash);
		db_done(st);
		if (!rc)
			rc = db_exec(db, sql_seal, "ssssi", prev, hash, bsum, asum, id);
		if (rc)
			return rc;
		memcpy(prev, hash, 65);
		after = id;
		n++;
	}
	if (sealed)
		*sealed = n;
	if (n)
		log_info("audit: sealed %lld rows from before the chain", (long long)n);
	return ERR_OK;
}

int audit_seal(struct db *db, int64_t *sealed)
{
	int rc = db_begin_write(db);

	if (rc)
		return rc;
	rc = seal_rows(db, sealed);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

/* --- verifying --- */

static const char sql_is_ours[] =
    "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table'"
    " AND name IN ('schema_migrations', 'audit', 'org', 'users')),"
    " (SELECT count(*) FROM pragma_table_info('audit')"
    " WHERE name IN ('prev_hash', 'hash', 'before_sha256', 'after_sha256'))";
/* the same question of PostgreSQL's catalog */
static const char sql_is_ours_pg[] =
    "SELECT (SELECT count(*) FROM information_schema.tables"
    " WHERE table_schema = current_schema()"
    " AND table_name IN ('schema_migrations', 'audit', 'org', 'users')),"
    " (SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema()"
    " AND table_name = 'audit'"
    " AND column_name IN ('prev_hash', 'hash', 'before_sha256', 'after_sha256'))";
static const char sql_walk[] = "SELECT " AUDIT_COLS " FROM audit ORDER BY id";

struct walk {
	struct db *db;
	struct audit_check *out;
	int64_t anchor_id;
	char anchor_hash[65];
	int64_t prev_id;
	char prev_hash[65];
};

enum { WALK_STOP = 1 };

static const char sql_redacted[] = "SELECT 1 FROM audit WHERE action = 'audit.redact'"
				   " AND entity = ? AND entity_id = ? AND id > ? LIMIT 1";

/* json_matches checks the JSON in column col of the row at st against its SHA-256 in column
 * sum: 0 when it matches, or when it was erased and a later "audit.redact" row records that
 * (out->redacted counts such JSON); 1 when it does not; an error code when the check cannot
 * be made. */
static int json_matches(struct db *db, struct db_stmt *st, int col, int sum,
			struct audit_check *out)
{
	char have[65];
	int64_t one;
	int rc;

	if (!db_col_null(st, col)) {
		if (db_col_null(st, sum))
			return 1;
		audit_sha256_hex(db_col_text(st, col), db_col_len(st, col), have);
		return strcmp(have, db_col_text(st, sum)) != 0;
	}
	if (db_col_null(st, sum))
		return 0;
	rc = db_get_int(db, sql_redacted, &one, "sii", db_col_text(st, 5), db_col_int(st, 6),
			db_col_int(st, 0));
	if (rc == ERR_NOT_FOUND)
		return 1; /* erased without a record */
	if (rc)
		return rc;
	out->redacted++;
	return 0;
}

static int walk_row(struct db_stmt *st, void *ud)
{
	struct walk *w = ud;
	struct audit_check *out = w->out;
	struct audit_field f[AUDIT_NFIELDS];
	int64_t id = db_col_int(st, 0);
	const char *prev = db_col_text(st, COL_PREV), *hash = db_col_text(st, COL_HASH);
	char want[65];
	int rc;

	out->rows++;
	out->bad_id = id;
	if (db_col_null(st, COL_HASH)) {
		out->fault = AUDIT_NOT_SEALED;
		return WALK_STOP;
	}
	if (id != w->prev_id + 1) {
		out->fault = AUDIT_ROW_MISSING;
		out->missing_id = w->prev_id + 1;
		return WALK_STOP;
	}
	if (strcmp(prev, w->prev_hash) != 0) {
		out->fault = AUDIT_LINK_BROKEN;
		return WALK_STOP;
	}
	stored_fields(st, f);
	if (row_hash(prev, f, want) || strcmp(want, hash) != 0) {
		out->fault = AUDIT_CONTENT_CHANGED;
		return WALK_STOP;
	}
	rc = json_matches(w->db, st, COL_BEFORE, 7, out);
	if (!rc)
		rc = json_matches(w->db, st, COL_AFTER, 8, out);
	if (rc) {
		out->fault = AUDIT_CONTENT_CHANGED;
		return rc < 0 ? rc : WALK_STOP;
	}
	if (id == w->anchor_id && strcmp(hash, w->anchor_hash) != 0) {
		out->fault = AUDIT_ANCHOR_CHANGED;
		return WALK_STOP;
	}
	w->prev_id = id;
	snprintf(w->prev_hash, sizeof(w->prev_hash), "%s", hash);
	out->bad_id = 0;
	return ERR_OK;
}

int audit_verify(struct db *db, int64_t anchor_id, const char *anchor_hash, struct audit_check *out)
{
	struct walk w;
	struct db_stmt *st;
	int64_t tables, cols;
	int rc;

	memset(&w, 0, sizeof(w));
	w.anchor_id = anchor_id;
	snprintf(w.anchor_hash, sizeof(w.anchor_hash), "%s", anchor_hash ? anchor_hash : "");
	memset(out, 0, sizeof(*out)); /* (after the copy: the anchor may be out's own head) */
	w.db = db;
	w.out = out;
	memcpy(w.prev_hash, zero_hash, 65);
	rc = db_begin_read(db);
	if (rc)
		return rc;
	rc =
	    db_get_row(db, db_dialect(db) == DB_POSTGRES ? sql_is_ours_pg : sql_is_ours, &st, NULL);
	if (rc) {
		db_rollback(db);
		return rc == ERR_NOT_FOUND ? ERR_INVALID : rc;
	}
	tables = db_col_int(st, 0);
	cols = db_col_int(st, 1);
	db_done(st);
	if (tables != 4 || cols != 4) {
		db_rollback(db);
		return ERR_INVALID;
	}
	rc = db_each(db, sql_walk, walk_row, &w, NULL);
	db_rollback(db); /* (a read: nothing to keep) */
	if (rc && rc != WALK_STOP)
		return rc;
	if (rc == WALK_STOP)
		out->rows--; /* the faulty row is named, not counted as sound */
	out->head_id = w.prev_id;
	memcpy(out->head_hash, w.prev_hash, 65);
	if (!rc && anchor_id > w.prev_id) {
		out->fault = AUDIT_ANCHOR_LOST;
		out->bad_id = anchor_id;
	}
	return ERR_OK;
}

/* --- imports and exports --- */

int audit_import(struct db *db, const struct actor *who, int64_t org_id, const char *action,
		 const char *entity, int64_t entity_id, const struct audit_file *files,
		 size_t nfiles, int64_t added, int64_t refused, const json_t *extra)
{
	json_t *rec = json_pack("{s:[], s:I, s:I}", "files", "rows_added", (json_int_t)added,
				"rows_refused", (json_int_t)refused);
	json_t *list = rec ? json_object_get(rec, "files") : NULL;
	size_t i;
	int rc;

	if (!rec)
		return ERR_NOMEM;
	for (i = 0; i < nfiles; i++) {
		json_t *one = json_pack("{s:s?, s:s, s:I}", "name", files[i].name, "sha256",
					files[i].sha256, "bytes", (json_int_t)files[i].bytes);

		if (!one || json_array_append_new(list, one)) {
			json_decref(rec);
			return ERR_NOMEM;
		}
	}
	if (extra && json_object_update_missing(rec, (json_t *)extra)) {
		json_decref(rec);
		return ERR_NOMEM;
	}
	rc = audit_write(db, who, org_id, action, entity, entity_id, NULL, rec);
	json_decref(rec);
	return rc;
}

int audit_export(struct db *db, const struct actor *who, int64_t org_id, const char *action,
		 const char *entity, int64_t entity_id, const char *file, const char *format,
		 int64_t rows, const json_t *extra)
{
	json_t *rec = json_pack("{s:s?, s:s}", "file", file, "format", format);
	int rc;

	if (!rec)
		return ERR_NOMEM;
	if ((rows >= 0 && json_object_set_new(rec, "rows", json_integer(rows))) ||
	    (extra && json_object_update_missing(rec, (json_t *)extra))) {
		json_decref(rec);
		return ERR_NOMEM;
	}
	rc = db_begin_write(db);
	if (!rc)
		rc = audit_write(db, who, org_id, action, entity, entity_id, NULL, rec);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	json_decref(rec);
	return rc;
}

static const char sql_list[] =
    "SELECT a.id, a.at, COALESCE(u.username, ''), a.action, a.entity,"
    " COALESCE(a.entity_id, 0), COALESCE(a.address, ''), COALESCE(o.name, '')"
    " FROM audit a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN org o ON o.id = a.org_id"
    " WHERE a.id < ?1 AND (o.id IS NULL AND ?3 != 0 OR substr(o.path, 1, length(?2)) = ?2)"
    " ORDER BY a.id DESC LIMIT ?4";

struct audit_each {
	int (*fn)(const struct audit_entry *e, void *ud);
	void *ud;
};

static int audit_row(struct db_stmt *st, void *ud)
{
	struct audit_each *k = ud;
	struct audit_entry e;

	memset(&e, 0, sizeof(e));
	e.id = db_col_int(st, 0);
	e.at = db_col_int(st, 1);
	e.entity_id = db_col_int(st, 5);
	/* longer texts are cut: the page shows them, it does not store them */
	snprintf(e.user, sizeof(e.user), "%s", db_col_text(st, 2));
	snprintf(e.action, sizeof(e.action), "%s", db_col_text(st, 3));
	snprintf(e.entity, sizeof(e.entity), "%s", db_col_text(st, 4));
	snprintf(e.address, sizeof(e.address), "%s", db_col_text(st, 6));
	snprintf(e.org, sizeof(e.org), "%s", db_col_text(st, 7));
	return k->fn(&e, k->ud);
}

int audit_list(struct db *db, const struct actor *a, int64_t before, int limit,
	       int (*fn)(const struct audit_entry *e, void *ud), void *ud)
{
	struct audit_each k = {fn, ud};
	/* entries without a body (failed sign-ins) are shown to admins of a root body */
	int root = a->via == AUTH_SYSTEM || (a->org.id && a->org.parent_id == 0);

	if (a->via == AUTH_NONE || !a->org.path[0])
		return ERR_OK;
	return db_each(db, sql_list, audit_row, &k, "isni", before,
		       a->via == AUTH_SYSTEM ? "/" : a->org.path, root, (int64_t)limit);
}

static const char sql_redact_count[] =
    "SELECT count(*) FROM audit WHERE entity = ? AND entity_id = ?"
    " AND (before_json IS NOT NULL OR after_json IS NOT NULL)";
static const char sql_redact_mark[] = "SELECT MAX(id) FROM audit";
static const char sql_redact[] =
    "UPDATE audit SET before_json = NULL, after_json = NULL WHERE entity = ? AND entity_id = ?"
    " AND id < ? AND (before_json IS NOT NULL OR after_json IS NOT NULL)";

int audit_redact(struct db *db, const struct actor *who, int64_t org_id, const char *entity,
		 int64_t entity_id, const char *reason, int64_t *rows)
{
	int64_t n = 0, mark;
	json_t *rec;
	int rc;

	if (rows)
		*rows = 0;
	rc = db_get_int(db, sql_redact_count, &n, "si", entity, entity_id);
	if (rc || n == 0) /* nothing to erase: no record of it either */
		return rc;
	rec = json_pack("{s:I, s:s?}", "rows", (json_int_t)n, "reason", reason);
	rc = rec ? audit_write(db, who, org_id, "audit.redact", entity, entity_id, NULL, rec)
		 : ERR_NOMEM;
	json_decref(rec);
	if (rc)
		return rc;
	/* the row just written is the newest (audit_write gives the id itself, so the driver's
	 * last insert id is not it on PostgreSQL, where that is the identity's sequence) */
	rc = db_get_int(db, sql_redact_mark, &mark, NULL);
	if (!rc)
		rc = db_exec(db, sql_redact, "sii", entity, entity_id, mark);
	if (!rc && rows)
		*rows = n;
	return rc;
}
