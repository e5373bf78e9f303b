/*
 * audit.c - `shenliao audit verify --db FILE`: walks the audit log's hash chain (see
 * src/model/audit.c) and says whether it holds, or which row is the first that does not.
 *
 * Exit status: 0 the chain is intact; 1 it is not (the first row at fault is named);
 * 2 the check could not run (no such file, not a shenliao database, wrong usage). The
 * database is opened as it is, never migrated or written, so it may be a copy under
 * examination or the file a server is using.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/model.h"
#include "model/store.h"

static const struct cli_opt verify_opts[] = {
    {"db", "FILE", NULL, "the database whose audit log to check (may be in use)", true},
    {"anchor", "ID:HASH", NULL,
     "a row and its hash written down before (a head printed by verify): it must still be there",
     false},
    {"json", NULL, NULL, "print the finding as one JSON object (also when it fails)", false},
};

static int cmd_verify(int argc, char **argv);

const struct cli_cmd cli_cmd_audit_verify = {
    "audit verify",
    "",
    0,
    0,
    "check that the audit log is complete and unchanged",
    "Walks the audit log's hash chain: every row must hash to what it holds and link to the\n"
    "row before it. Exit 0 when intact; 1 naming the first row that does not match (content\n"
    "changed, link broken, row missing, not sealed); 2 when the check cannot run. The last\n"
    "row's id and hash are printed as ID:HASH: kept elsewhere and given back as --anchor, they\n"
    "show whether the newest rows were removed or the chain rewritten since.\n"
    "With --json the finding is printed on stdout for exit 0 and 1 alike.\n",
    verify_opts,
    ARRAY_LEN(verify_opts),
    cmd_verify,
};

/* fault_text: what went wrong, in Chinese and English. */
static void fault_text(enum audit_fault f, const char **zh, const char **en)
{
	switch (f) {
	case AUDIT_CONTENT_CHANGED:
		*zh = "内容被改动";
		*en = "content changed";
		break;
	case AUDIT_LINK_BROKEN:
		*zh = "与上一行的链接断开（上一行或更早的行被改动）";
		*en = "link broken (this row's link to the row before does not match)";
		break;
	case AUDIT_ROW_MISSING:
		*zh = "此前的行缺失";
		*en = "row missing before it";
		break;
	case AUDIT_NOT_SEALED:
		*zh = "没有哈希（未封存的行）";
		*en = "not sealed (no hash)";
		break;
	case AUDIT_ANCHOR_LOST:
		*zh = "锚定的行已不存在（最新的行被删除）";
		*en = "the anchored row is gone (the newest rows were removed)";
		break;
	case AUDIT_ANCHOR_CHANGED:
		*zh = "与锚定的哈希不同（日志被重写）";
		*en = "its hash is not the anchored one (the chain was rewritten)";
		break;
	default:
		*zh = "完整";
		*en = "intact";
	}
}

static int cmd_verify(int argc, char **argv)
{
	struct audit_check k;
	struct cli_args a;
	const char *path, *zh, *en, *anchor, *anchor_hash = NULL;
	int64_t anchor_id = 0;
	struct db *db;
	json_t *j;
	int rc;

	rc = cli_parse(argc, argv, 1, &cli_cmd_audit_verify, &a);
	if (rc >= 0)
		return rc;
	path = cli_arg(&a, "db");
	anchor = cli_arg(&a, "anchor");
	if (anchor) {
		const char *colon = strchr(anchor, ':');

		if (!colon ||
		    num_parse(anchor, (size_t)(colon - anchor), 1, INT64_MAX, &anchor_id) ||
		    strlen(colon + 1) != 64 || strspn(colon + 1, "0123456789abcdef") != 64)
			return cli_usage(&cli_cmd_audit_verify,
					 "--anchor takes ID:HASH, a row id and its 64 hex digits "
					 "as verify prints them");
		anchor_hash = colon + 1;
	}
	rc = store_open_existing(path, &db);
	if (rc == ERR_NOT_FOUND) {
		fprintf(stderr, "shenliao: 没有文件 %s / no such database file %s\n",
			cli_db_name(path), cli_db_name(path));
		return EXIT_USAGE;
	}
	if (!rc)
		rc = audit_verify(db, anchor_id, anchor_hash, &k);
	store_close(db);
	if (rc == ERR_INVALID) {
		fprintf(stderr,
			"shenliao: %s 不是 shenliao 数据库，或尚无审计链 / %s is not a shenliao "
			"database with an audit chain (%s; a database of an older version gets "
			"its chain when this shenliao opens it once, e.g. `shenliao serve`)\n",
			cli_db_name(path), cli_db_name(path), "no audit chain");
		return EXIT_USAGE;
	}
	if (rc) {
		fprintf(stderr,
			"shenliao: 无法读取 %s / cannot read %s as a database (is it a shenliao "
			"database?)\n",
			cli_db_name(path), cli_db_name(path));
		return EXIT_USAGE;
	}
	fault_text(k.fault, &zh, &en);
	if (a.json) {
		j = json_pack("{s:b, s:I, s:I, s:{s:I, s:s}}", "intact", k.fault == AUDIT_INTACT,
			      "rows", (json_int_t)k.rows, "redacted", (json_int_t)k.redacted,
			      "head", "id", (json_int_t)k.head_id, "hash", k.head_hash);
		if (j && k.fault != AUDIT_INTACT) {
			json_object_set_new(j, "row", json_integer(k.bad_id));
			json_object_set_new(j, "fault", json_string(audit_fault_name(k.fault)));
			json_object_set_new(j, "message_zh", json_string(zh));
			json_object_set_new(j, "message_en", json_string(en));
			if (k.fault == AUDIT_ROW_MISSING)
				json_object_set_new(j, "missing", json_integer(k.missing_id));
		}
		rc = cli_json_out(j);
		if (rc)
			return rc;
	}
	if (k.fault == AUDIT_INTACT) {
		if (!a.json)
			printf("审计日志完整：%lld 行 / audit log intact: %lld rows (head %lld:%s;"
			       " %lld before/after erased on record)\n",
			       (long long)k.rows, (long long)k.rows, (long long)k.head_id,
			       k.head_hash, (long long)k.redacted);
		return EXIT_OK;
	}
	if (k.fault == AUDIT_ROW_MISSING)
		fprintf(stderr,
			"shenliao: 审计日志第 %lld 行不符：%s（缺第 %lld 行起）/ audit row %lld "
			"does not match: %s (from row %lld); %lld rows before it are intact\n",
			(long long)k.bad_id, zh, (long long)k.missing_id, (long long)k.bad_id, en,
			(long long)k.missing_id, (long long)k.rows);
	else
		fprintf(stderr,
			"shenliao: 审计日志第 %lld 行不符：%s / audit row %lld does not match: %s; "
			"%lld rows before it are intact\n",
			(long long)k.bad_id, zh, (long long)k.bad_id, en, (long long)k.rows);
	return EXIT_FAIL;
}
