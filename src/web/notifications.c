/*
 * notifications.c - the caller's notifications: the API (list, read one, read all) and the
 * page /notifications. Only one's own: someone else's notification is 404, as if absent
 * (notify_mark_read finds only the caller's). The unread count in every signed-in page's
 * header is added by web_render (respond.c) with notify_unread.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/notify.h"
#include "web/json_notify.h"

/* read_page reads one page of the caller's notifications (limit and cursor of the query)
 * into *items (new array) with *next (the cursor of the next page, 0 on the last) and
 * *unread; for the page (page true) each with "when", its time for people to read.
 * Answers the request itself when it fails. */
static int read_page(struct web_ctx *c, bool page, json_t **items, int64_t *next, int64_t *unread)
{
	struct notification_list l;
	int64_t before;
	size_t i;
	int limit, rc;

	*items = NULL;
	*next = 0;
	rc = web_page(c, &limit, &before);
	if (rc)
		return rc;
	rc = notify_list(c->db, &c->actor, before, limit + 1, &l);
	if (!rc)
		rc = notify_unread(c->db, &c->actor, unread);
	if (rc) {
		notification_list_release(&l);
		return web_fail(c, rc), rc;
	}
	*items = json_array();
	rc = *items ? ERR_OK : ERR_NOMEM;
	for (i = 0; !rc && i < l.n && i < (size_t)limit; i++) {
		json_t *j = notification_to_json(&l.items[i], c->lang);
		char when[32];

		if (j && page) {
			time_fmt(l.items[i].created_at, "%Y-%m-%d %H:%M", when, sizeof(when));
			json_object_set_new(j, "when", json_string(when));
		}
		if (json_array_append_new(*items, j))
			rc = ERR_NOMEM;
	}
	if (l.n > (size_t)limit)
		*next = l.items[limit - 1].id;
	notification_list_release(&l);
	if (rc) {
		json_decref(*items);
		*items = NULL;
		return web_fail(c, rc), rc;
	}
	return ERR_OK;
}

int h_api_notifications_list(struct web_ctx *c)
{
	json_t *items, *nx;
	int64_t next, unread;
	char cur[24];

	if (read_page(c, false, &items, &next, &unread))
		return 0; /* answered */
	snprintf(cur, sizeof(cur), "%lld", (long long)next);
	nx = next ? json_string(cur) : json_null();
	return web_json(
	    c, 200,
	    json_pack("{so so sI}", "items", items, "next", nx, "unread", (json_int_t)unread));
}

/* mark marks notification id (0: all) of the caller read in one transaction. */
static int mark(struct web_ctx *c, int64_t id)
{
	int rc = web_begin(c);

	if (rc)
		return rc;
	return web_finish(c, id ? notify_mark_read(c->db, &c->actor, id, time_now())
				: notify_mark_all_read(c->db, &c->actor, time_now(), NULL));
}

int h_api_notification_read(struct web_ctx *c)
{
	int64_t id = web_id(c, "id");
	int rc = id ? mark(c, id) : ERR_NOT_FOUND;

	return rc ? web_fail(c, rc) : web_no_content(c);
}

int h_api_notifications_read_all(struct web_ctx *c)
{
	int rc = mark(c, 0);

	return rc ? web_fail(c, rc) : web_no_content(c);
}

/* --- the page --- */

int h_notifications_page(struct web_ctx *c)
{
	json_t *items;
	int64_t next, unread;

	if (read_page(c, true, &items, &next, &unread))
		return 0;
	return web_render(c, 200, "notifications",
			  json_pack("{so sI sI sb}", "items", items, "next", (json_int_t)next,
				    "unread", (json_int_t)unread, "more", next != 0));
}

/* own_link copies the link of the caller's notification id into out (empty when it is not
 * theirs, or not a path of this site). */
static void own_link(struct web_ctx *c, int64_t id, char *out, size_t n)
{
	struct notification_list l;

	out[0] = '\0';
	if (notify_list(c->db, &c->actor, id + 1, 1, &l) != ERR_OK)
		return;
	if (l.n == 1 && l.items[0].id == id && l.items[0].link && l.items[0].link[0] == '/' &&
	    l.items[0].link[1] != '/' && l.items[0].link[1] != '\\')
		snprintf(out, n, "%s", l.items[0].link);
	notification_list_release(&l);
}

/* POST /notifications/{id}/read marks it read; with open=1 (the title's button on the
 * page) it then opens the notification's own link. */
int h_notification_read_post(struct web_ctx *c)
{
	int64_t id = web_id(c, "id");
	const char *open = web_field(c, "open", NULL);
	char link[512];
	int rc = id ? mark(c, id) : ERR_NOT_FOUND;

	if (rc)
		return web_fail(c, rc);
	if (open && strcmp(open, "1") == 0) {
		own_link(c, id, link, sizeof(link));
		if (link[0])
			return web_redirect(c, link);
	}
	return web_redirect(c, "/notifications");
}

int h_notifications_read_all_post(struct web_ctx *c)
{
	int rc = mark(c, 0);

	return rc ? web_fail(c, rc) : web_redirect(c, "/notifications");
}
