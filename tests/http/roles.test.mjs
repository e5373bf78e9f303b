// HTTP tests of issue #11, "Members" (an account linked to a registry person, "my work")
// and "Leaders" (the read-only leader role, the instruction 批示 on an output).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ADMIN_PASSWORD } from '../lib/server.mjs';

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.data && r.data.error, `error body expected: ${r.text}`);
  if (code) assert.equal(r.data.error.code, code, r.text);
  if (field) assert.equal(r.data.error.field, field, r.text);
}

describe('roles (demo data)', () => {
  let srv, admin, root, org;
  const as = async (u, p = DEMO_PASSWORD) => { const c = new Client(srv.url); await c.login(u, p); return c; };
  const person = async (name, orgId) => (await org.post('/api/v1/people', { name, category: 'member', ...(orgId ? { org_id: orgId } : {}) })).data.id;
  const PW = 'roles-pass-123';
  let leader, leaderId, sz, ftOrg;

  before(async () => {
    srv = await startServer();
    admin = await as('sz-admin');
    root = await as('admin', ADMIN_PASSWORD);
    org = await as('organizer');
    const orgs = (await root.get('/api/v1/orgs?limit=500')).data.items;
    sz = orgs.find((o) => o.slug === 'sz').id;
    ftOrg = orgs.find((o) => o.slug === 'sz-futian').id;
    const r = await admin.post('/api/v1/users', { username: 'roles-leader', password: PW, role: 'leader', display_name: '李主席' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.role, 'leader');
    leaderId = r.data.id;
    leader = await as('roles-leader', PW);
  });
  after(async () => { await srv.stop(); });

  test('POST /api/v1/users links a registry person; GET shows person_id; the person shows user_id', async () => {
    const pid = await person('关联测试甲');
    const r = await admin.post('/api/v1/users', { username: 'linked-a', password: PW, person_id: pid });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.person_id, pid);
    assert.equal((await admin.get(`/api/v1/users/${r.data.id}`)).data.person_id, pid);
    assert.equal((await org.get(`/api/v1/people/${pid}`)).data.user_id, r.data.id);
    // the account sees the person as its own in my work
    const me = await as('linked-a', PW);
    const w = await me.get('/api/v1/me/work');
    assert.equal(w.status, 200, w.text);
    assert.equal(w.data.person.id, pid);
  });

  test('person_id unknown or out of sight is 422 naming person_id; already linked is 409', async () => {
    assertError(await admin.post('/api/v1/users', { username: 'linked-b', password: PW, person_id: 999999 }), 422, 'invalid', 'person_id');
    // a person of another branch (the root's own body) is not visible to the city's admin
    const far = (await root.post('/api/v1/people', { name: '省里的人', category: 'member' })).data.id;
    assertError(await admin.post('/api/v1/users', { username: 'linked-b', password: PW, person_id: far }), 422, 'invalid', 'person_id');
    const pid = await person('关联测试乙');
    assert.equal((await admin.post('/api/v1/users', { username: 'linked-c', password: PW, person_id: pid })).status, 201);
    assertError(await admin.post('/api/v1/users', { username: 'linked-d', password: PW, person_id: pid }), 409, 'person_linked', 'person_id');
    // nothing was made by the refused requests
    assert.equal((await admin.get('/api/v1/users?limit=500')).data.items.filter((u) => u.username === 'linked-b' || u.username === 'linked-d').length, 0);
  });

  test('PATCH /api/v1/users/{id} links, moves and unlinks the person; audited', async () => {
    const p1 = await person('关联测试丙'), p2 = await person('关联测试丁');
    const u = (await admin.post('/api/v1/users', { username: 'linked-e', password: PW })).data;
    assert.equal(u.person_id, null);
    let r = await admin.patch(`/api/v1/users/${u.id}`, { person_id: p1 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.person_id, p1);
    r = await admin.patch(`/api/v1/users/${u.id}`, { person_id: p2 });
    assert.equal(r.data.person_id, p2);
    assert.equal((await org.get(`/api/v1/people/${p1}`)).data.user_id, null);
    assert.equal((await org.get(`/api/v1/people/${p2}`)).data.user_id, u.id);
    r = await admin.patch(`/api/v1/users/${u.id}`, { person_id: null });
    assert.equal(r.data.person_id, null);
    assert.equal((await org.get(`/api/v1/people/${p2}`)).data.user_id, null);
    // the account itself may not link itself to someone
    const self = await as('linked-e', PW);
    assertError(await self.patch(`/api/v1/users/${u.id}`, { person_id: p1 }), 403);
    const audit = await root.get('/admin/audit');
    assert.match(audit.text, /关联人员/);
  });

  test('the admin pages link a person with a select', async () => {
    const pid = await person('页面关联');
    const page = await admin.get('/admin/users');
    assert.equal(page.status, 200);
    assert.match(page.text, /name="person_id"/);
    assert.match(page.text, /页面关联/);
    const form = new URLSearchParams({ csrf_token: admin.csrf, username: 'linked-page', display_name: '页面', role: 'member', org_id: String(sz), password: PW, person_id: String(pid) });
    const r = await admin.req('POST', '/admin/users', { body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 303, r.text);
    const u = (await admin.get('/api/v1/users?limit=500')).data.items.find((x) => x.username === 'linked-page');
    assert.equal(u.person_id, pid);
    const one = await admin.get(`/admin/users/${u.id}`);
    assert.match(one.text, new RegExp(`<option value="${pid}" selected`));
    // the leader role is offered
    assert.match(one.text, /<option value="leader"/);
  });

  test('the demo links member and ft-member to registry persons of their bodies', async () => {
    for (const [u, slug] of [['member', 'sz'], ['ft-member', 'sz-futian']]) {
      const c = await as(u);
      const me = (await c.get('/api/v1/me')).data;
      const w = (await c.get('/api/v1/me/work')).data;
      assert.ok(w.person, `${u} is linked`);
      const p = (await org.get(`/api/v1/people/${w.person.id}`));
      const body = (await root.get(`/api/v1/orgs/${(await root.get(`/api/v1/people/${w.person.id}`)).data.org_id}`)).data;
      assert.equal(body.slug, slug, `${u}'s person is of ${slug}`);
      assert.equal((await root.get(`/api/v1/people/${w.person.id}`)).data.user_id, me.user.id);
      assert.ok(w.invitations.some((i) => i.attended), `${u} attended a demo session`);
      void p;
    }
  });

  test('GET /api/v1/me/work: invitations, outputs with state, pending co-signing requests, duty record', async () => {
    const member = await as('member');
    const w0 = (await member.get('/api/v1/me/work')).data;
    const me = w0.person.id;
    assert.ok(w0.invitations.length >= 1);
    for (const i of w0.invitations) assert.ok(i.session_id && i.title && i.rsvp, JSON.stringify(i));
    assert.equal(typeof w0.duty.total, 'number');
    assert.equal(w0.duty.year, new Date().getFullYear());
    // an output with the member as co-signer: a pending request until confirmed
    const lead = await person('领衔人');
    const out = (await org.post('/api/v1/outputs', { kind: 'proposal', title: '我的工作测试提案', authors: [{ person_id: lead, role: 'lead' }, { person_id: me, role: 'cosigner' }] })).data;
    let w = (await member.get('/api/v1/me/work')).data;
    const mine = w.outputs.find((o) => o.id === out.id);
    assert.ok(mine, 'the output is listed');
    assert.equal(mine.role, 'cosigner');
    assert.equal(mine.state, 'draft');
    assert.ok(w.cosign_requests.some((o) => o.id === out.id), 'a pending co-signing request');
    assert.equal((await member.post(`/api/v1/outputs/${out.id}/confirm`, {})).status, 200);
    w = (await member.get('/api/v1/me/work')).data;
    assert.ok(!w.cosign_requests.some((o) => o.id === out.id), 'confirmed: no longer pending');
    assert.equal(w.outputs.find((o) => o.id === out.id).confirmed, true);
    // the year's duty record: a past year has none
    const past = (await member.get('/api/v1/me/work?year=2001')).data;
    assert.equal(past.duty.year, 2001);
    assert.equal(past.duty.total, 0);
    // an account without a person: empty, not an error
    const g = (await (await as('guest')).get('/api/v1/me/work')).data;
    assert.equal(g.person, null);
    assert.deepEqual(g.outputs, []);
    assert.equal((await new Client(srv.url).get('/api/v1/me/work')).status, 401);
  });

  test('the page /me shows the four blocks in zh and en, linked from the header', async () => {
    const member = await as('member');
    let r = await member.get('/me');
    assert.equal(r.status, 200, r.text);
    for (const id of ['work-invitations', 'work-cosign', 'work-outputs', 'work-duty']) assert.match(r.text, new RegExp(`id="${id}"`));
    assert.match(r.text, /我的工作/);
    assert.match((await member.get('/dashboard')).text, /href="\/me"/);
    member.cookies.set('sl_lang', 'en');
    r = await member.get('/me');
    assert.match(r.text, /My work/);
    assert.match(r.text, /Duty record of the year/);
    const anon = await new Client(srv.url).get('/me');
    assert.equal(anon.status, 303);
  });

  test('a leader reads sessions, outputs and statistics of its body and below, like an organizer', async () => {
    const sessions = await leader.get('/api/v1/sessions?limit=200');
    assert.equal(sessions.status, 200);
    const orgSessions = await org.get('/api/v1/sessions?limit=200');
    assert.deepEqual(sessions.data.items.map((s) => s.id).sort(), orgSessions.data.items.map((s) => s.id).sort());
    const internal = orgSessions.data.items.find((s) => s.visibility === 'internal');
    if (internal) assert.equal((await leader.get(`/api/v1/sessions/${internal.id}`)).status, 200);
    const outs = await leader.get('/api/v1/outputs?limit=200');
    assert.equal(outs.status, 200);
    assert.equal(outs.data.items.length, (await org.get('/api/v1/outputs?limit=200')).data.items.length);
    assert.equal((await leader.get(`/api/v1/outputs/${outs.data.items[0].id}`)).status, 200);
    const st = await leader.get('/api/v1/stats?scope=subtree');
    assert.equal(st.status, 200, st.text);
    assert.deepEqual(st.data, (await org.get('/api/v1/stats?scope=subtree')).data);
    // the dashboard shows the body and each child body's figures
    const dash = await leader.get('/dashboard');
    assert.match(dash.text, /id="bodies"/);
    for (const name of ['深圳市政协', '盐田区政协', '福田区政协']) assert.match(dash.text, new RegExp(name));
    assert.equal((await leader.get('/stats')).status, 200);
    // the year it counts is shown and can be chosen: the demo's sessions are of 2024
    const y2024 = await leader.get('/dashboard?year=2024');
    assert.match(y2024.text, /本级及下级组织概况 · 2024/);
    const cells = [...y2024.text.matchAll(/data-label="深聊会">(\d+)</g)].map((m) => Number(m[1]));
    assert.ok(cells.some((n) => n > 0), `2024 counts sessions: ${cells}`);
    assert.match((await leader.get('/dashboard?year=1900')).text, new RegExp(`· ${new Date().getUTCFullYear()}<`));
    // the admin's dashboard has it too; an organizer's and a member's do not
    assert.match((await admin.get('/dashboard')).text, /id="bodies"/);
    assert.doesNotMatch((await org.get('/dashboard')).text, /id="bodies"/);
    assert.doesNotMatch((await (await as('member')).get('/dashboard')).text, /id="bodies"/);
  });

  test('a leader changes nothing: every write is 403', async () => {
    const s = (await org.get('/api/v1/sessions?limit=5')).data.items[0];
    const o = (await org.get('/api/v1/outputs?limit=5')).data.items[0];
    const t = (await org.get('/api/v1/topics?limit=5')).data.items[0];
    const draft = (await org.post('/api/v1/outputs', { kind: 'speech', title: '领导不能提交的发言' })).data;
    const writes = [
      ['POST', '/api/v1/topics', { title: '领导议题', domain: 'society', origin: 'assigned' }],
      ['PATCH', `/api/v1/topics/${t.id}`, { title: '改' }],
      ['POST', '/api/v1/sessions', { topic_id: t.id, title: '领导会', formats: ['counterpart'] }],
      ['PATCH', `/api/v1/sessions/${s.id}`, { title: '改' }],
      ['POST', `/api/v1/sessions/${s.id}/remarks`, { body: '发言' }],
      ['POST', `/api/v1/sessions/${s.id}/invitations`, { person_id: 1 }],
      ['POST', '/api/v1/outputs', { kind: 'proposal', title: '领导提案' }],
      ['PATCH', `/api/v1/outputs/${o.id}`, { title: '改' }],
      ['POST', `/api/v1/outputs/${draft.id}/transition`, { to: 'submitted' }],
      ['POST', `/api/v1/outputs/${o.id}/adoptions`, { kind: 'policy', title: '政策' }],
      ['POST', '/api/v1/people', { name: '领导加人', category: 'member' }],
      ['POST', '/api/v1/handlers', { name: '领导单位' }],
      ['POST', '/api/v1/users', { username: 'by-leader', password: PW }],
    ];
    for (const [m, p, body] of writes) {
      const r = await leader.req(m, p, { json: body });
      assert.equal(r.status, 403, `${m} ${p}: ${r.status} ${r.text}`);
    }
    // its own account: name and password only, not its role
    assertError(await leader.patch(`/api/v1/users/${leaderId}`, { role: 'organizer' }), 403);
  });

  test('POST /api/v1/outputs/{id}/instruction: a leader records 批示 (201), counted as an adoption', async () => {
    const outs = (await org.get('/api/v1/outputs?limit=200')).data.items;
    const o = outs.find((x) => x.state !== 'draft' && x.org_id === sz);
    // the statistics count adoptions by the output's date
    const q = `/api/v1/stats?scope=subtree&year=${(await org.get(`/api/v1/outputs/${o.id}`)).data.dated_at.slice(0, 4)}`;
    const before = (await org.get(q)).data;
    const r = await leader.post(`/api/v1/outputs/${o.id}/instruction`, { text: '请市人社局认真研究，抓好落实。' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.kind, 'instruction');
    assert.equal(r.data.issuer, '李主席', 'by defaults to the display name');
    assert.equal(r.data.instruction_by, '李主席');
    const full = (await org.get(`/api/v1/outputs/${o.id}`)).data;
    assert.equal(full.instruction_text, '请市人社局认真研究，抓好落实。');
    assert.ok(full.adoptions.some((a) => a.kind === 'instruction' && a.title === '请市人社局认真研究，抓好落实。'));
    const after2 = (await org.get(q)).data;
    const count = (s) => (s.adoptions_by_kind || {}).instruction || 0;
    assert.equal(count(after2), count(before) + 1, 'the adoption statistics count it');
    // by and date given
    const r2 = await leader.post(`/api/v1/outputs/${o.id}/instruction`, { text: '同意。', by: '张市长', date: '2024-05-06' });
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.data.issuer, '张市长');
    assert.equal(r2.data.date, '2024-05-06');
    // an admin may record one (a leader's written on paper)
    assert.equal((await admin.post(`/api/v1/outputs/${o.id}/instruction`, { text: '阅。', by: '王书记' })).status, 201);
    // audited
    assert.match((await root.get('/admin/audit')).text, /记录领导批示/);
  });

  test('instruction refusals: others 403, anonymous 401, out of sight 404, bad fields 422, a draft 409', async () => {
    const outs = (await org.get('/api/v1/outputs?limit=200')).data.items;
    const o = outs.find((x) => x.state !== 'draft' && x.org_id === sz);
    for (const u of ['organizer', 'member', 'guest']) assertError(await (await as(u)).post(`/api/v1/outputs/${o.id}/instruction`, { text: '批示' }), 403);
    assert.equal((await new Client(srv.url).post(`/api/v1/outputs/${o.id}/instruction`, { text: '批示' })).status, 401);
    assertError(await leader.post('/api/v1/outputs/999999/instruction', { text: '批示' }), 404);
    // a leader of a district does not instruct on the city's outputs
    await admin.post('/api/v1/users', { username: 'ft-leader', password: PW, role: 'leader', org_id: ftOrg });
    const ft = await as('ft-leader', PW);
    assertError(await ft.post(`/api/v1/outputs/${o.id}/instruction`, { text: '批示' }), 404);
    assertError(await leader.post(`/api/v1/outputs/${o.id}/instruction`, {}), 422, 'required', 'text');
    assertError(await leader.post(`/api/v1/outputs/${o.id}/instruction`, { text: '批示', date: '2024-13-40' }), 422, undefined, 'date');
    assertError(await leader.post(`/api/v1/outputs/${o.id}/instruction`, { text: 'x'.repeat(501) }), 422, 'too_long', 'text');
    const draft = (await org.post('/api/v1/outputs', { kind: 'speech', title: '草稿发言' })).data;
    assertError(await leader.post(`/api/v1/outputs/${draft.id}/instruction`, { text: '批示' }), 409, 'state');
  });

  test('the output page has the instruction form for leaders only; the form records it', async () => {
    const outs = (await org.get('/api/v1/outputs?limit=200')).data.items;
    const o = outs.find((x) => x.state !== 'draft' && x.org_id === sz);
    const page = await leader.get(`/outputs/${o.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /action="\/outputs\/\d+\/instruction"/);
    assert.doesNotMatch((await org.get(`/outputs/${o.id}`)).text, /\/instruction"/);
    const form = new URLSearchParams({ csrf_token: leader.csrf, text: '页面批示：抓紧办理。', by: '', date: '' });
    const r = await leader.req('POST', `/outputs/${o.id}/instruction`, { body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 303, r.text);
    assert.ok((await org.get(`/api/v1/outputs/${o.id}`)).data.adoptions.some((a) => a.title === '页面批示：抓紧办理。'));
    leader.cookies.set('sl_lang', 'en');
    assert.match((await leader.get(`/outputs/${o.id}`)).text, /Leader&#39;s instruction|Leader's instruction/);
    leader.cookies.delete('sl_lang');
  });
});
