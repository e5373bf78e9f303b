/*
 * search.c - one search over topics, sessions, remarks, suggestions, outputs, statements of
 * opinion rooms and people, in Chinese and English, filtered to what the searcher may see.
 *
 * The index is an FTS5 table tokenized by our CJK bigram tokenizer (db/fts_cjk.c). Each
 * indexed object has a fixed rowid derived from its kind and id, so re-indexing is a delete
 * and an insert by rowid. A query is split at spaces; each term becomes an FTS5 phrase
 * (quoted, so no user text is ever read as query syntax), and all terms must match.
 * Excerpts are cut from the stored text around the first match, as plain text with the
 * offsets of every match; view/snippet.c makes the escaped HTML with <mark> of them.
 */
#include "search.h"
#include "session.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "base/util.h"
#include "db/cjk.h"
#include "db/db.h"

/* The kinds indexed, in the order of their rowids (ref * 8 + index): never reorder. */
static const char *const kinds[] = {"topic",  "session",   "remark", "suggestion",
				    "output", "statement", "person"};

bool search_kind_valid(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < ARRAY_LEN(kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

static int64_t index_rowid(const char *kind, int64_t ref)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return ref * 8 + (int64_t)i;
	return -1;
}

static const char sql_del[] = "DELETE FROM search_index WHERE rowid = ?";
static const char sql_put[] = "INSERT INTO search_index (rowid, title, body, kind, ref, session,"
			      " org) VALUES (?, ?, ?, ?, ?, ?, ?)";
/* every change to the index is a new generation of it (the result cache below) */
static const char sql_bump[] = "UPDATE search_stats SET generation = generation + 1 WHERE id = 1";
/* PostgreSQL: a plain table (migrations/pg/0002_sessions.sql); the tokens, made here by the
 * same tokenizer as SQLite's index, go in as a tsvector, with their count; the totals of
 * rows and tokens FTS5 keeps for its bm25 are kept in search_stats (0020_search_rank.sql) */
static const char sql_put_pg[] = "INSERT INTO search_index (rowid, title, body, kind, ref,"
				 " session, org, terms, ntok) VALUES (?, ?, ?, ?, ?, ?, ?,"
				 " CAST(? AS tsvector), ?)";
static const char sql_put_stats_pg[] = "UPDATE search_stats SET generation = generation + 1,"
				       " nrow = nrow + 1, ntok = ntok + ? WHERE id = 1";
static const char sql_del_stats_pg[] =
    "UPDATE search_stats SET generation = generation + 1,"
    " nrow = nrow - (SELECT count(*) FROM search_index WHERE rowid = ?1),"
    " ntok = ntok - COALESCE((SELECT sum(ntok) FROM search_index WHERE rowid = ?1), 0)"
    " WHERE id = 1";

/* put_pg is search_put's insert on PostgreSQL. */
static int put_pg(struct db *db, int64_t rowid, const char *kind, int64_t ref, int64_t session_id,
		  int64_t org_id, const char *title, const char *body)
{
	struct cjk_phrases none = {0};
	struct buf tsv;
	int ntok = 0, rc;

	buf_init(&tsv, BUF_MAX_DEFAULT);
	rc = cjk_tsvector(title, body, &tsv);
	if (!rc)
		rc = cjk_count(&none, title, body, NULL, &ntok);
	if (!rc)
		rc = db_exec(db, sql_put_pg, "isssiiisn", rowid, title, body, kind, ref, session_id,
			     org_id, buf_cstr(&tsv), ntok);
	if (!rc)
		rc = db_exec(db, sql_put_stats_pg, "n", ntok);
	buf_fini(&tsv);
	return rc;
}

int search_drop(struct db *db, const char *kind, int64_t ref)
{
	int64_t rowid = index_rowid(kind, ref);
	int rc;

	if (db_dialect(db) == DB_POSTGRES)
		rc = db_exec(db, sql_del_stats_pg, "i", rowid);
	else
		rc = db_exec(db, sql_bump, "");
	if (!rc)
		rc = db_exec(db, sql_del, "i", rowid);
	return rc;
}

int search_put(struct db *db, const char *kind, int64_t ref, int64_t session_id, int64_t org_id,
	       const char *title, const char *body)
{
	int64_t rowid = index_rowid(kind, ref);
	int rc;

	if (rowid < 0)
		return ERR_INVALID;
	rc = search_drop(db, kind, ref);
	if (!rc && db_dialect(db) == DB_POSTGRES)
		return put_pg(db, rowid, kind, ref, session_id, org_id, title ? title : "",
			      body ? body : "");
	if (!rc)
		rc = db_exec(db, sql_put, "isssiii", rowid, title ? title : "", body ? body : "",
			     kind, ref, session_id, org_id);
	return rc;
}

#define MAX_TERMS 8

struct terms {
	char t[MAX_TERMS][128];
	size_t n;
};

/* split_terms cuts q at ASCII and ideographic spaces into at most MAX_TERMS terms. */
static void split_terms(const char *q, struct terms *tm)
{
	const char *p = q;

	tm->n = 0;
	while (*p && tm->n < MAX_TERMS) {
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == '\n' || strncmp(p, "\xe3\x80\x80", 3) == 0)
			p += (*p == '\xe3') ? 3 : 1;
		if (!*p)
			break;
		len = 0;
		while (p[len] && p[len] != ' ' && p[len] != '\t' && p[len] != '\n' &&
		       strncmp(p + len, "\xe3\x80\x80", 3) != 0)
			len++;
		if (len < sizeof(tm->t[0])) {
			memcpy(tm->t[tm->n], p, len);
			tm->t[tm->n][len] = '\0';
			tm->n++;
		}
		p += len;
	}
}

/* fts_query writes the FTS5 query for the terms: each a quoted phrase; a lone CJK
 * character becomes a prefix query (the index holds bigrams). */
static int fts_query(const struct terms *tm, struct buf *out)
{
	size_t i, k;
	int rc = ERR_OK;

	for (i = 0; !rc && i < tm->n; i++) {
		const char *t = tm->t[i];
		size_t n = strlen(t);

		rc = buf_puts(out, i ? " \"" : "\"");
		for (k = 0; !rc && k < n; k++)
			rc = t[k] == '"' ? buf_puts(out, "\"\"") : buf_putc(out, t[k]);
		if (!rc)
			rc = buf_putc(out, '"');
		if (!rc && utf8_count(t, n) == 1 && (unsigned char)t[0] >= 0xE0)
			rc = buf_putc(out, '*');
	}
	return rc;
}

/* pg_query writes the PostgreSQL tsquery for the terms, the same match as fts_query's: each
 * term its tokens in sequence, all terms required, a lone CJK character as a prefix. A term
 * without tokens (punctuation only) is left out, as FTS5 leaves out an empty phrase; *n gets
 * how many terms are left. */
static int pg_query(const struct terms *tm, struct buf *out, size_t *n)
{
	size_t i;
	int rc = ERR_OK;

	*n = 0;
	for (i = 0; !rc && i < tm->n; i++) {
		const char *t = tm->t[i];
		size_t len = strlen(t), before = out->n;
		bool prefix = utf8_count(t, len) == 1 && (unsigned char)t[0] >= 0xE0;
		int ntok = 0;

		if (*n)
			rc = buf_puts(out, " & ");
		if (!rc)
			rc = cjk_tsquery_term(t, prefix, out, &ntok);
		if (!rc && ntok == 0) {
			out->n = before;
			if (out->p)
				out->p[before] = '\0';
		} else if (!rc) {
			(*n)++;
		}
	}
	return rc;
}

/* find_ci finds needle in hay[0..n) (ASCII letters compared without case). */
static const char *find_ci(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), i, k;

	if (!m || m > n)
		return NULL;
	for (i = 0; i + m <= n; i++) {
		for (k = 0; k < m; k++) {
			char a = hay[i + k], b = needle[k];

			if (a >= 'A' && a <= 'Z')
				a = (char)(a + 32);
			if (b >= 'A' && b <= 'Z')
				b = (char)(b + 32);
			if (a != b)
				break;
		}
		if (k == m)
			return hay + i;
	}
	return NULL;
}

/* back_chars moves back up to count code points from p, not before start. */
static const char *back_chars(const char *start, const char *p, int count)
{
	while (p > start && count > 0) {
		p--;
		while (p > start && ((unsigned char)*p & 0xC0) == 0x80)
			p--;
		count--;
	}
	return p;
}

static const char *fwd_chars(const char *p, const char *end, int count)
{
	while (p < end && count > 0) {
		p++;
		while (p < end && ((unsigned char)*p & 0xC0) == 0x80)
			p++;
		count--;
	}
	return p;
}

/* excerpt cuts the text around the first match of any term into h (text, marks). */
static int excerpt(const char *text, const struct terms *tm, struct search_hit *h)
{
	size_t n = strlen(text), i;
	const char *first = NULL, *from, *to, *p;

	for (i = 0; i < tm->n; i++) {
		const char *m = find_ci(text, n, tm->t[i]);

		if (m && (!first || m < first))
			first = m;
	}
	if (!first)
		first = text;
	from = back_chars(text, first, 30);
	to = fwd_chars(first, text + n, 70);
	h->cut_before = from > text;
	h->cut_after = to < text + n;
	h->text_len = (size_t)(to - from);
	h->text = malloc(h->text_len + 1);
	if (!h->text)
		return ERR_NOMEM;
	memcpy(h->text, from, h->text_len);
	h->text[h->text_len] = '\0';
	h->nmarks = 0;
	p = from;
	while (p < to && h->nmarks < SEARCH_MAX_MARKS) {
		const char *best = NULL;
		size_t best_len = 0;

		for (i = 0; i < tm->n; i++) {
			const char *m = find_ci(p, (size_t)(to - p), tm->t[i]);

			if (m && (!best || m < best)) {
				best = m;
				best_len = strlen(tm->t[i]);
			}
		}
		if (!best)
			break;
		h->mark_off[h->nmarks] = (size_t)(best - from);
		h->mark_len[h->nmarks] = best_len;
		h->nmarks++;
		p = best + best_len;
	}
	return ERR_OK;
}

void search_hits_init(struct search_hits *h)
{
	memset(h, 0, sizeof(*h));
}

static void hit_release(struct search_hit *h)
{
	free(h->title);
	free(h->text);
	h->title = h->text = NULL;
}

void search_hits_release(struct search_hits *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		hit_release(&h->v[i]);
	free(h->v);
	search_hits_init(h);
}

/* hits_truncate drops the hits past the first n. */
static void hits_truncate(struct search_hits *h, size_t n)
{
	while (h->n > n)
		hit_release(&h->v[--h->n]);
}

/* hits_add returns a new, zeroed hit at the end of h, or NULL when out of memory. */
static struct search_hit *hits_add(struct search_hits *h)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 16;
		struct search_hit *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		h->v = v;
		h->cap = cap;
	}
	memset(&h->v[h->n], 0, sizeof(h->v[0]));
	return &h->v[h->n++];
}

/* Who may see a hit (?2 the actor's scope path, ?5 its account, ?6 its handling unit, ?8
 * whether it is signed in):
 * - topics of the caller's branch;
 * - sessions, remarks, suggestions and (accepted) statements of public sessions, of the
 *   branch's sessions and of sessions linked to the branch; statements also of a public
 *   session whose room takes anonymous phones (room_authorize READ: anyone may read them);
 * - outputs as output_authorize READ decides: signed in, and of the branch, or the caller is
 *   one of its authors or handling units (drafts included: the same rule);
 * - people as person_authorize READ decides: signed in, and of the caller's body or one
 *   below it (a handling unit's account: none of them), or the caller's own person.
 * ?7 is the kind asked for, '' for every kind. */
#define SEARCH_VISIBLE                                                                             \
	"  (?7 = '' OR f.kind = ?7) AND ("                                                         \
	"  (f.kind = 'topic' AND substr(o.path, 1, length(?2)) = ?2)"                              \
	"  OR (f.kind IN ('session', 'remark', 'suggestion', 'statement')"                         \
	"   AND ((s.visibility = 'public' AND s.status != 'draft')"                                \
	"   OR substr(so.path, 1, length(?2)) = ?2"                                                \
	"   OR EXISTS (SELECT 1 FROM session_org sl JOIN org lo ON lo.id = sl.org_id"              \
	"    WHERE sl.session_id = s.id AND substr(lo.path, 1, length(?2)) = ?2)))"                \
	"  OR (f.kind = 'statement' AND s.visibility = 'public' AND EXISTS (SELECT 1 FROM room rm" \
	"   WHERE rm.session_id = s.id AND rm.anonymous = TRUE))"                                  \
	"  OR (f.kind = 'output' AND ?8 != 0 AND (substr(o.path, 1, length(?2)) = ?2"              \
	"   OR EXISTS (SELECT 1 FROM output_author oa JOIN person ap ON ap.id = oa.person_id"      \
	"    WHERE oa.output_id = f.ref AND ap.user_id = ?5)"                                      \
	"   OR EXISTS (SELECT 1 FROM output_handler oh WHERE oh.output_id = f.ref"                 \
	"    AND oh.handler_id = ?6)))"                                                            \
	"  OR (f.kind = 'person' AND ?8 != 0 AND (substr(o.path, 1, length(?2)) = ?2"              \
	"   OR EXISTS (SELECT 1 FROM person sp WHERE sp.id = f.ref AND sp.user_id = ?5))))"
#define SEARCH_COLS                                                                                \
	"SELECT f.kind, f.ref, CASE WHEN f.kind IN ('remark', 'statement')"                        \
	" THEN COALESCE(s.title, '') ELSE f.title END, f.title, f.body, f.session"
#define SEARCH_JOINS                                                                               \
	" JOIN org o ON o.id = f.org"                                                              \
	" LEFT JOIN session s ON s.id = f.session AND f.kind != 'topic'"                           \
	" LEFT JOIN org so ON so.id = s.org_id"
/*
 * Ranking: FTS5's bm25 on both backends (cjk_bm25, db/cjk.h), best first, ties by rowid
 * (older first). A word found in thousands of texts is ranked among its SEARCH_RANK_WINDOW
 * newest hits (the index keeps them in rowid order, newest last): the cost of a query is
 * bounded by the window, not by how common the word is, and for rarer words, the usual
 * case, the ranking is over every hit. The best 4 x limit of the window are checked for
 * visibility in rank order; when fewer than asked for are visible and the window held more
 * hits than were looked at, the window is taken again over the visible hits alone
 * (sql_query, sql_query_pg) and ranked: the same rules on both backends.
 */
#define SEARCH_RANK_WINDOW "500"
#define RANK_WINDOW	   500

/* The stored columns of the index read from FTS5's content table (its layout: id, then c0,
 * c1... in the order of the columns of migrations/0002_sessions.sql): a plain lookup by
 * rowid, where a lookup through the FTS5 table opens a cursor of its own, about three times
 * the cost (1.1 against 3.4 us a row, measured on the bench's 229,713 rows). */
#define SEARCH_CONTENT                                                                             \
	" (SELECT id AS rowid, c0 AS title, c1 AS body, c2 AS kind, c3 AS ref, c4 AS session,"     \
	" c5 AS org FROM search_index_content)"
/* SQLite: the window and its ranks from FTS5 (?9: the phrases' hit counts or NULL, see
 * db/fts_cjk.c), the best ?4 of them, then who may see them. */
static const char sql_query_top[] = SEARCH_COLS
    " FROM (SELECT rid, r FROM (SELECT rowid AS rid, cjk_bm25(search_index, ?9) AS r"
    " FROM search_index WHERE search_index MATCH ?1 ORDER BY rowid DESC LIMIT " SEARCH_RANK_WINDOW
    ") ORDER BY r, rid LIMIT ?4) m JOIN" SEARCH_CONTENT " f ON f.rowid = m.rid" SEARCH_JOINS
    " WHERE (" SEARCH_VISIBLE ") ORDER BY m.r, m.rid LIMIT ?3";
/* How many hits the window holds: whether the first way looked at every hit. */
static const char sql_window_n[] =
    "SELECT count(*) FROM (SELECT rowid FROM search_index WHERE search_index MATCH ?"
    " ORDER BY rowid DESC LIMIT " SEARCH_RANK_WINDOW ")";
/* The window over the visible hits: when the first way found too few. */
static const char sql_query[] =
    "SELECT * FROM (" SEARCH_COLS ", cjk_bm25(search_index, ?9) AS r, f.rowid AS rid"
    " FROM search_index f" SEARCH_JOINS " WHERE search_index MATCH ?1 AND (" SEARCH_VISIBLE
    ") ORDER BY f.rowid DESC LIMIT " SEARCH_RANK_WINDOW ") ORDER BY r, rid LIMIT ?3";
static const char sql_hits[] = "SELECT count(*) FROM search_index WHERE search_index MATCH ?";

/* PostgreSQL: ?1 is a tsquery (pg_query), the GIN index finds the hits; the window's rows
 * are ranked here from their text (rank_add), and the best checked for visibility in their
 * order (?1 then the array of their rowids). The queries by a tsquery are planned for it
 * each time (db_each_planned): a walk down the rowids for a word in a third of the texts (3
 * ms for 发展), the GIN index for a rarer one; a cached statement soon got one generic plan
 * for every word (520 ms for 发展). PostgreSQL must know the type of every
 * parameter: ?4, unused, is named in a CAST. */
static const char sql_window_pg[] =
    "SELECT rowid, title, body FROM search_index WHERE terms @@ CAST(? AS tsquery)"
    " ORDER BY rowid DESC LIMIT " SEARCH_RANK_WINDOW;
static const char sql_query_top_pg[] = SEARCH_COLS
    " FROM unnest(CAST(?1 AS BIGINT[])) WITH ORDINALITY AS m(rid, ord)"
    " JOIN search_index f ON f.rowid = m.rid" SEARCH_JOINS
    " WHERE CAST(?4 AS BIGINT) IS NULL AND (" SEARCH_VISIBLE ") ORDER BY m.ord LIMIT ?3";
static const char sql_query_pg[] =
    SEARCH_COLS ", f.rowid FROM search_index f" SEARCH_JOINS
		" WHERE f.terms @@ CAST(?1 AS tsquery) AND CAST(?4 AS BIGINT) IS NULL"
		" AND (" SEARCH_VISIBLE ") ORDER BY f.rowid DESC LIMIT ?3";
static const char sql_hits_pg[] =
    "SELECT count(*) FROM search_index WHERE terms @@ CAST(? AS tsquery)";
/* the totals FTS5 keeps for its bm25: rows and tokens (migrations/pg/0020_search_rank.sql) */
static const char sql_totals_pg[] = "SELECT nrow, ntok FROM search_stats WHERE id = 1";

/* What one query needs: its terms, phrases, the query text for the backend, each
 * phrase's hit count when there are several (for the idf). */
struct plan {
	struct terms tm;
	struct cjk_phrases ph;
	struct buf fq;	/* FTS5 query or tsquery */
	struct buf dfs; /* hit counts, "n1 n2 ...", empty for one phrase */
	int64_t df[CJK_MAX_PHRASES];
	bool pg;
};

struct run {
	const struct terms *tm;
	struct search_hits *out;
};

static int hit_row(struct db_stmt *st, void *ud)
{
	struct run *r = ud;
	const char *title = db_col_text(st, 3), *body = db_col_text(st, 4);
	struct search_hit *h;
	bool has_body = false;
	size_t i;

	for (i = 0; i < r->tm->n && !has_body; i++)
		has_body = find_ci(body, strlen(body), r->tm->t[i]) != NULL;
	h = hits_add(r->out);
	if (!h)
		return ERR_NOMEM;
	snprintf(h->kind, sizeof(h->kind), "%s", db_col_text(st, 0));
	h->id = db_col_int(st, 1);
	h->session_id = db_col_int(st, 5);
	h->title = db_col_dup(st, 2);
	if (!h->title)
		return ERR_NOMEM;
	return excerpt(has_body || !title[0] ? body : title, r->tm, h);
}

/* run_query appends up to limit hits of sql; q: ?1; top: ?4 (0 binds NULL; always NULL on
 * PostgreSQL); dfs: ?9 (SQLite only; NULL binds NULL). */
static int run_query(struct db *db, const char *sql, const char *q, int64_t top,
		     const struct actor *a, const struct plan *p, const char *kind, int limit,
		     struct search_hits *out)
{
	struct run r = {&p->tm, out};
	int rc;
	int64_t user = a->via != AUTH_NONE ? a->user.id : 0;
	int64_t handler = a->via != AUTH_NONE ? a->user.handler_id : 0;
	int64_t signed_in = a->via != AUTH_NONE;
	const char *dfs = p->dfs.n ? buf_cstr((struct buf *)&p->dfs) : NULL;

	if (p->pg)
		return db_each(db, sql, hit_row, &r, "ssi0iisi", q, scope_path(a), (int64_t)limit,
			       user, handler, kind ? kind : "", signed_in);
	if (top)
		rc = db_each(db, sql, hit_row, &r, "ssiiiisis", q, scope_path(a), (int64_t)limit,
			     top, user, handler, kind ? kind : "", signed_in, dfs);
	else
		rc = db_each(db, sql, hit_row, &r, "ssi0iisis", q, scope_path(a), (int64_t)limit,
			     user, handler, kind ? kind : "", signed_in, dfs);
	return rc;
}

/* plan_make splits q into terms, drops those without tokens, and writes the backend's
 * query; ERR_NOT_FOUND when nothing is left to search for. */
static int plan_make(struct db *db, const char *q, struct plan *p)
{
	struct terms all;
	size_t i, nq = 0;
	int rc = ERR_OK;

	p->pg = db_dialect(db) == DB_POSTGRES;
	split_terms(q, &all);
	if (all.n == 0)
		return ERR_INVALID;
	p->tm.n = 0;
	p->ph.n = 0;
	for (i = 0; !rc && i < all.n; i++) {
		const char *t = all.t[i];
		size_t before = p->ph.n, len = strlen(t);
		bool prefix = utf8_count(t, len) == 1 && (unsigned char)t[0] >= 0xE0;

		rc = cjk_phrases_add(&p->ph, t, prefix);
		if (!rc && p->ph.n > before)
			memcpy(p->tm.t[p->tm.n++], t, len + 1);
	}
	if (rc == ERR_INVALID) /* a term too long to rank: search what fits */
		rc = ERR_OK;
	if (!rc && p->tm.n == 0)
		return ERR_NOT_FOUND; /* nothing searchable: no hits, as FTS5 finds none */
	if (!rc && p->pg)
		rc = pg_query(&p->tm, &p->fq, &nq);
	else if (!rc)
		rc = fts_query(&p->tm, &p->fq);
	return rc;
}

/* plan_dfs counts the hits of each phrase when there are several: the idf weighs them. */
static int plan_dfs(struct db *db, struct plan *p)
{
	struct buf one;
	size_t i;
	int rc = ERR_OK;

	buf_reset(&p->dfs);
	if (p->tm.n < 2)
		return ERR_OK;
	buf_init(&one, 4096);
	for (i = 0; !rc && i < p->tm.n; i++) {
		struct terms t1;
		size_t nq;

		t1.n = 1;
		memcpy(t1.t[0], p->tm.t[i], sizeof(t1.t[0]));
		buf_reset(&one);
		rc = p->pg ? pg_query(&t1, &one, &nq) : fts_query(&t1, &one);
		if (!rc)
			rc = db_get_int(db, p->pg ? sql_hits_pg : sql_hits, &p->df[i], "s",
					buf_cstr(&one));
		if (!rc)
			rc = buf_printf(&p->dfs, i ? " %lld" : "%lld", (long long)p->df[i]);
	}
	buf_fini(&one);
	return rc;
}

/* --- PostgreSQL: the window ranked here --- */

struct ranked {
	int64_t rowid;
	double r;
	size_t at; /* the place of its hit, in the fallback */
};

struct pg_rank {
	const struct plan *p;
	double avgdl, idf[CJK_MAX_PHRASES];
	bool with_idf;
	struct ranked *v;
	size_t n, cap;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->r != y->r)
		return x->r < y->r ? -1 : 1;
	return (x->rowid > y->rowid) - (x->rowid < y->rowid);
}

static int rank_add(struct pg_rank *k, int64_t rowid, const char *title, const char *body)
{
	double freq[CJK_MAX_PHRASES];
	int ntok = 0, rc;

	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 256;
		struct ranked *v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return ERR_NOMEM;
		k->v = v;
		k->cap = cap;
	}
	rc = cjk_count(&k->p->ph, title, body, freq, &ntok);
	if (rc)
		return rc;
	k->v[k->n].rowid = rowid;
	k->v[k->n].at = k->n;
	k->v[k->n].r =
	    cjk_bm25(freq, k->with_idf ? k->idf : NULL, k->p->ph.n, (double)ntok, k->avgdl);
	k->n++;
	return ERR_OK;
}

static int window_row(struct db_stmt *st, void *ud)
{
	return rank_add(ud, db_col_int(st, 0), db_col_text(st, 1), db_col_text(st, 2));
}

/* hits_order puts out's hits from before on (n of them, rank v[i] for the i-th) in the order
 * of their ranks. */
static int hits_order(struct search_hits *out, size_t before, struct ranked *v, size_t n)
{
	struct search_hit *sorted;
	size_t i;

	if (n != out->n - before)
		return ERR_INVALID;
	if (!n)
		return ERR_OK;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return ERR_NOMEM;
	qsort(v, n, sizeof(v[0]), ranked_cmp);
	for (i = 0; i < n; i++)
		sorted[i] = out->v[before + v[i].at];
	memcpy(out->v + before, sorted, n * sizeof(*sorted));
	free(sorted);
	return ERR_OK;
}

/* rank_init reads FTS5's totals as PostgreSQL keeps them and makes the idf. */
static int rank_init(struct db *db, const struct plan *p, struct pg_rank *k)
{
	struct db_stmt *st;
	int64_t nrow = 0, ntok = 0;
	size_t i;
	int rc;

	memset(k, 0, sizeof(*k));
	k->p = p;
	rc = db_get_row(db, sql_totals_pg, &st, "");
	if (rc == ERR_NOT_FOUND)
		rc = ERR_OK;
	else if (!rc) {
		nrow = db_col_int(st, 0);
		ntok = db_col_int(st, 1);
		db_done(st);
	}
	k->avgdl = nrow > 0 ? (double)ntok / (double)nrow : 1.0;
	k->with_idf = p->tm.n > 1;
	for (i = 0; k->with_idf && i < p->ph.n; i++)
		k->idf[i] = cjk_idf(nrow, p->df[i]);
	return rc;
}

/* fallback_row keeps a visible hit of sql_query_pg with its rank (its rowid is column 6). */
struct fallback {
	struct pg_rank k;
	struct run r;
};

static int fallback_row(struct db_stmt *st, void *ud)
{
	struct fallback *f = ud;
	int rc = rank_add(&f->k, db_col_int(st, 6), db_col_text(st, 3), db_col_text(st, 4));

	return rc ? rc : hit_row(st, &f->r);
}

/* search_pg: the top query and, when too few are visible, the fallback, on PostgreSQL. */
static int search_pg(struct db *db, const struct actor *a, struct plan *p, const char *kind,
		     int limit, struct search_hits *out)
{
	size_t before = out->n, i, top;
	struct fallback f;
	struct buf ids;
	int rc;

	rc = rank_init(db, p, &f.k);
	if (!rc)
		rc = db_each_planned(db, sql_window_pg, window_row, &f.k, "s", buf_cstr(&p->fq));
	if (rc) {
		free(f.k.v);
		return rc;
	}
	if (f.k.n)
		qsort(f.k.v, f.k.n, sizeof(f.k.v[0]), ranked_cmp);
	top = (size_t)limit * 4 < f.k.n ? (size_t)limit * 4 : f.k.n;
	buf_init(&ids, BUF_MAX_DEFAULT);
	rc = buf_putc(&ids, '{');
	for (i = 0; !rc && i < top; i++)
		rc = buf_printf(&ids, i ? ",%lld" : "%lld", (long long)f.k.v[i].rowid);
	if (!rc)
		rc = buf_putc(&ids, '}');
	if (!rc && top)
		rc = run_query(db, sql_query_top_pg, buf_cstr(&ids), 0, a, p, kind, limit, out);
	buf_fini(&ids);
	if (rc || out->n - before >= (size_t)limit ||
	    (f.k.n <= (size_t)limit * 4 && f.k.n < RANK_WINDOW)) {
		/* enough, or every hit was looked at */
		free(f.k.v);
		return rc;
	}
	/* too few of the best hits were visible: the window over the visible hits, newest
	 * first, each hit's rank kept at its place; then both put in rank order */
	hits_truncate(out, before);
	f.k.n = 0;
	f.r = (struct run){&p->tm, out};
	rc = db_each_planned(db, sql_query_pg, fallback_row, &f, "ssi0iisi", buf_cstr(&p->fq),
			     scope_path(a), (int64_t)RANK_WINDOW,
			     a->via != AUTH_NONE ? a->user.id : 0,
			     a->via != AUTH_NONE ? a->user.handler_id : 0, kind ? kind : "",
			     (int64_t)(a->via != AUTH_NONE));
	if (!rc)
		rc = hits_order(out, before, f.k.v, f.k.n);
	if (!rc)
		hits_truncate(out, before + (size_t)limit);
	free(f.k.v);
	return rc;
}

/*
 * The result cache. An answer depends on the query, the kind, the limit and who asks (the
 * actor's scope path, account, handling unit, whether signed in), and on the index and the
 * rows that decide visibility, all of which bump search_stats.generation (search_put,
 * search_drop; triggers on sessions, bodies, links, rooms, output authors and handlers,
 * people: migrations/0020_search_rank.sql). An answer is kept with the generation read
 * before it was made and given again, as a copy, while the generation is the same; a write
 * that lands meanwhile leaves it labelled older, so it is never given as newer than it is.
 * The cache is in shards, each with its own lock held only to find or store a copy: no lock
 * is held while a query runs, and each thread reads on its own connection (db_thread).
 */
enum { CACHE_SHARDS = 16, CACHE_WAYS = 8, CACHE_KEY_MAX = 600 };

struct cache_slot {
	char key[CACHE_KEY_MAX];
	int64_t generation;
	uint64_t used;
	bool filled;
	struct search_hits hits;
};

static struct cache_shard {
	pthread_mutex_t lock;
	uint64_t clock;
	struct cache_slot slot[CACHE_WAYS];
} cache[CACHE_SHARDS];
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static bool cache_on = true;

void search_cache_enable(bool on)
{
	cache_on = on;
}

static void cache_init(void)
{
	size_t i;

	for (i = 0; i < CACHE_SHARDS; i++)
		pthread_mutex_init(&cache[i].lock, NULL);
}

static const char sql_generation[] = "SELECT generation FROM search_stats WHERE id = 1";

/* hits_copy appends copies of src's hits to dst. */
static int hits_copy(struct search_hits *dst, const struct search_hits *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		struct search_hit *h = hits_add(dst);

		if (!h)
			return ERR_NOMEM;
		*h = src->v[i];
		h->title = strdup(src->v[i].title);
		h->text = malloc(src->v[i].text_len + 1);
		if (!h->title || !h->text) {
			hit_release(h);
			dst->n--;
			return ERR_NOMEM;
		}
		memcpy(h->text, src->v[i].text, src->v[i].text_len + 1);
	}
	return ERR_OK;
}

static uint64_t key_hash(const char *k)
{
	uint64_t h = 1469598103934665603ull;

	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ull;
	return h;
}

/* cache_get appends the answer kept for key at generation gen: ERR_NOT_FOUND when none. */
static int cache_get(const char *key, int64_t gen, struct search_hits *out)
{
	struct cache_shard *c = &cache[key_hash(key) % CACHE_SHARDS];
	size_t i, before = out->n;
	int rc = ERR_NOT_FOUND;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < CACHE_WAYS; i++) {
		struct cache_slot *s = &c->slot[i];

		if (s->filled && s->generation == gen && strcmp(s->key, key) == 0) {
			s->used = ++c->clock;
			rc = hits_copy(out, &s->hits);
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (rc && rc != ERR_NOT_FOUND)
		hits_truncate(out, before);
	return rc;
}

/* cache_put keeps a copy of the answer (hits from before on) for key at generation gen. */
static void cache_put(const char *key, int64_t gen, const struct search_hits *out, size_t before)
{
	struct cache_shard *c = &cache[key_hash(key) % CACHE_SHARDS];
	struct search_hits part = {out->v + before, out->n - before, out->n - before};
	struct cache_slot *v = &c->slot[0];
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < CACHE_WAYS; i++) {
		struct cache_slot *s = &c->slot[i];

		if (s->filled && strcmp(s->key, key) == 0) {
			v = s;
			break;
		}
		if (!s->filled || s->used < v->used)
			v = s;
	}
	if (!v->filled || strcmp(v->key, key) != 0 || v->generation <= gen) {
		search_hits_release(&v->hits);
		v->filled = false;
		snprintf(v->key, sizeof(v->key), "%s", key);
		v->generation = gen;
		v->used = ++c->clock;
		if (hits_copy(&v->hits, &part) == ERR_OK)
			v->filled = true;
		else
			search_hits_release(&v->hits);
	}
	pthread_mutex_unlock(&c->lock);
}

void search_cache_clear(void)
{
	size_t i, j;

	pthread_once(&cache_once, cache_init);
	for (i = 0; i < CACHE_SHARDS; i++) {
		pthread_mutex_lock(&cache[i].lock);
		for (j = 0; j < CACHE_WAYS; j++) {
			search_hits_release(&cache[i].slot[j].hits);
			cache[i].slot[j].filled = false;
		}
		pthread_mutex_unlock(&cache[i].lock);
	}
}

/* search_uncached is search_query without the cache. */
static int search_uncached(struct db *db, const struct actor *a, const char *q, const char *kind,
			   int limit, struct search_hits *out)
{
	struct plan p;
	size_t before = out->n;
	int rc;

	if (kind && *kind && !search_kind_valid(kind))
		return ERR_INVALID;
	memset(&p, 0, sizeof(p));
	buf_init(&p.fq, 4096);
	buf_init(&p.dfs, 4096);
	rc = plan_make(db, q, &p);
	if (!rc)
		rc = plan_dfs(db, &p);
	if (!rc && p.pg) {
		rc = search_pg(db, a, &p, kind, limit, out);
	} else if (!rc) {
		int64_t nwin = -1, top = (int64_t)limit * 4;

		rc = run_query(db, sql_query_top, buf_cstr(&p.fq), top, a, &p, kind, limit, out);
		if (!rc && out->n - before < (size_t)limit)
			rc = db_get_int(db, sql_window_n, &nwin, "s", buf_cstr(&p.fq));
		/* too few of the best hits were visible, and some hits were not looked at (a
		 * full window, or more in it than the best looked at): the window over the
		 * visible hits */
		if (!rc && out->n - before < (size_t)limit && (nwin > top || nwin >= RANK_WINDOW)) {
			hits_truncate(out, before);
			rc = run_query(db, sql_query, buf_cstr(&p.fq), 0, a, &p, kind, limit, out);
		}
	}
	if (rc == ERR_NOT_FOUND)
		rc = ERR_OK;
	if (rc)
		hits_truncate(out, before);
	buf_fini(&p.fq);
	buf_fini(&p.dfs);
	return rc;
}

int search_query(struct db *db, const struct actor *a, const char *q, const char *kind, int limit,
		 struct search_hits *out)
{
	char key[CACHE_KEY_MAX];
	int64_t gen = -1;
	size_t before = out->n;
	int n, rc;

	if (kind && *kind && !search_kind_valid(kind))
		return ERR_INVALID;
	pthread_once(&cache_once, cache_init);
	n = snprintf(
	    key, sizeof(key), "%s\x1f%s\x1f%d\x1f%s\x1f%lld\x1f%lld\x1f%d", q, kind ? kind : "",
	    limit, scope_path(a), (long long)(a->via != AUTH_NONE ? a->user.id : 0),
	    (long long)(a->via != AUTH_NONE ? a->user.handler_id : 0), a->via != AUTH_NONE);
	if (!cache_on || n < 0 || (size_t)n >= sizeof(key) ||
	    db_get_int(db, sql_generation, &gen, ""))
		gen = -1; /* too long to keep, or no generation to label it with */
	if (gen >= 0 && cache_get(key, gen, out) == ERR_OK)
		return ERR_OK;
	rc = search_uncached(db, a, q, kind, limit, out);
	if (!rc && gen >= 0)
		cache_put(key, gen, out, before);
	return rc;
}
