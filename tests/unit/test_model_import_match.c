/*
 * test_model_import_match.c - re-importing people (model/person.c): a row matches a person
 * of the importing body by the hash of its ID-card number, else by phone, else by name and
 * affiliation; a match is updated (or left unchanged) instead of added again, and the
 * answer counts added / updated / unchanged / refused. The ID-card number itself is never
 * stored. A bad ID-card number is a bad row (nothing imported); a row that matches two
 * people is refused, the others go in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/person.h"
#include "model_fixture.h"

/* id_card makes a valid 18-character ID-card number from its first 17 digits. */
static void id_card(const char *d17, char out[19])
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	int i, sum = 0;

	for (i = 0; i < 17; i++)
		sum += (d17[i] - '0') * w[i];
	memcpy(out, d17, 17);
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

static int import(struct mfix *f, const char *csv, struct person_import *imp)
{
	int rc;

	memset(imp, 0, sizeof(*imp));
	imp->scope = &f->city;
	imp->default_org = f->city.id;
	rc = mfix_begin(f);
	if (!rc)
		rc = mfix_commit(f, person_import_csv(f->db, &f->city_org, csv, strlen(csv), imp));
	if (rc && imp->nproblems)
		print_message("import: %s\n", imp->problems[0].en);
	if (rc && imp->file_err.code)
		print_message("import: %s\n", imp->file_err.en);
	return rc;
}

static int64_t count(struct mfix *f, const char *name)
{
	int64_t n = -1;

	assert_int_equal(
	    db_get_int(f->db, "SELECT COUNT(*) FROM person WHERE name = ?", &n, "s", name), ERR_OK);
	return n;
}

static int64_t person_id(struct mfix *f, const char *name)
{
	int64_t id = 0;

	assert_int_equal(db_get_int(f->db, "SELECT id FROM person WHERE name = ?", &id, "s", name),
			 ERR_OK);
	return id;
}

static void test_reimport(void **state)
{
	struct mfix *f = *state;
	struct person_import imp;
	struct person p;
	char card[19], csv[2048];
	int64_t n, a_id;

	id_card("44030419800101123", card);
	snprintf(csv, sizeof(csv),
		 "姓名,类别,工作单位,职务,电话,身份证号\n"
		 "匹配甲,member,深圳大学,教授,,%s\n"
		 "匹配乙,expert,市医院,主任,13900000001,\n"
		 "匹配丙,entrepreneur,某公司,,,\n",
		 card);
	assert_int_equal(import(f, csv, &imp), ERR_OK);
	assert_int_equal(imp.added, 3);
	assert_int_equal(imp.updated + imp.unchanged + imp.refused, 0);
	person_import_release(&imp);
	a_id = person_id(f, "匹配甲");

	/* only a hash of the ID-card number is kept, never the number */
	assert_int_equal(
	    db_get_int(f->db,
		       "SELECT COUNT(*) FROM person WHERE id = ? AND length(id_card_hash)"
		       " = 64 AND instr(id_card_hash, ?) = 0",
		       &n, "is", a_id, card),
	    ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(db_get_int(f->db,
				    "SELECT COUNT(*) FROM person p, audit l WHERE"
				    " instr(p.name || p.affiliation || p.title || p.phone, ?1) > 0"
				    " OR instr(COALESCE(CAST(l.after_json AS TEXT), ''), ?1) > 0",
				    &n, "s", card),
			 ERR_OK);
	assert_int_equal(n, 0);

	/* the same file again: nothing added, nothing changed */
	assert_int_equal(import(f, csv, &imp), ERR_OK);
	assert_int_equal(imp.added, 0);
	assert_int_equal(imp.unchanged, 3);
	assert_int_equal(imp.updated, 0);
	person_import_release(&imp);
	assert_int_equal(count(f, "匹配甲"), 1);
	assert_int_equal(count(f, "匹配乙"), 1);
	assert_int_equal(count(f, "匹配丙"), 1);

	/* changed rows: by ID card (a new name), by phone (a new title), by name and
	 * affiliation (a new sector), and one new person; an empty cell keeps what is there */
	snprintf(csv, sizeof(csv),
		 "name,category,affiliation,title,phone,sector,id_card\n"
		 "匹配甲（改名）,member,深圳大学,,,,%s\n"
		 "匹配乙,expert,市医院,副院长,13900000001,,\n"
		 "匹配丙,entrepreneur,某公司,,,经济界,\n"
		 "匹配丁,citizen,,,,,\n",
		 card);
	assert_int_equal(import(f, csv, &imp), ERR_OK);
	assert_int_equal(imp.added, 1);
	assert_int_equal(imp.updated, 3);
	assert_int_equal(imp.unchanged, 0);
	assert_int_equal(imp.refused, 0);
	person_import_release(&imp);
	assert_int_equal(person_get(f->db, a_id, &p), ERR_OK);
	assert_string_equal(p.name, "匹配甲（改名）");
	assert_string_equal(p.title, "教授"); /* kept: its cell was empty */
	assert_int_equal(count(f, "匹配甲"), 0);
	assert_int_equal(person_get(f->db, person_id(f, "匹配乙"), &p), ERR_OK);
	assert_string_equal(p.title, "副院长");
	assert_int_equal(person_get(f->db, person_id(f, "匹配丙"), &p), ERR_OK);
	assert_string_equal(p.sector, "经济界");
	assert_int_equal(count(f, "匹配丁"), 1);
	/* an update is audited with before and after */
	assert_int_equal(db_get_int(f->db,
				    "SELECT COUNT(*) FROM audit WHERE action = 'person.update'"
				    " AND entity_id = ?",
				    &n, "i", a_id),
			 ERR_OK);
	assert_int_equal(n, 1);
}

static void test_refused_and_bad(void **state)
{
	struct mfix *f = *state;
	struct person_import imp;
	struct person p;
	struct verr e;
	char card[19], csv[1024];
	int i;

	/* two people of the body share a phone: a row with only that phone matches both */
	for (i = 0; i < 2; i++) {
		memset(&p, 0, sizeof(p));
		p.org_id = f->city.id;
		snprintf(p.name, sizeof(p.name), "同号%d", i);
		snprintf(p.category, sizeof(p.category), "citizen");
		snprintf(p.phone, sizeof(p.phone), "13700000009");
		assert_int_equal(mfix_begin(f), ERR_OK);
		assert_int_equal(mfix_commit(f, person_create(f->db, &f->city_org, &p, &e)),
				 ERR_OK);
	}
	assert_int_equal(
	    import(f, "姓名,类别,电话\n同号新,citizen,13700000009\n匹配戊,citizen,\n", &imp),
	    ERR_OK);
	assert_int_equal(imp.refused, 1);
	assert_int_equal(imp.added, 1);
	assert_int_equal(imp.nrefusals, 1);
	assert_int_equal(imp.refusals[0].line, 2);
	assert_string_equal(imp.refusals[0].code, "ambiguous");
	person_import_release(&imp);
	assert_int_equal(count(f, "同号新"), 0);
	assert_int_equal(count(f, "匹配戊"), 1);

	/* a bad ID-card number (its check character is wrong) is a bad row: nothing goes in */
	id_card("44030419900202456", card);
	card[17] = card[17] == '1' ? '2' : '1';
	snprintf(csv, sizeof(csv), "姓名,类别,身份证号\n匹配己,citizen,%s\n匹配庚,citizen,\n",
		 card);
	assert_int_equal(import(f, csv, &imp), ERR_INVALID);
	assert_int_equal(imp.bad_rows, 1);
	assert_int_equal(imp.problems[0].line, 2);
	assert_string_equal(imp.problems[0].field, "id_card");
	person_import_release(&imp);
	assert_int_equal(count(f, "匹配庚"), 0);

	/* a person of an unrelated body with the same name and affiliation is not matched */
	memset(&p, 0, sizeof(p));
	p.org_id = f->other.id;
	snprintf(p.name, sizeof(p.name), "外地同名");
	snprintf(p.category, sizeof(p.category), "citizen");
	snprintf(p.affiliation, sizeof(p.affiliation), "同一单位");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_create(f->db, &f->sys, &p, &e)), ERR_OK);
	assert_int_equal(import(f, "姓名,类别,工作单位\n外地同名,citizen,同一单位\n", &imp),
			 ERR_OK);
	assert_int_equal(imp.added, 1);
	person_import_release(&imp);
	assert_int_equal(count(f, "外地同名"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reimport),
	    cmocka_unit_test(test_refused_and_bad),
	};

	return cmocka_run_group_tests_name("model_import_match", tests, mfix_setup, mfix_teardown);
}
