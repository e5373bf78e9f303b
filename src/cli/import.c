/*
 * import.c - `shenliao import polis DIR --session ID`: loads a Pol.is conversation export
 * (comments, voters and votes) into a session's opinion room, then computes its map.
 */
#include "cli.h"

#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/polis.h"
#include "cli/progress.h"
#include "model/model.h"
#include "model/room.h"
#include "model/store.h"

static const struct cli_opt import_opts[] = {
    {"db", "FILE", NULL, "the database", true},
    {"session", "ID", NULL, "the session whose opinion room gets the conversation", true},
    {"json", NULL, NULL, "print the counts as one JSON object", false},
};

static int cmd_import(int argc, char **argv);

const struct cli_cmd cli_cmd_import_polis = {
    "import polis",
    "DIR",
    1,
    1,
    "load a Pol.is conversation export into a session",
    "Loads a Pol.is export folder (comments.csv, votes.csv) into the opinion room of a\n"
    "session: its comments become statements (moderated-out ones rejected), its voters\n"
    "participants, its votes votes (the latest wins); then computes the opinion map.\n",
    import_opts,
    ARRAY_LEN(import_opts),
    cmd_import,
};

/* The files of a Pol.is export that polis_load reads, as the audit log records them. */
static const char *const polis_files[] = {"votes.csv", "votes.bin", "comments.csv"};
enum { POLIS_NFILES = 3 };

struct polis_record {
	struct audit_file f[POLIS_NFILES];
	char path[POLIS_NFILES][4096];
	size_t n;
};

/* hash_files finds the SHA-256 and size of each file of dir that polis_load reads (those
 * that exist). ERR_IO when one exists but cannot be read. */
static int hash_files(const char *dir, struct polis_record *r)
{
	unsigned char chunk[65536], bin[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state h;
	size_t i, got;
	FILE *f;

	r->n = 0;
	for (i = 0; i < POLIS_NFILES; i++) {
		struct audit_file *af = &r->f[r->n];

		if (cli_fmt(r->path[r->n], sizeof(r->path[0]), "%s/%s", dir, polis_files[i]))
			return ERR_TOO_BIG;
		f = fopen(r->path[r->n], "rb");
		if (!f)
			continue;
		af->name = r->path[r->n];
		af->bytes = 0;
		crypto_hash_sha256_init(&h);
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			crypto_hash_sha256_update(&h, chunk, got);
			af->bytes += (int64_t)got;
		}
		if (ferror(f)) {
			fclose(f);
			return ERR_IO;
		}
		fclose(f);
		crypto_hash_sha256_final(&h, bin);
		sodium_bin2hex(af->sha256, sizeof(af->sha256), bin, sizeof(bin));
		r->n++;
	}
	return ERR_OK;
}

/* audit_polis records the import: the files with their SHA-256, the rows added. */
static int audit_polis(struct db *db, const struct actor *sys, const struct room *room,
		       int64_t session, const struct polis_record *r, const struct polis_conv *conv)
{
	json_t *counts = json_pack("{s:I, s:I, s:I}", "statements", (json_int_t)conv->n_statements,
				   "participants", (json_int_t)conv->n_participants, "votes",
				   (json_int_t)conv->n_votes);
	int rc = counts ? audit_import(
			      db, sys, room->org_id, "polis.import", "session", session, r->f, r->n,
			      (int64_t)(conv->n_statements + conv->n_participants + conv->n_votes),
			      0, counts)
			: ERR_NOMEM;

	json_decref(counts);
	return rc;
}

static int cmd_import(int argc, char **argv)
{
	struct progress bar;
	struct cli_args a;
	struct polis_conv conv;
	struct polis_record files;
	struct actor sys;
	struct room room;
	struct verr e;
	struct db *db;
	int64_t session, *st_ids = NULL, *p_ids = NULL, version = 0;
	uint64_t total, done = 0;
	char why[256], ext[32];
	size_t i;
	int rc;

	rc = cli_parse(argc, argv, 1, &cli_cmd_import_polis, &a);
	if (rc >= 0)
		return rc;
	if (num_parse(cli_arg(&a, "session"), strlen(cli_arg(&a, "session")), 1, INT64_MAX,
		      &session))
		return cli_usage(&cli_cmd_import_polis,
				 "--session must be a session id (the number in /sessions/ID)");
	memset(&conv, 0, sizeof(conv));
	progress_begin(&bar, "read polis", "B", 0);
	rc = polis_load_progress(a.pos[0], &conv, why, sizeof(why), progress_cb, &bar);
	progress_end(&bar);
	if (rc) {
		polis_conv_fini(&conv);
		return cli_fail("%s", why);
	}
	if (hash_files(a.pos[0], &files)) {
		polis_conv_fini(&conv);
		return cli_fail("cannot read the files of %s again to record them", a.pos[0]);
	}
	db = cli_open_db(cli_arg(&a, "db"));
	if (!db) {
		polis_conv_fini(&conv);
		return EXIT_FAIL;
	}
	actor_system(&sys);
	memset(&e, 0, sizeof(e));
	total = conv.n_statements + conv.n_participants + conv.n_votes;
	progress_begin(&bar, "import polis", "", total);
	st_ids = calloc(conv.n_statements + 1, sizeof(*st_ids));
	p_ids = calloc(conv.n_participants + 1, sizeof(*p_ids));
	rc = st_ids && p_ids ? store_begin(db) : ERR_NOMEM;
	if (!rc)
		rc = room_set(db, &sys, session, -1, NULL, 1, &room, &e);
	for (i = 0; !rc && i < conv.n_statements; i++) {
		rc = cli_fmt(ext, sizeof(ext), "%lld", (long long)conv.statement_ids[i]);
		if (!rc)
			rc = room_import_statement(
			    db, &room, ext, conv.bodies && conv.bodies[i] ? conv.bodies[i] : ext,
			    conv.moderated_out[i] != 0, &st_ids[i]);
		progress_cb(&bar, ++done, total);
	}
	for (i = 0; !rc && i < conv.n_participants; i++) {
		rc = cli_fmt(ext, sizeof(ext), "%lld", (long long)conv.participant_ids[i]);
		if (!rc)
			rc = room_import_participant(db, &room, ext, &p_ids[i]);
		progress_cb(&bar, ++done, total);
	}
	for (i = 0; !rc && i < conv.n_votes; i++) {
		const struct opinion_vote *v = &conv.votes[i];

		rc = room_import_vote(db, session, st_ids[v->statement], p_ids[v->participant],
				      v->value, v->time);
		if (i % 256 == 0 || i + 1 == conv.n_votes)
			progress_cb(&bar, done + i + 1, total);
	}
	progress_end(&bar);
	if (!rc)
		rc = audit_polis(db, &sys, &room, session, &files, &conv);
	if (!rc)
		rc = store_commit(db);
	if (rc)
		store_rollback(db);
	if (!rc)
		rc = live_compute(db, session, &version);
	free(st_ids);
	free(p_ids);
	store_close(db);
	if (rc) {
		polis_conv_fini(&conv);
		if (rc == ERR_NOT_FOUND)
			return cli_fail("no session %lld (see the sessions list for its id)",
					(long long)session);
		return e.code ? cli_fail("%s", e.en) : cli_fail("import failed: %s", err_name(rc));
	}
	if (a.json)
		rc = cli_json_out(json_pack(
		    "{s:I,s:I,s:I,s:I,s:I}", "session", (json_int_t)session, "statements",
		    (json_int_t)conv.n_statements, "participants", (json_int_t)conv.n_participants,
		    "votes", (json_int_t)conv.n_votes, "snapshot", (json_int_t)version));
	else
		printf("imported %zu statements, %zu participants, %zu votes into session %lld "
		       "(snapshot %lld)\n",
		       conv.n_statements, conv.n_participants, conv.n_votes, (long long)session,
		       (long long)version);
	polis_conv_fini(&conv);
	return rc;
}
