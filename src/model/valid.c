/*
 * valid.c - validation errors for people, and the text checks every entity shares.
 */
#include "model.h"
#include "valid.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

/* utf8_trim cuts s before a UTF-8 sequence that truncation left incomplete. */
static void utf8_trim(char *s)
{
	size_t n = strlen(s);

	while (n && !utf8_valid(s, n))
		s[--n] = '\0';
}

int verr_set(struct verr *e, const char *code, const char *field, const char *zh, const char *en,
	     ...)
{
	va_list ap;

	if (!e)
		return ERR_INVALID;
	e->code = code;
	e->field = field;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	va_start(ap, en);
	vsnprintf(e->zh, sizeof(e->zh), zh, ap);
	va_end(ap);
	va_start(ap, en);
	vsnprintf(e->en, sizeof(e->en), en, ap);
	va_end(ap);
#pragma GCC diagnostic pop
	utf8_trim(e->zh);
	utf8_trim(e->en);
	return ERR_INVALID;
}

int verr_type(struct verr *e, const char *field, const char *type_zh, const char *type_en)
{
	if (!e)
		return ERR_INVALID;
	e->code = "invalid_type";
	e->field = field;
	snprintf(e->zh, sizeof(e->zh), "字段 %s 须为%s", field, type_zh);
	snprintf(e->en, sizeof(e->en), "field %s must be %s", field, type_en);
	return ERR_INVALID;
}

int text_check(const char *s, const char *field, size_t min_chars, size_t max_chars, struct verr *e)
{
	size_t n = strlen(s), chars, i;

	if (!utf8_valid(s, n))
		return verr_set(e, "invalid_utf8", field, "%s 不是有效的 UTF-8 文本",
				"%s is not valid UTF-8 text", field);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\r' && s[i] != '\t')
			return verr_set(e, "invalid", field, "%s 含有控制字符",
					"%s contains control characters", field);
	chars = utf8_count(s, n);
	if (chars < min_chars)
		return min_chars == 1
			   ? verr_set(e, "required", field, "请填写 %s", "%s is required", field)
			   : verr_set(e, "too_short", field, "%s 至少需要 %zu 个字符",
				      "%s needs at least %zu characters", field, min_chars);
	if (chars > max_chars)
		return verr_set(e, "too_long", field, "%s 最多 %zu 个字符（现在 %zu 个）",
				"%s may have at most %zu characters (it has %zu)", field, max_chars,
				chars);
	return ERR_OK;
}

int copy_field(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		return ERR_TOO_BIG;
	memcpy(dst, src, n + 1);
	return ERR_OK;
}
