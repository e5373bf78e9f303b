/*
 * rowjson.c - result rows to JSON objects (see rowjson.h).
 */
#include "rowjson.h"

#include <string.h>

#include "base/util.h"
#include "db/db.h"

json_t *row_json(struct db_stmt *st, const char *spec)
{
	json_t *o = json_object();
	const char *p = spec;
	int col = 0;

	while (*p) {
		char type, name[48];
		size_t n;
		json_t *v = NULL;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		type = *p;
		p += 2; /* "x:" */
		n = strcspn(p, " ");
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		switch (type) {
		case 'i':
			v = json_integer(db_col_int(st, col));
			break;
		case 'n':
			v = db_col_null(st, col) || db_col_int(st, col) == 0
				? json_null()
				: json_integer(db_col_int(st, col));
			break;
		case 's':
			v = json_stringn(db_col_text(st, col), db_col_len(st, col));
			break;
		case 't':
			if (db_col_null(st, col)) {
				v = json_null();
			} else {
				char t[26];

				time_local(db_col_int(st, col), t);
				v = json_string(t);
			}
			break;
		case 'b':
			v = json_boolean(db_col_int(st, col) != 0);
			break;
		case 'd':
			v = json_real(db_col_double(st, col));
			break;
		case 'j':
			v = db_col_len(st, col)
				? json_loadb(db_col_text(st, col), db_col_len(st, col), 0, NULL)
				: NULL;
			if (!v)
				v = json_null();
			break;
		}
		if (v && strcmp(name, "_") != 0)
			json_object_set_new(o, name, v);
		else
			json_decref(v);
		col++;
	}
	return o;
}

int rows_json_row(struct db_stmt *st, void *ud)
{
	struct rows_json *acc = ud;

	json_array_append_new(acc->arr, row_json(st, acc->spec));
	return ERR_OK;
}

int rows_json_by_id(struct db *db, const char *sql, int64_t id, const char *spec, json_t *arr)
{
	struct rows_json acc = {spec, arr};

	return db_each(db, sql, rows_json_row, &acc, "i", id);
}
