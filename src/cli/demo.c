/*
 * demo.c - `shenliao demo`: a realistic setting to try the product in. Below the root org
 * of the database: a city body (深圳市政协) with two district bodies, and demo accounts of
 * every role. Loading twice changes nothing.
 */
#include "cli.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "cli/demo.h"
#include "model/model.h"
#include "model/room.h"
#include "model/store.h"

const char demo_password[] = "shenliao-demo";

static const char usage_demo[] =
    "usage: shenliao demo --db FILE\n"
    "Loads the demo bodies and accounts below the root org of FILE. When FILE does not\n"
    "exist it is created first (root org 广东省政协, admin 'admin' whose password comes\n"
    "from SHENLIAO_ADMIN_PASSWORD). Demo accounts use the password 'shenliao-demo'.\n";

static const struct demo_org {
	const char *slug, *name, *level, *parent; /* parent NULL: the root */
} demo_orgs[] = {
    {"sz", "深圳市政协", "city", NULL},
    {"sz-yantian", "盐田区政协", "district", "sz"},
    {"sz-futian", "福田区政协", "district", "sz"},
};
_Static_assert(ARRAY_LEN(demo_orgs) == 3, "demo.h names three demo bodies");

static const struct demo_user {
	const char *username, *name, *role, *org;
} demo_users[] = {
    {"sz-admin", "陈管理", "admin", "sz"},
    {"organizer", "李组织", "organizer", "sz"},
    {"member", "王委员", "member", "sz"},
    {"guest", "赵来宾", "guest", "sz"},
    {"yt-organizer", "刘组织（盐田）", "organizer", "sz-yantian"},
    {"ft-member", "周委员（福田）", "member", "sz-futian"},
};

/* add_bodies makes the demo bodies and accounts below the root. */
static int add_bodies(struct demo *d)
{
	struct org *made[] = {&d->sz, &d->yantian, &d->futian};
	struct org *o;
	struct user u;
	size_t i, k;
	int rc = ERR_OK;

	for (i = 0; !rc && i < ARRAY_LEN(demo_orgs); i++) {
		o = made[i];
		memset(o, 0, sizeof(*o));
		rc = cli_fmt(o->slug, sizeof(o->slug), "%s", demo_orgs[i].slug);
		if (!rc)
			rc = cli_fmt(o->name, sizeof(o->name), "%s", demo_orgs[i].name);
		if (!rc)
			rc = cli_fmt(o->level, sizeof(o->level), "%s", demo_orgs[i].level);
		o->parent_id = demo_orgs[i].parent ? d->sz.id : d->root.id;
		if (!rc)
			rc = org_create(d->db, &d->sys, o, &d->e);
	}
	for (i = 0; !rc && i < ARRAY_LEN(demo_users); i++) {
		memset(&u, 0, sizeof(u));
		for (k = 0; k < ARRAY_LEN(demo_orgs); k++)
			if (strcmp(demo_orgs[k].slug, demo_users[i].org) == 0)
				u.org_id = made[k]->id;
		rc = cli_fmt(u.username, sizeof(u.username), "%s", demo_users[i].username);
		if (!rc)
			rc = cli_fmt(u.display_name, sizeof(u.display_name), "%s",
				     demo_users[i].name);
		if (!rc)
			rc = cli_fmt(u.role, sizeof(u.role), "%s", demo_users[i].role);
		if (!rc)
			rc = user_create(d->db, &d->sys, &u, demo_password, &d->e);
	}
	return rc;
}

/* load runs the whole demo as one unit of work (store_tx). */
static int load(struct db *db, void *ud)
{
	struct demo *d = ud;
	int rc;

	(void)db;
	rc = add_bodies(d);
	if (!rc)
		rc = demo_sessions(d);
	if (!rc)
		rc = demo_outputs(d);
	if (!rc)
		rc = demo_room(d);
	return rc;
}

int demo_load(struct db *db, bool quiet)
{
	struct demo *d;
	struct org o;
	size_t i;
	int rc;

	if (org_get_by_slug(db, "sz", &o) == ERR_OK) {
		if (!quiet)
			printf("demo data is already loaded\n");
		return ERR_OK;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	d->db = db;
	actor_system(&d->sys);
	rc = org_get_root(db, &d->root);
	if (!rc)
		rc = store_tx(db, load, d);
	if (rc) {
		if (d->e.code)
			fprintf(stderr, "shenliao: demo: %s\n", d->e.en);
		free(d);
		return rc;
	}
	{
		int64_t v;

		/* the demo map's first snapshot */
		if (d->room_session && live_compute(db, d->room_session, &v))
			fprintf(stderr, "shenliao: demo: the opinion map was not computed\n");
	}
	free(d);
	if (!quiet) {
		printf("demo data loaded: 深圳市政协 (sz) with 盐田区政协 and 福田区政协\n");
		printf("demo logins (password %s):", demo_password);
		for (i = 0; i < ARRAY_LEN(demo_users); i++)
			printf(" %s(%s)", demo_users[i].username, demo_users[i].role);
		printf("\n");
	}
	return ERR_OK;
}

int cmd_demo(int argc, char **argv)
{
	struct cli_opt opts[] = {{"db", true, 0, 0}, {"quiet", false, 0, 0}};
	const size_t n = sizeof(opts) / sizeof(opts[0]);
	const char *pos[1], *path;
	char password[300];
	struct stat sb;
	struct db *db = NULL;
	size_t npos;
	bool help;
	int rc;

	rc = cli_parse(argc, argv, 1, opts, n, pos, 0, &npos, usage_demo, &help);
	if (rc >= 0)
		return rc;
	path = cli_get(opts, n, "db");
	if (!path)
		return cli_usage_error(usage_demo, "demo needs --db FILE");
	if (stat(path, &sb) != 0) {
		if (cli_password(opts, n, "SHENLIAO_ADMIN_PASSWORD", password, sizeof(password)))
			return EXIT_FAIL;
		rc = init_database(path, "广东省政协", "gd", "province", "admin", password, &db);
		sodium_memzero(password, sizeof(password));
		if (rc)
			return rc;
	} else {
		db = cli_open_db(path);
		if (!db)
			return EXIT_FAIL;
	}
	rc = demo_load(db, cli_get(opts, n, "quiet") != NULL);
	store_close(db);
	if (rc)
		return cli_fail("cannot load the demo data into %s", path);
	return EXIT_OK;
}
