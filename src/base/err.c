/*
 * err.c - names for the project's result codes, for logs.
 */
#include "err.h"

const char *err_name(int code)
{
	switch (code) {
	case ERR_OK:
		return "ok";
	case ERR_NOMEM:
		return "nomem";
	case ERR_TOO_BIG:
		return "too_big";
	case ERR_INVALID:
		return "invalid";
	case ERR_NOT_FOUND:
		return "not_found";
	case ERR_CONFLICT:
		return "conflict";
	case ERR_DB:
		return "db";
	case ERR_IO:
		return "io";
	case ERR_FORBIDDEN:
		return "forbidden";
	case ERR_EXISTS:
		return "exists";
	case ERR_AUTH:
		return "auth";
	case ERR_LIMIT:
		return "limit";
	case ERR_UNSUPPORTED:
		return "unsupported";
	}
	return "unknown";
}
