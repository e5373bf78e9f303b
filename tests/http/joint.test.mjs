// HTTP tests of issue 15, "Joint sessions" (联合聊): in a session of the city (深圳市政协)
// linked to the district 盐田区政协, the district's organizer invites the district's own
// people (not the city's), records their attendance, remarks, points and suggestions (201),
// corrects what the district added and nothing else, and may not change the session
// itself (403 joint_host_only); the record names the body that added each item; the
// statistics count the session for both bodies (hosted, joined) with the outputs of it; the
// district member's attendance is credited in the district's own duty record, with the
// district's points; the invitee is notified. A body not linked sees nothing (404).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

function assertError(r, status, code) {
  assert.equal(r.status, status, r.text);
  if (code) assert.equal(r.data.error.code, code, r.text);
}

function form(c, path, fields) {
  const body = new URLSearchParams({ csrf_token: c.csrf });
  for (const [k, v] of Object.entries(fields)) body.append(k, String(v));
  return c.req('POST', path, { body: body.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}

describe('joint sessions (demo data)', () => {
  let srv, city, yt, ftOrg, admin, ytAdmin, member;
  let cityId, ytId, ftId, session, ytPerson, ytPerson2, cityPerson, ftPerson;
  const as = async (u, pw = DEMO_PASSWORD) => { const c = new Client(srv.url); await c.login(u, pw); return c; };
  const person = async (c, name) => {
    const r = await c.get(`/api/v1/people?limit=50&q=${encodeURIComponent(name)}`);
    assert.equal(r.status, 200, r.text);
    const p = r.data.items.find((x) => x.name === name);
    assert.ok(p, `person ${name}`);
    return p.id;
  };

  before(async () => {
    srv = await startServer();
    city = await as('organizer');
    yt = await as('yt-organizer');
    admin = await as('sz-admin');
    const orgs = (await admin.get('/api/v1/orgs?limit=100')).data.items;
    cityId = orgs.find((o) => o.slug === 'sz').id;
    ytId = orgs.find((o) => o.slug === 'sz-yantian').id;
    ftId = orgs.find((o) => o.slug === 'sz-futian').id;
    // an organizer of the sibling district (not linked) and an admin of the district
    let r = await admin.post('/api/v1/users', { username: 'ft-org', password: 'futian-pass-1', role: 'organizer', org_id: ftId });
    assert.equal(r.status, 201, r.text);
    r = await admin.post('/api/v1/users', { username: 'yt-admin', password: 'yantian-pass-1', role: 'admin', org_id: ytId });
    assert.equal(r.status, 201, r.text);
    ftOrg = await as('ft-org', 'futian-pass-1');
    ytAdmin = await as('yt-admin', 'yantian-pass-1');
    member = await as('member');
    ytPerson = await person(yt, '邓海鹏');
    ytPerson2 = await person(yt, '罗静');
    cityPerson = await person(city, '王委员');
    ftPerson = await person(admin, '许文博');
    // the district gives its own points for attending: the credit shows whose they are
    r = await ytAdmin.req('PATCH', '/api/v1/duty-points', { json: { attended: 7, remark: 3 } });
    assert.equal(r.status, 200, r.text);
    // the city's joint session with the district, in 2025 (the demo's are of 2024)
    const topics = (await city.get('/api/v1/topics?limit=500')).data.items;
    const tp = topics.find((t) => t.org_id === cityId && (t.status === 'approved' || t.status === 'scheduled'));
    assert.ok(tp, 'an approved city topic');
    r = await city.post('/api/v1/sessions', {
      topic_id: tp.id, title: '市区联合聊：港口与社区', formats: ['joint'], linked_org_ids: [ytId],
      starts_at: '2025-05-20T14:30', visibility: 'internal',
    });
    assert.equal(r.status, 201, r.text);
    session = r.data.id;
  });

  after(async () => { await srv.stop(); });

  test('the linked body invites its own people, records attendance, remarks, points, suggestions', async () => {
    let r = await yt.post(`/api/v1/sessions/${session}/invitations`, { person_id: ytPerson, role: 'member' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.org_id, ytId);
    assert.equal(r.data.org_name, '盐田区政协');
    r = await yt.post(`/api/v1/sessions/${session}/attendance`, { person_id: ytPerson, attended: true });
    assert.equal(r.status, 200, r.text);
    // a walk-in of the district: recorded as the district's
    r = await yt.post(`/api/v1/sessions/${session}/attendance`, { person_id: ytPerson2, attended: true });
    assert.equal(r.status, 200, r.text);
    r = await yt.post(`/api/v1/sessions/${session}/remarks`, { person_id: ytPerson, body: '港区与社区联动，建议设立联络员。' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.org_id, ytId);
    r = await yt.post(`/api/v1/sessions/${session}/points`, { kind: 'agreed', body: '港社联动值得推广' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.org_id, ytId);
    r = await yt.post(`/api/v1/sessions/${session}/points`, { kind: 'difference', body: '经费分担尚无定论' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.org_name, '盐田区政协');
    r = await yt.post(`/api/v1/sessions/${session}/suggestions`, { title: '设立港社联络员', proposer_ids: [ytPerson] });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.org_id, ytId);
    assert.equal(r.data.org_name, '盐田区政协');
    // the host adds its own: marked as the city's
    r = await city.post(`/api/v1/sessions/${session}/invitations`, { person_id: cityPerson, role: 'host' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.org_id, cityId);
    r = await city.post(`/api/v1/sessions/${session}/remarks`, { person_id: cityPerson, body: '市里支持试点。' });
    assert.equal(r.status, 201, r.text);
    // the record shows which body added what
    const s = (await city.get(`/api/v1/sessions/${session}`)).data;
    const byName = (list, key, v) => list.find((x) => x[key] === v);
    assert.equal(byName(s.invitations, 'person_id', ytPerson).org_id, ytId);
    assert.equal(byName(s.invitations, 'person_id', ytPerson2).org_id, ytId, 'the walk-in');
    assert.equal(byName(s.invitations, 'person_id', cityPerson).org_id, cityId);
    assert.equal(byName(s.remarks, 'person_id', ytPerson).org_name, '盐田区政协');
    assert.equal(byName(s.remarks, 'person_id', cityPerson).org_name, '深圳市政协');
    assert.equal(s.agreed[0].org_id, ytId);
    assert.equal(s.differences[0].org_id, ytId);
    assert.equal(s.suggestions[0].org_id, ytId);
    // the page labels what the linked body added, and only that
    const page = await city.get(`/sessions/${session}`);
    assert.equal(page.status, 200);
    const labels = page.text.match(/<span class="tag joint"[^>]*>盐田区政协<\/span>/g) || [];
    assert.equal(labels.length, 6, 'two invitations, a remark, two points, a suggestion');
    assert.ok(!/<span class="tag joint"[^>]*>深圳市政协<\/span>/.test(page.text), 'the host\'s items carry no label');
  });

  test('the linked body may not invite or name the host\'s people, nor another body\'s', async () => {
    for (const p of [cityPerson, ftPerson]) {
      let r = await yt.post(`/api/v1/sessions/${session}/invitations`, { person_id: p, role: 'member' });
      assertError(r, 422);
      assert.equal(r.data.error.field, 'person_id');
      r = await yt.post(`/api/v1/sessions/${session}/remarks`, { person_id: p, body: '代为发言' });
      assertError(r, 422);
      r = await yt.post(`/api/v1/sessions/${session}/attendance`, { person_id: p, attended: true });
      assertError(r, 422);
      r = await yt.post(`/api/v1/sessions/${session}/suggestions`, { title: '建议', proposer_ids: [p] });
      assertError(r, 422);
    }
  });

  test('the linked body may not change the session itself: 403 with the reason', async () => {
    for (const body of [{ title: '改名' }, { starts_at: '2025-06-01T09:00' }, { formats: ['expert'] }, { linked_org_ids: [] }]) {
      const r = await yt.patch(`/api/v1/sessions/${session}`, body);
      assertError(r, 403, 'joint_host_only');
      assert.match(r.text, /主办组织/);
    }
    let r = await yt.post(`/api/v1/sessions/${session}/transition`, { to: 'scheduled' });
    assertError(r, 403, 'joint_host_only');
    // a commitment (counterpart talks) and the opinion room are the host's
    r = await yt.post(`/api/v1/sessions/${session}/commitments`, { body: '承诺' });
    assertError(r, 403, 'joint_host_only');
    assertError(await yt.post(`/api/v1/sessions/${session}/room`, { open: true }), 403);
    // the edit page and form too
    assert.equal((await yt.get(`/sessions/${session}/edit`)).status, 403);
    assert.equal((await form(yt, `/sessions/${session}/edit`, { title: '改名', topic_id: 1 })).status, 403);
    const s = (await city.get(`/api/v1/sessions/${session}`)).data;
    assert.equal(s.title, '市区联合聊：港口与社区');
    assert.deepEqual(s.linked_org_ids, [ytId]);
    assert.equal(s.status, 'draft');
    // a member of the district (not an organizer) writes nothing
    const ytm = new Client(srv.url);
    r = await admin.post('/api/v1/users', { username: 'yt-member', password: 'yantian-pass-2', role: 'member', org_id: ytId });
    assert.equal(r.status, 201, r.text);
    await ytm.login('yt-member', 'yantian-pass-2');
    assertError(await ytm.post(`/api/v1/sessions/${session}/remarks`, { person_id: ytPerson, body: 'x' }), 403);
  });

  test('a body that is not linked sees nothing and writes nothing', async () => {
    assert.equal((await ftOrg.get(`/api/v1/sessions/${session}`)).status, 404);
    assertError(await ftOrg.post(`/api/v1/sessions/${session}/invitations`, { person_id: ftPerson }), 404);
    assertError(await ftOrg.post(`/api/v1/sessions/${session}/remarks`, { person_id: ftPerson, body: 'x' }), 404);
    assertError(await ftOrg.patch(`/api/v1/sessions/${session}`, { title: 'x' }), 404);
  });

  test('corrections: the linked body corrects what it added, the host everything', async () => {
    const s = (await city.get(`/api/v1/sessions/${session}`)).data;
    const ytRemark = s.remarks.find((x) => x.org_id === ytId);
    const cityRemark = s.remarks.find((x) => x.org_id === cityId);
    let r = await yt.patch(`/api/v1/remarks/${ytRemark.id}`, { body: '港区与社区联动，建议设立专职联络员。' });
    assert.equal(r.status, 200, r.text);
    r = await yt.patch(`/api/v1/remarks/${cityRemark.id}`, { body: '改写市里的发言' });
    assertError(r, 403);
    r = await yt.patch(`/api/v1/points/${s.agreed[0].id}`, { body: '港社联动值得全市推广' });
    assert.equal(r.status, 200, r.text);
    const cityInv = s.invitations.find((x) => x.org_id === cityId);
    assertError(await yt.req('DELETE', `/api/v1/invitations/${cityInv.id}`), 403);
    // the host corrects the district's suggestion
    r = await city.patch(`/api/v1/suggestions/${s.suggestions[0].id}`, { title: '设立港社联络员制度' });
    assert.equal(r.status, 200, r.text);
    const after2 = (await city.get(`/api/v1/sessions/${session}`)).data;
    assert.equal(after2.remarks.find((x) => x.id === ytRemark.id).body, '港区与社区联动，建议设立专职联络员。');
    assert.equal(after2.remarks.find((x) => x.id === cityRemark.id).body, '市里支持试点。');
    assert.equal(after2.suggestions[0].title, '设立港社联络员制度');
    assert.equal(after2.suggestions[0].org_id, ytId, 'still the district\'s after the host\'s correction');
    // the district's page: forms to record, correction links only on its own items
    const page = await yt.get(`/sessions/${session}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /id="joint-note"/);
    assert.match(page.text, new RegExp(`action="/sessions/${session}/remarks"`));
    assert.match(page.text, new RegExp(`href="/sessions/${session}/remarks/${ytRemark.id}/edit"`));
    assert.ok(!page.text.includes(`/sessions/${session}/remarks/${cityRemark.id}/edit`), 'no link to correct the city\'s remark');
    assert.ok(!page.text.includes(`action="/sessions/${session}/transition"`), 'no state moves');
    // the invitation form lists the district's people, never the city's
    const options = page.text.match(/<select id="invite_person"[\s\S]*?<\/select>/)[0];
    assert.ok(options.includes('邓海鹏') && !options.includes('王委员'), options.slice(0, 300));
    // a form post of the district lands in the record
    r = await form(yt, `/sessions/${session}/points`, { kind: 'agreed', body: '表单添加的共识' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
  });

  test('the invitee of a linked body is notified as usual', async () => {
    let r = await admin.post('/api/v1/users', { username: 'yt-m2', password: 'yantian-pass-3', role: 'member', org_id: ytId, person_id: ytPerson2 });
    assert.equal(r.status, 201, r.text);
    const fresh = (await yt.get(`/api/v1/people?limit=50&q=${encodeURIComponent('邓海鹏')}`)).data.items[0];
    assert.ok(fresh);
    // a second district person with an account: invited by the district, notified
    r = await admin.post('/api/v1/users', { username: 'yt-m1', password: 'yantian-pass-4', role: 'member', org_id: ytId, person_id: ytPerson });
    assert.equal(r.status, 201, r.text);
    const s2 = await city.post('/api/v1/sessions', {
      topic_id: (await city.get(`/api/v1/sessions/${session}`)).data.topic_id, title: '第二场联合聊', formats: ['joint'], linked_org_ids: [ytId],
    });
    assert.equal(s2.status, 201, s2.text);
    r = await yt.post(`/api/v1/sessions/${s2.data.id}/invitations`, { person_id: ytPerson, role: 'speaker' });
    assert.equal(r.status, 201, r.text);
    const m1 = await as('yt-m1', 'yantian-pass-4');
    const inbox = (await m1.get('/api/v1/me/notifications?limit=50')).data.items;
    const n = inbox.find((x) => x.kind === 'invitation' && x.title.includes('第二场联合聊'));
    assert.ok(n, JSON.stringify(inbox));
    const mine = (await m1.get('/api/v1/me/invitations')).data;
    assert.ok(JSON.stringify(mine).includes('第二场联合聊'));
  });

  test('statistics credit both bodies: joint sessions hosted and joined, and their outputs', async () => {
    // held (not a draft): the host schedules it
    let r = await city.post(`/api/v1/sessions/${session}/transition`, { to: 'scheduled' });
    assert.equal(r.status, 200, r.text);
    r = await city.post('/api/v1/outputs', { kind: 'opinion_report', title: '港社联动的社情民意', session_ids: [session] });
    assert.equal(r.status, 201, r.text);
    const cityStats = (await admin.get(`/api/v1/stats?year=2025&org=${cityId}&scope=self`)).data;
    assert.deepEqual([cityStats.joint_sessions, cityStats.joint_sessions_hosted, cityStats.joint_sessions_joined], [1, 1, 0]);
    assert.equal(cityStats.joint_outputs, 1);
    const ytStats = await yt.get(`/api/v1/stats?year=2025&org=${ytId}&scope=self`);
    assert.equal(ytStats.status, 200, ytStats.text);
    assert.deepEqual([ytStats.data.joint_sessions, ytStats.data.joint_sessions_hosted, ytStats.data.joint_sessions_joined], [1, 0, 1]);
    assert.equal(ytStats.data.joint_outputs, 1);
    assert.equal(ytStats.data.sessions, 0, 'the district hosted none: its own sessions stay its own');
    // the sibling district: nothing
    const ft = (await admin.get(`/api/v1/stats?year=2025&org=${ftId}&scope=self`)).data;
    assert.deepEqual([ft.joint_sessions, ft.joint_sessions_hosted, ft.joint_sessions_joined], [0, 0, 0]);
    // the city with everything below it: the session once, not twice
    const sub = (await admin.get(`/api/v1/stats?year=2025&org=${cityId}&scope=subtree`)).data;
    assert.deepEqual([sub.joint_sessions, sub.joint_sessions_hosted, sub.joint_sessions_joined], [1, 1, 0]);
    // the demo's 2024 joint sessions of the city with the district
    const y24 = (await yt.get(`/api/v1/stats?year=2024&org=${ytId}&scope=self`)).data;
    assert.ok(y24.joint_sessions_joined >= 1 && y24.joint_sessions >= y24.joint_sessions_joined, JSON.stringify(y24));
    // the page shows them
    const page = await yt.get(`/stats?year=2025&org=${ytId}&scope=self`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<strong id="kpi-joint">1<\/strong>/);
    assert.match(page.text, /联合聊形成的成果/);
  });

  test('duty records: the district member\'s participation counts in the district\'s record', async () => {
    const d = await yt.get(`/api/v1/people/${ytPerson}/duty?year=2025`);
    assert.equal(d.status, 200, d.text);
    const att = d.data.items.find((x) => x.kind === 'attended' && x.session_id === session);
    assert.ok(att, JSON.stringify(d.data));
    assert.equal(att.org_id, ytId, 'credited to the district');
    assert.equal(att.points, 7, 'with the district\'s points');
    assert.equal(att.joint, true);
    assert.equal(att.host_org_name, '深圳市政协');
    const rem = d.data.items.find((x) => x.kind === 'remark' && x.session_id === session);
    assert.equal(rem.points, 3);
    // the city's own person: the city's record and points, not joint
    const c = (await city.get(`/api/v1/people/${cityPerson}/duty?year=2025`)).data;
    const ca = c.items.find((x) => x.kind === 'remark' && x.session_id === session);
    assert.equal(ca.org_id, cityId);
    assert.equal(ca.points, 2);
    assert.equal(ca.joint, false);
    // the page labels the joint session
    const page = await yt.get(`/people/${ytPerson}/duty?year=2025`);
    assert.equal(page.status, 200);
    assert.match(page.text, /联合聊，主办：深圳市政协/);
    void member;
  });
});
