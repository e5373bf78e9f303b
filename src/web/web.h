/*
 * web.h - the web layer: the route table, the per-request context every handler gets, and
 * the helpers handlers answer with (JSON, pages, errors, redirects).
 *
 * A handler reads top to bottom: parse -> authorize -> validate -> act in one transaction
 * -> render (STYLE.md). By the time it runs, the dispatcher (app.c) has matched the route,
 * identified the caller, checked the route's declared access, parsed the body (JSON for
 * /api/, a form for pages) and checked the CSRF token of cookie-authenticated changes.
 *
 * Threads: handlers run on the server's worker threads; c->db is that thread's connection.
 */
#ifndef SHENLIAO_WEB_WEB_H
#define SHENLIAO_WEB_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/store.h"
#include "http/http.h"
#include "http/router.h"
#include "model/model.h"
#include "web/json_people.h"

/* Who may call a route. Every route must declare one (ACCESS_UNSET is refused at start and
 * by the tests). Org scope (a caller's own body and those below it) is checked by each
 * handler against the object it touches, through actor_can_see_org/actor_can_manage_org. */
enum access {
	ACCESS_UNSET = 0,
	ACCESS_PUBLIC,	  /* anyone, signed in or not */
	ACCESS_SIGNED_IN, /* any signed-in user */
	ACCESS_ORGANIZER, /* organizers and admins */
	ACCESS_ADMIN,	  /* admins */
};

struct web_ctx {
	struct http_req *req;
	struct http_resp *resp;
	struct db *db;
	const struct route *route;
	struct actor actor;		/* actor.via == AUTH_NONE when anonymous */
	const char *lang;		/* "zh" or "en" */
	bool api;			/* path under /api/ */
	json_t *json;			/* parsed JSON object body, or NULL */
	struct form form;		/* parsed form body (pages) */
	char anon_csrf[65];		/* double-submit token for forms of anonymous visitors */
	struct http_deferred *deferred; /* web_defer: the answer comes from another thread */
};

/* The route table (routes.c). */
extern const struct route web_routes[];
extern const size_t web_nroutes;

/* web_start prepares the layer (templates, static ETags) and checks the route table;
 * ERR_INVALID naming the bad route if one has no declared access. */
int web_start(void) WARN_UNUSED;
void web_stop(void);

/* csrf_valid decides whether a state-changing request may proceed: bearer requests always;
 * cookie sign-ins when token equals the session's; anonymous JSON (cannot come cross-site
 * without CORS) always; anonymous forms when token equals the double-submit cookie's.
 * Tokens are compared in constant time; empty tokens never match. Pure, thread-safe. */
bool csrf_valid(enum auth_via via, bool api, const char *token, const char *session_csrf,
		const char *cookie_token);

/* The two callbacks the http server is configured with. */
size_t web_body_limit(struct http_req *req, void *ud);
void web_dispatch(struct http_req *req, struct http_resp *resp, void *ud);

/* Options set by `serve` before web_start. */
struct web_options {
	bool secure_cookies; /* Secure on every cookie (also when public_url is https://) */
	/* public_url: where this deployment is reached, "https://zx.example.cn" (no trailing
	 * slash); every link that leaves the server (join links and their QR codes, .ics
	 * files) is built from it, never from the request's Host header. serve sets it from
	 * --public-url or to http://<listen address>:<bound port>. */
	char public_url[256];
	/* sign-in throttling (web/auth.c): failures of one account from one address, and of
	 * one address across accounts, before each further try waits 1, 2, 4 ... s up to
	 * login_delay_max_s. 0: the defaults (5, 100, 300). */
	int login_limit_pair, login_limit_address, login_delay_max_s;
	/* processes: how many serve processes share the database (serve --processes); the
	 * in-memory limits (sign-in throttle, flood limits) are divided by it, so that behind a
	 * load balancer the whole service allows what one process would. 0 or 1: one. */
	int processes;
	/* page_cache_mb: the bound of the cache of public pages (web/pagecache.h), in MiB;
	 * 0: no cache. serve sets it (--page-cache-mb, default PAGECACHE_DEFAULT_MB). */
	int page_cache_mb;
	/* max_streams: the live maps' event streams open at once (http/sse.h); past it a new
	 * one gets 503 with Retry-After. serve sets it (--max-streams, by default from the
	 * open-file limit); 0: no limit. */
	size_t max_streams;
};
extern struct web_options web_options;

/* limit_share is one process's share of limit among n (at least 1; n < 2: all of it). */
static inline int limit_share(int limit, int n)
{
	return n < 2 ? limit : limit / n > 0 ? limit / n : 1;
}

/* web_public_host writes into out[cap] the host (and port) part of web_options.public_url,
 * lower case, e.g. "zx.example.cn" or "127.0.0.1:8080"; "shenliao" when there is none. */
void web_public_host(char *out, size_t cap);

/* web_login_start makes the sign-in throttle from web_options (called by web_start);
 * web_login_stop releases it (web_stop). */
int web_login_start(void) WARN_UNUSED;
void web_login_stop(void);

/* web_login_check is the one way a password is checked for a request: the throttle by
 * (account, client address) and by client address first (ERR_LIMIT with *retry_after in
 * seconds when the caller must wait; nothing checked), then auth_login (ERR_AUTH for wrong
 * credentials, audited; ERR_OK fills *u). A right password clears its pair's count. The
 * throttle's state is in this process's memory (lost on restart, not shared by several
 * serve processes); a later issue moves it to the database. Thread-safe. */
int web_login_check(struct web_ctx *c, const char *username, const char *password, struct user *u,
		    int *retry_after) WARN_UNUSED;

/* --- answering (respond.c); each returns 0 so a handler can "return web_json(...)" --- */

/* web_json answers with obj (reference stolen) as JSON. */
int web_json(struct web_ctx *c, int status, json_t *obj);

/* web_error answers an error: under /api/ as {"error":{code,message,field}}, otherwise as
 * the error page. zh/en are the message; field may be NULL. */
int web_error(struct web_ctx *c, int status, const char *code, const char *field, const char *zh,
	      const char *en);

/* web_error_key is web_error with the message taken from the catalog entry "err_<code>". */
int web_error_key(struct web_ctx *c, int status, const char *code);

/* web_verr answers a validation error: 422 (409 for code "conflict"). */
int web_verr(struct web_ctx *c, const struct verr *e);

/* web_answer answers a failed action: ERR_INVALID/ERR_CONFLICT from e (may be NULL for
 * other codes), anything else via web_fail. The one mapping of authorization results, the
 * same for the API and the pages (see authz_decide in model/model.h):
 *   ERR_AUTH      not signed in: API 401; pages redirect to the sign-in page;
 *   ERR_FORBIDDEN signed in, the object is visible, the action is not theirs: 403;
 *   ERR_NOT_FOUND no such object, or not visible to the caller at all: 404. */
int web_answer(struct web_ctx *c, int rc, const struct verr *e);

/* web_answer_why is web_answer for a caller that zeroed e before the action: a refusal
 * (ERR_FORBIDDEN) that the model explained in e (e->code set, e.g. not_linked) is answered
 * 403 with that code and message. */
int web_answer_why(struct web_ctx *c, int rc, const struct verr *e);

/* web_need_signin answers a caller who must sign in first: 401 under /api/, otherwise a
 * redirect to /login?next=<this page>. */
int web_need_signin(struct web_ctx *c);

/* web_verr_text returns e's message in the request's language (borrowed from e). */
const char *web_verr_text(const struct web_ctx *c, const struct verr *e);

/* web_field_error returns {e->field: message in the request's language} for a form shown
 * again with its error beside the field ({} when e is NULL or names no field). New
 * reference. */
json_t *web_field_error(const struct web_ctx *c, const struct verr *e);

/* web_fail answers an internal failure rc (logged) with the right status. */
int web_fail(struct web_ctx *c, int rc);

/* web_render answers with page template name rendered with data (reference stolen), to
 * which the common page context is added: t (catalog), lang, me, csrf, path. */
int web_render(struct web_ctx *c, int status, const char *name, json_t *data);

/* web_redirect answers 303 See Other to a local path. */
int web_redirect(struct web_ctx *c, const char *location);

/* web_set_cookie adds a Set-Cookie header (Path=/, SameSite=Lax, Secure when configured). */
int web_set_cookie(struct web_ctx *c, const char *name, const char *value, long max_age,
		   bool http_only);

/* web_anon_csrf gives an anonymous visitor's forms their double-submit token (the
 * sl_csrf cookie, set when missing); the page context then carries it as csrf. */
int web_anon_csrf(struct web_ctx *c) WARN_UNUSED;

/* web_no_content answers 204. */
int web_no_content(struct web_ctx *c);

/* --- reading input --- */

/* web_id parses route parameter name as a positive id; 0 if absent or malformed. */
int64_t web_id(struct web_ctx *c, const char *name);

/* web_field returns a field of the request body: the JSON object's string member (NULL when
 * absent or JSON null; *bad set when present but not a string), or the form field. */
const char *web_field(struct web_ctx *c, const char *name, bool *bad);

/* web_int_field reads an integer field (JSON integer or decimal string; form decimal).
 * *present tells whether it was given; ERR_INVALID when given but not an integer. */
int web_int_field(struct web_ctx *c, const char *name, int64_t *out, bool *present) WARN_UNUSED;

/* web_bool_field reads a boolean (JSON true/false; a form checkbox: "1"/"on" or absent). */
int web_bool_field(struct web_ctx *c, const char *name, bool *out, bool *present) WARN_UNUSED;

/* web_list_field reads a list of strings: a JSON array of strings, or every form field
 * called name (checkboxes, multiple selects; a field "<name>_present" marks an empty
 * list). Up to max; ERR_INVALID on wrong types, ERR_TOO_BIG past max. */
int web_list_field(struct web_ctx *c, const char *name, const char **out, size_t max, size_t *n,
		   bool *present) WARN_UNUSED;

/* web_id_list_field is web_list_field for positive ids (JSON integers or decimal text). */
int web_id_list_field(struct web_ctx *c, const char *name, int64_t *out, size_t max, size_t *n,
		      bool *present) WARN_UNUSED;

/* web_form_check refuses a page form that sends a field of one value more than once
 * (title=a&title=b: which one did the person mean?): ERR_INVALID with e naming it, code
 * "duplicate_field". Lists (checkboxes, multiple selects) may repeat. ERR_OK for JSON bodies,
 * which the dispatcher checks itself. Form handlers call it first, so the form comes back
 * with the message and nothing changes. */
int web_form_check(struct web_ctx *c, struct verr *e) WARN_UNUSED;

/* web_page reads ?limit= (1..500, default 50) and ?cursor= (an id). On bad input answers
 * 400 and returns ERR_INVALID. */
int web_page(struct web_ctx *c, int *limit, int64_t *after) WARN_UNUSED;

/* web_list answers {"items": items, "next": cursor or null}: items holds up to limit+1
 * rows; a row past limit means there is a next page, after the id of row [limit-1]. */
int web_list(struct web_ctx *c, json_t *items, int limit);

/* Deferred answers (http.h http_defer): a handler whose work finishes on another thread
 * calls web_defer, which returns a context for that thread: the request, the response so far
 * (the headers and cookies set until now), the language and api flag; no database, body or
 * form, and the actor as it was. The handler then leaves c->resp alone and returns. The
 * other thread answers on the context with the usual web_json / web_error / web_answer,
 * then calls web_deferred_send, which sends and frees it. NULL when out of memory (answer
 * on c at once). */
struct web_ctx *web_defer(struct web_ctx *c);
void web_deferred_send(struct web_ctx *later);

/* web_begin opens the write transaction of a user action; web_finish commits it (rc==0)
 * or rolls back. */
int web_begin(struct web_ctx *c) WARN_UNUSED;
int web_finish(struct web_ctx *c, int rc) WARN_UNUSED;

/* web_time_json is a stored time (UTC seconds) as every answer writes it: in the body's
 * zone, "2024-07-10T14:30:00+08:00", or null when 0 (not set). New reference. */
json_t *web_time_json(int64_t t);

/* web_me_json returns {"user":…, "org":…, "role":…} for the caller (new reference). */
json_t *web_me_json(const struct web_ctx *c);

/* web_health_init makes the health answer (after the schema version is known). */
void web_health_init(void);

/* Handlers (one file per resource). */
int h_health(struct web_ctx *c);
int h_api_login(struct web_ctx *c);
int h_api_logout(struct web_ctx *c);
int h_api_sessions_revoke(struct web_ctx *c);
int h_api_me(struct web_ctx *c);
int h_api_orgs_list(struct web_ctx *c);
int h_api_orgs_create(struct web_ctx *c);
int h_api_org_get(struct web_ctx *c);
int h_api_org_patch(struct web_ctx *c);
int h_api_users_list(struct web_ctx *c);
int h_api_users_create(struct web_ctx *c);
int h_api_user_get(struct web_ctx *c);
int h_api_user_patch(struct web_ctx *c);

/* === people (people.c) === */
int h_api_people_list(struct web_ctx *c);
int h_api_people_create(struct web_ctx *c);
int h_api_people_import(struct web_ctx *c);
int h_api_people_csv(struct web_ctx *c);
int h_api_people_xlsx(struct web_ctx *c);
int h_api_person_get(struct web_ctx *c);
int h_api_person_patch(struct web_ctx *c);
int h_people_page(struct web_ctx *c);
int h_person_new_page(struct web_ctx *c);
int h_person_new_post(struct web_ctx *c);
int h_people_import_page(struct web_ctx *c);
int h_people_import_post(struct web_ctx *c);
int h_person_page(struct web_ctx *c);
int h_person_post(struct web_ctx *c);
/* === end people === */

/* === work rules (rules.c) === */
int h_api_rules_params(struct web_ctx *c);
int h_api_rules_list(struct web_ctx *c);
int h_api_rules_create(struct web_ctx *c);
int h_api_rules_diff(struct web_ctx *c);
int h_api_rules_copy(struct web_ctx *c);
int h_rules_page(struct web_ctx *c);
int h_rules_post(struct web_ctx *c);
int h_rules_copy_post(struct web_ctx *c);
int h_rules_diff_page(struct web_ctx *c);
/* === end work rules === */

/* === topics and sessions (topics.c, sessions.c, record.c) === */
int h_api_domains(struct web_ctx *c);
int h_api_domains_create(struct web_ctx *c);
int h_api_topics_list(struct web_ctx *c);
int h_api_topics_create(struct web_ctx *c);
int h_api_topic_get(struct web_ctx *c);
int h_api_topic_patch(struct web_ctx *c);
int h_api_topic_transition(struct web_ctx *c);
int h_api_topic_delete(struct web_ctx *c);
int h_api_sessions_list(struct web_ctx *c);
int h_api_sessions_create(struct web_ctx *c);
int h_api_session_get(struct web_ctx *c);
int h_api_session_patch(struct web_ctx *c);
int h_api_session_transition(struct web_ctx *c);
int h_api_invitations_create(struct web_ctx *c);
int h_api_attendance(struct web_ctx *c);
int h_api_remarks_create(struct web_ctx *c);
int h_api_commitments_create(struct web_ctx *c);
int h_api_points_create(struct web_ctx *c);
int h_api_suggestions_create(struct web_ctx *c);
int h_api_commitment_patch(struct web_ctx *c);
int h_api_my_invitations(struct web_ctx *c);
int h_api_invitation_answer(struct web_ctx *c);
int h_api_person_duty(struct web_ctx *c);
int h_api_duty_points(struct web_ctx *c);
int h_api_duty_points_set(struct web_ctx *c);
int h_topics_page(struct web_ctx *c);
int h_topics_post(struct web_ctx *c);
int h_topics_plan(struct web_ctx *c);
int h_topic_page(struct web_ctx *c);
int h_topic_post(struct web_ctx *c);
int h_sessions_page(struct web_ctx *c);
int h_sessions_post(struct web_ctx *c);
int h_session_new(struct web_ctx *c);
int h_session_ics(struct web_ctx *c);
int h_session_page(struct web_ctx *c);
int h_session_edit(struct web_ctx *c);
int h_session_edit_post(struct web_ctx *c);
int h_session_op_post(struct web_ctx *c);
int h_invitations_page(struct web_ctx *c);
int h_invitation_answer_post(struct web_ctx *c);
int h_person_duty_page(struct web_ctx *c);
/* corrections and deletes of the record (corrections.c) */
int h_api_remark_patch(struct web_ctx *c);
int h_api_remark_delete(struct web_ctx *c);
int h_api_point_patch(struct web_ctx *c);
int h_api_point_delete(struct web_ctx *c);
int h_api_suggestion_patch(struct web_ctx *c);
int h_api_suggestion_delete(struct web_ctx *c);
int h_api_commitment_delete(struct web_ctx *c);
int h_api_invitation_patch(struct web_ctx *c);
int h_api_invitation_delete(struct web_ctx *c);
int h_record_item_page(struct web_ctx *c);
int h_record_item_post(struct web_ctx *c);
/* === end sessions === */

/* === notifications (notifications.c) === */
int h_api_notifications_list(struct web_ctx *c);
int h_api_notification_read(struct web_ctx *c);
int h_api_notifications_read_all(struct web_ctx *c);
int h_notifications_page(struct web_ctx *c);
int h_notification_read_post(struct web_ctx *c);
int h_notifications_read_all_post(struct web_ctx *c);
/* === end notifications === */

/* === outputs and statistics (outputs.c, output_pages.c) === */
int h_api_outputs_list(struct web_ctx *c);
int h_api_outputs_create(struct web_ctx *c);
int h_api_output_get(struct web_ctx *c);
int h_api_output_patch(struct web_ctx *c);
int h_api_output_transition(struct web_ctx *c);
int h_api_output_delete(struct web_ctx *c);
int h_api_output_decline(struct web_ctx *c);
int h_api_output_confirm(struct web_ctx *c);
int h_api_output_adoptions(struct web_ctx *c);
int h_api_output_lineage(struct web_ctx *c);
int h_api_session_outcomes(struct web_ctx *c);
int h_api_handlers_list(struct web_ctx *c);
int h_api_handlers_create(struct web_ctx *c);
/* handling units' queue, units by id, the commitments list (handlers.c) */
int h_api_my_assignments(struct web_ctx *c);
int h_api_output_co_opinion(struct web_ctx *c);
int h_api_handler_patch(struct web_ctx *c);
int h_api_handler_merge(struct web_ctx *c);
int h_api_commitments_list(struct web_ctx *c);
int h_assignments_page(struct web_ctx *c);
int h_assignment_reply_post(struct web_ctx *c);
int h_assignment_opinion_post(struct web_ctx *c);
int h_handlers_page(struct web_ctx *c);
/* escalation to a higher body (escalations.c); web_output_page_again shows the output page
 * of route parameter id again with error beside the form again names (output_pages.c) */
int h_api_output_escalate(struct web_ctx *c);
int h_api_escalations_list(struct web_ctx *c);
int h_api_escalation_answer(struct web_ctx *c);
int h_api_escalation_adopt(struct web_ctx *c);
int h_escalations_page(struct web_ctx *c);
int h_output_escalate_post(struct web_ctx *c);
int h_escalation_answer_post(struct web_ctx *c);
int h_escalation_adopt_post(struct web_ctx *c);
int web_output_page_again(struct web_ctx *c, int status, const char *error, const char *again);
int h_handlers_post(struct web_ctx *c);
int h_handler_post(struct web_ctx *c);
int h_commitments_page(struct web_ctx *c);
int h_api_stats(struct web_ctx *c);
int h_api_stats_csv(struct web_ctx *c);
int h_api_stats_xlsx(struct web_ctx *c);
int h_outputs_page(struct web_ctx *c);
int h_outputs_post(struct web_ctx *c);
int h_output_new(struct web_ctx *c);
int h_output_pdf(struct web_ctx *c);
int h_output_page(struct web_ctx *c);
int h_output_lineage_page(struct web_ctx *c);
int h_output_transition_post(struct web_ctx *c);
int h_output_confirm_post(struct web_ctx *c);
/* roles.c: my work, a leader's instruction */
int h_api_me_work(struct web_ctx *c);
int h_my_work_page(struct web_ctx *c);
int h_api_output_instruction(struct web_ctx *c);
int h_output_instruction_post(struct web_ctx *c);
int h_output_decline_post(struct web_ctx *c);
int h_output_adoption_post(struct web_ctx *c);
int h_session_outcomes_page(struct web_ctx *c);
int h_stats_page(struct web_ctx *c);
int h_stats_pdf(struct web_ctx *c);

/* Shared by the API (outputs.c) and the pages (output_pages.c). */
struct output_head;
struct stats_query;
int web_output_create(struct web_ctx *c, int64_t *id, struct verr *e) WARN_UNUSED;
int web_output_transition(struct web_ctx *c, struct output_head *h, struct verr *e) WARN_UNUSED;
int web_adoption_add(struct web_ctx *c, struct output_head *h, struct verr *e) WARN_UNUSED;
int web_output_confirm(struct web_ctx *c, struct output_head *h, struct verr *e) WARN_UNUSED;
/* web_instruction_add records a leader's instruction (批示) from the request's text, by and
 * date fields on output {id} (roles.c); *adoption_id gets the adoption row. */
int web_instruction_add(struct web_ctx *c, struct output_head *h, int64_t *adoption_id,
			struct verr *e) WARN_UNUSED;
/* web_output_decline: parse -> authorize (a reader) -> output_decline_check -> one
 * transaction (output_decline). The caller renders. */
int web_output_decline(struct web_ctx *c, struct output_head *h, struct verr *e) WARN_UNUSED;
/* web_stats_query reads ?year= [&quarter=1..4] or ?from=&to= (dates), ?org=, ?scope=. */
int web_stats_query(struct web_ctx *c, struct stats_query *q, struct org *org) WARN_UNUSED;
/* web_stats_tables: see json_stats.h */
/* === end outputs === */

/* === the live opinion map (opinion.c) === */
int h_api_statements_create(struct web_ctx *c);
int h_api_statements_list(struct web_ctx *c);
int h_api_statement_vote(struct web_ctx *c);
int h_api_statement_moderate(struct web_ctx *c);
int h_api_statement_delete(struct web_ctx *c);
int h_statement_delete_post(struct web_ctx *c);
int h_api_room_get(struct web_ctx *c);
int h_api_room_set(struct web_ctx *c);
int h_api_opinion(struct web_ctx *c);
int h_api_opinion_csv(struct web_ctx *c);
int h_api_opinion_xlsx(struct web_ctx *c);
int h_api_events(struct web_ctx *c);
int h_map_page(struct web_ctx *c);
int h_map_fragment(struct web_ctx *c);
int h_room_post(struct web_ctx *c);
int h_statement_moderate_post(struct web_ctx *c);
int h_join_page(struct web_ctx *c);
int h_join_vote(struct web_ctx *c);
int h_join_statement(struct web_ctx *c);
int h_join_category(struct web_ctx *c);

/* The live side: web_opinion_start starts the event streams' heartbeat;
 * web_opinion_notify is model/live.c's notifier (a new snapshot: wake its streams);
 * web_opinion_quiesce ends every stream (the server is stopping). */
int web_opinion_start(void) WARN_UNUSED;
void web_opinion_notify(int64_t session, int64_t version, void *ud);
void web_opinion_quiesce(void *ud);
/* web_opinion_no_limits lifts the flood limits (benchmarks: one machine plays many phones). */
void web_opinion_no_limits(void);
/* === end opinion === */

/* === search (search.c) === */
int h_api_search(struct web_ctx *c);
int h_search_page(struct web_ctx *c);
/* === end search === */

int h_static(struct web_ctx *c);
int h_home(struct web_ctx *c);
int h_lang(struct web_ctx *c);
int h_login_page(struct web_ctx *c);
int h_login_post(struct web_ctx *c);
int h_logout_post(struct web_ctx *c);
int h_dashboard(struct web_ctx *c);
int h_account_page(struct web_ctx *c);
int h_account_password(struct web_ctx *c);
int h_account_sessions_revoke(struct web_ctx *c);
int h_orgs_page(struct web_ctx *c);
int h_orgs_post(struct web_ctx *c);
int h_org_page(struct web_ctx *c);
int h_org_post(struct web_ctx *c);
int h_users_page(struct web_ctx *c);
int h_users_post(struct web_ctx *c);
int h_user_page(struct web_ctx *c);
int h_user_post(struct web_ctx *c);
int h_audit_page(struct web_ctx *c);

#endif
