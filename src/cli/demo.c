/*
 * demo.c - `shenliao demo`: a realistic setting to try the product in. Below the root org
 * of the database: a city body (深圳市政协) with two district bodies, and demo accounts of
 * every role. Loading twice changes nothing.
 */
#include "cli.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "cli/demo.h"
#include "cli/progress.h"
#include "model/model.h"
#include "model/room.h"
#include "model/store.h"

const char demo_password[] = "shenliao-demo";

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
    {"ft-member", "许委员（福田）", "member", "sz-futian"},
    {"leader", "李振华", "leader", "sz"},
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

/* The steps of the demo, for the progress bar. */
enum { DEMO_STEPS = 5 };

struct demo_run {
	struct demo *d;
	progress_fn progress;
	void *ud;
};

static void step(const struct demo_run *r, uint64_t done)
{
	if (r->progress)
		r->progress(r->ud, done, DEMO_STEPS);
}

/* load runs the whole demo as one unit of work (store_tx). */
static int load(struct db *db, void *ud)
{
	struct demo_run *r = ud;
	struct demo *d = r->d;
	int rc;

	(void)db;
	rc = add_bodies(d);
	step(r, 1);
	if (!rc)
		rc = demo_sessions(d);
	step(r, 2);
	if (!rc)
		rc = demo_outputs(d);
	step(r, 3);
	if (!rc)
		rc = demo_room(d);
	step(r, 4);
	return rc;
}

int demo_load(struct db *db, struct demo_report *out, progress_fn progress, void *ud)
{
	struct demo_run run;
	struct demo *d;
	struct org o;
	int rc;

	memset(out, 0, sizeof(*out));
	if (org_get_by_slug(db, "sz", &o) == ERR_OK) {
		out->already = true;
		return ERR_OK;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	d->db = db;
	actor_system(&d->sys);
	run.d = d;
	run.progress = progress;
	run.ud = ud;
	if (progress)
		progress(ud, 0, DEMO_STEPS);
	rc = org_get_root(db, &d->root);
	if (!rc)
		rc = store_tx(db, load, &run);
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
	step(&run, DEMO_STEPS);
	out->bodies = (int64_t)ARRAY_LEN(demo_orgs);
	out->users = (int64_t)ARRAY_LEN(demo_users);
	out->people = d->n_people;
	out->sessions = d->n_sessions;
	out->outputs = d->n_outputs;
	out->room_session = d->room_session;
	free(d);
	return ERR_OK;
}

static const struct cli_opt demo_opts[] = {
    {"db", "FILE", NULL, "the database (created when it does not exist)", true},
    {"password-file", "F", NULL,
     "a new database's admin password: the first line of F (else SHENLIAO_ADMIN_PASSWORD)", false},
    {"quiet", NULL, NULL, "print nothing on success", false},
    {"json", NULL, NULL, "print what was made as one JSON object", false},
};

static int cmd_demo(int argc, char **argv);

const struct cli_cmd cli_cmd_demo = {
    "demo",
    "",
    0,
    0,
    "load the demo bodies, people and sessions",
    "Loads the demo bodies and accounts below the root org of FILE. When FILE does not\n"
    "exist it is created first (root org 广东省政协, admin 'admin' whose password comes\n"
    "from SHENLIAO_ADMIN_PASSWORD or --password-file). Demo accounts use the password\n"
    "'shenliao-demo'. Loading twice changes nothing.\n",
    demo_opts,
    ARRAY_LEN(demo_opts),
    cmd_demo,
};

static json_t *report_json(const char *path, bool created, const struct demo_report *r)
{
	json_t *logins = json_array(), *v;
	size_t i;

	for (i = 0; logins && i < ARRAY_LEN(demo_users); i++)
		json_array_append_new(
		    logins, json_pack("{s:s,s:s,s:s}", "username", demo_users[i].username, "role",
				      demo_users[i].role, "org", demo_users[i].org));
	v = json_pack("{s:s,s:b,s:b,s:I,s:I,s:I,s:I,s:I,s:o,s:s}", "db", path, "created", created,
		      "already_loaded", r->already, "bodies", (json_int_t)r->bodies, "users",
		      (json_int_t)r->users, "people", (json_int_t)r->people, "sessions",
		      (json_int_t)r->sessions, "outputs", (json_int_t)r->outputs, "logins", logins,
		      "password", demo_password);
	if (v && r->room_session)
		json_object_set_new(v, "opinion_session", json_integer(r->room_session));
	return v;
}

static int cmd_demo(int argc, char **argv)
{
	struct demo_report rep;
	struct progress bar;
	struct cli_args a;
	const char *path;
	char password[300];
	struct db *db = NULL;
	bool created = false;
	size_t i;
	int rc;

	rc = cli_parse(argc, argv, 1, &cli_cmd_demo, &a);
	if (rc >= 0)
		return rc;
	path = cli_arg(&a, "db");
	if (!store_exists(path)) {
		if (cli_password(&a, "SHENLIAO_ADMIN_PASSWORD", password, sizeof(password)))
			return EXIT_FAIL;
		rc = init_database(path, "广东省政协", "gd", "province", "admin", password, &db,
				   NULL, NULL);
		sodium_memzero(password, sizeof(password));
		if (rc)
			return rc;
		created = true;
	} else {
		db = cli_open_db(path);
		if (!db)
			return EXIT_FAIL;
	}
	progress_begin(&bar, "demo", " steps", DEMO_STEPS);
	rc = demo_load(db, &rep, progress_cb, &bar);
	progress_end(&bar);
	store_close(db);
	if (rc)
		return cli_fail("cannot load the demo data into %s: %s (see the message above)",
				cli_db_name(path), err_name(rc));
	if (a.json)
		return cli_json_out(report_json(cli_db_name(path), created, &rep));
	if (cli_arg(&a, "quiet"))
		return EXIT_OK;
	if (rep.already) {
		printf("demo data is already loaded\n");
		return EXIT_OK;
	}
	printf("demo data loaded: 深圳市政协 (sz) with 盐田区政协 and 福田区政协; %lld people, "
	       "%lld sessions, %lld outputs\n",
	       (long long)rep.people, (long long)rep.sessions, (long long)rep.outputs);
	printf("demo logins (password %s):", demo_password);
	for (i = 0; i < ARRAY_LEN(demo_users); i++)
		printf(" %s(%s)", demo_users[i].username, demo_users[i].role);
	printf("\n");
	return EXIT_OK;
}
