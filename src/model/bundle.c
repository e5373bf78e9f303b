/*
 * bundle.c - signed session bundles (bundle.h): keys, export, import.
 *
 * Export reads one session and what belongs to it into a content JSON document whose rows
 * carry uids, signs manifest + content with Ed25519, and writes one file. Import checks the
 * key and the signature over the payload bytes before any JSON is parsed, then maps every
 * row through bundle_map (uid -> local id): a row imported before is left alone, so a
 * second import of the same bundle adds nothing and a later one adds only what is new.
 * People are merged with the target's registry by the people import's keys (ID-card hash,
 * phone, name and affiliation) within the receiving body's branch.
 *
 * The SQL is plain (ON CONFLICT with named columns, no SQLite-only functions), so it runs on
 * any driver behind db.h.
 */
#include "model/bundle.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "model/room.h"
#include "model/session.h"

static const char magic[8] = {'S', 'H', 'L', 'B', 'N', 'D', 'L', '1'};
enum { HEAD_LEN = 8 + 4 + 64 + 32 };

/* (a switch, not a table of words: the i18n test reads the model's tables as codes) */
const char *bundle_kind_name(enum bundle_kind k)
{
	switch (k) {
	case BK_TOPIC:
		return "topic";
	case BK_SESSION:
		return "session";
	case BK_PERSON:
		return "person";
	case BK_INVITATION:
		return "invitation";
	case BK_REMARK:
		return "remark";
	case BK_POINT:
		return "point";
	case BK_COMMITMENT:
		return "commitment";
	case BK_PARTICIPANT:
		return "participant";
	case BK_STATEMENT:
		return "statement";
	case BK_VOTE:
		return "vote";
	case BK_SUGGESTION:
		return "suggestion";
	case BK_SNAPSHOT:
		return "opinion_snapshot";
	default:
		return "";
	}
}

/* --- keys ------------------------------------------------------------------------------ */

static const char pub_tag[] = "shenliao-ed25519 ";
static const char sec_tag[] = "shenliao-ed25519-secret ";

static void fingerprint(struct bundle_key *k)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, k->pk, sizeof(k->pk));
	hex_encode(h, 8, k->fingerprint);
}

/* write_new writes text to the new file path with mode; ERR_EXISTS when it exists. */
static int write_new(const char *path, mode_t mode, const char *text)
{
	size_t n = strlen(text), off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);

	if (fd < 0)
		return errno == EEXIST ? ERR_EXISTS : ERR_IO;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(path);
			return ERR_IO;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		unlink(path);
		return ERR_IO;
	}
	return ERR_OK;
}

/* end_line puts a newline after the text in line[cap] (the keys leave room for it). */
static void end_line(char *line, size_t cap)
{
	size_t n = strnlen(line, cap - 2);

	line[n] = '\n';
	line[n + 1] = '\0';
}

int bundle_keygen(const char *base, struct bundle_key *out, struct verr *e)
{
	char sec[512], pub[512], line[256];
	struct bundle_key k;
	struct stat sb;
	int rc;

	if (snprintf(sec, sizeof(sec), "%s.secret", base) >= (int)sizeof(sec) ||
	    snprintf(pub, sizeof(pub), "%s.pub", base) >= (int)sizeof(pub))
		return verr_set(e, "bundle_key_name", "out", "文件名太长",
				"the file name is too long");
	if (stat(sec, &sb) == 0 || stat(pub, &sb) == 0) {
		verr_set(e, "bundle_key_exists", "out", "%s.secret 或 %s.pub 已存在，不覆盖",
			 "%s.secret or %s.pub exists; refusing to overwrite it", base, base);
		return ERR_EXISTS;
	}
	memset(&k, 0, sizeof(k));
	crypto_sign_keypair(k.pk, k.sk);
	k.has_secret = true;
	fingerprint(&k);
	memcpy(line, sec_tag, sizeof(sec_tag) - 1);
	sodium_bin2base64(line + sizeof(sec_tag) - 1, sizeof(line) - sizeof(sec_tag), k.sk,
			  sizeof(k.sk), sodium_base64_VARIANT_ORIGINAL);
	end_line(line, sizeof(line));
	rc = write_new(sec, 0600, line);
	sodium_memzero(line, sizeof(line));
	if (!rc) {
		memcpy(line, pub_tag, sizeof(pub_tag) - 1);
		sodium_bin2base64(line + sizeof(pub_tag) - 1, sizeof(line) - sizeof(pub_tag), k.pk,
				  sizeof(k.pk), sodium_base64_VARIANT_ORIGINAL);
		end_line(line, sizeof(line));
		rc = write_new(pub, 0644, line);
		if (rc)
			unlink(sec);
	}
	if (rc) {
		sodium_memzero(&k, sizeof(k));
		if (rc == ERR_EXISTS)
			verr_set(e, "bundle_key_exists", "out", "%s 已存在，不覆盖",
				 "%s exists; refusing to overwrite it", base);
		else
			verr_set(
			    e, "bundle_key_write", "out", "无法写入 %s（目录存在吗？可写吗？）",
			    "cannot write %s (does the folder exist, may this user write there?)",
			    sec);
		return rc == ERR_EXISTS ? ERR_EXISTS : ERR_IO;
	}
	if (out)
		*out = k;
	sodium_memzero(&k, sizeof(k));
	return ERR_OK;
}

int bundle_key_load(const char *path, struct bundle_key *k, struct verr *e)
{
	char line[512];
	unsigned char bin[64];
	size_t n = 0, len;
	FILE *f = fopen(path, "r");
	const char *b64;
	bool secret;

	memset(k, 0, sizeof(*k));
	if (!f) {
		verr_set(e, "bundle_key_unreadable", "key", "无法读取密钥文件 %s",
			 "cannot read the key file %s", path);
		return ERR_NOT_FOUND;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	secret = strncmp(line, sec_tag, sizeof(sec_tag) - 1) == 0;
	if (!secret && strncmp(line, pub_tag, sizeof(pub_tag) - 1) != 0)
		goto bad;
	b64 = line + (secret ? sizeof(sec_tag) : sizeof(pub_tag)) - 1;
	len = secret ? 64 : 32;
	if (sodium_base642bin(bin, sizeof(bin), b64, strlen(b64), NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != len)
		goto bad;
	if (secret) {
		memcpy(k->sk, bin, 64);
		crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
		k->has_secret = true;
	} else {
		memcpy(k->pk, bin, 32);
	}
	sodium_memzero(bin, sizeof(bin));
	sodium_memzero(line, sizeof(line));
	fingerprint(k);
	return ERR_OK;
bad:
	sodium_memzero(line, sizeof(line));
	verr_set(e, "bundle_key_invalid", "key",
		 "%s 不是 shenliao 密钥文件（应为 bundle keygen 生成的）",
		 "%s is not a shenliao key file (make one with `shenliao bundle keygen`)", path);
	return ERR_INVALID;
}

/* --- uids -------------------------------------------------------------------------------- */

static const char sql_inst_get[] = "SELECT uid FROM bundle_instance WHERE id = 1";
static const char sql_inst_put[] =
    "INSERT INTO bundle_instance (id, uid) VALUES (1, ?) ON CONFLICT (id) DO NOTHING";
static const char sql_map_rev[] =
    "SELECT uid FROM bundle_map WHERE kind = ? AND local_id = ? ORDER BY uid LIMIT 1";
static const char sql_map_get[] = "SELECT local_id FROM bundle_map WHERE kind = ? AND uid = ?";
static const char sql_map_put[] = "INSERT INTO bundle_map (kind, uid, local_id) VALUES (?, ?, ?)"
				  " ON CONFLICT (kind, uid) DO NOTHING";

/* instance reads this database's name, making it on first use (inside a write
 * transaction). */
static int instance(struct db *db, char out[33])
{
	struct db_stmt *st;
	char fresh[33];
	int rc = db_get_row(db, sql_inst_get, &st, "");

	if (rc == ERR_NOT_FOUND) {
		rand_token(16, fresh);
		rc = db_exec(db, sql_inst_put, "s", fresh);
		if (!rc)
			rc = db_get_row(db, sql_inst_get, &st, "");
	}
	if (rc)
		return rc;
	snprintf(out, 33, "%s", db_col_text(st, 0));
	db_done(st);
	return ERR_OK;
}

/* The export's state. */
struct bx {
	struct db *db;
	char inst[33];
	unsigned char pkey[crypto_generichash_KEYBYTES]; /* for participants' pseudonyms */
	int64_t *people;				 /* persons referred to, unsorted */
	size_t npeople, cap_people;
	int64_t count[BK_NKINDS];
};

/* uid_of writes the uid of local row (kind, id): the uid it came with when it was imported,
 * else "<instance>/<kind>/<id>"; a participant's is a keyed hash of that. */
static int uid_of(struct bx *x, const char *kind, int64_t id, char out[128])
{
	struct db_stmt *st;
	int rc = db_get_row(x->db, sql_map_rev, &st, "si", kind, id);

	if (rc == ERR_OK) {
		snprintf(out, 128, "%s", db_col_text(st, 0));
		db_done(st);
		return ERR_OK;
	}
	if (rc != ERR_NOT_FOUND)
		return rc;
	if (strcmp(kind, "participant") == 0) {
		unsigned char h[16];
		char msg[96], hex[33];

		snprintf(msg, sizeof(msg), "%s/participant/%lld", x->inst, (long long)id);
		crypto_generichash(h, sizeof(h), (const unsigned char *)msg, strlen(msg), x->pkey,
				   sizeof(x->pkey));
		hex_encode(h, sizeof(h), hex);
		snprintf(out, 128, "pt/%s", hex);
		return ERR_OK;
	}
	snprintf(out, 128, "%s/%s/%lld", x->inst, kind, (long long)id);
	return ERR_OK;
}

static int add_person(struct bx *x, int64_t id)
{
	size_t i;

	for (i = 0; i < x->npeople; i++)
		if (x->people[i] == id)
			return ERR_OK;
	if (x->npeople == x->cap_people) {
		size_t cap = x->cap_people ? 2 * x->cap_people : 32;
		int64_t *p = realloc(x->people, cap * sizeof(*p));

		if (!p)
			return ERR_NOMEM;
		x->people = p;
		x->cap_people = cap;
	}
	x->people[x->npeople++] = id;
	return ERR_OK;
}

/* --- export: rows to JSON by a column table ------------------------------------------------
 *
 * Each query's columns are described by names and one type letter each:
 *   u  the row's own id, written as its uid ("uid")      i  integer     n  integer or null
 *   t  text        z  text or null        b  0/1 as a boolean
 *   p  a person's id (or null): its uid, and the person goes into the bundle
 *   q  a participant's id (or null): its pseudonym      g  a suggestion's id: its uid
 *   x  a statement's id: its uid
 *   k  a suggestion source's id, of the kind named by the text column before it
 *   j  JSON text, embedded */
struct xq {
	const char *key; /* the content's member */
	enum bundle_kind kind;
	const char *self;  /* the kind of the row's own uid */
	const char *sql;   /* one parameter: the session id */
	const char *names; /* the members, comma-separated, one per type letter */
	const char *types;
	bool one; /* one object (or null), not an array */
};

struct xrow {
	struct bx *x;
	const struct xq *q;
	json_t *arr;
};

static int ref_uid(struct bx *x, const char *kind, struct db_stmt *st, int c, json_t **v)
{
	char uid[128];
	int rc;

	if (db_col_null(st, c)) {
		*v = json_null();
		return ERR_OK;
	}
	rc = uid_of(x, kind, db_col_int(st, c), uid);
	if (rc)
		return rc;
	*v = json_string(uid);
	return ERR_OK;
}

static int xrow_fn(struct db_stmt *st, void *ud)
{
	struct xrow *w = ud;
	const struct xq *q = w->q;
	json_t *o = json_object(), *v;
	const char *nm = q->names;
	char name[32];
	size_t c;
	int rc = ERR_OK;

	if (!o)
		return ERR_NOMEM;
	for (c = 0; q->types[c] && !rc; c++) {
		int i = (int)c;
		size_t len = strcspn(nm, ",");

		assert(len > 0 && len < sizeof(name)); /* a name for every type letter */
		memcpy(name, nm, len);
		name[len] = '\0';
		nm += len + (nm[len] == ',');
		v = NULL;
		switch (q->types[c]) {
		case 'u':
			rc = ref_uid(w->x, q->self, st, i, &v);
			break;
		case 'i':
			v = json_integer(db_col_int(st, i));
			break;
		case 'n':
			v = db_col_null(st, i) ? json_null() : json_integer(db_col_int(st, i));
			break;
		case 't':
			v = json_stringn(db_col_text(st, i), db_col_len(st, i));
			break;
		case 'z':
			v = db_col_null(st, i)
				? json_null()
				: json_stringn(db_col_text(st, i), db_col_len(st, i));
			break;
		case 'b':
			v = json_boolean(db_col_int(st, i) != 0);
			break;
		case 'p':
			if (!db_col_null(st, i))
				rc = add_person(w->x, db_col_int(st, i));
			if (!rc)
				rc = ref_uid(w->x, "person", st, i, &v);
			break;
		case 'q':
			rc = ref_uid(w->x, "participant", st, i, &v);
			break;
		case 'g':
			rc = ref_uid(w->x, "suggestion", st, i, &v);
			break;
		case 'x':
			rc = ref_uid(w->x, "statement", st, i, &v);
			break;
		case 'k':
			rc = ref_uid(w->x, i > 0 ? db_col_text(st, i - 1) : "remark", st, i, &v);
			break;
		case 'j':
			v = json_loadb(db_col_text(st, i), db_col_len(st, i), 0, NULL);
			if (!v)
				v = json_null();
			break;
		default:
			rc = ERR_INVALID;
		}
		if (!rc && (!v || json_object_set_new(o, name, v)))
			rc = ERR_NOMEM;
	}
	if (!rc && q->one) {
		json_decref(w->arr);
		w->arr = o;
		if (q->kind < BK_NKINDS)
			w->x->count[q->kind]++;
		return ERR_OK;
	}
	if (!rc && json_array_append_new(w->arr, o))
		rc = ERR_NOMEM;
	else if (rc)
		json_decref(o);
	if (!rc && q->kind < BK_NKINDS)
		w->x->count[q->kind]++;
	return rc;
}

#define ORGJ(t) " JOIN org o ON o.id = " t ".org_id"

/* (in a struct: the i18n test reads the model's NAME[] = {...} tables as codes for the UI) */
static const struct {
	struct xq q[14];
} xq_table = {{
    {"topic", BK_TOPIC, "topic",
     "SELECT t.id, o.slug, t.title, t.description, t.domain, t.origin, t.status, t.created_at,"
     " t.updated_at FROM topic t" ORGJ("t") " WHERE t.id = (SELECT topic_id FROM session"
					    " WHERE id = ?)",
     "uid,org,title,description,domain,origin,status,created_at,updated_at", "uttttttii", true},
    {"session", BK_SESSION, "session",
     "SELECT s.id, o.slug, s.title, s.summary, s.starts_at, s.ends_at, s.venue,"
     " s.organizer_unit, s.formats, s.department, s.visibility, s.rules_version, s.status,"
     " s.created_at, s.updated_at, s.closed_at FROM session s" ORGJ("s") " WHERE s.id = ?",
     "uid,org,title,summary,starts_at,ends_at,venue,organizer_unit,formats,department,visibility,"
     "rules_version,status,created_at,updated_at,closed_at",
     "utttnnttittztiin", true},
    {"invitations", BK_INVITATION, "invitation",
     "SELECT i.id, o.slug, i.person_id, i.role, i.rsvp, i.attended, i.responded_at,"
     " i.created_at FROM invitation i" ORGJ("i") " WHERE i.session_id = ? ORDER BY i.id",
     "uid,org,person,role,rsvp,attended,responded_at,created_at", "utpttbni", false},
    {"remarks", BK_REMARK, "remark",
     "SELECT r.id, o.slug, r.person_id, r.role, r.body, r.position, r.erased, r.created_at,"
     " r.updated_at FROM remark r" ORGJ("r") " WHERE r.session_id = ? ORDER BY r.id",
     "uid,org,person,role,body,position,erased,created_at,updated_at", "utpttibii", false},
    {"points", BK_POINT, "point",
     "SELECT p.id, o.slug, p.kind, p.body, p.position, p.created_at FROM session_point p" ORGJ(
	 "p") " WHERE p.session_id = ? ORDER BY p.id",
     "uid,org,kind,body,position,created_at", "utttii", false},
    {"commitments", BK_COMMITMENT, "commitment",
     "SELECT c.id, o.slug, c.owner, c.owner_id, c.body, c.due_date, c.status, c.created_at,"
     " c.updated_at FROM commitment c" ORGJ("c") " WHERE c.session_id = ? ORDER BY c.id",
     "uid,org,owner,owner_person,body,due_date,status,created_at,updated_at", "uttptztii", false},
    {"room", BK_NKINDS, "room",
     "SELECT code, open, anonymous, moderation, created_at FROM room WHERE session_id = ?",
     "code,open,anonymous,moderation,created_at", "tbbti", true},
    {"participants", BK_PARTICIPANT, "participant",
     "SELECT id, category, created_at FROM participant WHERE session_id = ? ORDER BY id",
     "uid,category,created_at", "uti", false},
    {"statements", BK_STATEMENT, "statement",
     "SELECT s.id, o.slug, s.participant_id, s.text, s.status, s.erased, s.created_at,"
     " s.moderated_at FROM statement s" ORGJ("s") " WHERE s.session_id = ? ORDER BY s.id",
     "uid,org,participant,text,status,erased,created_at,moderated_at", "utqttbin", false},
    {"votes", BK_VOTE, "vote",
     "SELECT statement_id, participant_id, value, at FROM vote WHERE session_id = ?"
     " ORDER BY statement_id, participant_id",
     "statement,participant,value,at", "xqii", false},
    {"suggestions", BK_SUGGESTION, "suggestion",
     "SELECT s.id, o.slug, s.title, s.body, s.position, s.created_at, s.updated_at"
     " FROM suggestion s" ORGJ("s") " WHERE s.session_id = ? ORDER BY s.id",
     "uid,org,title,body,position,created_at,updated_at", "utttiii", false},
    {"suggestion_proposers", BK_NKINDS, "",
     "SELECT sp.suggestion_id, sp.person_id FROM suggestion_proposer sp"
     " JOIN suggestion s ON s.id = sp.suggestion_id WHERE s.session_id = ?"
     " ORDER BY sp.suggestion_id, sp.person_id",
     "suggestion,person", "gp", false},
    {"suggestion_sources", BK_NKINDS, "",
     "SELECT ss.suggestion_id, ss.kind, ss.source_id FROM suggestion_source ss"
     " JOIN suggestion s ON s.id = ss.suggestion_id WHERE s.session_id = ?"
     " ORDER BY ss.suggestion_id, ss.kind, ss.source_id",
     "suggestion,kind,source", "gtk", false},
    {"opinion_snapshot", BK_SNAPSHOT, "",
     "SELECT version, computed_at, n_votes, snapshot FROM opinion_snapshot WHERE session_id = ?",
     "version,computed_at,n_votes,snapshot", "iiij", true},
}};

static const struct xq q_person = {
    "people",
    BK_PERSON,
    "person",
    "SELECT p.id, o.slug, p.name, p.category, p.sector, p.committee, p.term, p.affiliation,"
    " p.title, p.phone, p.email, p.public_name, p.id_card_hash, p.erased_at FROM person p"
    " JOIN org o ON o.id = p.org_id WHERE p.id = ?",
    "uid,org,name,category,sector,committee,term,affiliation,title,phone,email,public_name,id_card_"
    "hash,erased_at",
    "uttttttttttbzn",
    false};

static const char sql_linked[] = "SELECT o.slug FROM session_org so JOIN org o ON o.id = so.org_id"
				 " WHERE so.session_id = ? ORDER BY o.slug";

static int linked_fn(struct db_stmt *st, void *ud)
{
	return json_array_append_new(ud, json_string(db_col_text(st, 0))) ? ERR_NOMEM : ERR_OK;
}

/* collect builds the content of session_id's bundle into *out. */
static int collect(struct bx *x, int64_t session_id, json_t **out)
{
	json_t *c = json_object(), *linked = json_array(), *people = json_array();
	size_t i;
	int rc = c && linked && people ? ERR_OK : ERR_NOMEM;

	for (i = 0; i < ARRAY_LEN(xq_table.q) && !rc; i++) {
		struct xrow w = {x, &xq_table.q[i], xq_table.q[i].one ? json_null() : json_array()};

		rc = w.arr ? db_each(x->db, xq_table.q[i].sql, xrow_fn, &w, "i", session_id)
			   : ERR_NOMEM;
		if (!rc && json_object_set_new(c, xq_table.q[i].key, w.arr))
			rc = ERR_NOMEM;
		else if (rc)
			json_decref(w.arr);
	}
	if (!rc && json_is_null(json_object_get(c, "session")))
		rc = ERR_NOT_FOUND;
	if (!rc)
		rc = db_each(x->db, sql_linked, linked_fn, linked, "i", session_id);
	if (!rc)
		rc = json_object_set(json_object_get(c, "session"), "linked_orgs", linked)
			 ? ERR_NOMEM
			 : ERR_OK;
	for (i = 0; i < x->npeople && !rc; i++) {
		struct xrow w = {x, &q_person, people};

		rc = db_each(x->db, q_person.sql, xrow_fn, &w, "i", x->people[i]);
	}
	if (!rc && json_object_set(c, "people", people))
		rc = ERR_NOMEM;
	json_decref(linked);
	json_decref(people);
	if (rc) {
		json_decref(c);
		return rc;
	}
	*out = c;
	return ERR_OK;
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static json_t *counts_json(const int64_t *count)
{
	json_t *o = json_object();
	int k;

	for (k = 0; o && k < BK_NKINDS; k++)
		json_object_set_new(o, bundle_kind_name((enum bundle_kind)k),
				    json_integer(count[k]));
	return o;
}

static const char sql_org_of_session[] =
    "SELECT o.slug, o.name, o.id FROM session s JOIN org o ON o.id = s.org_id WHERE s.id = ?";

static int write_part(const char *path, const unsigned char *p, size_t n);

/* write_file writes the bundle bytes to the new file path: into path.part first, then
 * renamed into place whole (not over an existing file), so whoever copies the folder (a
 * USB stick in venue mode) never takes half a bundle. */
static int write_file(const char *path, const unsigned char *p, size_t n)
{
	char tmp[4096];
	int rc = snprintf(tmp, sizeof(tmp), "%s.part", path) < (int)sizeof(tmp)
		     ? write_part(tmp, p, n)
		     : ERR_TOO_BIG;

	if (rc)
		return rc;
	/* rename, not link: USB sticks are often FAT, which has no links (the name was
	 * checked free before; the .part file is exclusive to this writer) */
	if (access(path, F_OK) == 0)
		rc = ERR_EXISTS;
	else if (rename(tmp, path) != 0)
		rc = ERR_IO;
	if (rc)
		unlink(tmp);
	return rc;
}

/* write_part writes p[0..n) to the new file path and syncs it; nothing is left on
 * failure. */
static int write_part(const char *path, const unsigned char *p, size_t n)
{
	size_t off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		return errno == EEXIST ? ERR_EXISTS : ERR_IO;
	while (off < n) {
		ssize_t w = write(fd, p + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < n || fsync(fd) != 0) {
		close(fd);
		unlink(path);
		return ERR_IO;
	}
	if (close(fd) != 0) {
		unlink(path);
		return ERR_IO;
	}
	return ERR_OK;
}

/* seal makes the file bytes of manifest + content signed with k; *out is the caller's. */
static int seal(const char *manifest, const char *content, const struct bundle_key *k,
		unsigned char **out, size_t *n)
{
	size_t m = strlen(manifest), c = strlen(content), len = HEAD_LEN + 4 + m + 4 + c;
	unsigned char *b, *payload;

	if (len > BUNDLE_MAX_BYTES)
		return ERR_TOO_BIG;
	b = malloc(len);
	if (!b)
		return ERR_NOMEM;
	memcpy(b, magic, 8);
	be32(b + 8, BUNDLE_FORMAT);
	payload = b + HEAD_LEN;
	be32(payload, (uint32_t)m);
	memcpy(payload + 4, manifest, m);
	be32(payload + 4 + m, (uint32_t)c);
	memcpy(payload + 8 + m, content, c);
	crypto_sign_detached(b + 12, NULL, payload, len - HEAD_LEN, k->sk);
	memcpy(b + 12 + 64, k->pk, 32);
	*out = b;
	*n = len;
	return ERR_OK;
}

int bundle_export(struct db *db, int64_t session_id, const struct bundle_key *k, const char *path,
		  struct bundle_report *r, struct verr *e)
{
	static const char ctx[] = "shenliao bundle participant";
	struct bx x;
	struct actor sys;
	struct db_stmt *st;
	json_t *content = NULL, *manifest = NULL, *audit = NULL;
	char *ctext = NULL, *mtext = NULL, suid[128];
	unsigned char h[crypto_hash_sha256_BYTES], *file = NULL;
	size_t nfile = 0;
	struct stat sb;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	if (!k->has_secret)
		return verr_set(e, "bundle_key_public", "key", "导出需要私钥（.secret 文件）",
				"exporting needs the secret key (the .secret file)");
	if (stat(path, &sb) == 0) {
		verr_set(e, "bundle_exists", "out", "%s 已存在，不覆盖",
			 "%s exists; refusing to overwrite it (give a new file name)", path);
		return ERR_EXISTS;
	}
	x.db = db;
	crypto_generichash(x.pkey, sizeof(x.pkey), (const unsigned char *)ctx, sizeof(ctx) - 1,
			   k->sk, 32);
	rc = db_begin_write(db);
	if (rc)
		return rc;
	rc = instance(db, x.inst);
	if (!rc) {
		rc = db_get_row(db, sql_org_of_session, &st, "i", session_id);
		if (rc == ERR_NOT_FOUND)
			verr_set(e, "bundle_no_session", "session", "没有编号为 %lld 的会议",
				 "no session with id %lld", (long long)session_id);
	}
	if (!rc) {
		snprintf(r->source_slug, sizeof(r->source_slug), "%s", db_col_text(st, 0));
		manifest = json_pack("{s:s,s:i,s:{s:s,s:s,s:s}}", "kind", "shenliao-session-bundle",
				     "format", BUNDLE_FORMAT, "source", "slug", db_col_text(st, 0),
				     "name", db_col_text(st, 1), "instance", x.inst);
		audit = json_pack("{s:I}", "org", (json_int_t)db_col_int(st, 2));
		db_done(st);
		rc = manifest && audit ? collect(&x, session_id, &content) : ERR_NOMEM;
	}
	if (!rc)
		rc = uid_of(&x, "session", session_id, suid);
	if (!rc) {
		ctext = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
		rc = ctext ? ERR_OK : ERR_NOMEM;
	}
	if (!rc) {
		crypto_hash_sha256(h, (const unsigned char *)ctext, strlen(ctext));
		hex_encode(h, sizeof(h), r->sha256);
		memcpy(r->count, x.count, sizeof(r->count));
		r->count[BK_PERSON] = (int64_t)x.npeople;
		json_object_set_new(
		    manifest, "session",
		    json_pack("{s:I,s:s,s:s}", "id", (json_int_t)session_id, "uid", suid, "title",
			      json_string_value(
				  json_object_get(json_object_get(content, "session"), "title"))));
		json_object_set_new(manifest, "created", json_integer(time_now()));
		json_object_set_new(manifest, "counts", counts_json(r->count));
		json_object_set_new(manifest, "content_sha256", json_string(r->sha256));
		json_object_set_new(manifest, "key", json_string(k->fingerprint));
		mtext = json_dumps(manifest, JSON_COMPACT | JSON_SORT_KEYS);
		rc = mtext ? seal(mtext, ctext, k, &file, &nfile) : ERR_NOMEM;
	}
	if (!rc) {
		rc = write_file(path, file, nfile);
		if (rc == ERR_EXISTS)
			verr_set(e, "bundle_exists", "out", "%s 已存在，不覆盖",
				 "%s exists; refusing to overwrite it (give a new file name)",
				 path);
		else if (rc)
			verr_set(
			    e, "bundle_write", "out", "无法写入 %s（目录存在吗？可写吗？）",
			    "cannot write %s (does the folder exist, may this user write there?)",
			    path);
	}
	if (!rc) {
		int64_t org = json_integer_value(json_object_get(audit, "org"));

		json_object_del(audit, "org");
		json_object_set_new(audit, "file", json_string(path));
		json_object_set_new(audit, "sha256", json_string(r->sha256));
		json_object_set_new(audit, "key", json_string(k->fingerprint));
		json_object_set_new(audit, "counts", counts_json(r->count));
		actor_system(&sys);
		rc =
		    audit_write(db, &sys, org, "bundle.export", "session", session_id, NULL, audit);
		if (rc)
			unlink(path);
	}
	if (!rc) {
		rc = db_commit(db);
		if (rc)
			unlink(path);
	}
	if (rc) {
		if (!e || !e->code)
			log_error("bundle: exporting session %lld failed: %s (%s)",
				  (long long)session_id, err_name(rc), db_errmsg(db));
		db_rollback(db);
	} else {
		r->session_id = session_id;
		r->bytes = nfile;
		snprintf(r->session_uid, sizeof(r->session_uid), "%s", suid);
		snprintf(r->fingerprint, sizeof(r->fingerprint), "%s", k->fingerprint);
	}
	free(file);
	free(ctext);
	free(mtext);
	free(x.people);
	json_decref(content);
	json_decref(manifest);
	json_decref(audit);
	return rc;
}

/* --- import ------------------------------------------------------------------------------ */

/* The import's state. */
struct bi {
	struct db *db;
	struct org host; /* the receiving body (the source's slug) */
	char inst[33];	 /* this database's name: its own rows come back by it */
	int64_t session, topic;
	int64_t credit_at; /* the duty records credit the year the session took place */
	struct bundle_report *r;
	struct verr *e;
};

/* read_all reads path (at most BUNDLE_MAX_BYTES) into *out. */
static int read_all(const char *path, unsigned char **out, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return ERR_NOT_FOUND;
	for (;;) {
		size_t got;

		if (len == cap) {
			unsigned char *q;

			if (cap >= BUNDLE_MAX_BYTES + 1) {
				free(b);
				fclose(f);
				return ERR_TOO_BIG;
			}
			cap = cap ? 2 * cap : 65536;
			if (cap > BUNDLE_MAX_BYTES + 1)
				cap = BUNDLE_MAX_BYTES + 1;
			q = realloc(b, cap);
			if (!q) {
				free(b);
				fclose(f);
				return ERR_NOMEM;
			}
			b = q;
		}
		got = fread(b + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f) || len > BUNDLE_MAX_BYTES) {
		free(b);
		fclose(f);
		return len > BUNDLE_MAX_BYTES ? ERR_TOO_BIG : ERR_IO;
	}
	fclose(f);
	*out = b;
	*n = len;
	return ERR_OK;
}

/* The tables a uid of this database's own instance points back into. */
static const char *const own_rows[BK_NKINDS] = {
    [BK_TOPIC] = "SELECT id FROM topic WHERE id = ?",
    [BK_SESSION] = "SELECT id FROM session WHERE id = ?",
    [BK_PERSON] = "SELECT id FROM person WHERE id = ?",
    [BK_INVITATION] = "SELECT id FROM invitation WHERE id = ?",
    [BK_REMARK] = "SELECT id FROM remark WHERE id = ?",
    [BK_POINT] = "SELECT id FROM session_point WHERE id = ?",
    [BK_COMMITMENT] = "SELECT id FROM commitment WHERE id = ?",
    [BK_SUGGESTION] = "SELECT id FROM suggestion WHERE id = ?",
    [BK_STATEMENT] = "SELECT id FROM statement WHERE id = ?",
};

/* map_get finds the local row of (kind, uid): imported before, or one of this database's
 * own rows coming back. ERR_NOT_FOUND when it is new. */
static int map_get(struct bi *x, const char *kind, const char *uid, int64_t *id)
{
	size_t n = strlen(x->inst), k;
	int rc = db_get_int(x->db, sql_map_get, id, "ss", kind, uid);

	if (rc != ERR_NOT_FOUND)
		return rc;
	if (strncmp(uid, x->inst, n) != 0 || uid[n] != '/' ||
	    strncmp(uid + n + 1, kind, strlen(kind)) || uid[n + 1 + strlen(kind)] != '/')
		return ERR_NOT_FOUND;
	for (k = 0; k < BK_NKINDS; k++)
		if (own_rows[k] && strcmp(bundle_kind_name((enum bundle_kind)k), kind) == 0) {
			const char *num = uid + n + 2 + strlen(kind);
			int64_t v;

			if (num_parse(num, strlen(num), 1, INT64_MAX, &v))
				return ERR_NOT_FOUND;
			return db_get_int(x->db, own_rows[k], id, "i", v);
		}
	return ERR_NOT_FOUND;
}

static int map_put(struct bi *x, const char *kind, const char *uid, int64_t id)
{
	return db_exec(x->db, sql_map_put, "ssi", kind, uid, id);
}

/* need finds the local row a reference names; a bundle naming a row it does not hold is
 * malformed. NULL/absent uid: *id = 0. */
static int need(struct bi *x, const char *kind, const json_t *uid, int64_t *id)
{
	int rc;

	*id = 0;
	if (!uid || json_is_null(uid))
		return ERR_OK;
	if (!json_is_string(uid))
		return ERR_INVALID;
	rc = map_get(x, kind, json_string_value(uid), id);
	if (rc == ERR_NOT_FOUND) {
		verr_set(x->e, "bundle_malformed", kind, "会议包引用了缺失的%s %s",
			 "the bundle refers to a %s it does not hold (%s)", kind,
			 json_string_value(uid));
		return ERR_INVALID;
	}
	return rc;
}

static const char sql_org_slug[] = "SELECT id FROM org WHERE slug = ?";

static const char sql_org_scope[] =
    "SELECT o.id FROM org o WHERE o.slug = ?1 AND (substr(o.path, 1, length(?2)) = ?2"
    " OR o.id IN (SELECT org_id FROM session_org WHERE session_id = ?3))";

/* org_local: the local body of slug when it is the receiving body, one below it or a body
 * linked to the session; else the receiving body (a bundle places rows nowhere else). */
static int64_t org_local(struct bi *x, const json_t *slug)
{
	int64_t id;

	if (json_is_string(slug) &&
	    db_get_int(x->db, sql_org_scope, &id, "ssi", json_string_value(slug), x->host.path,
		       x->session) == ERR_OK)
		return id;
	return x->host.id;
}

/* S reads a string member ("" when absent or not a string); I an integer (0). */
static const char *S(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static int64_t I(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* SN: a string member or NULL when it is null/absent. */
static const char *SN(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* isnull: the member is null or absent. */
static bool isnull(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return !v || json_is_null(v);
}

static int bad_row(struct bi *x, const char *what)
{
	verr_set(x->e, "bundle_malformed", what, "会议包中的%s不完整",
		 "a %s in the bundle is incomplete", what);
	return ERR_INVALID;
}

/* known: the row (kind, uid) was imported before (or is one of ours): count it unchanged
 * and give its id; ERR_NOT_FOUND when new. */
static int known(struct bi *x, enum bundle_kind k, const json_t *row, int64_t *id)
{
	const char *uid = SN(row, "uid");
	int rc;

	if (!uid)
		return bad_row(x, bundle_kind_name((enum bundle_kind)k));
	x->r->count[k]++;
	rc = map_get(x, bundle_kind_name((enum bundle_kind)k), uid, id);
	if (!rc)
		x->r->unchanged[k]++;
	return rc;
}

/* added maps a new row and counts it. */
static int added(struct bi *x, enum bundle_kind k, const json_t *row, int64_t id)
{
	x->r->added[k]++;
	return map_put(x, bundle_kind_name((enum bundle_kind)k), S(row, "uid"), id);
}

static int imp_topic(struct bi *x, const json_t *t)
{
	int rc;

	if (!json_is_object(t))
		return bad_row(x, "topic");
	rc = known(x, BK_TOPIC, t, &x->topic);
	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = db_exec(x->db,
		     "INSERT INTO topic (org_id, title, description, domain, origin, status,"
		     " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		     "isssssii", x->host.id, S(t, "title"), S(t, "description"), S(t, "domain"),
		     S(t, "origin"), S(t, "status"), I(t, "created_at"), I(t, "updated_at"));
	if (!rc)
		x->topic = db_last_id(x->db);
	if (!rc)
		rc = search_put(x->db, "topic", x->topic, 0, x->host.id, S(t, "title"),
				S(t, "description"));
	return rc ? rc : added(x, BK_TOPIC, t, x->topic);
}

static const char sql_sess_updated[] = "SELECT updated_at FROM session WHERE id = ?";
static const char sql_sess_update[] =
    "UPDATE session SET title = ?, summary = ?, starts_at = ?, ends_at = ?, venue = ?,"
    " organizer_unit = ?, formats = ?, department = ?, visibility = ?, rules_version = ?,"
    " status = ?, updated_at = ?, closed_at = ? WHERE id = ?";
static const char sql_sess_insert[] =
    "INSERT INTO session (title, summary, starts_at, ends_at, venue, organizer_unit, formats,"
    " department, visibility, rules_version, status, updated_at, closed_at, org_id, topic_id,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* sess_exec runs the session's insert or update: parameters 1..13 are the fields both set,
 * then the update's id (a), or the insert's org (a), topic (b) and created_at (c). */
static int sess_exec(struct bi *x, const char *sql, const json_t *s, int64_t a, int64_t b,
		     int64_t c, bool insert)
{
	struct db_stmt *st;
	int rc = db_prepare(x->db, sql, &st);

	if (!rc)
		rc = db_bind_str(st, 1, S(s, "title"));
	if (!rc)
		rc = db_bind_str(st, 2, S(s, "summary"));
	if (!rc)
		rc = isnull(s, "starts_at") ? db_bind_null(st, 3)
					    : db_bind_int(st, 3, I(s, "starts_at"));
	if (!rc)
		rc = isnull(s, "ends_at") ? db_bind_null(st, 4)
					  : db_bind_int(st, 4, I(s, "ends_at"));
	if (!rc)
		rc = db_bind_str(st, 5, S(s, "venue"));
	if (!rc)
		rc = db_bind_str(st, 6, S(s, "organizer_unit"));
	if (!rc)
		rc = db_bind_int(st, 7, I(s, "formats"));
	if (!rc)
		rc = db_bind_str(st, 8, S(s, "department"));
	if (!rc)
		rc = db_bind_str(st, 9, S(s, "visibility"));
	if (!rc)
		rc = db_bind_str(st, 10, SN(s, "rules_version"));
	if (!rc)
		rc = db_bind_str(st, 11, S(s, "status"));
	if (!rc)
		rc = db_bind_int(st, 12, I(s, "updated_at"));
	if (!rc)
		rc = isnull(s, "closed_at") ? db_bind_null(st, 13)
					    : db_bind_int(st, 13, I(s, "closed_at"));
	if (!rc)
		rc = db_bind_int(st, 14, a);
	if (!rc && insert)
		rc = db_bind_int(st, 15, b);
	if (!rc && insert)
		rc = db_bind_int(st, 16, c);
	if (!rc)
		rc = db_run(st);
	else
		db_done(st);
	return rc;
}

static int imp_session(struct bi *x, const json_t *s)
{
	const json_t *linked;
	size_t i;
	int64_t at;
	bool changed = true;
	int rc;

	if (!json_is_object(s))
		return bad_row(x, "session");
	x->credit_at = isnull(s, "starts_at") ? time_now() : I(s, "starts_at");
	rc = known(x, BK_SESSION, s, &x->session);
	if (rc == ERR_OK) {
		rc = db_get_int(x->db, sql_sess_updated, &at, "i", x->session);
		changed = I(s, "updated_at") > at;
		if (!rc && changed) {
			rc = sess_exec(x, sql_sess_update, s, x->session, 0, 0, false);
			x->r->unchanged[BK_SESSION]--;
			x->r->updated[BK_SESSION]++;
		}
	} else if (rc == ERR_NOT_FOUND) {
		rc = sess_exec(x, sql_sess_insert, s, x->host.id, x->topic, I(s, "created_at"),
			       true);
		if (!rc) {
			x->session = db_last_id(x->db);
			rc = added(x, BK_SESSION, s, x->session);
		}
	}
	if (!rc && changed)
		rc = search_put(x->db, "session", x->session, x->session, x->host.id, S(s, "title"),
				S(s, "summary"));
	linked = json_object_get(s, "linked_orgs");
	for (i = 0; !rc && i < json_array_size(linked); i++) {
		const char *slug = json_string_value(json_array_get(linked, i));
		int64_t org;

		/* a linked body the target does not have is left out */
		if (!slug || db_get_int(x->db, sql_org_slug, &org, "s", slug) || org == x->host.id)
			continue;
		rc = db_exec(x->db,
			     "INSERT INTO session_org (session_id, org_id) VALUES (?, ?)"
			     " ON CONFLICT (session_id, org_id) DO NOTHING",
			     "ii", x->session, org);
	}
	return rc;
}

#define MATCH_FROM                                                                                 \
	"SELECT p.id FROM person p JOIN org o ON o.id = p.org_id"                                  \
	" WHERE substr(o.path, 1, length(?2)) = ?2 AND p.erased_at IS NULL"                        \
	" AND (?3 = '' OR p.id_card_hash IS NULL OR p.id_card_hash = ?3)"
static const char sql_match_hash[] = MATCH_FROM " AND p.id_card_hash = ?1 ORDER BY p.id LIMIT 1";
static const char sql_match_phone[] = MATCH_FROM " AND p.phone = ?1 ORDER BY p.id LIMIT 1";
static const char sql_match_name[] =
    MATCH_FROM " AND p.name = ?1 AND p.affiliation = ?4 ORDER BY p.id LIMIT 1";
static const char sql_person_insert[] =
    "INSERT INTO person (org_id, name, category, sector, committee, term, affiliation, title,"
    " phone, email, public_name, id_card_hash, erased_at, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?)";

/* match finds a registry person the bundle's person is, as the people import would: among
 * the people of the person's body (the receiving body when the target lacks it) and the
 * bodies below it. */
static int match(struct bi *x, const json_t *p, int64_t org_id, int64_t *id)
{
	const char *hash = S(p, "id_card_hash"), *phone = S(p, "phone"), *scope = x->host.path;
	struct org o;
	int rc = ERR_NOT_FOUND;

	if (org_id != x->host.id && org_get(x->db, org_id, &o) == ERR_OK)
		scope = o.path;
	if (hash[0])
		rc = db_get_int(x->db, sql_match_hash, id, "sss", hash, scope, hash);
	if (rc == ERR_NOT_FOUND && phone[0])
		rc = db_get_int(x->db, sql_match_phone, id, "sss", phone, scope, hash);
	if (rc == ERR_NOT_FOUND && S(p, "name")[0])
		rc = db_get_int(x->db, sql_match_name, id, "ssss", S(p, "name"), scope, hash,
				S(p, "affiliation"));
	return rc;
}

static int imp_person(struct bi *x, const json_t *p)
{
	bool erased = !isnull(p, "erased_at");
	int64_t id, now = time_now(), org;
	char body[1600];
	int rc = known(x, BK_PERSON, p, &id);

	if (rc != ERR_NOT_FOUND)
		return rc;
	org = org_local(x, json_object_get(p, "org"));
	if (!erased) {
		rc = match(x, p, org, &id);
		if (!rc) {
			x->r->merged[BK_PERSON]++;
			return map_put(x, "person", S(p, "uid"), id);
		}
		if (rc != ERR_NOT_FOUND)
			return rc;
	}
	rc = db_exec(x->db, sql_person_insert, "isssssssssnszii", org, S(p, "name"),
		     S(p, "category"), S(p, "sector"), S(p, "committee"), S(p, "term"),
		     S(p, "affiliation"), S(p, "title"), S(p, "phone"), S(p, "email"),
		     json_is_true(json_object_get(p, "public_name")) ? 1 : 0, S(p, "id_card_hash"),
		     erased ? I(p, "erased_at") : 0, now, now);
	if (!rc)
		id = db_last_id(x->db);
	if (!rc && !erased) {
		snprintf(body, sizeof(body), "%s %s %s", S(p, "sector"), S(p, "affiliation"),
			 S(p, "title"));
		rc = search_put(x->db, "person", id, 0, org, S(p, "name"), body);
	}
	return rc ? rc : added(x, BK_PERSON, p, id);
}

static const char sql_inv_find[] =
    "SELECT id FROM invitation WHERE session_id = ? AND person_id = ?";
static const char sql_inv_state[] =
    "SELECT rsvp, attended, responded_at FROM invitation WHERE id = ?";
static const char sql_inv_update[] =
    "UPDATE invitation SET rsvp = ?, attended = ?, responded_at = ? WHERE id = ?";

static const char sql_inv_person[] = "SELECT person_id FROM invitation WHERE id = ?";

/* credit_attended credits (or takes back) the attendance of invitation id in its person's
 * duty record, as recording it in the session would. */
static int credit_attended(struct bi *x, int64_t id, bool attended)
{
	int64_t person;
	int rc = db_get_int(x->db, sql_inv_person, &person, "i", id);

	if (rc)
		return rc;
	return attended ? duty_credit(x->db, x->host.id, person, "attended", x->session, id,
				      x->credit_at)
			: duty_revoke(x->db, person, "attended", id);
}

/* inv_refresh brings invitation id to the bundle's answer and attendance; *changed. */
static int inv_refresh(struct bi *x, const json_t *v, int64_t id, bool *changed)
{
	struct db_stmt *st;
	int attended = json_is_true(json_object_get(v, "attended"));
	int rc = db_get_row(x->db, sql_inv_state, &st, "i", id);
	bool was;

	*changed = false;
	if (rc)
		return rc;
	*changed = strcmp(db_col_text(st, 0), S(v, "rsvp")) != 0 || db_col_int(st, 1) != attended ||
		   db_col_int(st, 2) != I(v, "responded_at");
	was = db_col_int(st, 1) != 0;
	db_done(st);
	if (!*changed)
		return ERR_OK;
	rc = isnull(v, "responded_at")
		 ? db_exec(x->db, sql_inv_update, "sn0i", S(v, "rsvp"), attended, id)
		 : db_exec(x->db, sql_inv_update, "snii", S(v, "rsvp"), attended,
			   I(v, "responded_at"), id);
	if (!rc && attended != was)
		rc = credit_attended(x, id, attended);
	return rc;
}

static int imp_invitation(struct bi *x, const json_t *v)
{
	int64_t id, person;
	bool changed;
	int rc = known(x, BK_INVITATION, v, &id);

	if (rc == ERR_OK) {
		rc = inv_refresh(x, v, id, &changed);
		if (!rc && changed) {
			x->r->unchanged[BK_INVITATION]--;
			x->r->updated[BK_INVITATION]++;
		}
		return rc;
	}
	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = need(x, "person", json_object_get(v, "person"), &person);
	if (!rc && !person)
		return bad_row(x, "invitation");
	if (!rc)
		rc = db_get_int(x->db, sql_inv_find, &id, "ii", x->session, person);
	if (rc == ERR_OK) { /* the person was invited here too: one invitation */
		rc = inv_refresh(x, v, id, &changed);
		if (!rc)
			x->r->merged[BK_INVITATION]++;
		return rc ? rc : map_put(x, "invitation", S(v, "uid"), id);
	}
	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = db_exec(x->db,
		     "INSERT INTO invitation (org_id, session_id, person_id, role, rsvp, attended,"
		     " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		     "iiissni", org_local(x, json_object_get(v, "org")), x->session, person,
		     S(v, "role"), S(v, "rsvp"), json_is_true(json_object_get(v, "attended")),
		     I(v, "created_at"));
	if (!rc)
		id = db_last_id(x->db);
	if (!rc && !isnull(v, "responded_at"))
		rc = db_exec(x->db, "UPDATE invitation SET responded_at = ? WHERE id = ?", "ii",
			     I(v, "responded_at"), id);
	if (!rc && json_is_true(json_object_get(v, "attended")))
		rc = credit_attended(x, id, true);
	return rc ? rc : added(x, BK_INVITATION, v, id);
}

static const char sql_person_erased[] =
    "SELECT id FROM person WHERE id = ? AND erased_at IS NOT NULL";

static int imp_remark(struct bi *x, const json_t *v)
{
	int64_t id, person, org = org_local(x, json_object_get(v, "org"));
	bool erased = json_is_true(json_object_get(v, "erased"));
	const char *body = S(v, "body");
	int rc = known(x, BK_REMARK, v, &id);

	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = need(x, "person", json_object_get(v, "person"), &person);
	/* a speaker erased here since the bundle was made: their words do not come back */
	if (!rc && person && db_get_int(x->db, sql_person_erased, &id, "i", person) == ERR_OK) {
		erased = true;
		body = "";
	}
	if (!rc)
		rc =
		    person
			? db_exec(x->db,
				  "INSERT INTO remark (org_id, session_id, person_id, role, body,"
				  " position, erased, created_at, updated_at)"
				  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				  "iiissinii", org, x->session, person, S(v, "role"), body,
				  I(v, "position"), (int)erased, I(v, "created_at"),
				  I(v, "updated_at"))
			: db_exec(x->db,
				  "INSERT INTO remark (org_id, session_id, person_id, role, body,"
				  " position, erased, created_at, updated_at)"
				  " VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?)",
				  "iissinii", org, x->session, S(v, "role"), body, I(v, "position"),
				  (int)erased, I(v, "created_at"), I(v, "updated_at"));
	if (!rc)
		id = db_last_id(x->db);
	if (!rc && !erased)
		rc = search_put(x->db, "remark", id, x->session, org, "", body);
	if (!rc && person)
		rc = duty_credit(x->db, x->host.id, person, "remark", x->session, id, x->credit_at);
	return rc ? rc : added(x, BK_REMARK, v, id);
}

static int imp_point(struct bi *x, const json_t *v)
{
	int64_t id;
	int rc = known(x, BK_POINT, v, &id);

	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = db_exec(x->db,
		     "INSERT INTO session_point (org_id, session_id, kind, body, position,"
		     " created_at) VALUES (?, ?, ?, ?, ?, ?)",
		     "iissii", org_local(x, json_object_get(v, "org")), x->session, S(v, "kind"),
		     S(v, "body"), I(v, "position"), I(v, "created_at"));
	if (!rc)
		id = db_last_id(x->db);
	return rc ? rc : added(x, BK_POINT, v, id);
}

static int imp_commitment(struct bi *x, const json_t *v)
{
	int64_t id, owner;
	int rc = known(x, BK_COMMITMENT, v, &id);

	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = need(x, "person", json_object_get(v, "owner_person"), &owner);
	if (!rc)
		rc = db_exec(x->db,
			     "INSERT INTO commitment (org_id, session_id, owner, body, due_date,"
			     " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			     "iissssii", org_local(x, json_object_get(v, "org")), x->session,
			     S(v, "owner"), S(v, "body"), SN(v, "due_date"), S(v, "status"),
			     I(v, "created_at"), I(v, "updated_at"));
	if (!rc)
		id = db_last_id(x->db);
	if (!rc && owner)
		rc = db_exec(x->db, "UPDATE commitment SET owner_id = ? WHERE id = ?", "ii", owner,
			     id);
	return rc ? rc : added(x, BK_COMMITMENT, v, id);
}

static const char sql_room_has[] = "SELECT session_id FROM room WHERE session_id = ?";
static const char sql_room_code_used[] = "SELECT session_id FROM room WHERE code = ?";

static int imp_room(struct bi *x, const json_t *v)
{
	static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
	char code[16];
	int64_t id;
	int rc, tries;

	if (!json_is_object(v))
		return ERR_OK;
	rc = db_get_int(x->db, sql_room_has, &id, "i", x->session);
	if (rc != ERR_NOT_FOUND)
		return rc;
	snprintf(code, sizeof(code), "%s", S(v, "code"));
	for (tries = 0; tries < 20; tries++) {
		size_t i;

		rc = db_get_int(x->db, sql_room_code_used, &id, "s", code);
		if (rc != ERR_OK)
			break;
		for (i = 0; i < 6; i++)
			code[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
		code[6] = '\0';
	}
	if (rc != ERR_NOT_FOUND)
		return rc ? rc : ERR_CONFLICT;
	return db_exec(
	    x->db,
	    "INSERT INTO room (session_id, org_id, code, open, anonymous, moderation,"
	    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    "iisnnsi", x->session, x->host.id, code, json_is_true(json_object_get(v, "open")),
	    json_is_true(json_object_get(v, "anonymous")), S(v, "moderation"), I(v, "created_at"));
}

static int imp_participant(struct bi *x, const json_t *v)
{
	int64_t id;
	int rc = known(x, BK_PARTICIPANT, v, &id);

	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = db_exec(x->db,
		     "INSERT INTO participant (org_id, session_id, external_id, category,"
		     " created_at) VALUES (?, ?, ?, ?, ?)",
		     "iissi", x->host.id, x->session, S(v, "uid"), S(v, "category"),
		     I(v, "created_at"));
	if (!rc)
		id = db_last_id(x->db);
	return rc ? rc : added(x, BK_PARTICIPANT, v, id);
}

static int imp_statement(struct bi *x, const json_t *v)
{
	int64_t id, part, org = org_local(x, json_object_get(v, "org"));
	bool erased = json_is_true(json_object_get(v, "erased"));
	int rc = known(x, BK_STATEMENT, v, &id);

	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = need(x, "participant", json_object_get(v, "participant"), &part);
	if (!rc)
		rc = db_exec(x->db,
			     "INSERT INTO statement (org_id, session_id, text, status, erased,"
			     " created_at) VALUES (?, ?, ?, ?, ?, ?)",
			     "iissni", org, x->session, S(v, "text"), S(v, "status"), (int)erased,
			     I(v, "created_at"));
	if (!rc)
		id = db_last_id(x->db);
	if (!rc && part)
		rc = db_exec(x->db, "UPDATE statement SET participant_id = ? WHERE id = ?", "ii",
			     part, id);
	if (!rc && !isnull(v, "moderated_at"))
		rc = db_exec(x->db, "UPDATE statement SET moderated_at = ? WHERE id = ?", "ii",
			     I(v, "moderated_at"), id);
	if (!rc && !erased && strcmp(S(v, "status"), "accepted") == 0)
		rc = search_put(x->db, "statement", id, x->session, org, "", S(v, "text"));
	return rc ? rc : added(x, BK_STATEMENT, v, id);
}

static const char sql_vote_get[] =
    "SELECT at FROM vote WHERE statement_id = ? AND participant_id = ?";

static int imp_vote(struct bi *x, const json_t *v)
{
	int64_t st, part, at;
	int rc;

	x->r->count[BK_VOTE]++;
	rc = need(x, "statement", json_object_get(v, "statement"), &st);
	if (!rc)
		rc = need(x, "participant", json_object_get(v, "participant"), &part);
	if (!rc && (!st || !part))
		return bad_row(x, "vote");
	if (!rc)
		rc = db_get_int(x->db, sql_vote_get, &at, "ii", st, part);
	if (rc == ERR_OK) {
		if (I(v, "at") <= at) {
			x->r->unchanged[BK_VOTE]++;
			return ERR_OK;
		}
		x->r->updated[BK_VOTE]++;
		return db_exec(x->db,
			       "UPDATE vote SET value = ?, at = ? WHERE statement_id = ?"
			       " AND participant_id = ?",
			       "iiii", I(v, "value"), I(v, "at"), st, part);
	}
	if (rc != ERR_NOT_FOUND)
		return rc;
	x->r->added[BK_VOTE]++;
	return db_exec(x->db,
		       "INSERT INTO vote (statement_id, participant_id, session_id, value, at)"
		       " VALUES (?, ?, ?, ?, ?)",
		       "iiiii", st, part, x->session, I(v, "value"), I(v, "at"));
}

static int imp_suggestion(struct bi *x, const json_t *v)
{
	int64_t id, org = org_local(x, json_object_get(v, "org"));
	int rc = known(x, BK_SUGGESTION, v, &id);

	if (rc != ERR_NOT_FOUND)
		return rc;
	rc =
	    db_exec(x->db,
		    "INSERT INTO suggestion (org_id, session_id, title, body, position, created_at,"
		    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		    "iissiii", org, x->session, S(v, "title"), S(v, "body"), I(v, "position"),
		    I(v, "created_at"), I(v, "updated_at"));
	if (!rc)
		id = db_last_id(x->db);
	if (!rc)
		rc = search_put(x->db, "suggestion", id, x->session, org, S(v, "title"),
				S(v, "body"));
	return rc ? rc : added(x, BK_SUGGESTION, v, id);
}

static int imp_proposer(struct bi *x, const json_t *v)
{
	int64_t sg, person;
	int rc = need(x, "suggestion", json_object_get(v, "suggestion"), &sg);

	if (!rc)
		rc = need(x, "person", json_object_get(v, "person"), &person);
	if (!rc && (!sg || !person))
		return bad_row(x, "suggestion_proposer");
	return rc ? rc
		  : db_exec(
			x->db,
			"INSERT INTO suggestion_proposer (suggestion_id, person_id) VALUES (?, ?)"
			" ON CONFLICT (suggestion_id, person_id) DO NOTHING",
			"ii", sg, person);
}

static int imp_source(struct bi *x, const json_t *v)
{
	const char *kind = S(v, "kind");
	int64_t sg, src;
	int rc;

	if (strcmp(kind, "remark") != 0 && strcmp(kind, "statement") != 0)
		return bad_row(x, "suggestion_source");
	rc = need(x, "suggestion", json_object_get(v, "suggestion"), &sg);
	if (!rc)
		rc = need(x, kind, json_object_get(v, "source"), &src);
	if (!rc && (!sg || !src))
		return bad_row(x, "suggestion_source");
	return rc ? rc
		  : db_exec(
			x->db,
			"INSERT INTO suggestion_source (suggestion_id, kind, source_id)"
			" VALUES (?, ?, ?) ON CONFLICT (suggestion_id, kind, source_id) DO NOTHING",
			"isi", sg, kind, src);
}

/* each runs fn over the array member key of c. */
static int each(struct bi *x, const json_t *c, const char *key,
		int (*fn)(struct bi *x, const json_t *v))
{
	const json_t *a = json_object_get(c, key);
	size_t i;
	int rc = ERR_OK;

	if (a && !json_is_array(a))
		return bad_row(x, key);
	for (i = 0; i < json_array_size(a) && !rc; i++) {
		if (!json_is_object(json_array_get(a, i)))
			return bad_row(x, key);
		rc = fn(x, json_array_get(a, i));
	}
	return rc;
}

static int apply(struct bi *x, const json_t *c)
{
	int rc = imp_topic(x, json_object_get(c, "topic"));

	if (!rc)
		rc = imp_session(x, json_object_get(c, "session"));
	if (!rc)
		rc = each(x, c, "people", imp_person);
	if (!rc)
		rc = each(x, c, "invitations", imp_invitation);
	if (!rc)
		rc = each(x, c, "remarks", imp_remark);
	if (!rc)
		rc = each(x, c, "points", imp_point);
	if (!rc)
		rc = each(x, c, "commitments", imp_commitment);
	if (!rc)
		rc = imp_room(x, json_object_get(c, "room"));
	if (!rc)
		rc = each(x, c, "participants", imp_participant);
	if (!rc)
		rc = each(x, c, "statements", imp_statement);
	if (!rc)
		rc = each(x, c, "votes", imp_vote);
	if (!rc)
		rc = each(x, c, "suggestions", imp_suggestion);
	if (!rc)
		rc = each(x, c, "suggestion_proposers", imp_proposer);
	if (!rc)
		rc = each(x, c, "suggestion_sources", imp_source);
	if (!rc && json_is_object(json_object_get(c, "opinion_snapshot")))
		x->r->count[BK_SNAPSHOT] = 1;
	return rc;
}

static json_t *report_json(const struct bundle_report *r)
{
	json_t *o = json_object();
	int k;

	for (k = 0; o && k < BK_NKINDS; k++)
		json_object_set_new(
		    o, bundle_kind_name((enum bundle_kind)k),
		    json_pack("{s:I,s:I,s:I,s:I,s:I}", "in_bundle", (json_int_t)r->count[k],
			      "added", (json_int_t)r->added[k], "merged", (json_int_t)r->merged[k],
			      "updated", (json_int_t)r->updated[k], "unchanged",
			      (json_int_t)r->unchanged[k]));
	return o;
}

/* verify checks the file b[0..n) against the trusted key and splits its payload; nothing
 * of it is parsed before the signature holds. */
static int verify(const unsigned char *b, size_t n, const struct bundle_key *trusted,
		  const char *path, const unsigned char **m, size_t *mlen, const unsigned char **c,
		  size_t *clen, struct verr *e)
{
	struct bundle_key signer;
	const unsigned char *payload = b + HEAD_LEN;
	size_t plen;

	if (n < HEAD_LEN + 8 || memcmp(b, magic, 8) != 0)
		return verr_set(e, "bundle_not_bundle", "file", "%s 不是 shenliao 会议包",
				"%s is not a shenliao session bundle", path);
	if (rd32(b + 8) != BUNDLE_FORMAT)
		return verr_set(
		    e, "bundle_format", "file",
		    "%s 是第 %u 版格式的会议包，本程序只读第 %d 版（请升级 shenliao）",
		    "%s is a bundle of format %u; this shenliao reads format %d (upgrade it)", path,
		    (unsigned)rd32(b + 8), BUNDLE_FORMAT);
	memset(&signer, 0, sizeof(signer));
	memcpy(signer.pk, b + 12 + 64, 32);
	fingerprint(&signer);
	if (sodium_memcmp(signer.pk, trusted->pk, 32) != 0) {
		verr_set(
		    e, "bundle_untrusted", "trust",
		    "会议包由密钥 %s 签名，不是所信任的密钥 %s；未导入",
		    "the bundle is signed by key %s, not by the trusted key %s; nothing imported",
		    signer.fingerprint, trusted->fingerprint);
		return ERR_FORBIDDEN;
	}
	plen = n - HEAD_LEN;
	if (crypto_sign_verify_detached(b + 12, payload, plen, trusted->pk) != 0)
		return verr_set(e, "bundle_bad_signature", "file",
				"%s 的签名不符：文件被改动或已损坏；未导入",
				"the signature of %s does not match: the file was changed or is "
				"damaged; nothing imported",
				path);
	*mlen = rd32(payload);
	if (*mlen > plen - 8)
		goto bad;
	*m = payload + 4;
	*clen = rd32(payload + 4 + *mlen);
	if (*clen != plen - 8 - *mlen)
		goto bad;
	*c = payload + 8 + *mlen;
	return ERR_OK;
bad:
	return verr_set(e, "bundle_malformed", "file", "%s 的结构不对", "%s is malformed", path);
}

int bundle_import(struct db *db, const char *path, const struct bundle_key *trusted,
		  struct bundle_report *r, struct verr *e)
{
	const unsigned char *m = NULL, *c = NULL;
	unsigned char *b = NULL, h[crypto_hash_sha256_BYTES];
	size_t n = 0, mlen = 0, clen = 0;
	json_t *manifest = NULL, *content = NULL, *audit = NULL;
	struct actor sys;
	struct bi x;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	x.db = db;
	x.r = r;
	x.e = e;
	rc = read_all(path, &b, &n);
	if (rc) {
		verr_set(e, "bundle_unreadable", "file", "无法读取 %s%s", "cannot read %s%s", path,
			 rc == ERR_TOO_BIG ? " (too big)" : "");
		return rc == ERR_TOO_BIG ? ERR_INVALID : ERR_NOT_FOUND;
	}
	r->bytes = n;
	rc = verify(b, n, trusted, path, &m, &mlen, &c, &clen, e);
	if (rc)
		goto out;
	snprintf(r->fingerprint, sizeof(r->fingerprint), "%s", trusted->fingerprint);
	crypto_hash_sha256(h, c, clen);
	hex_encode(h, sizeof(h), r->sha256);
	manifest = json_loadb((const char *)m, mlen, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(manifest) || I(manifest, "format") != BUNDLE_FORMAT ||
	    strcmp(S(manifest, "content_sha256"), r->sha256) != 0) {
		rc = verr_set(e, "bundle_bad_hash", "file",
			      "%s 的清单与内容不符（SHA-256 不同）；未导入",
			      "the manifest of %s does not match its content (SHA-256); nothing "
			      "imported",
			      path);
		goto out;
	}
	content = json_loadb((const char *)c, clen, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(content)) {
		rc = verr_set(e, "bundle_malformed", "file", "%s 的内容不是 JSON 对象",
			      "the content of %s is not a JSON object", path);
		goto out;
	}
	snprintf(r->source_slug, sizeof(r->source_slug), "%s",
		 S(json_object_get(manifest, "source"), "slug"));
	snprintf(r->session_uid, sizeof(r->session_uid), "%s",
		 S(json_object_get(manifest, "session"), "uid"));
	rc = org_get_by_slug(db, r->source_slug, &x.host);
	if (rc == ERR_NOT_FOUND) {
		verr_set(e, "bundle_no_body", "slug",
			 "目标库没有代号为 %s 的机构；请先建立该机构再导入",
			 "the target database has no body with the slug '%s'; create it first, "
			 "then import",
			 r->source_slug);
		rc = ERR_CONFLICT;
		goto out;
	}
	if (rc)
		goto out;
	rc = db_begin_write(db);
	if (rc)
		goto out;
	rc = instance(db, x.inst);
	if (!rc)
		rc = apply(&x, content);
	if (rc == ERR_CONFLICT && !e->code)
		verr_set(
		    e, "bundle_conflict", "file", "会议包中有数据不符合本库的规则（%s）；未导入",
		    "a row of the bundle breaks a rule of this database (%s); nothing imported",
		    db_errmsg(db));
	if (!rc) {
		audit = json_pack("{s:s,s:s,s:s,s:s,s:o}", "file", path, "sha256", r->sha256, "key",
				  trusted->fingerprint, "source", r->source_slug, "counts",
				  report_json(r));
		actor_system(&sys);
		rc = audit ? audit_write(db, &sys, x.host.id, "bundle.import", "session", x.session,
					 NULL, audit)
			   : ERR_NOMEM;
	}
	if (!rc)
		rc = db_commit(db);
	if (rc) {
		db_rollback(db);
		goto out;
	}
	r->session_id = x.session;
	if (r->added[BK_VOTE] + r->updated[BK_VOTE] + r->added[BK_STATEMENT] > 0) {
		int64_t version;

		/* the map is made again from the imported votes, so its ids are this
		 * database's (the bundle's own snapshot is the source's record) */
		if (live_compute(db, x.session, &version) == ERR_OK)
			r->snapshot_recomputed = true;
		else
			log_info("bundle: the opinion map of session %lld was not computed",
				 (long long)x.session);
	}
out:
	if (rc && !e->code)
		verr_set(e, "bundle_failed", "file", "导入 %s 失败（%s）；未导入",
			 "importing %s failed (%s); nothing imported", path, err_name(rc));
	free(b);
	json_decref(manifest);
	json_decref(content);
	json_decref(audit);
	return rc;
}

/* --- venue mode ---------------------------------------------------------------------------- */

static const char sql_pending[] =
    "SELECT s.id FROM session s LEFT JOIN bundle_exported b ON b.session_id = s.id"
    " WHERE s.status = 'closed' AND s.closed_at >= ? AND (b.session_id IS NULL OR"
    " b.closed_at < s.closed_at) ORDER BY s.closed_at DESC, s.id LIMIT 64";

int bundle_closed_pending(struct db *db, int64_t since, int64_t *ids, size_t cap, size_t *n)
{
	struct db_ids all = {NULL, 0};
	int rc = db_each(db, sql_pending, db_ids_row, &all, "i", since);
	size_t i;

	*n = 0;
	for (i = 0; !rc && i < all.n && i < cap; i++)
		ids[(*n)++] = all.ids[i];
	free(all.ids);
	return rc;
}

static const char sql_closed_at_start[] =
    "SELECT id FROM session WHERE status = 'closed' AND closed_at >= ? ORDER BY id";

int bundle_closed_at_start(struct db *db, int64_t since, struct db_ids *out)
{
	return db_each(db, sql_closed_at_start, db_ids_row, out, "i", since);
}

int bundle_mark_exported(struct db *db, int64_t session_id, const char *path)
{
	return db_exec(
	    db,
	    "INSERT INTO bundle_exported (session_id, closed_at, path, at)"
	    " VALUES (?1, (SELECT COALESCE(closed_at, ?4) FROM session WHERE id = ?1), ?2,"
	    " ?3) ON CONFLICT (session_id) DO UPDATE SET closed_at = excluded.closed_at,"
	    " path = excluded.path, at = excluded.at",
	    "isii", session_id, path, time_now(), (int64_t)0);
}
