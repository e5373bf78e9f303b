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

/* load_catalog merges every embedded i18n/<lang>.json and i18n/<lang>-<part>.json (one
 * part per resource, so modules do not edit one shared file). A key defined twice is an
 * error. */
static json_t *load_catalog(const char *lang)
{
	const struct embed_file *f;
	json_error_t jerr;
	json_t *all = json_object(), *j, *v;
	char base[32], prefix[32];
	const char *key;
	int found = 0;

	snprintf(base, sizeof(base), "i18n/%s.json", lang);
	snprintf(prefix, sizeof(prefix), "i18n/%s-", lang);
	for (f = embed_files; f->name; f++) {
		size_t n = strlen(f->name);

		if (strcmp(f->name, base) != 0 && !(strncmp(f->name, prefix, strlen(prefix)) == 0 &&
						    n > 5 && strcmp(f->name + n - 5, ".json") == 0))
			continue;
		j = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &jerr);
		if (!j || !json_is_object(j)) {
			log_error("view: %s:%d: %s", f->name, jerr.line, jerr.text);
			goto fail;
		}
		json_object_foreach(j, key, v)
		{
			if (json_object_get(all, key)) {
				log_error("view: %s: key %s is defined twice", f->name, key);
				json_decref(j);
				goto fail;
			}
			json_object_set(all, key, v);
		}
		json_decref(j);
		found++;
	}
	if (!found) {
		log_error("view: no catalog for %s", lang);
		goto fail;
	}
	return all;
fail:
	json_decref(all);
	return NULL;
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
	cat_zh = load_catalog("zh");
	cat_en = load_catalog("en");
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
