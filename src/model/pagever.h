/*
 * pagever.h - the versions of the public pages: what a cached page for signed-out visitors
 * (web/pagecache.c) is checked against before it is served again.
 *
 * Triggers (migrations/0022_page_version.sql) bump them in the transaction of every write to
 * a row that shows on a public page, in whatever process writes, so several serve processes
 * on one database see each other's changes: a session's own version (its row, linked
 * bodies, invitations, remarks, commitments, points, suggestions with their proposers and
 * sources), the shared generation (bodies, topics, people: shown on many pages) and the list
 * generation (any session added, changed or removed). One read gives all three.
 *
 * Threads: the functions use the connection they are given (one per thread, db.h).
 */
#ifndef SHENLIAO_MODEL_PAGEVER_H
#define SHENLIAO_MODEL_PAGEVER_H

#include <stdint.h>

#include "base/err.h"

struct db;

struct page_version {
	int64_t session; /* the session's own version (0 before its first change) */
	int64_t shared;	 /* bodies, topics, people */
	int64_t lists;	 /* sessions added, changed, removed */
};

/* page_version_read reads the versions for session_id (0: no session, v->session is 0) in
 * one statement (three primary-key lookups). ERR_DB when the database cannot answer. */
int page_version_read(struct db *db, int64_t session_id, struct page_version *v) WARN_UNUSED;

#endif
