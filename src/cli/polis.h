/*
 * polis.h - reading a Pol.is conversation export into the opinion engine's input.
 *
 * A conversation directory holds:
 *   votes.csv     timestamp,datetime,comment-id,voter-id,vote  (CSV with quotes; datetime is
 *                 ignored); or, when there is no votes.csv, votes.bin (below);
 *   comments.csv  comment-id, ..., agrees, disagrees, moderated, ... (optional; moderated == -1
 *                 means moderated out; agrees/disagrees decide the sign convention);
 *   participants-votes.csv  participant, group-id, ... (optional; Pol.is's own groups, only
 *                 read by polis_load_groups, for comparisons).
 *
 * Vote sign. Pol.is's exports write agree = +1, but its database (and raw dumps) store
 * agree = -1. comments.csv counts each comment's agrees and disagrees; we compare them with
 * the number of +1 and -1 votes per comment in the vote file. When the counts match better
 * with the signs swapped (sum of absolute differences strictly smaller), the file uses
 * agree = -1 and every vote is negated on load; otherwise (also without those columns or
 * without comments.csv) agree = +1 is assumed.
 *
 * votes.bin, our compact format for large synthetic conversations (bench/gen_synthetic.c):
 * the 8 bytes "SLVOTES1", a little-endian uint64 record count, then per record 17 bytes:
 * int64 timestamp, uint32 comment-id, uint32 voter-id, int8 vote (little-endian).
 *
 * Not thread-safe per struct; different conversations may load in parallel.
 */
#ifndef SHENLIAO_CLI_POLIS_H
#define SHENLIAO_CLI_POLIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/progress.h"
#include "opinion/votes.h"

#define POLIS_BIN_MAGIC "SLVOTES1"
enum { POLIS_BIN_HEADER = 16, POLIS_BIN_RECORD = 17 };

struct polis_conv {
	int64_t *participant_ids; /* voter-ids, in order of first appearance */
	size_t n_participants;
	int64_t *statement_ids; /* comment-ids from votes and comments.csv */
	size_t n_statements;
	uint8_t *moderated_out; /* [n_statements] */
	char **bodies;		/* [n_statements] comment-body or NULL */
	uint64_t *plus, *minus; /* [n_statements] +1 and -1 votes in the file (sign evidence) */
	struct opinion_vote *votes;
	size_t n_votes;
	size_t cap_votes, cap_participants, cap_statements;
	int agree_sign;			  /* +1 export convention; -1 raw (votes were negated) */
	uint64_t sign_same, sign_swapped; /* the evidence: summed count differences */
	bool have_comments;
	bool binary; /* votes came from votes.bin */
	/* polis_load_deferred: the records of the mapped votes.bin, where the votes stay
	 * (votes is then NULL, n_votes their number) */
	const unsigned char *records;
	void *records_map;
	size_t records_map_n;
	bool participants_dense; /* deferred: voter-id i has index i */
	struct polis_idmap *pmap, *smap;
};

/* polis_load reads the conversation in dir into c (zeroed by the call; release with
 * polis_conv_fini, also after an error). On error returns ERR_NOT_FOUND (no vote file),
 * ERR_INVALID (bad content), ERR_IO, ERR_TOO_BIG or ERR_NOMEM, with a one-line reason naming
 * the file and line written to why[cap]. A CSV file that is not text (invalid UTF-8,
 * overlong forms, surrogates, code points above U+10FFFF, NUL bytes) is refused before any
 * of it is read, with the reason "PATH 第N行: 无效的 UTF-8 (line N: invalid UTF-8)" (N the
 * physical line; or "含有 NUL 字节" / "contains a NUL byte"). */
int polis_load(const char *dir, struct polis_conv *c, char *why, size_t cap) WARN_UNUSED;

/* polis_load_progress is polis_load telling progress (may be NULL; base/progress.h) how far
 * it has read the vote file: bytes of votes.csv, or records of votes.bin. */
int polis_load_progress(const char *dir, struct polis_conv *c, char *why, size_t cap,
			progress_fn progress, void *ud) WARN_UNUSED;

/* polis_load_threads is polis_load_progress reading a large votes.bin on up to `threads`
 * threads (opinion/par.h); the result is the same as with one. */
int polis_load_threads(const char *dir, struct polis_conv *c, char *why, size_t cap,
		       progress_fn progress, void *ud, int threads) WARN_UNUSED;

/* polis_load_deferred is polis_load_threads leaving the votes of a large votes.bin in the
 * mapped file instead of an array of them (800 MB for 50 million; c->votes stays NULL, and
 * c->records points at them): polis_build_matrix then builds the matrix straight from the
 * file. Other conversations load as with polis_load_threads. Voters of deferred votes are
 * numbered in ascending id order, not in order of first appearance (the matrix is the same:
 * it orders rows by id). */
int polis_load_deferred(const char *dir, struct polis_conv *c, char *why, size_t cap,
			progress_fn progress, void *ud, int threads) WARN_UNUSED;

/* polis_build_matrix builds c's vote matrix (vote_matrix_build, or vote_matrix_build_decoded
 * on deferred votes); the same matrix either way. */
int polis_build_matrix(const struct polis_conv *c, int threads,
		       struct vote_matrix **out) WARN_UNUSED;

/* polis_decode is the opinion_decode_fn of deferred votes (ctx: the polis_conv): indices as
 * polis_load gives them, values with the conversation's sign applied. */
void polis_decode(const void *ctx, size_t first, size_t n, struct opinion_vote *out);

/* polis_release_votes frees c's votes (array or mapping) once the matrix is built; n_votes
 * becomes 0, the rest of c stays. */
void polis_release_votes(struct polis_conv *c);

/* polis_conv_fini releases everything c holds. */
void polis_conv_fini(struct polis_conv *c);

/* polis_input points in at c's arrays (borrowed: valid while c is); in->votes is NULL for
 * deferred votes (use polis_build_matrix). */
void polis_input(const struct polis_conv *c, struct opinion_input *in);

/* polis_statement_index returns the index of comment-id id in c, or -1. */
ptrdiff_t polis_statement_index(const struct polis_conv *c, int64_t id);

/* polis_load_groups reads participant and group-id from a participants-votes.csv: on success
 * *ids and *groups (caller frees both) hold *n entries, group -1 where group-id is empty.
 * Errors as polis_load. */
int polis_load_groups(const char *path, int64_t **ids, int32_t **groups, size_t *n, char *why,
		      size_t cap) WARN_UNUSED;

#endif
