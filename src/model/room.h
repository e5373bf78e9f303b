/*
 * room.h - the live side of a session (会: 凝聚共识): its room (a short join code, whether
 * anonymous browsers may take part, pre- or post-moderation), participants, statements,
 * votes, and the opinion snapshots computed from them (live.c).
 *
 * Votes are committed before the request that cast them is answered. A statement's status
 * is pending (pre-moderation, not shown yet), accepted, or rejected (leaves the analysis as
 * a moderated-out column, as in Pol.is).
 */
#ifndef SHENLIAO_MODEL_ROOM_H
#define SHENLIAO_MODEL_ROOM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db; /* the connection (db/db.h): only the model opens it up */
#include "model/model.h"
#include "model/session.h"

struct room {
	int64_t session_id, org_id;
	char code[16];
	bool open, anonymous;
	char moderation[8]; /* pre | post */
};

/* room_get / room_by_code load a room: ERR_NOT_FOUND when the session has none. */
int room_get(struct db *db, int64_t session_id, struct room *r) WARN_UNUSED;
int room_by_code(struct db *db, const char *code, struct room *r) WARN_UNUSED;

/* --- who may: the one authorization path of the live room --- */

/* What a caller asks of a session's room, beyond the AUTHZ_READ / AUTHZ_WRITE of model.h:
 *   ROOM_READ      see the map, the snapshot and its event stream (AUTHZ_READ);
 *   ROOM_TAKE_PART the join page, the statements, the room's join code, voting and posting;
 *   ROOM_MANAGE    change the room, moderate statements, export the votes (AUTHZ_WRITE). */
enum room_op { ROOM_READ = AUTHZ_READ, ROOM_MANAGE = AUTHZ_WRITE, ROOM_TAKE_PART };

/* What room_authorize found. has_room is false when the session has no room yet (room is
 * then zeroed); editable: the caller may manage the room (organizers of the body). */
struct room_access {
	struct session_head session;
	struct room room;
	bool has_room;
	bool editable;
};

/* room_authorize loads session_id and its room for actor a and decides op through
 * authz_decide. The session is visible to a when session_visible says so, or when it is
 * public and its room lets anonymous browsers in (a stand-alone public consultation need
 * not be scheduled). ROOM_READ needs it visible; ROOM_TAKE_PART visible and, for an
 * anonymous caller, a room open to anonymous browsers; ROOM_MANAGE an editor.
 * Returns ERR_OK (out filled), ERR_NOT_FOUND (no such session, or signed in and not
 * visible), ERR_AUTH (not signed in and not allowed), ERR_FORBIDDEN (visible, not
 * allowed), or a database error. out is filled as far as it was read in every case. */
int room_authorize(struct db *db, const struct actor *a, int64_t session_id, enum room_op op,
		   struct room_access *out) WARN_UNUSED;

/* room_authorize_code is room_authorize for the room with join code code (the phone
 * page); ERR_NOT_FOUND for an unknown code. */
int room_authorize_code(struct db *db, const struct actor *a, const char *code, enum room_op op,
			struct room_access *out) WARN_UNUSED;

/* room_accepts: the room takes statements and votes now (it exists and is open, and its
 * session is neither closed nor archived). */
bool room_accepts(const struct room_access *ra);

/* room_set opens (or changes) the room of a session: anonymous participation on or off,
 * moderation "pre" or "post" (NULL: unchanged / "post"), open or closed. Makes the join
 * code the first time. */
int room_set(struct db *db, const struct actor *who, int64_t session_id, int anonymous,
	     const char *moderation, int open, struct room *out, struct verr *e) WARN_UNUSED;

/* participant_of_user / participant_of_anon return (making it on first use) the session's
 * participant for a signed-in user (its category from the linked person, else "citizen")
 * or an anonymous browser (anon_hash: the hash of its cookie; a valid category it declares,
 * on its first or any later call, is stored on the participant, NULL keeps what is). */
int participant_of_user(struct db *db, const struct room *r, const struct user *u,
			int64_t *id) WARN_UNUSED;
int participant_of_anon(struct db *db, const struct room *r, const char *anon_hash,
			const char *category, int64_t *id) WARN_UNUSED;

/* participant_category_valid: category is one of the participant categories. */
bool participant_category_valid(const char *category);

/* participant_category_get reads participant id's category into out (n bytes);
 * ERR_NOT_FOUND when there is no such participant. */
int participant_category_get(struct db *db, int64_t id, char *out, size_t n) WARN_UNUSED;

/* participant_category sets a participant's declared category. */
int participant_category(struct db *db, int64_t id, const char *category,
			 struct verr *e) WARN_UNUSED;

struct statement_head {
	int64_t id, session_id, org_id;
	char status[12];
};

int statement_head(struct db *db, int64_t id, struct statement_head *s) WARN_UNUSED;

/* statement_index puts statement id into the search index as it now is: its text when
 * accepted (and not erased), else out of it; a correction of a statement's text or status
 * calls it in the same transaction. */
int statement_index(struct db *db, int64_t id) WARN_UNUSED;

/* statement_authorize loads statement id (into *s) and authorizes op on its session's room
 * as room_authorize does; ERR_NOT_FOUND for an unknown statement. */
int statement_authorize(struct db *db, const struct actor *a, int64_t id, enum room_op op,
			struct statement_head *s, struct room_access *out) WARN_UNUSED;

/* statement_add posts a statement (1..280 characters) by participant; pending under
 * pre-moderation, accepted otherwise. A statement equal to one already there is refused
 * (ERR_CONFLICT), and so is one for a closed room. */
int statement_add(struct db *db, const struct room *r, int64_t participant, const char *text,
		  int64_t *id, struct verr *e) WARN_UNUSED;

/* statement_moderate accepts or rejects a statement (organizers), audited. */
int statement_moderate(struct db *db, const struct actor *who, int64_t id, const char *status,
		       struct verr *e) WARN_UNUSED;

/* Who wrote a statement: nobody recorded (seeded by the organizers or the demo), a
 * signed-in participant, an anonymous browser, or a conversation imported from elsewhere. */
enum statement_author {
	STATEMENT_BY_NONE = 0,
	STATEMENT_BY_USER,
	STATEMENT_BY_ANON,
	STATEMENT_IMPORTED
};

/* A statement with its vote counts. text is owned (statement_release frees it). With a
 * participant asked for (statement_list), voted and my_vote give that participant's vote. */
struct statement {
	int64_t id, session_id, org_id;
	int64_t participant_id; /* 0: none recorded */
	enum statement_author author;
	char *text;
	char status[12];      /* pending | accepted | rejected */
	int64_t created_at;   /* seconds since the epoch */
	int64_t moderated_at; /* 0: not moderated */
	int64_t agree, disagree, pass;
	bool voted;
	int my_vote;
};

/* statement_release frees what s owns and zeroes it; accepts a zeroed statement. */
void statement_release(struct statement *s);

/* statement_get loads statement id into *out (the caller releases it). ERR_NOT_FOUND. */
int statement_get(struct db *db, int64_t id, struct statement *out) WARN_UNUSED;

/* A list of statements, owned by the list (statement_list_release frees them). */
struct statement_list {
	struct statement *items;
	size_t n, cap;
};

/* statement_list loads the session's statements in order of posting: all of them with all
 * (moderators), otherwise the accepted ones; with participant > 0 each carries that
 * participant's vote. out is initialized here; release it even on failure. */
int statement_list(struct db *db, int64_t session_id, bool all, int64_t participant,
		   struct statement_list *out) WARN_UNUSED;
void statement_list_release(struct statement_list *l);

/* vote_put records participant's vote (-1, 0, 1) on an accepted statement; the latest wins.
 * The vote is also counted in its statement's tally of the minute (vote_tally_flush). */
int vote_put(struct db *db, const struct statement_head *s, int64_t participant, int value,
	     struct verr *e) WARN_UNUSED;
/* vote_check: vote_put's checks alone (the value; the statement accepted: ERR_CONFLICT). */
int vote_check(const struct statement_head *s, int value, struct verr *e) WARN_UNUSED;
/* vote_write and vote_tally_add are vote_put's two writes, for a writer that checked the
 * vote itself and counts several votes in one tally row (votequeue.c): the vote row (at_us
 * its time), and agree/disagree/pass added to statement's tally of the minute. */
int vote_write(struct db *db, const struct statement_head *s, int64_t participant, int value,
	       int64_t at_us) WARN_UNUSED;
int vote_tally_add(struct db *db, const struct statement_head *s, int64_t minute, int agree,
		   int disagree, int pass) WARN_UNUSED;

/* --- group commit (votequeue.c) ---
 *
 * Votes from every request thread go to one writer that checks and writes them in batches:
 * a batch is closed when it holds max_batch votes or when its oldest vote has waited
 * delay_us, and is one transaction (db_begin_write_shared) on the writer's connection. Each
 * vote is checked inside it as one vote in a transaction of its own would be (the statement
 * visible to the voter and accepted, the room open to it and taking votes, the participant
 * found or made, the per-participant limit), then written with its statement's tally of the
 * minute. A vote refused by a check does not fail the others. Only after the commit is each
 * vote's done(ud, rc, e, wait) called, on the writer thread: ERR_OK when the vote is a row;
 * a refusal with its verr (ERR_LIMIT with the seconds to wait); another error when the batch
 * failed (nothing of it committed). The sessions of committed votes are marked changed. */

/* A vote as asked, owned by the caller until done is called. */
struct vote_ask {
	struct actor actor; /* the voter (AUTH_NONE: anonymous, by anon_hash) */
	int64_t statement;
	int value;
	char anon_hash[65];   /* anonymous: the hash of its cookie */
	const char *category; /* an anonymous voter's declared category, or NULL (static) */
	/* limit counts one vote for participant; ERR_LIMIT with *wait seconds when over. May
	 * be NULL. Called on the writer thread. */
	int (*limit)(int64_t participant, int *wait);
};

typedef void (*vote_done_fn)(void *ud, int rc, const struct verr *e, int wait);

/* vote_queue_start starts the writers (1 to 16 threads, each with its connection from
 * store_thread; more than one only helps on PostgreSQL, where a batch's round trips wait on
 * the network and batches of several connections run at once); hold_ms > 0 makes
 * it wait that long inside each batch's transaction before the commit (crash tests: a kill
 * then finds written votes not yet committed, which must not have been answered).
 * vote_queue_stop writes what is queued, answers it, and stops. */
int vote_queue_start(int writers, int max_batch, int delay_us, int hold_ms) WARN_UNUSED;
void vote_queue_stop(void);
bool vote_queue_running(void);

/* vote_queue_put queues a vote: ERR_OK, and done(ud, ...) is called exactly once later.
 * ERR_UNSUPPORTED when the writer is not running (vote with vote_put in a transaction
 * instead); ERR_TOO_BIG when the queue is full (the writer is far behind). Thread-safe. */
int vote_queue_put(const struct vote_ask *a, vote_done_fn done, void *ud) WARN_UNUSED;

/* snapshot_get returns the latest snapshot of a session (NULL when none); *version gets
 * its version (0 when none). snapshot_version reads only the version. */
json_t *snapshot_get(struct db *db, int64_t session_id, int64_t *version);
int64_t snapshot_version(struct db *db, int64_t session_id);

/* Votes reach the audit log as counts: vote_put adds each vote to its statement's row of
 * the minute (vote_tally); vote_tally_flush writes one audit row "votes.counted" (after:
 * session, minute, votes, agree, disagree, pass) for every row of a minute before the one
 * of now (unix seconds) not yet audited, and marks it audited, in the caller's write
 * transaction. The live worker (live.c) calls it after each round of maps and once a minute
 * when idle. *written (may be NULL) gets the rows written. */
int vote_tally_flush(struct db *db, int64_t now, int64_t *written) WARN_UNUSED;

/* A participant's latest vote on a statement (exports). */
struct room_vote {
	int64_t statement, participant;
	int value;  /* -1, 0, 1 */
	int64_t at; /* microseconds */
};

/* room_votes_each calls fn for each vote of the session, by statement then participant; a
 * non-zero return from fn stops and is returned. */
typedef int (*room_vote_fn)(const struct room_vote *v, void *ud);
int room_votes_each(struct db *db, int64_t session_id, room_vote_fn fn, void *ud) WARN_UNUSED;

/* Imports (shenliao import polis): a statement with its id elsewhere (moderated out:
 * stored as rejected), a participant with its id elsewhere, a vote at a time (the latest
 * wins). Run inside the caller's transaction. */
int room_import_statement(struct db *db, const struct room *r, const char *external_id,
			  const char *text, bool moderated_out, int64_t *id) WARN_UNUSED;
int room_import_participant(struct db *db, const struct room *r, const char *external_id,
			    int64_t *id) WARN_UNUSED;
int room_import_vote(struct db *db, int64_t session_id, int64_t statement, int64_t participant,
		     int value, int64_t at) WARN_UNUSED;

/* --- the background computation (live.c) --- */

/* live_notify_fn is told (on the worker thread) that session_id has a new snapshot. */
typedef void (*live_notify_fn)(int64_t session_id, int64_t version, void *ud);

/* live_start starts the worker that recomputes dirty sessions off the request path, with
 * its own connection to db_path: at most one computation per session at a time (one
 * worker; across processes on PostgreSQL, an advisory lock per session), debounced
 * (debounce_ms after the first change it waits for more). On PostgreSQL a listener thread
 * also passes to fn the snapshots other processes store (NOTIFY shenliao_live). */
int live_start(const char *db_path, int debounce_ms, live_notify_fn fn, void *ud) WARN_UNUSED;

/* live_stop finishes the computation in progress and stops the worker. */
void live_stop(void);

/* live_lock_key is the advisory lock the worker holds while it computes session_id's map
 * (PostgreSQL; one process at a time per session, see live.c). */
int64_t live_lock_key(int64_t session_id);

/* live_touch marks a session changed; thread-safe, cheap, never blocks on a computation. */
void live_touch(int64_t session_id);

/* live_compute computes and stores a session's snapshot now, on the caller's connection
 * (imports, the command line); *version gets the new version. */
int live_compute(struct db *db, int64_t session_id, int64_t *version) WARN_UNUSED;

#endif
