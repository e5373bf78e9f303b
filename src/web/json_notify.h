/*
 * json_notify.h - the one place a notification becomes JSON, for the API and the
 * notifications page alike. Its title is made here, when it is read, in the reader's
 * language: the catalog's "notify_title_<kind>" with {subject} replaced by the subject.
 */
#ifndef SHENLIAO_WEB_JSON_NOTIFY_H
#define SHENLIAO_WEB_JSON_NOTIFY_H

#include <jansson.h>

#include "model/notify.h"

/* notification_to_json returns a new object {id, kind, title, link, created_at, read} for
 * n, the title in lang ("zh" or "en"). NULL when out of memory. */
json_t *notification_to_json(const struct notification *n, const char *lang);

/* notification_title writes n's title in lang into out (cap bytes, cut at a UTF-8
 * character boundary when it does not fit). */
void notification_title(const struct notification *n, const char *lang, char *out, size_t cap);

#endif
