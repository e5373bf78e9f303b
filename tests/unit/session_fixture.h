/*
 * session_fixture.h - what the session and record tests make on top of model_fixture.h:
 * an approved topic, a person of a body, a session. Each helper fails the test at once
 * when the model refuses (the message says what it said).
 */
#ifndef SHENLIAO_TESTS_SESSION_FIXTURE_H
#define SHENLIAO_TESTS_SESSION_FIXTURE_H

#include "model/person.h"
#include "model/session.h"
#include "model_fixture.h"

#define SFIX_UNUSED __attribute__((unused))

static void sfix_check(int rc, const struct verr *e, const char *what)
{
	if (rc) {
		fprintf(stderr, "sfix: %s: %s (%s)\n", what, e->code ? e->en : "", err_name(rc));
		fail();
	}
}

/* sfix_topic makes an approved topic of org. */
static SFIX_UNUSED int64_t sfix_topic(struct mfix *f, const struct org *org, const char *title)
{
	struct topic_in in;
	struct verr e = {0};
	int64_t id = 0;
	int rc;

	topic_in_init(&in);
	in.title = title;
	in.domain = "society";
	in.origin = "member";
	rc = mfix_begin(f);
	if (!rc)
		rc = topic_create(f->db, &f->sys, org->id, &in, &id, &e);
	if (!rc)
		rc = topic_transition(f->db, &f->sys, id, "approved", &e);
	sfix_check(mfix_commit(f, rc), &e, "topic");
	return id;
}

/* sfix_person makes a person of org in category (a code: member, expert, official...),
 * working at affiliation (may be NULL). */
static SFIX_UNUSED int64_t sfix_person(struct mfix *f, const struct org *org, const char *name,
				       const char *category, const char *affiliation)
{
	struct person p;
	struct verr e = {0};
	int rc;

	memset(&p, 0, sizeof(p));
	p.org_id = org->id;
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.category, sizeof(p.category), "%s", category);
	snprintf(p.affiliation, sizeof(p.affiliation), "%s", affiliation ? affiliation : "");
	p.public_name = true;
	rc = mfix_begin(f);
	if (!rc)
		rc = person_create(f->db, &f->sys, &p, &e);
	sfix_check(mfix_commit(f, rc), &e, "person");
	return p.id;
}

/* sfix_session makes a draft session of org on topic by who. */
static SFIX_UNUSED int64_t sfix_session(struct mfix *f, const struct actor *who,
					const struct org *org, int64_t topic, const char *title,
					const char *visibility, int formats)
{
	struct session_in in;
	struct verr e = {0};
	int64_t id = 0;
	int rc;

	session_in_init(&in);
	in.topic_id = topic;
	in.title = title;
	in.visibility = visibility;
	in.formats = formats;
	rc = mfix_begin(f);
	if (!rc)
		rc = session_create(f->db, who, org->id, &in, &id, &e);
	sfix_check(mfix_commit(f, rc), &e, "session");
	return id;
}

/* sfix_move moves session id to each status of path in turn (the system actor). */
static SFIX_UNUSED void sfix_move(struct mfix *f, int64_t id, const char *const *path, size_t n)
{
	struct verr e = {0};
	size_t i;

	for (i = 0; i < n; i++) {
		int rc = mfix_begin(f);

		if (!rc)
			rc = session_transition(f->db, &f->sys, id, path[i], &e);
		sfix_check(mfix_commit(f, rc), &e, path[i]);
	}
}

#endif
