/*
 * fuzz_db.h - a real, migrated SQLite database for the fuzz targets whose code needs one
 * (sign-in lookups, the people import): made once in LLVMFuzzerInitialize in a temporary
 * directory, removed at exit. It holds a city body with a district below it and an
 * unrelated city, an organizer of the city with a browser session and an API token (whose
 * secret values the targets substitute for the placeholders in their inputs, so a fuzzed
 * request can be signed in), and the system actor.
 *
 * Include once per target (its functions are static).
 */
#ifndef SHENLIAO_TESTS_FUZZ_DB_H
#define SHENLIAO_TESTS_FUZZ_DB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "db/db.h"
#include "model/model.h"

struct fuzz_db {
	char dir[64];
	char path[128];
	struct db *db;
	struct actor sys;
	struct org city, district, other;
	struct actor organizer;
	char session_token[65], session_csrf[65], api_token[65];
};

static struct fuzz_db fdb;

static void fuzz_db_remove(void)
{
	char p[192];

	db_close(fdb.db);
	fdb.db = NULL;
	snprintf(p, sizeof(p), "%s-wal", fdb.path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", fdb.path);
	unlink(p);
	unlink(fdb.path);
	rmdir(fdb.dir);
}

static void fuzz_db_org(const struct org *parent, const char *slug, const char *name,
			const char *level, struct org *o)
{
	struct verr e;

	memset(o, 0, sizeof(*o));
	snprintf(o->slug, sizeof(o->slug), "%s", slug);
	snprintf(o->name, sizeof(o->name), "%s", name);
	snprintf(o->level, sizeof(o->level), "%s", level);
	o->parent_id = parent ? parent->id : 0;
	if (org_create(fdb.db, &fdb.sys, o, &e)) {
		fprintf(stderr, "fuzz_db: org %s: %s\n", slug, e.en);
		abort();
	}
}

/* fuzz_db_open makes the database (once; aborts on failure: the target cannot run). */
static void fuzz_db_open(void)
{
	struct user u;
	struct verr e;

	snprintf(fdb.dir, sizeof(fdb.dir), "/tmp/shenliao-fuzz-XXXXXX");
	if (!mkdtemp(fdb.dir)) {
		perror("fuzz_db: mkdtemp");
		abort();
	}
	snprintf(fdb.path, sizeof(fdb.path), "%s/fuzz.db", fdb.dir);
	if (db_open(fdb.path, DB_OPEN_CREATE, &fdb.db) || db_migrate(fdb.db, NULL)) {
		fprintf(stderr, "fuzz_db: cannot make %s\n", fdb.path);
		abort();
	}
	atexit(fuzz_db_remove);
	actor_system(&fdb.sys);
	fuzz_db_org(NULL, "city", "某市政协", "city", &fdb.city);
	fuzz_db_org(&fdb.city, "district", "某区政协", "district", &fdb.district);
	fuzz_db_org(NULL, "other", "另一市政协", "city", &fdb.other);
	memset(&u, 0, sizeof(u));
	u.org_id = fdb.city.id;
	snprintf(u.username, sizeof(u.username), "organizer");
	snprintf(u.display_name, sizeof(u.display_name), "组织者");
	snprintf(u.role, sizeof(u.role), "organizer");
	if (user_create(fdb.db, &fdb.sys, &u, "fuzz-password-1", &e) ||
	    auth_session_create(fdb.db, u.id, fdb.session_token, fdb.session_csrf) ||
	    auth_token_create(fdb.db, u.id, fdb.api_token) ||
	    auth_token_find(fdb.db, fdb.api_token, &fdb.organizer)) {
		fprintf(stderr, "fuzz_db: cannot make the organizer\n");
		abort();
	}
}

/* fuzz_db_subst copies p[0..n) with the placeholders @SESSION@, @TOKEN@ and @CSRF@ replaced
 * by the secrets of the organizer's sign-in; the copy is NUL-terminated, its length (without
 * that NUL) goes to *len when len is not NULL. Caller frees. */
static inline char *fuzz_db_subst(const char *p, size_t n, size_t *len)
{
	const char *subst[3][2] = {{"@SESSION@", fdb.session_token},
				   {"@TOKEN@", fdb.api_token},
				   {"@CSRF@", fdb.session_csrf}};
	struct buf b;
	size_t i, k;

	buf_init(&b, (size_t)16 << 20);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 3; k++) {
			size_t ml = strlen(subst[k][0]);

			if (n - i >= ml && memcmp(p + i, subst[k][0], ml) == 0) {
				if (buf_append(&b, subst[k][1], strlen(subst[k][1])))
					abort();
				i += ml - 1;
				break;
			}
		}
		if (k == 3 && buf_append(&b, p + i, 1))
			abort();
	}
	if (len)
		*len = b.n;
	if (buf_append(&b, "", 1))
		abort();
	return buf_detach(&b);
}

#endif
