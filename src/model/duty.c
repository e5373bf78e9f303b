/*
 * duty.c - duty records (履职档案): points a person earns for attending a session, speaking
 * at one, and having a suggestion adopted into an output. Each body sets its own points
 * (defaults 5, 2, 5); a credit is recorded once per person, kind and thing credited, with
 * the points in force at the time.
 */
#include "rules.h"
#include "session.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static const struct {
	const char *kind;
	int points;
} defaults[] = {{"attended", 5}, {"remark", 2}, {"adopted", 5}};

static const char sql_session_org[] = "SELECT org_id FROM session WHERE id = ?";
static const char sql_points[] = "SELECT points FROM duty_points WHERE org_id = ? AND kind = ?";
static const char sql_set[] = "INSERT INTO duty_points (org_id, kind, points) VALUES (?, ?, ?)"
			      " ON CONFLICT (org_id, kind) DO UPDATE SET points = excluded.points";
static const char sql_credit[] =
    "INSERT INTO duty_record (org_id, person_id, kind, points, session_id, ref_id, year, at)"
    " VALUES (?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?) ON CONFLICT (person_id, kind, "
    "ref_id) DO NOTHING";
static const char sql_revoke[] = "DELETE FROM duty_record WHERE person_id = ? AND kind = ?"
				 " AND ref_id = ?";
static const char sql_items[] =
    "SELECT d.id, d.kind, d.points, COALESCE(d.session_id, 0), COALESCE(s.title, ''),"
    " d.ref_id, d.at, d.org_id, COALESCE(s.org_id, d.org_id), COALESCE(so.name, '')"
    " FROM duty_record d LEFT JOIN session s ON s.id = d.session_id"
    " LEFT JOIN org so ON so.id = s.org_id"
    " WHERE d.person_id = ? AND d.year = ? ORDER BY d.at, d.id";

static int duty_points_default(const char *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(defaults); i++)
		if (strcmp(kind, defaults[i].kind) == 0)
			return defaults[i].points;
	return 0;
}

int duty_points_of(struct db *db, int64_t org_id, const char *kind)
{
	struct rules rules;
	int64_t points;
	int n;

	if (db_get_int(db, sql_points, &points, "is", org_id, kind) == ERR_OK && points >= 0)
		return (int)points;
	if (rules_in_force_of(db, org_id, &rules) != ERR_OK)
		return duty_points_default(kind);
	n = rules_duty_points(&rules, kind);
	rules_release(&rules);
	return n < 0 ? duty_points_default(kind) : n;
}

int duty_set_points(struct db *db, const struct actor *who, int64_t org_id, const char *kind,
		    int points, struct verr *e)
{
	json_t *b, *a;
	size_t i;
	int rc, before;

	for (i = 0; i < ARRAY_LEN(defaults); i++)
		if (strcmp(kind, defaults[i].kind) == 0)
			break;
	if (i == ARRAY_LEN(defaults))
		return verr_set(e, "invalid", "kind", "积分项须为 attended、remark 或 adopted",
				"kind must be attended, remark or adopted");
	if (points < 0 || points > 1000)
		return verr_set(e, "invalid", "points", "分值须为 0 到 1000",
				"points must be 0 to 1000");
	before = duty_points_of(db, org_id, kind);
	rc = db_exec(db, sql_set, "isn", org_id, kind, points);
	if (rc)
		return rc;
	b = json_pack("{ss si}", "kind", kind, "points", before);
	a = json_pack("{ss si}", "kind", kind, "points", points);
	rc = audit_write(db, who, org_id, "duty.points", "org", org_id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

/* credit_points: the points of kind that body org_id (the one credited) set itself (duty
 * page), else those of its work rules: for a credit earned in a session it hosts, of the
 * session's own version (the one it was scheduled under); otherwise (no session, or a
 * member of a linked body of a joint session) of the version in force for org_id. */
static int credit_points(struct db *db, int64_t org_id, int64_t session_id, const char *kind)
{
	struct rules rules;
	int64_t points, host = 0;
	int n;

	if (db_get_int(db, sql_points, &points, "is", org_id, kind) == ERR_OK && points >= 0)
		return (int)points;
	if (session_id && db_get_int(db, sql_session_org, &host, "i", session_id) != ERR_OK)
		host = 0;
	if ((session_id && host == org_id ? rules_for_session(db, session_id, &rules)
					  : rules_in_force_of(db, org_id, &rules)) != ERR_OK)
		return duty_points_default(kind);
	n = rules_duty_points(&rules, kind);
	rules_release(&rules);
	return n < 0 ? 0 : n;
}

/* the body a credit at session ?3 (0: an output) of body ?2 goes to: for a member of a
 * linked body of a joint session (the person's body is one or below one), the person's
 * own body; for the people of ?2 and the bodies below it, ?2; for anyone else, their own */
static const char sql_credit_org[] =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM session_org so JOIN org lo ON lo.id = so.org_id"
    " WHERE so.session_id = ?3 AND substr(po.path, 1, length(lo.path)) = lo.path) THEN po.id"
    " WHEN substr(po.path, 1, length(ho.path)) = ho.path THEN ho.id ELSE po.id END"
    " FROM person p JOIN org po ON po.id = p.org_id JOIN org ho ON ho.id = ?2 WHERE p.id = ?1";

int duty_credit(struct db *db, int64_t org_id, int64_t person_id, const char *kind,
		int64_t session_id, int64_t ref_id, int64_t at)
{
	int64_t to = org_id;
	int rc = db_get_int(db, sql_credit_org, &to, "iii", person_id, org_id, session_id);

	if (rc == ERR_NOT_FOUND)
		to = org_id;
	else if (rc)
		return rc;
	return db_exec(db, sql_credit, "iisniini", to, person_id, kind,
		       credit_points(db, to, session_id, kind), session_id, ref_id, time_year(at),
		       at);
}

int duty_revoke(struct db *db, int64_t person_id, const char *kind, int64_t ref_id)
{
	return db_exec(db, sql_revoke, "isi", person_id, kind, ref_id);
}

int duty_record_authorize(struct db *db, const struct actor *a, int64_t person_id, char *name,
			  size_t n)
{
	struct db_stmt *st;
	bool visible;
	int rc;

	if (person_id <= 0)
		return ERR_NOT_FOUND;
	rc = db_get_row(db,
			"SELECT o.path, COALESCE(p.user_id, 0), p.name FROM person p JOIN org o"
			" ON o.id = p.org_id WHERE p.id = ?",
			&st, "i", person_id);
	if (rc)
		return rc;
	visible = strncmp(db_col_text(st, 0), scope_path(a), strlen(scope_path(a))) == 0 ||
		  (a->user.id && db_col_int(st, 1) == a->user.id);
	if (name && n)
		snprintf(name, n, "%s", db_col_text(st, 2));
	db_done(st);
	return authz_decide(a, visible, visible);
}

void duty_record_init(struct duty_record *d)
{
	memset(d, 0, sizeof(*d));
}

void duty_record_release(struct duty_record *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->items[i].session_title);
	free(d->items);
	duty_record_init(d);
}

static int item_row(struct db_stmt *st, void *ud)
{
	struct duty_record *d = ud;
	struct duty_item *grown = realloc(d->items, (d->n + 1) * sizeof(*grown)), *x;

	if (!grown)
		return ERR_NOMEM;
	d->items = grown;
	x = &grown[d->n];
	memset(x, 0, sizeof(*x));
	x->session_title = db_col_dup(st, 4);
	if (!x->session_title)
		return ERR_NOMEM;
	d->n++;
	x->id = db_col_int(st, 0);
	x->points = db_col_int(st, 2);
	x->session_id = db_col_int(st, 3);
	x->ref_id = db_col_int(st, 5);
	x->at = db_col_int(st, 6);
	x->org_id = db_col_int(st, 7);
	x->joint = x->session_id && db_col_int(st, 8) != x->org_id;
	d->total += x->points;
	if (copy_field(x->host_name, sizeof(x->host_name), db_col_text(st, 9)))
		return ERR_TOO_BIG;
	return copy_field(x->kind, sizeof(x->kind), db_col_text(st, 1));
}

int duty_record_read(struct db *db, int64_t person_id, int year, struct duty_record *d)
{
	int rc;

	duty_record_release(d);
	d->year = year;
	rc = db_each(db, sql_items, item_row, d, "in", person_id, year);
	if (rc) {
		duty_record_release(d);
		d->year = year;
	}
	return rc;
}
