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

/* ics_time writes t as an iCalendar UTC DATE-TIME ("20240710T063000Z") into out[20]. */
static void ics_time(int64_t t, char *out)
{
	char iso[21];

	time_iso(t, iso);
	snprintf(out, 20, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", iso, iso + 5, iso + 8, iso + 11, iso + 14,
		 iso + 17);
}

/* The event: UID "session-ID@HOST" (unique per deployment: HOST is --public-url's), URL (the
 * session's page at the public URL), DTSTAMP (when this file was
 * made), LAST-MODIFIED (the session's last change) and SEQUENCE (how often its time, place,
 * title or state changed), so a calendar updates the event it has instead of adding one. */
int h_session_ics(struct web_ctx *c)
{
	struct session_head h;
	struct session s;
	struct buf *b = &c->resp->body;
	char host[256], now[20], modified[20], utc[20];
	int64_t seq = 0;
	int rc = session_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h);

	if (rc)
		return web_answer(c, rc, NULL);
	session_init(&s);
	rc = session_read(c->db, h.id, &s);
	if (!rc)
		rc = session_ics_sequence(c->db, h.id, &seq);
	if (rc) {
		session_release(&s);
		return web_fail(c, rc);
	}
	/* the UID names the deployment by its public URL's host, never by the Host header */
	web_public_host(host, sizeof(host));
	ics_time(time_now(), now);
	ics_time(s.updated_at, modified);
	rc = buf_printf(b,
			"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//shenliao//深聊 %s//ZH\r\n"
			"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
			"UID:session-%lld@%s\r\nDTSTAMP:%s\r\nLAST-MODIFIED:%s\r\n"
			"SEQUENCE:%lld\r\n",
			SHENLIAO_VERSION, (long long)h.id, host, now, modified, (long long)seq);
	for (int i = 0; !rc && i < 2; i++) {
		int64_t t = i ? s.ends_at : s.starts_at;

		if (!t)
			continue;
		ics_time(t, utc);
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
		rc = buf_printf(b, "\r\nURL:%s/sessions/%lld", web_options.public_url,
				(long long)h.id);
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
