/*
 * routes.c - every route of the product, with who may call it and, for the API, its
 * declaration (router.h): a summary, the input fields the handler reads, the shape of its
 * answer. The dispatcher refuses a JSON body member a route does not declare (422
 * unknown_field) and the OpenAPI document (openapi.c) is made from this table, so a field a
 * handler starts reading must be declared here too. Keep API and page routes of one
 * resource next to each other.
 */
#include "web.h"

#include "web/openapi.h"
#include "web/privacy.h"

#define GET   HTTP_GET
#define POST  HTTP_POST
#define PATCH HTTP_PATCH
#define KIB   ((size_t)1024)

/* --- the declarations --- */

/* field flags */
#define OPT 0u
#define REQ FIELD_REQUIRED
#define NUL FIELD_NULLABLE
#define Q   FIELD_QUERY
#define NB  FIELD_NONBLANK /* text: not blank when given */
#define NE  FIELD_NONEMPTY /* a list: not empty when given */

/* clang-format off */
#define TEXT(n, fl, d)    {n, FIELD_STRING, fl, d, NULL, 0, 0, 0}
#define INT(n, fl, d)     {n, FIELD_INTEGER, fl, d, NULL, 0, 0, 0}
#define BOOL(n, fl, d)    {n, FIELD_BOOLEAN, fl, d, NULL, 0, 0, 0}
#define TIME(n, fl, d)    {n, FIELD_TIME, fl, d, NULL, 0, 0, 0}
#define TEXTS(n, fl, d)   {n, FIELD_STRINGS, fl, d, NULL, 0, 0, 0}
#define IDS(n, fl, d)     {n, FIELD_IDS, fl, d, NULL, 0, 0, 0}
#define OBJS(n, fl, d, m) {n, FIELD_OBJECTS, fl, d, m, 0, 0, 0}
#define END               {NULL, 0, 0, NULL, NULL, 0, 0, 0}
/* a body's text declares its limit (STR: at most max characters; TEXT is for query
 * parameters), an integer its range when it has one (INT_IN: lo to hi) */
#define STR(n, fl, max, d)        {n, FIELD_STRING, fl, d, NULL, max, 0, 0}
#define INT_IN(n, fl, lo, hi, d)  {n, FIELD_INTEGER, (fl) | FIELD_RANGE, d, NULL, 0, lo, hi}
/* clang-format on */

/* API(summary, fields, reply): an API route's declaration; reply is one of the below. */
#define API(sum, f, reply) (&(const struct route_doc){.summary = (sum), .fields = (f), reply})
#define API_RAW(sum, media, f, reply)                                                              \
	(&(const struct route_doc){.summary = (sum), .fields = (f), .raw_media = (media), reply})
/* API_RAW2: a raw body of either media type */
#define API_RAW2(sum, media, alt, f, reply)                                                        \
	(&(const struct route_doc){                                                                \
	    .summary = (sum), .fields = (f), .raw_media = (media), .raw_media_alt = (alt), reply})
#define OBJ(st, e)     .status = (st), .reply = REPLY_OBJECT, .entity = (e)
#define LIST(e)	       .status = 200, .reply = REPLY_LIST, .entity = (e)
#define LIST_TOTAL(e)  .status = 200, .reply = REPLY_LIST_TOTAL, .entity = (e)
#define NONE	       .status = 204, .reply = REPLY_NONE
#define FILE_OF(media) .status = 200, .reply = REPLY_FILE, .entity = (media)
#define EVENTS	       .status = 200, .reply = REPLY_EVENTS
#define PAGE	       NULL /* a page route: HTML, forms read leniently, not in the API */

#define CSV  "text/csv"
#define XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#define PAGING                                                                                     \
	INT("limit", Q, "page size, 1 to 500 (default 50)"),                                       \
	    INT("cursor", Q, "where the page starts: the \"next\" of the page before")

/* a change that reads no input: any body member is unknown */
static const struct field_decl no_input[] = {END};

static const struct field_decl login_in[] = {
    STR("username", REQ | NB, 32, "the account's username"),
    STR("password", REQ | NB, 256, "the account's password"),
    END,
};

static const struct field_decl paging_in[] = {PAGING, END};

static const struct field_decl org_new[] = {
    STR("name", REQ | NB, 100, "the body's name"),
    STR("slug", REQ, 40, "short unique name used in addresses and exports"),
    STR("level", OPT, 16, "province, city or district (default: one below the parent)"),
    INT("parent_id", OPT, "the parent body (default: the caller's)"),
    END,
};

static const struct field_decl org_change[] = {
    STR("name", OPT | NB, 100, "the body's name"),
    STR("slug", OPT, 40, "short unique name"),
    STR("level", OPT, 16, "cannot be changed: refused with 422"),
    INT("parent_id", OPT, "cannot be changed: refused with 422"),
    END,
};

/* work rules (rules.c; model/rules.h) */
static const struct field_decl rules_new[] = {
    STR("version", REQ | NB, 20, "the version's name, unique in the body (e.g. 2.0)"),
    STR("title", REQ | NB, 200, "the title of the rules"),
    STR("body", OPT, 100000, "the written text"),
    {"params", FIELD_OBJECT, OPT,
     "the parameters the software enforces, each one of GET /api/v1/rules/params (422 "
     "naming an unknown one or one of the wrong type); not stated: its default",
     NULL, 0, 0, 0},
    TIME("effective_from", OPT, "the day it takes effect, YYYY-MM-DD (default: now)"),
    END,
};
static const struct field_decl rules_copy_in[] = {
    INT("from_org_id", REQ, "the body whose version is copied (readable by the caller)"),
    STR("version", REQ | NB, 20, "the version of that body to copy"),
    STR("new_version", OPT | NB, 20,
	"the name of the copy (default: the same name when free, else <version>-copy)"),
    END,
};
static const struct field_decl rules_diff_query[] = {
    TEXT("from", Q, "the older version"),
    TEXT("to", Q, "the newer version"),
    END,
};

static const struct field_decl user_new[] = {
    STR("username", REQ | NB, 32, "sign-in name"),
    STR("password", REQ, 256, "the first password"),
    STR("display_name", OPT | NB, 100, "the name shown to others"),
    STR("role", OPT, 16, "member, organizer, leader (reads only), guest or admin (default member)"),
    INT("org_id", OPT, "the account's body (default: the caller's)"),
    INT("handler_id", NUL, "makes it a handling unit's account; null or 0 clears"),
    INT("person_id", NUL, "links the account to this registry person (person.user_id)"),
    END,
};

static const struct field_decl user_change[] = {
    STR("display_name", OPT | NB, 100, "the name shown to others"),
    STR("role", OPT, 16, "member, organizer, leader, guest or admin (managers only)"),
    BOOL("disabled", OPT, "a disabled account cannot sign in (managers only)"),
    INT("org_id", OPT, "move the account to another body (managers only)"),
    INT("handler_id", NUL, "the handling unit of the account; null or 0 clears"),
    INT("person_id", NUL,
	"the registry person linked to the account; null unlinks (managers only)"),
    STR("password", OPT, 256, "a new password"),
    STR("current_password", OPT, 256, "required when changing one's own password"),
    END,
};

/* a person's fields (person_fields in model/person.c, plus the links) */
#define PERSON_FIELDS(req)                                                                         \
	STR("name", req | NB, 100, "the person's name"),                                           \
	    STR("category", req, 64, "a category code, e.g. member, expert, citizen"),             \
	    STR("sector", OPT, 100, "the sector (界别)"),                                          \
	    STR("committee", OPT, 100, "the special committee"),                                   \
	    STR("term", OPT, 50, "the term (届次)"),                                               \
	    STR("affiliation", OPT, 200, "the work unit"),                                         \
	    STR("title", OPT, 100, "the position held"),                                           \
	    STR("phone", OPT, 30, "contact phone (staff)"),                                        \
	    STR("email", OPT, 254, "contact email (staff)"),                                       \
	    BOOL("public_name", OPT, "the name may be shown publicly"),                            \
	    INT("org_id", OPT, "the person's body (default: the caller's)"),                       \
	    INT("user_id", NUL, "the linked account; null unlinks")

static const struct field_decl person_new[] = {PERSON_FIELDS(REQ), END};
static const struct field_decl person_change[] = {PERSON_FIELDS(OPT), END};

static const struct field_decl people_query[] = {
    PAGING,
    TEXT("category", Q, "only this category (code or label)"),
    TEXT("q", Q, "part of a name"),
    TEXT("org", Q, "a body (id or slug) in the caller's subtree"),
    END,
};

static const struct field_decl people_export_query[] = {
    TEXT("category", Q, "only this category (code or label)"),
    TEXT("q", Q, "part of a name"),
    TEXT("org", Q, "a body (id or slug) in the caller's subtree"),
    END,
};

static const struct field_decl domain_new[] = {
    STR("code", REQ, 32, "the domain's code"),
    STR("name_zh", REQ | NB, 50, "the Chinese name"),
    STR("name_en", OPT | NB, 50, "the English name (default: the Chinese)"),
    END,
};

#define LIST_FILTERS                                                                               \
	PAGING, INT("year", Q, "only this year"), TEXT("domain", Q, "only this domain (code)"),    \
	    TEXT("status", Q, "only this status")

static const struct field_decl filter_query[] = {LIST_FILTERS, END};

#define TOPIC_FIELDS(req)                                                                          \
	STR("title", req | NB, 200, "the topic's title"),                                          \
	    STR("description", OPT, 20000, "Markdown text"),                                       \
	    STR("domain", req, 32, "a domain code"),                                               \
	    STR("origin", OPT, 32, "where the topic came from (organizers; a member's: member)"),  \
	    STR("proposer", OPT, 200, "who proposed it (free text)"),                              \
	    INT("proposer_id", OPT, "who proposed it (a person)"),                                 \
	    INT_IN("plan_year", NUL, 2000, 2100,                                                   \
		   "the planned year, 2000 to 2100; null clears it"),                              \
	    INT_IN("plan_month", OPT, 0, 12, "the planned month, 1 to 12 (0: none)")

static const struct field_decl topic_new[] = {
    TOPIC_FIELDS(REQ),
    INT("org_id", OPT, "the topic's body (default: the caller's)"),
    STR("status", OPT, 32, "ignored: a new topic is always proposed"),
    END,
};
static const struct field_decl topic_change[] = {TOPIC_FIELDS(OPT), END};

static const struct field_decl transition_in[] = {
    STR("to", REQ, 32, "the target status"),
    END,
};

#define SESSION_FIELDS(req)                                                                        \
	STR("title", req | NB, 200, "the session's title"),                                        \
	    STR("summary", OPT, 20000, "Markdown text"),                                           \
	    STR("venue", OPT, 200, "where it takes place"),                                        \
	    STR("organizer_unit", OPT, 200, "the organizing unit"),                                \
	    STR("department", OPT, 200, "the department in charge"),                               \
	    STR("visibility", OPT, 16, "public or internal"),                                      \
	    INT("topic_id", req, "the approved topic it discusses"),                               \
	    TIME("starts_at", OPT, "start time (Beijing time, or ISO 8601 with an offset)"),       \
	    TIME("ends_at", OPT, "end time"),                                                      \
	    TEXTS("formats", NE, "expert, counterpart, sector, joint"),                            \
	    IDS("linked_org_ids", OPT, "other bodies taking part")

static const struct field_decl session_new[] = {SESSION_FIELDS(REQ), END};
static const struct field_decl session_change[] = {SESSION_FIELDS(OPT), END};

static const struct field_decl invitation_new[] = {
    INT("person_id", REQ, "the person invited"),
    STR("role", OPT, 50, "their role in the session"),
    END,
};

static const struct field_decl attendance_in[] = {
    INT("person_id", REQ, "the person"),
    BOOL("attended", OPT, "whether they attended (default true)"),
    END,
};

static const struct field_decl remark_new[] = {
    INT("person_id", REQ, "who spoke"),
    STR("role", OPT, 50, "the speaker's role"),
    STR("body", REQ | NB, 50000, "what was said"),
    END,
};

static const struct field_decl commitment_new[] = {
    STR("owner", OPT, 200, "who committed (free text)"),
    INT("owner_id", OPT, "who committed (a person)"),
    STR("body", REQ | NB, 5000, "the commitment"),
    TIME("due_date", OPT, "when it is due (YYYY-MM-DD)"),
    END,
};

static const struct field_decl point_new[] = {
    STR("kind", REQ, 16, "agreed or difference"),
    STR("body", REQ | NB, 5000, "the point"),
    END,
};

static const struct field_decl source_ref[] = {
    STR("kind", REQ, 16, "remark or statement"),
    INT("id", REQ, "its id"),
    END,
};

static const struct field_decl suggestion_new[] = {
    STR("title", REQ | NB, 200, "the suggestion's title"),
    STR("body", OPT, 20000, "Markdown text"),
    IDS("proposer_ids", OPT, "the people who proposed it"),
    OBJS("sources", NUL, "what in the record it comes from", source_ref),
    END,
};

/* corrections of the record (corrections.c): the fields of the create, all optional, and
 * the reason a closed session's record asks for; a DELETE's reason is a query parameter */
#define REASON STR("reason", OPT, 500, "why (required when the session is closed)")

static const struct field_decl remark_change[] = {
    INT("person_id", OPT, "who spoke"),
    STR("role", OPT, 50, "the speaker's role"),
    STR("body", NB, 50000, "what was said"),
    REASON,
    END,
};

static const struct field_decl point_change[] = {
    STR("kind", OPT, 16, "agreed or difference"),
    STR("body", NB, 5000, "the point"),
    REASON,
    END,
};

static const struct field_decl suggestion_change[] = {
    STR("title", NB, 200, "the suggestion's title"),
    STR("body", OPT, 20000, "Markdown text"),
    IDS("proposer_ids", OPT, "the people who proposed it (replaces the list)"),
    OBJS("sources", NUL, "what in the record it comes from (replaces the list)", source_ref),
    REASON,
    END,
};

static const struct field_decl commitment_change[] = {
    STR("owner", OPT, 200, "who committed (free text)"),
    INT("owner_id", OPT, "who committed (a person; 0: none)"),
    STR("body", NB, 5000, "the commitment"),
    TIME("due_date", OPT, "when it is due (YYYY-MM-DD)"),
    STR("status", OPT, 32, "open, in_progress, done or dropped (the follow-up)"),
    REASON,
    END,
};

static const struct field_decl invitation_change[] = {
    STR("role", OPT, 50, "their role in the session"),
    BOOL("attended", OPT, "whether they attended"),
    REASON,
    END,
};

static const struct field_decl statement_change[] = {
    STR("status", OPT, 32, "accepted or rejected (moderation)"),
    STR("text", NB, 280, "the corrected text (organizers)"),
    REASON,
    END,
};

static const struct field_decl reason_query[] = {
    TEXT("reason", Q, "why, at most 500 characters (required when the session is closed)"),
    END,
};

static const struct field_decl answer_in[] = {
    STR("answer", REQ, 16, "accepted or declined"),
    END,
};

static const struct field_decl year_query[] = {
    INT("year", Q, "the year (default: this year)"),
    END,
};

static const struct field_decl duty_points_in[] = {
    INT_IN("attended", OPT, 0, 1000, "points for attending a session"),
    INT_IN("remark", OPT, 0, 1000, "points for a remark"),
    INT_IN("adopted", OPT, 0, 1000, "points for an adopted output"),
    END,
};

static const struct field_decl output_query[] = {
    PAGING,
    INT("year", Q, "only this year"),
    TEXT("kind", Q, "only this kind"),
    TEXT("state", Q, "only this state"),
    BOOL("overdue", Q, "only overdue outputs (1 or true)"),
    END,
};

static const struct field_decl author_ref[] = {
    INT("person_id", REQ, "the author"),
    STR("role", REQ, 16, "lead or cosigner"),
    END,
};

#define OUTPUT_FIELDS(req)                                                                         \
	STR("kind", req, 32, "the kind of output"),                                                \
	    STR("title", req | NB, 200, "the output's title"),                                     \
	    STR("body", OPT, 200000, "Markdown text"),                                             \
	    IDS("suggestion_ids", OPT, "the suggestions it carries"),                              \
	    IDS("session_ids", OPT, "the sessions it comes from"),                                 \
	    OBJS("authors", NUL, "its authors", author_ref),                                       \
	    TIME("date", OPT, "its date (YYYY-MM-DD)"),                                            \
	    TIME("cosign_deadline", OPT, "until when cosigners may sign")

static const struct field_decl output_new[] = {
    OUTPUT_FIELDS(REQ),
    INT("org_id", OPT, "the output's body (default: the caller's)"),
    END,
};
static const struct field_decl output_change[] = {OUTPUT_FIELDS(OPT), END};

static const struct field_decl handler_ref[] = {
    INT("handler_id", OPT, "a handling unit by id"),
    STR("name", OPT | NB, 100, "or by name (made when missing)"),
    STR("role", OPT, 16, "lead or co"),
    END,
};

/* escalation to a higher body (escalations.c) */
static const struct field_decl escalate_in[] = {
    STR("note", REQ | NB, 2000, "why the higher body should take it up"),
    INT("to_org_id", OPT, "a body above the output's (default: its parent)"),
    END,
};
static const struct field_decl escalations_query[] = {
    PAGING,
    TEXT("direction", Q, "incoming (default: sent to the caller's body) or outgoing (sent by it)"),
    END,
};
static const struct field_decl escalation_answer_in[] = {
    STR("decision", REQ, 16, "accepted or declined"),
    STR("note", OPT, 2000, "the answer's note, shown to the sending body"),
    END,
};
static const struct field_decl escalation_adopt_in[] = {
    STR("kind", OPT, 24, "the new output's kind (default: the escalated output's)"),
    STR("title", OPT | NB, 200, "its title (default: the escalated output's)"),
    STR("body", OPT, 200000, "its text (default: the escalated output's)"),
    END,
};

static const struct field_decl decline_in[] = {
    STR("note", OPT, 2000, "why (optional)"),
    END,
};
static const struct field_decl output_move[] = {
    STR("to", REQ, 32, "the target state"),
    STR("note", OPT, 5000, "a note on the step"),
    STR("reason", OPT, 2000, "why (returns and rejections)"),
    STR("reply_text", OPT, 50000, "the handling unit's reply"),
    STR("reply", OPT, 50000, "the same as reply_text"),
    STR("grade", OPT, 1, "the grade given"),
    STR("satisfaction", OPT, 32, "the proposers' satisfaction"),
    STR("issue", OPT, 100, "the issue it was published in"),
    STR("sent_to", OPT, 200, "to whom it was sent"),
    STR("instruction_by", OPT, 200, "the leader who gave an instruction"),
    STR("instruction_text", OPT, 5000, "the instruction"),
    OBJS("handlers", OPT, "the handling units assigned", handler_ref),
    INT("lead_handler_id", OPT, "the lead handling unit"),
    IDS("co_handler_ids", OPT, "co-handling units"),
    TIME("reply_due", OPT, "when the reply is due"),
    END,
};

static const struct field_decl adoption_new[] = {
    STR("kind", OPT, 32, "the kind of adoption"),
    STR("title", OPT | NB, 500, "the document adopting it"),
    STR("name", OPT | NB, 500, "the same as title"),
    STR("issuer", OPT, 200, "who issued it"),
    STR("reference", OPT, 200, "its reference number"),
    TIME("date", OPT, "its date (YYYY-MM-DD)"),
    STR("link", OPT, 1000, "a link to it"),
    STR("note", OPT, 5000, "a note"),
    END,
};

static const struct field_decl instruction_new[] = {
    STR("text", REQ | NB, 500, "the instruction (批示) as written"),
    STR("by", OPT, 200, "who gave it: name and title (default: the caller's display name)"),
    TIME("date", OPT, "its date (YYYY-MM-DD; default today)"),
    END,
};

static const struct field_decl handler_new[] = {
    STR("name", REQ | NB, 100, "the handling unit's name"),
    INT("org_id", OPT, "the unit's body: the caller's (default) or one below it"),
    END,
};

static const struct field_decl handler_change[] = {
    STR("name", OPT | NB, 100, "a new name (409 when the body has a unit of that name)"),
    BOOL("disabled", OPT,
	 "true: not offered for new assignments (its accounts keep reading "
	 "what they have); false: offered again"),
    END,
};

static const struct field_decl handler_merge_in[] = {
    INT("into_id", REQ, "the unit that takes this one's assignments and accounts"),
    END,
};

static const struct field_decl co_opinion_in[] = {
    STR("text", REQ | NB, 5000, "the co-handling unit's opinion (协办意见)"),
    END,
};

static const struct field_decl assignments_query[] = {
    INT("limit", Q, "page size, 1 to 500 (default 50)"),
    TEXT("cursor", Q, "where the page starts: the \"next\" of the page before"),
    END,
};

static const struct field_decl commitments_query[] = {
    TEXT("overdue", Q, "1: only those whose due_date passed and still open or in progress"),
    PAGING,
    END,
};

static const struct field_decl stats_query[] = {
    INT("year", Q, "the year (default: this year)"),
    INT("quarter", Q, "a quarter of the year, 1 to 4"),
    TIME("from", Q, "start date, with to: instead of year"),
    TIME("to", Q, "end date"),
    TEXT("org", Q, "a body (id or slug) in the caller's subtree"),
    TEXT("scope", Q, "self or subtree"),
    END,
};

static const struct field_decl statement_new[] = {
    STR("text", REQ | NB, 280, "the statement"),
    STR("category", OPT, 32, "an anonymous participant's category"),
    END,
};

static const struct field_decl vote_in[] = {
    INT_IN("vote", REQ, -1, 1, "1 agree, -1 disagree, 0 pass"),
    STR("category", OPT, 32, "an anonymous participant's category"),
    END,
};

static const struct field_decl room_in[] = {
    STR("moderation", OPT, 16, "pre or post"),
    BOOL("anonymous", OPT, "anonymous participants may join"),
    BOOL("open", OPT, "the room takes statements and votes"),
    END,
};

static const struct field_decl search_query[] = {
    TEXT("q", Q | REQ, "what to search for"),
    INT("limit", Q, "at most this many results, 1 to 200 (default 50)"),
    TEXT("kind", Q,
	 "only results of this kind: topic, session, remark, suggestion, output, statement or"
	 " person"),
    END,
};

const struct route web_routes[] = {
    /* API: service and sign-in */
    {GET, "/api/v1/openapi.json", ACCESS_PUBLIC, h_api_openapi, 0,
     API("This document: the API described in OpenAPI 3.1", NULL, OBJ(200, "openapi"))},
    {GET, "/api/v1/health", ACCESS_PUBLIC, h_health, 0,
     API("Is the service up: status, version, schema", NULL, OBJ(200, "health"))},
    {POST, "/api/v1/login", ACCESS_PUBLIC, h_api_login, 16 * KIB,
     API("Sign in: sets the session cookie, answers the CSRF token", login_in, OBJ(200, "login"))},
    {POST, "/api/v1/logout", ACCESS_SIGNED_IN, h_api_logout, 16 * KIB,
     API("Sign out of this session", no_input, NONE)},
    {GET, "/api/v1/me", ACCESS_SIGNED_IN, h_api_me, 0,
     API("Who is calling: user, body, role", NULL, OBJ(200, "me"))},
    {POST, "/api/v1/me/sessions/revoke", ACCESS_SIGNED_IN, h_api_sessions_revoke, 16 * KIB,
     API("Sign out everywhere else: ends every other browser sign-in of the caller's account "
	 "(this one stays; API tokens are not revoked); answers {ended}",
	 no_input, OBJ(200, "sessions_revoked"))},
    /* API: bodies and accounts */
    {GET, "/api/v1/orgs", ACCESS_SIGNED_IN, h_api_orgs_list, 0,
     API("The bodies the caller can see", paging_in, LIST("org"))},
    {POST, "/api/v1/orgs", ACCESS_ADMIN, h_api_orgs_create, 64 * KIB,
     API("Create a body below the caller's", org_new, OBJ(201, "org"))},
    {GET, "/api/v1/orgs/{id}", ACCESS_SIGNED_IN, h_api_org_get, 0,
     API("One body", NULL, OBJ(200, "org"))},
    {PATCH, "/api/v1/orgs/{id}", ACCESS_ADMIN, h_api_org_patch, 64 * KIB,
     API("Rename a body", org_change, OBJ(200, "org"))},
    {GET, "/api/v1/users", ACCESS_ADMIN, h_api_users_list, 0,
     API("The accounts the caller manages", paging_in, LIST("user"))},
    {POST, "/api/v1/users", ACCESS_ADMIN, h_api_users_create, 64 * KIB,
     API("Create an account", user_new, OBJ(201, "user"))},
    {GET, "/api/v1/users/{id}", ACCESS_SIGNED_IN, h_api_user_get, 0,
     API("One account (one's own, or one managed)", NULL, OBJ(200, "user"))},
    {PATCH, "/api/v1/users/{id}", ACCESS_SIGNED_IN, h_api_user_patch, 64 * KIB,
     API("Change an account, or one's own name and password", user_change, OBJ(200, "user"))},

    /* === people (people.c) === */
    {GET, "/api/v1/people", ACCESS_SIGNED_IN, h_api_people_list, 0,
     API("People of the caller's body and those below it", people_query, LIST("person"))},
    {POST, "/api/v1/people", ACCESS_ORGANIZER, h_api_people_create, 64 * KIB,
     API("Add a person", person_new, OBJ(201, "person"))},
    {GET, "/api/v1/people.csv", ACCESS_ORGANIZER, h_api_people_csv, 0,
     API("Export people as CSV", people_export_query, FILE_OF(CSV))},
    {GET, "/api/v1/people.xlsx", ACCESS_ORGANIZER, h_api_people_xlsx, 0,
     API("Export people as a spreadsheet", people_export_query, FILE_OF(XLSX))},
    {POST | ROUTE_RAW_BODY, "/api/v1/people/import", ACCESS_ORGANIZER, h_api_people_import,
     8 * 1024 * KIB,
     API_RAW2("Import people from a CSV file (UTF-8 or GB18030) or an XLSX workbook (its first"
	      " sheet); people already in the registry are matched and updated",
	      CSV, XLSX, NULL, OBJ(200, "import_result"))},
    {GET, "/api/v1/people/{id}", ACCESS_SIGNED_IN, h_api_person_get, 0,
     API("One person", NULL, OBJ(200, "person"))},
    {PATCH, "/api/v1/people/{id}", ACCESS_ORGANIZER, h_api_person_patch, 64 * KIB,
     API("Change a person", person_change, OBJ(200, "person"))},
    {GET, "/api/v1/people/{id}/export", ACCESS_SIGNED_IN, h_api_person_export, 0,
     API("Everything held about a person, as one JSON file (admins of the person's body or "
	 "above, and the person themself; audited)",
	 NULL, FILE_OF("application/json"))},
    {HTTP_DELETE, "/api/v1/people/{id}", ACCESS_ADMIN, h_api_person_erase, 0,
     API("Erase a person's personal data (admins of the person's body or above; 409 "
	 "lead_author_active while they lead an output still being handled; 404 "
	 "already_erased the second time)",
	 no_input, NONE)},
    {GET, "/people", ACCESS_SIGNED_IN, h_people_page, 0, PAGE},
    {GET, "/people/new", ACCESS_ORGANIZER, h_person_new_page, 0, PAGE},
    {POST, "/people/new", ACCESS_ORGANIZER, h_person_new_post, 64 * KIB, PAGE},
    {GET, "/people/import", ACCESS_ORGANIZER, h_people_import_page, 0, PAGE},
    {POST, "/people/import", ACCESS_ORGANIZER, h_people_import_post, 8 * 1024 * KIB, PAGE},
    {GET, "/people/{id}", ACCESS_SIGNED_IN, h_person_page, 0, PAGE},
    {POST, "/people/{id}", ACCESS_ORGANIZER, h_person_post, 64 * KIB, PAGE},
    {GET, "/people/{id}/erase", ACCESS_ADMIN, h_person_erase_page, 0, PAGE},
    {POST, "/people/{id}/erase", ACCESS_ADMIN, h_person_erase_post, 4 * KIB, PAGE},
    /* === end people === */

    /* === work rules (rules.c) === */
    {GET, "/api/v1/rules/params", ACCESS_SIGNED_IN, h_api_rules_params, 0,
     API("The parameters of the work rules the software knows and enforces", NULL,
	 LIST("rules_param"))},
    {GET, "/api/v1/orgs/{id}/rules", ACCESS_SIGNED_IN, h_api_rules_list, 0,
     API("The work rules versions of a body (the body, those below and above it read)", NULL,
	 LIST("rules_version"))},
    {POST, "/api/v1/orgs/{id}/rules", ACCESS_ADMIN, h_api_rules_create, 512 * KIB,
     API("Add a version of a body's work rules (its admins; an existing version 409)", rules_new,
	 OBJ(201, "rules_version"))},
    {GET, "/api/v1/orgs/{id}/rules/diff", ACCESS_SIGNED_IN, h_api_rules_diff, 0,
     API("Compare two versions: the changed parameters and a line diff of the text",
	 rules_diff_query, OBJ(200, "rules_diff"))},
    {POST, "/api/v1/orgs/{id}/rules/copy", ACCESS_ADMIN, h_api_rules_copy, 16 * KIB,
     API("Copy another body's version into this body (its admins; copied_from names the source)",
	 rules_copy_in, OBJ(201, "rules_version"))},
    {GET, "/orgs/{id}/rules", ACCESS_SIGNED_IN, h_rules_page, 0, PAGE},
    {POST, "/orgs/{id}/rules", ACCESS_ADMIN, h_rules_post, 512 * KIB, PAGE},
    {POST, "/orgs/{id}/rules/copy", ACCESS_ADMIN, h_rules_copy_post, 16 * KIB, PAGE},
    {GET, "/orgs/{id}/rules/diff", ACCESS_SIGNED_IN, h_rules_diff_page, 0, PAGE},
    /* === end work rules === */

    /* === topics and sessions (topics.c, sessions.c, record.c) === */
    {GET, "/api/v1/domains", ACCESS_SIGNED_IN, h_api_domains, 0,
     API("The topic domains of the caller's body", NULL, LIST("domain"))},
    {POST, "/api/v1/domains", ACCESS_ADMIN, h_api_domains_create, 16 * KIB,
     API("Add a topic domain", domain_new, OBJ(201, "domain"))},
    {GET, "/api/v1/topics", ACCESS_SIGNED_IN, h_api_topics_list, 0,
     API("Topics the caller can see", filter_query, LIST("topic"))},
    {POST, "/api/v1/topics", ACCESS_SIGNED_IN, h_api_topics_create, 256 * KIB,
     API("Propose a topic (organizers; members linked to a person propose as themselves, "
	 "origin member; 403 not_linked otherwise)",
	 topic_new, OBJ(201, "topic"))},
    {GET, "/api/v1/topics/{id}", ACCESS_SIGNED_IN, h_api_topic_get, 0,
     API("One topic", NULL, OBJ(200, "topic"))},
    {PATCH, "/api/v1/topics/{id}", ACCESS_SIGNED_IN, h_api_topic_patch, 256 * KIB,
     API("Change a topic (organizers; its proposer while it is proposed: 409 "
	 "topic_not_proposed after)",
	 topic_change, OBJ(200, "topic"))},
    {HTTP_DELETE, "/api/v1/topics/{id}", ACCESS_SIGNED_IN, h_api_topic_delete, 0,
     API("Delete a proposed topic (its proposer or an organizer; 409 topic_not_proposed "
	 "once decided)",
	 no_input, NONE)},
    {POST, "/api/v1/topics/{id}/transition", ACCESS_ORGANIZER, h_api_topic_transition, 16 * KIB,
     API("Move a topic to another status", transition_in, OBJ(200, "topic"))},
    {GET, "/api/v1/sessions", ACCESS_PUBLIC, h_api_sessions_list, 0,
     API("Sessions the caller can see (public ones for anyone); an anonymous caller's list has "
	 "its total",
	 filter_query, LIST_TOTAL("session"))},
    {POST, "/api/v1/sessions", ACCESS_ORGANIZER, h_api_sessions_create, 256 * KIB,
     API("Plan a session", session_new, OBJ(201, "session"))},
    {GET, "/api/v1/sessions/{id}", ACCESS_PUBLIC, h_api_session_get, 0,
     API("One session with its record", NULL, OBJ(200, "session"))},
    {PATCH, "/api/v1/sessions/{id}", ACCESS_ORGANIZER, h_api_session_patch, 256 * KIB,
     API("Change a session", session_change, OBJ(200, "session"))},
    {POST, "/api/v1/sessions/{id}/transition", ACCESS_ORGANIZER, h_api_session_transition, 16 * KIB,
     API("Move a session to another status", transition_in, OBJ(200, "session"))},
    {POST, "/api/v1/sessions/{id}/invitations", ACCESS_ORGANIZER, h_api_invitations_create,
     16 * KIB, API("Invite a person to a session", invitation_new, OBJ(201, "invitation"))},
    {POST, "/api/v1/sessions/{id}/attendance", ACCESS_ORGANIZER, h_api_attendance, 16 * KIB,
     API("Record whether a person attended", attendance_in, OBJ(200, "attendance"))},
    {POST, "/api/v1/sessions/{id}/remarks", ACCESS_ORGANIZER, h_api_remarks_create, 256 * KIB,
     API("Record a remark", remark_new, OBJ(201, "remark"))},
    {POST, "/api/v1/sessions/{id}/commitments", ACCESS_ORGANIZER, h_api_commitments_create,
     64 * KIB, API("Record a commitment", commitment_new, OBJ(201, "commitment"))},
    {POST, "/api/v1/sessions/{id}/points", ACCESS_ORGANIZER, h_api_points_create, 64 * KIB,
     API("Record a point agreed or a difference", point_new, OBJ(201, "point"))},
    {POST, "/api/v1/sessions/{id}/suggestions", ACCESS_ORGANIZER, h_api_suggestions_create,
     256 * KIB, API("Record a suggestion", suggestion_new, OBJ(201, "suggestion"))},
    /* corrections and deletes of the record (corrections.c) */
    {PATCH, "/api/v1/remarks/{id}", ACCESS_ORGANIZER, h_api_remark_patch, 256 * KIB,
     API("Correct a remark", remark_change, OBJ(200, "remark"))},
    {HTTP_DELETE, "/api/v1/remarks/{id}", ACCESS_ORGANIZER, h_api_remark_delete, 0,
     API("Delete a remark (gone from the record, exports, search and suggestion sources)",
	 reason_query, NONE)},
    {PATCH, "/api/v1/points/{id}", ACCESS_ORGANIZER, h_api_point_patch, 64 * KIB,
     API("Correct a point agreed or a difference", point_change, OBJ(200, "point"))},
    {HTTP_DELETE, "/api/v1/points/{id}", ACCESS_ORGANIZER, h_api_point_delete, 0,
     API("Delete a point agreed or a difference", reason_query, NONE)},
    {PATCH, "/api/v1/suggestions/{id}", ACCESS_ORGANIZER, h_api_suggestion_patch, 256 * KIB,
     API("Correct a suggestion", suggestion_change, OBJ(200, "suggestion"))},
    {HTTP_DELETE, "/api/v1/suggestions/{id}", ACCESS_ORGANIZER, h_api_suggestion_delete, 0,
     API("Delete a suggestion (409 in_use while an output was made from it)", reason_query, NONE)},
    {PATCH, "/api/v1/commitments/{id}", ACCESS_ORGANIZER, h_api_commitment_patch, 16 * KIB,
     API("Follow a commitment up (status) or correct it", commitment_change,
	 OBJ(200, "commitment"))},
    {HTTP_DELETE, "/api/v1/commitments/{id}", ACCESS_ORGANIZER, h_api_commitment_delete, 0,
     API("Delete a commitment", reason_query, NONE)},
    {PATCH, "/api/v1/invitations/{id}", ACCESS_ORGANIZER, h_api_invitation_patch, 16 * KIB,
     API("Correct an invitation: role, attendance", invitation_change, OBJ(200, "invitation"))},
    {HTTP_DELETE, "/api/v1/invitations/{id}", ACCESS_ORGANIZER, h_api_invitation_delete, 0,
     API("Delete an invitation", reason_query, NONE)},
    {GET, "/api/v1/me/invitations", ACCESS_SIGNED_IN, h_api_my_invitations, 0,
     API("The caller's invitations", NULL, LIST("invitation"))},
    {POST, "/api/v1/invitations/{id}/answer", ACCESS_SIGNED_IN, h_api_invitation_answer, 16 * KIB,
     API("Accept or decline an invitation", answer_in, OBJ(200, "invitation"))},
    {GET, "/api/v1/people/{id}/duty", ACCESS_SIGNED_IN, h_api_person_duty, 0,
     API("A person's duty record for a year", year_query, OBJ(200, "duty_record"))},
    {GET, "/api/v1/duty-points", ACCESS_SIGNED_IN, h_api_duty_points, 0,
     API("The duty points of the caller's body", NULL, OBJ(200, "duty_points"))},
    {PATCH, "/api/v1/duty-points", ACCESS_ADMIN, h_api_duty_points_set, 16 * KIB,
     API("Set the duty points of the caller's body", duty_points_in, OBJ(200, "duty_points"))},
    {GET, "/topics", ACCESS_SIGNED_IN, h_topics_page, 0, PAGE},
    {POST, "/topics", ACCESS_SIGNED_IN, h_topics_post, 256 * KIB, PAGE},
    {GET, "/topics/plan", ACCESS_SIGNED_IN, h_topics_plan, 0, PAGE},
    {GET, "/topics/{id}", ACCESS_SIGNED_IN, h_topic_page, 0, PAGE},
    {POST, "/topics/{id}", ACCESS_SIGNED_IN, h_topic_post, 256 * KIB, PAGE},
    {GET, "/sessions", ACCESS_PUBLIC, h_sessions_page, 0, PAGE},
    {POST, "/sessions", ACCESS_ORGANIZER, h_sessions_post, 256 * KIB, PAGE},
    {GET, "/sessions/new", ACCESS_ORGANIZER, h_session_new, 0, PAGE},
    {GET, "/sessions/{id}.ics", ACCESS_PUBLIC, h_session_ics, 0, PAGE},
    {GET, "/sessions/{id}", ACCESS_PUBLIC, h_session_page, 0, PAGE},
    {GET, "/sessions/{id}/edit", ACCESS_ORGANIZER, h_session_edit, 0, PAGE},
    {POST, "/sessions/{id}/edit", ACCESS_ORGANIZER, h_session_edit_post, 256 * KIB, PAGE},
    /* the opinion room's form (opinion.c); before the generic record operations */
    {POST, "/sessions/{id}/room", ACCESS_ORGANIZER, h_room_post, 4 * KIB, PAGE},
    {POST, "/sessions/{id}/{op}", ACCESS_ORGANIZER, h_session_op_post, 256 * KIB, PAGE},
    {GET, "/sessions/{id}/{kind}/{item}/{action}", ACCESS_ORGANIZER, h_record_item_page, 0, PAGE},
    {POST, "/sessions/{id}/{kind}/{item}/{action}", ACCESS_ORGANIZER, h_record_item_post, 256 * KIB,
     PAGE},
    {GET, "/invitations", ACCESS_SIGNED_IN, h_invitations_page, 0, PAGE},
    {POST, "/invitations/{id}/answer", ACCESS_SIGNED_IN, h_invitation_answer_post, 16 * KIB, PAGE},
    {GET, "/people/{id}/duty", ACCESS_SIGNED_IN, h_person_duty_page, 0, PAGE},
    /* === end sessions === */

    /* === notifications (notifications.c) === */
    {GET, "/api/v1/me/notifications", ACCESS_SIGNED_IN, h_api_notifications_list, 0,
     API("The caller's notifications, newest first, with their title in the caller's language; "
	 "answers {items, next, unread}",
	 paging_in, LIST("notification"))},
    {POST, "/api/v1/me/notifications/read", ACCESS_SIGNED_IN, h_api_notifications_read_all,
     16 * KIB, API("Mark every notification of the caller read", no_input, NONE)},
    {POST, "/api/v1/me/notifications/{id}/read", ACCESS_SIGNED_IN, h_api_notification_read,
     16 * KIB, API("Mark one of the caller's notifications read", no_input, NONE)},
    {GET, "/notifications", ACCESS_SIGNED_IN, h_notifications_page, 0, PAGE},
    {POST, "/notifications/read", ACCESS_SIGNED_IN, h_notifications_read_all_post, 16 * KIB, PAGE},
    {POST, "/notifications/{id}/read", ACCESS_SIGNED_IN, h_notification_read_post, 16 * KIB, PAGE},
    /* === end notifications === */

    /* === outputs and statistics (outputs.c, output_pages.c) === */
    {GET, "/api/v1/outputs", ACCESS_SIGNED_IN, h_api_outputs_list, 0,
     API("Outputs the caller can see", output_query, LIST("output"))},
    {POST, "/api/v1/outputs", ACCESS_SIGNED_IN, h_api_outputs_create, 1024 * KIB,
     API("Draft an output (organizers; a member linked to a person drafts as its lead "
	 "author, not a special_report, from sessions they attended; 403 not_linked)",
	 output_new, OBJ(201, "output"))},
    {GET, "/api/v1/outputs/{id}", ACCESS_SIGNED_IN, h_api_output_get, 0,
     API("One output with its workflow", NULL, OBJ(200, "output"))},
    {PATCH, "/api/v1/outputs/{id}", ACCESS_SIGNED_IN, h_api_output_patch, 1024 * KIB,
     API("Change a draft (its lead author or organizers; links kept unless named anew)",
	 output_change, OBJ(200, "output"))},
    {HTTP_DELETE, "/api/v1/outputs/{id}", ACCESS_SIGNED_IN, h_api_output_delete, 0,
     API("Delete a draft (its lead author or organizers; 409 not_draft later)", no_input, NONE)},
    {POST, "/api/v1/outputs/{id}/transition", ACCESS_SIGNED_IN, h_api_output_transition, 256 * KIB,
     API("Move an output through its workflow", output_move, OBJ(200, "output"))},
    {POST, "/api/v1/outputs/{id}/confirm", ACCESS_SIGNED_IN, h_api_output_confirm, 16 * KIB,
     API("Confirm as a cosigner", no_input, OBJ(200, "output"))},
    {POST, "/api/v1/outputs/{id}/decline", ACCESS_SIGNED_IN, h_api_output_decline, 16 * KIB,
     API("Decline co-signing (the co-signer is removed from the authors)", decline_in,
	 OBJ(200, "output"))},
    {POST, "/api/v1/outputs/{id}/adoptions", ACCESS_ORGANIZER, h_api_output_adoptions, 64 * KIB,
     API("Record an adoption of an output", adoption_new, OBJ(201, "adoption"))},
    {POST, "/api/v1/outputs/{id}/instruction", ACCESS_SIGNED_IN, h_api_output_instruction, 16 * KIB,
     API("Record a leader's instruction (批示): leaders and admins of the output's body or above",
	 instruction_new, OBJ(201, "adoption"))},
    {GET, "/api/v1/me/work", ACCESS_SIGNED_IN, h_api_me_work, 0,
     API("My work: invitations, outputs, co-signing requests, duty record of the year", year_query,
	 OBJ(200, "my_work"))},
    {GET, "/api/v1/outputs/{id}/lineage", ACCESS_SIGNED_IN, h_api_output_lineage, 0,
     API("Where an output comes from and what came of it", NULL, OBJ(200, "lineage"))},
    {GET, "/api/v1/sessions/{id}/outcomes", ACCESS_PUBLIC, h_api_session_outcomes, 0,
     API("What came of a session", NULL, OBJ(200, "outcomes"))},
    {GET, "/api/v1/handlers", ACCESS_SIGNED_IN, h_api_handlers_list, 0,
     API("The handling units the caller can see", NULL, LIST("handler"))},
    {POST, "/api/v1/handlers", ACCESS_ORGANIZER, h_api_handlers_create, 16 * KIB,
     API("Add a handling unit to the caller's body or one below it", handler_new,
	 OBJ(201, "handler"))},
    {PATCH, "/api/v1/handlers/{id}", ACCESS_ORGANIZER, h_api_handler_patch, 16 * KIB,
     API("Rename, disable or enable a handling unit of the caller's body or below", handler_change,
	 OBJ(200, "handler"))},
    {POST, "/api/v1/handlers/{id}/merge", ACCESS_ORGANIZER, h_api_handler_merge, 16 * KIB,
     API("Merge a handling unit into another: its assignments and accounts move, it is "
	 "disabled",
	 handler_merge_in, OBJ(200, "handler"))},
    {GET, "/api/v1/me/assignments", ACCESS_SIGNED_IN, h_api_my_assignments, 0,
     API("The outputs assigned to the caller's handling unit (lead or co), overdue first, "
	 "then by reply due date; an account that is not a handling unit's gets no items",
	 assignments_query, LIST("assignment"))},
    {POST, "/api/v1/outputs/{id}/co-opinion", ACCESS_SIGNED_IN, h_api_output_co_opinion, 16 * KIB,
     API("A co-handling unit's opinion on the lead's reply, while assigned (re-posting "
	 "replaces it)",
	 co_opinion_in, OBJ(200, "output"))},
    {POST, "/api/v1/outputs/{id}/escalate", ACCESS_SIGNED_IN, h_api_output_escalate, 16 * KIB,
     API("Escalate a submitted output to the parent body or one further up (organizers and "
	 "admins of its body; 409 not_submitted, no_parent, pending)",
	 escalate_in, OBJ(201, "escalation"))},
    {GET, "/api/v1/escalations", ACCESS_SIGNED_IN, h_api_escalations_list, 0,
     API("Escalations sent to the caller's body, or with direction=outgoing sent by it "
	 "(those who read as staff)",
	 escalations_query, LIST("escalation"))},
    {POST, "/api/v1/escalations/{id}/answer", ACCESS_SIGNED_IN, h_api_escalation_answer, 16 * KIB,
     API("Accept or decline an escalation (organizers and admins of the target body; 409 "
	 "answered)",
	 escalation_answer_in, OBJ(200, "escalation"))},
    {POST, "/api/v1/escalations/{id}/adopt", ACCESS_SIGNED_IN, h_api_escalation_adopt, 1024 * KIB,
     API("Make an accepted escalation a draft output of the target body, with the lineage of "
	 "the escalated output; answers {escalation, output_id} (409 not_accepted, adopted)",
	 escalation_adopt_in, OBJ(201, "escalation_adopted"))},
    {GET, "/api/v1/commitments", ACCESS_SIGNED_IN, h_api_commitments_list, 0,
     API("Commitments across the sessions of the caller's body and those below", commitments_query,
	 LIST("commitment"))},
    {GET, "/api/v1/stats", ACCESS_SIGNED_IN, h_api_stats, 0,
     API("Statistics of a period", stats_query, OBJ(200, "stats"))},
    {GET, "/api/v1/stats.csv", ACCESS_SIGNED_IN, h_api_stats_csv, 0,
     API("Statistics as CSV", stats_query, FILE_OF(CSV))},
    {GET, "/api/v1/stats.xlsx", ACCESS_SIGNED_IN, h_api_stats_xlsx, 0,
     API("Statistics as a spreadsheet", stats_query, FILE_OF(XLSX))},
    {GET, "/outputs", ACCESS_SIGNED_IN, h_outputs_page, 0, PAGE},
    {POST, "/outputs", ACCESS_SIGNED_IN, h_outputs_post, 1024 * KIB, PAGE},
    {GET, "/outputs/new", ACCESS_SIGNED_IN, h_output_new, 0, PAGE},
    {GET, "/outputs/{id}.pdf", ACCESS_SIGNED_IN, h_output_pdf, 0, PAGE},
    {GET, "/outputs/{id}", ACCESS_SIGNED_IN, h_output_page, 0, PAGE},
    {GET, "/outputs/{id}/lineage", ACCESS_SIGNED_IN, h_output_lineage_page, 0, PAGE},
    {POST, "/outputs/{id}/transition", ACCESS_SIGNED_IN, h_output_transition_post, 256 * KIB, PAGE},
    {POST, "/outputs/{id}/confirm", ACCESS_SIGNED_IN, h_output_confirm_post, 16 * KIB, PAGE},
    {POST, "/outputs/{id}/decline", ACCESS_SIGNED_IN, h_output_decline_post, 16 * KIB, PAGE},
    {POST, "/outputs/{id}/adoptions", ACCESS_ORGANIZER, h_output_adoption_post, 64 * KIB, PAGE},
    {POST, "/outputs/{id}/instruction", ACCESS_SIGNED_IN, h_output_instruction_post, 16 * KIB,
     PAGE},
    {POST, "/outputs/{id}/escalate", ACCESS_SIGNED_IN, h_output_escalate_post, 16 * KIB, PAGE},
    {GET, "/escalations", ACCESS_SIGNED_IN, h_escalations_page, 0, PAGE},
    {POST, "/escalations/{id}/answer", ACCESS_SIGNED_IN, h_escalation_answer_post, 16 * KIB, PAGE},
    {POST, "/escalations/{id}/adopt", ACCESS_SIGNED_IN, h_escalation_adopt_post, 1024 * KIB, PAGE},
    {GET, "/me", ACCESS_SIGNED_IN, h_my_work_page, 0, PAGE},
    {GET, "/sessions/{id}/outcomes", ACCESS_PUBLIC, h_session_outcomes_page, 0, PAGE},
    {GET, "/assignments", ACCESS_SIGNED_IN, h_assignments_page, 0, PAGE},
    {POST, "/assignments/{id}/reply", ACCESS_SIGNED_IN, h_assignment_reply_post, 256 * KIB, PAGE},
    {POST, "/assignments/{id}/co-opinion", ACCESS_SIGNED_IN, h_assignment_opinion_post, 16 * KIB,
     PAGE},
    {GET, "/handlers", ACCESS_ORGANIZER, h_handlers_page, 0, PAGE},
    {POST, "/handlers", ACCESS_ORGANIZER, h_handlers_post, 16 * KIB, PAGE},
    {POST, "/handlers/{id}", ACCESS_ORGANIZER, h_handler_post, 16 * KIB, PAGE},
    {GET, "/commitments", ACCESS_SIGNED_IN, h_commitments_page, 0, PAGE},
    {GET, "/stats", ACCESS_SIGNED_IN, h_stats_page, 0, PAGE},
    {GET, "/stats/report.pdf", ACCESS_SIGNED_IN, h_stats_pdf, 0, PAGE},
    /* === end outputs === */

    /* === the live opinion map (opinion.c) === */
    {POST, "/api/v1/sessions/{id}/statements", ACCESS_PUBLIC, h_api_statements_create, 16 * KIB,
     API("Submit a statement to a session's opinion room", statement_new, OBJ(201, "statement"))},
    {GET, "/api/v1/sessions/{id}/statements", ACCESS_PUBLIC, h_api_statements_list, 0,
     API("The statements of a session's opinion room", NULL, LIST("statement"))},
    {HTTP_PUT, "/api/v1/statements/{id}/vote", ACCESS_PUBLIC, h_api_statement_vote, 4 * KIB,
     API("Vote on a statement", vote_in, OBJ(200, "vote"))},
    {PATCH, "/api/v1/statements/{id}", ACCESS_ORGANIZER, h_api_statement_moderate, 4 * KIB,
     API("Moderate a statement, or correct its text", statement_change, OBJ(200, "statement"))},
    {HTTP_DELETE, "/api/v1/statements/{id}", ACCESS_ORGANIZER, h_api_statement_delete, 0,
     API("Delete a statement with its votes", reason_query, NONE)},
    {GET, "/api/v1/sessions/{id}/room", ACCESS_PUBLIC, h_api_room_get, 0,
     API("A session's opinion room", NULL, OBJ(200, "room"))},
    {POST, "/api/v1/sessions/{id}/room", ACCESS_ORGANIZER, h_api_room_set, 4 * KIB,
     API("Open, close or configure the opinion room", room_in, OBJ(200, "room"))},
    {GET, "/api/v1/sessions/{id}/opinion", ACCESS_PUBLIC, h_api_opinion, 0,
     API("The opinion map: groups, statements, consensus", NULL, OBJ(200, "opinion"))},
    {GET, "/api/v1/sessions/{id}/opinion.csv", ACCESS_ORGANIZER, h_api_opinion_csv, 0,
     API("The opinion data as CSV", NULL, FILE_OF(CSV))},
    {GET, "/api/v1/sessions/{id}/opinion.xlsx", ACCESS_ORGANIZER, h_api_opinion_xlsx, 0,
     API("The opinion data as a spreadsheet", NULL, FILE_OF(XLSX))},
    {GET, "/api/v1/sessions/{id}/events", ACCESS_PUBLIC, h_api_events, 0,
     API("Live updates of the opinion map", NULL, EVENTS)},
    {GET, "/sessions/{id}/map", ACCESS_PUBLIC, h_map_page, 0, PAGE},
    {GET, "/sessions/{id}/map/live", ACCESS_PUBLIC, h_map_fragment, 0, PAGE},
    {POST, "/statements/{id}/moderate", ACCESS_ORGANIZER, h_statement_moderate_post, 4 * KIB, PAGE},
    {POST, "/statements/delete", ACCESS_ORGANIZER, h_statement_delete_post, 4 * KIB, PAGE},
    {GET, "/j/{code}", ACCESS_PUBLIC, h_join_page, 0, PAGE},
    {POST, "/j/{code}/vote", ACCESS_PUBLIC, h_join_vote, 4 * KIB, PAGE},
    {POST, "/j/{code}/statements", ACCESS_PUBLIC, h_join_statement, 16 * KIB, PAGE},
    {POST, "/j/{code}/category", ACCESS_PUBLIC, h_join_category, 4 * KIB, PAGE},
    /* === end opinion === */

    /* === search (search.c) === */
    {GET, "/api/v1/search", ACCESS_PUBLIC, h_api_search, 0,
     API("Search what the caller can see", search_query, OBJ(200, "search_results"))},
    {GET, "/search", ACCESS_PUBLIC, h_search_page, 0, PAGE},
    /* === end search === */

    /* pages */
    {GET, "/static/{file}", ACCESS_PUBLIC, h_static, 0, PAGE},
    {GET, "/", ACCESS_PUBLIC, h_home, 0, PAGE},
    {GET, "/lang", ACCESS_PUBLIC, h_lang, 0, PAGE},
    {GET, "/login", ACCESS_PUBLIC, h_login_page, 0, PAGE},
    {POST, "/login", ACCESS_PUBLIC, h_login_post, 16 * KIB, PAGE},
    {POST, "/logout", ACCESS_SIGNED_IN, h_logout_post, 16 * KIB, PAGE},
    {GET, "/dashboard", ACCESS_SIGNED_IN, h_dashboard, 0, PAGE},
    {GET, "/account", ACCESS_SIGNED_IN, h_account_page, 0, PAGE},
    {POST, "/account/password", ACCESS_SIGNED_IN, h_account_password, 16 * KIB, PAGE},
    {POST, "/account/sessions/revoke", ACCESS_SIGNED_IN, h_account_sessions_revoke, 16 * KIB, PAGE},
    {GET, "/admin/orgs", ACCESS_ADMIN, h_orgs_page, 0, PAGE},
    {POST, "/admin/orgs", ACCESS_ADMIN, h_orgs_post, 64 * KIB, PAGE},
    {GET, "/admin/orgs/{id}", ACCESS_ADMIN, h_org_page, 0, PAGE},
    {POST, "/admin/orgs/{id}", ACCESS_ADMIN, h_org_post, 64 * KIB, PAGE},
    {GET, "/admin/users", ACCESS_ADMIN, h_users_page, 0, PAGE},
    {POST, "/admin/users", ACCESS_ADMIN, h_users_post, 64 * KIB, PAGE},
    {GET, "/admin/users/{id}", ACCESS_ADMIN, h_user_page, 0, PAGE},
    {POST, "/admin/users/{id}", ACCESS_ADMIN, h_user_post, 64 * KIB, PAGE},
    {GET, "/admin/audit", ACCESS_ADMIN, h_audit_page, 0, PAGE},
};

const size_t web_nroutes = sizeof(web_routes) / sizeof(web_routes[0]);
