/*
 * import.c - `shenliao import polis DIR --session ID`: loads a Pol.is conversation export
 * (comments, voters and votes) into a session's opinion room, then computes its map.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/polis.h"
#include "model/model.h"
#include "model/room.h"
#include "model/store.h"

static const char usage_import[] =
    "usage: shenliao import polis DIR --db FILE --session ID\n"
    "Loads a Pol.is export folder (comments.csv, votes.csv) into the opinion room of a\n"
    "session: its comments become statements (moderated-out ones rejected), its voters\n"
    "participants, its votes votes (the latest wins); then computes the opinion map.\n";

int cmd_import(int argc, char **argv)
{
	struct cli_opt opts[] = {{"db", true, 0, 0}, {"session", true, 0, 0}};
	const size_t n = sizeof(opts) / sizeof(opts[0]);
	const char *pos[2];
	struct polis_conv conv;
	struct actor sys;
	struct room room;
	struct verr e;
	struct db *db;
	int64_t session, *st_ids = NULL, *p_ids = NULL, version = 0;
	char why[256], ext[32];
	size_t npos, i;
	bool help;
	int rc;

	rc = cli_parse(argc, argv, 1, opts, n, pos, 2, &npos, usage_import, &help);
	if (rc >= 0)
		return rc;
	if (npos != 2 || strcmp(pos[0], "polis") != 0)
		return cli_usage_error(usage_import, "import needs: polis DIR");
	if (!cli_get(opts, n, "db") || !cli_get(opts, n, "session"))
		return cli_usage_error(usage_import,
				       "import polis needs --db FILE and --session ID");
	session = strtoll(cli_get(opts, n, "session"), NULL, 10);
	if (session <= 0)
		return cli_usage_error(usage_import, "--session must be a session id");
	memset(&conv, 0, sizeof(conv));
	rc = polis_load(pos[1], &conv, why, sizeof(why));
	if (rc) {
		polis_conv_fini(&conv);
		return cli_fail("%s", why);
	}
	db = cli_open_db(cli_get(opts, n, "db"));
	if (!db) {
		polis_conv_fini(&conv);
		return EXIT_FAIL;
	}
	actor_system(&sys);
	memset(&e, 0, sizeof(e));
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
	}
	for (i = 0; !rc && i < conv.n_participants; i++) {
		rc = cli_fmt(ext, sizeof(ext), "%lld", (long long)conv.participant_ids[i]);
		if (!rc)
			rc = room_import_participant(db, &room, ext, &p_ids[i]);
	}
	for (i = 0; !rc && i < conv.n_votes; i++) {
		const struct opinion_vote *v = &conv.votes[i];

		rc = room_import_vote(db, session, st_ids[v->statement], p_ids[v->participant],
				      v->value, v->time);
	}
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
			return cli_fail("no session %lld", (long long)session);
		return e.code ? cli_fail("%s", e.en) : cli_fail("import failed: %s", err_name(rc));
	}
	printf("imported %zu statements, %zu participants, %zu votes into session %lld "
	       "(snapshot %lld)\n",
	       conv.n_statements, conv.n_participants, conv.n_votes, (long long)session,
	       (long long)version);
	polis_conv_fini(&conv);
	return EXIT_OK;
}
