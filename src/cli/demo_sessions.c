/*
 * demo_sessions.c - the demo city body's 2024 deep-talk sessions, as the seed report tells
 * them: employment help for women after childbirth (10 July, Women's Federation sector,
 * with its four suggestions), "ocean + new energy" (26 September, at a district report
 * hall, with experts and district members), private enterprises in major sci-tech
 * platforms, and the other topics of the year; people of every category. Names of people
 * are invented; bodies, dates and topics follow the report. Everything goes through the
 * model, so it is validated, audited and indexed like data entered by hand.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli/demo.h"
#include "model/model.h"
#include "model/person.h"
#include "model/room.h"
#include "model/session.h"

struct demo_person {
	const char *key, *name, *category, *sector, *committee, *affiliation, *title, *org;
	const char *user; /* linked account, or NULL */
	int public_name;
};

static const struct demo_person people[] = {
    {"li_vc", "李振华", "leader", "", "", "深圳市政协", "副主席", "sz", "leader", 1},
    {"wang", "王委员", "member", "妇联界别", "社会和法制委员会", "深圳市妇女联合会", "委员", "sz",
     "member", 1},
    {"zhang", "张丽华", "member", "妇联界别", "社会和法制委员会", "深圳市某律师事务所", "合伙人",
     "sz", NULL, 1},
    {"chen", "陈建国", "member", "经济界", "经济委员会", "深圳市某投资集团", "董事长", "sz", NULL,
     1},
    {"huang", "黄志明", "member", "科技界", "教科卫体委员会", "深圳某大学", "教授", "sz", NULL, 1},
    {"lin_m", "林晓燕", "member", "民进", "文化文史和学习委员会", "深圳某中学", "校长", "sz", NULL,
     0},
    {"yt_m1", "邓海鹏", "member", "盐田区政协", "", "盐田区某港航企业", "总经理", "sz-yantian",
     NULL, 1},
    {"yt_m2", "罗静", "member", "盐田区政协", "", "盐田区某社区", "书记", "sz-yantian", NULL, 0},
    {"ft_m1", "许文博", "member", "福田区政协", "", "福田区某律师事务所", "律师", "sz-futian",
     "ft-member", 1},
    {"liu_e", "刘明远", "expert", "", "", "深圳大学人口研究所", "教授", "sz", NULL, 1},
    {"zhou_e", "周海宁", "expert", "", "", "某海洋大学（筹）", "筹建负责人", "sz", NULL, 1},
    {"wu_e", "吴清源", "expert", "", "", "某清洁能源研究院", "院长", "sz", NULL, 1},
    {"qian_e", "钱立", "expert", "", "", "某国际法研究中心", "研究员", "sz", NULL, 0},
    {"zheng", "郑宏", "entrepreneur", "", "", "某科技股份有限公司", "董事长", "sz", NULL, 1},
    {"he", "何凯", "entrepreneur", "", "", "某国际集装箱码头有限公司", "副总经理", "sz", NULL, 1},
    {"sun_s", "孙梅", "sector_rep", "妇联界别", "", "某社区妇女之家", "负责人", "sz", NULL, 0},
    {"zhao_s", "赵敏", "sector_rep", "妇联界别", "", "某互联网公司", "产品经理", "sz", NULL, 0},
    {"feng_o", "冯雅", "social_org", "", "", "深圳市某妇女儿童发展基金会", "秘书长", "sz", NULL, 1},
    {"hr", "蒋立新", "official", "", "", "市人力资源和社会保障局", "副局长", "sz", NULL, 1},
    {"sci", "韩卫", "official", "", "", "市科技创新局", "处长", "sz", NULL, 1},
    {"dev", "杨帆", "official", "", "", "市发展和改革委员会", "处长", "sz", NULL, 1},
    {"ocean", "宋涛", "official", "", "", "市海洋发展局", "副局长", "sz", NULL, 1},
    {"tt", "唐智", "think_tank", "", "", "某综合开发研究院", "研究员", "sz", NULL, 1},
    {"cit1", "马先生", "citizen", "", "", "", "", "sz", NULL, 0},
    {"cit2", "朱女士", "citizen", "", "", "", "", "sz", NULL, 0},
};

_Static_assert(sizeof(people) / sizeof(people[0]) <= DEMO_MAX_PEOPLE, "demo people");

int64_t demo_person(const struct demo *d, const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(people); i++)
		if (strcmp(people[i].key, key) == 0)
			return d->people[i];
	return 0;
}

/* org_of returns the demo body with slug (one of the three the demo made). */
static const struct org *org_of(const struct demo *d, const char *slug)
{
	if (strcmp(slug, d->yantian.slug) == 0)
		return &d->yantian;
	if (strcmp(slug, d->futian.slug) == 0)
		return &d->futian;
	return &d->sz;
}

/* set_text stores s as field f of p (person_set_text), keeping the first error. */
static int set_text(struct person *p, enum person_field f, const char *s, int rc, struct verr *e)
{
	return rc ? rc : person_set_text(p, f, s, strlen(s), e);
}

/* add_people registers the demo people through person_create, as the people pages do. */
static int add_people(struct demo *d)
{
	struct person p;
	struct user u;
	size_t i;
	int rc = ERR_OK;

	for (i = 0; !rc && i < ARRAY_LEN(people); i++) {
		const struct demo_person *dp = &people[i];

		memset(&p, 0, sizeof(p));
		p.org_id = org_of(d, dp->org)->id;
		p.public_name = dp->public_name != 0;
		if (dp->user) {
			rc = user_get_by_name(d->db, dp->user, &u);
			p.user_id = rc ? 0 : u.id;
		}
		rc = set_text(&p, PERSON_NAME, dp->name, rc, &d->e);
		rc = set_text(&p, PERSON_CATEGORY, dp->category, rc, &d->e);
		rc = set_text(&p, PERSON_SECTOR, dp->sector, rc, &d->e);
		rc = set_text(&p, PERSON_COMMITTEE, dp->committee, rc, &d->e);
		rc = set_text(&p, PERSON_TERM, "第七届", rc, &d->e);
		rc = set_text(&p, PERSON_AFFILIATION, dp->affiliation, rc, &d->e);
		rc = set_text(&p, PERSON_TITLE, dp->title, rc, &d->e);
		if (!rc)
			rc = person_create(d->db, &d->sys, &p, &d->e);
		if (!rc) {
			d->people[i] = p.id;
			d->n_people++;
		} else if (d->e.code)
			fprintf(stderr, "shenliao: demo: %s: %s\n", dp->name, d->e.en);
	}
	return rc;
}

struct demo_invite {
	const char *who, *role;
	int attended;
};

struct demo_remark {
	const char *who, *role, *body;
};

struct demo_session {
	const char *org, *topic, *description, *domain, *origin, *proposer;
	int plan_month;
	const char *title, *starts, *ends, *venue, *unit, *department, *visibility;
	int formats;
	const char *linked; /* org slug or NULL */
	const char *status; /* final status */
	struct demo_invite invites[10];
	struct demo_remark remarks[6];
	const char *commitments[3]; /* counterpart talks: what the department undertook */
	const char *agreed[3];
	const char *differences[2];
	struct {
		const char *title, *body, *proposers[3];
		int from_remark; /* 1-based index into remarks, 0 for none */
	} suggestions[5];
};

#define E FORMAT_EXPERT
#define C FORMAT_COUNTERPART
#define S FORMAT_SECTOR
#define J FORMAT_JOINT

static const struct demo_session sessions[] = {
    {"sz",
     "对因生育影响职业的妇女提供职业帮助",
     "在生育率持续走低的背景下，女性因生育面临的职业问题成为社会各界关注的焦点。"
     "围绕政策支持、法律保障、企业责任、社会观念等层面深入协商。",
     "society",
     "sector",
     "妇联界别",
     7,
     "对因生育影响职业的妇女提供职业帮助",
     "2024-07-10T14:30",
     "2024-07-10T17:30",
     "市政协机关三楼会议室",
     "妇联界别",
     "市人力资源和社会保障局",
     "public",
     S | C | E,
     NULL,
     "closed",
     {{"li_vc", "host", 1},
      {"wang", "member", 1},
      {"zhang", "speaker", 1},
      {"liu_e", "expert", 1},
      {"zheng", "member", 1},
      {"sun_s", "member", 1},
      {"zhao_s", "member", 1},
      {"feng_o", "member", 1},
      {"hr", "official", 1}},
     {{"zhang", "委员",
       "很多女性在生育后回到原岗位时发现岗位已被调整。建议建立**育后岗位保留制度**，"
       "明确保留期限和待遇。"},
      {"liu_e", "专家",
       "国际经验表明，父亲参与育儿能明显减轻女性的职业中断。建议适当**延长男性产假**，"
       "并探索夫妻共享育儿假。"},
      {"zhao_s", "界别群众",
       "我们这一代人最担心的是生了孩子就回不去了。“妈妈岗”目前多在"
       "家政、零售等传统领域，能否推广到互联网等新兴行业？"},
      {"feng_o", "社会组织",
       "产后女性的情绪和心理健康常被忽视，建议把**女性情感健康**纳入"
       "社区服务和用人单位关怀。"},
      {"hr", "政府部门",
       "人社局将研究把“妈妈岗”扩展到新兴领域，并会同有关部门评估育后岗位保留的可行路径。"},
      {"zheng", "企业家", "企业愿意承担责任，但也需要税费减免等配套政策，降低用工成本。"}},
     {"研究将“妈妈岗”从传统领域推广到新兴领域，年内提出试点方案",
      "会同有关部门评估建立育后岗位保留制度的可行路径"},
     {"生育女性的职业中断需要政府、企业、家庭和社会共同应对",
      "“妈妈岗”是行之有效的做法，应当扩大覆盖面"},
     {"育后岗位保留期限及企业成本如何分担，意见尚不一致"},
     {{"建立育后岗位保留制度",
       "明确生育后岗位保留的期限、待遇及企业配套支持政策。",
       {"zhang", "wang"},
       1},
      {"延长男性产假", "适当延长男性陪产假，探索夫妻共享育儿假制度。", {"liu_e"}, 2},
      {"将“妈妈岗”从传统领域推广到新兴领域",
       "在互联网、数字经济等新兴行业推广“妈妈岗”，给予用人单位政策激励。",
       {"zhao_s", "wang"},
       3},
      {"关注女性情感健康",
       "将产后女性心理健康服务纳入社区服务和用人单位关怀体系。",
       {"feng_o"},
       4}}},
    {"sz",
     "“海洋+新能源”产业发展新思路",
     "助力深圳抢抓新经济、新领域、新赛道重大发展机遇，加快形成独具特色优势的新质生产力。",
     "economy",
     "member",
     "",
     9,
     "“海洋+新能源”市政协领导与专家“聊”",
     "2024-09-26T14:30",
     "2024-09-26T17:00",
     "盐田区国际报告厅",
     "经济委员会",
     "",
     "public",
     E | J,
     "sz-yantian",
     "closed",
     {{"li_vc", "host", 1},
      {"zhou_e", "expert", 1},
      {"wu_e", "expert", 1},
      {"he", "speaker", 1},
      {"chen", "member", 1},
      {"yt_m1", "member", 1},
      {"yt_m2", "member", 1},
      {"ocean", "official", 0}},
     {{"zhou_e", "专家", "要加快培养“海洋+新能源”方面的高端人才。"},
      {"wu_e", "专家", "建议在盐田区打造世界上第一条滨海光伏长廊。"},
      {"he", "企业代表",
       "可以积极探索“海洋+LNG船舶+保税融资租赁”“低空经济+保税融资租赁+保税维修”等具有盐田"
       "特色的绿色租赁、跨境租赁模式。"},
      {"yt_m1", "区政协委员", "港区的岸电和绿色能源补给是海洋新能源最现实的切入点。"}},
     {NULL},
     {"海洋与新能源融合是深圳培育新质生产力的重要方向"},
     {"滨海光伏长廊的生态影响需进一步评估"},
     {{"加快培养海洋新能源高端人才",
       "依托在建高校和研究院，设立海洋新能源交叉学科。",
       {"zhou_e"},
       1},
      {"打造滨海光伏长廊", "在盐田区开展滨海光伏长廊规划研究。", {"wu_e", "yt_m1"}, 2},
      {"探索具有盐田特色的绿色租赁模式",
       "探索“海洋+LNG船舶+保税融资租赁”等跨境租赁模式。",
       {"he"},
       3}}},
    {"sz",
     "支持民营企业参与重大科技创新平台建设",
     "民营企业如何在重大科技创新平台建设中发挥更大作用，提高参与的动力和实力。",
     "economy",
     "assigned",
     "市委",
     10,
     "支持民营企业参与重大科技创新平台建设",
     "2024-10-17T09:30",
     "2024-10-17T12:00",
     "市政协机关二楼会议室",
     "经济委员会",
     "市科技创新局",
     "public",
     C | E,
     NULL,
     "closed",
     {{"chen", "host", 1},
      {"huang", "member", 1},
      {"tt", "expert", 1},
      {"zheng", "speaker", 1},
      {"sci", "official", 1}},
     {{"tt", "智库专家",
       "建议在政策制定、资源配置、参与机制等方面为民营企业参与平台建设"
       "打开通道。"},
      {"zheng", "企业家", "希望重大平台的设备和数据向民营企业开放共享。"},
      {"sci", "政府部门", "科技创新局将研究民营企业牵头承担重大平台项目的支持办法。"}},
     {"研究民营企业牵头承担重大科技创新平台项目的支持办法"},
     {"民营企业是深圳科技创新的主力军，应在重大平台建设中发挥更大作用"},
     {NULL},
     {{"完善民营企业参与重大平台的制度安排",
       "在政策制定、资源配置、参与机制等方面形成支持措施。",
       {"tt", "chen"},
       1},
      {"推动重大平台设施向民营企业开放共享",
       "建立重大科研设施和数据开放共享机制。",
       {"zheng"},
       2}}},
    {"sz",
     "加快构建更高水平开放型经济新体制",
     "对标高标准国际经贸规则，推动规则、规制、管理、标准等制度型开放。",
     "economy",
     "assigned",
     "市政府",
     5,
     "推动深圳加快构建更高水平开放型经济新体制",
     "2024-05-22T14:30",
     NULL,
     "市政协机关三楼会议室",
     "经济委员会",
     "市发展和改革委员会",
     "internal",
     C,
     NULL,
     "closed",
     {{"chen", "host", 1}, {"dev", "official", 1}, {"tt", "expert", 1}},
     {{"dev", "政府部门", "将对照高标准国际经贸规则开展先行先试。"}},
     {"梳理对标高标准国际经贸规则的先行先试清单"},
     {NULL},
     {NULL},
     {{NULL}}},
    {"sz",
     "人工智能对文化带来哪些机遇与挑战",
     "人工智能生成内容对文化创作、传播和版权的影响。",
     "culture",
     "member",
     "",
     11,
     "人工智能与文化发展",
     "2024-11-14T14:30",
     NULL,
     "市政协机关二楼会议室",
     "文化文史和学习委员会",
     "",
     "public",
     E,
     NULL,
     "live",
     {{"lin_m", "host", 1}, {"huang", "expert", 0}},
     {{NULL}},
     {NULL},
     {NULL},
     {NULL},
     {{NULL}}},
    {"sz",
     "让鹏城实现“公园自由”",
     "提升公园可达性与开放度，让市民推窗见绿、出门入园。",
     "ecology",
     "public",
     "市民来信",
     12,
     "让鹏城实现“公园自由”",
     "2024-12-05T09:30",
     NULL,
     "某公园管理处会议室",
     "人口资源环境委员会",
     "",
     "public",
     E | S,
     NULL,
     "scheduled",
     {{"wang", "host", 0}, {"qian_e", "expert", 0}, {"cit1", "observer", 0}},
     {{NULL}},
     {NULL},
     {NULL},
     {NULL},
     {{NULL}}},
    {"sz",
     "构建与先行示范区要求相适应的涉外法治体系",
     "涉外法治人才培养与涉外法律服务体系建设。",
     "politics",
     "assigned",
     "市委",
     12,
     "涉外法治体系建设",
     NULL,
     NULL,
     "",
     "社会和法制委员会",
     "",
     "internal",
     E,
     NULL,
     "draft",
     {{NULL}},
     {{NULL}},
     {NULL},
     {NULL},
     {NULL},
     {{NULL}}},
    {"sz-futian",
     "加强城市营销",
     "用好城市品牌，讲好深圳故事。",
     "culture",
     "sector",
     "",
     6,
     "加强城市营销（福田区）",
     "2024-06-18T14:30",
     NULL,
     "福田区政协会议室",
     "福田区政协",
     "",
     "public",
     S,
     NULL,
     "closed",
     {{"ft_m1", "host", 1}},
     {{"ft_m1", "区政协委员", "城市营销要从“讲政策”转向“讲故事”。"}},
     {NULL},
     {"城市营销要突出深圳特色"},
     {NULL},
     {{"打造城市故事库", "收集和传播普通市民的深圳故事。", {"ft_m1"}, 1}}},
    {"sz-yantian",
     "医教研产融合发展",
     "推动医疗、教育、科研、产业融合发展。",
     "society",
     "member",
     "",
     8,
     "医教研产融合发展（盐田区）",
     "2024-08-21T14:30",
     NULL,
     "盐田区政协会议室",
     "盐田区政协",
     "",
     "internal",
     E,
     NULL,
     "closed",
     {{"yt_m1", "host", 1}, {"huang", "expert", 1}},
     {{"huang", "专家", "建议以临床需求牵引科研和产业转化。"}},
     {NULL},
     {NULL},
     {NULL},
     {{NULL}}},
};

_Static_assert(sizeof(sessions) / sizeof(sessions[0]) <= DEMO_MAX_SESSIONS, "demo sessions");

const struct demo_made *demo_session(const struct demo *d, const char *title)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(sessions); i++)
		if (strcmp(sessions[i].title, title) == 0)
			return &d->sessions[i];
	return NULL;
}

static int demo_rules(struct demo *d)
{
	int64_t from;
	json_t *params;
	int rc;

	if (time_parse("2024-01-01", &from))
		return ERR_INVALID;
	params = json_loads("{\"requirements\":{"
			    "\"expert\":[{\"what\":\"expert\",\"min\":1}],"
			    "\"counterpart\":[{\"what\":\"department_official\",\"min\":1}],"
			    "\"sector\":[{\"what\":\"member\",\"min\":1}],"
			    "\"joint\":[{\"what\":\"linked_org\",\"min\":1}]},\"reply_days\":90}",
			    0, NULL);
	if (!params)
		return ERR_NOMEM;
	rc = rules_add(
	    d->db, &d->sys, &d->sz, "2.0", "深圳市政协“深聊会”工作规则（2.0 版）",
	    "深聊会坚持“深、聊、会”：立足深圳实际深入调研、深度互动；不设发言规矩，"
	    "畅所欲言；广泛凝聚共识。\n\n专家聊须邀请专家学者；对口聊须邀请对口部门负责同志；"
	    "界别聊由界别组织；联动聊须有其他政协组织参与。",
	    params, from, &d->e);
	json_decref(params);
	return rc;
}

/* add_record writes what was said and agreed while session s is live. */
static int add_record(struct demo *d, const struct demo_session *ds, struct demo_made *made)
{
	int64_t remarks[6] = {0}, id;
	size_t i, n;
	int rc = ERR_OK;

	for (i = 0; !rc && i < 10 && ds->invites[i].who; i++)
		if (ds->invites[i].attended)
			rc = invitation_attend(d->db, &d->sys, made->id,
					       demo_person(d, ds->invites[i].who), true, &d->e);
	for (i = 0; !rc && i < 6 && ds->remarks[i].who; i++)
		rc = remark_add(d->db, &d->sys, made->id, demo_person(d, ds->remarks[i].who),
				ds->remarks[i].role, ds->remarks[i].body, &remarks[i], &d->e);
	for (i = 0; !rc && i < 3 && ds->commitments[i]; i++)
		rc = commitment_add(d->db, &d->sys, made->id, NULL, 0, ds->commitments[i],
				    "2024-12-31", &id, &d->e);
	for (i = 0; !rc && i < 3 && ds->agreed[i]; i++)
		rc = point_add(d->db, &d->sys, made->id, "agreed", ds->agreed[i], &id, &d->e);
	for (i = 0; !rc && i < 2 && ds->differences[i]; i++)
		rc = point_add(d->db, &d->sys, made->id, "difference", ds->differences[i], &id,
			       &d->e);
	for (i = 0; !rc && i < 5 && ds->suggestions[i].title; i++) {
		int64_t props[3];
		struct source_ref src;

		for (n = 0; n < 3 && ds->suggestions[i].proposers[n]; n++)
			props[n] = demo_person(d, ds->suggestions[i].proposers[n]);
		memset(&src, 0, sizeof(src));
		memcpy(src.kind, "remark", sizeof("remark"));
		src.id = ds->suggestions[i].from_remark
			     ? remarks[ds->suggestions[i].from_remark - 1]
			     : 0;
		rc = suggestion_add(d->db, &d->sys, made->id, ds->suggestions[i].title,
				    ds->suggestions[i].body, props, n, &src, src.id ? 1 : 0, &id,
				    &d->e);
		if (!rc && made->nsuggestions < DEMO_MAX_SUGGESTIONS)
			made->suggestions[made->nsuggestions++] = id;
	}
	return rc;
}

static int add_session(struct demo *d, const struct demo_session *ds, struct demo_made *made)
{
	static const char *const path_to[] = {"scheduled", "live", "closed"};
	const struct org *o = org_of(d, ds->org);
	struct topic_in ti;
	struct session_in si;
	int64_t topic, id, linked[1], t;
	size_t i, k;
	int rc;

	memset(made, 0, sizeof(*made));
	topic_in_init(&ti);
	ti.title = ds->topic;
	ti.description = ds->description;
	ti.domain = ds->domain;
	ti.origin = ds->origin;
	ti.proposer = ds->proposer;
	ti.plan_year = 2024;
	ti.plan_month = ds->plan_month;
	rc = topic_create(d->db, &d->sys, o->id, &ti, &topic, &d->e);
	if (!rc)
		rc = topic_transition(d->db, &d->sys, topic, "approved", &d->e);
	if (rc)
		goto fail;
	session_in_init(&si);
	si.topic_id = topic;
	si.title = ds->title;
	si.summary = ds->description;
	si.venue = ds->venue;
	si.organizer_unit = ds->unit;
	si.department = ds->department;
	si.visibility = ds->visibility;
	si.formats = ds->formats;
	if (ds->starts && !time_parse(ds->starts, &t))
		si.starts_at = made->starts_at = t;
	if (ds->ends && !time_parse(ds->ends, &t))
		si.ends_at = t;
	if (ds->linked) {
		linked[0] = org_of(d, ds->linked)->id;
		si.linked_orgs = linked;
		si.nlinked = 1;
	}
	rc = session_create(d->db, &d->sys, o->id, &si, &made->id, &d->e);
	for (i = 0; !rc && i < 10 && ds->invites[i].who; i++)
		rc = invitation_add(d->db, &d->sys, made->id, demo_person(d, ds->invites[i].who),
				    ds->invites[i].role, &id, &d->e);
	for (k = 0; !rc && k < 3 && strcmp(ds->status, "draft") != 0; k++) {
		rc = session_transition(d->db, &d->sys, made->id, path_to[k], &d->e);
		if (!rc && strcmp(path_to[k], "live") == 0)
			rc = add_record(d, ds, made);
		if (strcmp(path_to[k], ds->status) == 0)
			break;
	}
	if (!rc) {
		d->n_sessions++;
		return ERR_OK;
	}
fail:
	if (d->e.code)
		fprintf(stderr, "shenliao: demo: %s: %s\n", ds->title, d->e.en);
	return rc;
}

int demo_sessions(struct demo *d)
{
	size_t i;
	int rc;

	rc = add_people(d);
	if (!rc)
		rc = demo_rules(d);
	for (i = 0; !rc && i < ARRAY_LEN(sessions); i++)
		rc = add_session(d, &sessions[i], &d->sessions[i]);
	return rc;
}

/* demo_room gives the live session (人工智能与文化发展) an opinion room: statements from
 * the floor and the votes of 40 phones in two camps with shared ground, so the map has
 * something to show. */
int demo_room(struct demo *d)
{
	static const char *const texts[] = {
	    "应当制定人工智能生成内容的标识规则",   "人工智能会削弱年轻人的原创能力",
	    "应当鼓励文化企业大胆使用人工智能",	    "版权制度需要尽快修订以适应人工智能",
	    "应当设立人工智能伦理委员会",	    "中小学应当开设人工智能素养课",
	    "公共文化机构应当率先试点人工智能导览", "人工智能训练数据应当向创作者付费",
	};
	static const char *const cats[] = {"member", "expert", "citizen", "official",
					   "entrepreneur"};
	const struct demo_made *live = demo_session(d, "人工智能与文化发展");
	struct statement_head heads[ARRAY_LEN(texts)];
	struct room r;
	int64_t id, participant;
	size_t i, k;
	int rc;

	if (!live || !live->id)
		return ERR_NOT_FOUND;
	rc = room_set(d->db, &d->sys, live->id, 1, "post", 1, &r, &d->e);
	for (i = 0; !rc && i < ARRAY_LEN(texts); i++) {
		rc = statement_add(d->db, &r, 0, texts[i], &id, &d->e);
		if (!rc)
			rc = statement_head(d->db, id, &heads[i]);
	}
	for (k = 0; !rc && k < 40; k++) {
		char hash[65], token[32];

		rc = cli_fmt(token, sizeof(token), "demo-phone-%zu", k);
		if (rc)
			break;
		hash_token(token, strlen(token), hash);
		rc = participant_of_anon(d->db, &r, hash, cats[k % ARRAY_LEN(cats)], &participant);
		for (i = 0; !rc && i < ARRAY_LEN(texts); i++) {
			/* two camps on 2-4 and 6-8, everyone agrees on 1 and 5 */
			int v = (i == 0 || i == 4) ? 1 : (((k % 2) ^ (i % 2)) ? 1 : -1);

			if ((k + i) % 7 == 3)
				v = 0;
			rc = vote_put(d->db, &heads[i], participant, v, &d->e);
		}
	}
	if (!rc)
		d->room_session = live->id;
	return rc;
}
