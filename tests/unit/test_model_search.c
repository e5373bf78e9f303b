/*
 * test_model_search.c - the search against a real database: objects indexed with
 * search_put are found by a two-character Chinese word (the CJK bigram index) and by an
 * English word in any case, each hit with its excerpt and the offsets of its matches, and
 * only what the searcher may see: anonymous visitors the records of public sessions, an
 * unrelated body nothing of this one's. The excerpt's HTML (view/snippet.c) is checked too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/util.h"
#include "model/search.h"
#include "model/session.h"
#include "model_fixture.h"
#include "view/snippet.h"

static const char sql_topic[] = "INSERT INTO topic (org_id, title, domain, origin, created_at,"
				" updated_at) VALUES (?, ?, 'economy', 'assigned', ?, ?)";
static const char sql_session[] = "INSERT INTO session (org_id, topic_id, title, visibility,"
				  " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

/* what group_setup made, for the tests to look for */
static struct {
	int64_t topic, pub, internal;
} ids;

#define PUB_REMARK 101
#define INT_REMARK 102

/* group_setup makes, in the city, a topic, a public scheduled session and an internal one,
 * and indexes the topic and a remark of each session (the rows the model's writers would
 * index, inserted here so the test depends on the search alone). */
static int group_setup(void **state)
{
	int64_t now = time_now();
	struct mfix *f;
	int rc;

	if (mfix_setup(state))
		return -1;
	f = *state;
	rc = mfix_begin(f);
	if (!rc)
		rc = db_exec(f->db, sql_topic, "isii", f->city.id, "滨海湿地保护", now, now);
	ids.topic = db_last_id(f->db);
	if (!rc)
		rc = db_exec(f->db, sql_session, "iisssii", f->city.id, ids.topic, "公开的深聊",
			     "public", "scheduled", now, now);
	ids.pub = db_last_id(f->db);
	if (!rc)
		rc = db_exec(f->db, sql_session, "iisssii", f->city.id, ids.topic, "内部的深聊",
			     "internal", "scheduled", now, now);
	ids.internal = db_last_id(f->db);
	if (!rc)
		rc = search_put(f->db, "topic", ids.topic, 0, f->city.id, "滨海湿地保护",
				"湿地是城市的肾，<保护>要先行。");
	if (!rc)
		rc = search_put(f->db, "remark", PUB_REMARK, ids.pub, f->city.id, "",
				"我建议在湿地周边建设 Wetland Park，并开放给市民。");
	if (!rc)
		rc = search_put(f->db, "remark", INT_REMARK, ids.internal, f->city.id, "",
				"内部讨论：湿地修复的预算需要再核算。");
	return mfix_commit(f, rc) ? -1 : 0;
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

/* has reports whether hits hold one of kind and id; *hit gets it. */
static bool has(const struct search_hits *h, const char *kind, int64_t id,
		const struct search_hit **hit)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->v[i].kind, kind) == 0 && h->v[i].id == id) {
			if (hit)
				*hit = &h->v[i];
			return true;
		}
	return false;
}

static void test_two_character_word(void **state)
{
	struct mfix *f = *state;
	const struct search_hit *hit = NULL;
	struct search_hits h;

	search_hits_init(&h);
	assert_int_equal(search_query(f->db, &f->city_member, "湿地", NULL, 50, &h), ERR_OK);
	assert_int_equal(h.n, 3); /* the topic and both remarks */
	assert_true(has(&h, "remark", PUB_REMARK, &hit));
	assert_string_equal(hit->title, "公开的深聊"); /* a remark shows its session's title */
	assert_int_equal(hit->session_id, ids.pub);
	assert_true(hit->nmarks >= 1);
	assert_int_equal(hit->mark_len[0], strlen("湿地"));
	assert_memory_equal(hit->text + hit->mark_off[0], "湿地", strlen("湿地"));
	search_hits_release(&h);
	assert_int_equal(h.n, 0);

	/* English in any case; all terms must match */
	assert_int_equal(search_query(f->db, &f->city_member, "wetland 市民", NULL, 50, &h),
			 ERR_OK);
	assert_int_equal(h.n, 1);
	assert_true(has(&h, "remark", PUB_REMARK, NULL));
	search_hits_release(&h);
	assert_int_equal(search_query(f->db, &f->city_member, "量子", NULL, 50, &h), ERR_OK);
	assert_int_equal(h.n, 0);
	/* nothing to search for */
	assert_int_equal(search_query(f->db, &f->city_member, " \xe3\x80\x80 ", NULL, 50, &h),
			 ERR_INVALID);
	search_hits_release(&h);
}

static void test_visibility(void **state)
{
	struct mfix *f = *state;
	struct search_hits h;

	search_hits_init(&h);
	/* anonymous: only the record of the public session */
	assert_int_equal(search_query(f->db, &f->anon, "湿地", NULL, 50, &h), ERR_OK);
	assert_int_equal(h.n, 1);
	assert_true(has(&h, "remark", PUB_REMARK, NULL));
	search_hits_release(&h);
	/* an unrelated body: the public record, nothing internal of the city's */
	assert_int_equal(search_query(f->db, &f->other_org, "湿地", NULL, 50, &h), ERR_OK);
	assert_false(has(&h, "topic", ids.topic, NULL));
	assert_false(has(&h, "remark", INT_REMARK, NULL));
	assert_int_equal(h.n, 1);
	search_hits_release(&h);
	assert_int_equal(search_query(f->db, &f->other_org, "预算", NULL, 50, &h), ERR_OK);
	assert_int_equal(h.n, 0);
	search_hits_release(&h);
	/* the body above sees its branch */
	assert_int_equal(search_query(f->db, &f->province_org, "预算", NULL, 50, &h), ERR_OK);
	assert_int_equal(h.n, 1);
	search_hits_release(&h);
	/* the limit */
	assert_int_equal(search_query(f->db, &f->city_member, "湿地", NULL, 2, &h), ERR_OK);
	assert_int_equal(h.n, 2);
	search_hits_release(&h);
}

static void test_snippet_html(void **state)
{
	struct mfix *f = *state;
	const struct search_hit *hit = NULL;
	struct search_hits h;
	struct buf b;

	search_hits_init(&h);
	assert_int_equal(search_query(f->db, &f->city_member, "保护", NULL, 50, &h), ERR_OK);
	assert_true(has(&h, "topic", ids.topic, &hit));
	buf_init(&b, 4096);
	assert_int_equal(snippet_html(&b, hit->text, hit->text_len, hit->mark_off, hit->mark_len,
				      hit->nmarks, hit->cut_before, hit->cut_after),
			 ERR_OK);
	/* the stored text is escaped, the match marked */
	assert_string_equal(buf_cstr(&b), "湿地是城市的肾，&lt;<mark>保护</mark>&gt;要先行。");
	buf_fini(&b);
	search_hits_release(&h);

	/* the view alone: cut marks, a mark out of range ignored */
	{
		size_t off[] = {3, 100}, len[] = {1, 2};

		buf_init(&b, 256);
		assert_int_equal(snippet_html(&b, "a<b&c\"d", 7, off, len, 2, true, true), ERR_OK);
		assert_string_equal(buf_cstr(&b), "…a&lt;b<mark>&amp;</mark>c&quot;d…");
		buf_fini(&b);
	}
}

#define OUTPUT_DRAFT  201
#define PUB_STATEMENT 301
#define INT_STATEMENT 302
#define CITY_PERSON   401

/* more_kinds indexes an output of the city, a statement of each session and a person of
 * the city registry, all with the word 红树林 (mangrove). */
static int more_kinds(struct mfix *f)
{
	int rc = mfix_begin(f);

	if (!rc)
		rc = search_put(f->db, "output", OUTPUT_DRAFT, 0, f->city.id,
				"关于保护红树林的提案", "建议划定红树林保护红线。");
	if (!rc)
		rc = search_put(f->db, "statement", PUB_STATEMENT, ids.pub, f->city.id, "",
				"红树林应当向市民开放");
	if (!rc)
		rc = search_put(f->db, "statement", INT_STATEMENT, ids.internal, f->city.id, "",
				"红树林修复资金不足");
	if (!rc)
		rc = search_put(f->db, "person", CITY_PERSON, 0, f->city.id, "林红树",
				"农工党 红树林研究所 研究员");
	return mfix_commit(f, rc);
}

static void test_more_kinds(void **state)
{
	struct mfix *f = *state;
	const struct search_hit *hit = NULL;
	struct search_hits h;

	assert_int_equal(more_kinds(f), ERR_OK);
	search_hits_init(&h);
	/* a member of the body: every kind */
	assert_int_equal(search_query(f->db, &f->city_member, "红树", NULL, 50, &h), ERR_OK);
	assert_int_equal(h.n, 4);
	assert_true(has(&h, "output", OUTPUT_DRAFT, &hit));
	assert_string_equal(hit->title, "关于保护红树林的提案");
	assert_int_equal(hit->session_id, 0);
	assert_true(has(&h, "statement", PUB_STATEMENT, &hit));
	assert_string_equal(hit->title, "公开的深聊"); /* a statement shows its session's title */
	assert_int_equal(hit->session_id, ids.pub);
	assert_true(has(&h, "statement", INT_STATEMENT, NULL));
	assert_true(has(&h, "person", CITY_PERSON, &hit));
	assert_string_equal(hit->title, "林红树");
	search_hits_release(&h);
	/* the kind filter */
	assert_int_equal(search_query(f->db, &f->city_member, "红树", "person", 50, &h), ERR_OK);
	assert_int_equal(h.n, 1);
	assert_true(has(&h, "person", CITY_PERSON, NULL));
	search_hits_release(&h);
	assert_int_equal(search_query(f->db, &f->city_member, "红树", "nonsense", 50, &h),
			 ERR_INVALID);
	search_hits_release(&h);
	/* anonymous: the statement of the public session only; never a person or an output */
	assert_int_equal(search_query(f->db, &f->anon, "红树", NULL, 50, &h), ERR_OK);
	assert_int_equal(h.n, 1);
	assert_true(has(&h, "statement", PUB_STATEMENT, NULL));
	search_hits_release(&h);
	/* an unrelated body: the public statement, no person, output or internal statement */
	assert_int_equal(search_query(f->db, &f->other_org, "红树", NULL, 50, &h), ERR_OK);
	assert_int_equal(h.n, 1);
	assert_true(has(&h, "statement", PUB_STATEMENT, NULL));
	search_hits_release(&h);
	/* the body above sees the city's people and outputs */
	assert_int_equal(search_query(f->db, &f->province_org, "红树", NULL, 50, &h), ERR_OK);
	assert_int_equal(h.n, 4);
	search_hits_release(&h);
	/* a body below does not see the city's registry nor its outputs */
	assert_int_equal(search_query(f->db, &f->district_org, "红树", NULL, 50, &h), ERR_OK);
	assert_false(has(&h, "person", CITY_PERSON, NULL));
	assert_false(has(&h, "output", OUTPUT_DRAFT, NULL));
	search_hits_release(&h);
	/* a dropped person is no longer found */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, search_drop(f->db, "person", CITY_PERSON)), ERR_OK);
	assert_int_equal(search_query(f->db, &f->city_member, "红树", "person", 50, &h), ERR_OK);
	assert_int_equal(h.n, 0);
	search_hits_release(&h);
}

/* The ranking is FTS5's bm25 on both backends (k1 1.2, b 0.75): more matches beat fewer,
 * a short text beats a long one, ties go to the older row. PostgreSQL's ts_rank (even
 * normalized by length) puts the one-word remark first here: the order below fails there. */
#define WHALE_TRIPLE 300 /* 鲸落 three times: 5 tokens, 3 matches */
#define WHALE_TIE    301 /* 鲸落 alone, older */
#define WHALE_ONE    302 /* 鲸落 alone: 1 token, 1 match */
#define WHALE_LONG   303 /* 鲸落 once in a long text */

static void test_bm25_order(void **state)
{
	static const int64_t want[] = {WHALE_TRIPLE, WHALE_TIE, WHALE_ONE, WHALE_LONG};
	struct mfix *f = *state;
	struct search_hits h;
	size_t i;
	int rc;

	assert_int_equal(mfix_begin(f), ERR_OK);
	rc = search_put(
	    f->db, "remark", WHALE_LONG, ids.pub, f->city.id, "",
	    "鲸落之后，海底会形成一个持续几十年的生态系统，养活许多种深海生物和细菌群落");
	if (!rc)
		rc = search_put(f->db, "remark", WHALE_ONE, ids.pub, f->city.id, "", "鲸落");
	if (!rc)
		rc = search_put(f->db, "remark", WHALE_TRIPLE, ids.pub, f->city.id, "",
				"鲸落鲸落鲸落");
	if (!rc)
		rc = search_put(f->db, "remark", WHALE_TIE, ids.pub, f->city.id, "", "鲸落！");
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	search_hits_init(&h);
	assert_int_equal(search_query(f->db, &f->anon, "鲸落", NULL, 50, &h), ERR_OK);
	assert_int_equal(h.n, ARRAY_LEN(want));
	for (i = 0; i < ARRAY_LEN(want); i++) {
		assert_string_equal(h.v[i].kind, "remark");
		assert_int_equal(h.v[i].id, want[i]);
	}
	search_hits_release(&h);
	/* on SQLite the same order is FTS5's own bm25 (its rank) */
	if (db_dialect(f->db) == DB_SQLITE) {
		struct db_ids got = {NULL, 0};

		assert_int_equal(db_each(f->db,
					 "SELECT ref FROM search_index WHERE search_index MATCH"
					 " '\"鲸落\"' ORDER BY rank, rowid",
					 db_ids_row, &got, ""),
				 ERR_OK);
		assert_int_equal(got.n, ARRAY_LEN(want));
		for (i = 0; i < ARRAY_LEN(want); i++)
			assert_int_equal(got.ids[i], want[i]);
		free(got.ids);
	}
	/* two words: each weighed by its idf (the rarer word counts more), as FTS5 does: the
	 * remark with the rare word twice beats the one with the common word three times */
	assert_int_equal(mfix_begin(f), ERR_OK);
	rc = search_put(f->db, "remark", 310, ids.pub, f->city.id, "", "鲸落鲸落鲸落，海雪");
	if (!rc)
		rc = search_put(f->db, "remark", 311, ids.pub, f->city.id, "", "鲸落，海雪海雪");
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(search_query(f->db, &f->anon, "鲸落 海雪", NULL, 50, &h), ERR_OK);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.v[0].id, 311);
	assert_int_equal(h.v[1].id, 310);
	search_hits_release(&h);
	if (db_dialect(f->db) == DB_SQLITE) {
		struct db_ids got = {NULL, 0};

		assert_int_equal(db_each(f->db,
					 "SELECT ref FROM search_index WHERE search_index MATCH"
					 " '\"鲸落\" \"海雪\"' ORDER BY rank, rowid",
					 db_ids_row, &got, ""),
				 ERR_OK);
		assert_int_equal(got.n, 2);
		assert_int_equal(got.ids[0], 311);
		assert_int_equal(got.ids[1], 310);
		free(got.ids);
	}
}

/* When too few of the best-ranked hits are visible (here: of the kind asked for), the window
 * is taken again over the visible hits: a topic ranked below six remarks is still found,
 * and the remarks of the internal session are passed over for an anonymous visitor. */
static void test_fallback(void **state)
{
	struct mfix *f = *state;
	struct search_hits h;
	int64_t i;
	int rc = ERR_OK;

	assert_int_equal(mfix_begin(f), ERR_OK);
	for (i = 0; !rc && i < 6; i++)
		rc = search_put(f->db, "remark", 400 + i, ids.internal, f->city.id, "", "珊瑚珊瑚");
	if (!rc)
		rc = search_put(f->db, "remark", 410, ids.pub, f->city.id, "",
				"珊瑚礁的保护需要长期的监测和更多的志愿者参与");
	if (!rc)
		rc = search_put(f->db, "topic", 420, 0, f->city.id, "海洋保护",
				"近岸海域的珊瑚礁、红树林与海草床的保护与修复计划");
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	search_hits_init(&h);
	assert_int_equal(search_query(f->db, &f->city_member, "珊瑚", "topic", 1, &h), ERR_OK);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].kind, "topic");
	assert_int_equal(h.v[0].id, 420);
	search_hits_release(&h);
	assert_int_equal(search_query(f->db, &f->anon, "珊瑚", NULL, 1, &h), ERR_OK);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].kind, "remark");
	assert_int_equal(h.v[0].id, 410);
	search_hits_release(&h);
	/* a member sees the six remarks first: more matches in fewer tokens */
	assert_int_equal(search_query(f->db, &f->city_member, "珊瑚", NULL, 8, &h), ERR_OK);
	assert_int_equal(h.n, 8);
	for (i = 0; i < 6; i++)
		assert_int_equal(h.v[i].id, 400 + i);
	search_hits_release(&h);
}

/* A kept answer is not given once who may see it has changed: the public session made
 * internal hides its remarks from an anonymous visitor at once. */
static void test_cache_follows_visibility(void **state)
{
	struct mfix *f = *state;
	struct search_hits h;

	search_hits_init(&h);
	assert_int_equal(search_query(f->db, &f->anon, "湿地", NULL, 50, &h), ERR_OK);
	assert_true(has(&h, "remark", PUB_REMARK, NULL));
	search_hits_release(&h);
	assert_int_equal(search_query(f->db, &f->anon, "湿地", NULL, 50, &h), ERR_OK);
	assert_true(has(&h, "remark", PUB_REMARK, NULL)); /* the kept answer */
	search_hits_release(&h);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, db_exec(f->db,
						"UPDATE session SET visibility = 'internal'"
						" WHERE id = ?",
						"i", ids.pub)),
			 ERR_OK);
	assert_int_equal(search_query(f->db, &f->anon, "湿地", NULL, 50, &h), ERR_OK);
	assert_false(has(&h, "remark", PUB_REMARK, NULL));
	search_hits_release(&h);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, db_exec(f->db,
						"UPDATE session SET visibility = 'public'"
						" WHERE id = ?",
						"i", ids.pub)),
			 ERR_OK);
	assert_int_equal(search_query(f->db, &f->anon, "湿地", NULL, 50, &h), ERR_OK);
	assert_true(has(&h, "remark", PUB_REMARK, NULL));
	search_hits_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_character_word),
	    cmocka_unit_test(test_visibility),
	    cmocka_unit_test(test_snippet_html),
	    cmocka_unit_test(test_more_kinds),
	    cmocka_unit_test(test_bm25_order),
	    cmocka_unit_test(test_fallback),
	    cmocka_unit_test(test_cache_follows_visibility),
	};

	return cmocka_run_group_tests_name("model_search", tests, group_setup, group_teardown);
}
