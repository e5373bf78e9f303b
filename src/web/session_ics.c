/*
 * session_ics.c - a session as an iCalendar file (RFC 5545) for calendars.
 */
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* ics_text appends s to b escaped for iCalendar TEXT (RFC 5545 3.3.11). */
static int ics_text(struct buf *b, const char *s)
{
	int rc = ERR_OK;

	for (; !rc && *s; s++) {
		if (*s == '\\' || *s == ';' || *s == ',')
			rc = buf_putc(b, '\\') ? ERR_TOO_BIG : buf_putc(b, *s);
		else if (*s == '\n')
			rc = buf_puts(b, "\\n");
		else if (*s != '\r')
			rc = buf_putc(b, *s);
	}
	return rc;
}

int h_session_ics(struct web_ctx *c)
{
	struct session_head h;
	struct session s;
	struct buf *b = &c->resp->body;
	char stamp[21], utc[40];
	int rc = session_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h);

	if (rc)
		return web_answer(c, rc, NULL);
	session_init(&s);
	rc = session_read(c->db, h.id, &s);
	if (rc)
		return web_fail(c, rc);
	time_iso(time_now(), stamp);
	rc = buf_printf(b,
			"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//shenliao//深聊 %s//ZH\r\n"
			"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
			"UID:session-%lld@shenliao\r\nDTSTAMP:%.4s%.2s%.2sT%.2s%.2s%.2sZ\r\n",
			SHENLIAO_VERSION, (long long)h.id, stamp, stamp + 5, stamp + 8, stamp + 11,
			stamp + 14, stamp + 17);
	for (int i = 0; !rc && i < 2; i++) {
		int64_t t = i ? s.ends_at : s.starts_at;

		if (!t)
			continue;
		time_iso(t, stamp);
		snprintf(utc, sizeof(utc), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", stamp, stamp + 5,
			 stamp + 8, stamp + 11, stamp + 14, stamp + 17);
		rc = buf_printf(b, "%s:%s\r\n", i ? "DTEND" : "DTSTART", utc);
	}
	if (!rc)
		rc = buf_puts(b, "SUMMARY:");
	if (!rc)
		rc = ics_text(b, s.title);
	if (!rc)
		rc = buf_puts(b, "\r\nLOCATION:");
	if (!rc)
		rc = ics_text(b, s.venue);
	if (!rc)
		rc = buf_puts(b, "\r\nDESCRIPTION:");
	if (!rc)
		rc = ics_text(b, s.topic_title);
	if (!rc)
		rc = buf_printf(b, "\r\nSTATUS:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
				strcmp(h.status, "draft") == 0 ? "TENTATIVE" : "CONFIRMED");
	session_release(&s);
	if (rc)
		return web_fail(c, rc);
	c->resp->status = 200;
	c->resp->content_type = "text/calendar; charset=utf-8";
	{
		char disp[80];

		snprintf(disp, sizeof(disp), "attachment; filename=\"session-%lld.ics\"",
			 (long long)h.id);
		rc = http_resp_header(c->resp, "Content-Disposition", disp);
	}
	if (rc)
		return web_fail(c, ERR_TOO_BIG);
	return 0;
}
