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
/* PostgreSQL: a plain table (migrations/pg/0002_sessions.sql); the tokens, made here by the
 * same tokenizer as SQLite's index, go in as a tsvector */
static const char sql_put_pg[] = "INSERT INTO search_index (rowid, title, body, kind, ref,"
				 " session, org, terms) VALUES (?, ?, ?, ?, ?, ?, ?,"
				 " CAST(? AS tsvector))";

/* put_pg is search_put's insert on PostgreSQL. */
static int put_pg(struct db *db, int64_t rowid, const char *kind, int64_t ref, int64_t session_id,
		  int64_t org_id, const char *title, const char *body)
{
	struct buf tsv;
	int rc;

	buf_init(&tsv, BUF_MAX_DEFAULT);
	rc = cjk_tsvector(title, body, &tsv);
	if (!rc)
		rc = db_exec(db, sql_put_pg, "isssiiis", rowid, title, body, kind, ref, session_id,
			     org_id, buf_cstr(&tsv));
	buf_fini(&tsv);
	return rc;
}

int search_drop(struct db *db, const char *kind, int64_t ref)
{
	return db_exec(db, sql_del, "i", index_rowid(kind, ref));
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

/* First the best-ranked hits alone, then who may see them: fast when most of the best
 * hits are visible. Ranking (bm25) costs a lookup per hit, so a word found in tens of
 * thousands of texts is ranked among its SEARCH_RANK_WINDOW newest hits (the index keeps
 * them in insertion order): the answer stays under a few milliseconds, and for rarer
 * words, the usual case, the ranking is over every hit. */
#define SEARCH_RANK_WINDOW "4000"
static const char sql_query_top[] =
    SEARCH_COLS " FROM (SELECT rid, r FROM (SELECT rowid AS rid, rank AS r FROM search_index"
		" WHERE search_index MATCH ?1 ORDER BY rowid DESC LIMIT " SEARCH_RANK_WINDOW
		") ORDER BY r, rid LIMIT ?4) m JOIN search_index f ON f.rowid = m.rid" SEARCH_JOINS
		" WHERE (" SEARCH_VISIBLE ") ORDER BY m.r, m.rid LIMIT ?3";
/* Every hit, checked for visibility, then ranked: when the first way found too few. */
static const char sql_query[] = SEARCH_COLS " FROM search_index f" SEARCH_JOINS
					    " WHERE search_index MATCH ?1 AND (" SEARCH_VISIBLE
					    ") ORDER BY rank, f.rowid LIMIT ?3";
/* The same two on PostgreSQL: ?1 is a tsquery (pg_query), the GIN index finds the hits,
 * ts_rank (normalized by the text's length, as bm25 is; negated, as FTS5's rank is smaller
 * for better hits) ranks them, the newest SEARCH_RANK_WINDOW first as above. The rank is
 * taken after the window, so only those are ranked. The query over every hit names ?4 (it
 * is NULL there) so that PostgreSQL knows the type of every parameter. */
#define PG_RANK(alias) "-ts_rank(" alias ".terms, CAST(?1 AS tsquery), 1)"
static const char sql_query_top_pg[] =
    SEARCH_COLS " FROM (SELECT rid, r FROM (SELECT w.rid, " PG_RANK(
	"w") " AS r FROM"
	     " (SELECT rowid AS rid, terms FROM search_index WHERE terms @@ CAST(?1 AS "
	     "tsquery)"
	     " ORDER BY rowid DESC LIMIT " SEARCH_RANK_WINDOW ") w) x ORDER BY r, rid LIMIT ?4)"
	     " m JOIN search_index f ON f.rowid = m.rid" SEARCH_JOINS " WHERE (" SEARCH_VISIBLE
	     ") ORDER BY m.r, m.rid LIMIT ?3";
static const char sql_query_pg[] =
    SEARCH_COLS " FROM search_index f" SEARCH_JOINS
		" WHERE f.terms @@ CAST(?1 AS tsquery) AND CAST(?4 AS BIGINT) IS NULL"
		" AND (" SEARCH_VISIBLE ") ORDER BY " PG_RANK("f") ", f.rowid LIMIT ?3";

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

/* run_query appends up to limit hits of sql; top: how many best-ranked hits it looks at
 * (its ?4), 0 for a query that takes every hit. */
static int run_query(struct db *db, const char *sql, int64_t top, const struct actor *a,
		     const struct buf *fq, const struct terms *tm, const char *kind, int limit,
		     struct search_hits *out)
{
	struct run r = {tm, out};
	int64_t user = a->via != AUTH_NONE ? a->user.id : 0;
	int64_t handler = a->via != AUTH_NONE ? a->user.handler_id : 0;
	int64_t signed_in = a->via != AUTH_NONE;

	/* the FTS query text is bound as a string: buf_cstr ends it; ?4 is unused (NULL) in
	 * the query over every hit */
	if (top)
		return db_each(db, sql, hit_row, &r, "ssiiiisi", buf_cstr(fq), scope_path(a),
			       (int64_t)limit, top, user, handler, kind ? kind : "", signed_in);
	return db_each(db, sql, hit_row, &r, "ssi0iisi", buf_cstr(fq), scope_path(a),
		       (int64_t)limit, user, handler, kind ? kind : "", signed_in);
}

int search_query(struct db *db, const struct actor *a, const char *q, const char *kind, int limit,
		 struct search_hits *out)
{
	struct terms tm;
	struct buf fq;
	size_t before = out->n;
	bool pg = db_dialect(db) == DB_POSTGRES;
	int rc;

	if (kind && *kind && !search_kind_valid(kind))
		return ERR_INVALID;
	split_terms(q, &tm);
	if (tm.n == 0)
		return ERR_INVALID;
	buf_init(&fq, 4096);
	if (pg) {
		size_t nq;

		rc = pg_query(&tm, &fq, &nq);
		if (!rc && nq == 0) { /* nothing searchable: no hits, as FTS5 finds none */
			buf_fini(&fq);
			return ERR_OK;
		}
	} else {
		rc = fts_query(&tm, &fq);
	}
	if (!rc)
		rc = run_query(db, pg ? sql_query_top_pg : sql_query_top, (int64_t)limit * 4, a,
			       &fq, &tm, kind, limit, out);
	if (!rc && out->n - before < (size_t)limit) {
		/* too few of the best hits were visible: look at them all */
		hits_truncate(out, before);
		rc = run_query(db, pg ? sql_query_pg : sql_query, 0, a, &fq, &tm, kind, limit, out);
	}
	if (rc)
		hits_truncate(out, before);
	buf_fini(&fq);
	return rc;
}
