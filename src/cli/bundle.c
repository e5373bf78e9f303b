/*
 * bundle.c - `shenliao bundle keygen|export|import`: signed session bundles carried between
 * databases on separated networks (model/bundle.h; docs/FEDERATION.md has the workflow).
 *
 * The commands only parse, call the model and report: the file format, the signature and
 * every row live in src/model/bundle.c.
 */
#include "cli.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/bundle.h"
#include "model/model.h"
#include "model/store.h"

/* refusal prints the model's reason as one line, Chinese first: "shenliao: 中文（English）". */
static int refusal(const struct verr *e, const char *fallback)
{
	if (e->code)
		return cli_fail("%s（%s）", e->zh, e->en);
	return cli_fail("%s", fallback);
}

static const struct cli_opt keygen_opts[] = {
    {"out", "NAME", NULL, "write NAME.secret (mode 0600) and NAME.pub; neither may exist", true},
    {"json", NULL, NULL, "print the files and the key's fingerprint as one JSON object", false},
};

static int cmd_keygen(int argc, char **argv);

const struct cli_cmd cli_cmd_bundle_keygen = {
    "bundle keygen",
    "",
    0,
    0,
    "make an Ed25519 key pair for signing session bundles",
    "Writes NAME.secret (the signing key, mode 0600: keep it on the exporting machine) and\n"
    "NAME.pub (one line, \"shenliao-ed25519 <base64>\": give it to the importing side, which\n"
    "names it with `bundle import --trust`). Refuses to overwrite either file.\n",
    keygen_opts,
    ARRAY_LEN(keygen_opts),
    cmd_keygen,
};

static int cmd_keygen(int argc, char **argv)
{
	struct bundle_key k;
	struct cli_args a;
	struct verr e;
	const char *base;
	int rc;

	rc = cli_parse(argc, argv, 1, &cli_cmd_bundle_keygen, &a);
	if (rc >= 0)
		return rc;
	base = cli_arg(&a, "out");
	memset(&e, 0, sizeof(e));
	rc = bundle_keygen(base, &k, &e);
	if (rc)
		return refusal(&e, "cannot make the key pair");
	sodium_memzero(k.sk, sizeof(k.sk));
	if (a.json) {
		char sec[512], pub[512];

		snprintf(sec, sizeof(sec), "%s.secret", base);
		snprintf(pub, sizeof(pub), "%s.pub", base);
		return cli_json_out(json_pack("{s:s,s:s,s:s}", "secret", sec, "public", pub,
					      "fingerprint", k.fingerprint));
	}
	printf("密钥已生成 / key pair written: %s.secret (keep it secret), %s.pub (fingerprint "
	       "%s)\n",
	       base, base, k.fingerprint);
	return EXIT_OK;
}

static json_t *counts_json(const struct bundle_report *r, bool import)
{
	json_t *o = json_object();
	int k;

	for (k = 0; o && k < BK_NKINDS; k++) {
		const char *name = bundle_kind_name((enum bundle_kind)k);

		if (!import)
			json_object_set_new(o, name, json_integer(r->count[k]));
		else
			json_object_set_new(o, name,
					    json_pack("{s:I,s:I,s:I,s:I,s:I}", "in_bundle",
						      (json_int_t)r->count[k], "added",
						      (json_int_t)r->added[k], "merged",
						      (json_int_t)r->merged[k], "updated",
						      (json_int_t)r->updated[k], "unchanged",
						      (json_int_t)r->unchanged[k]));
	}
	return o;
}

static const struct cli_opt export_opts[] = {
    {"db", "FILE", NULL, "the database the session is in", true},
    {"session", "ID", NULL, "the session's id", true},
    {"key", "NAME.secret", NULL, "the signing key (from `bundle keygen`)", true},
    {"out", "FILE", NULL, "the bundle to write (must not exist)", true},
    {"json", NULL, NULL, "print what was written as one JSON object", false},
};

static int cmd_export(int argc, char **argv);

const struct cli_cmd cli_cmd_bundle_export = {
    "bundle export",
    "",
    0,
    0,
    "write one session and its record to a signed bundle file",
    "Writes the session with its topic, invitations and attendance (people with their\n"
    "registry fields), remarks, agreed points and differences, commitments, suggestions with\n"
    "their sources, the room's statements and votes (participants only as keyed hashes)\n"
    "and the opinion snapshot, plus a manifest (format, source body, counts, SHA-256 of the\n"
    "content), signed with the key. The export is audited (bundle.export).\n",
    export_opts,
    ARRAY_LEN(export_opts),
    cmd_export,
};

static int cmd_export(int argc, char **argv)
{
	struct bundle_report r;
	struct bundle_key k;
	struct cli_args a;
	struct verr e;
	struct db *db;
	const char *sid = NULL;
	int64_t id;
	int rc;

	rc = cli_parse(argc, argv, 1, &cli_cmd_bundle_export, &a);
	if (rc >= 0)
		return rc;
	sid = cli_arg(&a, "session");
	if (num_parse(sid, strlen(sid), 1, INT64_MAX, &id))
		return cli_usage(&cli_cmd_bundle_export,
				 "--session takes a session's id (a number)");
	memset(&e, 0, sizeof(e));
	rc = bundle_key_load(cli_arg(&a, "key"), &k, &e);
	if (!rc && !k.has_secret)
		return cli_fail(
		    "%s 是公钥；导出需要 .secret 私钥（%s is a public key; exporting needs "
		    "the .secret file）",
		    cli_arg(&a, "key"), cli_arg(&a, "key"));
	if (rc)
		return refusal(&e, "cannot read the key");
	db = cli_open_db(cli_arg(&a, "db"));
	if (!db) {
		sodium_memzero(&k, sizeof(k));
		return EXIT_FAIL;
	}
	rc = bundle_export(db, id, &k, cli_arg(&a, "out"), &r, &e);
	sodium_memzero(&k, sizeof(k));
	store_close(db);
	if (rc)
		return refusal(&e, "cannot export the session (see the log above)");
	if (a.json)
		return cli_json_out(json_pack(
		    "{s:s,s:I,s:s,s:s,s:s,s:I,s:o}", "file", cli_arg(&a, "out"), "session",
		    (json_int_t)id, "session_uid", r.session_uid, "sha256", r.sha256, "key",
		    r.fingerprint, "bytes", (json_int_t)r.bytes, "counts", counts_json(&r, false)));
	printf("已导出 / exported session %lld to %s (%zu bytes, SHA-256 %s, key %s): "
	       "%lld people, %lld invitations, %lld remarks, %lld points, %lld commitments, "
	       "%lld suggestions, %lld statements, %lld votes\n",
	       (long long)id, cli_arg(&a, "out"), r.bytes, r.sha256, r.fingerprint,
	       (long long)r.count[BK_PERSON], (long long)r.count[BK_INVITATION],
	       (long long)r.count[BK_REMARK], (long long)r.count[BK_POINT],
	       (long long)r.count[BK_COMMITMENT], (long long)r.count[BK_SUGGESTION],
	       (long long)r.count[BK_STATEMENT], (long long)r.count[BK_VOTE]);
	return EXIT_OK;
}

static const struct cli_opt import_opts[] = {
    {"db", "FILE", NULL, "the database to import into", true},
    {"trust", "NAME.pub", NULL, "the public key the bundle must be signed with", true},
    {"json", NULL, NULL, "print the counts as one JSON object", false},
};

static int cmd_import(int argc, char **argv);

const struct cli_cmd cli_cmd_bundle_import = {
    "bundle import",
    "FILE",
    1,
    1,
    "import a signed session bundle (idempotent)",
    "Checks that FILE is signed with the trusted key before reading anything else; a changed\n"
    "file or another key is refused (exit 1, nothing imported). The session goes to the body\n"
    "with the source's slug (refused when this database has none); people are merged with\n"
    "the registry by ID-card hash, phone, or name and affiliation. Importing a bundle again\n"
    "adds nothing; a later bundle of the same session adds only what is new. One\n"
    "transaction, audited (bundle.import: file, SHA-256, key, counts).\n",
    import_opts,
    ARRAY_LEN(import_opts),
    cmd_import,
};

static int cmd_import(int argc, char **argv)
{
	struct bundle_report r;
	struct bundle_key k;
	struct cli_args a;
	struct verr e;
	struct db *db;
	int64_t added = 0, unchanged = 0, merged = 0, updated = 0;
	int rc, i;

	rc = cli_parse(argc, argv, 1, &cli_cmd_bundle_import, &a);
	if (rc >= 0)
		return rc;
	memset(&e, 0, sizeof(e));
	rc = bundle_key_load(cli_arg(&a, "trust"), &k, &e);
	if (rc)
		return refusal(&e, "cannot read the trusted key");
	if (k.has_secret) {
		sodium_memzero(&k, sizeof(k));
		return cli_fail(
		    "--trust 须是公钥 .pub 文件，私钥不应离开导出的机器（--trust takes the "
		    ".pub file; the .secret key stays on the exporting machine）");
	}
	db = cli_open_db(cli_arg(&a, "db"));
	if (!db)
		return EXIT_FAIL;
	rc = bundle_import(db, a.pos[0], &k, &r, &e);
	store_close(db);
	if (rc)
		return refusal(&e, "cannot import the bundle (see the log above)");
	for (i = 0; i < BK_NKINDS; i++) {
		added += r.added[i];
		unchanged += r.unchanged[i];
		merged += r.merged[i];
		updated += r.updated[i];
	}
	if (a.json)
		return cli_json_out(json_pack(
		    "{s:s,s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:b,s:o}", "file", a.pos[0],
		    "session", (json_int_t)r.session_id, "session_uid", r.session_uid, "source",
		    r.source_slug, "sha256", r.sha256, "key", r.fingerprint, "added",
		    (json_int_t)added, "merged", (json_int_t)merged, "updated", (json_int_t)updated,
		    "unchanged", (json_int_t)unchanged, "snapshot_recomputed",
		    r.snapshot_recomputed, "counts", counts_json(&r, true)));
	printf("已导入 / imported %s into session %lld of %s (key %s): added %lld, merged %lld, "
	       "updated %lld, unchanged %lld\n",
	       a.pos[0], (long long)r.session_id, r.source_slug, r.fingerprint, (long long)added,
	       (long long)merged, (long long)updated, (long long)unchanged);
	return EXIT_OK;
}
