/*
 * lease.c - a named lease held by one process at a time (lease.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "model/lease.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "db/db.h"

/* Taken when there is no row, or the row's holder is ours (a renewal), or its time is up.
 * When the WHERE of the update fails nothing changes: db_changes is 0. */
static const char sql_take[] = "INSERT INTO lease (name, holder, expires_at) VALUES (?1, ?2, ?3)"
			       " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
			       " expires_at = excluded.expires_at"
			       " WHERE lease.holder = excluded.holder OR lease.expires_at <= ?4";
static const char sql_release[] = "DELETE FROM lease WHERE name = ? AND holder = ?";

int lease_take(struct db *db, const char *name, const char *holder, int64_t now, int64_t ttl_s)
{
	int rc;

	if (!name || !*name || !holder || !*holder || ttl_s <= 0)
		return ERR_INVALID;
	rc = db_exec(db, sql_take, "ssii", name, holder, now + ttl_s, now);
	if (rc)
		return rc;
	return db_changes(db) > 0 ? ERR_OK : ERR_CONFLICT;
}

int lease_release(struct db *db, const char *name, const char *holder)
{
	if (!name || !holder)
		return ERR_INVALID;
	return db_exec(db, sql_release, "ss", name, holder);
}

void lease_holder_make(char *out, size_t n)
{
	char host[64] = "", rnd[17];

	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	rand_token(8, rnd);
	if (snprintf(out, n, "%.40s:%ld:%s", host, (long)getpid(), rnd) >= (int)n && n)
		out[n - 1] = '\0';
}
