/*
 * test_model_audit.c - the audit log's hash chain against a real temporary database:
 * rows written by the model are chained and verify intact; the triggers refuse UPDATE and
 * DELETE; rows from before the chain are sealed once, and a row without a hash after the
 * chain began is never sealed; after the triggers are dropped, a changed, deleted or forged
 * row is named with what is wrong; votes reach the log as one row per statement and minute
 * when the minute is over; imports and exports record their files, hashes and rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model_fixture.h"
#include "base/util.h"
#include "model/room.h"
#include "model/session.h"

static int group_setup(void **state)
{
	return mfix_setup(state);
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

/* refused: the database turned a change down. SQLite's db_exec_script says ERR_DB for a
 * trigger's RAISE(ABORT); PostgreSQL's driver says ERR_CONFLICT for the trigger's constraint
 * violation (SQLSTATE 23000, migrations/pg/0009_audit_chain.sql). */
static bool refused(int rc)
{
	return rc == ERR_DB || rc == ERR_CONFLICT;
}

static struct audit_check check(struct mfix *f)
{
	struct audit_check k;

	assert_int_equal(audit_verify(f->db, 0, NULL, &k), ERR_OK);
	return k;
}

static int64_t count_rows(struct mfix *f, const char *action)
{
	int64_t n;

	assert_int_equal(
	    db_get_int(f->db, "SELECT count(*) FROM audit WHERE action = ?", &n, "s", action),
	    ERR_OK);
	return n;
}

/* after_of reads the after_json of the newest row of action (caller decrefs). */
static json_t *after_of(struct mfix *f, const char *action)
{
	struct db_stmt *st;
	json_t *j;

	assert_int_equal(db_get_row(f->db,
				    "SELECT after_json FROM audit WHERE action = ? ORDER BY id DESC"
				    " LIMIT 1",
				    &st, "s", action),
			 ERR_OK);
	j = json_loads(db_col_text(st, 0), 0, NULL);
	db_done(st);
	assert_non_null(j);
	return j;
}

static void test_chain_intact_and_immutable(void **state)
{
	struct mfix *f = *state;
	struct audit_check k = check(f);
	int64_t rows = k.rows;
	struct org o;
	struct verr e;

	/* the fixture's bodies and accounts were audited, and chained */
	assert_true(rows > 5);
	assert_int_equal(k.fault, AUDIT_INTACT);
	assert_int_equal(k.head_id, rows);
	assert_int_equal(strlen(k.head_hash), 64);

	memset(&o, 0, sizeof(o));
	snprintf(o.slug, sizeof(o.slug), "audit-a");
	snprintf(o.name, sizeof(o.name), "审计测试区政协");
	snprintf(o.level, sizeof(o.level), "district");
	o.parent_id = f->city.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, org_create(f->db, &f->city_admin, &o, &e)), ERR_OK);
	k = check(f);
	assert_int_equal(k.fault, AUDIT_INTACT);
	assert_int_equal(k.rows, rows + 1);

	/* an anchor: a row and its hash written down before */
	assert_int_equal(audit_verify(f->db, k.head_id, k.head_hash, &k), ERR_OK);
	assert_int_equal(k.fault, AUDIT_INTACT);
	assert_int_equal(audit_verify(f->db, k.head_id + 5, k.head_hash, &k), ERR_OK);
	assert_int_equal(k.fault, AUDIT_ANCHOR_LOST);
	assert_int_equal(k.bad_id, k.head_id + 5);
	assert_int_equal(audit_verify(f->db, 2, k.head_hash, &k), ERR_OK);
	assert_int_equal(k.fault, AUDIT_ANCHOR_CHANGED);
	assert_int_equal(k.bad_id, 2);
	assert_int_equal(k.rows, 1);

	/* the database refuses changes to the log, even to a row's hash */
	assert_true(refused(db_exec_script(f->db, "UPDATE audit SET action = 'x' WHERE id = 2")));
	assert_true(refused(db_exec_script(f->db, "UPDATE audit SET hash = NULL WHERE id = 2")));
	assert_true(refused(db_exec_script(f->db, "DELETE FROM audit WHERE id = 2")));
	assert_true(refused(db_exec_script(f->db, "DELETE FROM audit")));
	assert_int_equal(check(f).fault, AUDIT_INTACT);

	/* a second row on the same previous one cannot be made: ids are the chain's order */
	assert_int_equal(
	    db_exec(f->db, "INSERT INTO audit (id, at, action, entity) VALUES (?, ?, 'x', 'y')",
		    "ii", k.head_id, (int64_t)1),
	    ERR_CONFLICT);
}

static int64_t make_session(struct mfix *f)
{
	struct topic_in t;
	struct session_in s;
	struct verr e = {0};
	int64_t topic, id;

	topic_in_init(&t);
	t.title = "审计的观点征集";
	t.domain = "society";
	t.origin = "member";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, topic_create(f->db, &f->city_org, f->city.id, &t, &topic, &e)), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, topic_transition(f->db, &f->city_org, topic, "approved", &e)), ERR_OK);
	session_in_init(&s);
	s.title = "审计深聊会";
	s.topic_id = topic;
	s.visibility = "public";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_create(f->db, &f->city_org, f->city.id, &s, &id, &e)), ERR_OK);
	assert_int_equal(db_exec(f->db, "UPDATE session SET status = 'live' WHERE id = ?", "i", id),
			 ERR_OK);
	return id;
}

static void test_votes_counted_per_minute(void **state)
{
	struct mfix *f = *state;
	int64_t s = make_session(f), st1, st2, p[4], written, before;
	struct statement_head h1, h2;
	struct verr e = {0};
	struct room r;
	json_t *a;
	int i;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, room_set(f->db, &f->city_org, s, 1, "post", 1, &r, &e)),
			 ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, statement_add(f->db, &r, 0, "甲观点", &st1, &e)), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, statement_add(f->db, &r, 0, "乙观点", &st2, &e)), ERR_OK);
	assert_int_equal(statement_head(f->db, st1, &h1), ERR_OK);
	assert_int_equal(statement_head(f->db, st2, &h2), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(participant_of_anon(f->db, &r, "cookie-a", NULL, &p[0]), ERR_OK);
	assert_int_equal(participant_of_anon(f->db, &r, "cookie-b", NULL, &p[1]), ERR_OK);
	assert_int_equal(participant_of_anon(f->db, &r, "cookie-c", NULL, &p[2]), ERR_OK);
	assert_int_equal(mfix_commit(f, participant_of_anon(f->db, &r, "cookie-d", NULL, &p[3])),
			 ERR_OK);

	before = check(f).rows;
	for (i = 0; i < 4; i++) {
		assert_int_equal(mfix_begin(f), ERR_OK);
		assert_int_equal(mfix_commit(f, vote_put(f->db, &h1, p[i], i == 3 ? -1 : 1, &e)),
				 ERR_OK);
	}
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, vote_put(f->db, &h2, p[0], 0, &e)), ERR_OK);
	/* a vote refused is not counted */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, vote_put(f->db, &h2, p[1], 5, &e)), ERR_INVALID);
	assert_int_equal(check(f).rows, before); /* no row per vote */

	/* the minute is not over: nothing to write yet */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, vote_tally_flush(f->db, time_now(), &written)), ERR_OK);
	assert_int_equal(written, 0);
	/* a minute later: one row per statement with the counts */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, vote_tally_flush(f->db, time_now() + 60, &written)),
			 ERR_OK);
	assert_int_equal(written, 2);
	assert_int_equal(check(f).rows, before + 2);
	assert_int_equal(check(f).fault, AUDIT_INTACT);
	assert_int_equal(count_rows(f, "votes.counted"), 2);
	a = after_of(f, "votes.counted");
	assert_int_equal(json_integer_value(json_object_get(a, "session")), s);
	assert_int_equal(json_integer_value(json_object_get(a, "votes")), 1);
	assert_int_equal(json_integer_value(json_object_get(a, "pass")), 1);
	json_decref(a);
	assert_int_equal(db_get_int(f->db,
				    "SELECT after_json ->> 'agree' FROM audit WHERE action ="
				    " 'votes.counted' AND entity_id = ?",
				    &written, "i", st1),
			 ERR_OK);
	assert_int_equal(written, 3);
	assert_int_equal(db_get_int(f->db,
				    "SELECT after_json ->> 'disagree' FROM audit WHERE action ="
				    " 'votes.counted' AND entity_id = ?",
				    &written, "i", st1),
			 ERR_OK);
	assert_int_equal(written, 1);
	/* once only */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, vote_tally_flush(f->db, time_now() + 120, &written)),
			 ERR_OK);
	assert_int_equal(written, 0);
	assert_int_equal(count_rows(f, "votes.counted"), 2);
}

static void test_import_export_recorded(void **state)
{
	struct mfix *f = *state;
	static const char csv[] = "姓名,类别\n张三,member\n";
	struct audit_file file = {"名单.csv", {0}, (int64_t)sizeof(csv) - 1};
	json_t *a, *one, *filter;

	audit_sha256_hex("abc", 3, file.sha256);
	assert_string_equal(file.sha256,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	audit_sha256_hex(csv, sizeof(csv) - 1, file.sha256);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, audit_import(f->db, &f->city_org, f->city.id, "people.import", "org",
					f->city.id, &file, 1, 1, 0, NULL)),
	    ERR_OK);
	a = after_of(f, "people.import");
	one = json_array_get(json_object_get(a, "files"), 0);
	assert_string_equal(json_string_value(json_object_get(one, "name")), "名单.csv");
	assert_string_equal(json_string_value(json_object_get(one, "sha256")), file.sha256);
	assert_int_equal(json_integer_value(json_object_get(one, "bytes")), sizeof(csv) - 1);
	assert_int_equal(json_integer_value(json_object_get(a, "rows_added")), 1);
	assert_int_equal(json_integer_value(json_object_get(a, "rows_refused")), 0);
	json_decref(a);

	/* an export opens its own transaction */
	filter = json_pack("{s:s}", "category", "member");
	assert_int_equal(audit_export(f->db, &f->city_org, f->city.id, "people.export", "org",
				      f->city.id, "people-city.csv", "csv", 12, filter),
			 ERR_OK);
	json_decref(filter);
	a = after_of(f, "people.export");
	assert_int_equal(json_integer_value(json_object_get(a, "rows")), 12);
	assert_string_equal(json_string_value(json_object_get(a, "file")), "people-city.csv");
	assert_string_equal(json_string_value(json_object_get(a, "format")), "csv");
	assert_string_equal(json_string_value(json_object_get(a, "category")), "member");
	json_decref(a);
	assert_int_equal(audit_export(f->db, &f->city_org, f->city.id, "output.download", "output",
				      1, "output-1.pdf", "pdf", -1, NULL),
			 ERR_OK);
	a = after_of(f, "output.download");
	assert_null(json_object_get(a, "rows"));
	json_decref(a);
	assert_int_equal(check(f).fault, AUDIT_INTACT);
}

static void test_redaction(void **state)
{
	struct mfix *f = *state;
	json_t *who = json_pack("{s:s, s:s}", "name", "张三", "phone", "13800000000");
	struct audit_check k;
	int64_t n, kept;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    audit_write(f->db, &f->city_org, f->city.id, "person.create", "person", 999, NULL, who),
	    ERR_OK);
	assert_int_equal(mfix_commit(f, audit_write(f->db, &f->city_org, f->city.id,
						    "person.update", "person", 999, who, who)),
			 ERR_OK);
	json_decref(who);
	/* without a record of the erasure the database keeps the JSON */
	assert_true(refused(db_exec_script(f->db, "UPDATE audit SET after_json = NULL"
						  " WHERE entity = 'person' AND entity_id = 999")));

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, audit_redact(f->db, &f->city_admin, f->city.id, "person",
						     999, "erasure", &n)),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(
	    db_get_int(f->db,
		       "SELECT count(*) FROM audit WHERE entity = 'person' AND entity_id"
		       " = 999 AND before_json IS NULL AND after_json IS NULL"
		       " AND after_sha256 IS NOT NULL",
		       &kept, NULL),
	    ERR_OK);
	assert_int_equal(kept, 2);
	assert_int_equal(count_rows(f, "audit.redact"), 1);
	k = check(f);
	assert_int_equal(k.fault, AUDIT_INTACT);
	assert_int_equal(k.redacted, 3); /* the after of both rows, the before of the second */

	/* erased is erased: nothing may be put back, nothing else goes */
	assert_true(refused(db_exec_script(f->db, "UPDATE audit SET after_json = '{}'"
						  " WHERE entity = 'person' AND entity_id = 999"
						  " AND action = 'person.create'")));
	assert_true(refused(db_exec_script(f->db, "UPDATE audit SET after_json = NULL"
						  " WHERE action = 'people.export'")));
	assert_true(refused(db_exec_script(f->db, "UPDATE audit SET after_sha256 = NULL"
						  " WHERE entity = 'person' AND entity_id = 999")));
	assert_int_equal(check(f).fault, AUDIT_INTACT);
}

static void test_seal_old_rows(void **state)
{
	struct mfix *f = *state;
	struct audit_check was = check(f), now;
	int64_t sealed;

	/* as after migrating a database from before the chain: no row has a hash */
	assert_int_equal(db_exec_script(f->db, db_dialect(f->db) == DB_POSTGRES
						   ? "DROP TRIGGER audit_no_update ON audit;"
						   : "DROP TRIGGER audit_no_update;"),
			 ERR_OK);
	assert_int_equal(db_exec_script(f->db, "UPDATE audit SET prev_hash = NULL, hash = NULL;"),
			 ERR_OK);
	now = check(f);
	assert_int_equal(now.fault, AUDIT_NOT_SEALED);
	assert_int_equal(now.bad_id, 1);
	assert_int_equal(audit_seal(f->db, &sealed), ERR_OK);
	assert_int_equal(sealed, was.rows);
	now = check(f);
	assert_int_equal(now.fault, AUDIT_INTACT);
	assert_string_equal(now.head_hash, was.head_hash); /* the same chain again */
	assert_int_equal(audit_seal(f->db, &sealed), ERR_OK);
	assert_int_equal(sealed, 0);

	/* a row slipped in without a hash is never sealed: verify names it */
	/* (the id given, as the model gives it: on PostgreSQL the identity's sequence has not
	 * seen the ids the log wrote itself) */
	/* (the time bound: a timestamptz on PostgreSQL) */
	assert_int_equal(db_exec(f->db,
				 "INSERT INTO audit (id, at, action, entity)"
				 " SELECT MAX(id) + 1, ?, 'user.create', 'user' FROM audit",
				 "i", (int64_t)1),
			 ERR_OK);
	assert_int_equal(audit_seal(f->db, &sealed), ERR_OK);
	assert_int_equal(sealed, 0);
	now = check(f);
	assert_int_equal(now.fault, AUDIT_NOT_SEALED);
	assert_int_equal(now.bad_id, was.head_id + 1);
	assert_int_equal(now.rows, was.rows);
	/* and a row written after it chains on, leaving the forgery in view */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, audit_write(f->db, &f->city_org, f->city.id, "test", "org",
						    f->city.id, NULL, NULL)),
			 ERR_OK);
	assert_int_equal(check(f).fault, AUDIT_NOT_SEALED);
	assert_int_equal(db_exec_script(f->db, db_dialect(f->db) == DB_POSTGRES
						   ? "DROP TRIGGER audit_no_delete ON audit;"
						   : "DROP TRIGGER audit_no_delete;"),
			 ERR_OK);
	assert_int_equal(db_exec(f->db, "DELETE FROM audit WHERE action = 'user.create' AND at = ?",
				 "i", (int64_t)1),
			 ERR_OK);
	now = check(f);
	assert_int_equal(now.fault, AUDIT_ROW_MISSING);
	assert_int_equal(now.missing_id, was.head_id + 1);
	assert_int_equal(now.bad_id, was.head_id + 2);
}

static void test_tampering_found(void **state)
{
	struct mfix *f = *state;
	struct audit_check now;

	/* (the triggers were dropped by the test before) */
	/* JSON erased without a record of it */
	assert_int_equal(db_exec_script(f->db, "UPDATE audit SET after_json = NULL WHERE id = 4"
					       " AND after_json IS NOT NULL"),
			 ERR_OK);
	assert_int_equal(db_changes(f->db), 1);
	now = check(f);
	assert_int_equal(now.fault, AUDIT_CONTENT_CHANGED);
	assert_int_equal(now.bad_id, 4);
	/* JSON changed */
	assert_int_equal(db_exec_script(f->db, "UPDATE audit SET after_json = '{}' WHERE id = 3"),
			 ERR_OK);
	now = check(f);
	assert_int_equal(now.fault, AUDIT_CONTENT_CHANGED);
	assert_int_equal(now.bad_id, 3);
	assert_int_equal(now.rows, 2);
	assert_string_equal(audit_fault_name(now.fault), "content_changed");
	/* a number that is no longer an integer, though it reads as the same integer (SQLite
	 * only: a PostgreSQL BIGINT column cannot hold anything else) */
	if (db_dialect(f->db) == DB_SQLITE) {
		assert_int_equal(
		    db_exec_script(f->db, "UPDATE audit SET at = at + 0.25 WHERE id = 2"), ERR_OK);
		assert_int_equal(check(f).bad_id, 2);
	}
	assert_int_equal(db_exec_script(f->db, "UPDATE audit SET prev_hash = hash WHERE id = 1"),
			 ERR_OK);
	now = check(f);
	assert_int_equal(now.fault, AUDIT_LINK_BROKEN);
	assert_int_equal(now.bad_id, 1);
	assert_int_equal(now.rows, 0);
}

static void test_not_ours(void **state)
{
	struct mfix *f = *state;
	struct audit_check k;

	(void)f;
	assert_int_equal(db_exec_script(f->db, "ALTER TABLE audit DROP COLUMN hash"), ERR_OK);
	assert_int_equal(audit_verify(f->db, 0, NULL, &k), ERR_INVALID);
	assert_int_equal(db_exec_script(f->db, "DROP TABLE audit"), ERR_OK);
	assert_int_equal(audit_verify(f->db, 0, NULL, &k), ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain_intact_and_immutable),
	    cmocka_unit_test(test_votes_counted_per_minute),
	    cmocka_unit_test(test_import_export_recorded),
	    cmocka_unit_test(test_redaction),
	    /* these change the log by hand: last */
	    cmocka_unit_test(test_seal_old_rows),
	    cmocka_unit_test(test_tampering_found),
	    cmocka_unit_test(test_not_ours),
	};

	return cmocka_run_group_tests_name("model_audit", tests, group_setup, group_teardown);
}
