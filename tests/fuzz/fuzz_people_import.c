/*
 * fuzz_people_import.c - the people import (person_import_csv in model/person.c) on any
 * file: encoding detection (UTF-8, UTF-8 with a byte order mark, UTF-16, GB18030), the
 * separator guess, the header in Chinese or English, every cell's validation and, when all
 * rows are good, the inserts, against a real migrated database inside a write transaction
 * that is rolled back after each input, as the web handler's would be on error. Seeds: CSV
 * files in UTF-8 and GB18030 (made with iconv), good and with each kind of problem.
 *
 * Invariants: the result is ERR_OK with every row imported, or ERR_INVALID with either a
 * problem of the whole file (a code and a message) or bad rows, at most max_listed of them
 * listed (a row may have several), each with a line inside the file; messages are valid UTF-8 (they
 * are shown).
 */
#include <string.h>

#include "base/log.h"
#include "base/utf8.h"
#include "fuzz.h"
#include "fuzz_db.h"
#include "model/person.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	fuzz_db_open();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct person_import imp;
	size_t i;
	int rc;

	if (size > ((size_t)1 << 20))
		return 0;
	memset(&imp, 0, sizeof(imp));
	imp.scope = &fdb.city;
	imp.default_org = fdb.city.id;
	imp.max_listed = 20;
	FUZZ_ASSERT(db_begin_write(fdb.db) == ERR_OK);
	rc = person_import_csv(fdb.db, &fdb.organizer, (const char *)data, size, &imp);
	db_rollback(fdb.db);
	FUZZ_ASSERT(rc == ERR_OK || rc == ERR_INVALID || rc == ERR_TOO_BIG);
	FUZZ_ASSERT(imp.nproblems == 0 || imp.problems);
	if (rc == ERR_OK) {
		FUZZ_ASSERT(!imp.file_err.code && imp.bad_rows == 0);
		FUZZ_ASSERT(imp.imported == imp.rows && imp.rows > 0);
	} else if (rc == ERR_INVALID) {
		FUZZ_ASSERT(imp.file_err.code || imp.bad_rows > 0);
	}
	if (imp.file_err.code) {
		FUZZ_ASSERT(utf8_valid(imp.file_err.zh, strlen(imp.file_err.zh)));
		FUZZ_ASSERT(utf8_valid(imp.file_err.en, strlen(imp.file_err.en)));
	}
	FUZZ_ASSERT(imp.nproblems <= imp.max_listed);
	FUZZ_ASSERT(imp.bad_rows > 0 || imp.nproblems == 0);
	for (i = 0; i < imp.nproblems; i++) {
		const struct person_import_problem *pr = &imp.problems[i];

		FUZZ_ASSERT(pr->line >= 1 && pr->line <= size + 1);
		FUZZ_ASSERT(utf8_valid(pr->zh, strlen(pr->zh)));
		FUZZ_ASSERT(utf8_valid(pr->en, strlen(pr->en)));
	}
	person_import_release(&imp);
	return 0;
}
