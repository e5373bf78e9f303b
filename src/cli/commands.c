/*
 * commands.c - `shenliao init`, `user add`, `token create`, `backup`.
 */
#include "cli.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#include "base/util.h"
#include "cli/progress.h"
#include "model/model.h"
#include "model/store.h"

static const struct cli_opt init_opts[] = {
    {"db", "FILE", NULL, "the new database file (must not exist)", true},
    {"org", "NAME", NULL, "name of the root body, e.g. 广东省政协", true},
    {"admin", "USER", NULL, "username of the first admin", true},
    {"slug", "SLUG", "root", "short name of the root org", false},
    {"level", "LEVEL", "province", "national|province|city|district", false},
    {"password-file", "F", NULL, "read the admin's password from the first line of F", false},
    {"json", NULL, NULL, "print what was made as one JSON object", false},
};

static int cmd_init(int argc, char **argv);

const struct cli_cmd cli_cmd_init = {
    "init",
    "",
    0,
    0,
    "create a new database with its root org and first admin",
    "The admin's password comes from SHENLIAO_ADMIN_PASSWORD or the first line of\n"
    "--password-file F (never from the command line).\n",
    init_opts,
    ARRAY_LEN(init_opts),
    cmd_init,
};

/* too_long reports which option did not fit its field. */
static int too_long(const char *what)
{
	return cli_fail("%s is too long (shorten it)", what);
}

/* init_database makes a new database file with the root org and admin. Returns an exit
 * code. */
int init_database(const char *path, const char *org_name, const char *slug, const char *level,
		  const char *admin, const char *password, struct db **out, struct org *org_out,
		  struct user *user_out)
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
		return cli_fail("%s exists; refusing to overwrite it (give a new %s)",
				cli_db_name(path),
				store_is_uri(path) ? "database name" : "file name");
	if (rc && stage == STORE_STAGE_MIGRATE)
		return cli_fail("cannot create the schema in %s (see the log above)",
				cli_db_name(path));
	if (rc)
		return cli_fail(
		    "cannot create the database %s (does its folder exist, may this user "
		    "write there? is the server up?)",
		    cli_db_name(path));
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
		return cli_fail("cannot initialize %s: %s (see the log above)", cli_db_name(path),
				err_name(rc));
	}
	if (out)
		*out = db;
	else
		store_close(db);
	if (org_out)
		*org_out = o;
	if (user_out)
		*user_out = u;
	return EXIT_OK;
}

static json_t *org_json(const struct org *o)
{
	return json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)o->id, "slug", o->slug, "name",
			 o->name, "level", o->level);
}

static json_t *user_json(const struct user *u, const char *org_slug)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)u->id, "username", u->username,
			 "display_name", u->display_name, "role", u->role, "org", org_slug);
}

static int cmd_init(int argc, char **argv)
{
	struct cli_args a;
	char password[300];
	struct org o;
	struct user u;
	int rc;

	rc = cli_parse(argc, argv, 1, &cli_cmd_init, &a);
	if (rc >= 0)
		return rc;
	if (cli_password(&a, "SHENLIAO_ADMIN_PASSWORD", password, sizeof(password)))
		return EXIT_FAIL;
	rc = init_database(cli_arg(&a, "db"), cli_arg(&a, "org"),
			   cli_arg(&a, "slug") ? cli_arg(&a, "slug") : "root",
			   cli_arg(&a, "level") ? cli_arg(&a, "level") : "province",
			   cli_arg(&a, "admin"), password, NULL, &o, &u);
	sodium_memzero(password, sizeof(password));
	if (rc != EXIT_OK)
		return rc;
	if (a.json)
		return cli_json_out(json_pack("{s:s,s:o,s:o}", "db", cli_db_name(cli_arg(&a, "db")),
					      "org", org_json(&o), "admin", user_json(&u, o.slug)));
	printf("created %s\n", cli_db_name(cli_arg(&a, "db")));
	return EXIT_OK;
}

static const struct cli_opt user_opts[] = {
    {"db", "FILE", NULL, "the database", true},
    {"org", "SLUG", NULL, "the body the account belongs to", true},
    {"username", "U", NULL, "the sign-in name", true},
    {"role", "ROLE", NULL, "admin|organizer|leader|member|guest", true},
    {"display-name", "NAME", NULL, "the name shown in the pages", false},
    {"password-file", "F", NULL, "read the password from the first line of F", false},
    {"json", NULL, NULL, "print the new user as one JSON object", false},
};

static int cmd_user(int argc, char **argv);

const struct cli_cmd cli_cmd_user_add = {
    "user add",
    "",
    0,
    0,
    "add an account",
    "Adds an account. The password comes from the first line of --password-file F or\n"
    "SHENLIAO_PASSWORD (never from the command line).\n",
    user_opts,
    ARRAY_LEN(user_opts),
    cmd_user,
};

static int cmd_user(int argc, char **argv)
{
	struct cli_args a;
	char password[300];
	struct actor sys;
	struct org o;
	struct user u;
	struct verr e;
	struct db *db;
	int rc;

	rc = cli_parse(argc, argv, 1, &cli_cmd_user_add, &a);
	if (rc >= 0)
		return rc;
	if (role_parse(cli_arg(&a, "role")) < 0)
		return cli_usage(
		    &cli_cmd_user_add,
		    "unknown role '%s' (use admin, organizer, leader, member or guest)",
		    cli_arg(&a, "role"));
	if (cli_password(&a, "SHENLIAO_PASSWORD", password, sizeof(password)))
		return EXIT_FAIL;
	db = cli_open_db(cli_arg(&a, "db"));
	if (!db)
		return EXIT_FAIL;
	rc = org_get_by_slug(db, cli_arg(&a, "org"), &o);
	if (rc) {
		store_close(db);
		return cli_fail("no org with slug '%s' (the slugs are in the people pages, or "
				"the one given to `shenliao init --slug`)",
				cli_arg(&a, "org"));
	}
	actor_system(&sys);
	memset(&u, 0, sizeof(u));
	memset(&e, 0, sizeof(e));
	u.org_id = o.id;
	rc = cli_fmt(u.username, sizeof(u.username), "%s", cli_arg(&a, "username"));
	if (!rc)
		rc = cli_fmt(u.role, sizeof(u.role), "%s", cli_arg(&a, "role"));
	if (!rc && cli_arg(&a, "display-name"))
		rc = cli_fmt(u.display_name, sizeof(u.display_name), "%s",
			     cli_arg(&a, "display-name"));
	if (rc) {
		sodium_memzero(password, sizeof(password));
		store_close(db);
		return cli_fail("--username or --display-name is too long (shorten it)");
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
		return e.code ? cli_fail("%s", e.en)
			      : cli_fail("cannot add the user (see the log above)");
	}
	store_close(db);
	if (a.json)
		return cli_json_out(user_json(&u, o.slug));
	printf("added user %s (id %lld) to %s\n", u.username, (long long)u.id, o.slug);
	return EXIT_OK;
}

static const struct cli_opt token_opts[] = {
    {"db", "FILE", NULL, "the database", true},
    {"username", "U", NULL, "whose token", true},
    {"json", NULL, NULL, "print the token as one JSON object", false},
};

static int cmd_token(int argc, char **argv);

const struct cli_cmd cli_cmd_token_create = {
    "token create",
    "",
    0,
    0,
    "make an API bearer token",
    "Prints a new API bearer token for U, once; only its hash is stored.\n",
    token_opts,
    ARRAY_LEN(token_opts),
    cmd_token,
};

static int cmd_token(int argc, char **argv)
{
	struct cli_args a;
	char token[65];
	struct actor sys;
	struct user u;
	struct db *db;
	int rc;

	rc = cli_parse(argc, argv, 1, &cli_cmd_token_create, &a);
	if (rc >= 0)
		return rc;
	db = cli_open_db(cli_arg(&a, "db"));
	if (!db)
		return EXIT_FAIL;
	rc = user_get_by_name(db, cli_arg(&a, "username"), &u);
	if (rc) {
		store_close(db);
		return cli_fail("no user '%s' (add one with `shenliao user add`)",
				cli_arg(&a, "username"));
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
		return cli_fail("cannot create a token (see the log above)");
	}
	store_close(db);
	if (a.json)
		rc = cli_json_out(json_pack("{s:s,s:s,s:I}", "token", token, "username", u.username,
					    "user_id", (json_int_t)u.id));
	else
		rc = printf("%s\n", token) < 0 ? EXIT_FAIL : EXIT_OK;
	sodium_memzero(token, sizeof(token));
	return rc;
}

static const struct cli_opt backup_opts[] = {
    {"db", "FILE", NULL, "the database to copy (may be in use by `shenliao serve`)", true},
    {"json", NULL, NULL, "print the copy's path and size as one JSON object", false},
};

static int cmd_backup(int argc, char **argv);

const struct cli_cmd cli_cmd_backup = {
    "backup",
    "OUT",
    1,
    1,
    "copy the database consistently, even while serving",
    "Copies the database to the new file OUT consistently, even while it is being served.\n",
    backup_opts,
    ARRAY_LEN(backup_opts),
    cmd_backup,
};

/* backup_pg backs up a PostgreSQL database with pg_dump (custom format, for pg_restore)
 * when it is installed, and otherwise says to use it. */
static int backup_pg(const char *uri, const char *out)
{
	char *const argv[] = {"pg_dump",   "--format=custom", "--file",
			      (char *)out, (char *)uri,	      NULL};
	struct stat sb;
	pid_t pid;
	int status;

	if (posix_spawnp(&pid, "pg_dump", NULL, NULL, argv, environ) != 0)
		return cli_fail("%s is a PostgreSQL database: back it up with pg_dump "
				"(pg_dump --format=custom --file %s URI), which is not installed "
				"here",
				cli_db_name(uri), out);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return cli_fail("pg_dump of %s failed (see its message above)", cli_db_name(uri));
	if (stat(out, &sb) != 0)
		return cli_fail("the copy %s is gone", out);
	printf("backed up %s with pg_dump to %s (%lld bytes; restore with pg_restore)\n",
	       cli_db_name(uri), out, (long long)sb.st_size);
	return EXIT_OK;
}

static int cmd_backup(int argc, char **argv)
{
	struct progress bar;
	struct cli_args a;
	struct stat sb;
	struct db *db;
	int rc;

	rc = cli_parse(argc, argv, 1, &cli_cmd_backup, &a);
	if (rc >= 0)
		return rc;
	if (stat(a.pos[0], &sb) == 0)
		return cli_fail("%s exists; refusing to overwrite it (give a new file name)",
				a.pos[0]);
	if (store_is_uri(cli_arg(&a, "db")))
		return backup_pg(cli_arg(&a, "db"), a.pos[0]);
	db = cli_open_db(cli_arg(&a, "db"));
	if (!db)
		return EXIT_FAIL;
	progress_begin(&bar, "backup", " pages", 0);
	rc = store_backup_progress(db, a.pos[0], progress_cb, &bar);
	progress_end(&bar);
	store_close(db);
	if (rc == ERR_EXISTS)
		return cli_fail("%s exists; refusing to overwrite it (give a new file name)",
				a.pos[0]);
	if (rc)
		return cli_fail("backup to %s failed (is there room, may this user write "
				"there?)",
				a.pos[0]);
	if (stat(a.pos[0], &sb) != 0)
		return cli_fail("the copy %s is gone", a.pos[0]);
	if (a.json)
		return cli_json_out(json_pack("{s:s,s:s,s:I}", "db", cli_db_name(cli_arg(&a, "db")),
					      "path", a.pos[0], "bytes", (json_int_t)sb.st_size));
	printf("backed up to %s (%lld bytes)\n", a.pos[0], (long long)sb.st_size);
	return EXIT_OK;
}
