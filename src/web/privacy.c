/*
 * privacy.c - a person's export and erasure over HTTP (see privacy.h).
 *
 * Both run in one write transaction: the export because it writes its audit row (who
 * exported whom), erasure because every change and its audit row go together or not at
 * all. Erasing twice answers 404 (code already_erased): there is nothing left to erase.
 */
#include "privacy.h"

#include <stdio.h>
#include <string.h>

#include "view/view.h"
#include "web/json_privacy.h"

json_t *web_person_name(const struct web_ctx *c, const char *name)
{
	int64_t id = person_erased_name_id(name);
	char buf[128];

	if (!id || strcmp(c->lang, "zh") == 0)
		return json_string(name);
	snprintf(buf, sizeof(buf), "%s #%lld", view_text(c->lang, "privacy_erased_name"),
		 (long long)id);
	return json_string(buf);
}

void web_person_privacy(struct web_ctx *c, const struct person *p, json_t *data)
{
	json_t *view = json_object_get(data, "person");
	bool erased = person_erased(c->db, p->id);

	json_object_set_new(
	    data, "can_export",
	    json_boolean(person_export_authorize(c->db, &c->actor, p->id, NULL, NULL) == ERR_OK));
	json_object_set_new(data, "can_erase",
			    json_boolean(!erased && person_erase_authorize(c->db, &c->actor, p->id,
									   NULL, NULL) == ERR_OK));
	json_object_set_new(data, "erased", json_boolean(erased));
	json_object_set_new(data, "erased_notice",
			    json_boolean(http_query(c->req, "erased") != NULL));
	if (view)
		json_object_set_new(view, "name", web_person_name(c, p->name));
}

/* --- the export --- */

int h_api_person_export(struct web_ctx *c)
{
	struct person_export x;
	int64_t id = web_id(c, "id");
	char cd[96];
	json_t *doc;
	int rc;

	rc = person_export_authorize(c->db, &c->actor, id, NULL, NULL);
	if (rc)
		return web_answer(c, rc, NULL);
	person_export_init(&x);
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, person_export_read(c->db, &c->actor, id, &x));
	if (rc) {
		person_export_release(&x);
		return web_answer(c, rc, NULL);
	}
	doc = person_export_to_json(&x);
	person_export_release(&x);
	if (!doc)
		return web_fail(c, ERR_NOMEM);
	rc = web_json(c, 200, doc);
	snprintf(cd, sizeof(cd), "attachment; filename=\"person-%lld-export.json\"", (long long)id);
	if (http_resp_header(c->resp, "Content-Disposition", cd))
		return web_fail(c, ERR_TOO_BIG);
	return rc;
}

/* --- erasure --- */

/* erase authorizes and erases person {id}: ERR_OK, or what to answer (e filled for a
 * conflict). *p gets the person as it was when it exists. */
static int erase(struct web_ctx *c, struct person *p, struct verr *e)
{
	int64_t id = web_id(c, "id");
	int rc;

	memset(e, 0, sizeof(*e));
	memset(p, 0, sizeof(*p));
	rc = person_erase_authorize(c->db, &c->actor, id, p, NULL);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, person_erase(c->db, &c->actor, id, NULL, e));
	return rc;
}

static int already_erased(struct web_ctx *c)
{
	return web_error(c, 404, "already_erased", NULL, "此人的个人信息已于此前删除",
			 "this person's personal data was erased before");
}

int h_api_person_erase(struct web_ctx *c)
{
	struct person p;
	struct verr e;
	int rc = erase(c, &p, &e);

	if (rc == ERR_NOT_FOUND && p.id && person_erased(c->db, p.id))
		return already_erased(c);
	if (rc)
		return web_answer(c, rc, &e);
	return web_no_content(c);
}

static int erase_page(struct web_ctx *c, int status, const struct person *p, const char *error)
{
	return web_render(c, status, "person_erase",
			  json_pack("{s{sI so} ss?}", "person", "id", (json_int_t)p->id, "name",
				    web_person_name(c, p->name), "error", error));
}

int h_person_erase_page(struct web_ctx *c)
{
	struct person p;
	int rc = person_erase_authorize(c->db, &c->actor, web_id(c, "id"), &p, NULL);
	char loc[64];

	if (rc)
		return web_answer(c, rc, NULL);
	if (person_erased(c->db, p.id)) {
		snprintf(loc, sizeof(loc), "/people/%lld", (long long)p.id);
		return web_redirect(c, loc);
	}
	return erase_page(c, 200, &p, NULL);
}

int h_person_erase_post(struct web_ctx *c)
{
	struct person p;
	struct verr e;
	char loc[64];
	int rc = erase(c, &p, &e);
	if (rc == ERR_CONFLICT && e.code)
		return erase_page(c, 409, &p, web_verr_text(c, &e));
	if (rc == ERR_NOT_FOUND && p.id && person_erased(c->db, p.id))
		rc = ERR_OK; /* erased already: the person page says so */
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/people/%lld?erased=1", (long long)p.id);
	return web_redirect(c, loc);
}
