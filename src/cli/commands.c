/*
 * commands.c - `shenliao init`, `user add`, `token create`, `backup`.
 */
#include "cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/model.h"
#include "model/store.h"

static const char usage_init[] =
    "usage: shenliao init --db FILE --org NAME --admin USER [--slug SLUG] [--level LEVEL]\n"
    "                     [--password-file F]\n"
    "Creates a new database with its root body (org) and its first admin.\n"
    "The admin's password comes from SHENLIAO_ADMIN_PASSWORD or the first line of F.\n"
    "  --slug    short name of the root org (default: root)\n"
    "  --level   national|province|city|district (default: province)\n";

/* too_long reports which option did not fit its field. */
static int too_long(const char *what)
{
	return cli_fail("%s is too long", what);
}

/* init_database makes a new database file with the root org and admin. Returns an exit
 * code. */
int init_database(const char *path, const char *org_name, const char *slug, const char *level,
		  const char *admin, const char *password, struct db **out)
{
	enum store_stage stage;
	struct actor sys;
	struct org o;
	struct user u;
	struct verr e;
	struct db *db;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&u, 0, sizeof(u));
	if (cli_fmt(o.name, sizeof(o.name), "%s", org_name))
		return too_long("the org name");
	if (cli_fmt(o.slug, sizeof(o.slug), "%s", slug))
		return too_long("the slug");
	if (cli_fmt(o.level, sizeof(o.level), "%s", level))
		return too_long("the level");
	if (cli_fmt(u.username, sizeof(u.username), "%s", admin))
		return too_long("the admin's username");
	memcpy(u.role, "admin", sizeof("admin"));
	rc = store_open(path, STORE_CREATE, &db, NULL, &stage);
	if (rc == ERR_EXISTS)
		return cli_fail("%s exists; refusing to overwrite it", path);
	if (rc && stage == STORE_STAGE_MIGRATE)
		return cli_fail("cannot create the schema in %s", path);
	if (rc)
		return cli_fail("cannot create the database %s", path);
	actor_system(&sys);
	memset(&e, 0, sizeof(e));
	rc = store_begin(db);
	if (!rc)
		rc = org_create(db, &sys, &o, &e);
	if (!rc) {
		u.org_id = o.id;
		rc = user_create(db, &sys, &u, password, &e);
	}
	if (!rc)
		rc = store_commit(db);
	if (rc) {
		store_rollback(db);
		store_discard(db, path);
		if (e.code)
			return cli_fail("%s", e.en);
		return cli_fail("cannot initialize %s: %s", path, err_name(rc));
	}
	if (out)
		*out = db;
	else
		store_close(db);
	return EXIT_OK;
}

int cmd_init(int argc, char **argv)
{
	struct cli_opt opts[] = {{"db", true, 0, 0},	{"org", true, 0, 0},
				 {"admin", true, 0, 0}, {"slug", true, 0, 0},
				 {"level", true, 0, 0}, {"password-file", true, 0, 0}};
	const size_t n = sizeof(opts) / sizeof(opts[0]);
	const char *pos[1];
	char password[300];
	size_t npos;
	bool help;
	int rc;

	rc = cli_parse(argc, argv, 1, opts, n, pos, 0, &npos, usage_init, &help);
	if (rc >= 0)
		return rc;
	if (!cli_get(opts, n, "db") || !cli_get(opts, n, "org") || !cli_get(opts, n, "admin"))
		return cli_usage_error(usage_init, "init needs --db, --org and --admin");
	if (cli_password(opts, n, "SHENLIAO_ADMIN_PASSWORD", password, sizeof(password)))
		return EXIT_FAIL;
	rc = init_database(cli_get(opts, n, "db"), cli_get(opts, n, "org"),
			   cli_get(opts, n, "slug") ? cli_get(opts, n, "slug") : "root",
			   cli_get(opts, n, "level") ? cli_get(opts, n, "level") : "province",
			   cli_get(opts, n, "admin"), password, NULL);
	sodium_memzero(password, sizeof(password));
	if (rc == EXIT_OK)
		printf("created %s\n", cli_get(opts, n, "db"));
	return rc;
}

static const char usage_user[] =
    "usage: shenliao user add --db FILE --org SLUG --username U\n"
    "                         --role admin|organizer|member|guest [--display-name NAME]\n"
    "                         [--password-file F]\n"
    "Adds an account. The password comes from the first line of F or SHENLIAO_PASSWORD.\n";

int cmd_user(int argc, char **argv)
{
	struct cli_opt opts[] = {{"db", true, 0, 0},	       {"org", true, 0, 0},
				 {"username", true, 0, 0},     {"role", true, 0, 0},
				 {"display-name", true, 0, 0}, {"password-file", true, 0, 0}};
	const size_t n = sizeof(opts) / sizeof(opts[0]);
	const char *pos[1];
	char password[300];
	struct actor sys;
	struct org o;
	struct user u;
	struct verr e;
	struct db *db;
	size_t npos;
	bool help;
	int rc;

	if (argc < 2 || strcmp(argv[1], "add") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			fputs(usage_user, stdout);
			return EXIT_OK;
		}
		return cli_usage_error(usage_user, "user needs a subcommand: add");
	}
	rc = cli_parse(argc, argv, 2, opts, n, pos, 0, &npos, usage_user, &help);
	if (rc >= 0)
		return rc;
	if (!cli_get(opts, n, "db") || !cli_get(opts, n, "org") || !cli_get(opts, n, "username") ||
	    !cli_get(opts, n, "role"))
		return cli_usage_error(usage_user,
				       "user add needs --db, --org, --username, --role");
	if (role_parse(cli_get(opts, n, "role")) < 0)
		return cli_usage_error(usage_user, "unknown role '%s'", cli_get(opts, n, "role"));
	if (cli_password(opts, n, "SHENLIAO_PASSWORD", password, sizeof(password)))
		return EXIT_FAIL;
	db = cli_open_db(cli_get(opts, n, "db"));
	if (!db)
		return EXIT_FAIL;
	rc = org_get_by_slug(db, cli_get(opts, n, "org"), &o);
	if (rc) {
		store_close(db);
		return cli_fail("no org with slug '%s'", cli_get(opts, n, "org"));
	}
	actor_system(&sys);
	memset(&u, 0, sizeof(u));
	memset(&e, 0, sizeof(e));
	u.org_id = o.id;
	rc = cli_fmt(u.username, sizeof(u.username), "%s", cli_get(opts, n, "username"));
	if (!rc)
		rc = cli_fmt(u.role, sizeof(u.role), "%s", cli_get(opts, n, "role"));
	if (!rc && cli_get(opts, n, "display-name"))
		rc = cli_fmt(u.display_name, sizeof(u.display_name), "%s",
			     cli_get(opts, n, "display-name"));
	if (rc) {
		sodium_memzero(password, sizeof(password));
		store_close(db);
		return cli_fail("--username or --display-name is too long");
	}
	rc = store_begin(db);
	if (!rc)
		rc = user_create(db, &sys, &u, password, &e);
	if (!rc)
		rc = store_commit(db);
	sodium_memzero(password, sizeof(password));
	if (rc) {
		store_rollback(db);
		store_close(db);
		return e.code ? cli_fail("%s", e.en) : cli_fail("cannot add the user");
	}
	store_close(db);
	printf("added user %s (id %lld) to %s\n", u.username, (long long)u.id, o.slug);
	return EXIT_OK;
}

static const char usage_token[] = "usage: shenliao token create --db FILE --username U\n"
				  "Prints a new API bearer token for U, once; only its hash is "
				  "stored.\n";

int cmd_token(int argc, char **argv)
{
	struct cli_opt opts[] = {{"db", true, 0, 0}, {"username", true, 0, 0}};
	const size_t n = sizeof(opts) / sizeof(opts[0]);
	const char *pos[1];
	char token[65];
	struct actor sys;
	struct user u;
	struct db *db;
	size_t npos;
	bool help;
	int rc;

	if (argc < 2 || strcmp(argv[1], "create") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			fputs(usage_token, stdout);
			return EXIT_OK;
		}
		return cli_usage_error(usage_token, "token needs a subcommand: create");
	}
	rc = cli_parse(argc, argv, 2, opts, n, pos, 0, &npos, usage_token, &help);
	if (rc >= 0)
		return rc;
	if (!cli_get(opts, n, "db") || !cli_get(opts, n, "username"))
		return cli_usage_error(usage_token, "token create needs --db and --username");
	db = cli_open_db(cli_get(opts, n, "db"));
	if (!db)
		return EXIT_FAIL;
	rc = user_get_by_name(db, cli_get(opts, n, "username"), &u);
	if (rc) {
		store_close(db);
		return cli_fail("no user '%s'", cli_get(opts, n, "username"));
	}
	actor_system(&sys);
	rc = store_begin(db);
	if (!rc)
		rc = auth_token_create(db, u.id, token);
	if (!rc)
		rc = audit_write(db, &sys, u.org_id, "token.create", "user", u.id, NULL, NULL);
	if (!rc)
		rc = store_commit(db);
	if (rc) {
		store_rollback(db);
		store_close(db);
		return cli_fail("cannot create a token");
	}
	store_close(db);
	printf("%s\n", token);
	sodium_memzero(token, sizeof(token));
	return EXIT_OK;
}

static const char usage_backup[] = "usage: shenliao backup --db FILE OUT\n"
				   "Copies the database to OUT consistently, even while it is "
				   "being served.\n";

int cmd_backup(int argc, char **argv)
{
	struct cli_opt opts[] = {{"db", true, 0, 0}};
	const size_t n = sizeof(opts) / sizeof(opts[0]);
	const char *pos[1];
	struct db *db;
	size_t npos;
	bool help;
	int rc;

	rc = cli_parse(argc, argv, 1, opts, n, pos, 1, &npos, usage_backup, &help);
	if (rc >= 0)
		return rc;
	if (!cli_get(opts, n, "db") || npos != 1)
		return cli_usage_error(usage_backup, "backup needs --db FILE and OUT");
	db = cli_open_db(cli_get(opts, n, "db"));
	if (!db)
		return EXIT_FAIL;
	rc = store_backup(db, pos[0]);
	store_close(db);
	if (rc == ERR_EXISTS)
		return cli_fail("%s exists; refusing to overwrite it", pos[0]);
	if (rc)
		return cli_fail("backup to %s failed", pos[0]);
	printf("backed up to %s\n", pos[0]);
	return EXIT_OK;
}
