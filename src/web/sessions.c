/*
 * sessions.c - deep-talk sessions (深聊会) themselves: the JSON API (list, create, read,
 * change, transition) and the pages (list by year, new/edit form, the session page with
 * the controls of those who run it).
 *
 * Who may do what: anyone may read a public session that is not a draft; people of the
 * session's body (and the bodies above it) and of its linked bodies may read an internal
 * one; organizers and admins of the session's body (or above) change it; once closed, its
 * record is read-only except for admins (model/session.c decides).
 */
#include "sessions.h"
#include "json_topic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/output.h"
#include "model/room.h"
#include "view/markdown.h"
#include "view/view.h"
#include "web/privacy.h"

/* read_time reads an optional time field into *out (-1 when absent, 0 when empty). */
static int read_time(struct web_ctx *c, const char *name, int64_t *out, struct verr *e)
{
	bool bad = false;
	const char *v = web_field(c, name, &bad);

	*out = -1;
	if (bad)
		return verr_type(e, name, "时间字符串", "a time string");
	if (!v)
		return ERR_OK;
	if (!*v) {
		*out = 0;
		return ERR_OK;
	}
	if (time_parse(v, out))
		return verr_set(e, "invalid", name,
				"%s 须为时间，如 2024-07-10T14:30（北京时间）或带时区的 ISO 8601",
				"%s must be a time such as 2024-07-10T14:30 (Beijing time) or ISO "
				"8601 with an offset",
				name);
	return ERR_OK;
}

/* read_session fills in from the request. linked receives the linked org ids. */
static int read_session(struct web_ctx *c, struct session_in *in, int64_t *linked, struct verr *e)
{
	static const char *const names[] = {"title",	      "summary",    "venue",
					    "organizer_unit", "department", "visibility"};
	const char **dst[] = {&in->title,	   &in->summary,    &in->venue,
			      &in->organizer_unit, &in->department, &in->visibility};
	const char *fmts[8];
	size_t i, n;
	bool present;
	int64_t v;
	int rc;

	session_in_init(in);
	if (web_form_check(c, e))
		return ERR_INVALID;
	for (i = 0; i < ARRAY_LEN(names); i++) {
		bool bad = false;

		*dst[i] = web_field(c, names[i], &bad);
		if (bad)
			return verr_type(e, names[i], "字符串", "a string");
	}
	if (web_int_field(c, "topic_id", &v, &present))
		return verr_type(e, "topic_id", "整数", "an integer");
	if (present)
		in->topic_id = v > 0 ? v : -1;
	rc = read_time(c, "starts_at", &in->starts_at, e);
	if (!rc)
		rc = read_time(c, "ends_at", &in->ends_at, e);
	if (rc)
		return rc;
	rc = web_list_field(c, "formats", fmts, ARRAY_LEN(fmts), &n, &present);
	if (rc)
		return verr_type(e, "formats", "形式名称的数组", "an array of format names");
	if (present) {
		in->formats = 0;
		for (i = 0; i < n; i++) {
			int f = format_parse(fmts[i]);

			if (!f)
				return verr_set(e, "invalid", "formats",
						"未知的形式“%s”（可选 expert、counterpart、sector、"
						"joint）",
						"unknown format '%s' (expert, counterpart, sector, "
						"joint)",
						fmts[i]);
			in->formats |= f;
		}
	}
	rc = web_id_list_field(c, "linked_org_ids", linked, MAX_LINKED, &n, &present);
	if (rc)
		return verr_type(e, "linked_org_ids", "组织编号的数组", "an array of org ids");
	if (present) {
		in->linked_orgs = linked;
		in->nlinked = n;
	}
	return ERR_OK;
}

bool sess_insider(const struct web_ctx *c, const char *org_path)
{
	const char *scope = scope_path(&c->actor);

	return c->actor.via != AUTH_NONE && strncmp(org_path, scope, strlen(scope)) == 0;
}

json_t *sess_json(struct web_ctx *c, int64_t id, bool detail)
{
	struct session s;
	struct session_record r;
	json_t *o = NULL;

	session_init(&s);
	session_record_init(&r);
	if (session_read(c->db, id, &s) == ERR_OK) {
		o = session_to_json(&s, true);
		if (detail && session_record_read(c->db, id, true, &r) == ERR_OK)
			session_record_to_json(c, o, &r, true);
		else if (detail)
			o = (json_decref(o), NULL);
	}
	session_record_release(&r);
	session_release(&s);
	return o;
}

int sess_answer(struct web_ctx *c, int status, int64_t id)
{
	json_t *s = sess_json(c, id, true);

	return s ? web_json(c, status, s) : web_fail(c, ERR_NOT_FOUND);
}

static int create_session(struct web_ctx *c, int64_t *id, struct verr *e)
{
	int64_t linked[MAX_LINKED], org_id = c->actor.org.id;
	struct session_in in;
	struct topic t;
	int rc;

	rc = read_session(c, &in, linked, e);
	if (rc)
		return rc;
	if (in.topic_id < 0)
		return verr_set(e, "invalid", "topic_id", "议题不存在", "no such topic");
	/* the session belongs to its topic's body: a topic the caller may plan sessions for
	 * (one they cannot see does not exist for them) */
	if (in.topic_id > 0) {
		rc = topic_authorize(c->db, &c->actor, in.topic_id, AUTHZ_MANAGE, &t);
		org_id = t.org_id;
		topic_release(&t);
		if (rc == ERR_NOT_FOUND)
			return verr_set(e, "invalid", "topic_id", "议题 %lld 不存在",
					"topic %lld does not exist", (long long)in.topic_id);
		if (rc)
			return rc;
	}
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, session_create(c->db, &c->actor, org_id, &in, id, e));
	return rc;
}

int h_api_sessions_list(struct web_ctx *c)
{
	struct session_filter f = {0};
	const char *y = http_query(c->req, "year");
	struct session *list;
	json_t *items;
	int64_t after, v, total;
	size_t i, n;
	int limit, rc;

	if (web_page(c, &limit, &after))
		return 0;
	if (y && num_parse(y, strlen(y), 1900, 9999, &v))
		return web_error(c, 400, "invalid", "year", "年份无效", "year is not valid");
	f.year = y ? (int)v : 0;
	f.domain = http_query(c->req, "domain");
	f.status = http_query(c->req, "status");
	f.public_only = c->actor.via == AUTH_NONE;
	rc = session_list_read(c->db, &c->actor, &f, after, limit + 1, &list, &n);
	if (rc)
		return web_fail(c, rc);
	items = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(items, session_to_json(&list[i], false));
	session_list_release(list, n);
	/* the public list's total comes from the kept counts (migration 0021); a signed-in
	 * caller's list (its bodies' sessions too) has none */
	if (!f.public_only || session_public_count(c->db, &f, &total))
		total = -1;
	return web_list_total(c, items, limit, total);
}

int h_api_sessions_create(struct web_ctx *c)
{
	struct verr e;
	int64_t id;
	int rc = create_session(c, &id, &e);

	return rc ? web_answer(c, rc, &e) : sess_answer(c, 201, id);
}

int h_api_session_get(struct web_ctx *c)
{
	struct session_head h;
	int rc = session_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h);

	return rc ? web_answer(c, rc, NULL) : sess_answer(c, 200, h.id);
}

int h_api_session_patch(struct web_ctx *c)
{
	int64_t linked[MAX_LINKED];
	struct session_head h;
	struct session_in in;
	struct verr e, why = {0};
	int parsed = read_session(c, &in, linked, &e), rc;

	if (!parsed && in.topic_id < 0)
		parsed = verr_set(&e, "invalid", "topic_id", "议题不存在", "no such topic");
	rc = session_authorize_change(c->db, &c->actor, web_id(c, "id"), &h, &why);
	if (rc)
		return web_answer_why(c, rc, &why);
	rc = session_record_check(&c->actor, &h, &e);
	if (!rc)
		rc = parsed;
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, session_update(c->db, &c->actor, h.id, &in, &e));
	return rc ? web_answer(c, rc, &e) : sess_answer(c, 200, h.id);
}

int sess_parse_transition(struct web_ctx *c, struct op_input *in, struct verr *e)
{
	return sess_str_field(c, "to", &in->to, e);
}

int sess_act_transition(struct web_ctx *c, const struct session_head *h, const struct op_input *in,
			int64_t *id, struct verr *e)
{
	*id = h->id;
	if (!in->to || !*in->to)
		return verr_set(e, "required", "to", "请指明目标状态（to）",
				"the target status (to) is required");
	return session_transition(c->db, &c->actor, h->id, in->to, e);
}

int h_api_session_transition(struct web_ctx *c)
{
	return sess_api_op(c, "transition");
}

static const char *const month_fmt = "%Y-%m-%d %H:%M";

void sess_when(int64_t t, char *out, size_t n)
{
	if (t)
		time_fmt(t, month_fmt, out, n);
	else
		snprintf(out, n, "%s", "");
}

void sess_label_formats(struct web_ctx *c, json_t *o, int formats)
{
	json_t *names = formats_json(formats), *labels = json_array(), *f;
	char key[48];
	size_t i;

	json_array_foreach(names, i, f)
	{
		snprintf(key, sizeof(key), "format_%s", json_string_value(f));
		json_array_append_new(labels, json_string(view_text(c->lang, key)));
	}
	json_decref(names);
	json_object_set_new(o, "format_labels", labels);
}

void sess_label(struct web_ctx *c, json_t *o, const char *field, const char *prefix,
		const char *out)
{
	const char *v = json_string_value(json_object_get(o, field));
	char key[96];

	snprintf(key, sizeof(key), "%s%s", prefix, v ? v : "");
	json_object_set_new(o, out, json_string(view_text(c->lang, key)));
}

enum { SESSIONS_PER_PAGE = 50 };

/* page_link gives the /sessions address of another page with the same filters: the page
 * after (or, before set, ending before) key, numbered page; key NULL: the first page. The
 * number only labels the page; the key says where it is (keyset paging). */
static json_t *page_link(const struct session_filter *f, const struct session_key *key, bool before,
			 int page)
{
	char url[256], k[48];
	int n = snprintf(url, sizeof(url), "/sessions?");

	if (key) {
		session_key_format(key, k, sizeof(k));
		n += snprintf(url + n, sizeof(url) - (size_t)n, "%s=%s&page=%d&",
			      before ? "before" : "after", k, page);
	}
	if (f->year)
		n += snprintf(url + n, sizeof(url) - (size_t)n, "year=%d&", f->year);
	if (f->domain &&
	    strspn(f->domain, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(f->domain) &&
	    strlen(f->domain) < 64)
		n += snprintf(url + n, sizeof(url) - (size_t)n, "domain=%s&", f->domain);
	url[n - 1] = '\0'; /* the last '&' or the '?' of the first page without filters */
	return json_string(url);
}

/* old_page_redirect answers an old "/sessions?page=N" address (before keyset paging) with a
 * redirect to the keyset address of the same page; page 1, or a page past the end, is
 * simply the first page. Returns 1 when it answered. */
static int old_page_redirect(struct web_ctx *c, const struct session_filter *f, int page)
{
	struct session_key key;
	json_t *url;
	int rc;

	if (page <= 1 ||
	    session_list_seek(c->db, &c->actor, f, (page - 1) * SESSIONS_PER_PAGE - 1, &key))
		return 0;
	url = page_link(f, &key, false, page);
	rc = web_redirect(c, json_string_value(url));
	json_decref(url);
	return rc == 0 ? 1 : rc;
}

int h_sessions_page(struct web_ctx *c)
{
	struct session_filter f = {0};
	const char *y = http_query(c->req, "year"), *d = http_query(c->req, "domain");
	const char *p = http_query(c->req, "page"), *after = http_query(c->req, "after");
	const char *before = http_query(c->req, "before");
	int page = 1;
	bool more, earlier;
	json_t *groups, *years, *sj, *g = NULL;
	json_t *domains, *dd;
	int64_t v, total = -1, cur_year = -1, now_year = time_year(time_now());
	struct session *list;
	struct session_key first = {0}, last = {0};
	size_t i, n, skip = 0;
	char date[32];

	if (y && *y && num_parse(y, strlen(y), 1900, 9999, &v) == ERR_OK)
		f.year = (int)v;
	f.domain = d && *d ? d : NULL;
	f.public_only = c->actor.via == AUTH_NONE;
	f.by_start = true;
	if (p && *p && num_parse(p, strlen(p), 1, 100000, &v) == ERR_OK)
		page = (int)v;
	/* after= / before= the key of a row (the links below); an unreadable one is the first
	 * page, as an unreadable page number always was */
	if (before && *before && session_key_parse(before, &f.key) == ERR_OK)
		f.has_key = f.before = true;
	else if (after && *after && session_key_parse(after, &f.key) == ERR_OK)
		f.has_key = true;
	else if (page > 1 && old_page_redirect(c, &f, page))
		return 0;
	if (!f.has_key)
		page = 1;
	/* one more than a page tells whether there is a next one (a previous one, going
	 * back) */
	if (session_list_read(c->db, &c->actor, &f, 0, SESSIONS_PER_PAGE + 1, &list, &n))
		return web_fail(c, ERR_DB);
	if (f.before) {
		earlier = n > SESSIONS_PER_PAGE;
		skip = earlier ? n - SESSIONS_PER_PAGE : 0;
		more = true;
	} else {
		earlier = f.has_key;
		more = n > SESSIONS_PER_PAGE;
	}
	if (f.before && !earlier)
		page = 1; /* back at the start, whatever the link said */
	if (n > skip) {
		first = (struct session_key){list[skip].starts_at, list[skip].id};
		i = n - skip > SESSIONS_PER_PAGE ? skip + SESSIONS_PER_PAGE - 1 : n - 1;
		last = (struct session_key){list[i].starts_at, list[i].id};
	} else {
		more = false;
	}
	/* the number of pages, for the public list, from the kept counts */
	if (f.public_only && session_public_count(c->db, &f, &total))
		total = -1;
	groups = json_array();
	years = json_array();
	/* newest first, grouped by year; undated sessions last */
	for (i = skip; i < n && i < skip + SESSIONS_PER_PAGE; i++) {
		const struct session *s = &list[i];
		json_int_t sy = s->starts_at ? time_year(s->starts_at) : 0;

		if (!g || sy != cur_year) {
			g = json_pack("{sI so}", "year", sy, "sessions", json_array());
			json_array_append_new(groups, g);
			cur_year = sy;
		}
		sj = session_to_json(s, false);
		sess_when(s->starts_at, date, sizeof(date));
		json_object_set_new(sj, "date", json_string(date));
		sess_label_formats(c, sj, s->formats);
		sess_label(c, sj, "domain", "domain_", "domain_label");
		sess_label(c, sj, "status", "status_", "status_label");
		json_array_append_new(json_object_get(g, "sessions"), sj);
	}
	session_list_release(list, n);
	for (v = now_year + 1; v >= 2020; v--)
		json_array_append_new(
		    years, json_pack("{sI sb}", "year", (json_int_t)v, "selected", f.year == v));
	domains = c->actor.via == AUTH_NONE ? json_array() : NULL;
	if (!domains) {
		struct domains dl = {0};

		domains = domain_list(c->db, &c->actor.org, &dl) ? NULL : domains_to_json(&dl);
		domains_release(&dl);
		if (!domains)
			domains = json_array();
	} else {
		static const char *const five[] = {"economy", "politics", "society", "culture",
						   "ecology"};

		for (i = 0; i < ARRAY_LEN(five); i++)
			json_array_append_new(domains, json_pack("{ss}", "code", five[i]));
	}
	json_array_foreach(domains, i, dd)
	{
		sess_label(c, dd, "code", "domain_", "label");
		json_object_set_new(
		    dd, "selected",
		    json_boolean(f.domain && strcmp(f.domain, json_string_value(json_object_get(
								  dd, "code"))) == 0));
	}
	return web_render(
	    c, 200, "sessions",
	    json_pack("{so so so sb so* so* sI so* sb}", "groups", groups, "years", years,
		      "domains", domains, "can_create", c->actor.role >= ROLE_ORGANIZER, "prev_url",
		      !earlier	  ? NULL
		      : page <= 2 ? page_link(&f, NULL, false, 1)
				  : page_link(&f, &first, true, page - 1),
		      "next_url", more ? page_link(&f, &last, false, page + 1) : NULL, "page",
		      (json_int_t)page, "pages",
		      total >= 0 ? json_integer((total + SESSIONS_PER_PAGE - 1) / SESSIONS_PER_PAGE)
				 : NULL,
		      "paged", earlier || more));
}

/* label_of is the catalog entry prefix + value in the request's language. */
static json_t *label_of(struct web_ctx *c, const char *prefix, const char *value)
{
	char key[96];

	snprintf(key, sizeof(key), "%s%s", prefix, value);
	return json_string(view_text(c->lang, key));
}

/* input_time gives the datetime-local form value of a time ("" when not set). */
static void input_time(int64_t t, char *out, size_t n)
{
	if (t)
		time_fmt(t, "%Y-%m-%dT%H:%M", out, n);
	else
		snprintf(out, n, "%s", "");
}

static int org_collect(const struct org *o, void *ud)
{
	return json_array_append_new(ud, org_to_json(o)) ? ERR_NOMEM : ERR_OK;
}

/* What the new/edit form shows: a stored session, or what was sent when it is shown again
 * with an error. Texts are borrowed (from the session or the request); NULL shows "". */
struct session_draft {
	int64_t id, topic_id, starts_at, ends_at; /* 0: none */
	const char *title, *summary, *venue, *organizer_unit, *department, *visibility;
	int formats;
	int64_t linked[MAX_LINKED];
	size_t nlinked;
};

static void draft_of_session(const struct session *s, struct session_draft *d)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	d->id = s->id;
	d->topic_id = s->topic_id;
	d->starts_at = s->starts_at;
	d->ends_at = s->ends_at;
	d->title = s->title;
	d->summary = s->summary;
	d->venue = s->venue;
	d->organizer_unit = s->organizer_unit;
	d->department = s->department;
	d->visibility = s->visibility;
	d->formats = s->formats;
	for (i = 0; i < s->nlinked && i < MAX_LINKED; i++)
		d->linked[d->nlinked++] = s->linked[i].id;
}

/* draft_from_request takes what was sent, leniently (what cannot be read is left out). */
static void draft_from_request(struct web_ctx *c, int64_t id, struct session_draft *d)
{
	const char **dst[] = {&d->title,	  &d->summary,	  &d->venue,
			      &d->organizer_unit, &d->department, &d->visibility};
	static const char *const names[] = {"title",	      "summary",    "venue",
					    "organizer_unit", "department", "visibility"};
	const char *vals[16];
	int64_t t;
	size_t i, n;
	bool present;

	memset(d, 0, sizeof(*d));
	d->id = id;
	for (i = 0; i < ARRAY_LEN(names); i++)
		*dst[i] = web_field(c, names[i], NULL);
	if (web_int_field(c, "topic_id", &t, &present) == ERR_OK && present)
		d->topic_id = t;
	if (web_list_field(c, "formats", vals, ARRAY_LEN(vals), &n, &present) == ERR_OK)
		for (i = 0; i < n; i++)
			d->formats |= format_parse(vals[i]);
	if (web_id_list_field(c, "linked_org_ids", d->linked, MAX_LINKED, &n, &present) == ERR_OK)
		d->nlinked = n;
	for (i = 0; i < 2; i++) {
		const char *v = web_field(c, i ? "ends_at" : "starts_at", NULL);

		if (v && *v && time_parse(v, &t) == ERR_OK)
			*(i ? &d->ends_at : &d->starts_at) = t;
	}
}

/* session_form renders the new/edit form for d; action is the form's target. */
static int session_form(struct web_ctx *c, int status, const struct session_draft *d,
			const char *action, const struct verr *e)
{
	const char *error = e ? web_verr_text(c, e) : NULL;
	static const int fmts[] = {FORMAT_EXPERT, FORMAT_COUNTERPART, FORMAT_SECTOR, FORMAT_JOINT};
	struct topic_filter tf = {0, NULL, NULL};
	struct topics all = {0};
	json_t *topics = json_array(), *orgs = json_array(), *formats, *x;
	json_t *sj, *names;
	char starts[32], ends[32];
	struct org root;
	size_t i, k;

	if (topic_list(c->db, &c->actor, &tf, 0, 2000, &all) == ERR_OK) {
		for (i = 0; i < all.n; i++) {
			const struct topic *tp = &all.v[i];

			if (tp->id != d->topic_id && strcmp(tp->status, "approved") != 0 &&
			    strcmp(tp->status, "scheduled") != 0)
				continue;
			x = topic_to_json(tp);
			json_object_set_new(x, "selected", json_boolean(tp->id == d->topic_id));
			json_array_append_new(topics, x);
		}
	}
	topics_release(&all);
	formats = json_array();
	names = formats_json(FORMAT_EXPERT | FORMAT_COUNTERPART | FORMAT_SECTOR | FORMAT_JOINT);
	for (i = 0; i < ARRAY_LEN(fmts); i++) {
		const char *code = json_string_value(json_array_get(names, i));

		json_array_append_new(formats, json_pack("{ss so sb}", "code", code, "label",
							 label_of(c, "format_", code), "checked",
							 (d->formats & fmts[i]) != 0));
	}
	json_decref(names);
	/* linked bodies: any body in the tree of the caller's top-most visible ancestor */
	if (org_get(c->db, c->actor.org.parent_id ? c->actor.org.parent_id : c->actor.org.id,
		    &root) == ERR_OK &&
	    org_list(c->db, &root, false, 0, 500, org_collect, orgs) == ERR_OK) {
		json_t *kept = json_array();

		json_array_foreach(orgs, i, x)
		{
			int64_t id = json_integer_value(json_object_get(x, "id"));
			bool on = false;

			if (id == c->actor.org.id)
				continue;
			for (k = 0; k < d->nlinked; k++)
				on |= d->linked[k] == id;
			json_object_set_new(x, "checked", json_boolean(on));
			json_array_append(kept, x);
		}
		json_decref(orgs);
		orgs = kept;
	}
	input_time(d->starts_at, starts, sizeof(starts));
	input_time(d->ends_at, ends, sizeof(ends));
	sj = json_pack("{ss ss ss ss ss}", "title", d->title ? d->title : "", "summary",
		       d->summary ? d->summary : "", "venue", d->venue ? d->venue : "",
		       "organizer_unit", d->organizer_unit ? d->organizer_unit : "", "department",
		       d->department ? d->department : "");
	if (d->id)
		json_object_set_new(sj, "id", json_integer(d->id));
	return web_render(
	    c, status, "session_form",
	    json_pack("{so so so so ss ss ss ss? sb so}", "session", sj, "topics", topics,
		      "formats", formats, "orgs", orgs, "starts_input", starts, "ends_input", ends,
		      "action", action, "error", error, "internal",
		      !d->visibility || strcmp(d->visibility, "public") != 0, "field_error",
		      e && e->field && error ? json_pack("{ss}", e->field, error) : json_object()));
}

int h_session_new(struct web_ctx *c)
{
	const char *tid = http_query(c->req, "topic_id");
	struct session_draft d;
	struct topic topic;
	int64_t t;
	int rc;

	memset(&topic, 0, sizeof(topic));
	memset(&d, 0, sizeof(d));
	d.visibility = "internal";
	if (tid && num_parse(tid, strlen(tid), 1, INT64_MAX, &t) == ERR_OK) {
		d.topic_id = t;
		/* the title only of a topic the caller may read */
		if (topic_authorize(c->db, &c->actor, t, AUTHZ_READ, &topic) == ERR_OK)
			d.title = topic.title;
	}
	rc = session_form(c, 200, &d, "/sessions", NULL);
	topic_release(&topic);
	return rc;
}

int h_sessions_post(struct web_ctx *c)
{
	struct verr e;
	char loc[64];
	int64_t id;
	int rc = create_session(c, &id, &e);

	if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
		struct session_draft d;

		draft_from_request(c, 0, &d);
		return session_form(c, 422, &d, "/sessions", &e);
	}
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/sessions/%lld", (long long)id);
	return web_redirect(c, loc);
}

static const char *const session_next[][3] = {
    {"draft", "scheduled", NULL},
    {"scheduled", "live", "draft"},
    {"live", "closed", NULL},
    {"closed", "archived", NULL},
};

/* remark_excerpt writes the first 90 bytes or so of body (whole characters, without the
 * Markdown marks) for the suggestion form's list of sources. */
static void remark_excerpt(const char *body, char *out, size_t cap)
{
	size_t n = strlen(body), cut = n < 90 ? n : 90, o = 0, k;

	while (cut < n && ((unsigned char)body[cut] & 0xC0) == 0x80)
		cut++;
	for (k = 0; k < cut && o + 4 < cap; k++)
		if (!strchr("*_#`>", body[k]))
			out[o++] = body[k] == '\n' ? ' ' : body[k];
	snprintf(out + o, cap - o, "%s", cut < n ? "…" : "");
}

/* fix_paths gives each object of list arr its "fix_path", /sessions/{id}/{kind}/{item}: where
 * the page's correction forms post (web/corrections.c). */
static void fix_paths(json_t *arr, int64_t session_id, const char *kind)
{
	char path[96];
	json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
	{
		snprintf(path, sizeof(path), "/sessions/%lld/%s/%lld", (long long)session_id, kind,
			 (long long)json_integer_value(json_object_get(x, "id")));
		json_object_set_new(x, "fix_path", json_string(path));
	}
}

/* mark_bodies gives each item of list arr added by another body than the session's own
 * (a linked body of a joint session) "by_linked", for the page's label naming the body; and,
 * for a linked body's editor (joint), "can_fix" false on what another body added, which
 * only its body may correct (record_item_authorize). */
static void mark_bodies(struct web_ctx *c, json_t *arr, const struct session_head *h, bool joint)
{
	json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
	{
		json_int_t by = json_integer_value(json_object_get(x, "org_id"));
		struct org o;
		bool own = false;

		json_object_set_new(x, "by_linked", json_boolean(by && by != h->org_id));
		if (!joint)
			continue;
		if (by && org_get(c->db, by, &o) == ERR_OK)
			own = org_path_within(o.path, scope_path(&c->actor));
		if (!own)
			json_object_set_new(x, "can_fix", json_false());
	}
}

/* page_record adds the record of session to the page's session object sj, with the labels
 * and controls the page shows; invitees gets who may be named as a speaker. A linked body's
 * editor of a joint session (joint) gets the controls for what it may do: record and correct
 * what its body adds, about its own people. */
static void page_record(struct web_ctx *c, const struct session_head *h,
			const struct session_record *r, bool with_remarks, json_t *sj,
			json_t *invitees, bool joint)
{
	bool edit = session_editable(&c->actor, h);
	bool open =
	    session_record_open(&c->actor, h) || (joint && session_record_state_open(&c->actor, h));
	bool draft = r->nsuggestions && c->actor.via != AUTH_NONE &&
		     output_authorize_draft_from(c->db, &c->actor, h->id) == ERR_OK;
	json_t *arr, *x;
	struct buf md;
	size_t i, k;

	session_record_to_json(c, sj, r, with_remarks);
	arr = json_object_get(sj, "invitations");
	for (i = 0; i < r->ninvitations; i++) {
		const struct invitation *v = &r->invitations[i];

		x = json_array_get(arr, i);
		json_object_set_new(x, "category_label", label_of(c, "cat_", v->category));
		json_object_set_new(x, "role_label", label_of(c, "role_", v->role));
		json_object_set_new(x, "rsvp_label", label_of(c, "rsvp_", v->rsvp));
		json_object_set_new(x, "session_id", json_integer(h->id));
		/* a linked body records only its own people */
		json_object_set_new(
		    x, "record_open",
		    json_boolean(open && (!joint ||
					  org_path_within(v->person_path, scope_path(&c->actor)))));
		json_object_set_new(x, "csrf", json_string(c->actor.csrf));
		if (person_erased_name_id(v->name) && json_is_string(json_object_get(x, "name")))
			json_object_set_new(x, "name", web_person_name(c, v->name));
		if (strcmp(v->rsvp, "declined") != 0 &&
		    (!joint || org_path_within(v->person_path, scope_path(&c->actor))))
			json_array_append_new(invitees, json_pack("{sI sO}", "person_id",
								  (json_int_t)v->person_id, "name",
								  json_object_get(x, "name")));
	}
	arr = json_object_get(sj, "remarks");
	buf_init(&md, 4 << 20);
	for (i = 0; with_remarks && i < r->nremarks; i++) {
		const char *body = r->remarks[i].body;
		char excerpt[200];

		x = json_array_get(arr, i);
		if (person_erased_name_id(r->remarks[i].speaker))
			json_object_set_new(x, "speaker",
					    web_person_name(c, r->remarks[i].speaker));
		remark_excerpt(body, excerpt, sizeof(excerpt));
		json_object_set_new(x, "excerpt", json_string(excerpt));
		buf_reset(&md);
		if (markdown_html(body, strlen(body), &md) == ERR_OK)
			json_object_set_new(x, "body_html", json_string(buf_cstr(&md)));
	}
	buf_fini(&md);
	arr = json_object_get(sj, "commitments");
	for (i = 0; i < r->ncommitments; i++)
		json_object_set_new(json_array_get(arr, i), "status_label",
				    label_of(c, "commitment_status_", r->commitments[i].status));
	arr = json_object_get(sj, "suggestions");
	for (i = 0; i < r->nsuggestions; i++) {
		const struct suggestion *g = &r->suggestions[i];
		struct buf names;

		x = json_array_get(arr, i);
		buf_init(&names, 4096);
		for (k = 0; k < g->nproposers; k++) {
			json_t *shown = json_object_get(
			    json_array_get(json_object_get(x, "proposers"), k), "name");

			if (names.n && buf_puts(&names, "、"))
				break;
			if (buf_puts(&names,
				     json_string_value(shown) ? json_string_value(shown) : ""))
				break;
		}
		if (names.n)
			json_object_set_new(x, "proposer_names", json_string(buf_cstr(&names)));
		json_object_set_new(x, "show_sources", json_boolean(c->actor.via != AUTH_NONE));
		json_object_set_new(x, "can_draft", json_boolean(draft));
		buf_fini(&names);
	}
	mark_bodies(c, json_object_get(sj, "invitations"), h, joint);
	mark_bodies(c, json_object_get(sj, "remarks"), h, joint);
	mark_bodies(c, json_object_get(sj, "agreed"), h, joint);
	mark_bodies(c, json_object_get(sj, "differences"), h, joint);
	mark_bodies(c, arr, h, joint);
	if (!edit && !joint)
		return;
	fix_paths(json_object_get(sj, "invitations"), h->id, "invitations");
	fix_paths(json_object_get(sj, "remarks"), h->id, "remarks");
	fix_paths(json_object_get(sj, "commitments"), h->id, "commitments");
	fix_paths(json_object_get(sj, "agreed"), h->id, "points");
	fix_paths(json_object_get(sj, "differences"), h->id, "points");
	fix_paths(arr, h->id, "suggestions");
}

/* statements_json lists the accepted statements of the session's opinion map, which a
 * suggestion may cite as its sources ([{id, text}]). */
static json_t *statements_json(struct web_ctx *c, int64_t session_id)
{
	struct statement_list l;
	json_t *a = json_array();
	size_t i;

	if (statement_list(c->db, session_id, false, 0, &l) == ERR_OK)
		for (i = 0; i < l.n; i++)
			json_array_append_new(a,
					      json_pack("{sI ss}", "id", (json_int_t)l.items[i].id,
							"text", l.items[i].text));
	statement_list_release(&l);
	return a;
}

static bool posted_has(struct web_ctx *c, const char *name, const char *value)
{
	const char *vals[MAX_REFS];
	size_t i, n;
	bool present;

	if (web_list_field(c, name, vals, MAX_REFS, &n, &present))
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(vals[i], value) == 0)
			return true;
	return false;
}

/* mark sets flag on each item of list whose "id" (or id_key) value, as text after prefix,
 * was posted in field name. */
static void mark(struct web_ctx *c, json_t *list, const char *id_key, const char *field,
		 const char *prefix, const char *flag)
{
	char v[48];
	json_t *x;
	size_t i;

	json_array_foreach(list, i, x)
	{
		json_t *id = json_object_get(x, id_key);

		if (json_is_integer(id))
			snprintf(v, sizeof(v), "%s%lld", prefix, (long long)json_integer_value(id));
		else
			snprintf(v, sizeof(v), "%s%s", prefix,
				 json_string_value(id) ? json_string_value(id) : "");
		json_object_set_new(x, flag, json_boolean(posted_has(c, field, v)));
	}
}

/* page_again adds to the page's context ctx what was sent to the form of op that was
 * refused (again.<op>.<field>, the boxes and options it had chosen) and the error beside
 * its field (field_error.<op>_<field>), so that nothing typed is lost. */
static void page_again(struct web_ctx *c, json_t *ctx, const char *op, const struct verr *e)
{
	static const char *const names[] = {"title",	"body",	     "role", "owner",
					    "due_date", "person_id", "kind"};
	json_t *vals = json_object(), *fe = json_object();
	char key[64];
	size_t i;

	for (i = 0; i < ARRAY_LEN(names); i++) {
		const char *v = web_field(c, names[i], NULL);

		json_object_set_new(vals, names[i], json_string(v ? v : ""));
	}
	json_object_set_new(vals, "is_difference",
			    json_boolean(posted_has(c, "kind", "difference")));
	json_object_set_new(ctx, "again", json_pack("{so}", op, vals));
	if (e && e->field) {
		snprintf(key, sizeof(key), "%s_%s", op, e->field);
		json_object_set_new(fe, key, json_string(web_verr_text(c, e)));
	}
	json_object_set_new(ctx, "field_error", fe);
	if (strcmp(op, "remarks") == 0)
		mark(c, json_object_get(ctx, "invitees"), "person_id", "person_id", "",
		     "speaker_selected");
	if (strcmp(op, "suggestions") == 0) {
		mark(c, json_object_get(ctx, "invitees"), "person_id", "proposer_ids", "",
		     "proposer_checked");
		mark(c, json_object_get(ctx, "remarks"), "id", "sources",
		     "remark:", "source_checked");
		mark(c, json_object_get(ctx, "statements"), "id", "sources",
		     "statement:", "source_checked");
	}
	if (strcmp(op, "invitations") == 0) {
		mark(c, json_object_get(ctx, "people"), "id", "person_id", "", "selected");
		mark(c, json_object_get(ctx, "invite_roles"), "value", "role", "", "selected");
	}
}

int sess_page(struct web_ctx *c, int status, const struct session_head *h, const char *error)
{
	return sess_page_again(c, status, h, NULL, NULL, error);
}

/* session_page renders the session for the caller: what anyone may see of it, and for
 * those who run it the controls to run it. Signed-in callers who may see the session see
 * its record; the session's own body (insider) also sees the topic; people are named as
 * person_nameable allows (session_record_to_json). */
int sess_page_again(struct web_ctx *c, int status, const struct session_head *h, const char *op,
		    const struct verr *e, const char *error)
{
	static const char *const invite_roles[] = {"member", "host",	 "speaker",
						   "expert", "official", "observer"};
	bool edit = session_editable(&c->actor, h);
	bool joint = !edit && session_joint_editor(c->db, &c->actor, h);
	bool open =
	    session_record_open(&c->actor, h) || (joint && session_record_state_open(&c->actor, h));
	bool insider = sess_insider(c, h->org_path);
	bool signed_in = c->actor.via != AUTH_NONE;
	struct session s;
	struct session_record r;
	json_t *sj, *moves = json_array(), *invitees = json_array(), *cats, *people = NULL;
	json_t *roles = json_array(), *ctx;
	char when[64], a[32], b[32], key[48];
	struct buf md;
	size_t i, k;
	int rc;

	session_init(&s);
	session_record_init(&r);
	rc = session_read(c->db, h->id, &s);
	if (!rc)
		rc = session_record_read(c->db, h->id, signed_in, &r);
	if (rc) {
		session_release(&s);
		json_decref(moves);
		json_decref(invitees);
		json_decref(roles);
		return web_fail(c, rc);
	}
	for (i = 0; edit && i < ARRAY_LEN(session_next); i++) {
		if (strcmp(session_next[i][0], h->status) != 0)
			continue;
		for (k = 1; k < 3 && session_next[i][k]; k++)
			json_array_append_new(
			    moves, json_pack("{ss so}", "to", session_next[i][k], "label",
					     label_of(c, "to_", session_next[i][k])));
	}
	sj = session_to_json(&s, true);
	sess_when(s.starts_at, a, sizeof(a));
	sess_when(s.ends_at, b, sizeof(b));
	snprintf(when, sizeof(when), "%s%s%s", a, b[0] ? " – " : "", b[0] ? b + 11 : "");
	sess_label_formats(c, sj, s.formats);
	cats = json_object_get(sj, "participants_by_category");
	for (i = 0; i < s.ncategories; i++)
		json_object_set_new(json_array_get(cats, i), "label",
				    label_of(c, "cat_", s.by_category[i].category));
	page_record(c, h, &r, signed_in, sj, invitees, joint);
	buf_init(&md, 4 << 20);
	if (markdown_html(s.summary, strlen(s.summary), &md) == ERR_OK && md.n)
		json_object_set_new(sj, "summary_html", json_string(buf_cstr(&md)));
	buf_fini(&md);
	if (edit || joint) {
		json_t *x;

		/* a linked body invites its own people, never the host's */
		people = people_options_json(c->db, &c->actor, joint ? c->actor.org.id : h->org_id);
		json_array_foreach(people, i, x)
		    sess_label(c, x, "category", "cat_", "category_label");
		for (i = 0; i < ARRAY_LEN(invite_roles); i++)
			json_array_append_new(
			    roles, json_pack("{ss so}", "value", invite_roles[i], "label",
					     label_of(c, "role_", invite_roles[i])));
	}
	snprintf(key, sizeof(key), "status_%s", h->status);
	ctx = json_pack(
	    "{so ss ss so sb sb sb sb sb sb sb so sO so so ss?}", "session", sj, "status_label",
	    view_text(c->lang, key), "when", when, "moves", moves, "can_edit", edit, "record_open",
	    open, "public", strcmp(h->visibility, "public") == 0, "show_invitations", signed_in,
	    "show_record", signed_in, "can_see_topic", insider, "can_invite",
	    edit && strcmp(h->status, "closed") != 0 && strcmp(h->status, "archived") != 0,
	    "invitees", invitees, "categories", cats, "people", people ? people : json_array(),
	    "invite_roles", roles, "error", error);
	json_object_set_new(ctx, "joint_editor", json_boolean(joint));
	if (joint)
		json_object_set_new(ctx, "can_invite",
				    json_boolean(strcmp(h->status, "closed") != 0 &&
						 strcmp(h->status, "archived") != 0));
	json_object_set_new(ctx, "counterpart",
			    json_boolean((s.formats & FORMAT_COUNTERPART) != 0));
	/* the organizers' corrections (corrections.c): a closed record's need a reason */
	json_object_set_new(ctx, "can_fix", json_boolean(edit || joint));
	json_object_set_new(
	    ctx, "fix_reason",
	    json_boolean(strcmp(h->status, "closed") == 0 || strcmp(h->status, "archived") == 0));
	json_object_set(ctx, "invitations", json_object_get(sj, "invitations"));
	json_object_set(ctx, "remarks", json_object_get(sj, "remarks"));
	json_object_set_new(ctx, "domain_label", label_of(c, "domain_", s.domain));
	if (open && signed_in)
		json_object_set_new(ctx, "statements", statements_json(c, h->id));
	if (op)
		page_again(c, ctx, op, e);
	session_record_release(&r);
	session_release(&s);
	return web_render(c, status, "session", ctx);
}

int h_session_page(struct web_ctx *c)
{
	struct session_head h;
	int rc = session_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h);

	return rc ? web_answer(c, rc, NULL) : sess_page(c, 200, &h, NULL);
}

int h_session_edit(struct web_ctx *c)
{
	struct session_head h;
	struct session_draft d;
	struct session s;
	char action[64];
	struct verr e = {0};
	int rc = session_authorize_change(c->db, &c->actor, web_id(c, "id"), &h, &e);

	if (rc)
		return web_answer_why(c, rc, &e);
	session_init(&s);
	rc = session_read(c->db, h.id, &s);
	if (rc)
		return web_fail(c, rc);
	draft_of_session(&s, &d);
	snprintf(action, sizeof(action), "/sessions/%lld/edit", (long long)h.id);
	rc = session_form(c, 200, &d, action, NULL);
	session_release(&s);
	return rc;
}

int h_session_edit_post(struct web_ctx *c)
{
	int64_t linked[MAX_LINKED];
	struct session_head h;
	struct session_in in;
	struct verr e;
	char loc[64];
	int parsed = read_session(c, &in, linked, &e);
	struct verr why = {0};
	int rc = session_authorize_change(c->db, &c->actor, web_id(c, "id"), &h, &why);

	if (rc)
		return web_answer_why(c, rc, &why);
	rc = session_record_check(&c->actor, &h, &e);
	if (!rc)
		rc = parsed;
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, session_update(c->db, &c->actor, h.id, &in, &e));
	if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
		struct session_draft d;

		draft_from_request(c, h.id, &d);
		snprintf(loc, sizeof(loc), "/sessions/%lld/edit", (long long)h.id);
		return session_form(c, rc == ERR_CONFLICT ? 409 : 422, &d, loc, &e);
	}
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/sessions/%lld", (long long)h.id);
	return web_redirect(c, loc);
}
