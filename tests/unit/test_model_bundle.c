/*
 * test_model_bundle.c - signed session bundles (model/bundle.c) between two real temporary
 * databases: a session with its whole record is exported from the fixture's database and
 * imported into a second one whose body has the same slug; the counts match, importing
 * again changes nothing, a later bundle with one more remark adds exactly that remark, and
 * a changed byte, another key or a missing body are refused with nothing imported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <sys/stat.h>

#include "model/bundle.h"
#include "model/room.h"
#include "session_fixture.h"

static int group_setup(void **state)
{
	if (sodium_init() < 0)
		return -1;
	return mfix_setup(state);
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

static void ok(int rc, const struct verr *e, const char *what)
{
	if (rc) {
		fprintf(stderr, "%s: %s (%s)\n", what, e->code ? e->en : "", err_name(rc));
		fail();
	}
}

/* target opens a new database in f's folder with one root body of slug. */
static struct db *target(struct mfix *f, const char *name, const char *slug)
{
	char path[200];
	struct org o;
	struct verr e = {0};
	struct db *db;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(db_open(path, DB_OPEN_CREATE, &db), 0);
	assert_int_equal(db_migrate(db, NULL), 0);
	memset(&o, 0, sizeof(o));
	snprintf(o.slug, sizeof(o.slug), "%s", slug);
	snprintf(o.name, sizeof(o.name), "目标 %s", slug);
	snprintf(o.level, sizeof(o.level), "city");
	assert_int_equal(db_begin_write(db), 0);
	ok(org_create(db, &f->sys, &o, &e), &e, "org");
	assert_int_equal(db_commit(db), 0);
	return db;
}

/* counterpart makes a draft 对口聊 of org matched with department (commitments need one). */
static int64_t counterpart(struct mfix *f, int64_t topic, const char *title, const char *dept)
{
	struct session_in in;
	struct verr e = {0};
	int64_t id = 0;

	session_in_init(&in);
	in.topic_id = topic;
	in.title = title;
	in.visibility = "internal";
	in.formats = FORMAT_COUNTERPART;
	in.department = dept;
	assert_int_equal(mfix_begin(f), 0);
	ok(mfix_commit(f, session_create(f->db, &f->city_org, f->city.id, &in, &id, &e)), &e,
	   "session");
	return id;
}

static int64_t count(struct db *db, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_get_int(db, sql, &n, ""), 0);
	return n;
}

static int64_t sum(const int64_t *v)
{
	int64_t s = 0;
	int k;

	for (k = 0; k < BK_NKINDS; k++)
		s += v[k];
	return s;
}

/* the rows a session's record holds, in the target (one session there) */
static const char *const tables[] = {
    "SELECT COUNT(*) FROM session",
    "SELECT COUNT(*) FROM invitation",
    "SELECT COUNT(*) FROM remark",
    "SELECT COUNT(*) FROM session_point",
    "SELECT COUNT(*) FROM commitment",
    "SELECT COUNT(*) FROM suggestion",
    "SELECT COUNT(*) FROM suggestion_source",
    "SELECT COUNT(*) FROM suggestion_proposer",
    "SELECT COUNT(*) FROM participant",
    "SELECT COUNT(*) FROM statement",
    "SELECT COUNT(*) FROM vote",
    "SELECT COUNT(*) FROM person",
    "SELECT COUNT(*) FROM duty_record",
    "SELECT COUNT(*) FROM audit",
};

static void snapshot_counts(struct db *db, int64_t *out)
{
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		out[i] = count(db, tables[i]);
}

static void test_bundle_roundtrip(void **state)
{
	static const char *const to_live[] = {"scheduled", "live"};
	struct mfix *f = *state;
	struct bundle_key key, other;
	struct bundle_report r;
	struct verr e = {0};
	struct statement_head h;
	struct source_ref src;
	struct room room;
	char base[200], path[200], path2[200], tampered[200], obase[200], buf[512];
	int64_t topic, p1, p2, sid, id, rid, pid, stid, before[16], after[16];
	struct db *db2, *db3;
	FILE *fp;
	size_t i;

	topic = sfix_topic(f, &f->city, "老旧小区加装电梯");
	p1 = sfix_person(f, &f->city, "张三", "member", "某区住建局");
	p2 = sfix_person(f, &f->city, "李四", "official", "某市住建局");
	sid = counterpart(f, topic, "电梯深聊会", "某市住建局");
	assert_int_equal(mfix_begin(f), 0);
	ok(invitation_add(f->db, &f->city_org, sid, p1, "member", &id, &e), &e, "invite");
	ok(invitation_add(f->db, &f->city_org, sid, p2, "official", &id, &e), &e, "invite");
	assert_int_equal(mfix_commit(f, 0), 0);
	sfix_move(f, sid, to_live, 2);
	assert_int_equal(mfix_begin(f), 0);
	ok(invitation_attend(f->db, &f->city_org, sid, p1, true, &e), &e, "attend");
	ok(remark_add(f->db, &f->city_org, sid, p1, "member", "加装电梯要先问一楼住户。", &rid, &e),
	   &e, "remark");
	ok(point_add(f->db, &f->city_org, sid, "agreed", "先摸底再加装", &id, &e), &e, "point");
	ok(point_add(f->db, &f->city_org, sid, "difference", "费用分摊", &id, &e), &e, "point");
	ok(commitment_add(f->db, &f->city_org, sid, "某市住建局", p2, "三个月内出台指引", NULL, &id,
			  &e),
	   &e, "commitment");
	ok(room_set(f->db, &f->city_org, sid, 0, "post", 1, &room, &e), &e, "room");
	assert_int_equal(participant_of_user(f->db, &room, &f->city_member.user, &pid), 0);
	ok(statement_add(f->db, &room, pid, "一楼住户应得到补偿", &stid, &e), &e, "statement");
	assert_int_equal(statement_head(f->db, stid, &h), 0);
	ok(vote_put(f->db, &h, pid, 1, &e), &e, "vote");
	snprintf(src.kind, sizeof(src.kind), "remark");
	src.id = rid;
	ok(suggestion_add(f->db, &f->city_org, sid, "建立补偿机制", "按楼层分摊", &p1, 1, &src, 1,
			  &id, &e),
	   &e, "suggestion");
	assert_int_equal(mfix_commit(f, 0), 0);

	snprintf(base, sizeof(base), "%s/venue", f->dir);
	ok(bundle_keygen(base, &key, &e), &e, "keygen");
	assert_int_equal(bundle_keygen(base, NULL, &e), ERR_EXISTS);
	snprintf(path, sizeof(path), "%s/s1.bundle", f->dir);
	ok(bundle_export(f->db, sid, &key, path, &r, &e), &e, "export");
	assert_int_equal(r.count[BK_REMARK], 1);
	assert_int_equal(r.count[BK_POINT], 2);
	assert_int_equal(r.count[BK_INVITATION], 2);
	assert_int_equal(r.count[BK_PERSON], 2);
	assert_int_equal(r.count[BK_VOTE], 1);
	assert_int_equal(bundle_export(f->db, sid, &key, path, &r, &e), ERR_EXISTS);

	/* participants are pseudonymous: no account name in the file */
	fp = fopen(path, "rb");
	assert_non_null(fp);
	{
		static char file[1 << 16];
		size_t n = fread(file, 1, sizeof(file) - 1, fp);

		file[n] = '\0';
		bool pseudonym = false;

		for (i = 0; i + 11 < n; i++)
			assert_false(memcmp(file + i, "city-member", 11) == 0);
		for (i = 0; i + 4 < n; i++)
			pseudonym = pseudonym || memcmp(file + i, "\"pt/", 4) == 0;
		assert_true(pseudonym);
	}
	fclose(fp);

	/* the target knows 张三 of 某区住建局 already: merged, not added */
	db2 = target(f, "office.db", "city");
	{
		struct org t;

		assert_int_equal(org_get_by_slug(db2, "city", &t), 0);
		assert_int_equal(db_begin_write(db2), 0);
		assert_int_equal(db_exec(db2,
					 "INSERT INTO person (org_id, name, category, affiliation,"
					 " created_at, updated_at) VALUES (?, '张三', 'member',"
					 " '某区住建局', ?, ?)",
					 "iii", t.id, (int64_t)1, (int64_t)1),
				 0);
		assert_int_equal(db_commit(db2), 0);
	}
	ok(bundle_import(db2, path, &key, &r, &e), &e, "import");
	assert_int_equal(r.added[BK_SESSION], 1);
	assert_int_equal(r.added[BK_REMARK], 1);
	assert_int_equal(r.added[BK_POINT], 2);
	assert_int_equal(r.added[BK_COMMITMENT], 1);
	assert_int_equal(r.added[BK_INVITATION], 2);
	assert_int_equal(r.added[BK_SUGGESTION], 1);
	assert_int_equal(r.added[BK_STATEMENT], 1);
	assert_int_equal(r.added[BK_VOTE], 1);
	assert_int_equal(r.added[BK_PARTICIPANT], 1);
	assert_int_equal(r.merged[BK_PERSON], 1);
	assert_int_equal(r.added[BK_PERSON], 1);
	assert_true(r.snapshot_recomputed);
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM person"), 2);
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM suggestion_source"), 1);
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM suggestion_proposer"), 1);
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM invitation WHERE attended = TRUE"), 1);
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM commitment WHERE owner_id IS NOT NULL"),
			 1);
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM audit WHERE action = 'bundle.import'"),
			 1);
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM opinion_snapshot"), 1);
	/* the duty records count the attendance and the remark, as recording them would */
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM duty_record WHERE kind = 'attended'"), 1);
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM duty_record WHERE kind = 'remark'"), 1);
	/* the source side of the sources: the imported remark */
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM suggestion_source ss JOIN remark r"
				    " ON r.id = ss.source_id WHERE ss.kind = 'remark'"),
			 1);

	/* again: nothing changes but the audit row of the attempt */
	snapshot_counts(db2, before);
	ok(bundle_import(db2, path, &key, &r, &e), &e, "re-import");
	assert_int_equal(sum(r.added) + sum(r.merged) + sum(r.updated), 0);
	assert_int_equal(r.unchanged[BK_REMARK], 1);
	snapshot_counts(db2, after);
	before[13]++; /* bundle.import audited */
	assert_memory_equal(before, after, sizeof(tables) / sizeof(tables[0]) * sizeof(int64_t));

	/* a later bundle with one more remark adds exactly that one */
	assert_int_equal(mfix_begin(f), 0);
	ok(remark_add(f->db, &f->city_org, sid, p2, "official", "我们会研究补偿办法。", &id, &e),
	   &e, "remark 2");
	assert_int_equal(mfix_commit(f, 0), 0);
	snprintf(path2, sizeof(path2), "%s/s1-later.bundle", f->dir);
	ok(bundle_export(f->db, sid, &key, path2, &r, &e), &e, "export 2");
	ok(bundle_import(db2, path2, &key, &r, &e), &e, "import 2");
	assert_int_equal(r.added[BK_REMARK], 1);
	assert_int_equal(sum(r.added) + sum(r.merged), 1);
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM remark"), 2);

	/* one byte changed: refused, nothing imported (not even an audit row) */
	snprintf(tampered, sizeof(tampered), "%s/tampered.bundle", f->dir);
	snprintf(buf, sizeof(buf), "cp '%s' '%s'", path2, tampered);
	assert_int_equal(system(buf), 0);
	fp = fopen(tampered, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, -10, SEEK_END), 0);
	{
		int ch = fgetc(fp);

		assert_int_equal(fseek(fp, -10, SEEK_END), 0);
		fputc(ch ^ 1, fp);
	}
	fclose(fp);
	snapshot_counts(db2, before);
	memset(&e, 0, sizeof(e));
	assert_int_equal(bundle_import(db2, tampered, &key, &r, &e), ERR_INVALID);
	assert_string_equal(e.code, "bundle_bad_signature");
	snapshot_counts(db2, after);
	assert_memory_equal(before, after, sizeof(tables) / sizeof(tables[0]) * sizeof(int64_t));

	/* another key: refused */
	snprintf(obase, sizeof(obase), "%s/other", f->dir);
	ok(bundle_keygen(obase, &other, &e), &e, "keygen other");
	memset(&e, 0, sizeof(e));
	assert_int_equal(bundle_import(db2, path2, &other, &r, &e), ERR_FORBIDDEN);
	assert_string_equal(e.code, "bundle_untrusted");
	snapshot_counts(db2, after);
	assert_memory_equal(before, after, sizeof(tables) / sizeof(tables[0]) * sizeof(int64_t));

	/* the public key file alone is enough to check; a .secret key file loads the pair */
	snprintf(buf, sizeof(buf), "%s.pub", base);
	ok(bundle_key_load(buf, &other, &e), &e, "load pub");
	assert_false(other.has_secret);
	assert_memory_equal(other.pk, key.pk, 32);
	snprintf(buf, sizeof(buf), "%s.secret", base);
	ok(bundle_key_load(buf, &other, &e), &e, "load secret");
	assert_true(other.has_secret);
	{
		struct stat sb;

		assert_int_equal(stat(buf, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}

	/* a target without the source's body: refused, naming the slug */
	db3 = target(f, "elsewhere.db", "elsewhere");
	memset(&e, 0, sizeof(e));
	assert_int_equal(bundle_import(db3, path, &key, &r, &e), ERR_CONFLICT);
	assert_string_equal(e.code, "bundle_no_body");
	assert_non_null(strstr(e.en, "'city'"));
	assert_int_equal(count(db3, "SELECT COUNT(*) FROM session"), 0);

	/* 张三 is erased at the office; a later bundle does not bring their words back */
	assert_int_equal(db_begin_write(db2), 0);
	assert_int_equal(
	    db_exec(db2, "UPDATE person SET erased_at = ? WHERE name = '张三'", "i", (int64_t)1),
	    0);
	assert_int_equal(db_commit(db2), 0);
	assert_int_equal(mfix_begin(f), 0);
	ok(remark_add(f->db, &f->city_org, sid, p1, "member", "张三的第二次发言", &id, &e), &e,
	   "remark 3");
	assert_int_equal(mfix_commit(f, 0), 0);
	snprintf(path2, sizeof(path2), "%s/s1-latest.bundle", f->dir);
	ok(bundle_export(f->db, sid, &key, path2, &r, &e), &e, "export 3");
	ok(bundle_import(db2, path2, &key, &r, &e), &e, "import 3");
	assert_int_equal(r.added[BK_REMARK], 1);
	assert_int_equal(count(db2, "SELECT COUNT(*) FROM remark WHERE body LIKE '%第二次%'"), 0);
	assert_int_equal(
	    count(db2, "SELECT COUNT(*) FROM remark WHERE erased = TRUE AND body = ''"), 1);

	db_close(db2);
	db_close(db3);
}

/* A bundle carried back: the venue imports the office's session, adds to it and exports;
 * the office finds its own session and rows again by their uids instead of copying them. */
static void test_bundle_round_trip_back(void **state)
{
	static const char *const to_live[] = {"scheduled", "live"};
	struct mfix *f = *state;
	struct bundle_key key;
	struct bundle_report r;
	struct verr e = {0};
	char base[200], out[200], back[200];
	int64_t topic, p1, sid, id, vp;
	struct db *venue;
	struct actor venue_admin;

	topic = sfix_topic(f, &f->city, "社区养老");
	p1 = sfix_person(f, &f->city, "王五", "member", "某街道");
	sid =
	    sfix_session(f, &f->city_org, &f->city, topic, "养老深聊会", "internal", FORMAT_SECTOR);
	assert_int_equal(mfix_begin(f), 0);
	ok(invitation_add(f->db, &f->city_org, sid, p1, "member", &id, &e), &e, "invite");
	assert_int_equal(mfix_commit(f, 0), 0);
	sfix_move(f, sid, to_live, 2);
	assert_int_equal(mfix_begin(f), 0);
	ok(remark_add(f->db, &f->city_org, sid, p1, "member", "办公室记下的发言", &id, &e), &e,
	   "remark");
	assert_int_equal(mfix_commit(f, 0), 0);

	snprintf(base, sizeof(base), "%s/office", f->dir);
	ok(bundle_keygen(base, &key, &e), &e, "keygen");
	snprintf(out, sizeof(out), "%s/to-venue.bundle", f->dir);
	ok(bundle_export(f->db, sid, &key, out, &r, &e), &e, "export");
	venue = target(f, "venue.db", "city");
	ok(bundle_import(venue, out, &key, &r, &e), &e, "import at the venue");

	/* the venue adds a remark (as the system would through its own pages) */
	actor_system(&venue_admin);
	assert_int_equal(db_begin_write(venue), 0);
	assert_int_equal(db_get_int(venue, "SELECT id FROM person WHERE name = '王五'", &vp, ""),
			 0);
	ok(remark_add(venue, &venue_admin, r.session_id, vp, "member", "会场记下的发言", &id, &e),
	   &e, "venue remark");
	assert_int_equal(db_commit(venue), 0);
	snprintf(back, sizeof(back), "%s/to-office.bundle", f->dir);
	ok(bundle_export(venue, r.session_id, &key, back, &r, &e), &e, "export at the venue");
	ok(bundle_import(f->db, back, &key, &r, &e), &e, "import at the office");
	assert_int_equal(r.session_id, sid);
	assert_int_equal(r.added[BK_SESSION], 0);
	assert_int_equal(r.added[BK_REMARK], 1);
	assert_int_equal(r.added[BK_PERSON], 0);
	assert_int_equal(sum(r.added) + sum(r.merged), 1);
	db_close(venue);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bundle_roundtrip),
	    cmocka_unit_test(test_bundle_round_trip_back),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
