/*
 * json_notify.c - notifications as JSON, their titles made at read time (json_notify.h).
 */
#include "web/json_notify.h"

#include <stdio.h>
#include <string.h>

#include "view/view.h"
#include "web.h"

/* append copies n bytes of p to out at *len, stopping before a UTF-8 character that would
 * not fit (out is always terminated). */
static void append(char *out, size_t cap, size_t *len, const char *p, size_t n)
{
	size_t room = cap - 1 - *len;

	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
			n--; /* p[n] continues a character: cut before its start */
	}
	memcpy(out + *len, p, n);
	*len += n;
	out[*len] = '\0';
}

void notification_title(const struct notification *n, const char *lang, char *out, size_t cap)
{
	static const char mark[] = "{subject}";
	char key[48];
	const char *text, *at;
	size_t len = 0;

	if (!cap)
		return;
	out[0] = '\0';
	snprintf(key, sizeof(key), "notify_title_%s", n->kind);
	text = view_text(lang, key);
	at = strstr(text, mark);
	if (!at) {
		append(out, cap, &len, text, strlen(text));
		return;
	}
	append(out, cap, &len, text, (size_t)(at - text));
	append(out, cap, &len, n->subject, strlen(n->subject));
	at += sizeof(mark) - 1;
	append(out, cap, &len, at, strlen(at));
}

json_t *notification_to_json(const struct notification *n, const char *lang)
{
	char title[4096]; /* a subject of 500 characters of 4 bytes and the text around it */

	notification_title(n, lang, title, sizeof(title));
	return json_pack("{sI ss ss ss so sb}", "id", (json_int_t)n->id, "kind", n->kind, "title",
			 title, "link", n->link, "created_at", web_time_json(n->created_at), "read",
			 n->read);
}
