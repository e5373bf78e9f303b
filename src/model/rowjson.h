/*
 * rowjson.h - turning a result row into a JSON object by a column spec, so each entity's
 * reader is one line instead of twenty (internal to src/model).
 */
#ifndef SHENLIAO_MODEL_ROWJSON_H
#define SHENLIAO_MODEL_ROWJSON_H

#include <jansson.h>

#include "db/db.h"

/* row_json returns a new object from the current row of st. spec lists the columns in
 * order as "type:name" separated by spaces; types: i integer, n integer or null (NULL or
 * 0), s text, t time (UTC seconds -> "YYYY-MM-DDTHH:MM:SS+08:00", or null), b boolean,
 * d real, j JSON text (parsed; null when empty). A name of "_" skips the column. */
json_t *row_json(struct db_stmt *st, const char *spec);

/* rows_json_row is a db_each callback appending row_json(st, spec) of each row to arr. */
struct rows_json {
	const char *spec;
	json_t *arr;
};
int rows_json_row(struct db_stmt *st, void *ud);

/* rows_json_by_id runs sql with id as its one parameter and appends its rows to arr;
 * ERR_OK or the error (arr keeps what was read). */
int rows_json_by_id(struct db *db, const char *sql, int64_t id, const char *spec, json_t *arr);

#endif
