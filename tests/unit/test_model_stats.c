/*
 * test_model_stats.c - the statistics summary (migration 0022, stats.c) against the full
 * computation: after a random series of changes to every kind of row the statistics are
 * made from (sessions, topics, invitations, people, suggestions, outputs, adoptions, links
 * to sessions and to linked bodies, a body moved in the tree), stats_compute (read from the
 * cells the changes refreshed) gives exactly what stats_compute_full gives from the rows,
 * for every body, both scopes and several periods. Some changes go through store_commit
 * (as the server's writes do, refreshing in their transaction), others straight to the
 * database without it (as a bulk load does, refreshed by the next reader). Runs on SQLite,
 * and on PostgreSQL under SHENLIAO_TEST_PG.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_fixture.h"
#include "base/util.h"
#include "model/output.h"
#include "model/store.h"

static int group_setup(void **state)
{
	(void)mfix_begin;
	(void)mfix_commit;
	return mfix_setup(state);
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

static uint64_t seed = 14;

static int rnd(int n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (int)((seed >> 33) % (uint64_t)n);
}

/* a time in 2023-11 .. 2026-01 (China time), so the periods below have edges inside it */
static int64_t rnd_time(void)
{
	return 1698768000 + (int64_t)rnd(800) * 86400 + rnd(86400);
}

static const char *pick(const char *const *v, size_t n)
{
	return v[rnd((int)n)];
}

#define PICK(v) pick(v, sizeof(v) / sizeof(v[0]))

static const char *const domains[] = {"economy", "society", "culture", "digital"};
static const char *const statuses[] = {"draft", "scheduled", "live", "closed", "archived"};
static const char *const units[] = {"经济委员会", "妇联界别", "", "社会和法制委员会"};
static const char *const categories[] = {"member", "expert", "official", "citizen"};
static const char *const rsvps[] = {"pending", "accepted", "declined"};
static const char *const kinds[] = {"proposal", "opinion_report", "speech", "proposal"};
static const char *const states[] = {"draft", "submitted", "accepted", "not_accepted", "replied"};
static const char *const sats[] = {"satisfied", "basically_satisfied", "dissatisfied"};
static const char *const akinds[] = {"instruction", "policy", "media", "escalation"};

/* ANY_ID(table): the id of a random row of table, 0 when it has none (the statements are
 * literals: the statement cache knows a statement by its text's address) */
#define ANY_ID(db, table)                                                                          \
	any_id(db, "SELECT COUNT(*) FROM " table,                                                  \
	       "SELECT id FROM " table " ORDER BY id LIMIT 1 OFFSET ?")

static int64_t any_id(struct db *db, const char *count, const char *nth)
{
	int64_t n = 0, id = 0;

	if (db_get_int(db, count, &n, "") || n == 0)
		return 0;
	if (db_get_int(db, nth, &id, "i", (int64_t)rnd((int)n)))
		return 0;
	return id;
}

static int64_t org_of(struct mfix *f)
{
	const struct org *o[] = {&f->province, &f->city, &f->district, &f->other};

	return o[rnd(4)]->id;
}

/* change makes one random change; a refused one (a constraint) changes nothing */
static void change(struct mfix *f)
{
	struct db *db = f->db;
	int64_t t = rnd_time(), now = 1700000000, s = ANY_ID(db, "session"),
		o = ANY_ID(db, "output");
	int k = rnd(17);
	int rc = ERR_OK;

	switch (k) {
	case 0:
	case 1:
		rc = db_exec(
		    db,
		    "INSERT INTO topic (org_id, title, domain, origin, created_at, updated_at)"
		    " VALUES (?, 't', ?, 'member', ?, ?)",
		    "isii", org_of(f), PICK(domains), now, now);
		/* fall through: a session on a topic */
		__attribute__((fallthrough));
	case 2:
	case 3:
		if (!rc && ANY_ID(db, "topic"))
			rc = db_exec(
			    db,
			    "INSERT INTO session (org_id, topic_id, title, starts_at, formats,"
			    " organizer_unit, status, visibility, created_at, updated_at)"
			    " VALUES (?, ?, 's', ?, ?, ?, ?, 'public', ?, ?)",
			    "iizissii", org_of(f), ANY_ID(db, "topic"), rnd(8) ? t : (int64_t)0,
			    (int64_t)rnd(16), PICK(units), PICK(statuses), now, now);
		break;
	case 4:
		if (s)
			rc = db_exec(db,
				     "UPDATE session SET starts_at = ?, status = ?, formats = ?,"
				     " organizer_unit = ? WHERE id = ?",
				     "isisi", t, PICK(statuses), (int64_t)rnd(16), PICK(units), s);
		break;
	case 5:
		if (s)
			rc = db_exec(db, "UPDATE session SET org_id = ? WHERE id = ?", "ii",
				     org_of(f), s);
		break;
	case 6:
		rc = db_exec(db, "UPDATE topic SET domain = ? WHERE id = ?", "si", PICK(domains),
			     ANY_ID(db, "topic"));
		break;
	case 7:
		rc = db_exec(db,
			     "INSERT INTO person (org_id, name, category, created_at, updated_at)"
			     " VALUES (?, 'p', ?, ?, ?)",
			     "isii", org_of(f), PICK(categories), now, now);
		if (!rc && s)
			rc = db_exec(
			    db,
			    "INSERT INTO invitation (org_id, session_id, person_id, role, rsvp,"
			    " created_at) VALUES (?, ?, ?, 'expert', ?, ?)",
			    "iiisi", org_of(f), s, ANY_ID(db, "person"), PICK(rsvps), now);
		break;
	case 8:
		rc = db_exec(db, "UPDATE invitation SET rsvp = ? WHERE id = ?", "si", PICK(rsvps),
			     ANY_ID(db, "invitation"));
		if (!rc)
			rc = db_exec(db, "UPDATE person SET category = ? WHERE id = ?", "si",
				     PICK(categories), ANY_ID(db, "person"));
		break;
	case 9:
		if (s)
			rc = db_exec(db,
				     "INSERT INTO suggestion (org_id, session_id, title, position,"
				     " created_at, updated_at) VALUES (?, ?, 'g', 1, ?, ?)",
				     "iiii", org_of(f), s, now, now);
		break;
	case 10:
		rc = db_exec(db, "DELETE FROM suggestion WHERE id = ?", "i",
			     ANY_ID(db, "suggestion"));
		break;
	case 11:
	case 12:
		rc = db_exec(
		    db,
		    "INSERT INTO output (org_id, kind, title, state, dated_at, submitted_at,"
		    " accepted_at, assigned_at, replied_at, satisfaction, created_at,"
		    " updated_at) VALUES (?, ?, 'o', ?, ?, ?, ?, ?, ?,"
		    " CASE WHEN CAST(? AS BIGINT) = 0 THEN NULL ELSE CAST(? AS TEXT) END, ?, ?)",
		    "issiizizisii", org_of(f), PICK(kinds), PICK(states), t, t - rnd(90) * 86400,
		    rnd(2) ? t : (int64_t)0, t, rnd(2) ? t + rnd(120) * 86400 : (int64_t)0,
		    (int64_t)rnd(3), PICK(sats), now, now);
		if (!rc && s && rnd(2))
			rc = db_exec(
			    db, "INSERT INTO output_session (output_id, session_id) VALUES (?, ?)",
			    "ii", ANY_ID(db, "output"), s);
		break;
	case 13:
		if (o)
			rc = db_exec(db,
				     "UPDATE output SET state = ?, dated_at = ?, replied_at = ? "
				     "WHERE id = ?",
				     "siii", PICK(states), t, t + rnd(60) * 86400, o);
		break;
	case 14:
		if (o)
			rc = db_exec(
			    db,
			    "INSERT INTO adoption (org_id, output_id, kind, title, created_at)"
			    " VALUES (?, ?, ?, 'a', ?)",
			    "iisi", org_of(f), o, PICK(akinds), now);
		if (!rc && rnd(3) == 0)
			rc = db_exec(db, "DELETE FROM adoption WHERE id = ?", "i",
				     ANY_ID(db, "adoption"));
		break;
	case 15:
		if (s)
			rc = db_exec(db,
				     "INSERT INTO session_org (session_id, org_id) VALUES (?, ?)",
				     "ii", s, org_of(f));
		if (o && rnd(2))
			rc = db_exec(db, "DELETE FROM output_session WHERE output_id = ?", "i", o);
		break;
	default:
		if (o && rnd(4) == 0)
			rc = db_exec(db, "DELETE FROM output WHERE id = ?", "i", o);
		else if (s)
			rc =
			    db_exec(db,
				    "DELETE FROM session WHERE id = ? AND NOT EXISTS (SELECT 1 FROM"
				    " output_session WHERE session_id = ?)",
				    "ii", s, s);
	}
	assert_true(rc == ERR_OK || rc == ERR_CONFLICT);
}

static void same_counts(const struct stats_counts *a, const struct stats_counts *b, bool ordered,
			const char *what)
{
	size_t i, k;

	if (a->n != b->n)
		fail_msg("%s: %zu keys, the full computation %zu", what, b->n, a->n);
	for (i = 0; i < a->n; i++) {
		if (ordered) {
			if (strcmp(a->v[i].key, b->v[i].key) || a->v[i].n != b->v[i].n)
				fail_msg("%s[%zu]: %s=%lld, the full computation %s=%lld", what, i,
					 b->v[i].key, (long long)b->v[i].n, a->v[i].key,
					 (long long)a->v[i].n);
			continue;
		}
		for (k = 0; k < b->n && strcmp(a->v[i].key, b->v[k].key); k++)
			;
		if (k == b->n || a->v[i].n != b->v[k].n)
			fail_msg("%s %s: the full computation %lld, the summary %lld", what,
				 a->v[i].key, (long long)a->v[i].n,
				 k == b->n ? -1LL : (long long)b->v[k].n);
	}
}

static void same_rate(struct stats_rate a, struct stats_rate b, const char *what)
{
	if (a.present != b.present || (a.present && a.v != b.v))
		fail_msg("%s: %d %.4f, the full computation %d %.4f", what, b.present, b.v,
			 a.present, a.v);
}

static void same(const struct stats *a, const struct stats *b)
{
	size_t i;

	assert_int_equal(b->sessions, a->sessions);
	assert_int_equal(b->suggestions, a->suggestions);
	assert_int_equal(b->outputs_total, a->outputs_total);
	assert_int_equal(b->adopted, a->adopted);
	same_counts(&a->by_domain, &b->by_domain, false, "by_domain");
	same_counts(&a->by_format, &b->by_format, true, "by_format");
	same_counts(&a->by_unit, &b->by_unit, true, "by_unit");
	same_counts(&a->participants_by_category, &b->participants_by_category, true,
		    "participants");
	same_counts(&a->outputs, &b->outputs, false, "outputs");
	same_counts(&a->outputs_by_state, &b->outputs_by_state, false, "outputs_by_state");
	same_counts(&a->adoptions_by_kind, &b->adoptions_by_kind, false, "adoptions_by_kind");
	for (i = 0; i < 12; i++)
		assert_int_equal(b->by_month[i], a->by_month[i]);
	assert_int_equal(b->joint.hosted, a->joint.hosted);
	assert_int_equal(b->joint.joined, a->joint.joined);
	assert_int_equal(b->joint.total, a->joint.total);
	assert_int_equal(b->joint.outputs, a->joint.outputs);
	assert_memory_equal(&b->proposals, &a->proposals, sizeof(a->proposals));
	same_rate(a->filing_rate, b->filing_rate, "filing_rate");
	same_rate(a->reply_rate, b->reply_rate, "reply_rate");
	same_rate(a->satisfaction_rate, b->satisfaction_rate, "satisfaction_rate");
	same_rate(a->median_days_session_to_output, b->median_days_session_to_output,
		  "median_days_session_to_output");
	same_rate(a->median_days_submission_to_reply, b->median_days_submission_to_reply,
		  "median_days_submission_to_reply");
	assert_int_equal(b->nby_org, a->nby_org);
	for (i = 0; i < a->nby_org; i++) {
		assert_int_equal(b->by_org[i].id, a->by_org[i].id);
		assert_int_equal(b->by_org[i].sessions, a->by_org[i].sessions);
		assert_int_equal(b->by_org[i].outputs, a->by_org[i].outputs);
		assert_int_equal(b->by_org[i].adopted, a->by_org[i].adopted);
	}
}

/* check compares the summary with the full computation for every body, scope and period
 * (whole months: the summary answers them); returns how many answers had sessions. */
static int check(struct mfix *f)
{
	const struct org *orgs[] = {&f->province, &f->city, &f->district, &f->other};
	/* 2024, 2025, 2024 Q2, and 2023-12 .. 2025-02 across the years */
	static const char *const from[] = {"2024-01-01", "2025-01-01", "2024-04-01", "2023-12-01"};
	static const char *const to[] = {"2025-01-01", "2026-01-01", "2024-07-01", "2025-03-01"};
	struct stats_query q;
	struct stats a, b;
	size_t i, p;
	int sub, busy = 0;

	for (i = 0; i < 4; i++)
		for (sub = 0; sub < 2; sub++)
			for (p = 0; p < 4; p++) {
				memset(&q, 0, sizeof(q));
				q.org = orgs[i];
				q.subtree = sub;
				assert_int_equal(time_parse(from[p], &q.from), 0);
				assert_int_equal(time_parse(to[p], &q.to), 0);
				assert_int_equal(stats_compute_full(f->db, &q, &a), ERR_OK);
				assert_int_equal(stats_compute(f->db, &q, &b), ERR_OK);
				same(&a, &b);
				busy += a.sessions > 0;
				stats_release(&a);
				stats_release(&b);
			}
	return busy;
}

static void test_summary_follows_changes(void **state)
{
	struct mfix *f = *state;
	int step, busy = 0;
	int64_t cells = 0;

	/* the first answer makes every cell (the migration asks for it) */
	busy += check(f);
	for (step = 0; step < 400; step++) {
		bool tx = rnd(3) != 0;

		if (tx)
			assert_int_equal(store_begin(f->db), ERR_OK);
		change(f);
		if (tx)
			assert_int_equal(store_commit(f->db), ERR_OK);
		if (step % 40 == 39)
			busy += check(f);
		if (step == 200) {
			/* a body moved in the tree: every roll-up is made again */
			assert_int_equal(db_exec(f->db, "UPDATE org SET parent_id = ? WHERE id = ?",
						 "ii", f->province.id, f->other.id),
					 ERR_OK);
			assert_int_equal(db_exec(f->db,
						 "UPDATE org SET path = (SELECT path FROM org WHERE"
						 " id = ?) || CAST(? AS TEXT) || '/' WHERE id = ?",
						 "iii", f->province.id, f->other.id, f->other.id),
					 ERR_OK);
		}
	}
	busy += check(f);
	assert_true(busy > 40); /* the periods held something to compare */
	assert_int_equal(db_get_int(f->db, "SELECT COUNT(*) FROM stats_cell", &cells, ""), ERR_OK);
	assert_true(cells > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_summary_follows_changes),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
