/*
 * routes.c - every route of the product, with who may call it. Keep API and page routes
 * of one resource next to each other.
 */
#include "web.h"

#define GET   HTTP_GET
#define POST  HTTP_POST
#define PATCH HTTP_PATCH
#define KIB   ((size_t)1024)

const struct route web_routes[] = {
    /* API: service and sign-in */
    {GET, "/api/v1/health", ACCESS_PUBLIC, h_health, 0},
    {POST, "/api/v1/login", ACCESS_PUBLIC, h_api_login, 16 * KIB},
    {POST, "/api/v1/logout", ACCESS_SIGNED_IN, h_api_logout, 16 * KIB},
    {GET, "/api/v1/me", ACCESS_SIGNED_IN, h_api_me, 0},
    /* API: bodies and accounts */
    {GET, "/api/v1/orgs", ACCESS_SIGNED_IN, h_api_orgs_list, 0},
    {POST, "/api/v1/orgs", ACCESS_ADMIN, h_api_orgs_create, 64 * KIB},
    {GET, "/api/v1/orgs/{id}", ACCESS_SIGNED_IN, h_api_org_get, 0},
    {PATCH, "/api/v1/orgs/{id}", ACCESS_ADMIN, h_api_org_patch, 64 * KIB},
    {GET, "/api/v1/users", ACCESS_ADMIN, h_api_users_list, 0},
    {POST, "/api/v1/users", ACCESS_ADMIN, h_api_users_create, 64 * KIB},
    {GET, "/api/v1/users/{id}", ACCESS_SIGNED_IN, h_api_user_get, 0},
    {PATCH, "/api/v1/users/{id}", ACCESS_SIGNED_IN, h_api_user_patch, 64 * KIB},

    /* === people (people.c) === */
    {GET, "/api/v1/people", ACCESS_SIGNED_IN, h_api_people_list, 0},
    {POST, "/api/v1/people", ACCESS_ORGANIZER, h_api_people_create, 64 * KIB},
    {GET, "/api/v1/people.csv", ACCESS_ORGANIZER, h_api_people_csv, 0},
    {GET, "/api/v1/people.xlsx", ACCESS_ORGANIZER, h_api_people_xlsx, 0},
    {POST | ROUTE_RAW_BODY, "/api/v1/people/import", ACCESS_ORGANIZER, h_api_people_import,
     8 * 1024 * KIB},
    {GET, "/api/v1/people/{id}", ACCESS_SIGNED_IN, h_api_person_get, 0},
    {PATCH, "/api/v1/people/{id}", ACCESS_ORGANIZER, h_api_person_patch, 64 * KIB},
    {GET, "/people", ACCESS_SIGNED_IN, h_people_page, 0},
    {GET, "/people/new", ACCESS_ORGANIZER, h_person_new_page, 0},
    {POST, "/people/new", ACCESS_ORGANIZER, h_person_new_post, 64 * KIB},
    {GET, "/people/import", ACCESS_ORGANIZER, h_people_import_page, 0},
    {POST, "/people/import", ACCESS_ORGANIZER, h_people_import_post, 8 * 1024 * KIB},
    {GET, "/people/{id}", ACCESS_SIGNED_IN, h_person_page, 0},
    {POST, "/people/{id}", ACCESS_ORGANIZER, h_person_post, 64 * KIB},
    /* === end people === */

    /* === topics and sessions (topics.c, sessions.c, record.c) === */
    {GET, "/api/v1/domains", ACCESS_SIGNED_IN, h_api_domains, 0},
    {POST, "/api/v1/domains", ACCESS_ADMIN, h_api_domains_create, 16 * KIB},
    {GET, "/api/v1/topics", ACCESS_SIGNED_IN, h_api_topics_list, 0},
    {POST, "/api/v1/topics", ACCESS_ORGANIZER, h_api_topics_create, 256 * KIB},
    {GET, "/api/v1/topics/{id}", ACCESS_SIGNED_IN, h_api_topic_get, 0},
    {PATCH, "/api/v1/topics/{id}", ACCESS_ORGANIZER, h_api_topic_patch, 256 * KIB},
    {POST, "/api/v1/topics/{id}/transition", ACCESS_ORGANIZER, h_api_topic_transition, 16 * KIB},
    {GET, "/api/v1/sessions", ACCESS_PUBLIC, h_api_sessions_list, 0},
    {POST, "/api/v1/sessions", ACCESS_ORGANIZER, h_api_sessions_create, 256 * KIB},
    {GET, "/api/v1/sessions/{id}", ACCESS_PUBLIC, h_api_session_get, 0},
    {PATCH, "/api/v1/sessions/{id}", ACCESS_ORGANIZER, h_api_session_patch, 256 * KIB},
    {POST, "/api/v1/sessions/{id}/transition", ACCESS_ORGANIZER, h_api_session_transition,
     16 * KIB},
    {POST, "/api/v1/sessions/{id}/invitations", ACCESS_ORGANIZER, h_api_invitations_create,
     16 * KIB},
    {POST, "/api/v1/sessions/{id}/attendance", ACCESS_ORGANIZER, h_api_attendance, 16 * KIB},
    {POST, "/api/v1/sessions/{id}/remarks", ACCESS_ORGANIZER, h_api_remarks_create, 256 * KIB},
    {POST, "/api/v1/sessions/{id}/commitments", ACCESS_ORGANIZER, h_api_commitments_create,
     64 * KIB},
    {POST, "/api/v1/sessions/{id}/points", ACCESS_ORGANIZER, h_api_points_create, 64 * KIB},
    {POST, "/api/v1/sessions/{id}/suggestions", ACCESS_ORGANIZER, h_api_suggestions_create,
     256 * KIB},
    {PATCH, "/api/v1/commitments/{id}", ACCESS_ORGANIZER, h_api_commitment_patch, 16 * KIB},
    {GET, "/api/v1/me/invitations", ACCESS_SIGNED_IN, h_api_my_invitations, 0},
    {POST, "/api/v1/invitations/{id}/answer", ACCESS_SIGNED_IN, h_api_invitation_answer, 16 * KIB},
    {GET, "/api/v1/people/{id}/duty", ACCESS_SIGNED_IN, h_api_person_duty, 0},
    {GET, "/api/v1/duty-points", ACCESS_SIGNED_IN, h_api_duty_points, 0},
    {PATCH, "/api/v1/duty-points", ACCESS_ADMIN, h_api_duty_points_set, 16 * KIB},
    {GET, "/topics", ACCESS_SIGNED_IN, h_topics_page, 0},
    {POST, "/topics", ACCESS_ORGANIZER, h_topics_post, 256 * KIB},
    {GET, "/topics/plan", ACCESS_SIGNED_IN, h_topics_plan, 0},
    {GET, "/topics/{id}", ACCESS_SIGNED_IN, h_topic_page, 0},
    {POST, "/topics/{id}", ACCESS_ORGANIZER, h_topic_post, 256 * KIB},
    {GET, "/sessions", ACCESS_PUBLIC, h_sessions_page, 0},
    {POST, "/sessions", ACCESS_ORGANIZER, h_sessions_post, 256 * KIB},
    {GET, "/sessions/new", ACCESS_ORGANIZER, h_session_new, 0},
    {GET, "/sessions/{id}.ics", ACCESS_PUBLIC, h_session_ics, 0},
    {GET, "/sessions/{id}", ACCESS_PUBLIC, h_session_page, 0},
    {GET, "/sessions/{id}/edit", ACCESS_ORGANIZER, h_session_edit, 0},
    {POST, "/sessions/{id}/edit", ACCESS_ORGANIZER, h_session_edit_post, 256 * KIB},
    /* the opinion room's form (opinion.c); before the generic record operations */
    {POST, "/sessions/{id}/room", ACCESS_ORGANIZER, h_room_post, 4 * KIB},
    {POST, "/sessions/{id}/{op}", ACCESS_ORGANIZER, h_session_op_post, 256 * KIB},
    {GET, "/invitations", ACCESS_SIGNED_IN, h_invitations_page, 0},
    {POST, "/invitations/{id}/answer", ACCESS_SIGNED_IN, h_invitation_answer_post, 16 * KIB},
    {GET, "/people/{id}/duty", ACCESS_SIGNED_IN, h_person_duty_page, 0},
    /* === end sessions === */

    /* === outputs and statistics (outputs.c, output_pages.c) === */
    {GET, "/api/v1/outputs", ACCESS_SIGNED_IN, h_api_outputs_list, 0},
    {POST, "/api/v1/outputs", ACCESS_ORGANIZER, h_api_outputs_create, 1024 * KIB},
    {GET, "/api/v1/outputs/{id}", ACCESS_SIGNED_IN, h_api_output_get, 0},
    {PATCH, "/api/v1/outputs/{id}", ACCESS_ORGANIZER, h_api_output_patch, 1024 * KIB},
    {POST, "/api/v1/outputs/{id}/transition", ACCESS_SIGNED_IN, h_api_output_transition, 256 * KIB},
    {POST, "/api/v1/outputs/{id}/confirm", ACCESS_SIGNED_IN, h_api_output_confirm, 16 * KIB},
    {POST, "/api/v1/outputs/{id}/adoptions", ACCESS_ORGANIZER, h_api_output_adoptions, 64 * KIB},
    {GET, "/api/v1/outputs/{id}/lineage", ACCESS_SIGNED_IN, h_api_output_lineage, 0},
    {GET, "/api/v1/sessions/{id}/outcomes", ACCESS_PUBLIC, h_api_session_outcomes, 0},
    {GET, "/api/v1/handlers", ACCESS_SIGNED_IN, h_api_handlers_list, 0},
    {POST, "/api/v1/handlers", ACCESS_ORGANIZER, h_api_handlers_create, 16 * KIB},
    {GET, "/api/v1/stats", ACCESS_SIGNED_IN, h_api_stats, 0},
    {GET, "/api/v1/stats.csv", ACCESS_SIGNED_IN, h_api_stats_csv, 0},
    {GET, "/api/v1/stats.xlsx", ACCESS_SIGNED_IN, h_api_stats_xlsx, 0},
    {GET, "/outputs", ACCESS_SIGNED_IN, h_outputs_page, 0},
    {POST, "/outputs", ACCESS_ORGANIZER, h_outputs_post, 1024 * KIB},
    {GET, "/outputs/new", ACCESS_ORGANIZER, h_output_new, 0},
    {GET, "/outputs/{id}.pdf", ACCESS_SIGNED_IN, h_output_pdf, 0},
    {GET, "/outputs/{id}", ACCESS_SIGNED_IN, h_output_page, 0},
    {GET, "/outputs/{id}/lineage", ACCESS_SIGNED_IN, h_output_lineage_page, 0},
    {POST, "/outputs/{id}/transition", ACCESS_SIGNED_IN, h_output_transition_post, 256 * KIB},
    {POST, "/outputs/{id}/confirm", ACCESS_SIGNED_IN, h_output_confirm_post, 16 * KIB},
    {POST, "/outputs/{id}/adoptions", ACCESS_ORGANIZER, h_output_adoption_post, 64 * KIB},
    {GET, "/sessions/{id}/outcomes", ACCESS_PUBLIC, h_session_outcomes_page, 0},
    {GET, "/stats", ACCESS_SIGNED_IN, h_stats_page, 0},
    {GET, "/stats/report.pdf", ACCESS_SIGNED_IN, h_stats_pdf, 0},
    /* === end outputs === */

    /* === the live opinion map (opinion.c) === */
    {POST, "/api/v1/sessions/{id}/statements", ACCESS_PUBLIC, h_api_statements_create, 16 * KIB},
    {GET, "/api/v1/sessions/{id}/statements", ACCESS_PUBLIC, h_api_statements_list, 0},
    {HTTP_PUT, "/api/v1/statements/{id}/vote", ACCESS_PUBLIC, h_api_statement_vote, 4 * KIB},
    {PATCH, "/api/v1/statements/{id}", ACCESS_ORGANIZER, h_api_statement_moderate, 4 * KIB},
    {GET, "/api/v1/sessions/{id}/room", ACCESS_PUBLIC, h_api_room_get, 0},
    {POST, "/api/v1/sessions/{id}/room", ACCESS_ORGANIZER, h_api_room_set, 4 * KIB},
    {GET, "/api/v1/sessions/{id}/opinion", ACCESS_PUBLIC, h_api_opinion, 0},
    {GET, "/api/v1/sessions/{id}/opinion.csv", ACCESS_ORGANIZER, h_api_opinion_csv, 0},
    {GET, "/api/v1/sessions/{id}/opinion.xlsx", ACCESS_ORGANIZER, h_api_opinion_xlsx, 0},
    {GET, "/api/v1/sessions/{id}/events", ACCESS_PUBLIC, h_api_events, 0},
    {GET, "/sessions/{id}/map", ACCESS_PUBLIC, h_map_page, 0},
    {GET, "/sessions/{id}/map/live", ACCESS_PUBLIC, h_map_fragment, 0},
    {POST, "/statements/{id}/moderate", ACCESS_ORGANIZER, h_statement_moderate_post, 4 * KIB},
    {GET, "/j/{code}", ACCESS_PUBLIC, h_join_page, 0},
    {POST, "/j/{code}/vote", ACCESS_PUBLIC, h_join_vote, 4 * KIB},
    {POST, "/j/{code}/statements", ACCESS_PUBLIC, h_join_statement, 16 * KIB},
    /* === end opinion === */

    /* === search (search.c) === */
    {GET, "/api/v1/search", ACCESS_PUBLIC, h_api_search, 0},
    {GET, "/search", ACCESS_PUBLIC, h_search_page, 0},
    /* === end search === */

    /* pages */
    {GET, "/static/{file}", ACCESS_PUBLIC, h_static, 0},
    {GET, "/", ACCESS_PUBLIC, h_home, 0},
    {GET, "/lang", ACCESS_PUBLIC, h_lang, 0},
    {GET, "/login", ACCESS_PUBLIC, h_login_page, 0},
    {POST, "/login", ACCESS_PUBLIC, h_login_post, 16 * KIB},
    {POST, "/logout", ACCESS_SIGNED_IN, h_logout_post, 16 * KIB},
    {GET, "/dashboard", ACCESS_SIGNED_IN, h_dashboard, 0},
    {GET, "/account", ACCESS_SIGNED_IN, h_account_page, 0},
    {POST, "/account/password", ACCESS_SIGNED_IN, h_account_password, 16 * KIB},
    {GET, "/admin/orgs", ACCESS_ADMIN, h_orgs_page, 0},
    {POST, "/admin/orgs", ACCESS_ADMIN, h_orgs_post, 64 * KIB},
    {GET, "/admin/orgs/{id}", ACCESS_ADMIN, h_org_page, 0},
    {POST, "/admin/orgs/{id}", ACCESS_ADMIN, h_org_post, 64 * KIB},
    {GET, "/admin/users", ACCESS_ADMIN, h_users_page, 0},
    {POST, "/admin/users", ACCESS_ADMIN, h_users_post, 64 * KIB},
    {GET, "/admin/users/{id}", ACCESS_ADMIN, h_user_page, 0},
    {POST, "/admin/users/{id}", ACCESS_ADMIN, h_user_post, 64 * KIB},
    {GET, "/admin/audit", ACCESS_ADMIN, h_audit_page, 0},
};

const size_t web_nroutes = sizeof(web_routes) / sizeof(web_routes[0]);
