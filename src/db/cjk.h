/*
 * cjk.h - the CJK bigram tokenizer shared by SQLite's FTS5 index and PostgreSQL's tsvector
 * (cjk.c says what the tokens are). Thread-safe: no state.
 */
#ifndef SHENLIAO_DB_CJK_H
#define SHENLIAO_DB_CJK_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"

/* cjk_emit_fn receives each token (len bytes at tok, borrowed) and the byte range [start,
 * end) of text it comes from; a non-zero return stops the tokenizer and is returned. */
typedef int (*cjk_emit_fn)(void *ctx, const char *tok, int len, int start, int end);

/* cjk_tokens calls emit for each token of text[0..n), in order. Returns 0, or emit's stop. */
int cjk_tokens(const char *text, int n, cjk_emit_fn emit, void *ctx);

/* cjk_tsvector writes into out (emptied first) the tsvector literal of a title and a body:
 * their tokens with positions, body after title with one position left out between. */
int cjk_tsvector(const char *title, const char *body, struct buf *out) WARN_UNUSED;

/* cjk_tsquery_term appends to out the tsquery of one search term: its tokens in sequence
 * ('a' <-> 'b'), in parentheses; a term of one token with prefix set matches as a prefix
 * (a lone CJK character: the bigrams it starts). *ntokens gets the term's token count; a
 * term with none appends nothing. */
int cjk_tsquery_term(const char *term, bool prefix, struct buf *out, int *ntokens) WARN_UNUSED;

struct db;

/* cjk_fill_terms makes the terms of every search_index row of a PostgreSQL database whose
 * terms are empty (rows copied from SQLite: shenliao copy calls it after the copy, in its
 * transaction), with their token counts, and counts the totals of search_stats again;
 * *filled (may be NULL) counts them. Nothing to do on SQLite (ERR_OK). */
int cjk_fill_terms(struct db *db, int64_t *filled) WARN_UNUSED;

/* --- bm25, the same on both backends ---
 *
 * FTS5's bm25 (k1 = 1.2, b = 0.75, every column weight 1): for each phrase i of the query,
 * idf_i * f_i * (k1 + 1) / (f_i + k1 * (1 - b + b * D / avgdl)), summed, negated (smaller is
 * better, as FTS5's rank), where f_i counts the phrase's matches in the row (title and body,
 * a phrase never spanning the two), D is the row's token count and avgdl the mean over every
 * row. SQLite gets f_i and D from FTS5 (the auxiliary function cjk_bm25, fts_cjk.c);
 * PostgreSQL from the text, by the same tokenizer (cjk_count). Both call cjk_bm25, so both
 * give the same double for the same row. */
#define CJK_MAX_PHRASES 8
#define CJK_MAX_PTOKENS 32

/* A query's phrases, each its tokens (copied), the last one a prefix when prefix is set. */
struct cjk_phrases {
	size_t n;
	struct cjk_phrase {
		char text[256];
		int off[CJK_MAX_PTOKENS], len[CJK_MAX_PTOKENS];
		int ntok;
		bool prefix;
	} p[CJK_MAX_PHRASES];
};

/* cjk_phrases_add adds the phrase of term (its tokens; a lone token with prefix set as a
 * prefix); a term without tokens adds nothing. ERR_INVALID when full. */
int cjk_phrases_add(struct cjk_phrases *q, const char *term, bool prefix) WARN_UNUSED;

/* cjk_count sets freq[i] to the matches of phrase i in title and body, and *ntok to their
 * tokens (FTS5's xInst and xColumnSize for the row). */
int cjk_count(const struct cjk_phrases *q, const char *title, const char *body, double *freq,
	      int *ntok) WARN_UNUSED;

/* cjk_idf is FTS5's idf of a phrase found in nhit of nrow rows (1e-6 when not positive). */
double cjk_idf(int64_t nrow, int64_t nhit);

/* cjk_bm25 is the rank of a row (negated bm25, above); idf NULL: every idf 1, for a query of
 * one phrase, where the idf is a common factor that leaves the order as it is. */
double cjk_bm25(const double *freq, const double *idf, size_t n, double ntok, double avgdl);

#endif
