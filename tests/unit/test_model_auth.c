/*
 * test_model_auth.c - signing in and the sessions of an account, against a real database:
 * auth_login audits every outcome (login.ok with the address, login.failed) and never locks
 * an account by itself (throttling is the web layer's, by account and address); signing
 * out everywhere ends the other sessions only; a password change ends the other sessions
 * of the account but keeps the one that made it (all of them when an admin sets it);
 * changes of role or body have their own audit row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model_fixture.h"

static int group_setup(void **state)
{
	return mfix_setup(state);
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

/* audit_count counts audit rows of action about user id (0: any) from address (NULL: any). */
static int64_t audit_count(struct mfix *f, const char *action, int64_t id, const char *address)
{
	int64_t n = -1;

	assert_int_equal(
	    db_get_int(f->db,
		       "SELECT COUNT(*) FROM audit WHERE action = ?1 AND (?2 = 0 OR"
		       " entity_id = ?2) AND (CAST(?3 AS TEXT) IS NULL OR address = ?3)",
		       &n, "sis", action, id, address),
	    ERR_OK);
	return n;
}

/* signed_in makes a cookie sign-in of u: its token in token, the actor it gives in *a. */
static void signed_in(struct mfix *f, const struct user *u, char token[65], struct actor *a)
{
	char csrf[65];

	assert_int_equal(auth_session_create(f->db, u->id, token, csrf), ERR_OK);
	memset(a, 0, sizeof(*a));
	assert_int_equal(auth_session_find(f->db, token, a), ERR_OK);
	assert_int_equal(a->via, AUTH_COOKIE);
	assert_true(a->session_id > 0);
	a->address = "192.0.2.1";
}

static bool alive(struct mfix *f, const char *token)
{
	struct actor a;

	return auth_session_find(f->db, token, &a) == ERR_OK;
}

static void test_login_audited_never_locked(void **state)
{
	struct mfix *f = *state;
	struct actor owner;
	struct user u;
	int i;

	assert_int_equal(mfix_actor(f, &f->city, "login-owner", "member", &owner), 0);
	for (i = 0; i < 30; i++)
		assert_int_equal(
		    auth_login(f->db, "login-owner", "wrong-password", "203.0.113.5", &u),
		    ERR_AUTH);
	assert_int_equal(audit_count(f, "login.failed", 0, "203.0.113.5"), 30);
	/* thirty failures from one address do not lock the account: throttling is by address */
	assert_int_equal(auth_login(f->db, "login-owner", "fixture-password", "198.51.100.7", &u),
			 ERR_OK);
	assert_string_equal(u.username, "login-owner");
	assert_int_equal(audit_count(f, "login.ok", u.id, "198.51.100.7"), 1);
	/* unknown names and disabled accounts fail the same way */
	assert_int_equal(auth_login(f->db, "no-such-user", "fixture-password", "203.0.113.5", &u),
			 ERR_AUTH);
	assert_int_equal(audit_count(f, "login.failed", 0, "203.0.113.5"), 31);
}

static void test_end_others(void **state)
{
	struct mfix *f = *state;
	struct actor base, a, b, c, other;
	char ta[65], tb[65], tc[65], to[65];
	int ended = -1;

	assert_int_equal(mfix_actor(f, &f->city, "revoke-me", "member", &base), 0);
	signed_in(f, &base.user, ta, &a);
	signed_in(f, &base.user, tb, &b);
	signed_in(f, &base.user, tc, &c);
	signed_in(f, &f->city_guest.user, to, &other);
	assert_true(a.session_id != b.session_id);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, auth_session_end_others(f->db, &a, &ended)), ERR_OK);
	assert_int_equal(ended, 2);
	assert_true(alive(f, ta));
	assert_false(alive(f, tb));
	assert_false(alive(f, tc));
	assert_true(alive(f, to)); /* another account's sign-in is untouched */
	assert_int_equal(audit_count(f, "logout.everywhere", base.user.id, "192.0.2.1"), 1);
	/* a bearer caller has no sign-in of its own to keep: every cookie sign-in ends */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, auth_session_end_others(f->db, &base, &ended)), ERR_OK);
	assert_int_equal(ended, 1);
	assert_false(alive(f, ta));
	/* nobody signed in: refused */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, auth_session_end_others(f->db, &f->anon, &ended)),
			 ERR_AUTH);
	assert_int_equal(ended, 0);
}

static void test_password_change_keeps_own(void **state)
{
	struct mfix *f = *state;
	struct actor base, a, b;
	struct user before, u;
	struct verr e;
	char ta[65], tb[65];

	assert_int_equal(mfix_actor(f, &f->city, "pw-changer", "member", &base), 0);
	signed_in(f, &base.user, ta, &a);
	signed_in(f, &base.user, tb, &b);
	before = u = base.user;
	/* a bad new password changes nothing and ends nothing */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, user_update(f->db, &a, &before, &u, "short", &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "password");
	assert_true(alive(f, tb));
	/* by oneself: the other sign-in ends, this one stays */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, user_update(f->db, &a, &before, &u, "new-password-1", &e)),
			 ERR_OK);
	assert_true(alive(f, ta));
	assert_false(alive(f, tb));
	assert_int_equal(audit_count(f, "user.password", base.user.id, NULL), 1);
	assert_int_equal(audit_count(f, "user.role", base.user.id, NULL), 0);
	/* by an admin: every sign-in of the account ends */
	signed_in(f, &base.user, tb, &b);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, user_update(f->db, &f->city_admin, &before, &u, "new-password-2", &e)),
	    ERR_OK);
	assert_false(alive(f, ta));
	assert_false(alive(f, tb));
	assert_int_equal(audit_count(f, "user.password", base.user.id, NULL), 2);
}

static void test_role_change_audited(void **state)
{
	struct mfix *f = *state;
	struct actor base;
	struct user before, u;
	struct verr e;
	char *after = NULL;

	assert_int_equal(mfix_actor(f, &f->city, "role-moved", "member", &base), 0);
	before = u = base.user;
	snprintf(u.display_name, sizeof(u.display_name), "改名而已");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, user_update(f->db, &f->city_admin, &before, &u, NULL, &e)),
			 ERR_OK);
	assert_int_equal(audit_count(f, "user.role", base.user.id, NULL), 0);
	before = u;
	snprintf(u.role, sizeof(u.role), "organizer");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, user_update(f->db, &f->city_admin, &before, &u, NULL, &e)),
			 ERR_OK);
	assert_int_equal(audit_count(f, "user.role", base.user.id, NULL), 1);
	before = u;
	u.org_id = f->district.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, user_update(f->db, &f->city_admin, &before, &u, NULL, &e)),
			 ERR_OK);
	assert_int_equal(audit_count(f, "user.role", base.user.id, NULL), 2);
	{
		struct db_stmt *st;

		assert_int_equal(db_get_row(f->db,
					    "SELECT before_json, after_json FROM audit WHERE"
					    " action = 'user.role' AND entity_id = ? ORDER BY id"
					    " LIMIT 1",
					    &st, "i", base.user.id),
				 ERR_OK);
		assert_non_null(strstr(db_col_text(st, 0), "\"member\""));
		after = strdup(db_col_text(st, 1));
		db_done(st);
	}
	assert_non_null(strstr(after, "\"organizer\""));
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_login_audited_never_locked),
	    cmocka_unit_test(test_end_others),
	    cmocka_unit_test(test_password_change_keeps_own),
	    cmocka_unit_test(test_role_change_audited),
	};

	return cmocka_run_group_tests_name("model_auth", tests, group_setup, group_teardown);
}
