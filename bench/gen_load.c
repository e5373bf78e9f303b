/*
 * gen_load.c - bulk test data for the load benchmarks (bench/sessions.sh, bench/stats.sh).
 *
 * Linked with build/libshenliao.a and opening the database with db_open (src/db/db.h), so
 * our CJK bigram tokenizer is registered and the search index can be written. Rows go in
 * through prepared statements in large transactions, straight into the tables of
 * migrations/000*.sql (not through the model: no audit rows, no validation), shaped like
 * what the product itself writes.
 *
 *   gen_load --db FILE --mode sessions [--sessions N] [--remarks N] [--seed S]
 *   gen_load --db FILE --mode stats [--orgs N] [--sessions N] [--outputs N] [--seed S]
 *   gen_load --db FILE --mode votes [--seconds S]
 *
 * FILE must be a database made by `shenliao demo --db FILE` (root org, the demo city body
 * `sz`, the demo accounts).
 *
 * sessions: in the city body `sz`, N sessions (default 10,000) over 2020-2025, each with its
 *   own topic (the five domains), a format set, half of them public and not draft; about
 *   six invitations each; N remarks (default 200,000) of 40-200 characters of Chinese text
 *   made from a vocabulary of a few hundred words, where each session has a theme (生育,
 *   海洋, 托育, 养老...) whose words its remarks use often and other sessions rarely; some
 *   suggestions with proposers and sources. Topics, sessions, remarks and suggestions are
 *   indexed in search_index exactly as src/model/search.c does (rowid = ref * 8 + kind).
 * stats: a province tree of N bodies (default 100: the root, 21 cities including sz, the
 *   rest districts, each with its materialized path "/1/4/9/" as src/model/org.c sets it),
 *   20 people per body, N sessions (default 50,000; 60% in 2024) with topics, three
 *   invitations each and some suggestions, N outputs (default 200,000; 80% dated 2024) of
 *   the five kinds in states reachable by their workflow with the matching time stamps,
 *   adoptions for about one in eight, and output_session links for about 70%.
 *
 * votes: not a loader but the database layer of vote ingestion alone, for bench/votes.sh:
 *   on a database with an opinion room and statements, the vote upsert of src/model/room.c
 *   for --seconds each (default 3), every vote a new (statement, participant) row: one
 *   BEGIN IMMEDIATE ... COMMIT per vote from one thread, then from two threads with a
 *   connection each (as the server's two worker threads do), contending for the write lock
 *   in SQLite's busy handler (which sleeps 1, 2, 5, 10... ms), then the same two queueing
 *   on one in-process mutex instead, then one writer committing batches of 64 and 256
 *   votes (group commit); the same with synchronous=FULL. Prints votes/s and transaction latency
 * (p50, p99, max).
 *
 * Prints one line per phase with rows and rows/s. Everything follows from --seed.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "db/cjk.h"
#include "db/db.h"

static struct db *db;
static int64_t rows_total;

/* ---- helpers ------------------------------------------------------------------------- */

static void die(const char *what)
{
	fprintf(stderr, "gen_load: %s: %s\n", what, db ? db_errmsg(db) : "");
	exit(1);
}

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t x = (rng += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int below(int n)
{
	return n > 0 ? (int)(rnd() % (uint64_t)n) : 0;
}

static double unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static int between(int lo, int hi) /* inclusive */
{
	return lo + below(hi - lo + 1);
}

/* zipf picks an index in [0, n) with weight 1 / (rank + k): a few common, many rare. */
static int zipf(int n, double k)
{
	double h = 0, u, acc = 0;
	int i;

	for (i = 0; i < n; i++)
		h += 1.0 / (i + k);
	u = unit() * h;
	for (i = 0; i < n; i++) {
		acc += 1.0 / (i + k);
		if (u < acc)
			return i;
	}
	return n - 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* days_from_civil: days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* a random working time in year y: a weekday-ish day, 9:30 or 14:30 Beijing time */
static int64_t random_start(int y)
{
	int64_t day0 = days_from_civil(y, 1, 1), days = days_from_civil(y + 1, 1, 1) - day0;
	int64_t d = day0 + below((int)days);

	return d * 86400 + (below(2) ? 9 * 3600 + 1800 : 14 * 3600 + 1800) - 8 * 3600;
}

static const char *pick(const char *const *list, size_t n)
{
	return list[below((int)n)];
}
#define PICK(list) pick(list, sizeof(list) / sizeof(list[0]))
#define LEN(a)	   ((int)(sizeof(a) / sizeof((a)[0])))

/* run binds the arguments (types: i int64_t, s string or NULL, n NULL) and runs st. */
static void run(const char *sql, const char *types, ...)
{
	struct db_stmt *st;
	va_list ap;
	int i, rc;

	if (db_prepare(db, sql, &st))
		die("prepare");
	va_start(ap, types);
	for (i = 0; types[i]; i++) {
		if (types[i] == 'i')
			rc = db_bind_int(st, i + 1, va_arg(ap, int64_t));
		else if (types[i] == 's')
			rc = db_bind_str(st, i + 1, va_arg(ap, const char *));
		else
			rc = db_bind_null(st, i + 1);
		if (rc)
			die("bind");
	}
	va_end(ap);
	rc = db_run(st);
	if (rc) {
		fprintf(stderr, "gen_load: failed: %s\n", sql);
		die("insert");
	}
	rows_total++;
}
#define I(x) ((int64_t)(x))

static int64_t query_int(const char *sql, const char *arg)
{
	struct db_stmt *st;
	int64_t v = 0;

	if (db_prepare(db, sql, &st))
		die("prepare");
	if (arg && db_bind_str(st, 1, arg))
		die("bind");
	if (db_step(st) == DB_ROW)
		v = db_col_int(st, 0);
	db_done(st);
	return v;
}

static void exec(const char *sql)
{
	if (db_exec_script(db, sql))
		die(sql);
}

/* begin and commit a write transaction the database's way (BEGIN IMMEDIATE on SQLite) */
static void begin_w(void)
{
	if (db_begin_write(db))
		die("begin");
}

static void commit_w(void)
{
	if (db_commit(db))
		die("commit");
}

/* ---- text: a vocabulary of a few hundred words ---------------------------------------- */

/* general nouns, most frequent first */
static const char *const nouns[] = {
    "问题",   "工作",	"发展",	    "政策",	"企业",	    "群众",	"部门",	    "社会",
    "服务",   "机制",	"制度",	    "城市",	"措施",	    "建设",	"资金",	    "平台",
    "项目",   "标准",	"管理",	    "情况",	"基层",	    "社区",	"市场",	    "人才",
    "资源",   "政府",	"公共",	    "体系",	"环境",	    "产业",	"经济",	    "技术",
    "保障",   "需求",	"成本",	    "效率",	"质量",	    "责任",	"考核",	    "数据",
    "信息",   "试点",	"经验",	    "模式",	"渠道",	    "深圳",	"规划",	    "空间",
    "设施",   "能力",	"队伍",	    "补贴",	"财政",	    "投入",	"收入",	    "岗位",
    "就业",   "教育",	"医疗",	    "住房",	"交通",	    "安全",	"健康",	    "文化",
    "科技",   "创新",	"改革",	    "开放",	"法治",	    "治理",	"监管",	    "风险",
    "协同",   "联动",	"共享",	    "宣传",	"培训",	    "学校",	"医院",	    "家庭",
    "老人",   "儿童",	"青年",	    "妇女",	"居民",	    "职工",	"志愿者",   "行业",
    "协会",   "园区",	"街道",	    "大湾区",	"片区",	    "用地",	"审批",	    "流程",
    "窗口",   "热线",	"网络",	    "数字化",	"智能化",   "国际化",	"法规",	    "条例",
    "办法",   "指南",	"清单",	    "目标",	"任务",	    "指标",	"绩效",	    "预算",
    "税收",   "融资",	"贷款",	    "保险",	"公积金",   "社保",	"医保",	    "门诊",
    "学位",   "课程",	"教师",	    "医生",	"社工",	    "律师",	"专家",	    "学者",
    "委员",   "商户",	"中小企业", "民营企业", "外资企业", "国有企业", "龙头企业", "产业链",
    "供应链", "创新链", "绿色",	    "低碳",	"能耗",	    "污染",	"水质",	    "空气",
    "噪音",   "垃圾",	"公园",	    "绿道",	"鹏城",	    "河道",	"湿地",	    "托育",
    "海洋",   "生育",
};

static const char *const verbs[] = {
    "推动", "加快", "完善", "加强", "建立", "探索", "支持", "鼓励", "提升", "优化",
    "落实", "推广", "引导", "促进", "解决", "提高", "降低", "扩大", "保障", "规范",
    "统筹", "整合", "打通", "健全", "强化", "畅通", "深化", "培育", "引进", "简化",
    "明确", "细化", "研究", "出台", "设立", "增加", "压实", "用好", "盘活", "对接",
};

static const char *const mods[] = {
    "相关", "有关", "优质", "普惠", "多元", "精准", "便捷", "高效", "可持续",
    "长效", "专项", "综合", "重点", "全面", "基本", "配套", "统一", "灵活",
};

static const char *const conns[] = {
    "目前",	  "同时",	  "但是",     "因此",	  "特别是", "另外",   "此外",
    "一方面",	  "另一方面",	  "总的来看", "从调研看", "据了解", "实际上", "比如",
    "尤其是",	  "长期以来",	  "近年来",   "下一步",	  "首先",   "其次",   "最后",
    "我们注意到", "从群众反映看", "我认为",   "建议",
};

static const char *const gaps[] = {"不足", "短板",   "难点", "堵点", "滞后",
				   "分散", "不均衡", "偏高", "偏少", "不够"};

struct theme {
	const char *domain, *unit, *dept;
	const char *titles[3];
	const char *words[10];
};

/* the themes sessions talk about; the first are the most frequent */
static const struct theme themes[] = {
    {"economy",
     "经济委员会",
     "市海洋发展局",
     {"“海洋+新能源”产业发展", "建设全球海洋中心城市", "提升国际航运中心能级"},
     {"海洋", "海洋经济", "港口", "航运", "海上风电", "新能源", "渔业", "海岸带", "湾区",
      "海洋科技"}},
    {"economy",
     "工商联界别",
     "市发展和改革委员会",
     {"优化民营经济发展环境", "为中小企业纾困解难", "构建亲清政商关系"},
     {"民营经济", "营商环境", "中小企业", "融资难", "减税降费", "市场主体", "企业家", "拖欠账款",
      "政务服务", "信用"}},
    {"society",
     "妇联界别",
     "市人力资源和社会保障局",
     {"对因生育影响职业的妇女提供职业帮助", "建设生育友好型城市", "发展普惠托育服务"},
     {"生育", "托育", "育儿", "产假", "妇女", "婴幼儿", "托育机构", "生育津贴", "妈妈岗",
      "职业中断"}},
    {"society",
     "社会和法制委员会",
     "市民政局",
     {"完善居家社区养老服务", "发展银发经济", "推进适老化改造"},
     {"养老", "老年人", "居家养老", "养老机构", "长者饭堂", "适老化", "护理", "银发经济", "失能",
      "助餐"}},
    {"economy",
     "经济委员会",
     "市科技创新局",
     {"支持民营企业参与重大科技创新平台建设", "促进科技成果转化", "强化企业科技创新主体地位"},
     {"科技创新", "研发", "实验室", "成果转化", "知识产权", "创新平台", "高新技术", "芯片",
      "概念验证", "中试"}},
    {"society",
     "教科卫体委员会",
     "市教育局",
     {"扩大优质学位供给", "办好课后服务", "推动职业教育产教融合"},
     {"教育", "学位", "义务教育", "课后服务", "教师", "学生", "高中", "职业教育", "双减", "校园"}},
    {"society",
     "教科卫体委员会",
     "市卫生健康委员会",
     {"推进分级诊疗", "做实家庭医生签约服务", "缓解看病难看病贵"},
     {"医疗", "医院", "基层医疗", "家庭医生", "医保", "看病难", "分级诊疗", "公共卫生", "急诊",
      "药品"}},
    {"economy",
     "经济委员会",
     "市发展和改革委员会",
     {"培育低空经济新质生产力", "建设低空经济先行区", "拓展无人机应用场景"},
     {"低空经济", "无人机", "空域", "航线", "起降点", "通用航空", "物流配送", "适航", "新质生产力",
      "场景"}},
    {"society",
     "人口资源环境委员会",
     "市住房和建设局",
     {"加大保障性住房供给", "推进城中村改造", "解决新市民住房问题"},
     {"住房", "保障性住房", "租房", "人才房", "城中村", "房租", "安居", "新市民", "租赁", "物业"}},
    {"society",
     "社会和法制委员会",
     "市交通运输局",
     {"缓解停车难", "优化公交线网", "建设步行和自行车友好城市"},
     {"交通", "地铁", "公交", "停车", "拥堵", "慢行", "充电桩", "出行", "接驳", "路网"}},
    {"culture",
     "文化文史和学习委员会",
     "市文化广电旅游体育局",
     {"人工智能与文化发展", "推动文化产业数字化", "建设全民阅读城市"},
     {"文化", "非遗", "博物馆", "图书馆", "文化产业", "文旅融合", "演艺", "阅读", "人工智能",
      "数字文化"}},
    {"ecology",
     "人口资源环境委员会",
     "市生态环境局",
     {"推进碧道建设", "保护红树林湿地", "推动碳达峰碳中和"},
     {"生态", "河流", "治水", "碧道", "红树林", "生物多样性", "垃圾分类", "碳达峰", "碳中和",
      "排放"}},
    {"ecology",
     "人口资源环境委员会",
     "市城市管理和综合执法局",
     {"让鹏城实现“公园自由”", "建设公园城市", "推进山海连城"},
     {"公园", "公园城市", "绿地", "郊野公园", "山海连城", "游客", "露营", "绿道", "口袋公园",
      "开放共享"}},
    {"politics",
     "社会和法制委员会",
     "市司法局",
     {"涉外法治体系建设", "完善多元解纷机制", "优化公共法律服务"},
     {"法治", "涉外法治", "仲裁", "调解", "法律服务", "知识产权保护", "合规", "律师", "纠纷",
      "司法"}},
    {"politics",
     "社会和法制委员会",
     "市民政局",
     {"提升基层治理效能", "发挥居民议事会作用", "加强物业管理"},
     {"基层治理", "社区", "网格", "物业", "业委会", "楼栋", "居委会", "议事会", "网格员", "自治"}},
    {"economy",
     "港澳台侨和外事委员会",
     "市商务局",
     {"推动深圳加快构建更高水平开放型经济新体制", "深化深港合作", "发展跨境贸易"},
     {"对外开放", "自贸区", "跨境", "进出口", "外资", "港澳", "前海", "河套", "规则衔接", "通关"}},
    {"society",
     "共青团和青联界别",
     "市人力资源和社会保障局",
     {"促进青年高质量就业", "关爱新就业形态劳动者", "支持大学生创业"},
     {"青年", "大学生", "实习", "创业", "人才公寓", "灵活就业", "新就业形态", "外卖骑手",
      "职业技能", "就业"}},
    {"society",
     "农业和农村委员会",
     "市市场监督管理局",
     {"守护舌尖上的安全", "加强校园食品安全", "规范预制菜发展"},
     {"食品安全", "药品", "校园食堂", "预制菜", "抽检", "追溯", "冷链", "餐饮", "标签", "监督"}},
    {"culture",
     "教科卫体委员会",
     "市文化广电旅游体育局",
     {"推动全民健身", "建设体育公园", "办好群众体育赛事"},
     {"体育", "全民健身", "体育场馆", "赛事", "体育公园", "青少年体育", "运动", "健身", "场地",
      "开放"}},
    {"economy",
     "经济委员会",
     "市商务局",
     {"提振消费", "发展夜间经济", "打造国际消费中心城市"},
     {"消费", "夜间经济", "商圈", "首店", "免税", "会展", "步行街", "零售", "品牌", "客流"}},
    {"ecology",
     "人口资源环境委员会",
     "市水务局",
     {"建设海绵城市", "治理城市内涝", "推进直饮水进社区"},
     {"供水", "排水", "内涝", "海绵城市", "水库", "直饮水", "管网", "暴雨", "防汛", "水源"}},
    {"culture",
     "文化文史和学习委员会",
     "市委宣传部",
     {"讲好深圳故事", "保护历史文化街区", "推动媒体融合"},
     {"历史", "街区", "古村", "故事", "媒体", "传播", "文物", "修缮", "活化", "城市记忆"}},
};

struct text {
	char s[2048];
	size_t n;
	int chars;
};

static void put(struct text *t, const char *w)
{
	size_t n = strlen(w), i;

	if (t->n + n >= sizeof(t->s))
		return;
	memcpy(t->s + t->n, w, n);
	t->n += n;
	t->s[t->n] = '\0';
	for (i = 0; i < n; i++)
		if (((unsigned char)w[i] & 0xC0) != 0x80)
			t->chars++;
}

static const char *noun_for(const struct theme *th)
{
	if (th && unit() < 0.3)
		return th->words[zipf(10, 3)];
	return nouns[zipf(LEN(nouns), 8)];
}

/* clause appends one clause (no final punctuation) */
static void clause(struct text *t, const struct theme *th)
{
	switch (below(6)) {
	case 0:
		put(t, verbs[zipf(LEN(verbs), 4)]);
		if (below(2))
			put(t, mods[below(LEN(mods))]);
		put(t, noun_for(th));
		put(t, "的");
		put(t, noun_for(th));
		break;
	case 1:
		put(t, noun_for(th));
		put(t, noun_for(th));
		put(t, "还存在");
		put(t, noun_for(th));
		put(t, gaps[below(LEN(gaps))]);
		put(t, "的问题");
		break;
	case 2:
		put(t, "在");
		put(t, noun_for(th));
		put(t, "方面");
		put(t, verbs[zipf(LEN(verbs), 4)]);
		put(t, noun_for(th));
		break;
	case 3:
		put(t, conns[below(LEN(conns))]);
		put(t, "，");
		put(t, verbs[zipf(LEN(verbs), 4)]);
		put(t, noun_for(th));
		put(t, "和");
		put(t, noun_for(th));
		break;
	case 4:
		put(t, "由");
		put(t, noun_for(th));
		put(t, verbs[zipf(LEN(verbs), 4)]);
		put(t, mods[below(LEN(mods))]);
		put(t, noun_for(th));
		break;
	default:
		put(t, noun_for(th));
		put(t, "的");
		put(t, noun_for(th));
		put(t, gaps[below(LEN(gaps))]);
		break;
	}
}

/* body makes 40-200 characters (about 110 on average) of sentences on theme th */
static void body(struct text *t, const struct theme *th, int lo, int hi)
{
	int target = lo + (below(hi - lo + 1) + below(hi - lo + 1)) / 2, k = 0;

	t->n = 0;
	t->chars = 0;
	t->s[0] = '\0';
	while (t->chars < target) {
		struct text c = {.n = 0, .chars = 0};
		int bold = below(12) == 0;

		clause(&c, th);
		if (t->chars + c.chars + 1 > hi && t->chars >= lo)
			break;
		if (bold)
			put(t, "**");
		put(t, c.s);
		if (bold)
			put(t, "**");
		k++;
		put(t, t->chars + 1 >= target || below(3) == 0 ? "。" : "，");
	}
	if (t->n >= 3 && strcmp(t->s + t->n - 3, "，") == 0)
		memcpy(t->s + t->n - 3, "。", 3);
}

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
				       "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
				       "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
				       "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余"};
static const char *const given[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀", "霞", "平", "刚", "桂", "文", "华", "建", "国", "红", "志", "海", "鹏",
    "晓", "燕", "婷", "雪", "林", "斌", "宇", "浩", "凯", "琳", "欣", "怡", "子", "涵", "晨"};

static void person_name(char *out, size_t n)
{
	snprintf(out, n, "%s%s%s", PICK(surnames), PICK(given), below(3) ? PICK(given) : "");
}

static const char *const categories[] = {
    "member",	  "member",	"member",     "member",	      "member",	      "member",
    "member",	  "member",	"member",     "member",	      "expert",	      "expert",
    "expert",	  "official",	"official",   "entrepreneur", "entrepreneur", "sector_rep",
    "sector_rep", "social_org", "think_tank", "citizen"};
static const char *const remark_roles[] = {"委员",	 "委员",     "委员",	 "专家",    "专家",
					   "部门负责人", "界别群众", "企业代表", "社区代表"};
static const char *const inv_roles[] = {"member", "member",   "member",	 "speaker",
					"expert", "official", "observer"};
static const char *const venues[] = {
    "市政协机关三楼会议室", "市政协机关二楼会议室", "市民中心会议厅",	"区政协会议室",
    "某社区党群服务中心",   "某企业会议室",	    "某大学学术报告厅", "线上会议"};

/* ---- SQL ----------------------------------------------------------------------------- */

static const char sql_org_ins[] = "INSERT INTO org (parent_id, slug, name, level, path,"
				  " created_at, updated_at) VALUES (?, ?, ?, ?, '', ?, ?)";
static const char sql_org_path[] = "UPDATE org SET path = ? WHERE id = ?";
static const char sql_person[] =
    "INSERT INTO person (org_id, name, category, sector, committee, affiliation, title,"
    " public_name, created_at, updated_at) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?)";
static const char sql_topic[] =
    "INSERT INTO topic (org_id, title, description, domain, origin, proposer, status,"
    " plan_year, plan_month, created_by, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_session[] =
    "INSERT INTO session (org_id, topic_id, title, summary, starts_at, ends_at, venue,"
    " organizer_unit, formats, department, visibility, rules_version, status, created_by,"
    " created_at, updated_at, closed_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_invitation[] =
    "INSERT INTO invitation (org_id, session_id, person_id, role, rsvp, attended,"
    " responded_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_remark[] =
    "INSERT INTO remark (org_id, session_id, person_id, role, body, position, created_by,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_suggestion[] =
    "INSERT INTO suggestion (org_id, session_id, title, body, position, created_by,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_sugg_prop[] =
    "INSERT INTO suggestion_proposer (suggestion_id, person_id) VALUES (?, ?)"
    " ON CONFLICT DO NOTHING";
static const char sql_sugg_src[] = "INSERT INTO suggestion_source (suggestion_id, kind,"
				   " source_id) VALUES (?, 'remark', ?) ON CONFLICT DO NOTHING";
/* as src/model/search.c writes it: rowid = ref * 8 + kind (topic 0, session 1, remark 2,
 * suggestion 3) */
static const char sql_index[] = "INSERT INTO search_index (rowid, title, body, kind, ref, session,"
				" org) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_output[] =
    "INSERT INTO output (org_id, kind, title, body, state, number, dated_at, cosign_deadline,"
    " reason, reply_due, reply_text, reply_grade, satisfaction, submitted_at, accepted_at,"
    " assigned_at, replied_at, evaluated_at, closed_at, created_by, created_at, updated_at,"
    " bulletin_issue, sent_to, instruction_by, instruction_text)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_adoption[] =
    "INSERT INTO adoption (org_id, output_id, kind, title, issuer, reference, date, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_out_session[] =
    "INSERT INTO output_session (output_id, session_id) VALUES (?, ?) ON CONFLICT DO NOTHING";

static void index_row(const char *kind, int kind_no, int64_t ref, int64_t session, int64_t org,
		      const char *title, const char *text)
{
	run(sql_index, "isssiii", I(ref * 8 + kind_no), title, text, kind, I(ref), I(session),
	    I(org));
}

/* ---- shared: people, topics and sessions ---------------------------------------------- */

struct people {
	int64_t *id;
	int n;
};

static void make_people(int64_t org, int n, struct people *p, int64_t now)
{
	static const char *const affil[] = {"某大学",	    "某医院", "某科技公司",
					    "某律师事务所", "某社区", "某中学",
					    "某研究院",	    "某商会", "某街道办事处"};
	static const char *const titles[] = {"教授", "主任",   "总经理", "律师",   "书记",
					     "校长", "研究员", "会长",	 "副主任", ""};
	static const char *const sectors[] = {"经济界",
					      "科技界",
					      "妇联界别",
					      "工商联界别",
					      "教育界",
					      "医药卫生界",
					      "社会福利和社会保障界",
					      ""};
	char name[64];
	int i;

	p->id = realloc(p->id, sizeof(*p->id) * (size_t)(p->n + n));
	if (!p->id)
		die("memory");
	for (i = 0; i < n; i++) {
		const char *cat = PICK(categories);

		person_name(name, sizeof(name));
		run(sql_person, "isssssiii", I(org), name, cat,
		    strcmp(cat, "member") == 0 ? PICK(sectors) : "", PICK(affil), PICK(titles),
		    I(below(3) != 0), I(now), I(now));
		p->id[p->n++] = db_last_id(db);
	}
}

struct made_session {
	int64_t id, topic, starts;
	const struct theme *th;
	const char *status, *visibility;
};

static const char *const origins[] = {"assigned", "member", "member", "sector", "public"};

/* make_session inserts a topic and its session; index: also their search_index rows */
static void make_session(int64_t org, int year, int64_t creator, bool want_public, bool index,
			 int seq, struct made_session *m)
{
	const struct theme *th = &themes[zipf(LEN(themes), 8)];
	struct text summary;
	char title[512], ttitle[256];
	int64_t starts = random_start(year), ends = starts + 3 * 3600;
	int64_t created = starts - 86400 * between(20, 60), closed = 0;
	const char *status, *vis = want_public ? "public" : "internal", *dept = "";
	int formats, r = below(100), plan_month;
	int64_t topic;

	static const char *const suffix[] = {"", "", "", "专家聊", "对口聊", "界别聊", "座谈"};
	snprintf(ttitle, sizeof(ttitle), "%s", th->titles[below(3)]);
	snprintf(title, sizeof(title), "%s%s（%d）", ttitle, PICK(suffix), seq);
	body(&summary, th, 30, 90);
	if (want_public) {
		status = r < 88 ? "closed" : "archived";
	} else {
		status = r < 75 ? "closed" : r < 85 ? "archived" : r < 93 ? "draft" : "scheduled";
	}
	if (strcmp(status, "closed") == 0 || strcmp(status, "archived") == 0)
		closed = ends + 3600;
	r = below(100);
	formats = r < 60 ? 1 << below(4) : r < 90 ? (1 << below(4)) | (1 << below(4)) : 1 | 2 | 4;
	if (formats & 2)
		dept = th->dept;
	plan_month = (int)((starts + 8 * 3600) / 86400 % 365 / 31) + 1;
	if (plan_month > 12)
		plan_month = 12;
	run(sql_topic, "issssssiiiii", I(org), ttitle, summary.s, th->domain, PICK(origins),
	    th->unit,
	    strcmp(status, "draft") == 0 ? "approved"
	    : closed			 ? "concluded"
					 : "scheduled",
	    I(year), I(plan_month), I(creator), I(created - 86400 * 30), I(created));
	topic = db_last_id(db);
	if (index)
		index_row("topic", 0, topic, 0, org, ttitle, summary.s);
	run(sql_session, "iissiississssiiii", I(org), I(topic), title, summary.s, I(starts),
	    I(ends), PICK(venues), th->unit, I(formats), dept, vis,
	    strcmp(status, "draft") == 0 ? NULL : "2.0", status, I(creator), I(created),
	    I(closed ? closed : created), I(closed));
	m->id = db_last_id(db);
	m->topic = topic;
	m->starts = starts;
	m->th = th;
	m->status = status;
	m->visibility = vis;
	if (index)
		index_row("session", 1, m->id, m->id, org, title, summary.s);
}

static const char sql_closed_null[] = "UPDATE session SET closed_at = NULL WHERE closed_at = 0";

static void invite(int64_t org, const struct made_session *m, const struct people *p, int n)
{
	int64_t chosen[16];
	int i, k, c = 0;

	for (i = 0; i < n && i < 16 && p->n > 0; i++) {
		int64_t pid = p->id[below(p->n)];

		for (k = 0; k < c; k++)
			if (chosen[k] == pid)
				break;
		if (k < c)
			continue;
		chosen[c++] = pid;
		{
			int r = below(100);
			const char *rsvp = r < 85 ? "accepted" : r < 93 ? "declined" : "pending";
			bool held =
			    strcmp(m->status, "closed") == 0 || strcmp(m->status, "archived") == 0;

			run(sql_invitation, "iiissiii", I(org), I(m->id), I(pid),
			    i == 0 ? "host" : PICK(inv_roles), rsvp,
			    I(held && strcmp(rsvp, "accepted") == 0 && below(10) != 0),
			    I(m->starts - 86400 * between(3, 10)), I(m->starts - 86400 * 14));
		}
	}
}

static void progress(const char *what, int64_t rows, double t0)
{
	double dt = now_s() - t0;

	printf("gen_load: %-28s %9lld rows in %6.2f s = %8.0f rows/s\n", what, (long long)rows, dt,
	       dt > 0 ? (double)rows / dt : 0);
	fflush(stdout);
}

/* ---- mode sessions --------------------------------------------------------------------- */

static const char sql_org_by_slug[] = "SELECT id FROM org WHERE slug = ?";
static const char sql_user_by_name[] = "SELECT id FROM users WHERE username = ?";

static void mode_sessions(int nsessions, int nremarks)
{
	int64_t org = query_int(sql_org_by_slug, "sz"), creator;
	int64_t now = time(NULL), r0, remarks = 0, suggestions = 0;
	struct people people = {NULL, 0};
	struct made_session m;
	struct text t;
	double t0 = now_s(), t1;
	int i, k, per = nsessions ? nremarks / nsessions : 0,
		  extra = nsessions ? nremarks % nsessions : 0;
	int delta = 0;

	if (!org)
		die("no org sz: make the database with `shenliao demo`");
	creator = query_int(sql_user_by_name, "organizer");
	begin_w();
	make_people(org, 600, &people, now);
	r0 = rows_total;
	for (i = 0; i < nsessions; i++) {
		int year = 2020 + below(6), n, j;
		int64_t first_remark = 0;

		make_session(org, year, creator, i % 2 == 0, true, i + 1, &m);
		invite(org, &m, &people, between(4, 8));
		/* remarks: the average per session, +-d on even sessions and -+d on odd ones,
		 * so the total is exact */
		if (i % 2 == 0)
			delta = between(-(per * 2 / 3), per * 2 / 3);
		n = per + (i % 2 == 0 ? delta : -delta) + (i < extra ? 1 : 0);
		if (i == nsessions - 1)
			n = (int)(nremarks - remarks);
		if (n < 0)
			n = 0;
		for (j = 0; j < n; j++) {
			int64_t rid, at = m.starts + 600 + j * 300;

			body(&t, m.th, 40, 200);
			run(sql_remark, "iiissiiii", I(org), I(m.id), I(people.id[below(people.n)]),
			    PICK(remark_roles), t.s, I(j + 1), I(creator), I(at), I(at));
			rid = db_last_id(db);
			if (!first_remark)
				first_remark = rid;
			index_row("remark", 2, rid, m.id, org, "", t.s);
			remarks++;
		}
		/* suggestions: about half of the held sessions, 1-3 each */
		if (strcmp(m.status, "draft") != 0 && strcmp(m.status, "scheduled") != 0 &&
		    below(2) == 0) {
			int ns = between(1, 3);

			for (k = 0; k < ns; k++) {
				struct text st;
				char title[160];
				int64_t sid, at = m.starts + 86400 * between(1, 7);

				body(&st, m.th, 40, 120);
				snprintf(title, sizeof(title), "%s%s%s", verbs[below(LEN(verbs))],
					 m.th->words[below(10)], nouns[zipf(LEN(nouns), 8)]);
				run(sql_suggestion, "iissiiii", I(org), I(m.id), title, st.s,
				    I(k + 1), I(creator), I(at), I(at));
				sid = db_last_id(db);
				index_row("suggestion", 3, sid, m.id, org, title, st.s);
				run(sql_sugg_prop, "ii", I(sid), I(people.id[below(people.n)]));
				if (first_remark && n > 0)
					run(sql_sugg_src, "ii", I(sid), I(first_remark + below(n)));
				suggestions++;
			}
		}
		if ((i + 1) % 1000 == 0) {
			commit_w();
			begin_w();
		}
	}
	exec(sql_closed_null);
	commit_w();
	t1 = now_s();
	printf("gen_load: sessions mode: %d sessions (with topics), %lld remarks, %lld suggestions,"
	       " %d people in org sz (id %lld)\n",
	       nsessions, (long long)remarks, (long long)suggestions, people.n, (long long)org);
	progress("all rows incl. search_index", rows_total - r0, t0);
	printf("gen_load: remarks: %.0f remarks/s (each with its search_index row)\n",
	       (double)remarks / (t1 - t0));
	free(people.id);
}

/* ---- mode stats ------------------------------------------------------------------------ */

static const char *const cities[] = {"广州", "珠海", "汕头", "佛山", "韶关", "河源", "梅州",
				     "惠州", "汕尾", "东莞", "中山", "江门", "阳江", "湛江",
				     "茂名", "肇庆", "清远", "潮州", "揭阳", "云浮"};
static const char *const districts[] = {"城区",	  "东区",   "西区",   "南区", "北区", "新区",
					"高新区", "江北区", "江南区", "港区", "湖区", "山区"};

struct org_info {
	int64_t id;
	int weight;
	/* its sessions, sorted by start */
	int64_t *sid, *sstart;
	int ns, cap;
};

static const char sql_orgs_all[] = "SELECT id, level FROM org ORDER BY id";
static const char sql_org_get_path[] = "SELECT path FROM org WHERE id = ?";

static struct org_info *orgs;
static int norgs, weight_sum;

static void load_orgs(void)
{
	struct db_stmt *st;

	if (db_prepare(db, sql_orgs_all, &st))
		die("prepare");
	while (db_step(st) == DB_ROW) {
		const char *lvl = db_col_text(st, 1);

		orgs = realloc(orgs, sizeof(*orgs) * (size_t)(norgs + 1));
		if (!orgs)
			die("memory");
		memset(&orgs[norgs], 0, sizeof(orgs[0]));
		orgs[norgs].id = db_col_int(st, 0);
		orgs[norgs].weight = strcmp(lvl, "district") == 0 ? 4
				     : strcmp(lvl, "city") == 0	  ? 8
								  : 5;
		weight_sum += orgs[norgs].weight;
		norgs++;
	}
	db_done(st);
}

static struct org_info *pick_org(void)
{
	int u = below(weight_sum), i;

	for (i = 0; i < norgs; i++) {
		u -= orgs[i].weight;
		if (u < 0)
			return &orgs[i];
	}
	return &orgs[norgs - 1];
}

static int64_t new_org(int64_t parent, const char *slug, const char *name, const char *level,
		       int64_t now)
{
	char ppath[256], path[300];
	struct db_stmt *st;
	int64_t id;

	run(sql_org_ins, "isssii", I(parent), slug, name, level, I(now), I(now));
	id = db_last_id(db);
	if (db_prepare(db, sql_org_get_path, &st) || db_bind_int(st, 1, parent) ||
	    db_step(st) != DB_ROW)
		die("parent path");
	snprintf(ppath, sizeof(ppath), "%s", db_col_text(st, 0));
	db_done(st);
	snprintf(path, sizeof(path), "%s%lld/", ppath, (long long)id);
	run(sql_org_path, "si", path, I(id));
	return id;
}

static int by_start(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* latest_before: a random one of the (up to 30) sessions of o that started before t, or 0 */
static int64_t session_before(const struct org_info *o, int64_t t)
{
	int lo = 0, hi = o->ns;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (o->sstart[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	return o->sid[lo - 1 - below(lo < 30 ? lo : 30)];
}

static void mode_stats(int want_orgs, int nsessions, int noutputs)
{
	static const char *const okinds[] = {"proposal",       "proposal",	  "proposal",
					     "proposal",       "opinion_report",  "opinion_report",
					     "opinion_report", "research_report", "research_report",
					     "speech",	       "special_report"};
	static const char *const akinds[] = {"instruction", "instruction", "department",
					     "department",  "department",  "policy",
					     "escalation",  "media"};
	static const char *const grades[] = {"A", "A", "A", "B", "B", "C", "D"};
	static const char *const sats[] = {"satisfied",		  "satisfied",
					   "satisfied",		  "basically_satisfied",
					   "basically_satisfied", "dissatisfied"};
	int64_t root =
	    query_int("SELECT id FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1", NULL);
	int64_t sz = query_int(sql_org_by_slug, "sz"), now = time(NULL), creator, r0;
	int64_t city_ids[32], adoptions = 0, links = 0;
	struct people people = {NULL, 0};
	int ncities = 0, have, i, d = 0;
	double t0 = now_s(), t1;
	char slug[64], name[128];

	if (!root || !sz)
		die("no root or sz org: make the database with `shenliao demo`");
	creator = query_int(sql_user_by_name, "admin");
	begin_w();
	r0 = rows_total;
	/* the tree: the root, the cities (sz is one), districts under them round-robin */
	have = (int)query_int("SELECT COUNT(*) FROM org", NULL);
	city_ids[ncities++] = sz;
	for (i = 0; i < LEN(cities) && have < want_orgs; i++, have++) {
		snprintf(slug, sizeof(slug), "city%02d", i + 1);
		snprintf(name, sizeof(name), "%s市政协", cities[i]);
		city_ids[ncities++] = new_org(root, slug, name, "city", now);
	}
	for (i = 0; have < want_orgs; i++, have++) {
		int c = i % ncities;

		snprintf(slug, sizeof(slug), "dist%03d", i + 1);
		snprintf(name, sizeof(name), "%s%s政协", c == 0 ? "深圳" : cities[c - 1],
			 districts[(i / ncities) % LEN(districts)]);
		(void)new_org(city_ids[c], slug, name, "district", now);
		d++;
	}
	load_orgs();
	progress("orgs", rows_total - r0, t0);
	/* people: 20 per body */
	{
		struct people *per = calloc((size_t)norgs, sizeof(*per));

		if (!per)
			die("memory");
		r0 = rows_total;
		t1 = now_s();
		for (i = 0; i < norgs; i++)
			make_people(orgs[i].id, 20, &per[i], now);
		progress("people", rows_total - r0, t1);
		/* sessions with topics, invitations, suggestions */
		r0 = rows_total;
		t1 = now_s();
		for (i = 0; i < nsessions; i++) {
			struct org_info *o = pick_org();
			int oi = (int)(o - orgs), r = below(100);
			int year = r < 60 ? 2024 : r < 80 ? 2023 : 2025;
			struct made_session m;

			make_session(o->id, year, creator, below(2) == 0, false, i + 1, &m);
			invite(o->id, &m, &per[oi], 3);
			if (strcmp(m.status, "draft") != 0 && below(5) < 2) {
				struct text st;

				body(&st, m.th, 30, 80);
				run(sql_suggestion, "iissiiii", I(o->id), I(m.id),
				    m.th->titles[below(3)], st.s, I(1), I(creator),
				    I(m.starts + 86400), I(m.starts + 86400));
			}
			if (strcmp(m.status, "draft") != 0) {
				if (o->ns == o->cap) {
					o->cap = o->cap ? o->cap * 2 : 256;
					o->sid =
					    realloc(o->sid, sizeof(int64_t) * 2 * (size_t)o->cap);
					if (!o->sid)
						die("memory");
				}
				o->sid[2 * o->ns] = m.id;
				o->sid[2 * o->ns + 1] = m.starts;
				o->ns++;
			}
			if ((i + 1) % 5000 == 0) {
				commit_w();
				begin_w();
			}
		}
		exec(sql_closed_null);
		progress("sessions+topics+invitations", rows_total - r0, t1);
		for (i = 0; i < norgs; i++) {
			struct org_info *o = &orgs[i];
			int k;

			qsort(o->sid, (size_t)o->ns, 2 * sizeof(int64_t), by_start);
			o->sstart = malloc(sizeof(int64_t) * (size_t)(o->ns + 1));
			if (!o->sstart)
				die("memory");
			for (k = 0; k < o->ns; k++) {
				o->sstart[k] = o->sid[2 * k + 1];
				o->sid[k] = o->sid[2 * k];
			}
			people.n += per[i].n;
			free(per[i].id);
		}
		free(per);
	}
	/* outputs */
	r0 = rows_total;
	t1 = now_s();
	{
		int seq[3] = {0};

		for (i = 0; i < noutputs; i++) {
			struct org_info *o = pick_org();
			const char *kind = PICK(okinds), *state;
			const struct theme *th = &themes[zipf(LEN(themes), 8)];
			int r = below(100), year = r < 80 ? 2024 : r < 90 ? 2023 : 2025;
			int64_t dated = random_start(year), sub = 0, acc = 0, asg = 0, rep = 0,
				ev = 0, clo = 0, due = 0;
			const char *grade = NULL, *sat = NULL, *reason = "", *issue = "",
				   *sent = "", *iby = "", *itext = "", *rtext = "";
			char title[256], number[32] = "";
			struct text b;
			int64_t oid, sid;

			r = below(100);
			if (strcmp(kind, "proposal") == 0) {
				state = r < 5	 ? "draft"
					: r < 12 ? "submitted"
					: r < 17 ? "not_accepted"
					: r < 23 ? "accepted"
					: r < 38 ? "assigned"
					: r < 53 ? "replied"
					: r < 63 ? "evaluated"
						 : "closed";
			} else if (strcmp(kind, "opinion_report") == 0) {
				state = r < 5	 ? "draft"
					: r < 15 ? "submitted"
					: r < 30 ? "edited"
					: r < 50 ? "sent"
					: r < 65 ? "instructed"
						 : "closed";
			} else {
				state = r < 6	 ? "draft"
					: r < 20 ? "submitted"
					: r < 45 ? "delivered"
						 : "closed";
			}
#define AFTER(prev, lo, hi) ((prev) + 86400 * (int64_t)between(lo, hi))
			if (strcmp(state, "draft") != 0)
				sub = AFTER(dated, 1, 10);
			if (strcmp(kind, "proposal") == 0 && sub) {
				if (strcmp(state, "not_accepted") == 0) {
					reason = "不符合提案立案标准";
				} else if (strcmp(state, "submitted") != 0) {
					acc = AFTER(sub, 3, 15);
					snprintf(number, sizeof(number), "%d%04d", year,
						 ++seq[year - 2023]);
					if (strcmp(state, "accepted") != 0) {
						asg = AFTER(acc, 3, 10);
						due = asg + 90 * 86400;
					}
					if (asg && strcmp(state, "assigned") != 0) {
						rep = AFTER(asg, 20, 100);
						grade = PICK(grades);
						rtext =
						    "经研究，采纳委员建议，已纳入年度工作计划。";
					}
					if (rep && strcmp(state, "replied") != 0) {
						ev = AFTER(rep, 3, 20);
						sat = PICK(sats);
					}
					if (ev && strcmp(state, "closed") == 0)
						clo = AFTER(ev, 3, 20);
				}
			} else if (strcmp(kind, "opinion_report") == 0 && sub) {
				if (strcmp(state, "submitted") != 0)
					issue = "第12期";
				if (strcmp(state, "sent") == 0 ||
				    strcmp(state, "instructed") == 0 ||
				    strcmp(state, "closed") == 0)
					sent = "省政协";
				if (strcmp(state, "instructed") == 0 ||
				    (strcmp(state, "closed") == 0 && below(2))) {
					iby = "市领导";
					itext = "请有关部门认真研究吸纳。";
				}
				if (strcmp(state, "closed") == 0)
					clo = AFTER(sub, 20, 60);
			} else if (sub && strcmp(state, "closed") == 0) {
				clo = AFTER(sub, 10, 40);
			}
			snprintf(title, sizeof(title), "关于%s的%s", th->titles[below(3)],
				 strcmp(kind, "proposal") == 0 ? "提案" : "建议");
			body(&b, th, 60, 200);
			run(sql_output, "isssssiisisssiiiiiiiiissss", I(o->id), kind, title, b.s,
			    state, number, I(dated), I(0), reason, I(due), rtext, grade, sat,
			    I(sub), I(acc), I(asg), I(rep), I(ev), I(clo), I(creator), I(dated),
			    I(dated), issue, sent, iby, itext);
			oid = db_last_id(db);
			if (sub && below(8) == 0) {
				int na = between(1, 2), k;

				for (k = 0; k < na; k++) {
					char date[16];
					int64_t at = AFTER(sub, 20, 120);
					int64_t dd = (at + 8 * 3600) / 86400;
					time_t tt = (time_t)(dd * 86400);
					struct tm tmv;

					gmtime_r(&tt, &tmv);
					strftime(date, sizeof(date), "%Y-%m-%d", &tmv);
					run(sql_adoption, "iisssssi", I(o->id), I(oid),
					    PICK(akinds), "关于采纳政协建议的若干措施", th->dept,
					    "", date, I(at));
					adoptions++;
				}
			}
			if (below(10) < 7 && (sid = session_before(o, dated)) != 0) {
				run(sql_out_session, "ii", I(oid), I(sid));
				links++;
			}
			if ((i + 1) % 20000 == 0) {
				commit_w();
				begin_w();
			}
		}
	}
	/* make NULL what the schema means as "not yet" (inserted as 0 above) */
	exec("UPDATE output SET cosign_deadline = NULL WHERE cosign_deadline = 0;"
	     "UPDATE output SET reply_due = NULL WHERE reply_due = 0;"
	     "UPDATE output SET submitted_at = NULL WHERE submitted_at = 0;"
	     "UPDATE output SET accepted_at = NULL WHERE accepted_at = 0;"
	     "UPDATE output SET assigned_at = NULL WHERE assigned_at = 0;"
	     "UPDATE output SET replied_at = NULL WHERE replied_at = 0;"
	     "UPDATE output SET evaluated_at = NULL WHERE evaluated_at = 0;"
	     "UPDATE output SET closed_at = NULL WHERE closed_at = 0;");
	exec("COMMIT");
	progress("outputs+adoptions+links", rows_total - r0, t1);
	printf("gen_load: stats mode: %d orgs (%d cities, %d new districts), %d people,"
	       " %d sessions, %d outputs, %lld adoptions, %lld output_session links\n",
	       norgs, ncities, d, people.n, nsessions, noutputs, (long long)adoptions,
	       (long long)links);
	printf("gen_load: total %lld rows in %.2f s = %.0f rows/s\n", (long long)rows_total,
	       now_s() - t0, (double)rows_total / (now_s() - t0));
	for (i = 0; i < norgs; i++) {
		free(orgs[i].sid);
		free(orgs[i].sstart);
	}
	free(orgs);
}

/* ---- mode votes: the database layer of vote ingestion ---------------------------------- */

/* as src/model/room.c writes a vote */
static const char sql_vote[] =
    "INSERT INTO vote (statement_id, participant_id, session_id, value, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (statement_id, participant_id)"
    " DO UPDATE SET value = excluded.value, at = excluded.at";
static const char sql_room_session[] =
    "SELECT r.session_id, r.org_id FROM room r WHERE EXISTS (SELECT 1 FROM statement s"
    " WHERE s.session_id = r.session_id AND s.status = 'accepted')"
    " ORDER BY (SELECT COUNT(*) FROM statement s WHERE s.session_id = r.session_id) DESC LIMIT 1";
static const char sql_statements[] = "SELECT id FROM statement WHERE session_id = ?"
				     " AND status = 'accepted' ORDER BY id";
static const char sql_participant[] = "INSERT INTO participant (org_id, session_id, anon_hash,"
				      " category, created_at) VALUES (?, ?, ?, 'citizen', ?)";

static struct {
	const char *path;
	int64_t session, *stmts, *parts;
	int nstmts, nparts, next_part;
	pthread_mutex_t lock, write_lock;
	double until;
	int flags, batch, serialize;
} vt;

struct vote_worker {
	pthread_t th;
	int64_t votes;
	double *lat; /* ms per transaction */
	size_t nlat, cap;
	int failed;
};

static int64_t take_participant(void)
{
	int64_t p = 0;

	pthread_mutex_lock(&vt.lock);
	if (vt.next_part < vt.nparts)
		p = vt.parts[vt.next_part++];
	pthread_mutex_unlock(&vt.lock);
	return p;
}

static void *vote_thread(void *arg)
{
	struct vote_worker *w = arg;
	struct db *c = NULL;
	int64_t part = take_participant();
	int k = 0;

	if (db_open(vt.path, vt.flags, &c) != ERR_OK) {
		w->failed = 1;
		return NULL;
	}
	while (part && now_s() < vt.until) {
		double t0 = now_s();
		int i, rc;

		if (vt.serialize) /* writers queue in the process, not in SQLite's busy handler */
			pthread_mutex_lock(&vt.write_lock);
		rc = db_begin_write(c);

		for (i = 0; !rc && i < vt.batch; i++) {
			struct db_stmt *st;

			if (k == vt.nstmts) {
				k = 0;
				part = take_participant();
				if (!part)
					break;
			}
			rc = db_prepare(c, sql_vote, &st);
			if (!rc)
				rc = db_bind_int(st, 1, vt.stmts[k]) || db_bind_int(st, 2, part) ||
				     db_bind_int(st, 3, vt.session) ||
				     db_bind_int(st, 4, (k + part) % 3 - 1) ||
				     db_bind_int(st, 5, (int64_t)(now_s() * 1e6));
			if (!rc)
				rc = db_run(st);
			k++;
			if (!rc)
				w->votes++;
		}
		if (!rc)
			rc = db_commit(c);
		if (rc)
			db_rollback(c);
		if (vt.serialize)
			pthread_mutex_unlock(&vt.write_lock);
		if (rc) {
			w->failed = 1;
			break;
		}
		if (w->nlat == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 4096;
			w->lat = realloc(w->lat, w->cap * sizeof(double));
			if (!w->lat)
				die("memory");
		}
		w->lat[w->nlat++] = (now_s() - t0) * 1000;
	}
	db_close(c);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void vote_test(const char *what, int threads, int batch, int flags, int serialize,
		      double seconds)
{
	struct vote_worker w[8];
	double t0, dt, *all = NULL;
	size_t n = 0;
	int64_t votes = 0;
	int t, failed = 0;

	memset(w, 0, sizeof(w));
	vt.batch = batch;
	vt.flags = flags;
	vt.serialize = serialize;
	t0 = now_s();
	vt.until = t0 + seconds;
	for (t = 0; t < threads; t++)
		if (pthread_create(&w[t].th, NULL, vote_thread, &w[t]))
			die("thread");
	for (t = 0; t < threads; t++) {
		pthread_join(w[t].th, NULL);
		votes += w[t].votes;
		failed |= w[t].failed;
		all = realloc(all, (n + w[t].nlat + 1) * sizeof(double));
		if (!all)
			die("memory");
		memcpy(all + n, w[t].lat, w[t].nlat * sizeof(double));
		n += w[t].nlat;
		free(w[t].lat);
	}
	dt = now_s() - t0;
	qsort(all, n, sizeof(double), cmp_double);
	printf("%-57s %8.0f votes/s  transaction p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms%s\n",
	       what, (double)votes / dt, n ? all[n / 2] : 0,
	       n ? all[(size_t)((double)n * 0.99)] : 0, n ? all[n - 1] : 0,
	       failed ? "  (FAILED)" : "");
	fflush(stdout);
	free(all);
}

static void mode_votes(const char *path, double seconds)
{
	struct db_stmt *st;
	int64_t org = 0, now = time(NULL);
	char hash[65];
	int i;

	if (db_prepare(db, sql_room_session, &st))
		die("prepare");
	if (db_step(st) == DB_ROW) {
		vt.session = db_col_int(st, 0);
		org = db_col_int(st, 1);
	}
	db_done(st);
	if (!vt.session)
		die("no room with accepted statements (run bench/votes.sh's setup first)");
	if (db_prepare(db, sql_statements, &st) || db_bind_int(st, 1, vt.session))
		die("prepare");
	while (db_step(st) == DB_ROW) {
		vt.stmts = realloc(vt.stmts, sizeof(int64_t) * (size_t)(vt.nstmts + 1));
		if (!vt.stmts)
			die("memory");
		vt.stmts[vt.nstmts++] = db_col_int(st, 0);
	}
	db_done(st);
	/* enough new participants for every test: each votes on every statement once */
	vt.nparts = 60000;
	vt.parts = malloc(sizeof(int64_t) * (size_t)vt.nparts);
	if (!vt.parts)
		die("memory");
	exec("BEGIN IMMEDIATE");
	for (i = 0; i < vt.nparts; i++) {
		snprintf(hash, sizeof(hash), "%016llx%016llx%016llx%016llx",
			 (unsigned long long)rnd(), (unsigned long long)rnd(),
			 (unsigned long long)rnd(), (unsigned long long)rnd());
		run(sql_participant, "iisi", I(org), I(vt.session), hash, I(now));
		vt.parts[i] = db_last_id(db);
	}
	exec("COMMIT");
	vt.path = path;
	pthread_mutex_init(&vt.lock, NULL);
	pthread_mutex_init(&vt.write_lock, NULL);
	printf("gen_load: votes: the vote upsert alone, session %lld, %d statements, %.0f s each,"
	       " WAL\n",
	       (long long)vt.session, vt.nstmts, seconds);
	vote_test("NORMAL: 1 transaction per vote, 1 thread", 1, 1, 0, 0, seconds);
	vote_test("NORMAL: 1 transaction per vote, 2 threads, busy handler", 2, 1, 0, 0, seconds);
	vote_test("NORMAL: 1 transaction per vote, 2 threads, one mutex", 2, 1, 0, 1, seconds);
	vote_test("NORMAL: group commit, 64 votes per transaction", 1, 64, 0, 0, seconds);
	vote_test("NORMAL: group commit, 256 votes per transaction", 1, 256, 0, 0, seconds);
	vote_test("FULL: 1 transaction per vote, 2 threads, busy handler", 2, 1, DB_OPEN_SYNC_FULL,
		  0, seconds);
	vote_test("FULL: 1 transaction per vote, 2 threads, one mutex", 2, 1, DB_OPEN_SYNC_FULL, 1,
		  seconds);
	vote_test("FULL: group commit, 64 votes per transaction", 1, 64, DB_OPEN_SYNC_FULL, 0,
		  seconds);
	printf("gen_load: votes: %d participants used of %d\n", vt.next_part, vt.nparts);
	free(vt.stmts);
	free(vt.parts);
}

/* ---- main ------------------------------------------------------------------------------ */

static const char usage[] =
    "usage: gen_load --db FILE --mode sessions|stats|votes [--sessions N] [--remarks N]\n"
    "                [--orgs N] [--outputs N] [--seconds S] [--seed S]\n";

int main(int argc, char **argv)
{
	const char *path = NULL, *mode = NULL;
	long sessions = -1, remarks = 200000, outputs = 200000, norg = 100;
	double seconds = 3;
	unsigned long long seed = 42;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			fputs(usage, stderr);
			return 2;
		}
		if (strcmp(a, "--db") == 0)
			path = v;
		else if (strcmp(a, "--mode") == 0)
			mode = v;
		else if (strcmp(a, "--sessions") == 0)
			sessions = strtol(v, NULL, 10);
		else if (strcmp(a, "--remarks") == 0)
			remarks = strtol(v, NULL, 10);
		else if (strcmp(a, "--outputs") == 0)
			outputs = strtol(v, NULL, 10);
		else if (strcmp(a, "--orgs") == 0)
			norg = strtol(v, NULL, 10);
		else if (strcmp(a, "--seconds") == 0)
			seconds = strtod(v, NULL);
		else if (strcmp(a, "--seed") == 0)
			seed = strtoull(v, NULL, 10);
		else {
			fputs(usage, stderr);
			return 2;
		}
		i++;
	}
	if (!path || !mode ||
	    (strcmp(mode, "sessions") != 0 && strcmp(mode, "stats") != 0 &&
	     strcmp(mode, "votes") != 0) ||
	    seconds <= 0 || remarks < 0 || outputs < 0 || norg < 1 || norg > 10000) {
		fputs(usage, stderr);
		return 2;
	}
	rng = seed;
	if (db_open(path, 0, &db) != ERR_OK) {
		fprintf(stderr, "gen_load: cannot open %s\n", path);
		return 1;
	}
	if (strcmp(mode, "votes") == 0) {
		mode_votes(path, seconds);
		db_close(db);
		return 0;
	}
	/* a loader's settings: this connection only, nothing the server keeps */
	if (db_dialect(db) == DB_SQLITE)
		exec(
		    "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;");
	if (strcmp(mode, "sessions") == 0)
		mode_sessions(sessions < 0 ? 10000 : (int)sessions, (int)remarks);
	else
		mode_stats((int)norg, sessions < 0 ? 50000 : (int)sessions, (int)outputs);
	if (db_dialect(db) == DB_SQLITE) {
		exec("PRAGMA wal_checkpoint(TRUNCATE)");
	} else {
		/* PostgreSQL: the index rows went in without their tsvector and token count, as
		 * shenliao copy writes them; made here as copy does (db/cjk.c) */
		int64_t filled = 0;

		if (cjk_fill_terms(db, &filled) != ERR_OK) {
			fprintf(stderr, "gen_load: cjk_fill_terms: %s\n", db_errmsg(db));
			return 1;
		}
		printf("gen_load: search terms made for %lld rows\n", (long long)filled);
	}
	db_close(db);
	return 0;
}
