/*
 * view.h - pages from Mustache templates, and the UI's words in Chinese and English.
 *
 * Templates (templates/NAME.mustache) and catalogs (i18n/zh.json, i18n/en.json) are
 * embedded in the binary; view_init compiles and loads them once, after which everything
 * here is read-only and safe to call from any thread.
 */
#ifndef SHENLIAO_VIEW_VIEW_H
#define SHENLIAO_VIEW_VIEW_H

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

/* view_init compiles every embedded template and loads the catalogs. Call once at start. */
int view_init(void) WARN_UNUSED;
void view_fini(void);

/* view_render renders template name ("login") with ctx into out. ERR_NOT_FOUND for an
 * unknown template. */
int view_render(const char *name, const json_t *ctx, struct buf *out) WARN_UNUSED;

/* view_catalog returns the catalog object for lang ("zh" or "en"; anything else gives
 * "zh"), borrowed. view_text returns one entry, or key itself when missing. */
const json_t *view_catalog(const char *lang);
const char *view_text(const char *lang, const char *key);

#endif
