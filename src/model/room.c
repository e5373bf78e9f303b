/*
 * room.c - rooms, participants, statements, votes, snapshots (see room.h).
 */
#include "room.h"
#include "session.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/util.h"
#include "db/db.h"

static const char sql_room[] = "SELECT session_id, org_id, code, open, anonymous, moderation"
			       " FROM room WHERE session_id = ?";
static const char sql_room_code[] = "SELECT session_id, org_id, code, open, anonymous, moderation"
				    " FROM room WHERE code = ?";
static const char sql_room_add[] = "INSERT INTO room (session_id, org_id, code, open, anonymous,"
				   " moderation, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_room_set[] = "UPDATE room SET open = ?, anonymous = ?, moderation = ?"
				   " WHERE session_id = ?";

static int room_read(struct db *db, const char *sql, int64_t id, const char *code, struct room *r)
{
	struct db_stmt *st;
	int rc = code ? db_get_row(db, sql, &st, "s", code) : db_get_row(db, sql, &st, "i", id);

	if (rc)
		return rc;
	memset(r, 0, sizeof(*r));
	r->session_id = db_col_int(st, 0);
	r->org_id = db_col_int(st, 1);
	rc = copy_field(r->code, sizeof(r->code), db_col_text(st, 2));
	r->open = db_col_int(st, 3) != 0;
	r->anonymous = db_col_int(st, 4) != 0;
	if (!rc)
		rc = copy_field(r->moderation, sizeof(r->moderation), db_col_text(st, 5));
	db_done(st);
	return rc;
}

int room_get(struct db *db, int64_t session_id, struct room *r)
{
	return room_read(db, sql_room, session_id, NULL, r);
}

int room_by_code(struct db *db, const char *code, struct room *r)
{
	return room_read(db, sql_room_code, 0, code, r);
}

/* --- who may --- */

int room_authorize(struct db *db, const struct actor *a, int64_t session_id, enum room_op op,
		   struct room_access *out)
{
	bool anon_room, visible, allowed = false;
	int rc;

	memset(out, 0, sizeof(*out));
	if (session_id <= 0)
		return ERR_NOT_FOUND;
	rc = session_head(db, session_id, &out->session);
	if (rc)
		return rc;
	rc = room_get(db, session_id, &out->room);
	if (rc == ERR_OK)
		out->has_room = true;
	else if (rc == ERR_NOT_FOUND)
		memset(&out->room, 0, sizeof(out->room));
	else
		return rc;
	anon_room =
	    out->has_room && out->room.anonymous && strcmp(out->session.visibility, "public") == 0;
	visible = anon_room || session_visible(db, a, &out->session);
	out->editable = session_editable(a, &out->session);
	switch (op) {
	case ROOM_READ:
		allowed = visible;
		break;
	case ROOM_TAKE_PART:
		allowed = visible && (a->via != AUTH_NONE || anon_room);
		break;
	case ROOM_MANAGE:
		allowed = out->editable;
		break;
	}
	return authz_decide(a, visible, allowed);
}

int room_authorize_code(struct db *db, const struct actor *a, const char *code, enum room_op op,
			struct room_access *out)
{
	struct room r;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!code)
		return ERR_NOT_FOUND;
	rc = room_by_code(db, code, &r);
	if (rc)
		return rc;
	return room_authorize(db, a, r.session_id, op, out);
}

bool room_accepts(const struct room_access *ra)
{
	const char *st = ra->session.status;

	return ra->has_room && ra->room.open && strcmp(st, "closed") != 0 &&
	       strcmp(st, "archived") != 0;
}

/* new_code makes a 6-character join code from an alphabet without look-alikes. */
static void new_code(char out[8])
{
	static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
	unsigned char r[6];
	size_t i;

	randombytes_buf(r, sizeof(r));
	for (i = 0; i < 6; i++)
		out[i] = alphabet[r[i] % (sizeof(alphabet) - 1)];
	out[6] = '\0';
}

int room_set(struct db *db, const struct actor *who, int64_t session_id, int anonymous,
	     const char *moderation, int open, struct room *out, struct verr *e)
{
	struct session_head h;
	struct room r;
	json_t *b = NULL, *a;
	int rc, tries;

	if (moderation && strcmp(moderation, "pre") != 0 && strcmp(moderation, "post") != 0)
		return verr_set(e, "invalid", "moderation",
				"审核方式须为 pre（先审后发）或 post（先发后审）",
				"moderation must be pre or post");
	rc = session_head(db, session_id, &h);
	if (rc)
		return rc;
	rc = room_get(db, session_id, &r);
	if (rc == ERR_NOT_FOUND) {
		memset(&r, 0, sizeof(r));
		r.session_id = session_id;
		r.org_id = h.org_id;
		r.open = open != 0;
		r.anonymous = anonymous > 0;
		snprintf(r.moderation, sizeof(r.moderation), "%s",
			 moderation ? moderation : "post");
		for (tries = 0; tries < 8; tries++) {
			new_code(r.code);
			rc = db_exec(db, sql_room_add, "iisnnsi", session_id, h.org_id, r.code,
				     (int)r.open, (int)r.anonymous, r.moderation, time_now());
			if (rc != ERR_CONFLICT)
				break;
		}
	} else if (rc == ERR_OK) {
		b = json_pack("{sb sb ss}", "open", r.open, "anonymous", r.anonymous, "moderation",
			      r.moderation);
		if (open >= 0)
			r.open = open != 0;
		if (anonymous >= 0)
			r.anonymous = anonymous != 0;
		if (moderation)
			snprintf(r.moderation, sizeof(r.moderation), "%s", moderation);
		rc = db_exec(db, sql_room_set, "nnsi", (int)r.open, (int)r.anonymous, r.moderation,
			     session_id);
	}
	if (rc) {
		json_decref(b);
		return rc;
	}
	a = json_pack("{ss sb sb ss}", "code", r.code, "open", r.open, "anonymous", r.anonymous,
		      "moderation", r.moderation);
	rc = audit_write(db, who, h.org_id, "room.set", "session", session_id, b, a);
	json_decref(a);
	json_decref(b);
	if (!rc && out)
		*out = r;
	return rc;
}

/* --- participants --- */

static const char sql_part_user[] = "SELECT id FROM participant WHERE session_id = ?"
				    " AND user_id = ?";
static const char sql_part_anon[] = "SELECT id FROM participant WHERE session_id = ?"
				    " AND anon_hash = ?";
static const char sql_part_add[] = "INSERT INTO participant (org_id, session_id, user_id,"
				   " anon_hash, category, created_at) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_user_cat[] = "SELECT category FROM person WHERE user_id = ?";
static const char sql_part_cat[] = "UPDATE participant SET category = ? WHERE id = ?";

static const char *const categories[] = {"member",	 "leader",     "expert",
					 "entrepreneur", "sector_rep", "social_org",
					 "official",	 "think_tank", "citizen"};

static bool category_ok(const char *c)
{
	size_t i;

	for (i = 0; c && i < ARRAY_LEN(categories); i++)
		if (strcmp(c, categories[i]) == 0)
			return true;
	return false;
}

static int find_or_add(struct db *db, const struct room *r, const char *sql_find, int64_t user,
		       const char *anon, const char *category, int64_t *id)
{
	int rc = anon ? db_get_int(db, sql_find, id, "is", r->session_id, anon)
		      : db_get_int(db, sql_find, id, "ii", r->session_id, user);

	/* an anonymous browser may declare its category after its first vote: the declaration
	 * replaces the default it was counted under (a signed-in one has its registry's) */
	if (rc == ERR_OK && anon && category_ok(category))
		return db_exec(db, sql_part_cat, "si", category, *id);
	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = anon ? db_exec(db, sql_part_add, "ii0ssi", r->org_id, r->session_id, anon,
			    category_ok(category) ? category : "citizen", time_now())
		  : db_exec(db, sql_part_add, "iii0si", r->org_id, r->session_id, user,
			    category_ok(category) ? category : "citizen", time_now());
	if (!rc)
		*id = db_last_id(db);
	return rc;
}

int participant_of_user(struct db *db, const struct room *r, const struct user *u, int64_t *id)
{
	struct db_stmt *st;
	char cat[24] = "citizen";

	if (db_get_row(db, sql_user_cat, &st, "i", u->id) == ERR_OK) {
		if (copy_field(cat, sizeof(cat), db_col_text(st, 0)))
			snprintf(cat, sizeof(cat), "citizen");
		db_done(st);
	}
	return find_or_add(db, r, sql_part_user, u->id, NULL, cat, id);
}

int participant_of_anon(struct db *db, const struct room *r, const char *anon_hash,
			const char *category, int64_t *id)
{
	return find_or_add(db, r, sql_part_anon, 0, anon_hash, category, id);
}

static const char sql_part_cat_get[] = "SELECT category FROM participant WHERE id = ?";

bool participant_category_valid(const char *category)
{
	return category_ok(category);
}

int participant_category_get(struct db *db, int64_t id, char *out, size_t n)
{
	struct db_stmt *st;
	int rc;

	out[0] = '\0';
	rc = db_get_row(db, sql_part_cat_get, &st, "i", id);
	if (rc)
		return rc;
	rc = copy_field(out, n, db_col_text(st, 0));
	db_done(st);
	return rc;
}

int participant_category(struct db *db, int64_t id, const char *category, struct verr *e)
{
	if (!category_ok(category))
		return verr_set(e, "invalid", "category", "身份类别无效", "unknown category");
	return db_exec(db, sql_part_cat, "si", category, id);
}

/* --- statements --- */

static const char sql_st_head[] = "SELECT id, session_id, org_id, status FROM statement"
				  " WHERE id = ?";
static const char sql_st_dup[] = "SELECT 1 FROM statement WHERE session_id = ? AND text = ?";
static const char sql_st_add[] = "INSERT INTO statement (org_id, session_id, participant_id,"
				 " text, status, created_at) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_st_mod[] = "UPDATE statement SET status = ?, moderated_at = ?,"
				 " moderated_by = ? WHERE id = ?";
int statement_head(struct db *db, int64_t id, struct statement_head *s)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_st_head, &st, "i", id);

	if (rc)
		return rc;
	s->id = db_col_int(st, 0);
	s->session_id = db_col_int(st, 1);
	s->org_id = db_col_int(st, 2);
	rc = copy_field(s->status, sizeof(s->status), db_col_text(st, 3));
	db_done(st);
	return rc;
}

int statement_authorize(struct db *db, const struct actor *a, int64_t id, enum room_op op,
			struct statement_head *s, struct room_access *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = id > 0 ? statement_head(db, id, s) : ERR_NOT_FOUND;
	if (rc)
		return rc;
	return room_authorize(db, a, s->session_id, op, out);
}

/* the columns of a statement, for read_statement; ?2 is the participant whose vote comes
 * along (0: nobody's) */
#define ST_COLS                                                                                    \
	"SELECT s.id, s.session_id, s.org_id, s.participant_id, s.text, s.status,"                 \
	" s.created_at, s.moderated_at,"                                                           \
	" CASE WHEN s.external_id IS NOT NULL THEN 3 WHEN p.user_id IS NOT NULL THEN 1"            \
	" WHEN p.anon_hash IS NOT NULL THEN 2 ELSE 0 END,"                                         \
	" (SELECT COUNT(*) FROM vote v WHERE v.statement_id = s.id AND v.value = 1),"              \
	" (SELECT COUNT(*) FROM vote v WHERE v.statement_id = s.id AND v.value = -1),"             \
	" (SELECT COUNT(*) FROM vote v WHERE v.statement_id = s.id AND v.value = 0),"              \
	" (SELECT v.value FROM vote v WHERE v.statement_id = s.id AND v.participant_id = ?2)"      \
	" FROM statement s LEFT JOIN participant p ON p.id = s.participant_id"

static const char sql_st_get[] = ST_COLS " WHERE s.id = ?1";
static const char sql_st_list[] = ST_COLS " WHERE s.session_id = ?1 AND (?3 OR s.status = "
					  "'accepted') ORDER BY s.id";

static int read_statement(struct db_stmt *st, struct statement *s)
{
	memset(s, 0, sizeof(*s));
	s->id = db_col_int(st, 0);
	s->session_id = db_col_int(st, 1);
	s->org_id = db_col_int(st, 2);
	s->participant_id = db_col_null(st, 3) ? 0 : db_col_int(st, 3);
	s->text = db_col_dup(st, 4);
	if (!s->text)
		return ERR_NOMEM;
	s->created_at = db_col_int(st, 6);
	s->moderated_at = db_col_null(st, 7) ? 0 : db_col_int(st, 7);
	s->author = (enum statement_author)db_col_int(st, 8);
	s->agree = db_col_int(st, 9);
	s->disagree = db_col_int(st, 10);
	s->pass = db_col_int(st, 11);
	s->voted = !db_col_null(st, 12);
	s->my_vote = s->voted ? (int)db_col_int(st, 12) : 0;
	return copy_field(s->status, sizeof(s->status), db_col_text(st, 5));
}

void statement_release(struct statement *s)
{
	free(s->text);
	memset(s, 0, sizeof(*s));
}

int statement_get(struct db *db, int64_t id, struct statement *out)
{
	struct db_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_get_row(db, sql_st_get, &st, "ii", id, (int64_t)0);
	if (rc)
		return rc;
	rc = read_statement(st, out);
	db_done(st);
	if (rc)
		statement_release(out);
	return rc;
}

static int list_row(struct db_stmt *st, void *ud)
{
	struct statement_list *l = ud;
	int rc;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct statement *p = realloc(l->items, cap * sizeof(*p));

		if (!p)
			return ERR_NOMEM;
		l->items = p;
		l->cap = cap;
	}
	rc = read_statement(st, &l->items[l->n]);
	if (rc) {
		statement_release(&l->items[l->n]);
		return rc;
	}
	l->n++;
	return ERR_OK;
}

int statement_list(struct db *db, int64_t session_id, bool all, int64_t participant,
		   struct statement_list *out)
{
	memset(out, 0, sizeof(*out));
	return db_each(db, sql_st_list, list_row, out, "iin", session_id, participant, (int)all);
}

void statement_list_release(struct statement_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		statement_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int statement_add(struct db *db, const struct room *r, int64_t participant, const char *text,
		  int64_t *id, struct verr *e)
{
	int64_t one;
	int rc;

	if (!r->open)
		return verr_set(e, "closed", "session", "本场深聊会已停止征集观点",
				"this session is not taking statements"),
		       ERR_CONFLICT;
	if (!text)
		return verr_set(e, "required", "text", "请写下您的观点", "text is required");
	rc = text_check(text, "text", 1, 280, e);
	if (rc)
		return rc;
	rc = db_get_int(db, sql_st_dup, &one, "is", r->session_id, text);
	if (rc == ERR_OK)
		return verr_set(e, "conflict", "text", "已有相同的观点",
				"the same statement exists"),
		       ERR_CONFLICT;
	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = participant
		 ? db_exec(db, sql_st_add, "iiissi", r->org_id, r->session_id, participant, text,
			   strcmp(r->moderation, "pre") == 0 ? "pending" : "accepted", time_now())
		 : db_exec(db, sql_st_add, "ii0ssi", r->org_id, r->session_id, text,
			   strcmp(r->moderation, "pre") == 0 ? "pending" : "accepted", time_now());
	if (!rc) {
		json_t *after = json_pack("{sI sI ss}", "session_id", (json_int_t)r->session_id,
					  "participant_id", (json_int_t)participant, "text", text);

		*id = db_last_id(db);
		rc = audit_write(db, NULL, r->org_id, "statement.create", "statement", *id, NULL,
				 after);
		json_decref(after);
	}
	/* an accepted statement is found by search (its text only, never who wrote it) */
	if (!rc && strcmp(r->moderation, "pre") != 0)
		rc = search_put(db, "statement", *id, r->session_id, r->org_id, "", text);
	return rc;
}

static const char sql_st_text[] = "SELECT session_id, org_id, text, status = 'accepted'"
				  " AND erased = FALSE FROM statement WHERE id = ?";

int statement_index(struct db *db, int64_t id)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_st_text, &st, "i", id);

	if (rc == ERR_NOT_FOUND)
		return search_drop(db, "statement", id);
	if (rc)
		return rc;
	rc = db_col_int(st, 3) ? search_put(db, "statement", id, db_col_int(st, 0),
					    db_col_int(st, 1), "", db_col_text(st, 2))
			       : search_drop(db, "statement", id);
	db_done(st);
	return rc;
}

int statement_moderate(struct db *db, const struct actor *who, int64_t id, const char *status,
		       struct verr *e)
{
	struct statement_head s;
	json_t *b, *a;
	int rc;

	if (!status || (strcmp(status, "accepted") != 0 && strcmp(status, "rejected") != 0))
		return verr_set(e, "invalid", "status", "审核结果须为 accepted 或 rejected",
				"status must be accepted or rejected");
	rc = statement_head(db, id, &s);
	if (!rc)
		rc = who->user.id
			 ? db_exec(db, sql_st_mod, "siii", status, time_now(), who->user.id, id)
			 : db_exec(db, sql_st_mod, "si0i", status, time_now(), id);
	if (!rc)
		rc = statement_index(db, id);
	if (rc)
		return rc;
	b = json_pack("{ss}", "status", s.status);
	a = json_pack("{ss}", "status", status);
	rc = audit_write(db, who, s.org_id, "statement.moderate", "statement", id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

static const char sql_vote[] =
    "INSERT INTO vote (statement_id, participant_id, session_id, value, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (statement_id, participant_id)"
    " DO UPDATE SET value = excluded.value, at = excluded.at";

static const char sql_tally[] =
    "INSERT INTO vote_tally (statement_id, minute, session_id, org_id, agree, disagree, pass)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (statement_id, minute) DO UPDATE SET"
    " agree = vote_tally.agree + excluded.agree,"
    " disagree = vote_tally.disagree + excluded.disagree, pass = vote_tally.pass + excluded.pass";

int vote_check(const struct statement_head *s, int value, struct verr *e)
{
	if (value < -1 || value > 1)
		return verr_set(e, "invalid", "vote", "表态须为 1（赞成）、-1（反对）或 0（跳过）",
				"vote must be 1 (agree), -1 (disagree) or 0 (pass)");
	if (strcmp(s->status, "accepted") != 0)
		return verr_set(e, "not_votable", "statement", "该观点尚未通过审核或已被移除",
				"this statement is not open for votes"),
		       ERR_CONFLICT;
	return ERR_OK;
}

int vote_put(struct db *db, const struct statement_head *s, int64_t participant, int value,
	     struct verr *e)
{
	int rc = vote_check(s, value, e);

	if (!rc)
		rc = vote_write(db, s, participant, value, time_now_us());
	if (!rc)
		rc = vote_tally_add(db, s, time_now() / 60, value == 1, value == -1, value == 0);
	return rc;
}

int vote_write(struct db *db, const struct statement_head *s, int64_t participant, int value,
	       int64_t at_us)
{
	return db_exec(db, sql_vote, "iiini", s->id, participant, s->session_id, value, at_us);
}

int vote_tally_add(struct db *db, const struct statement_head *s, int64_t minute, int agree,
		   int disagree, int pass)
{
	return db_exec(db, sql_tally, "iiiinnn", s->id, minute, s->session_id, s->org_id, agree,
		       disagree, pass);
}

/* --- votes in the audit log: counts per statement per minute --- */

static const char sql_tally_open[] =
    "SELECT statement_id, minute, session_id, org_id, agree, disagree, pass FROM vote_tally"
    " WHERE audited = FALSE AND minute < ? ORDER BY minute, statement_id LIMIT 256";
static const char sql_tally_done[] = "UPDATE vote_tally SET audited = TRUE"
				     " WHERE statement_id = ? AND minute = ?";

struct tally {
	int64_t statement, minute, session, org, agree, disagree, pass;
};

struct tallies {
	struct tally t[256];
	size_t n;
};

static int tally_row(struct db_stmt *st, void *ud)
{
	struct tallies *l = ud;
	struct tally *t = &l->t[l->n++];

	t->statement = db_col_int(st, 0);
	t->minute = db_col_int(st, 1);
	t->session = db_col_int(st, 2);
	t->org = db_col_int(st, 3);
	t->agree = db_col_int(st, 4);
	t->disagree = db_col_int(st, 5);
	t->pass = db_col_int(st, 6);
	return ERR_OK;
}

int vote_tally_flush(struct db *db, int64_t now, int64_t *written)
{
	struct tallies *l = malloc(sizeof(*l));
	char from[21];
	size_t i;
	int rc = l ? ERR_OK : ERR_NOMEM;

	if (written)
		*written = 0;
	while (!rc) {
		l->n = 0;
		rc = db_each(db, sql_tally_open, tally_row, l, "i", now / 60);
		for (i = 0; !rc && i < l->n; i++) {
			const struct tally *t = &l->t[i];
			json_t *a;

			time_iso(t->minute * 60, from);
			a = json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "session",
				      (json_int_t)t->session, "minute", from, "votes",
				      (json_int_t)(t->agree + t->disagree + t->pass), "agree",
				      (json_int_t)t->agree, "disagree", (json_int_t)t->disagree,
				      "pass", (json_int_t)t->pass);
			rc = a ? audit_write(db, NULL, t->org, "votes.counted", "statement",
					     t->statement, NULL, a)
			       : ERR_NOMEM;
			json_decref(a);
			if (!rc)
				rc = db_exec(db, sql_tally_done, "ii", t->statement, t->minute);
			if (!rc && written)
				(*written)++;
		}
		if (l->n < 256)
			break;
	}
	free(l);
	return rc;
}

/* --- snapshots --- */

static const char sql_snap[] = "SELECT version, snapshot FROM opinion_snapshot"
			       " WHERE session_id = ?";
static const char sql_snap_version[] = "SELECT version FROM opinion_snapshot WHERE session_id = ?";

json_t *snapshot_get(struct db *db, int64_t session_id, int64_t *version)
{
	struct db_stmt *st;
	json_t *j;

	*version = 0;
	if (db_get_row(db, sql_snap, &st, "i", session_id))
		return NULL;
	*version = db_col_int(st, 0);
	j = json_loadb(db_col_text(st, 1), db_col_len(st, 1), 0, NULL);
	db_done(st);
	return j;
}

int64_t snapshot_version(struct db *db, int64_t session_id)
{
	int64_t v;

	return db_get_int(db, sql_snap_version, &v, "i", session_id) == ERR_OK ? v : 0;
}

static const char sql_exp_votes[] = "SELECT statement_id, participant_id, value, at FROM vote"
				    " WHERE session_id = ? ORDER BY statement_id, participant_id";

struct votes_each {
	room_vote_fn fn;
	void *ud;
};

static int vote_each_row(struct db_stmt *st, void *ud)
{
	const struct votes_each *w = ud;
	struct room_vote v = {db_col_int(st, 0), db_col_int(st, 1), (int)db_col_int(st, 2),
			      db_col_int(st, 3)};

	return w->fn(&v, w->ud);
}

int room_votes_each(struct db *db, int64_t session_id, room_vote_fn fn, void *ud)
{
	struct votes_each w = {fn, ud};

	return db_each(db, sql_exp_votes, vote_each_row, &w, "i", session_id);
}

/* --- imports of conversations held elsewhere (Pol.is) --- */

static const char sql_imp_st[] =
    "INSERT INTO statement (org_id, session_id, text, status, external_id, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_imp_part[] = "INSERT INTO participant (org_id, session_id, external_id,"
				   " category, created_at) VALUES (?, ?, ?, 'citizen', ?)";
static const char sql_imp_vote[] =
    "INSERT INTO vote (statement_id, participant_id, session_id, value, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (statement_id, participant_id)"
    " DO UPDATE SET value = excluded.value, at = excluded.at WHERE excluded.at >= vote.at";

int room_import_statement(struct db *db, const struct room *r, const char *external_id,
			  const char *text, bool moderated_out, int64_t *id)
{
	int rc = db_exec(db, sql_imp_st, "iisssi", r->org_id, r->session_id, text,
			 moderated_out ? "rejected" : "accepted", external_id, time_now());

	if (!rc)
		*id = db_last_id(db);
	if (!rc && !moderated_out)
		rc = search_put(db, "statement", *id, r->session_id, r->org_id, "", text);
	return rc;
}

int room_import_participant(struct db *db, const struct room *r, const char *external_id,
			    int64_t *id)
{
	int rc =
	    db_exec(db, sql_imp_part, "iisi", r->org_id, r->session_id, external_id, time_now());

	if (!rc)
		*id = db_last_id(db);
	return rc;
}

int room_import_vote(struct db *db, int64_t session_id, int64_t statement, int64_t participant,
		     int value, int64_t at)
{
	return db_exec(db, sql_imp_vote, "iiini", statement, participant, session_id, value, at);
}
