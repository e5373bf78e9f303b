/*
 * cjk.c - the CJK bigram tokens of a text, for both search backends.
 *
 * Every run of CJK characters gives its overlapping bigrams (深聊会 -> 深聊, 聊会), a lone CJK
 * character itself, and every run of other letters and digits one lower-cased word. SQLite's
 * FTS5 tokenizer "cjk" (fts_cjk.c) emits them into its index; on PostgreSQL the same tokens
 * are written as a tsvector and a query as a tsquery (cjk_tsvector, cjk_tsquery_term), so
 * both find exactly the same texts (DESIGN.md: exact recall for every >= 2-character
 * substring).
 */
#include "cjk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

/* utf8_next decodes the code point at p[i] (well-formed UTF-8 assumed; SQLite gives us
 * what was stored, which we validate on the way in) and returns its length, at least 1. */
static int utf8_next(const unsigned char *p, int n, int i, unsigned *cp)
{
	unsigned c = p[i];

	if (c < 0x80 || i + 1 >= n) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0) {
		*cp = ((c & 0x1F) << 6) | (p[i + 1] & 0x3F);
		return 2;
	}
	if ((c & 0xF0) == 0xE0 && i + 2 < n) {
		*cp = ((c & 0x0F) << 12) | ((unsigned)(p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
		return 3;
	}
	if ((c & 0xF8) == 0xF0 && i + 3 < n) {
		*cp = ((c & 0x07) << 18) | ((unsigned)(p[i + 1] & 0x3F) << 12) |
		      ((unsigned)(p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F);
		return 4;
	}
	*cp = c;
	return 1;
}

static int is_cjk(unsigned cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* CJK unified ideographs */
	       (cp >= 0x3400 && cp <= 0x4DBF) ||   /* extension A */
	       (cp >= 0x20000 && cp <= 0x2FA1F) || /* extensions B.., compatibility supplement */
	       (cp >= 0xF900 && cp <= 0xFAFF) ||   /* compatibility ideographs */
	       (cp >= 0x3040 && cp <= 0x30FF) ||   /* kana */
	       (cp >= 0xAC00 && cp <= 0xD7AF);	   /* hangul */
}

/* is_word: letters and digits outside CJK that make up words (ASCII alphanumerics, and
 * anything non-ASCII that is not punctuation or space in the ranges we know). */
static int is_word(unsigned cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		       (cp >= 'A' && cp <= 'Z');
	if (cp >= 0x2000 && cp <= 0x2BFF) /* punctuation, symbols, arrows, math */
		return 0;
	if (cp >= 0x3000 && cp <= 0x303F) /* CJK punctuation */
		return 0;
	if (cp >= 0xFF00 && cp <= 0xFFEF) /* full-width forms: letters and digits only */
		return (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
		       (cp >= 0xFF41 && cp <= 0xFF5A);
	return cp >= 0xC0;
}

#define WORD_MAX 64

int cjk_tokens(const char *text, int n, cjk_emit_fn emit, void *ctx)
{
	const unsigned char *p = (const unsigned char *)text;
	int i = 0, rc = 0;

	while (i < n && rc == 0) {
		unsigned cp;
		int len = utf8_next(p, n, i, &cp);

		if (is_cjk(cp)) {
			/* a run of CJK characters: bigrams, or the character alone */
			int start = i, next = i + len, count = 0;

			while (next <= n) {
				unsigned cp2;
				int len2;

				if (next == n)
					break;
				len2 = utf8_next(p, n, next, &cp2);
				if (!is_cjk(cp2))
					break;
				rc = emit(ctx, text + start, next + len2 - start, start,
					  next + len2);
				if (rc != 0)
					return rc;
				count++;
				start = next;
				next += len2;
			}
			if (count == 0)
				rc = emit(ctx, text + i, len, i, i + len);
			i = next;
		} else if (is_word(cp)) {
			char word[WORD_MAX * 4];
			int start = i, w = 0;

			while (i < n) {
				int l = utf8_next(p, n, i, &cp);

				if (!is_word(cp) || is_cjk(cp))
					break;
				if (w + l <= (int)sizeof(word)) {
					int k;

					for (k = 0; k < l; k++) {
						char ch = text[i + k];

						word[w++] =
						    (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
					}
				}
				i += l;
			}
			rc = emit(ctx, word, w, start, i);
		} else {
			i += len;
		}
	}
	return rc;
}

/* --- PostgreSQL: tsvector and tsquery text --- */

/* Positions in a tsvector are at most 16383 (PostgreSQL clamps larger ones). */
#define POS_MAX 16383

struct tsv {
	struct buf *out;
	int pos;
	int rc;
};

/* put_lexeme appends tok quoted as a tsvector/tsquery lexeme: 'tok' with ' doubled and \
 * escaped. */
static int put_lexeme(struct buf *out, const char *tok, int len)
{
	int k, rc = buf_putc(out, '\'');

	for (k = 0; !rc && k < len; k++) {
		if (tok[k] == '\'' || tok[k] == '\\')
			rc = buf_putc(out, tok[k]);
		if (!rc)
			rc = buf_putc(out, tok[k]);
	}
	if (!rc)
		rc = buf_putc(out, '\'');
	return rc;
}

static int tsv_emit(void *ud, const char *tok, int len, int start, int end)
{
	struct tsv *t = ud;
	(void)start;
	(void)end;

	if (t->pos < POS_MAX)
		t->pos++;
	t->rc = t->out->n ? buf_putc(t->out, ' ') : ERR_OK;
	if (!t->rc)
		t->rc = put_lexeme(t->out, tok, len);
	if (!t->rc)
		t->rc = buf_printf(t->out, ":%d", t->pos);
	return t->rc;
}

int cjk_tsvector(const char *title, const char *body, struct buf *out)
{
	struct tsv t = {out, 0, ERR_OK};

	buf_reset(out);
	cjk_tokens(title, (int)strlen(title), tsv_emit, &t);
	/* a position left out between the columns: a phrase never spans title and body, as in
	 * FTS5, where they are two columns */
	t.pos++;
	if (!t.rc)
		cjk_tokens(body, (int)strlen(body), tsv_emit, &t);
	return t.rc;
}

struct tsq {
	struct buf *out;
	int n;
	int rc;
};

static int tsq_emit(void *ud, const char *tok, int len, int start, int end)
{
	struct tsq *q = ud;
	(void)start;
	(void)end;

	q->rc = q->n++ ? buf_puts(q->out, " <-> ") : ERR_OK;
	if (!q->rc)
		q->rc = put_lexeme(q->out, tok, len);
	return q->rc;
}

int cjk_tsquery_term(const char *term, bool prefix, struct buf *out, int *ntokens)
{
	struct tsq q = {out, 0, ERR_OK};
	size_t before = out->n;

	q.rc = buf_putc(out, '(');
	if (!q.rc)
		cjk_tokens(term, (int)strlen(term), tsq_emit, &q);
	if (!q.rc && prefix && q.n == 1)
		q.rc = buf_puts(out, ":*");
	if (!q.rc)
		q.rc = buf_putc(out, ')');
	*ntokens = q.n;
	if (!q.rc && q.n == 0) {
		/* nothing to look for in this term: leave no trace */
		out->n = before;
		if (out->p)
			out->p[before] = '\0';
	}
	return q.rc;
}

/* --- PostgreSQL: terms for rows written without them --- */

#define FILL_BATCH 500

static const char sql_fill_next[] =
    "SELECT rowid, title, body FROM search_index WHERE rowid > ? AND terms = ''::tsvector"
    " ORDER BY rowid LIMIT 500";
static const char sql_fill_set[] =
    "UPDATE search_index SET terms = CAST(? AS tsvector), ntok = ? WHERE rowid = ?";
/* the totals bm25 reads (search.c), counted again over every row */
static const char sql_fill_totals[] =
    "UPDATE search_stats SET generation = generation + 1,"
    " nrow = (SELECT count(*) FROM search_index),"
    " ntok = (SELECT COALESCE(sum(ntok), 0) FROM search_index) WHERE id = 1";

struct fill_row {
	int64_t rowid;
	char *title, *body;
};

struct fill_batch {
	struct fill_row v[FILL_BATCH];
	size_t n;
};

static int fill_collect(struct db_stmt *st, void *ud)
{
	struct fill_batch *b = ud;
	struct fill_row *r;
	int rc = ERR_OK;

	if (b->n == FILL_BATCH)
		return ERR_OK;
	r = &b->v[b->n];
	r->rowid = db_col_int(st, 0);
	r->title = db_col_dup_rc(st, 1, &rc);
	r->body = db_col_dup_rc(st, 2, &rc);
	b->n++;
	return rc;
}

int cjk_fill_terms(struct db *db, int64_t *filled)
{
	struct fill_batch *b;
	struct buf tsv;
	int64_t after = 0, n = 0;
	size_t i;
	int rc = ERR_OK;

	if (filled)
		*filled = 0;
	if (db_dialect(db) != DB_POSTGRES)
		return ERR_OK;
	b = calloc(1, sizeof(*b));
	if (!b)
		return ERR_NOMEM;
	buf_init(&tsv, BUF_MAX_DEFAULT);
	do {
		/* a batch read whole, then written: no statement is open while another runs */
		b->n = 0;
		rc = db_each(db, sql_fill_next, fill_collect, b, "i", after);
		for (i = 0; !rc && i < b->n; i++) {
			struct cjk_phrases none = {0};
			int ntok = 0;

			rc = cjk_tsvector(b->v[i].title, b->v[i].body, &tsv);
			if (!rc)
				rc = cjk_count(&none, b->v[i].title, b->v[i].body, NULL, &ntok);
			if (!rc && tsv.n) {
				rc = db_exec(db, sql_fill_set, "sni", buf_cstr(&tsv), ntok,
					     b->v[i].rowid);
				n++;
			}
		}
		if (b->n)
			after = b->v[b->n - 1].rowid;
		for (i = 0; i < b->n; i++) {
			free(b->v[i].title);
			free(b->v[i].body);
		}
	} while (!rc && b->n == FILL_BATCH);
	if (!rc)
		rc = db_exec(db, sql_fill_totals, "");
	buf_fini(&tsv);
	free(b);
	if (!rc && filled)
		*filled = n;
	return rc;
}

/* --- bm25, the same on both backends --- */

struct phrase_build {
	struct cjk_phrase *p;
	size_t used;
	int rc;
};

static int phrase_emit(void *ud, const char *tok, int len, int start, int end)
{
	struct phrase_build *b = ud;
	(void)start;
	(void)end;

	if (b->p->ntok == CJK_MAX_PTOKENS || b->used + (size_t)len > sizeof(b->p->text)) {
		b->rc = ERR_INVALID;
		return b->rc;
	}
	memcpy(b->p->text + b->used, tok, (size_t)len);
	b->p->off[b->p->ntok] = (int)b->used;
	b->p->len[b->p->ntok] = len;
	b->p->ntok++;
	b->used += (size_t)len;
	return 0;
}

int cjk_phrases_add(struct cjk_phrases *q, const char *term, bool prefix)
{
	struct phrase_build b;

	if (q->n == CJK_MAX_PHRASES)
		return ERR_INVALID;
	b = (struct phrase_build){&q->p[q->n], 0, ERR_OK};
	memset(b.p, 0, sizeof(*b.p));
	cjk_tokens(term, (int)strlen(term), phrase_emit, &b);
	if (b.rc)
		return b.rc;
	if (b.p->ntok) {
		/* FTS5 reads a prefix on the phrase's last token; ours have one token */
		b.p->prefix = prefix && b.p->ntok == 1;
		q->n++;
	}
	return ERR_OK;
}

/* Matching runs shift-and over each column's tokens: bit j of state[i] says phrase i's
 * tokens 0..j match the tokens that end at the current one. */
struct counter {
	const struct cjk_phrases *q;
	uint32_t state[CJK_MAX_PHRASES];
	double *freq;
	int ntok;
};

static bool token_is(const struct cjk_phrase *p, int j, const char *tok, int len)
{
	int want = p->len[j];

	if (p->prefix && j == p->ntok - 1)
		return len >= want && memcmp(tok, p->text + p->off[j], (size_t)want) == 0;
	return len == want && memcmp(tok, p->text + p->off[j], (size_t)want) == 0;
}

static int count_emit(void *ud, const char *tok, int len, int start, int end)
{
	struct counter *c = ud;
	size_t i;
	(void)start;
	(void)end;

	c->ntok++;
	for (i = 0; i < c->q->n; i++) {
		const struct cjk_phrase *p = &c->q->p[i];
		uint32_t hit = 0, s = (c->state[i] << 1) | 1u;
		int j;

		for (j = 0; j < p->ntok; j++)
			if (((s >> j) & 1u) && token_is(p, j, tok, len))
				hit |= 1u << j;
		c->state[i] = hit;
		if ((hit >> (p->ntok - 1)) & 1u)
			c->freq[i] += 1.0;
	}
	return 0;
}

int cjk_count(const struct cjk_phrases *q, const char *title, const char *body, double *freq,
	      int *ntok)
{
	struct counter c = {q, {0}, freq, 0};
	size_t i;

	for (i = 0; i < q->n; i++)
		freq[i] = 0.0;
	cjk_tokens(title, (int)strlen(title), count_emit, &c);
	memset(c.state, 0, sizeof(c.state)); /* a phrase never spans the two columns */
	cjk_tokens(body, (int)strlen(body), count_emit, &c);
	*ntok = c.ntok;
	return ERR_OK;
}

double cjk_idf(int64_t nrow, int64_t nhit)
{
	/* as fts5_aux.c's fts5Bm25GetData */
	double idf = log(((double)(nrow - nhit) + 0.5) / ((double)nhit + 0.5));

	return idf <= 0.0 ? 1e-6 : idf;
}

double cjk_bm25(const double *freq, const double *idf, size_t n, double ntok, double avgdl)
{
	/* as fts5_aux.c's fts5Bm25Function, term for term, so the doubles come out the same */
	const double k1 = 1.2, b = 0.75;
	double score = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		score += (idf ? idf[i] : 1.0) *
			 ((freq[i] * (k1 + 1.0)) / (freq[i] + k1 * (1 - b + b * ntok / avgdl)));
	return -1.0 * score;
}
