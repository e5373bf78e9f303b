/*
 * demo_outputs.c - the demo city body's year 2024 in numbers, as the seed report gives
 * them: 55 sessions across the five domains, whose suggestions became 53 outputs
 * (proposals, opinion reports, research reports, speeches, special reports), some adopted.
 * The women's-employment suggestions become a proposal, handled and adopted as a policy
 * measure, and an opinion report whose consensus reached a national-level meeting.
 * Handling units get accounts (hr-handler for 市人力资源和社会保障局).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/demo.h"
#include "model/model.h"
#include "model/output.h"
#include "model/session.h"

/* The year's other sessions (the detailed ones are in demo_sessions.c): title, domain,
 * organizer unit, formats. */
static const struct {
	const char *title, *domain, *unit;
	int formats;
} more[] = {
    {"提升深圳国际航运中心能级", "economy", "经济委员会", FORMAT_EXPERT},
    {"培育低空经济新质生产力", "economy", "经济委员会", FORMAT_EXPERT | FORMAT_COUNTERPART},
    {"优化民营经济发展环境", "economy", "工商联界别", FORMAT_SECTOR},
    {"推动数据要素市场化配置", "economy", "科技界", FORMAT_EXPERT},
    {"加快发展跨境金融", "economy", "经济界", FORMAT_EXPERT},
    {"促进首发经济发展", "economy", "经济委员会", FORMAT_SECTOR},
    {"建设全球海洋中心城市", "economy", "经济委员会", FORMAT_EXPERT | FORMAT_JOINT},
    {"提升中小企业融资便利度", "economy", "经济界", FORMAT_COUNTERPART},
    {"打造世界级先进制造业集群", "economy", "科技界", FORMAT_EXPERT},
    {"发展银发经济", "economy", "社会和法制委员会", FORMAT_SECTOR},
    {"完善基层协商民主机制", "politics", "提案委员会", FORMAT_SECTOR},
    {"深化法治化营商环境建设", "politics", "社会和法制委员会", FORMAT_EXPERT},
    {"加强知识产权保护", "politics", "社会和法制委员会", FORMAT_COUNTERPART},
    {"推进政务服务“一网通办”", "politics", "提案委员会", FORMAT_COUNTERPART},
    {"健全社区治理体系", "politics", "社会和法制委员会", FORMAT_SECTOR},
    {"加强港澳青年创新创业服务", "politics", "港澳台侨和外事委员会", FORMAT_JOINT},
    {"提升城市安全韧性", "politics", "人口资源环境委员会", FORMAT_EXPERT},
    {"完善多元化纠纷解决机制", "politics", "社会和法制委员会", FORMAT_EXPERT},
    {"构建生育友好型社会", "society", "妇联界别", FORMAT_SECTOR},
    {"推进普惠托育服务体系建设", "society", "妇联界别", FORMAT_SECTOR | FORMAT_COUNTERPART},
    {"发展职业教育产教融合", "society", "教科卫体委员会", FORMAT_EXPERT},
    {"加强青少年心理健康服务", "society", "教科卫体委员会", FORMAT_EXPERT},
    {"完善灵活就业人员社会保障", "society", "社会和法制委员会", FORMAT_COUNTERPART},
    {"推进社区居家养老服务", "society", "社会和法制委员会", FORMAT_SECTOR},
    {"优化基层医疗卫生服务", "society", "教科卫体委员会", FORMAT_COUNTERPART},
    {"增加保障性住房供给", "society", "人口资源环境委员会", FORMAT_COUNTERPART},
    {"促进高校毕业生就业", "society", "教科卫体委员会", FORMAT_SECTOR},
    {"加强残疾人就业帮扶", "society", "社会和法制委员会", FORMAT_SECTOR},
    {"打造全民阅读之城", "culture", "文化文史和学习委员会", FORMAT_SECTOR},
    {"推动文化和旅游深度融合", "culture", "文化文史和学习委员会", FORMAT_EXPERT},
    {"保护和活化利用历史建筑", "culture", "文化文史和学习委员会", FORMAT_EXPERT},
    {"发展数字文化产业", "culture", "文化艺术界", FORMAT_EXPERT},
    {"讲好深圳故事", "culture", "新闻出版界", FORMAT_SECTOR},
    {"建设体育强市", "culture", "教科卫体委员会", FORMAT_COUNTERPART},
    {"繁荣社区文化生活", "culture", "文化文史和学习委员会", FORMAT_SECTOR},
    {"推进“无废城市”建设", "ecology", "人口资源环境委员会", FORMAT_EXPERT},
    {"加强红树林湿地保护", "ecology", "人口资源环境委员会", FORMAT_EXPERT | FORMAT_JOINT},
    {"推动绿色低碳交通发展", "ecology", "人口资源环境委员会", FORMAT_COUNTERPART},
    {"提升河湖水环境质量", "ecology", "人口资源环境委员会", FORMAT_COUNTERPART},
    {"建设公园城市", "ecology", "人口资源环境委员会", FORMAT_SECTOR},
    {"推进建筑领域碳达峰", "ecology", "科技界", FORMAT_EXPERT},
    {"发展海上风电", "ecology", "经济委员会", FORMAT_EXPERT},
    {"加强生物多样性保护", "ecology", "人口资源环境委员会", FORMAT_EXPERT},
    {"推进垃圾分类精细化管理", "ecology", "人口资源环境委员会", FORMAT_SECTOR},
    {"完善城市更新中的公共服务配套", "society", "人口资源环境委员会", FORMAT_COUNTERPART},
    {"促进人工智能赋能千行百业", "economy", "科技界", FORMAT_EXPERT},
    {"提升国际化街区建设水平", "culture", "港澳台侨和外事委员会", FORMAT_SECTOR},
    {"加快建设国际消费中心城市", "economy", "经济委员会", FORMAT_EXPERT},
    {"完善新就业形态劳动者权益保障", "society", "社会和法制委员会", FORMAT_COUNTERPART},
};

struct ctx {
	struct demo *d;
	struct db *db;
	struct actor sys;
	struct verr *e;
	int64_t org;
	int64_t expert, official, member, speaker;
	int64_t hr, sci, dev, women; /* handling units */
	struct demo_made more[ARRAY_LEN(more)];
};

static int64_t day(const char *ymd)
{
	int64_t t = 0;

	return time_parse(ymd, &t) ? 0 : t;
}

/* add_more_session holds one of the year's other sessions with a remark and two
 * suggestions, noting what it made in x->more[i]. */
static int add_more_session(struct ctx *x, size_t i)
{
	struct demo_made *made = &x->more[i];
	struct topic_in ti;
	struct session_in si;
	int64_t topic, session, id, remark = 0, props[1], t, linked[1];
	struct source_ref src;
	char when[32], body[256], title[256];
	int rc, month = 1 + (int)(i * 11 / ARRAY_LEN(more)), dd = 3 + (int)(i * 7 % 24);

	topic_in_init(&ti);
	ti.title = more[i].title;
	ti.domain = more[i].domain;
	ti.origin = i % 3 == 0 ? "assigned" : (i % 3 == 1 ? "member" : "sector");
	ti.plan_year = 2024;
	ti.plan_month = month;
	rc = topic_create(x->db, &x->sys, x->org, &ti, &topic, x->e);
	if (!rc)
		rc = topic_transition(x->db, &x->sys, topic, "approved", x->e);
	if (rc)
		return rc;
	session_in_init(&si);
	si.topic_id = topic;
	si.title = more[i].title;
	si.venue = i % 2 ? "市政协机关三楼会议室" : "市民中心会议厅";
	si.organizer_unit = more[i].unit;
	si.formats = more[i].formats;
	si.department = more[i].formats & FORMAT_COUNTERPART ? "市发展和改革委员会" : "";
	si.visibility = i % 4 == 3 ? "internal" : "public";
	if (cli_fmt(when, sizeof(when), "2024-%02d-%02dT14:30", month, dd) == ERR_OK &&
	    time_parse(when, &t) == ERR_OK)
		si.starts_at = made->starts_at = t;
	if (more[i].formats & FORMAT_JOINT) {
		linked[0] = x->d->yantian.id;
		si.linked_orgs = linked;
		si.nlinked = 1;
	}
	rc = session_create(x->db, &x->sys, x->org, &si, &session, x->e);
	made->id = session;
	if (!rc)
		rc = invitation_add(x->db, &x->sys, session, x->expert, "expert", &id, x->e);
	if (!rc)
		rc = invitation_add(x->db, &x->sys, session, x->member, "member", &id, x->e);
	if (!rc && (more[i].formats & FORMAT_COUNTERPART))
		rc = invitation_add(x->db, &x->sys, session, x->official, "official", &id, x->e);
	if (!rc)
		rc = session_transition(x->db, &x->sys, session, "scheduled", x->e);
	if (!rc)
		rc = session_transition(x->db, &x->sys, session, "live", x->e);
	if (!rc)
		rc = invitation_attend(x->db, &x->sys, session, x->member, true, x->e);
	if (!rc)
		rc = invitation_attend(x->db, &x->sys, session, x->expert, true, x->e);
	if (!rc)
		rc = cli_fmt(body, sizeof(body),
			     "围绕“%s”，建议加强统筹协调，明确责任分工，加大政策支持力度。",
			     more[i].title);
	if (!rc)
		rc = remark_add(x->db, &x->sys, session, x->expert, "专家", body, &remark, x->e);
	props[0] = x->member;
	memset(&src, 0, sizeof(src));
	memcpy(src.kind, "remark", sizeof("remark"));
	src.id = remark;
	if (!rc)
		rc = cli_fmt(title, sizeof(title), "关于%s的对策建议", more[i].title);
	if (!rc)
		rc = suggestion_add(x->db, &x->sys, session, title,
				    "建立部门协同机制，出台专项支持措施。", props, 1, &src, 1, &id,
				    x->e);
	if (!rc)
		made->suggestions[made->nsuggestions++] = id;
	if (!rc)
		rc = cli_fmt(title, sizeof(title), "%s：开展试点示范", more[i].title);
	if (!rc)
		rc = suggestion_add(x->db, &x->sys, session, title, "选择条件成熟的区先行试点。",
				    props, 1, NULL, 0, &id, x->e);
	if (!rc)
		made->suggestions[made->nsuggestions++] = id;
	if (!rc)
		rc = session_transition(x->db, &x->sys, session, "closed", x->e);
	if (!rc)
		x->d->n_sessions++;
	return rc;
}

/* make_output drafts an output from a session's suggestions and walks its workflow to
 * state (an index into the kind's path), with dates after the session's. */
static int make_output(struct ctx *x, const char *kind, const char *title, const char *body,
		       const struct demo_made *session, int64_t lead, int64_t cosigner, int steps,
		       int64_t dated, int64_t *out)
{
	static const char *const proposal_path[] = {"submitted", "accepted",  "assigned",
						    "replied",	 "evaluated", "closed"};
	static const char *const report_path[] = {"submitted", "edited", "sent", "instructed",
						  "closed"};
	static const char *const other_path[] = {"submitted", "delivered", "closed"};
	struct output_author_in authors[2];
	struct output_in in;
	struct output_move m;
	int64_t lead_h[1], co_h[1];
	const char *const *path;
	size_t npath;
	int rc, k;

	output_in_init(&in);
	in.kind = kind;
	in.title = title;
	in.body = body;
	in.nsuggestions = session->nsuggestions;
	in.suggestions = session->suggestions;
	in.dated_at = dated;
	in.cosign_deadline = dated + 7 * 86400;
	memset(authors, 0, sizeof(authors));
	authors[0].person_id = lead;
	memcpy(authors[0].role, "lead", sizeof("lead"));
	authors[1].person_id = cosigner;
	memcpy(authors[1].role, "cosigner", sizeof("cosigner"));
	in.authors = authors;
	in.nauthors = cosigner ? 2 : 1;
	rc = output_create(x->db, &x->sys, x->org, &in, out, x->e);
	/* the co-signer signed on paper before it was submitted */
	if (!rc && cosigner)
		rc = output_confirm_on_paper(x->db, &x->sys, *out, cosigner);
	if (rc)
		return rc;
	x->d->n_outputs++;
	if (strcmp(kind, "proposal") == 0) {
		path = proposal_path;
		npath = ARRAY_LEN(proposal_path);
	} else if (strcmp(kind, "opinion_report") == 0) {
		path = report_path;
		npath = ARRAY_LEN(report_path);
	} else {
		path = other_path;
		npath = ARRAY_LEN(other_path);
	}
	for (k = 0; !rc && k < steps && (size_t)k < npath; k++) {
		memset(&m, 0, sizeof(m));
		m.to = path[k];
		m.at = dated + (int64_t)(k + 1) * 9 * 86400;
		lead_h[0] = x->hr;
		co_h[0] = x->women;
		m.lead_handlers = lead_h;
		m.nlead = 1;
		m.co_handlers = co_h;
		m.nco = cosigner ? 1 : 0;
		m.reply_text = "经研究，已将相关建议纳入年度工作计划并推进落实。";
		m.grade = k % 2 ? "A" : "B";
		m.satisfaction = "satisfied";
		m.issue = "2024年第18期";
		m.sent_to = "广东省政协";
		m.instruction_by = "市领导";
		m.instruction_text = "请有关部门认真研究吸纳。";
		rc = output_transition(x->db, &x->sys, *out, &m, x->e);
	}
	return rc;
}

static int adopt(struct ctx *x, int64_t output, const char *kind, const char *title,
		 const char *issuer, const char *ref, const char *date)
{
	struct adoption_in a = {kind, title, issuer, ref, date, "", ""};
	int64_t id;

	return adoption_add(x->db, &x->sys, output, &a, &id, x->e);
}

int demo_outputs(struct demo *d)
{
	static const char *const kinds[] = {"proposal", "opinion_report", "research_report",
					    "proposal", "special_report", "speech"};
	const struct demo_made *women, *ocean, *sci;
	struct ctx *x;
	struct user u;
	int64_t id;
	size_t i;
	int rc, made = 0;

	x = calloc(1, sizeof(*x));
	if (!x)
		return ERR_NOMEM;
	x->d = d;
	x->db = d->db;
	x->sys = d->sys;
	x->e = &d->e;
	x->org = d->sz.id;
	x->expert = demo_person(d, "tt");
	x->official = demo_person(d, "dev");
	x->member = demo_person(d, "chen");
	x->speaker = demo_person(d, "zhang");
	women = demo_session(d, "对因生育影响职业的妇女提供职业帮助");
	ocean = demo_session(d, "“海洋+新能源”市政协领导与专家“聊”");
	sci = demo_session(d, "支持民营企业参与重大科技创新平台建设");
	rc = women && ocean && sci ? ERR_OK : ERR_NOT_FOUND;
	if (!rc)
		rc = handler_create(x->db, &x->sys, x->org, "市人力资源和社会保障局", &x->hr, x->e);
	if (!rc)
		rc = handler_create(x->db, &x->sys, x->org, "市科技创新局", &x->sci, x->e);
	if (!rc)
		rc = handler_create(x->db, &x->sys, x->org, "市发展和改革委员会", &x->dev, x->e);
	if (!rc)
		rc = handler_create(x->db, &x->sys, x->org, "市妇女联合会", &x->women, x->e);
	if (rc)
		goto fail;
	/* the handling unit's account */
	memset(&u, 0, sizeof(u));
	u.org_id = x->org;
	memcpy(u.username, "hr-handler", sizeof("hr-handler"));
	memcpy(u.display_name, "市人社局（承办）", sizeof("市人社局（承办）"));
	memcpy(u.role, "guest", sizeof("guest"));
	u.handler_id = x->hr;
	rc = user_create(x->db, &x->sys, &u, demo_password, x->e);
	for (i = 0; !rc && i < ARRAY_LEN(more); i++)
		rc = add_more_session(x, i);
	if (rc)
		goto fail;

	/* the women's-employment session: a proposal, handled and adopted into policy, and
	 * an opinion report whose consensus reached the national CPPCC */
	rc = make_output(x, "proposal", "关于建立育后岗位保留制度 帮助生育妇女重返职场的提案", "",
			 women, demo_person(d, "zhang"), demo_person(d, "wang"), 6,
			 day("2024-07-25"), &id);
	if (!rc)
		rc = adopt(x, id, "policy", "关于推动“妈妈岗”向新兴领域扩展的若干措施",
			   "深圳市人力资源和社会保障局", "深人社规〔2024〕12号", "2024-11-20");
	if (!rc)
		rc =
		    make_output(x, "opinion_report", "关于为生育影响职业的妇女提供就业帮助的建议",
				"一、情况：生育率持续走低，女性因生育面临职业中断。\n"
				"二、分析：育后岗位保留、男性产假、“妈妈岗”覆盖面等制度仍有短板。\n"
				"三、建议：建立育后岗位保留制度，延长男性产假，将“妈妈岗”推广到"
				"新兴领域，关注女性情感健康。",
				women, demo_person(d, "wang"), 0, 4, day("2024-07-18"), &id);
	if (!rc)
		rc = adopt(
		    x, id, "escalation",
		    "全国政协“保障生育妇女就业权益 营造生育友好社会环境”妇联界别协商座谈会发言",
		    "全国政协", "", "2024-09-12");
	if (!rc)
		rc = make_output(x, "research_report", "“海洋+新能源”产业发展调研报告", "", ocean,
				 demo_person(d, "zhou_e"), 0, 3, day("2024-10-20"), &id);
	if (!rc)
		rc = make_output(x, "speech", "加快建设滨海光伏长廊 培育海洋新能源产业", "", ocean,
				 demo_person(d, "chen"), 0, 2, day("2024-11-05"), &id);
	if (!rc)
		rc = adopt(x, id, "media", "滨海光伏长廊建议引起关注", "深圳特区报", "",
			   "2024-11-08");
	if (!rc)
		rc = make_output(x, "proposal", "关于支持民营企业牵头建设重大科技创新平台的提案",
				 "", sci, demo_person(d, "chen"), demo_person(d, "huang"), 4,
				 day("2024-11-01"), &id);
	if (!rc)
		rc = adopt(x, id, "department", "将民营企业牵头承担重大平台项目纳入支持范围",
			   "市科技创新局", "", "2024-12-10");
	made = 5;
	/* the year's other outputs, one or two per session, to 53 in all */
	for (i = 0; !rc && made < 53; i++) {
		size_t s = i % ARRAY_LEN(more);
		const char *kind = kinds[i % ARRAY_LEN(kinds)];
		char title[300];
		int64_t dated, start = x->more[s].starts_at;

		if (!start)
			start = day("2024-06-01");
		dated = start + (int64_t)(15 + i % 30) * 86400;
		if (dated >= day("2024-12-31"))
			dated = day("2024-12-20");
		rc = cli_fmt(title, sizeof(title), "%s%s%s", i < ARRAY_LEN(more) ? "关于" : "再谈",
			     more[s].title,
			     strcmp(kind, "proposal") == 0	    ? "的提案"
			     : strcmp(kind, "opinion_report") == 0  ? "的社情民意信息"
			     : strcmp(kind, "research_report") == 0 ? "的调研报告"
			     : strcmp(kind, "speech") == 0	    ? "（大会发言）"
								    : "（专报）");
		if (!rc)
			rc = make_output(
			    x, kind, title,
			    strcmp(kind, "opinion_report") == 0
				? "一、情况：问题日益突出。\n二、分析：制度和资源仍有短板。\n"
				  "三、建议：加强统筹，出台专项措施。"
				: "",
			    &x->more[s], x->member, i % 3 ? x->expert : 0, (int)(i % 7), dated,
			    &id);
		if (!rc && i % 4 == 1)
			rc = adopt(x, id, i % 8 == 1 ? "department" : "instruction",
				   "相关建议被有关部门吸纳", "市有关部门", "", "2024-12-15");
		made++;
	}
fail:
	if (rc && d->e.code)
		fprintf(stderr, "shenliao: demo outputs: %s\n", d->e.en);
	free(x);
	return rc;
}
