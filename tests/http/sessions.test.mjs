// HTTP tests of issue #3 (topics, sessions, the record, search, duty records, public pages),
// against a real server with the demo data, over real HTTP.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const anon = () => new Client(srv.url);
async function as(username, password = DEMO_PASSWORD) {
  const c = new Client(srv.url);
  await c.login(username, password);
  return c;
}
function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.data && r.data.error, `error body expected: ${r.text}`);
  if (code) assert.equal(r.data.error.code, code, r.text);
  if (field) assert.equal(r.data.error.field, field, r.text);
}
// demo people, by name, from the women's-employment session's invitations
async function people(c) {
  const s = (await c.get('/api/v1/sessions/1')).data;
  const m = {};
  for (const i of s.invitations) m[i.name] = i.person_id;
  return m;
}
async function approvedTopic(c, title = '测试议题') {
  const t = await c.post('/api/v1/topics', { title, domain: 'society', origin: 'member' });
  assert.equal(t.status, 201, t.text);
  const a = await c.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
  assert.equal(a.status, 200, a.text);
  return t.data.id;
}

describe('topics', () => {
  test('create, read, list with filters, patch', async () => {
    const c = await as('organizer');
    const r = await c.post('/api/v1/topics', { title: '城市更新中的历史街区保护', description: '**保护**与发展', domain: 'culture', origin: 'assigned', plan_year: 2025, plan_month: 3 });
    assert.equal(r.status, 201, r.text);
    assert.ok(Number.isInteger(r.data.id));
    assert.equal(r.data.status, 'proposed');
    assert.equal(r.data.domain, 'culture');
    const g = await c.get(`/api/v1/topics/${r.data.id}`);
    assert.equal(g.status, 200);
    assert.equal(g.data.title, '城市更新中的历史街区保护');
    const l = await c.get('/api/v1/topics?domain=culture&status=proposed&limit=500');
    assert.ok(l.data.items.some((t) => t.id === r.data.id));
    assert.ok(l.data.items.every((t) => t.domain === 'culture' && t.status === 'proposed'));
    const y = await c.get('/api/v1/topics?year=2025');
    assert.ok(y.data.items.some((t) => t.id === r.data.id));
    const p = await c.patch(`/api/v1/topics/${r.data.id}`, { title: '历史街区保护与活化' });
    assert.equal(p.status, 200);
    assert.equal(p.data.title, '历史街区保护与活化');
    assert.equal(p.data.domain, 'culture');
  });
  test('validation errors name the field; nothing is created', async () => {
    const c = await as('organizer');
    const before = (await c.get('/api/v1/topics?limit=500')).data.items.length;
    assertError(await c.post('/api/v1/topics', { domain: 'society', origin: 'member' }), 422, null, 'title');
    assertError(await c.post('/api/v1/topics', { title: 'x', domain: 'sports', origin: 'member' }), 422, null, 'domain');
    assertError(await c.post('/api/v1/topics', { title: 'x', domain: 'society', origin: 'mayor' }), 422, null, 'origin');
    assertError(await c.post('/api/v1/topics', { title: 'x'.repeat(201), domain: 'society', origin: 'member' }), 422, null, 'title');
    assertError(await c.post('/api/v1/topics', { title: 5, domain: 'society', origin: 'member' }), 422, 'invalid_type', 'title');
    assert.equal((await c.get('/api/v1/topics?limit=500')).data.items.length, before);
  });
  test('a body extends its list of domains', async () => {
    const admin = await as('sz-admin');
    const r = await admin.post('/api/v1/domains', { code: 'party_building', name_zh: '党的建设', name_en: 'Party building' });
    assert.equal(r.status, 201, r.text);
    assertError(await admin.post('/api/v1/domains', { code: 'party_building', name_zh: '重复' }), 409);
    assertError(await admin.post('/api/v1/domains', { code: 'Bad Code', name_zh: 'x' }), 422, null, 'code');
    assertError(await (await as('organizer')).post('/api/v1/domains', { code: 'x_y', name_zh: 'x' }), 403);
    const c = await as('organizer');
    assert.ok((await c.get('/api/v1/domains')).data.items.some((d) => d.code === 'party_building'));
    const t = await c.post('/api/v1/topics', { title: '基层党建与协商', domain: 'party_building', origin: 'assigned' });
    assert.equal(t.status, 201, t.text);
    // a district below the city inherits it; another branch does not see it
    const yt = await as('yt-organizer');
    assert.ok((await yt.get('/api/v1/domains')).data.items.some((d) => d.code === 'party_building'));
  });
  test('pipeline: legal moves 200, illegal 409; members propose but may not move', async () => {
    const c = await as('organizer');
    const t = await c.post('/api/v1/topics', { title: '流程测试', domain: 'economy', origin: 'public' });
    assertError(await c.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'concluded' }), 409, 'illegal_transition');
    assertError(await c.post(`/api/v1/topics/${t.data.id}/transition`, {}), 422, null, 'to');
    assert.equal((await c.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'rejected' })).data.status, 'rejected');
    assert.equal((await c.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'proposed' })).data.status, 'proposed');
    assert.equal((await c.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' })).data.status, 'approved');
    const m = await as('member');
    // a member proposes (issue 11: proposed, as their person), and may not vet
    const mine = await m.post('/api/v1/topics', { title: 'x', domain: 'society', origin: 'member' });
    assert.equal(mine.status, 201, mine.text);
    assert.equal(mine.data.status, 'proposed');
    assertError(await m.post(`/api/v1/topics/${mine.data.id}/transition`, { to: 'approved' }), 403);
    assertError(await m.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'rejected' }), 403);
    assert.equal((await m.get(`/api/v1/topics/${t.data.id}`)).status, 200);
  });
  test('a topic of another body: 404 for a signed-in caller (API and page alike), 401 without', async () => {
    const c = await as('organizer');
    const yt = await as('yt-organizer');
    const t = await c.post('/api/v1/topics', { title: '市里的议题', domain: 'society', origin: 'member' });
    assert.equal(t.status, 201, t.text);
    // the city's topic is not visible to a district below it
    assertError(await yt.get(`/api/v1/topics/${t.data.id}`), 404);
    assertError(await yt.patch(`/api/v1/topics/${t.data.id}`, { title: '改' }), 404);
    assertError(await yt.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' }), 404);
    assert.equal((await yt.get(`/topics/${t.data.id}`)).status, 404);
    assert.ok(!(await yt.get('/api/v1/topics?limit=500')).data.items.some((x) => x.id === t.data.id));
    assertError(await anon().get(`/api/v1/topics/${t.data.id}`), 401);
    assert.equal((await c.get(`/api/v1/topics/${t.data.id}`)).data.title, '市里的议题');
    // a district's topic is visible to the city above it, not to a district beside it
    const low = await yt.post('/api/v1/topics', { title: '盐田的议题', domain: 'society', origin: 'public' });
    assert.equal(low.status, 201, low.text);
    assert.equal((await c.get(`/api/v1/topics/${low.data.id}`)).status, 200);
    assertError(await (await as('ft-member')).get(`/api/v1/topics/${low.data.id}`), 404);
    // a new topic may not go to the body above (visible, not theirs: 403) or a missing one (422)
    const sz = (await c.get('/api/v1/me')).data.org.id;
    assertError(await yt.post('/api/v1/topics', { title: 'x', domain: 'society', origin: 'member', org_id: sz }), 403);
    assertError(await yt.post('/api/v1/topics', { title: 'x', domain: 'society', origin: 'member', org_id: 999999 }), 422, null, 'org_id');
  });
});

describe('sessions', () => {
  test('a session needs an approved topic', async () => {
    const c = await as('organizer');
    const t = await c.post('/api/v1/topics', { title: '未审核议题', domain: 'society', origin: 'member' });
    assertError(await c.post('/api/v1/sessions', { topic_id: t.data.id, title: '不行' }), 422, 'topic_not_approved', 'topic_id');
    assertError(await c.post('/api/v1/sessions', { topic_id: 999999, title: '不行' }), 422, null, 'topic_id');
    assertError(await c.post('/api/v1/sessions', { title: '没有议题' }), 422, null, 'topic_id');
  });
  test('create, read, patch, list filters', async () => {
    const c = await as('organizer');
    const topic = await approvedTopic(c, '社区养老服务');
    const r = await c.post('/api/v1/sessions', {
      topic_id: topic, title: '社区养老深聊会', starts_at: '2025-03-05T14:30', ends_at: '2025-03-05T17:00',
      venue: '市民中心', organizer_unit: '社会和法制委员会', formats: ['expert', 'sector'], visibility: 'internal',
    });
    assert.equal(r.status, 201, r.text);
    assert.ok(Number.isInteger(r.data.id));
    assert.deepEqual(r.data.formats, ['expert', 'sector']);
    assert.equal(r.data.status, 'draft');
    assert.equal(r.data.visibility, 'internal');
    assert.equal(r.data.topic_id, topic);
    assert.equal(r.data.rules_version, '');
    assert.equal(r.data.starts_at, '2025-03-05T14:30:00+08:00');
    const p = await c.patch(`/api/v1/sessions/${r.data.id}`, { formats: ['expert'], visibility: 'public', venue: '市民中心B区' });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.data.formats, ['expert']);
    assert.equal(p.data.visibility, 'public');
    assert.equal(p.data.title, '社区养老深聊会');
    assertError(await c.patch(`/api/v1/sessions/${r.data.id}`, { formats: ['dance'] }), 422, null, 'formats');
    assertError(await c.patch(`/api/v1/sessions/${r.data.id}`, { starts_at: 'next tuesday' }), 422, null, 'starts_at');
    assertError(await c.patch(`/api/v1/sessions/${r.data.id}`, { visibility: 'secret' }), 422, null, 'visibility');
    const y = (await c.get('/api/v1/sessions?year=2025&limit=500')).data.items;
    assert.ok(y.some((s) => s.id === r.data.id));
    assert.ok(y.every((s) => s.year === 2025));
    const d = (await c.get('/api/v1/sessions?year=2024&domain=society&limit=500')).data.items;
    assert.ok(d.length >= 1 && d.every((s) => s.domain === 'society' && s.year === 2024));
    const st = (await c.get('/api/v1/sessions?status=closed&limit=500')).data.items;
    assert.ok(st.length >= 3 && st.every((s) => s.status === 'closed'));
    assertError(await c.get('/api/v1/sessions?year=abc'), 400, null, 'year');
  });
  test('status machine with participant requirements: refused for a missing official, then scheduled', async () => {
    const c = await as('organizer');
    const ppl = await people(c);
    const topic = await approvedTopic(c, '灵活就业人员社保');
    const s = await c.post('/api/v1/sessions', { topic_id: topic, title: '灵活就业社保对口聊', formats: ['counterpart', 'expert'], department: '市人力资源和社会保障局', starts_at: '2025-04-01T09:30' });
    const id = s.data.id;
    assertError(await c.post(`/api/v1/sessions/${id}/transition`, { to: 'live' }), 409, 'illegal_transition');
    const r1 = await c.post(`/api/v1/sessions/${id}/transition`, { to: 'scheduled' });
    assertError(r1, 422, 'requirements_unmet');
    assert.match(r1.data.error.message, /对口|department/);
    assert.match(r1.data.error.message, /市人力资源和社会保障局/);
    assert.equal((await c.get(`/api/v1/sessions/${id}`)).data.status, 'draft', 'nothing changed');
    assert.equal((await c.post(`/api/v1/sessions/${id}/invitations`, { person_id: ppl['刘明远'], role: 'expert' })).status, 201);
    const r2 = await c.post(`/api/v1/sessions/${id}/transition`, { to: 'scheduled' });
    assertError(r2, 422, 'requirements_unmet');
    const inv = await c.post(`/api/v1/sessions/${id}/invitations`, { person_id: ppl['蒋立新'], role: 'official' });
    assert.equal(inv.status, 201, inv.text);
    assert.equal(inv.data.person_id, ppl['蒋立新']);
    const ok = await c.post(`/api/v1/sessions/${id}/transition`, { to: 'scheduled' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.data.status, 'scheduled');
    assert.equal(ok.data.rules_version, '2.0');
    assert.equal((await c.get(`/api/v1/topics/${topic}`)).data.status, 'scheduled');
    assert.equal((await c.post(`/api/v1/sessions/${id}/transition`, { to: 'live' })).data.status, 'live');
    assertError(await c.post(`/api/v1/sessions/${id}/transition`, { to: 'archived' }), 409);
    assertError(await c.post(`/api/v1/sessions/${id}/transition`, { to: 'nonsense' }), 409);
    assert.equal((await c.post(`/api/v1/sessions/${id}/transition`, { to: 'closed' })).data.status, 'closed');
  });
  test('invitations: 201, duplicate 409, bad role 422, unknown person 422', async () => {
    const c = await as('organizer');
    const ppl = await people(c);
    const topic = await approvedTopic(c, '邀请测试');
    const s = (await c.post('/api/v1/sessions', { topic_id: topic, title: '邀请测试会', formats: ['expert'] })).data;
    const r = await c.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: ppl['张丽华'], role: 'speaker' });
    assert.equal(r.status, 201, r.text);
    assert.ok(Number.isInteger(r.data.id));
    assertError(await c.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: ppl['张丽华'], role: 'member' }), 409);
    assertError(await c.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: ppl['冯雅'], role: 'dj' }), 422, null, 'role');
    assertError(await c.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: 999999, role: 'member' }), 422, null, 'person_id');
    assertError(await c.post('/api/v1/sessions/999999/invitations', { person_id: ppl['冯雅'], role: 'member' }), 404);
  });
  test('the record: remarks, commitments, points, suggestions with sources; closed is read-only except for admins', async () => {
    const c = await as('organizer');
    const ppl = await people(c);
    const topic = await approvedTopic(c, '记录测试');
    const s = (await c.post('/api/v1/sessions', { topic_id: topic, title: '记录测试会', formats: ['counterpart'], department: '市人力资源和社会保障局' })).data;
    await c.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: ppl['蒋立新'], role: 'official' });
    await c.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: ppl['张丽华'], role: 'speaker' });
    await c.post(`/api/v1/sessions/${s.id}/transition`, { to: 'scheduled' });
    await c.post(`/api/v1/sessions/${s.id}/transition`, { to: 'live' });
    const r1 = await c.post(`/api/v1/sessions/${s.id}/remarks`, { person_id: ppl['张丽华'], role: '委员', body: '建议**试点**弹性工作制。<script>alert(1)</script>' });
    assert.equal(r1.status, 201, r1.text);
    assert.ok(Number.isInteger(r1.data.id));
    const r2 = await c.post(`/api/v1/sessions/${s.id}/remarks`, { person_id: ppl['蒋立新'], role: '人社局', body: '我们会研究。' });
    assert.equal(r2.status, 201);
    assertError(await c.post(`/api/v1/sessions/${s.id}/remarks`, { person_id: ppl['张丽华'] }), 422, null, 'body');
    assertError(await c.post(`/api/v1/sessions/${s.id}/remarks`, { body: '谁说的？' }), 422, null, 'person_id');
    const cm = await c.post(`/api/v1/sessions/${s.id}/commitments`, { owner: '市人力资源和社会保障局', body: '三个月内提出弹性工作制试点方案', due_date: '2025-06-30' });
    assert.equal(cm.status, 201, cm.text);
    assertError(await c.post(`/api/v1/sessions/${s.id}/commitments`, { body: 'x', due_date: '30/06/2025' }), 422, null, 'due_date');
    assert.equal((await c.patch(`/api/v1/commitments/${cm.data.id}`, { status: 'in_progress' })).status, 200);
    assertError(await c.patch(`/api/v1/commitments/${cm.data.id}`, { status: 'forgotten' }), 422, null, 'status');
    assert.equal((await c.post(`/api/v1/sessions/${s.id}/points`, { kind: 'agreed', body: '弹性工作制值得试点' })).status, 201);
    assert.equal((await c.post(`/api/v1/sessions/${s.id}/points`, { kind: 'difference', body: '试点范围' })).status, 201);
    const sg = await c.post(`/api/v1/sessions/${s.id}/suggestions`, { title: '开展弹性工作制试点', body: '在部分行业先行试点。', proposer_ids: [ppl['张丽华']], sources: [{ kind: 'remark', id: r1.data.id }] });
    assert.equal(sg.status, 201, sg.text);
    assert.ok(Number.isInteger(sg.data.id));
    assert.deepEqual(sg.data.sources.map((x) => [x.kind, x.id]), [['remark', r1.data.id]]);
    assert.deepEqual(sg.data.proposers.map((x) => x.id), [ppl['张丽华']]);
    // a remark of another session is not a source of this one
    const other = (await c.get('/api/v1/sessions/1')).data.remarks[0].id;
    assertError(await c.post(`/api/v1/sessions/${s.id}/suggestions`, { title: 'x', sources: [{ kind: 'remark', id: other }] }), 422, null, 'sources');
    assertError(await c.post(`/api/v1/sessions/${s.id}/suggestions`, { body: '无标题' }), 422, null, 'title');
    const full = (await c.get(`/api/v1/sessions/${s.id}`)).data;
    assert.equal(full.remarks.length, 2);
    assert.equal(full.remarks[0].position, 1);
    assert.equal(full.agreed.length, 1);
    assert.equal(full.differences.length, 1);
    assert.equal(full.suggestions.length, 1);
    assert.equal(full.commitments[0].status, 'in_progress');
    // the page renders the Markdown safely
    const page = await c.get(`/sessions/${s.id}`);
    assert.match(page.text, /<strong>试点<\/strong>/);
    assert.ok(!page.text.includes('<script>alert(1)</script>'));
    // closed: read-only for organizers, open to admins
    await c.post(`/api/v1/sessions/${s.id}/transition`, { to: 'closed' });
    assertError(await c.post(`/api/v1/sessions/${s.id}/remarks`, { person_id: ppl['张丽华'], body: '补充' }), 409, 'closed');
    assertError(await c.patch(`/api/v1/sessions/${s.id}`, { title: '改名' }), 409, 'closed');
    const admin = await as('sz-admin');
    assert.equal((await admin.post(`/api/v1/sessions/${s.id}/remarks`, { person_id: ppl['张丽华'], body: '补充（管理员）' })).status, 201);
    const audit = await admin.get('/admin/audit');
    assert.match(audit.text, /remark\.create/);
    assert.match(audit.text, /session\.transition/);
  });
  test('commitments only for counterpart talks', async () => {
    const c = await as('organizer');
    const topic = await approvedTopic(c, '承诺测试');
    const s = (await c.post('/api/v1/sessions', { topic_id: topic, title: '专家聊', formats: ['expert'] })).data;
    assertError(await c.post(`/api/v1/sessions/${s.id}/commitments`, { owner: '某局', body: 'x' }), 422);
  });
});

describe('one authorization answer for the API and the pages (issue 9, item 4)', () => {
  test('internal session: 401 / sign-in for anonymous, 404 for an unrelated body, 403 for a member who may read', async () => {
    const admin = await as('sz-admin');
    const orgs = (await admin.get('/api/v1/orgs?limit=500')).data.items;
    const ft = orgs.find((o) => o.slug === 'sz-futian').id;
    await admin.post('/api/v1/users', { username: 'ft-org2', password: 'futian-pass-2', role: 'organizer', org_id: ft });
    const outsider = await as('ft-org2', 'futian-pass-2');
    const m = await as('member');
    // session 4 is the city's internal session
    assertError(await anon().get('/api/v1/sessions/4'), 401);
    const page = await anon().get('/sessions/4');
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/login?next=/sessions/4');
    for (const p of ['/api/v1/sessions/4', '/sessions/4', '/sessions/4.ics', '/sessions/4/edit']) {
      assert.equal((await outsider.get(p)).status, 404, p);
    }
    for (const [path, body] of [['/api/v1/sessions/4/remarks', { body: 'x', person_id: 1 }], ['/api/v1/sessions/4/transition', { to: 'live' }]]) {
      assertError(await outsider.post(path, body), 404);
    }
    assertError(await outsider.patch('/api/v1/sessions/4', { title: '改' }), 404);
    // a member of the body reads it but may not change it, even with a malformed request
    assert.equal((await m.get('/sessions/4')).status, 200);
    assertError(await m.post('/api/v1/sessions/4/remarks', { body: 42 }), 403);
    assert.equal((await m.get('/sessions/4/edit')).status, 403);
    // no such session
    assertError(await outsider.get('/api/v1/sessions/999999'), 404);
  });
});

describe('suggestion sources (issue 9, item 12)', () => {
  test('every source must exist in this session: remarks and statements alike, 422 naming it', async () => {
    const c = await as('organizer');
    const ppl = await people(c);
    const topic = await approvedTopic(c, '来源测试');
    const s = (await c.post('/api/v1/sessions', { topic_id: topic, title: '来源测试会', formats: ['sector'], visibility: 'public' })).data;
    const r = await c.post(`/api/v1/sessions/${s.id}/remarks`, { person_id: ppl['张丽华'], body: '一条发言' });
    assert.equal(r.status, 201, r.text);
    assert.equal((await c.post(`/api/v1/sessions/${s.id}/room`, { anonymous: true, moderation: 'post' })).status, 200);
    const st = await c.post(`/api/v1/sessions/${s.id}/statements`, { text: '应当先行试点' });
    assert.equal(st.status, 201, st.text);
    // a statement of another session
    const s2 = (await c.post('/api/v1/sessions', { topic_id: topic, title: '另一场', formats: ['sector'], visibility: 'public' })).data;
    assert.equal((await c.post(`/api/v1/sessions/${s2.id}/room`, { anonymous: true, moderation: 'post' })).status, 200);
    const st2 = (await c.post(`/api/v1/sessions/${s2.id}/statements`, { text: '另一场的观点' })).data.id;
    const post = (sources) => c.post(`/api/v1/sessions/${s.id}/suggestions`, { title: '来源', sources });
    for (const [sources, id] of [
      [[{ kind: 'statement', id: 999999 }], 999999],
      [[{ kind: 'remark', id: r.data.id }, { kind: 'statement', id: st2 }], st2],
      [[{ kind: 'remark', id: 999998 }], 999998],
    ]) {
      const bad = await post(sources);
      assertError(bad, 422, 'invalid', 'sources');
      assert.match(bad.data.error.message, new RegExp(String(id)), bad.text);
    }
    assertError(await post([{ kind: 'output', id: 1 }]), 422, 'invalid', 'sources');
    const before = (await c.get(`/api/v1/sessions/${s.id}`)).data.suggestions.length;
    assert.equal(before, 0);
    // the good path: a remark and a statement of this session
    const ok = await post([{ kind: 'remark', id: r.data.id }, { kind: 'statement', id: st.data.id }]);
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual(ok.data.sources.map((x) => x.kind).sort(), ['remark', 'statement']);
    assert.ok(ok.data.sources.some((x) => x.kind === 'statement' && x.excerpt === '应当先行试点'), ok.text);
    // the statement's text shows where the suggestion is shown: the session page, and the
    // lineage of an output made from it (API and page)
    const page = await c.get(`/sessions/${s.id}`);
    assert.match(page.text, />应当先行试点<\/a>/);
    const out = await c.post('/api/v1/outputs', { kind: 'opinion_report', title: '来源测试信息', suggestion_ids: [ok.data.id], body: '情况。分析。建议。' });
    assert.equal(out.status, 201, out.text);
    const lin = await c.get(`/api/v1/outputs/${out.data.id}/lineage`);
    assert.equal(lin.status, 200, lin.text);
    const src = lin.data.suggestions[0].sources.find((x) => x.kind === 'statement');
    assert.equal(src.text, '应当先行试点');
    const linPage = await c.get(`/outputs/${out.data.id}/lineage`);
    assert.equal(linPage.status, 200);
    assert.match(linPage.text, /<span class="tag">观点<\/span> 应当先行试点/);
    assert.match(linPage.text, /<span class="tag">发言<\/span> [^<]*：一条发言/);
    // the page form speaks the same: "statement:N"
    const form = await c.req('POST', `/sessions/${s.id}/suggestions`, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf_token: c.csrf, title: '表单来源', sources: 'statement:999997' }).toString(),
    });
    assert.equal(form.status, 422, form.text.slice(0, 200));
    assert.match(form.text, /999997/);
  });
});

describe('permissions', () => {
  test('a member cannot edit a session', async () => {
    const m = await as('member');
    assertError(await m.patch('/api/v1/sessions/6', { title: '改' }), 403);
    assertError(await m.post('/api/v1/sessions/6/transition', { to: 'live' }), 403);
    assertError(await m.post('/api/v1/sessions/6/remarks', { body: 'x', person_id: 1 }), 403);
    assert.equal((await m.get('/api/v1/sessions/6')).status, 200);
  });
  test('another body\'s organizer cannot see an internal session; a linked body can', async () => {
    const admin = await as('sz-admin');
    const orgs = (await admin.get('/api/v1/orgs?limit=500')).data.items;
    const ft = orgs.find((o) => o.slug === 'sz-futian').id;
    const yt = orgs.find((o) => o.slug === 'sz-yantian').id;
    assert.equal((await admin.post('/api/v1/users', { username: 'ft-org', password: 'futian-pass-1', role: 'organizer', org_id: ft })).status, 201);
    const ftOrg = await as('ft-org', 'futian-pass-1');
    // session 4 is the city's internal session
    assertError(await ftOrg.get('/api/v1/sessions/4'), 404); // not visible at all: as if absent
    assert.ok(!(await ftOrg.get('/api/v1/sessions?limit=500')).data.items.some((s) => s.id === 4));
    // a joint session of the city with Yantian, made internal: Yantian sees it, Futian does not
    const c = await as('organizer');
    const topic = await approvedTopic(c, '联动测试');
    const s = (await c.post('/api/v1/sessions', { topic_id: topic, title: '市区联动聊', formats: ['joint'], linked_org_ids: [yt], visibility: 'internal' })).data;
    assert.deepEqual(s.linked_org_ids, [yt]);
    const ytUser = await as('yt-organizer');
    assert.equal((await ytUser.get(`/api/v1/sessions/${s.id}`)).status, 200);
    assert.ok((await ytUser.get('/api/v1/sessions?limit=500')).data.items.some((x) => x.id === s.id));
    assertError(await ytUser.patch(`/api/v1/sessions/${s.id}`, { title: '改' }), 403, null);
    assertError(await ftOrg.get(`/api/v1/sessions/${s.id}`), 404);
    assertError(await anon().get(`/api/v1/sessions/${s.id}`), 401);
    // and joint needs a linked body to be scheduled
    const s2 = (await c.post('/api/v1/sessions', { topic_id: topic, title: '无联动组织', formats: ['joint'] })).data;
    assertError(await c.post(`/api/v1/sessions/${s2.id}/transition`, { to: 'scheduled' }), 422, 'requirements_unmet', 'linked_org_ids');
  });
});

describe('invitations answered by invitees', () => {
  test('the invitee accepts from their own list; nobody else can answer', async () => {
    const c = await as('organizer');
    const ppl = await people(c);
    const topic = await approvedTopic(c, '答复测试');
    const s = (await c.post('/api/v1/sessions', { topic_id: topic, title: '答复测试会', formats: ['sector'], starts_at: '2025-05-01T10:00' })).data;
    const inv = (await c.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: ppl['王委员'], role: 'member' })).data;
    const m = await as('member');
    const mine = (await m.get('/api/v1/me/invitations')).data.items;
    assert.ok(mine.some((i) => i.id === inv.id && i.rsvp === 'pending'));
    assertError(await c.post(`/api/v1/invitations/${inv.id}/answer`, { answer: 'accepted' }), 404);
    assertError(await m.post(`/api/v1/invitations/${inv.id}/answer`, { answer: 'maybe' }), 422, null, 'answer');
    const r = await m.post(`/api/v1/invitations/${inv.id}/answer`, { answer: 'accepted' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.rsvp, 'accepted');
    const full = (await c.get(`/api/v1/sessions/${s.id}`)).data;
    assert.equal(full.invitations.find((i) => i.id === inv.id).rsvp, 'accepted');
  });
});

describe('duty records', () => {
  test('attendance and remarks credit points; the year total adds up', async () => {
    const c = await as('organizer');
    const ppl = await people(c);
    const d = await c.get(`/api/v1/people/${ppl['张丽华']}/duty?year=2024`);
    assert.equal(d.status, 200);
    // demo 2024: attended the 10 July session (5), spoke there (2), and her proposal
    // was adopted (5)
    const byKind = Object.fromEntries(d.data.items.map((i) => [i.kind, i.points]));
    assert.equal(byKind.attended, 5);
    assert.equal(byKind.remark, 2);
    assert.equal(byKind.adopted, 5);
    assert.equal(d.data.total, d.data.items.reduce((a, i) => a + i.points, 0));
    assert.equal(d.data.year, 2024);
    // the admin changes the points table: new credits use it
    const admin = await as('sz-admin');
    const pts = await admin.patch('/api/v1/duty-points', { attended: 6 });
    assert.equal(pts.status, 200, pts.text);
    assert.equal(pts.data.attended, 6);
    assertError(await c.patch('/api/v1/duty-points', { attended: 9 }), 403);
    assertError(await admin.patch('/api/v1/duty-points', { remark: -1 }), 422, 'out_of_range', 'remark');
    const page = await c.get(`/people/${ppl['张丽华']}/duty?year=2024`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`id="duty-total">${d.data.total}<`));
  });
});

describe('search', () => {
  test('finds two-character Chinese words and phrases, with highlighted snippets', async () => {
    const c = await as('organizer');
    const r = await c.get(`/api/v1/search?q=${encodeURIComponent('生育')}`);
    assert.equal(r.status, 200);
    const kinds = new Set(r.data.results.map((x) => x.kind));
    for (const k of ['session', 'remark', 'suggestion', 'topic']) assert.ok(kinds.has(k), `${k} found`);
    assert.ok(r.data.results.every((x) => Number.isInteger(x.id) && typeof x.title === 'string'));
    assert.ok(r.data.results.some((x) => x.snippet.includes('<mark>生育</mark>')));
    const h = await c.get(`/api/v1/search?q=${encodeURIComponent('海洋')}`);
    assert.ok(h.data.results.some((x) => x.kind === 'session' && x.id === 2));
    const p = await c.get(`/api/v1/search?q=${encodeURIComponent('滨海光伏长廊')}`);
    assert.ok(p.data.results.some((x) => x.kind === 'remark'));
    assert.ok(p.data.results.some((x) => x.kind === 'suggestion'));
    const none = await c.get(`/api/v1/search?q=${encodeURIComponent('量子引力')}`);
    assert.deepEqual(none.data.results, []);
    const quote = await c.get(`/api/v1/search?q=${encodeURIComponent('"生育 OR x')}`);
    assert.equal(quote.status, 200, 'query syntax in input is text, not an error');
    assertError(await c.get('/api/v1/search'), 400, null, 'q');
  });
  test('filtered to what the searcher may see', async () => {
    // session 4 (internal) has a remark about 先行先试; anonymous and another body miss it
    const c = await as('organizer');
    const inside = await c.get(`/api/v1/search?q=${encodeURIComponent('先行先试')}`);
    assert.ok(inside.data.results.some((x) => x.session_id === 4));
    const outside = await anon().get(`/api/v1/search?q=${encodeURIComponent('先行先试')}`);
    assert.equal(outside.status, 200);
    assert.ok(!outside.data.results.some((x) => x.session_id === 4));
    const pub = await anon().get(`/api/v1/search?q=${encodeURIComponent('生育')}`);
    assert.ok(pub.data.results.some((x) => x.kind === 'suggestion'));
    assert.ok(!pub.data.results.some((x) => x.kind === 'topic'), 'topics are internal');
    // one result at a time: the best-ranked hits first, falling back to all of them when
    // the best are not the searcher's to see; same order as the full list
    for (const [who, q] of [[c, '生育'], [anon(), '生育'], [anon(), '先行先试'], [c, '先行先试']]) {
      const all = (await who.get(`/api/v1/search?q=${encodeURIComponent(q)}`)).data.results;
      for (const n of [1, 2, 3]) {
        const some = (await who.get(`/api/v1/search?q=${encodeURIComponent(q)}&limit=${n}`)).data.results;
        assert.deepEqual(some.map((x) => [x.kind, x.id]), all.slice(0, n).map((x) => [x.kind, x.id]), `${q} limit ${n}`);
      }
    }
    assertError(await c.get(`/api/v1/search?q=x&limit=0`), 400, null, 'limit');
  });
});

describe('public pages', () => {
  test('a public session without signing in: facts, counts, agreed points, suggestions; names only with consent', async () => {
    const r = await anon().get('/sessions/1');
    assert.equal(r.status, 200);
    for (const s of ['对因生育影响职业的妇女提供职业帮助', '市政协机关三楼会议室', '2024-07-10', '对口聊', '界别聊', '专家聊', '建立育后岗位保留制度', '延长男性产假', '关注女性情感健康', '“妈妈岗”是行之有效的做法']) assert.ok(r.text.includes(s), s);
    assert.match(r.text, /界别群众[^<]*<\/span> <strong>2</);
    // 孙梅 did not agree to be named
    assert.ok(!r.text.includes('孙梅'));
    assert.ok(!r.text.includes('csrf_token'), 'no forms for visitors');
    const internal = await anon().get('/sessions/4');
    assert.equal(internal.status, 303);
    const json = await anon().get('/api/v1/sessions/1');
    assert.equal(json.status, 200);
    assert.ok(json.data.invitations.every((i) => i.public_name || i.name === null));
  });
  test('public list by year and domain', async () => {
    const r = await anon().get('/sessions?year=2024');
    assert.equal(r.status, 200);
    assert.ok(r.text.includes('对因生育影响职业的妇女提供职业帮助'));
    assert.ok(r.text.includes('“海洋+新能源”市政协领导与专家“聊”'));
    assert.ok(!r.text.includes('推动深圳加快构建更高水平开放型经济新体制'), 'internal session hidden');
    const d = await anon().get('/sessions?year=2024&domain=economy');
    assert.ok(d.text.includes('支持民营企业参与重大科技创新平台建设'));
    assert.ok(!d.text.includes('对因生育影响职业的妇女提供职业帮助'));
    const api = await anon().get('/api/v1/sessions?year=2024');
    assert.ok(api.data.items.every((s) => s.visibility === 'public'));
  });
  test('an .ics file for the calendar', async () => {
    const r = await anon().get('/sessions/1.ics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/calendar/);
    assert.match(r.text, /BEGIN:VEVENT/);
    assert.match(r.text, /DTSTART:20240710T063000Z/);
    assert.match(r.text, /SUMMARY:对因生育影响职业的妇女提供职业帮助/);
    // not a page of the API: an anonymous caller is sent to sign in (web_answer's one mapping)
    const internal = await anon().get('/sessions/4.ics');
    assert.equal(internal.status, 303);
    assert.match(internal.headers.get('location'), /^\/login\?next=/);
  });
  test('the .ics event is unique per deployment and its SEQUENCE grows when the session moves', async () => {
    const c = await as('organizer');
    const ppl = await people(c);
    const topic = await approvedTopic(c, '日历更新测试议题');
    const s = await c.post('/api/v1/sessions', { topic_id: topic, title: '日历测试深聊会', formats: ['expert'], starts_at: '2025-05-06T09:30', ends_at: '2025-05-06T11:30' });
    assert.equal(s.status, 201, s.text);
    const id = s.data.id;
    const host = new URL(srv.url).host;
    const ics = async () => {
      const r = await c.get(`/sessions/${id}.ics`);
      assert.equal(r.status, 200, r.text);
      const field = (name) => (r.text.match(new RegExp(`^${name}:(.*)\r$`, 'm')) || [])[1];
      return { uid: field('UID'), stamp: field('DTSTAMP'), seq: Number(field('SEQUENCE')), start: field('DTSTART'), status: field('STATUS') };
    };
    const a = await ics();
    assert.equal(a.uid, `session-${id}@${host}`, 'the UID names the deployment it came from');
    assert.match(a.stamp, /^\d{8}T\d{6}Z$/);
    assert.equal(a.seq, 0);
    assert.equal(a.start, '20250506T013000Z');
    // a change a calendar does not show leaves the sequence as it is
    assert.equal((await c.patch(`/api/v1/sessions/${id}`, { summary: '会前材料已发' })).status, 200);
    assert.equal((await ics()).seq, 0);
    // the time moves: the same UID, a higher SEQUENCE, the new time
    assert.equal((await c.patch(`/api/v1/sessions/${id}`, { starts_at: '2025-05-07T09:30', ends_at: '2025-05-07T11:30' })).status, 200);
    const b = await ics();
    assert.equal(b.uid, a.uid);
    assert.ok(b.seq > a.seq, `sequence grew (${a.seq} -> ${b.seq})`);
    assert.equal(b.start, '20250507T013000Z');
    // the state moves (draft -> scheduled): higher again, and confirmed
    assert.equal((await c.post(`/api/v1/sessions/${id}/invitations`, { person_id: ppl['刘明远'], role: 'expert' })).status, 201);
    const t = await c.post(`/api/v1/sessions/${id}/transition`, { to: 'scheduled' });
    assert.equal(t.status, 200, t.text);
    const d = await ics();
    assert.ok(d.seq > b.seq, `sequence grew (${b.seq} -> ${d.seq})`);
    assert.equal(d.status, 'CONFIRMED');
    assert.equal(b.status, 'TENTATIVE');
  });
  test('pages for organizers: topics, plan, session forms, search, invitations', async () => {
    const c = await as('organizer');
    for (const p of ['/topics', '/topics/plan?year=2024', '/topics/1', '/sessions/new', '/sessions/1/edit', '/search?q=%E6%B5%B7%E6%B4%8B', '/invitations', '/sessions']) {
      const r = await c.get(p);
      assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 300)}`);
    }
    const plan = await c.get('/topics/plan?year=2024');
    assert.ok(plan.text.includes('对因生育影响职业的妇女提供职业帮助'));
    assert.equal((await (await as('member')).get('/sessions/new')).status, 403);
  });
});
