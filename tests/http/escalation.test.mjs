// HTTP tests of issue 15, escalation: a district (盐田区政协) sends a research report made of a
// suggestion of its own session up to its city (深圳市政协) and further to the province (the
// root); every status of escalate, the lists, answer and adopt; who may; the notifications
// both ways; what the higher body may read (the escalated output and its lineage, not the
// district's draft); the city's own output made from it with the lineage across bodies; the
// pages.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ADMIN_PASSWORD } from '../lib/server.mjs';

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.data && r.data.error, `error body expected: ${r.text}`);
  if (code) assert.equal(r.data.error.code, code, r.text);
  if (field) assert.equal(r.data.error.field, field, r.text);
}

describe('escalation (demo data)', () => {
  let srv, root, szAdmin, org, member, yt, ft, leader;
  let orgs, sz, yantian, futian, province;
  let session, suggestion, output, draft, toCity, toProvince;
  const as = async (u, p = DEMO_PASSWORD) => { const c = new Client(srv.url); await c.login(u, p); return c; };
  const ok = (r, status = 201) => { assert.equal(r.status, status, r.text); return r.data; };

  before(async () => {
    srv = await startServer();
    [root, szAdmin, org, member, yt, ft, leader] = await Promise.all([
      as('admin', ADMIN_PASSWORD), as('sz-admin'), as('organizer'), as('member'), as('yt-organizer'),
      as('ft-member'), as('leader')]);
    orgs = ok(await root.get('/api/v1/orgs?limit=500'), 200).items;
    const by = (slug) => orgs.find((o) => o.slug === slug);
    sz = by('sz'); yantian = by('sz-yantian'); futian = by('sz-futian');
    province = orgs.find((o) => !o.parent_id);
    // the district's session with a suggestion, and a report made of it
    const t = ok(await yt.post('/api/v1/topics', { title: '盐田港区交通', domain: 'society', origin: 'member' }));
    ok(await yt.post(`/api/v1/topics/${t.id}/transition`, { to: 'approved' }), 200);
    session = ok(await yt.post('/api/v1/sessions', { topic_id: t.id, title: '港区交通深聊会', formats: ['expert'], visibility: 'internal' }));
    suggestion = ok(await yt.post(`/api/v1/sessions/${session.id}/suggestions`, { title: '增开港区公交夜班线' }));
    output = ok(await yt.post('/api/v1/outputs', { kind: 'research_report', title: '关于港区夜间交通的调研报告', body: '港区夜班工人出行难。', suggestion_ids: [suggestion.id] }));
    draft = ok(await yt.post('/api/v1/outputs', { kind: 'research_report', title: '盐田区内部草稿', body: '尚未提交。' }));
  });
  after(async () => { await srv.stop(); });

  test('a draft cannot be escalated (409 not_submitted)', async () => {
    assertError(await yt.post(`/api/v1/outputs/${output.id}/escalate`, { note: '请市政协关注' }), 409, 'not_submitted');
    ok(await yt.post(`/api/v1/outputs/${output.id}/transition`, { to: 'submitted' }), 200);
  });

  test('who may escalate: the output body\'s organizers; others 403/404/401', async () => {
    // the city's organizer reads the district's output but does not send it
    assertError(await org.post(`/api/v1/outputs/${output.id}/escalate`, { note: '代为上报' }), 403);
    // a member of a sibling district does not even see it
    assertError(await ft.post(`/api/v1/outputs/${output.id}/escalate`, { note: 'x' }), 404);
    const anon = new Client(srv.url);
    assert.equal((await anon.post(`/api/v1/outputs/${output.id}/escalate`, { note: 'x' })).status, 401);
    assertError(await yt.post('/api/v1/outputs/999999/escalate', { note: 'x' }), 404);
  });

  test('input: note required, to_org_id above the output\'s body, unknown fields refused', async () => {
    assertError(await yt.post(`/api/v1/outputs/${output.id}/escalate`, {}), 422, null, 'note');
    assertError(await yt.post(`/api/v1/outputs/${output.id}/escalate`, { note: '　' }), 422, null, 'note');
    for (const bad of [futian.id, yantian.id, 999999, 0, -3])
      assertError(await yt.post(`/api/v1/outputs/${output.id}/escalate`, { note: '上报', to_org_id: bad }), 422, null, 'to_org_id');
    assertError(await yt.post(`/api/v1/outputs/${output.id}/escalate`, { note: '上报', to_org_id: '市' }), 422, null, 'to_org_id');
    assertError(await yt.post(`/api/v1/outputs/${output.id}/escalate`, { note: '上报', urgent: true }), 422, 'unknown_field');
  });

  test('escalate to the parent (default) -> 201; again -> 409 pending; further up -> 201', async () => {
    const r = await yt.post(`/api/v1/outputs/${output.id}/escalate`, { note: '港区夜间交通需市级统筹' });
    toCity = ok(r);
    assert.equal(toCity.output_id, output.id);
    assert.deepEqual(toCity.from_org, { id: yantian.id, name: yantian.name });
    assert.deepEqual(toCity.to_org, { id: sz.id, name: sz.name });
    assert.equal(toCity.state, 'pending');
    assert.equal(toCity.note, '港区夜间交通需市级统筹');
    assert.equal(toCity.output_title, output.title);
    assert.equal(toCity.result_output_id, null);
    assertError(await yt.post(`/api/v1/outputs/${output.id}/escalate`, { note: '再报一次' }), 409, 'pending');
    assertError(await yt.post(`/api/v1/outputs/${output.id}/escalate`, { note: '再报一次', to_org_id: sz.id }), 409, 'pending');
    toProvince = ok(await yt.post(`/api/v1/outputs/${output.id}/escalate`, { note: '涉及省管港口', to_org_id: province.id }));
    assert.equal(toProvince.to_org.id, province.id);
  });

  test('a root body has no parent: 409 no_parent', async () => {
    const o = ok(await root.post('/api/v1/outputs', { kind: 'research_report', title: '省级调研', body: '正文' }));
    ok(await root.post(`/api/v1/outputs/${o.id}/transition`, { to: 'submitted' }), 200);
    assertError(await root.post(`/api/v1/outputs/${o.id}/escalate`, { note: '无处可报' }), 409, 'no_parent');
  });

  test('lists: incoming for the target, outgoing for the sender, paging, who may list', async () => {
    const inc = ok(await org.get('/api/v1/escalations'), 200);
    const mine = inc.items.find((x) => x.id === toCity.id);
    assert.ok(mine, inc.text);
    for (const k of ['id', 'output_id', 'from_org', 'to_org', 'note', 'state', 'created_at', 'answer_note', 'output_title'])
      assert.ok(k in mine, k);
    assert.equal(mine.from_org.name, yantian.name);
    assert.ok(!inc.items.some((x) => x.id === toProvince.id), 'the province\'s is not the city\'s');
    const out = ok(await yt.get('/api/v1/escalations?direction=outgoing'), 200);
    assert.deepEqual(out.items.map((x) => x.id), [toCity.id, toProvince.id]);
    assert.deepEqual(ok(await yt.get('/api/v1/escalations'), 200).items, []);
    const p1 = ok(await yt.get('/api/v1/escalations?direction=outgoing&limit=1'), 200);
    assert.equal(p1.items.length, 1);
    assert.equal(p1.next, String(toCity.id));
    const p2 = ok(await yt.get(`/api/v1/escalations?direction=outgoing&limit=1&cursor=${p1.next}`), 200);
    assert.deepEqual(p2.items.map((x) => x.id), [toProvince.id]);
    assert.equal(p2.next, null);
    assert.ok(ok(await root.get('/api/v1/escalations'), 200).items.some((x) => x.id === toProvince.id));
    assert.ok(ok(await leader.get('/api/v1/escalations'), 200).items.some((x) => x.id === toCity.id), 'a leader reads as staff');
    assertError(await member.get('/api/v1/escalations'), 403);
    assertError(await org.get('/api/v1/escalations?direction=sideways'), 400, null, 'direction');
    assert.equal((await new Client(srv.url).get('/api/v1/escalations')).status, 401);
  });

  test('escalation_received reaches the target body\'s organizers and admins', async () => {
    for (const c of [org, szAdmin]) {
      const n = ok(await c.get('/api/v1/me/notifications?limit=100'), 200).items;
      const x = n.find((i) => i.kind === 'escalation_received');
      assert.ok(x, JSON.stringify(n));
      assert.equal(x.link, '/escalations');
      assert.ok(x.title.includes(output.title), x.title);
    }
    const none = ok(await member.get('/api/v1/me/notifications?limit=100'), 200).items;
    assert.ok(!none.some((i) => i.kind === 'escalation_received'), 'not the members');
  });

  test('the higher body reads the escalated output and its lineage, not the district\'s draft', async () => {
    // a member of the city: the escalated output and its session's suggestion
    ok(await member.get(`/api/v1/outputs/${output.id}`), 200);
    const l = ok(await member.get(`/api/v1/outputs/${output.id}/lineage`), 200);
    assert.deepEqual(l.suggestions.map((s) => s.id), [suggestion.id]);
    assert.equal(l.suggestions[0].session.id, session.id);
    // no more than before: the district's draft stays out of its sight
    assertError(await member.get(`/api/v1/outputs/${draft.id}`), 404);
    assertError(await member.get(`/api/v1/outputs/${draft.id}/lineage`), 404);
    // a sibling district sees neither
    assertError(await ft.get(`/api/v1/outputs/${output.id}`), 404);
  });

  test('answer: the target body\'s organizers; bad decision 422; twice 409', async () => {
    assertError(await yt.post(`/api/v1/escalations/${toCity.id}/answer`, { decision: 'accepted' }), 403);
    assertError(await member.post(`/api/v1/escalations/${toCity.id}/answer`, { decision: 'accepted' }), 404);
    assertError(await leader.post(`/api/v1/escalations/${toCity.id}/answer`, { decision: 'accepted' }), 403);
    assertError(await ft.post(`/api/v1/escalations/${toCity.id}/answer`, { decision: 'accepted' }), 404);
    assertError(await org.post('/api/v1/escalations/999999/answer', { decision: 'accepted' }), 404);
    assertError(await org.post(`/api/v1/escalations/${toCity.id}/answer`, { decision: 'maybe' }), 422, null, 'decision');
    assertError(await org.post(`/api/v1/escalations/${toCity.id}/answer`, {}), 422, null, 'decision');
    assertError(await org.post(`/api/v1/escalations/${toCity.id}/answer`, { decision: 'accepted', extra: 1 }), 422, 'unknown_field');
    const a = ok(await org.post(`/api/v1/escalations/${toCity.id}/answer`, { decision: 'accepted', note: '纳入市级交通专报' }), 200);
    assert.equal(a.state, 'accepted');
    assert.equal(a.answer_note, '纳入市级交通专报');
    assert.ok(a.answered_at);
    assert.equal(a.answered_by, '李组织');
    assertError(await org.post(`/api/v1/escalations/${toCity.id}/answer`, { decision: 'declined' }), 409, 'answered');
    // the province declines the other
    const d = ok(await root.post(`/api/v1/escalations/${toProvince.id}/answer`, { decision: 'declined', note: '由市级办理' }), 200);
    assert.equal(d.state, 'declined');
  });

  test('the sending body sees the decision and the note on its output, and is told', async () => {
    const o = ok(await yt.get(`/api/v1/outputs/${output.id}`), 200);
    assert.deepEqual(o.escalations.map((x) => [x.to_org.id, x.state, x.answer_note]),
      [[sz.id, 'accepted', '纳入市级交通专报'], [province.id, 'declined', '由市级办理']]);
    const n = ok(await yt.get('/api/v1/me/notifications?limit=100'), 200).items;
    const answered = n.filter((i) => i.kind === 'escalation_answered');
    assert.equal(answered.length, 2, JSON.stringify(n));
    assert.equal(answered[0].link, `/outputs/${output.id}`);
    // the page shows it
    const page = await yt.get(`/outputs/${output.id}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('纳入市级交通专报'), 'the answer on the output page');
    assert.ok(page.text.includes(`action="/outputs/${output.id}/escalate"`), 'the form for its organizers');
    const theirs = await org.get(`/outputs/${output.id}`);
    assert.ok(!theirs.text.includes(`action="/outputs/${output.id}/escalate"`), 'not for the city');
  });

  test('adopt: an accepted escalation becomes a city output with the lineage across bodies', async () => {
    assertError(await root.post(`/api/v1/escalations/${toProvince.id}/adopt`, {}), 409, 'not_accepted');
    assertError(await yt.post(`/api/v1/escalations/${toCity.id}/adopt`, {}), 403);
    assertError(await org.post(`/api/v1/escalations/${toCity.id}/adopt`, { kind: 'no-such-kind' }), 422, null, 'kind');
    const r = ok(await org.post(`/api/v1/escalations/${toCity.id}/adopt`, { kind: 'special_report', title: '关于港区夜间交通的专报' }));
    assert.equal(r.escalation.result_output_id, r.output_id);
    const mine = ok(await org.get(`/api/v1/outputs/${r.output_id}`), 200);
    assert.equal(mine.org_id, sz.id);
    assert.equal(mine.state, 'draft');
    assert.equal(mine.kind, 'special_report');
    assert.deepEqual(mine.suggestion_ids, [suggestion.id]);
    assert.equal(mine.body, '港区夜班工人出行难。');
    const l = ok(await org.get(`/api/v1/outputs/${r.output_id}/lineage`), 200);
    assert.deepEqual(l.suggestions.map((s) => [s.id, s.session.id]), [[suggestion.id, session.id]]);
    assert.deepEqual(l.escalated_from.map((x) => [x.output_id, x.from_org.id]), [[output.id, yantian.id]]);
    const lp = await org.get(`/outputs/${r.output_id}/lineage`);
    assert.equal(lp.status, 200);
    assert.ok(lp.text.includes(`href="/outputs/${output.id}"`) && lp.text.includes('增开港区公交夜班线'), 'the lineage page across bodies');
    assertError(await org.post(`/api/v1/escalations/${toCity.id}/adopt`, {}), 409, 'adopted');
    // the district's output counts it as an adoption by escalation, and says where it went
    const o = ok(await yt.get(`/api/v1/outputs/${output.id}`), 200);
    assert.ok(o.adoptions.some((a) => a.kind === 'escalation' && a.issuer === sz.name), JSON.stringify(o.adoptions));
    assert.equal(o.escalations[0].result_output_id, r.output_id);
    // the district does not read the city's draft
    assertError(await yt.get(`/api/v1/outputs/${r.output_id}`), 404);
  });

  test('pages: /escalations lists both ways with the answer forms; forms post', async () => {
    const again = ok(await yt.post(`/api/v1/outputs/${draft.id}/transition`, { to: 'submitted' }), 200);
    assert.equal(again.state, 'submitted');
    // the output page's form
    const form = new URLSearchParams({ csrf_token: yt.csrf, note: '请市里看看', to_org_id: String(sz.id) });
    const posted = await yt.req('POST', `/outputs/${draft.id}/escalate`, { body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(posted.status, 303, posted.text);
    const bad = await yt.req('POST', `/outputs/${draft.id}/escalate`, { body: new URLSearchParams({ csrf_token: yt.csrf, note: '' }).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(bad.status, 422);
    const list = await org.get('/escalations');
    assert.equal(list.status, 200);
    assert.ok(list.text.includes('盐田区内部草稿'));
    const pending = ok(await org.get('/api/v1/escalations'), 200).items.find((x) => x.output_id === draft.id);
    assert.ok(list.text.includes(`action="/escalations/${pending.id}/answer"`), 'an answer form');
    const ans = await org.req('POST', `/escalations/${pending.id}/answer`, { body: new URLSearchParams({ csrf_token: org.csrf, decision: 'declined', note: '区级办理即可' }).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(ans.status, 303, ans.text);
    const twice = await org.req('POST', `/escalations/${pending.id}/answer`, { body: new URLSearchParams({ csrf_token: org.csrf, decision: 'declined' }).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(twice.status, 409);
    const outgoing = await yt.get('/escalations');
    assert.ok(outgoing.text.includes('区级办理即可'));
    assert.equal((await member.get('/escalations')).status, 403);
  });
});
