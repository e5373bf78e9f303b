/*
 * bundle.h - signed session bundles: one session and everything that belongs to it, in one
 * file signed with Ed25519, carried between databases on separated networks (内网/外网) and
 * imported idempotently. docs/FEDERATION.md describes the workflow and the file format.
 *
 * The file: the magic "SHLBNDL1" (8 bytes), the format version (4 bytes, big-endian), the
 * Ed25519 signature (64 bytes) and public key (32 bytes), then the signed payload: the
 * manifest's length (4 bytes, big-endian) and its JSON, the content's length (4 bytes) and
 * its JSON. The manifest names the format, the source body (slug, name), the session, when
 * it was made, the rows of each kind and the SHA-256 of the content bytes.
 *
 * Rows carry uids ("<instance>/<kind>/<id>", the instance being the exporting database's
 * random name), people their registry fields and the keys the people import matches by;
 * room participants only a keyed hash (never a user, phone or address).
 *
 * Threads: any thread, each with its own connection.
 */
#ifndef SHENLIAO_MODEL_BUNDLE_H
#define SHENLIAO_MODEL_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "model/model.h"
#include "db/db.h"

enum { BUNDLE_FORMAT = 1 };

/* the largest bundle read or written (64 MiB): nothing grows memory past it */
#define BUNDLE_MAX_BYTES (64u << 20)

/* A key pair, or a trusted public key alone (has_secret false). */
struct bundle_key {
	unsigned char pk[32];
	unsigned char sk[64];
	bool has_secret;
	char fingerprint[17]; /* the first 8 bytes of SHA-256(pk), hex */
};

/* The kinds of rows in a bundle, in the order they are imported. */
enum bundle_kind {
	BK_TOPIC = 0,
	BK_SESSION,
	BK_PERSON,
	BK_INVITATION,
	BK_REMARK,
	BK_POINT,
	BK_COMMITMENT,
	BK_PARTICIPANT,
	BK_STATEMENT,
	BK_VOTE,
	BK_SUGGESTION,
	BK_SNAPSHOT,
	BK_NKINDS
};

/* bundle_kind_name: "topic", "session", "person", ... (the manifest's counts use them). */
const char *bundle_kind_name(enum bundle_kind k);

/* What an export or an import did. count: rows of each kind in the bundle. An import says
 * of each row whether it was added, merged (a person the target already had, found by the
 * people import's keys), updated (a newer state of a session, an invitation or a vote) or
 * unchanged (imported before). */
struct bundle_report {
	char sha256[65];      /* of the content bytes */
	char fingerprint[17]; /* of the signing key */
	char source_slug[64];
	char session_uid[128];
	int64_t session_id; /* export: the session; import: the local session */
	size_t bytes;	    /* of the file */
	int64_t count[BK_NKINDS];
	int64_t added[BK_NKINDS], merged[BK_NKINDS], updated[BK_NKINDS], unchanged[BK_NKINDS];
	bool snapshot_recomputed; /* import: the opinion map was computed again here */
};

/* bundle_keygen writes a new key pair: base.secret (mode 0600) and base.pub (one line,
 * "shenliao-ed25519 <base64>"). Refuses (ERR_EXISTS, e says which) when either exists;
 * ERR_IO when a file cannot be written (nothing is left behind). *k (may be NULL) gets the
 * pair. */
int bundle_keygen(const char *base, struct bundle_key *k, struct verr *e) WARN_UNUSED;

/* bundle_key_load reads a key file: a .secret (the pair; has_secret) or a .pub (the public
 * key only). ERR_NOT_FOUND when it cannot be read, ERR_INVALID when it is not a key. */
int bundle_key_load(const char *path, struct bundle_key *k, struct verr *e) WARN_UNUSED;

/* bundle_export writes session_id's bundle to the new file path, signed with k (which must
 * have the secret), and audits it (bundle.export, with the system actor). Runs its own
 * write transaction. ERR_NOT_FOUND: no such session; ERR_EXISTS: path exists; ERR_IO: it
 * cannot be written (no file is left behind). */
int bundle_export(struct db *db, int64_t session_id, const struct bundle_key *k, const char *path,
		  struct bundle_report *r, struct verr *e) WARN_UNUSED;

/* bundle_import checks the bundle at path against the trusted key before it reads anything
 * else, then imports it in one transaction, audited (bundle.import: file, SHA-256, key,
 * counts; the system actor), and recomputes the session's opinion map when votes came.
 * Refusals leave the database unchanged, with e saying why (zh, en, code):
 * ERR_NOT_FOUND (cannot read the file), ERR_INVALID (not a bundle, another format, bad
 * signature, hash mismatch, malformed), ERR_FORBIDDEN (signed by another key),
 * ERR_CONFLICT (the target has no body with the source's slug, or a row breaks a rule). */
int bundle_import(struct db *db, const char *path, const struct bundle_key *trusted,
		  struct bundle_report *r, struct verr *e) WARN_UNUSED;

/* Venue mode: bundle_closed_pending puts into ids[cap] the sessions that are closed, closed
 * at or after since (unix seconds), and not exported since they closed (ascending), *n how
 * many. */
int bundle_closed_pending(struct db *db, int64_t since, int64_t *ids, size_t cap,
			  size_t *n) WARN_UNUSED;

/* bundle_closed_at_start fills *out ({NULL, 0} to start; free(out->ids) after) with the
 * sessions already closed at since or later when venue mode starts: a database made in the
 * same second as the start (the demo closes its past sessions "now") would otherwise have
 * them all taken for sessions that just closed. */
int bundle_closed_at_start(struct db *db, int64_t since, struct db_ids *out) WARN_UNUSED;

/* bundle_mark_exported records that session_id's bundle at its current closed_at was
 * written to path. */
int bundle_mark_exported(struct db *db, int64_t session_id, const char *path) WARN_UNUSED;

#endif
