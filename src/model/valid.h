/*
 * valid.h - text checks shared by the model's entities (internal to src/model).
 */
#ifndef SHENLIAO_MODEL_VALID_H
#define SHENLIAO_MODEL_VALID_H

#include <stddef.h>

#include "model.h"

/* code_zh returns the Chinese word for code in namespace ns ("session", "topic", "output"
 * for states; "kind" for output kinds; "level" for body levels), for the model's Chinese
 * messages; code itself when unknown. Static strings; thread-safe. */
const char *code_zh(const char *ns, const char *code);

/* text_check validates s as UTF-8 without control characters (newlines and tabs allowed)
 * of min_chars..max_chars code points. ERR_INVALID with e filled naming field. */
int text_check(const char *s, const char *field, size_t min_chars, size_t max_chars,
	       struct verr *e) WARN_UNUSED;

/* copy_field copies the C string src into dst[cap]; ERR_TOO_BIG if it does not fit. */
int copy_field(char *dst, size_t cap, const char *src) WARN_UNUSED;

#endif
