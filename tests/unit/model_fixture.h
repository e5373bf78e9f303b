/*
 * model_fixture.h - a real temporary database for the model's unit tests (SQLite, or a new
 * PostgreSQL database on the server SHENLIAO_TEST_PG names, e.g. postgresql://postgres@
 * 127.0.0.1:55440/ from scripts/pg.sh): migrated,
 * with a province, one of its cities, a district of that city and an unrelated city, and an
 * actor of each role in the city (admin, organizer, member, guest), an organizer of the
 * district, of the province and of the unrelated city, an anonymous caller and the system
 * actor. Made once per cmocka group (argon2id hashing is slow); each test makes its own
 * objects in it.
 *
 *	static int group_setup(void **state) { return mfix_setup(state); }
 *	...
 *	struct mfix *f = *state;   session_create(f->db, &f->city_org, ...)
 *
 * Include once per test file (its functions are static).
 */
#ifndef SHENLIAO_TESTS_MODEL_FIXTURE_H
#define SHENLIAO_TESTS_MODEL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "model/model.h"

struct mfix {
	char dir[64];
	char path[512]; /* the database file, or a postgresql:// URI */
	struct db *db;
	struct org province, city, district, other;
	struct actor sys, anon;
	struct actor city_admin, city_org, city_member, city_guest;
	struct actor district_org, province_org, other_org;
};

/* mfix_org makes a body below parent (NULL: a root). */
static int mfix_org(struct mfix *f, const struct org *parent, const char *slug, const char *name,
		    const char *level, struct org *o)
{
	struct verr e;

	memset(o, 0, sizeof(*o));
	snprintf(o->slug, sizeof(o->slug), "%s", slug);
	snprintf(o->name, sizeof(o->name), "%s", name);
	snprintf(o->level, sizeof(o->level), "%s", level);
	o->parent_id = parent ? parent->id : 0;
	if (org_create(f->db, &f->sys, o, &e)) {
		fprintf(stderr, "mfix: org %s: %s\n", slug, e.en);
		return -1;
	}
	return 0;
}

/* mfix_actor makes an account of role in org and the actor that signs in with it. */
static int mfix_actor(struct mfix *f, const struct org *org, const char *username, const char *role,
		      struct actor *a)
{
	struct user u;
	struct verr e;

	memset(&u, 0, sizeof(u));
	u.org_id = org->id;
	snprintf(u.username, sizeof(u.username), "%s", username);
	snprintf(u.display_name, sizeof(u.display_name), "%s", username);
	snprintf(u.role, sizeof(u.role), "%s", role);
	if (user_create(f->db, &f->sys, &u, "fixture-password", &e)) {
		fprintf(stderr, "mfix: user %s: %s\n", username, e.en);
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->via = AUTH_BEARER;
	a->user = u;
	a->org = *org;
	a->role = role_parse(role);
	a->address = "127.0.0.1";
	return 0;
}

/* mfix_db_path names the fixture's database: dir/model.db, or under SHENLIAO_TEST_PG a
 * database of its own on that server (created by DB_OPEN_CREATE; the server is a
 * throw-away one, so it is left there). */
static void mfix_db_path(const char *dir, char *out, size_t cap)
{
	const char *pg = getenv("SHENLIAO_TEST_PG");
	static int seq;

	if (pg && *pg) {
		const char *leaf = strrchr(dir, '-');

		snprintf(out, cap, "%s%st_model_%ld_%d_%s", pg,
			 pg[strlen(pg) - 1] == '/' ? "" : "/", (long)getpid(), ++seq,
			 leaf ? leaf + 1 : "x");
		for (char *p = out + strlen(pg); *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a'); /* unquoted names fold to lower case */
		return;
	}
	snprintf(out, cap, "%s/model.db", dir);
}

static int mfix_setup(void **state)
{
	struct mfix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/shenliao-modeltest-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	mfix_db_path(f->dir, f->path, sizeof(f->path));
	if (db_open(f->path, DB_OPEN_CREATE, &f->db) || db_migrate(f->db, NULL))
		return -1;
	actor_system(&f->sys);
	memset(&f->anon, 0, sizeof(f->anon));
	f->anon.via = AUTH_NONE;
	f->anon.address = "127.0.0.1";
	if (mfix_org(f, NULL, "prov", "某省政协", "province", &f->province) ||
	    mfix_org(f, &f->province, "city", "某市政协", "city", &f->city) ||
	    mfix_org(f, &f->city, "district", "某区政协", "district", &f->district) ||
	    mfix_org(f, &f->province, "other", "另一市政协", "city", &f->other))
		return -1;
	if (mfix_actor(f, &f->city, "city-admin", "admin", &f->city_admin) ||
	    mfix_actor(f, &f->city, "city-org", "organizer", &f->city_org) ||
	    mfix_actor(f, &f->city, "city-member", "member", &f->city_member) ||
	    mfix_actor(f, &f->city, "city-guest", "guest", &f->city_guest) ||
	    mfix_actor(f, &f->district, "district-org", "organizer", &f->district_org) ||
	    mfix_actor(f, &f->province, "province-org", "organizer", &f->province_org) ||
	    mfix_actor(f, &f->other, "other-org", "organizer", &f->other_org))
		return -1;
	*state = f;
	return 0;
}

static int mfix_teardown(void **state)
{
	struct mfix *f = *state;
	char cmd[160];

	if (!f)
		return 0;
	db_close(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* mfix_begin / mfix_commit wrap a model call in the write transaction the web layer would
 * open; mfix_commit rolls back when rc is not 0 and returns rc. */
static int mfix_begin(struct mfix *f)
{
	return db_begin_write(f->db);
}

static int mfix_commit(struct mfix *f, int rc)
{
	if (rc) {
		db_rollback(f->db);
		return rc;
	}
	return db_commit(f->db);
}

#endif
