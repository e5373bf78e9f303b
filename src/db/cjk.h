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
 * transaction); *filled (may be NULL) counts them. Nothing to do on SQLite (ERR_OK). */
int cjk_fill_terms(struct db *db, int64_t *filled) WARN_UNUSED;

#endif
