/*
 * err.h - the one result enum of the project.
 *
 * Every fallible function returns int: ERR_OK (0) or one of the negative values below, and
 * gives its results through out-parameters. Callers thread the code upward with one cleanup
 * path ("goto fail"). Messages meant for people are carried separately (see struct verr in
 * model/valid.h); these codes are for control flow.
 */
#ifndef SHENLIAO_BASE_ERR_H
#define SHENLIAO_BASE_ERR_H

enum err {
	ERR_OK = 0,
	ERR_NOMEM = -1,	       /* allocation failed */
	ERR_TOO_BIG = -2,      /* a bounded buffer or limit would be exceeded */
	ERR_INVALID = -3,      /* input failed validation */
	ERR_NOT_FOUND = -4,    /* no such row / file / route, or not visible to the caller (404) */
	ERR_CONFLICT = -5,     /* state does not allow it (illegal transition, duplicate) */
	ERR_DB = -6,	       /* the database failed */
	ERR_IO = -7,	       /* the operating system failed */
	ERR_FORBIDDEN = -8,    /* signed in and may see the object, but may not do this (403) */
	ERR_EXISTS = -9,       /* refused to overwrite something that exists */
	ERR_AUTH = -10,	       /* not signed in, or credentials wrong (401 / sign-in page) */
	ERR_LIMIT = -11,       /* rate limited */
	ERR_UNSUPPORTED = -12, /* not possible on this backend (e.g. db_backup on PostgreSQL) */
};

/* err_name returns a static lower-case name for code, for logs ("nomem", "db"...). */
const char *err_name(int code);

#define WARN_UNUSED __attribute__((warn_unused_result))

#endif
