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
