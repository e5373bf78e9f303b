/*
 * demo.c - `shenliao demo`: a realistic setting to try the product in. Below the root org
 * of the database: a city body (深圳市政协) with two district bodies, and demo accounts of
 * every role. Loading twice changes nothing.
 */
#include "cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "db/db.h"
#include "model/model.h"
#include "model/room.h"

const char demo_password[] = "shenliao-demo";

static const char usage_demo[] =
    "usage: shenliao demo --db FILE\n"
    "Loads the demo bodies and accounts below the root org of FILE. When FILE does not\n"
    "exist it is created first (root org 广东省政协, admin 'admin' whose password comes\n"
    "from SHENLIAO_ADMIN_PASSWORD). Demo accounts use the password 'shenliao-demo'.\n";

static const char sql_root[] = "SELECT id FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1";

static const struct demo_org {
	const char *slug, *name, *level, *parent; /* parent NULL: the root */
} demo_orgs[] = {
    {"sz", "深圳市政协", "city", NULL},
    {"sz-yantian", "盐田区政协", "district", "sz"},
    {"sz-futian", "福田区政协", "district", "sz"},
};

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

int demo_load(struct db *db, bool quiet)
{
	struct db_stmt *st;
	struct actor sys;
	struct org o, parent;
	struct user u;
	struct verr e;
	int64_t root = 0;
	size_t i;
	int rc;

	if (org_get_by_slug(db, "sz", &o) == ERR_OK) {
		if (!quiet)
			printf("demo data is already loaded\n");
		return ERR_OK;
	}
	rc = db_prepare(db, sql_root, &st);
	if (rc)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW)
		root = db_col_int(st, 0);
	db_done(st);
	if (!root)
		return ERR_NOT_FOUND;
	actor_system(&sys);
	memset(&e, 0, sizeof(e));
	rc = db_begin_write(db);
	if (rc)
		return rc;
	for (i = 0; !rc && i < sizeof(demo_orgs) / sizeof(demo_orgs[0]); i++) {
		memset(&o, 0, sizeof(o));
		snprintf(o.slug, sizeof(o.slug), "%s", demo_orgs[i].slug);
		snprintf(o.name, sizeof(o.name), "%s", demo_orgs[i].name);
		snprintf(o.level, sizeof(o.level), "%s", demo_orgs[i].level);
		o.parent_id = root;
		if (demo_orgs[i].parent) {
			rc = org_get_by_slug(db, demo_orgs[i].parent, &parent);
			o.parent_id = parent.id;
		}
		if (!rc)
			rc = org_create(db, &sys, &o, &e);
	}
	for (i = 0; !rc && i < sizeof(demo_users) / sizeof(demo_users[0]); i++) {
		memset(&u, 0, sizeof(u));
		rc = org_get_by_slug(db, demo_users[i].org, &o);
		if (rc)
			break;
		u.org_id = o.id;
		snprintf(u.username, sizeof(u.username), "%s", demo_users[i].username);
		snprintf(u.display_name, sizeof(u.display_name), "%s", demo_users[i].name);
		snprintf(u.role, sizeof(u.role), "%s", demo_users[i].role);
		rc = user_create(db, &sys, &u, demo_password, &e);
	}
	if (!rc)
		rc = demo_sessions(db);
	if (!rc)
		rc = demo_outputs(db);
	if (!rc)
		rc = demo_room(db);
	if (!rc)
		rc = db_commit(db);
	if (rc) {
		db_rollback(db);
		if (e.code)
			fprintf(stderr, "shenliao: demo: %s\n", e.en);
		return rc;
	}
	{
		int64_t sid = 0, v;

		/* the demo map's first snapshot */
		if (db_prepare(db, "SELECT session_id FROM room LIMIT 1", &st) == ERR_OK) {
			if (db_step(st) == DB_ROW)
				sid = db_col_int(st, 0);
			db_done(st);
		}
		if (sid && live_compute(db, sid, &v))
			fprintf(stderr, "shenliao: demo: the opinion map was not computed\n");
	}
	if (!quiet) {
		printf("demo data loaded: 深圳市政协 (sz) with 盐田区政协 and 福田区政协\n");
		printf("demo logins (password %s):", demo_password);
		for (i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++)
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
	db_close(db);
	if (rc)
		return cli_fail("cannot load the demo data into %s", path);
	return EXIT_OK;
}
