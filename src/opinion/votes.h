/*
 * votes.h - the votes of a conversation as a sparse matrix (CSR), the opinion engine's input.
 *
 * Rows are participants, columns statements, both in ascending id order: that canonical
 * order makes every later step independent of the order in which votes were handed in. A
 * cell holds the latest vote of that participant on that statement: +1 agree, -1 disagree,
 * 0 pass. Only votes are stored (about 5 bytes each), never a dense participants x
 * statements matrix, so a million participants fit. Rows and columns exist only for
 * participants and statements with at least one vote (as in Pol.is, whose matrix is built
 * from the votes). Moderated-out statements keep their votes here, with a flag; the math
 * decides what the flag means.
 *
 * A vote_matrix is immutable once built; any number of threads may read it at once.
 */
#ifndef SHENLIAO_OPINION_VOTES_H
#define SHENLIAO_OPINION_VOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum { VOTE_AGREE = 1, VOTE_DISAGREE = -1, VOTE_PASS = 0 };

/* One vote as the caller has it: indices into the id arrays of struct opinion_input. 16
 * bytes, so that fifty million votes take 800 MB: the statement index (below
 * OPINION_MAX_STATEMENTS) and the value (VOTE_AGREE, VOTE_DISAGREE or VOTE_PASS; -2 is
 * rejected) share one 32-bit word. For one (participant, statement) the latest time wins. */
struct opinion_vote {
	int64_t time;
	uint32_t participant;
	unsigned statement : 30;
	signed value : 2;
};

#define OPINION_MAX_STATEMENTS ((size_t)1 << 30)

/* The votes of a conversation, in any order. Nothing is copied or kept by the builder. */
struct opinion_input {
	const int64_t *participant_ids; /* [n_participants], distinct */
	size_t n_participants;
	const int64_t *statement_ids; /* [n_statements], distinct */
	size_t n_statements;	      /* at most OPINION_MAX_STATEMENTS */
	const uint8_t *moderated_out; /* [n_statements], nonzero = moderated out; NULL: none */
	const struct opinion_vote *votes;
	size_t n_votes; /* below 2^32 */
};

struct vote_matrix {
	size_t n_rows, n_cols, nnz;
	int64_t *row_ids;   /* [n_rows], ascending: participant ids */
	int64_t *col_ids;   /* [n_cols], ascending: statement ids */
	uint8_t *moderated; /* [n_cols], 1 = moderated out */
	size_t n_moderated; /* columns with moderated[j] == 1 */
	size_t *row_ptr;    /* [n_rows + 1]: row i is entries row_ptr[i] .. row_ptr[i+1]-1 */
	uint32_t *col;	    /* [nnz], ascending within a row */
	int8_t *val;	    /* [nnz], -1, 0 or +1 */
};

/* vote_matrix_build makes the matrix of in's votes: for each (participant, statement) the
 * vote with the latest time (equal times: the larger value, so the result never depends on
 * input order). Uses up to `threads` threads. On success *out is a new matrix the caller
 * frees with vote_matrix_free. ERR_INVALID when an index is out of range, a value is not
 * -1/0/+1 or an id repeats; ERR_TOO_BIG when n_votes or n_participants >= 2^32 or
 * n_statements > OPINION_MAX_STATEMENTS; ERR_NOMEM. *out is untouched on
 * error. Thread-safe. */
int vote_matrix_build(const struct opinion_input *in, int threads,
		      struct vote_matrix **out) WARN_UNUSED;

/* opinion_decode_fn writes the votes first .. first + n - 1 of a conversation to out[0..n),
 * for votes that are kept in another form (a mapped file) rather than an array: the indices
 * and values as in struct opinion_vote. Called from several threads at once. */
typedef void opinion_decode_fn(const void *ctx, size_t first, size_t n, struct opinion_vote *out);

/* vote_matrix_build_decoded is vote_matrix_build for in->n_votes votes that decode(ctx, ...)
 * produces (in->votes is not read), a few hundred at a time, each vote twice (and once more
 * for each repeat of a participant-statement pair):
 * the votes need not be held in memory at once. The same matrix as from an array of them. */
int vote_matrix_build_decoded(const struct opinion_input *in, opinion_decode_fn *decode,
			      const void *ctx, int threads, struct vote_matrix **out) WARN_UNUSED;

/* vote_matrix_merge makes a new matrix holding m's votes and more's: a vote in `more`
 * replaces m's vote on the same pair (they are newer: this is the live path, where votes
 * arrive in time order), among themselves the latest wins as in vote_matrix_build. New
 * participants and statements take their places in id order. A statement is moderated out
 * when either side says so. m is unchanged; the caller frees both. Errors as for build. */
int vote_matrix_merge(const struct vote_matrix *m, const struct opinion_input *more, int threads,
		      struct vote_matrix **out) WARN_UNUSED;

/* vote_matrix_free releases m; NULL is fine. */
void vote_matrix_free(struct vote_matrix *m);

/* vote_matrix_find returns the index of id in the ascending ids[0..n), or -1. */
ptrdiff_t vote_matrix_find(const int64_t *ids, size_t n, int64_t id);

#endif
