// HTTP tests of issue #10 item 11: every malformed input is refused with 422 naming the
// field, and nothing changes.
//
// Table-driven from the route table itself: GET /api/v1/openapi.json lists every API route
// with a JSON body, its fields, their types, required flags and limits (maxLength,
// minimum/maximum, x-nonblank, minItems). For each such route the table below (ROUTES) gives
// a valid body and what to read before and after (probe); the test then sends, for every
// declared field, the malformed variants its declaration calls for — blank text where text
// is required, a number where a string belongs and a string where a number belongs, wrong
// booleans, arrays where scalars belong and scalars where arrays belong, dates that do not
// exist, texts one character over their limit, integers outside their range, empty lists
// that must not be empty — plus an unknown field and each field twice (raw JSON text). Each
// must answer 422 with error.field naming the field, and the probes must read the same
// afterwards. Last, the valid body itself must be accepted (so a refusal was the variant's,
// not the body's). A route with a body and no row here fails the test.
//
// The page forms of the main create forms (topics, sessions, people, outputs, the record's
// operations) are sent a field twice and a blank title: the form comes back (422) with the
// message, and nothing is created.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, Client, DEMO_PASSWORD, ADMIN_PASSWORD } from '../lib/server.mjs';

let srv;
const clients = {};
const fx = {}; // the objects made for the test (ids)

async function as(username, password = DEMO_PASSWORD) {
  const c = new Client(srv.url);
  await c.login(username, password);
  return c;
}
function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text}`);
  return r.data;
}

// goLive invites what an expert and counterpart session needs, then opens it.
async function goLive(org, id) {
  const expert = ok(await org.post('/api/v1/people', { name: '受邀专家', category: 'expert' }), 'person').id;
  const official = ok(await org.post('/api/v1/people', { name: '受邀官员', category: 'official', affiliation: '市某局' }), 'person').id;
  for (const p of [expert, official]) ok(await org.post(`/api/v1/sessions/${id}/invitations`, { person_id: p }), 'invite');
  ok(await org.post(`/api/v1/sessions/${id}/transition`, { to: 'scheduled' }), 'schedule');
  ok(await org.post(`/api/v1/sessions/${id}/transition`, { to: 'live' }), 'live');
}

// Text fields that must not be blank wherever they are given (a title, a name, a text,
// a required body): the declaration must say so (x-nonblank) and the server must refuse
// "", "   " and "\u3000".
const NONBLANK_NAMES = new Set(['title', 'name', 'text', 'name_zh', 'display_name', 'username']);
// …but a person's title is the position they hold, which may be left empty.
const MAY_BE_BLANK = new Set(['POST /api/v1/people title', 'PATCH /api/v1/people/{id} title']);
const mustNotBeBlank = (key, name, s, required) => !MAY_BE_BLANK.has(`${key} ${name}`) &&
  (s['x-nonblank'] || NONBLANK_NAMES.has(name) || (name === 'body' && required));
// Fields holding a date or a time (declared as FIELD_TIME: a date YYYY-MM-DD or ISO 8601).
const TIME_NAMES = new Set(['starts_at', 'ends_at', 'due_date', 'date', 'cosign_deadline', 'reply_due']);
// Domain ranges the issue names, checked whether or not the declaration shows them.
const RANGES = { plan_year: [2000, 2100], plan_month: [0, 12] };
// Lists that must not be empty when given.
const NONEMPTY_LISTS = new Set(['formats']);

// ROUTES: "METHOD /api/v1/pattern" -> { as, path, body, probe: [GET paths], control }
// as: the client that sends it; control false: the valid body is not sent at the end (the
// caller may not do it, or it would end the session the test uses).
const ROUTES = {
  'POST /api/v1/login': { as: 'anon', path: () => '/api/v1/login', body: () => ({ username: 'member', password: DEMO_PASSWORD }), probe: () => [] },
  'POST /api/v1/me/sessions/revoke': { as: 'throwaway', path: () => '/api/v1/me/sessions/revoke', body: () => ({}), probe: () => ['/api/v1/me'], control: false }, // the valid body would end the member sessions the other rows use (accounts.test.mjs covers it),
  'POST /api/v1/logout': { as: 'throwaway', path: () => '/api/v1/logout', body: () => ({}), probe: () => ['/api/v1/me'] },
  'POST /api/v1/orgs': { as: 'szadmin', path: () => '/api/v1/orgs', body: () => ({ name: '坏输入测试区政协', slug: 'bi-new-district', level: 'district' }), probe: () => ['/api/v1/orgs?limit=500'] },
  'PATCH /api/v1/orgs/{id}': { as: 'szadmin', path: () => `/api/v1/orgs/${fx.org}`, body: () => ({ name: '改名后的测试区政协' }), probe: () => [`/api/v1/orgs/${fx.org}`] },
  'POST /api/v1/users': { as: 'szadmin', path: () => '/api/v1/users', body: () => ({ username: 'bi-new-user', password: 'long-enough-pass-1', display_name: '新用户', role: 'member' }), probe: () => ['/api/v1/users?limit=500'] },
  'PATCH /api/v1/users/{id}': { as: 'szadmin', path: () => `/api/v1/users/${fx.user}`, body: () => ({ display_name: '改过的名字' }), probe: () => [`/api/v1/users/${fx.user}`] },
  'POST /api/v1/people': { as: 'org', path: () => '/api/v1/people', body: () => ({ name: '新参与者', category: 'expert' }), probe: () => ['/api/v1/people?limit=500'] },
  'PATCH /api/v1/people/{id}': { as: 'org', path: () => `/api/v1/people/${fx.person}`, body: () => ({ name: '改过的参与者' }), probe: () => [`/api/v1/people/${fx.person}`] },
  'POST /api/v1/domains': { as: 'szadmin', path: () => '/api/v1/domains', body: () => ({ code: 'bitest', name_zh: '测试领域' }), probe: () => ['/api/v1/domains'] },
  'POST /api/v1/topics': { as: 'org', path: () => '/api/v1/topics', body: () => ({ title: '新议题', domain: 'society', origin: 'member', plan_year: 2026, plan_month: 5 }), probe: () => ['/api/v1/topics?limit=500'] },
  'PATCH /api/v1/topics/{id}': { as: 'org', path: () => `/api/v1/topics/${fx.topic}`, body: () => ({ title: '改过的议题' }), probe: () => [`/api/v1/topics/${fx.topic}`] },
  'POST /api/v1/topics/{id}/transition': { as: 'org', path: () => `/api/v1/topics/${fx.topic}/transition`, body: () => ({ to: 'approved' }), probe: () => [`/api/v1/topics/${fx.topic}`] },
  'POST /api/v1/sessions': { as: 'org', path: () => '/api/v1/sessions', body: () => ({ title: '新的会', topic_id: fx.approvedTopic, formats: ['expert'], starts_at: '2026-05-01T09:00:00+08:00', ends_at: '2026-05-01T11:00:00+08:00' }), probe: () => ['/api/v1/sessions?limit=500'] },
  'PATCH /api/v1/sessions/{id}': { as: 'org', path: () => `/api/v1/sessions/${fx.session}`, body: () => ({ title: '改过的会' }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  'POST /api/v1/sessions/{id}/transition': { as: 'org', path: () => `/api/v1/sessions/${fx.draftSession}/transition`, body: () => ({ to: 'scheduled' }), probe: () => [`/api/v1/sessions/${fx.draftSession}`] },
  'POST /api/v1/sessions/{id}/invitations': { as: 'org', path: () => `/api/v1/sessions/${fx.session}/invitations`, body: () => ({ person_id: fx.person2, role: 'expert' }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  'POST /api/v1/sessions/{id}/attendance': { as: 'org', path: () => `/api/v1/sessions/${fx.session}/attendance`, body: () => ({ person_id: fx.person, attended: true }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  'POST /api/v1/sessions/{id}/remarks': { as: 'org', path: () => `/api/v1/sessions/${fx.session}/remarks`, body: () => ({ person_id: fx.person, role: '委员', body: '一段发言' }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  'POST /api/v1/sessions/{id}/commitments': { as: 'org', path: () => `/api/v1/sessions/${fx.session}/commitments`, body: () => ({ owner: '市某局', body: '一项承诺', due_date: '2026-06-30' }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  'POST /api/v1/sessions/{id}/points': { as: 'org', path: () => `/api/v1/sessions/${fx.session}/points`, body: () => ({ kind: 'agreed', body: '一点共识' }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  'POST /api/v1/sessions/{id}/suggestions': { as: 'org', path: () => `/api/v1/sessions/${fx.session}/suggestions`, body: () => ({ title: '一条建议', body: '建议的正文' }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  'PATCH /api/v1/commitments/{id}': { as: 'org', path: () => `/api/v1/commitments/${fx.commitment}`, body: () => ({ status: 'in_progress' }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  // corrections of the record (issue 11)
  'PATCH /api/v1/remarks/{id}': { as: 'org', path: () => `/api/v1/remarks/${fx.remark}`, body: () => ({ person_id: fx.person, role: '委员', body: '更正的发言', reason: '核对录音' }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  'PATCH /api/v1/points/{id}': { as: 'org', path: () => `/api/v1/points/${fx.point}`, body: () => ({ kind: 'difference', body: '更正的要点', reason: '核对' }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  'PATCH /api/v1/suggestions/{id}': { as: 'org', path: () => `/api/v1/suggestions/${fx.suggestion}`, body: () => ({ title: '更正的建议', body: '正文', proposer_ids: [fx.person], sources: [], reason: '核对' }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  'PATCH /api/v1/invitations/{id}': { as: 'org', path: () => `/api/v1/invitations/${fx.invitation2}`, body: () => ({ role: 'expert', attended: true, reason: '核对' }), probe: () => [`/api/v1/sessions/${fx.session}`] },
  'POST /api/v1/invitations/{id}/answer': { as: 'member', path: () => `/api/v1/invitations/${fx.invitation}/answer`, body: () => ({ answer: 'accepted' }), probe: () => ['/api/v1/me/invitations'] },
  'PATCH /api/v1/duty-points': { as: 'szadmin', path: () => '/api/v1/duty-points', body: () => ({ attended: 2, remark: 1, adopted: 3 }), probe: () => ['/api/v1/duty-points'] },
  'POST /api/v1/outputs': { as: 'org', path: () => '/api/v1/outputs', body: () => ({ kind: 'proposal', title: '一件提案', body: '提案正文', date: '2026-03-01', authors: [{ person_id: fx.person, role: 'lead' }] }), probe: () => ['/api/v1/outputs?limit=500'] },
  'PATCH /api/v1/outputs/{id}': { as: 'org', path: () => `/api/v1/outputs/${fx.output}`, body: () => ({ title: '改过的提案' }), probe: () => [`/api/v1/outputs/${fx.output}`] },
  'POST /api/v1/outputs/{id}/transition': { as: 'org', path: () => `/api/v1/outputs/${fx.output}/transition`, body: () => ({ to: 'submitted', note: '提交' }), probe: () => [`/api/v1/outputs/${fx.output}`] },
  'POST /api/v1/outputs/{id}/confirm': { as: 'org', path: () => `/api/v1/outputs/${fx.output}/confirm`, body: () => ({}), probe: () => [`/api/v1/outputs/${fx.output}`], control: false },
  'POST /api/v1/outputs/{id}/instruction': { as: 'szadmin', path: () => `/api/v1/outputs/${fx.submitted}/instruction`, body: () => ({ text: '请研究办理。', by: '某领导', date: '2025-03-01' }), probe: () => [`/api/v1/outputs/${fx.submitted}`] },
  'POST /api/v1/outputs/{id}/decline': { as: 'org', path: () => `/api/v1/outputs/${fx.output}/decline`, body: () => ({ note: '不联名' }), probe: () => [`/api/v1/outputs/${fx.output}`], control: false },
  'POST /api/v1/outputs/{id}/adoptions': { as: 'org', path: () => `/api/v1/outputs/${fx.output}/adoptions`, body: () => ({ kind: 'policy', title: '某项政策', date: '2025-03-01' }), probe: () => [`/api/v1/outputs/${fx.output}/lineage`] },
  'POST /api/v1/handlers': { as: 'org', path: () => '/api/v1/handlers', body: () => ({ name: '测试承办局' }), probe: () => ['/api/v1/handlers'] },
  'PATCH /api/v1/handlers/{id}': { as: 'org', path: () => `/api/v1/handlers/${fx.handler2}`, body: () => ({ name: '坏输入改名局', disabled: false }), probe: () => ['/api/v1/handlers'] },
  'POST /api/v1/handlers/{id}/merge': { as: 'org', path: () => `/api/v1/handlers/${fx.mergeFrom}/merge`, body: () => ({ into_id: fx.handler2 }), probe: () => ['/api/v1/handlers'] },
  'POST /api/v1/outputs/{id}/co-opinion': { as: 'co', path: () => `/api/v1/outputs/${fx.assigned}/co-opinion`, body: () => ({ text: '协办单位的意见' }), probe: () => [`/api/v1/outputs/${fx.assigned}`] },
  // escalation to a higher body (issue 15): the city's speech to the province; a district's
  // reports escalated to the city, one pending (answered), one accepted (adopted)
  'POST /api/v1/outputs/{id}/escalate': { as: 'org', path: () => `/api/v1/outputs/${fx.submitted}/escalate`, body: () => ({ note: '请省政协关注', to_org_id: fx.root }), probe: () => [`/api/v1/outputs/${fx.submitted}`] },
  'POST /api/v1/escalations/{id}/answer': { as: 'org', path: () => `/api/v1/escalations/${fx.escPending}/answer`, body: () => ({ decision: 'accepted', note: '纳入市级专报' }), probe: () => ['/api/v1/escalations'] },
  'POST /api/v1/escalations/{id}/adopt': { as: 'org', path: () => `/api/v1/escalations/${fx.escAccepted}/adopt`, body: () => ({ kind: 'special_report', title: '市级专报', body: '专报正文' }), probe: () => ['/api/v1/escalations', '/api/v1/outputs?limit=500'] },
  'POST /api/v1/sessions/{id}/statements': { as: 'org', path: () => `/api/v1/sessions/${fx.session}/statements`, body: () => ({ text: '一条新的观点' }), probe: () => [`/api/v1/sessions/${fx.session}/statements`] },
  'PUT /api/v1/statements/{id}/vote': { as: 'member', path: () => `/api/v1/statements/${fx.statement}/vote`, body: () => ({ vote: 1 }), probe: () => [`/api/v1/sessions/${fx.session}/statements`] },
  'PATCH /api/v1/statements/{id}': { as: 'org', path: () => `/api/v1/statements/${fx.statement}`, body: () => ({ status: 'accepted' }), probe: () => [`/api/v1/sessions/${fx.session}/statements`] },
  'POST /api/v1/sessions/{id}/room': { as: 'org', path: () => `/api/v1/sessions/${fx.session}/room`, body: () => ({ moderation: 'post', anonymous: false, open: true }), probe: () => [`/api/v1/sessions/${fx.session}/room`] },
  'POST /api/v1/me/notifications/{id}/read': { as: 'member', path: () => `/api/v1/me/notifications/${fx.notification}/read`, body: () => ({}), probe: () => ['/api/v1/me/notifications'] },
  'POST /api/v1/me/notifications/read': { as: 'member', path: () => '/api/v1/me/notifications/read', body: () => ({}), probe: () => ['/api/v1/me/notifications'] },
  // work rules (issue 15)
  'POST /api/v1/orgs/{id}/rules': { as: 'szadmin', path: () => `/api/v1/orgs/${fx.szOrg}/rules`, body: () => ({ version: 'bi-1', title: '坏输入测试规则', body: '正文', params: { reply_days: 30 }, effective_from: '2025-01-01' }), probe: () => [`/api/v1/orgs/${fx.szOrg}/rules`] },
  'POST /api/v1/orgs/{id}/rules/copy': { as: 'szadmin', path: () => `/api/v1/orgs/${fx.org}/rules/copy`, body: () => ({ from_org_id: fx.szOrg, version: '2.0', new_version: 'bi-copy' }), probe: () => [`/api/v1/orgs/${fx.org}/rules`] },
};

// typesOf gives the JSON types a schema allows (["string"], ["integer", "null"]…).
const typesOf = (s) => (Array.isArray(s.type) ? s.type : [s.type]);
const timeFormat = (s) => (s.anyOf || []).some((x) => x.format === 'date' || x.format === 'date-time');
const isTime = (name, s) => TIME_NAMES.has(name) || timeFormat(s);

// variants lists the malformed bodies for one route: {label, field, body (object) or raw
// (JSON text)}. base is the valid body; schema the route's request body schema.
function variants(key, base, schema) {
  const out = [];
  const props = schema.properties || {};
  const add = (field, label, value) => out.push({ field, label: `${field}: ${label}`, body: { ...base, [field]: value } });
  for (const [name, s] of Object.entries(props)) {
    const t = typesOf(s);
    if (t.includes('string')) {
      add(name, 'a number where a string belongs', 12345);
      add(name, 'a boolean where a string belongs', true);
      add(name, 'an array where a string belongs', ['x']);
      add(name, 'an object where a string belongs', { x: 1 });
      if (mustNotBeBlank(key, name, s, (schema.required || []).includes(name))) {
        add(name, 'empty', '');
        add(name, 'spaces only', '   ');
        add(name, 'an ideographic space only', '\u3000');
        add(name, 'blank lines', ' \n\t ');
      }
      if (isTime(name, s)) {
        add(name, 'a day that does not exist', '2026-02-30');
        add(name, 'a month that does not exist', '2026-13-01');
        add(name, 'an hour that does not exist', '2026-05-01T25:00:00+08:00');
        add(name, 'a word, not a date', 'tomorrow');
      }
      if (Number.isInteger(s.maxLength)) add(name, `${s.maxLength + 1} characters (limit ${s.maxLength})`, '字'.repeat(s.maxLength + 1));
    } else if (t.includes('integer')) {
      add(name, 'a string where an integer belongs', '12');
      add(name, 'a word where an integer belongs', 'twelve');
      add(name, 'a fraction', 1.5);
      add(name, 'a boolean where an integer belongs', true);
      add(name, 'an array where an integer belongs', [1]);
      const [lo, hi] = RANGES[name] || [s.minimum, s.maximum];
      if (Number.isInteger(lo)) add(name, `below ${lo}`, lo - 1);
      if (Number.isInteger(hi)) add(name, `above ${hi}`, hi + 1);
    } else if (t.includes('object')) {
      add(name, 'a string where an object belongs', 'x');
      add(name, 'a number where an object belongs', 1);
      add(name, 'an array where an object belongs', [{ x: 1 }]);
    } else if (t.includes('boolean')) {
      add(name, 'a string where a boolean belongs', 'yes');
      add(name, 'the text "true"', 'true');
      add(name, 'a number where a boolean belongs', 1);
      add(name, 'an array where a boolean belongs', [true]);
    } else if (t.includes('array')) {
      const it = s.items || {};
      add(name, 'a string where an array belongs', 'x');
      add(name, 'a number where an array belongs', 1);
      add(name, 'an object where an array belongs', { x: 1 });
      if (it.type === 'string') add(name, 'a number in a list of strings', [1]);
      if (it.type === 'integer') {
        add(name, 'a string in a list of ids', ['1']);
        add(name, 'a zero id', [0]);
        add(name, 'a negative id', [-3]);
        add(name, 'a fraction id', [1.5]);
      }
      if (it.type === 'object') {
        add(name, 'a number in a list of objects', [1]);
        add(name, 'an unknown member', [{ zzz_unknown: 1 }]);
      }
      if (NONEMPTY_LISTS.has(name) || s.minItems > 0) add(name, 'an empty list', []);
    }
  }
  out.push({ field: 'zzz_unknown', label: 'an unknown field', body: { ...base, zzz_unknown: 'x' } });
  // each field of the body twice in the raw JSON text; a body without fields doubles an
  // unknown one
  const keys = Object.keys(base).length ? Object.keys(base) : ['zzz_twice'];
  for (const k of keys) {
    const rest = Object.entries(base).filter(([x]) => x !== k).map(([x, v]) => `${JSON.stringify(x)}:${JSON.stringify(v)}`);
    const v = k in base ? base[k] : 1;
    out.push({ field: k, label: `${k}: twice`, raw: `{${[`${JSON.stringify(k)}:${JSON.stringify(v)}`, `${JSON.stringify(k)}:${JSON.stringify(v)}`, ...rest].join(',')}}` });
  }
  return out;
}

// The routes with a JSON body, from the OpenAPI document.
// BADINPUT_SPEC=file reads the document from a file instead: to count what an older server
// (one that declared fewer limits) accepts of the same variants.
async function bodyRoutes() {
  const doc = process.env.BADINPUT_SPEC ? JSON.parse(readFileSync(process.env.BADINPUT_SPEC, 'utf8'))
    : (await new Client(srv.url).get('/api/v1/openapi.json')).data;
  const list = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const schema = op.requestBody && op.requestBody.content['application/json'] && op.requestBody.content['application/json'].schema;
      if (schema) list.push({ key: `${method.toUpperCase()} ${path}`, schema });
    }
  }
  return list;
}

// snapshot reads the probes of a route as c sees them.
async function snapshot(c, paths) {
  const out = [];
  for (const p of paths) {
    const r = await c.get(p);
    out.push(`${p} ${r.status} ${r.text}`);
  }
  return out;
}

async function send(c, method, path, v) {
  if (v.raw !== undefined) return c.req(method, path, { body: v.raw, headers: { 'Content-Type': 'application/json' } });
  return c.req(method, path, { json: v.body });
}

// counts, printed at the end: how many malformed inputs were sent and how many accepted
const tally = { sent: 0, accepted: 0, wrong: 0 };
const formTally = { sent: 0, accepted: 0 };

describe('bad input is refused with 422 naming the field, and nothing changes', () => {
  before(async () => {
    srv = await startServer({ args: ['--no-flood-limits'] });
    clients.anon = new Client(srv.url);
    clients.org = await as('organizer');
    clients.member = await as('member');
    clients.szadmin = await as('sz-admin');
    clients.admin = await as('admin', ADMIN_PASSWORD);
    const org = clients.org;
    const sz = clients.szadmin;
    fx.org = ok(await sz.post('/api/v1/orgs', { name: '坏输入测试区', slug: 'bi-district', level: 'district' }), 'org').id;
    fx.szOrg = (await sz.get('/api/v1/me')).data.org.id;
    fx.user = ok(await sz.post('/api/v1/users', { username: 'bi-user', password: 'long-enough-pass-1', role: 'member' }), 'user').id;
    fx.person = ok(await org.post('/api/v1/people', { name: '测试参与者', category: 'member' }), 'person').id;
    fx.person2 = ok(await org.post('/api/v1/people', { name: '第二位参与者', category: 'expert' }), 'person').id;
    fx.topic = ok(await org.post('/api/v1/topics', { title: '测试议题', domain: 'society', origin: 'member' }), 'topic').id;
    fx.approvedTopic = ok(await org.post('/api/v1/topics', { title: '已通过的测试议题', domain: 'society', origin: 'member' }), 'topic').id;
    ok(await org.post(`/api/v1/topics/${fx.approvedTopic}/transition`, { to: 'approved' }), 'approve');
    fx.session = ok(await org.post('/api/v1/sessions', { title: '测试的会', topic_id: fx.approvedTopic, formats: ['expert', 'counterpart'], department: '市某局' }), 'session').id;
    fx.draftSession = ok(await org.post('/api/v1/sessions', { title: '草稿的会', topic_id: fx.approvedTopic, formats: ['expert'] }), 'session').id;
    const expert = ok(await org.post('/api/v1/people', { name: '草稿会的专家', category: 'expert' }), 'person').id;
    ok(await org.post(`/api/v1/sessions/${fx.draftSession}/invitations`, { person_id: expert }), 'invite');
    await goLive(org, fx.session);
    ok(await org.post(`/api/v1/sessions/${fx.session}/invitations`, { person_id: fx.person }), 'invite');
    fx.commitment = ok(await org.post(`/api/v1/sessions/${fx.session}/commitments`, { owner: '某局', body: '测试承诺' }), 'commitment').id;
    const invitee = ok(await org.post('/api/v1/people', { name: '更正测试的受邀人', category: 'member' }), 'person').id;
    fx.invitation2 = ok(await org.post(`/api/v1/sessions/${fx.session}/invitations`, { person_id: invitee }), 'invite').id;
    fx.remark = ok(await org.post(`/api/v1/sessions/${fx.session}/remarks`, { person_id: fx.person, body: '测试发言' }), 'remark').id;
    fx.point = ok(await org.post(`/api/v1/sessions/${fx.session}/points`, { kind: 'agreed', body: '测试共识' }), 'point').id;
    fx.suggestion = ok(await org.post(`/api/v1/sessions/${fx.session}/suggestions`, { title: '测试建议' }), 'suggestion').id;
    // the member's own invitation, to answer
    const me = (await clients.member.get('/api/v1/me')).data.user;
    const people = (await org.get('/api/v1/people?limit=500')).data.items;
    const mine = people.find((p) => p.user_id === me.id);
    assert.ok(mine, 'the member is a person of the organizer\'s body');
    ok(await org.post(`/api/v1/sessions/${fx.session}/invitations`, { person_id: mine.id }), 'invite the member');
    fx.invitation = (await clients.member.get('/api/v1/me/invitations')).data.items.find((i) => i.session_id === fx.session).id;
    fx.notification = (await clients.member.get('/api/v1/me/notifications')).data.items.find((n) => n.kind === 'invitation').id;
    ok(await org.post(`/api/v1/sessions/${fx.session}/room`, { moderation: 'post', open: true }), 'room');
    fx.statement = ok(await org.post(`/api/v1/sessions/${fx.session}/statements`, { text: '测试观点' }), 'statement').id;
    fx.output = ok(await org.post('/api/v1/outputs', { kind: 'proposal', title: '测试提案', body: '正文', authors: [{ person_id: fx.person, role: 'lead' }] }), 'output').id;
    // handling units: one with a co-handler's account on an assigned proposal, two to
    // rename and merge
    fx.handler = ok(await org.post('/api/v1/handlers', { name: '坏输入协办局' }), 'handler').id;
    fx.handler2 = ok(await org.post('/api/v1/handlers', { name: '坏输入并入局' }), 'handler').id;
    fx.mergeFrom = ok(await org.post('/api/v1/handlers', { name: '坏输入被并局' }), 'handler').id;
    ok(await sz.post('/api/v1/users', { username: 'bi-co', password: 'long-enough-pass-1', role: 'guest', handler_id: fx.handler }), 'co account');
    clients.co = await as('bi-co', 'long-enough-pass-1');
    fx.assigned = ok(await org.post('/api/v1/outputs', { kind: 'proposal', title: '交办的测试提案', body: '正文', authors: [{ person_id: fx.person, role: 'lead' }] }), 'output').id;
    for (const to of ['submitted', 'accepted']) ok(await org.post(`/api/v1/outputs/${fx.assigned}/transition`, { to }), to);
    ok(await org.post(`/api/v1/outputs/${fx.assigned}/transition`, { to: 'assigned', lead_handler_id: fx.handler2, co_handler_ids: [fx.handler] }), 'assign');
    fx.submitted = ok(await org.post('/api/v1/outputs', { kind: 'speech', title: '已提交的发言', body: '正文' }), 'output').id;
    ok(await org.post(`/api/v1/outputs/${fx.submitted}/transition`, { to: 'submitted' }), 'submit');
    fx.root = ok(await clients.admin.get('/api/v1/me'), 'me').org.id;
    const yt = await as('yt-organizer');
    const esc = [];
    for (const title of ['待答复的区级报告', '已接受的区级报告']) {
      const id = ok(await yt.post('/api/v1/outputs', { kind: 'research_report', title, body: '正文' }), 'district output').id;
      ok(await yt.post(`/api/v1/outputs/${id}/transition`, { to: 'submitted' }), 'submit');
      esc.push(ok(await yt.post(`/api/v1/outputs/${id}/escalate`, { note: '请市政协关注' }), 'escalate').id);
    }
    [fx.escPending, fx.escAccepted] = esc;
    ok(await org.post(`/api/v1/escalations/${fx.escAccepted}/answer`, { decision: 'accepted' }), 'accept');
  });
  after(async () => {
    console.log(`# bad input: ${tally.sent} malformed inputs sent, ${tally.accepted} accepted, ${tally.wrong} answered otherwise than 422 naming the field`);
    await srv.stop();
  });

  test('every route with a JSON body has a row in the table, and its limits are declared', async () => {
    const routes = await bodyRoutes();
    assert.ok(routes.length >= 30, `routes with a body: ${routes.length}`);
    const missing = routes.filter((r) => !ROUTES[r.key]).map((r) => r.key);
    assert.deepEqual(missing, [], 'routes with a JSON body but no row in tests/http/badinput.test.mjs');
    const undeclared = [];
    for (const r of routes) {
      for (const [name, s] of Object.entries(r.schema.properties || {})) {
        const t = typesOf(s);
        if (t.includes('string') && !isTime(name, s) && !Number.isInteger(s.maxLength)) undeclared.push(`${r.key} ${name}: no maxLength`);
        if (t.includes('string') && mustNotBeBlank(r.key, name, s, false) && !s['x-nonblank']) undeclared.push(`${r.key} ${name}: not x-nonblank`);
        if (RANGES[name] && (s.minimum !== RANGES[name][0] || s.maximum !== RANGES[name][1])) undeclared.push(`${r.key} ${name}: range not declared`);
        if (NONEMPTY_LISTS.has(name) && s.minItems !== 1) undeclared.push(`${r.key} ${name}: minItems not declared`);
        if (TIME_NAMES.has(name) && !timeFormat(s)) undeclared.push(`${r.key} ${name}: not declared a date or time`);
      }
    }
    assert.deepEqual(undeclared, []);
  });

  test('a fault inside a list of objects names the member; a long unknown name is still text', async () => {
    const org = clients.org;
    const before = await snapshot(org, ['/api/v1/outputs?limit=500']);
    const authors = [{ person_id: fx.person, role: 'lead' }, { person_id: fx.person2, role: 7 }];
    let r = await org.post('/api/v1/outputs', { kind: 'proposal', title: '两位作者', authors });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.data.error.code, 'invalid_type');
    assert.equal(r.data.error.field, 'authors[1].role');
    r = await org.post('/api/v1/outputs', { kind: 'proposal', title: '两位作者', authors: [authors[0], { person_id: fx.person2, role: 'cosigner', colour: 'red' }] });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.data.error.code, 'unknown_field');
    assert.equal(r.data.error.field, 'authors[1].colour');
    const long = '字段'.repeat(100);
    r = await org.post('/api/v1/topics', { title: 'x', domain: 'society', origin: 'member', [long]: 1 });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.data.error.code, 'unknown_field');
    assert.ok(long.startsWith(r.data.error.field) && r.data.error.field.length > 10, r.data.error.field);
    assert.deepEqual(await snapshot(org, ['/api/v1/outputs?limit=500']), before);
  });

  test('each malformed variant: 422 naming the field, nothing changed; the valid body is accepted', async () => {
    const routes = await bodyRoutes();
    const failures = [];
    for (const { key, schema } of routes) {
      const row = ROUTES[key];
      if (!row) continue;
      const method = key.split(' ')[0];
      const c = row.as === 'throwaway' ? await as('member') : clients[row.as];
      const probeAs = row.as === 'anon' || row.as === 'throwaway' ? c : clients[row.as];
      const path = row.path();
      // what the probes read before the first variant; each variant must leave it so
      let beforeSnap = await snapshot(probeAs, row.probe());
      for (const v of variants(key, row.body(), schema)) {
        const r = await send(c, method, path, v);
        const afterSnap = await snapshot(probeAs, row.probe());
        tally.sent++;
        const field = r.data && r.data.error && r.data.error.field;
        const named = field === v.field || (typeof field === 'string' && (field.startsWith(`${v.field}[`) || field.startsWith(`${v.field}.`)));
        if (r.status >= 200 && r.status < 300) {
          tally.accepted++;
          if (process.env.BADINPUT_LIST) console.log(`# accepted: ${key} — ${v.label}: ${r.status}`);
        }
        if (r.status !== 422 || !named) {
          tally.wrong++;
          failures.push(`${key} — ${v.label}: ${r.status} ${r.text.slice(0, 160)}`);
        } else if (beforeSnap.join('\n') !== afterSnap.join('\n')) {
          failures.push(`${key} — ${v.label}: refused, but something changed`);
        }
        beforeSnap = afterSnap;
      }
      if (row.control !== false) {
        const r = await send(c, method, path, { body: row.body() });
        if (r.status < 200 || r.status >= 300) failures.push(`${key} — the valid body: ${r.status} ${r.text.slice(0, 200)}`);
      }
    }
    assert.deepEqual(failures, []);
  });
});

// --- the page forms ---

function form(c, path, fields) {
  const body = new URLSearchParams({ csrf_token: c.csrf });
  for (const [k, v] of fields) body.append(k, v);
  return c.req('POST', path, { body: body.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}

describe('page forms: a field twice or a blank title comes back with the message', () => {
  let fsrv, org, sz;
  const fas = async (u) => { const c = new Client(fsrv.url); await c.login(u, DEMO_PASSWORD); return c; };
  const ids = {};
  before(async () => {
    fsrv = await startServer();
    org = await fas('organizer');
    sz = await fas('sz-admin');
    const t = ok(await org.post('/api/v1/topics', { title: '表单测试议题', domain: 'society', origin: 'member' }), 'topic');
    ok(await org.post(`/api/v1/topics/${t.id}/transition`, { to: 'approved' }), 'approve');
    ids.topic = t.id;
    ids.session = ok(await org.post('/api/v1/sessions', { title: '表单测试的会', topic_id: t.id, formats: ['expert', 'counterpart'], department: '市某局' }), 'session').id;
    await goLive(org, ids.session);
    ids.person = ok(await org.post('/api/v1/people', { name: '表单参与者', category: 'member' }), 'person').id;
  });
  after(async () => {
    console.log(`# bad input: ${formTally.sent} malformed page forms sent, ${formTally.accepted} accepted`);
    await fsrv.stop();
  });

  // each form: where it posts, a valid set of fields (title first), what to count before
  // and after
  const FORMS = [
    { name: 'new topic', c: () => org, path: () => '/topics', fields: () => [['title', '表单议题'], ['domain', 'society'], ['origin', 'member']], probe: () => '/api/v1/topics?limit=500', title: 'title' },
    { name: 'topic edit', c: () => org, path: () => `/topics/${ids.topic}`, fields: () => [['title', '改过的表单议题'], ['domain', 'society'], ['origin', 'member']], probe: () => `/api/v1/topics/${ids.topic}`, title: 'title' },
    { name: 'new session', c: () => org, path: () => '/sessions', fields: () => [['title', '表单的会'], ['topic_id', String(ids.topic)], ['formats_present', '1'], ['formats', 'expert']], probe: () => '/api/v1/sessions?limit=500', title: 'title' },
    { name: 'session edit', c: () => org, path: () => `/sessions/${ids.session}/edit`, fields: () => [['title', '改过的表单的会'], ['topic_id', String(ids.topic)], ['department', '市某局'], ['formats_present', '1'], ['formats', 'expert'], ['formats', 'counterpart']], probe: () => `/api/v1/sessions/${ids.session}`, title: 'title' },
    { name: 'new person', c: () => org, path: () => '/people/new', fields: () => [['name', '表单新人'], ['category', 'expert']], probe: () => '/api/v1/people?limit=500', title: 'name' },
    { name: 'new output', c: () => org, path: () => '/outputs', fields: () => [['title', '表单提案'], ['kind', 'speech'], ['body', '正文']], probe: () => '/api/v1/outputs?limit=500', title: 'title' },
    { name: 'remark', c: () => org, path: () => `/sessions/${ids.session}/remarks`, fields: () => [['body', '表单发言'], ['person_id', String(ids.person)], ['role', '委员']], probe: () => `/api/v1/sessions/${ids.session}`, title: 'body' },
    { name: 'commitment', c: () => org, path: () => `/sessions/${ids.session}/commitments`, fields: () => [['body', '表单承诺'], ['owner', '某局']], probe: () => `/api/v1/sessions/${ids.session}`, title: 'body' },
    { name: 'point', c: () => org, path: () => `/sessions/${ids.session}/points`, fields: () => [['body', '表单共识'], ['kind', 'agreed']], probe: () => `/api/v1/sessions/${ids.session}`, title: 'body' },
    { name: 'suggestion', c: () => org, path: () => `/sessions/${ids.session}/suggestions`, fields: () => [['title', '表单建议'], ['body', '正文']], probe: () => `/api/v1/sessions/${ids.session}`, title: 'title' },
    { name: 'new body (admin)', c: () => sz, path: () => '/admin/orgs', fields: () => [['name', '表单区政协'], ['slug', 'form-district'], ['level', 'district']], probe: () => '/api/v1/orgs?limit=500', title: 'name' },
  ];

  for (const f of FORMS) {
    test(`${f.name}: the same field twice, a blank ${f.title}`, async () => {
      const c = f.c();
      const [[tk, tv], ...rest] = f.fields();
      const cases = [
        { label: `${tk} twice`, fields: [[tk, tv], [tk, `${tv}（二）`], ...rest] },
        { label: `${rest[0][0]} twice`, fields: [[tk, tv], rest[0], rest[0], ...rest.slice(1)] },
        { label: `${tk} empty`, fields: [[tk, ''], ...rest] },
        { label: `${tk} spaces`, fields: [[tk, '   '], ...rest] },
        { label: `${tk} ideographic space`, fields: [[tk, '\u3000\u3000'], ...rest] },
      ];
      const problems = [];
      for (const k of cases) {
        const b = await snapshot(org, [f.probe()]);
        const r = await form(c, f.path(), k.fields);
        const a = await snapshot(org, [f.probe()]);
        formTally.sent++;
        if (r.status >= 200 && r.status < 400) formTally.accepted++;
        if (r.status !== 422) problems.push(`${k.label}: ${r.status}`);
        else if (!r.text.includes(`name="${tk}"`) || /data-code=/.test(r.text)) problems.push(`${k.label}: 422 without the form (the error page)`);
        else if (!/role="alert"/.test(r.text)) problems.push(`${k.label}: no message`);
        if (b.join() !== a.join()) problems.push(`${k.label}: something changed`);
      }
      const good = await form(c, f.path(), f.fields());
      if (good.status !== 303) problems.push(`the valid form: ${good.status} ${good.text.slice(0, 200)}`);
      assert.deepEqual(problems, []);
    });
  }
});
