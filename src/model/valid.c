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

/* The Chinese names of the fields the model checks, for its Chinese messages (which are
 * shown on the pages: "请填写标题", not "请填写 title"). A field not listed is named by its
 * code. The English messages keep the code, which is also the API's field name. */
static const struct {
	const char *field, *zh;
} field_zh[] = {
    {"title", "标题"},
    {"body", "正文"},
    {"note", "备注"},
    {"name", "名称"},
    {"version", "版本"},
    {"venue", "地点"},
    {"text", "内容"},
    {"summary", "简介"},
    {"role", "身份"},
    {"reference", "文号"},
    {"proposer", "提出方"},
    {"password", "密码"},
    {"owner", "责任部门"},
    {"organizer_unit", "承办单位"},
    {"name_zh", "中文名称"},
    {"name_en", "英文名称"},
    {"link", "链接"},
    {"issuer", "发文或采纳单位"},
    {"handlers", "承办单位"},
    {"display_name", "姓名"},
    {"description", "说明"},
    {"department", "对口部门"},
    {"reason", "理由"},
    {"reply_text", "答复内容"},
    {"issue", "期号"},
    {"sent_to", "报送单位"},
    {"instruction_by", "批示领导"},
    {"instruction_text", "批示内容"},
    {"grade", "答复类别"},
    {"satisfaction", "评价"},
};

/* The Chinese words of the model's codes, for its Chinese messages (the pages' labels are
 * the catalogs' status_*, topic_status_*, ostate_*, kind_* and level keys; these say the
 * same). */
static const struct {
	const char *ns, *code, *zh;
} code_words[] = {
    {"session", "draft", "草稿"},
    {"session", "scheduled", "已安排"},
    {"session", "live", "进行中"},
    {"session", "closed", "已结束"},
    {"session", "archived", "已归档"},
    {"topic", "proposed", "已提出"},
    {"topic", "approved", "已通过"},
    {"topic", "scheduled", "已安排"},
    {"topic", "concluded", "已完成"},
    {"topic", "rejected", "未采用"},
    {"output", "draft", "草稿"},
    {"output", "submitted", "已提交"},
    {"output", "accepted", "已立案"},
    {"output", "not_accepted", "不予立案"},
    {"output", "assigned", "已交办"},
    {"output", "replied", "已答复"},
    {"output", "evaluated", "已评价"},
    {"output", "closed", "已办结"},
    {"output", "edited", "已编发"},
    {"output", "sent", "已报送"},
    {"output", "instructed", "已获批示"},
    {"output", "delivered", "已报送"},
    {"kind", "proposal", "提案"},
    {"kind", "opinion_report", "社情民意信息"},
    {"kind", "research_report", "调研报告"},
    {"kind", "speech", "大会发言"},
    {"kind", "special_report", "专报"},
    {"level", "national", "全国"},
    {"level", "province", "省级"},
    {"level", "city", "市级"},
    {"level", "district", "区级"},
};

const char *code_zh(const char *ns, const char *code)
{
	size_t i;

	for (i = 0; code && i < sizeof(code_words) / sizeof(code_words[0]); i++)
		if (strcmp(code_words[i].ns, ns) == 0 && strcmp(code_words[i].code, code) == 0)
			return code_words[i].zh;
	return code;
}

/* zh_name returns the Chinese name of field, or field itself. */
static const char *zh_name(const char *field)
{
	size_t i;

	for (i = 0; field && i < sizeof(field_zh) / sizeof(field_zh[0]); i++)
		if (strcmp(field_zh[i].field, field) == 0)
			return field_zh[i].zh;
	return field;
}

int verr_type(struct verr *e, const char *field, const char *type_zh, const char *type_en)
{
	if (!e)
		return ERR_INVALID;
	e->code = "invalid_type";
	e->field = field;
	snprintf(e->zh, sizeof(e->zh), "%s须为%s", zh_name(field), type_zh);
	snprintf(e->en, sizeof(e->en), "field %s must be %s", field, type_en);
	return ERR_INVALID;
}

/* space_len returns the length of the white space at s[0..n) (see text_blank), 0 if
 * none. */
static size_t space_len(const unsigned char *s, size_t n)
{
	unsigned cp;

	if (n >= 1 && (s[0] == ' ' || (s[0] >= 0x09 && s[0] <= 0x0d)))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2; /* U+0085, U+00A0 */
	if (n < 3 || (s[0] & 0xf0) != 0xe0)
		return 0;
	cp = ((unsigned)(s[0] & 0x0f) << 12) | ((unsigned)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200b) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000 || cp == 0xfeff)
		return 3;
	return 0;
}

bool text_blank(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = space_len((const unsigned char *)s + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* field_err fills e with code and field and the two messages already made (trimmed). */
static int field_err(struct verr *e, const char *code, const char *field)
{
	e->code = code;
	e->field = field;
	utf8_trim(e->zh);
	utf8_trim(e->en);
	return ERR_INVALID;
}

int text_check(const char *s, const char *field, size_t min_chars, size_t max_chars, struct verr *e)
{
	size_t n = strlen(s), chars, i;
	const char *zh = zh_name(field);

	if (!utf8_valid(s, n)) {
		if (!e)
			return ERR_INVALID;
		snprintf(e->zh, sizeof(e->zh), "%s不是有效的 UTF-8 文本", zh);
		snprintf(e->en, sizeof(e->en), "%s is not valid UTF-8 text", field);
		return field_err(e, "invalid_utf8", field);
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\r' && s[i] != '\t') {
			if (!e)
				return ERR_INVALID;
			snprintf(e->zh, sizeof(e->zh), "%s含有控制字符", zh);
			snprintf(e->en, sizeof(e->en), "%s contains control characters", field);
			return field_err(e, "invalid", field);
		}
	chars = utf8_count(s, n);
	if (min_chars >= 1 && chars >= 1 && text_blank(s, n)) {
		/* a required text of only spaces says nothing: as if it were not given */
		if (!e)
			return ERR_INVALID;
		snprintf(e->zh, sizeof(e->zh), "请填写%s（不能只有空格）", zh);
		snprintf(e->en, sizeof(e->en), "%s is required (not only white space)", field);
		return field_err(e, "required", field);
	}
	if (chars < min_chars) {
		if (!e)
			return ERR_INVALID;
		if (min_chars == 1) {
			snprintf(e->zh, sizeof(e->zh), "请填写%s", zh);
			snprintf(e->en, sizeof(e->en), "%s is required", field);
			return field_err(e, "required", field);
		}
		snprintf(e->zh, sizeof(e->zh), "%s至少需要 %zu 个字符", zh, min_chars);
		snprintf(e->en, sizeof(e->en), "%s needs at least %zu characters", field,
			 min_chars);
		return field_err(e, "too_short", field);
	}
	if (chars > max_chars) {
		if (!e)
			return ERR_INVALID;
		snprintf(e->zh, sizeof(e->zh), "%s最多 %zu 个字符（现在 %zu 个）", zh, max_chars,
			 chars);
		snprintf(e->en, sizeof(e->en), "%s may have at most %zu characters (it has %zu)",
			 field, max_chars, chars);
		return field_err(e, "too_long", field);
	}
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
