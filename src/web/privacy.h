/*
 * privacy.h - the web side of a person's rights over their data (model/privacy.h): the
 * export (GET /api/v1/people/{id}/export), erasure (DELETE /api/v1/people/{id}, and the
 * person page's confirmation form), and how an erased person's name is shown.
 */
#ifndef SHENLIAO_WEB_PRIVACY_H
#define SHENLIAO_WEB_PRIVACY_H

#include <jansson.h>

#include "model/person.h"
#include "model/privacy.h"
#include "web/web.h"

int h_api_person_export(struct web_ctx *c);
int h_api_person_erase(struct web_ctx *c);
int h_person_erase_page(struct web_ctx *c);
int h_person_erase_post(struct web_ctx *c);

/* web_person_name returns name as the reader sees it (new reference): the name an erasure
 * left ("已删除的参与者 #12") in the request's language ("Deleted participant #12"),
 * any other name as it is. */
json_t *web_person_name(const struct web_ctx *c, const char *name);

/* web_person_privacy adds to the person page's data what it shows of the person's rights:
 * can_export, can_erase (admins of the person's body or above; not once erased), erased,
 * and the person's name as the reader sees it (person.name). */
void web_person_privacy(struct web_ctx *c, const struct person *p, json_t *data);

#endif
