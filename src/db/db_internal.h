/*
 * db_internal.h - shared inside the SQLite driver only.
 */
#ifndef SHENLIAO_DB_INTERNAL_H
#define SHENLIAO_DB_INTERNAL_H

#include <sqlite3.h>

/* fts_cjk_register adds the "cjk" FTS5 tokenizer to connection h (fts_cjk.c). */
int fts_cjk_register(sqlite3 *h);

#endif
