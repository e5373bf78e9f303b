/*
 * view.c - compiled templates and catalogs (see view.h).
 */
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/embed.h"
#include "base/log.h"
#include "view/mustache.h"

#define VIEW_MAX 128

struct view_tpl {
	char name[64];
	struct mustache *m;
};

static struct view_tpl tpls[VIEW_MAX];
static int ntpls;
static json_t *cat_zh, *cat_en;

static const char tpl_dir[] = "templates/";
static const char tpl_ext[] = ".mustache";

/* lookup resolves a partial or parent name to its compiled template. */
static const struct mustache *lookup(void *ud, const char *name, size_t n)
{
	int i;
	(void)ud;

	for (i = 0; i < ntpls; i++)
		if (strlen(tpls[i].name) == n && memcmp(tpls[i].name, name, n) == 0)
			return tpls[i].m;
	return NULL;
}

static json_t *load_catalog(const char *name)
{
	const struct embed_file *f = embed_find(name, strlen(name));
	json_error_t jerr;
	json_t *j;

	if (!f) {
		log_error("view: catalog %s missing", name);
		return NULL;
	}
	j = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j || !json_is_object(j)) {
		log_error("view: %s:%d: %s", name, jerr.line, jerr.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

int view_init(void)
{
	const struct embed_file *f;
	struct mustache_error merr;
	size_t dl = strlen(tpl_dir), el = strlen(tpl_ext);

	for (f = embed_files; f->name; f++) {
		size_t n = strlen(f->name);
		struct view_tpl *t;

		if (strncmp(f->name, tpl_dir, dl) != 0 || n < dl + el ||
		    strcmp(f->name + n - el, tpl_ext) != 0)
			continue;
		if (ntpls == VIEW_MAX || n - dl - el >= sizeof(t->name))
			return ERR_TOO_BIG;
		t = &tpls[ntpls];
		memcpy(t->name, f->name + dl, n - dl - el);
		t->name[n - dl - el] = '\0';
		memset(&merr, 0, sizeof(merr));
		if (mustache_compile(f->data, f->len, &t->m, &merr)) {
			log_error("view: %s:%d: %s", f->name, merr.line, merr.message);
			return ERR_INVALID;
		}
		ntpls++;
	}
	cat_zh = load_catalog("i18n/zh.json");
	cat_en = load_catalog("i18n/en.json");
	if (!cat_zh || !cat_en)
		return ERR_INVALID;
	return ERR_OK;
}

void view_fini(void)
{
	int i;

	for (i = 0; i < ntpls; i++)
		mustache_free(tpls[i].m);
	ntpls = 0;
	json_decref(cat_zh);
	json_decref(cat_en);
	cat_zh = cat_en = NULL;
}

int view_render(const char *name, const json_t *ctx, struct buf *out)
{
	struct mustache_error merr;
	int i, rc;

	for (i = 0; i < ntpls; i++) {
		if (strcmp(tpls[i].name, name) != 0)
			continue;
		memset(&merr, 0, sizeof(merr));
		rc = mustache_render_lookup(tpls[i].m, ctx, lookup, NULL, out, &merr);
		if (rc)
			log_error("view: rendering %s failed: %s", name, merr.message);
		return rc;
	}
	log_error("view: no template %s", name);
	return ERR_NOT_FOUND;
}

const json_t *view_catalog(const char *lang)
{
	return lang && strcmp(lang, "en") == 0 ? cat_en : cat_zh;
}

const char *view_text(const char *lang, const char *key)
{
	const char *s = json_string_value(json_object_get(view_catalog(lang), key));

	return s ? s : key;
}
