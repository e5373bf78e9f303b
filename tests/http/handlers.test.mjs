// HTTP tests of issue #11, handling units and organizers: a unit's queue (GET
// /api/v1/me/assignments, overdue first, keyset pages), its reply from the queue page,
// co-handlers' opinions (POST /api/v1/outputs/{id}/co-opinion), units managed by id
// (PATCH /api/v1/handlers/{id}: rename, disable; POST .../merge) and the organizers'
// commitments across sessions (GET /api/v1/commitments?overdue=1), with their pages.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.data && r.data.error, `error body expected: ${r.text}`);
  if (code) assert.equal(r.data.error.code, code, r.text);
  if (field) assert.equal(r.data.error.field, field, r.text);
}

// form posts a page form (urlencoded, with the CSRF token of the sign-in)
function form(c, path, fields) {
  const body = new URLSearchParams({ csrf_token: c.csrf, ...fields }).toString();
  return c.req('POST', path, { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}

describe('handling units and organizers (demo data)', () => {
  let srv, org, admin, hr, women, guest, ftMember, ytOrg, anon;
  let unit, ppl, sug;
  const as = async (u, p = DEMO_PASSWORD) => { const c = new Client(srv.url); await c.login(u, p); return c; };
  const move = (c, id, to, extra = {}) => c.post(`/api/v1/outputs/${id}/transition`, { to, ...extra });
  // assigned makes a proposal and takes it to assigned with the given units and due date
  const assigned = async (title, lead, co, due) => {
    const r = await org.post('/api/v1/outputs', {
      kind: 'proposal', title, suggestion_ids: [sug[0]],
      authors: [{ person_id: ppl['王委员'], role: 'lead' }],
    });
    assert.equal(r.status, 201, r.text);
    const id = r.data.id;
    assert.equal((await move(org, id, 'submitted')).status, 200);
    assert.equal((await move(org, id, 'accepted')).status, 200);
    const a = await move(org, id, 'assigned', { lead_handler_id: lead, co_handler_ids: co, ...(due ? { reply_due: due } : {}) });
    assert.equal(a.status, 200, a.text);
    return id;
  };

  before(async () => {
    srv = await startServer();
    org = await as('organizer');
    admin = await as('sz-admin');
    hr = await as('hr-handler');
    guest = await as('guest');
    ftMember = await as('ft-member');
    ytOrg = await as('yt-organizer');
    anon = new Client(srv.url);
    unit = {};
    for (const h of (await org.get('/api/v1/handlers')).data.items) unit[h.name] = h.id;
    const s = (await org.get('/api/v1/sessions/1')).data;
    ppl = {};
    for (const i of s.invitations) ppl[i.name] = i.person_id;
    sug = s.suggestions.map((x) => x.id);
    // the women's federation has no account in the demo: the admin makes one
    const u = await admin.post('/api/v1/users', {
      username: 'women-handler', password: DEMO_PASSWORD, display_name: '市妇联（协办）',
      role: 'guest', handler_id: unit['市妇女联合会'],
    });
    assert.equal(u.status, 201, u.text);
    women = await as('women-handler');
  });
  after(async () => { await srv.stop(); });

  test('the queue: lead and co, overdue first, then by due date, keyset pages', async () => {
    const late = await assigned('逾期的交办件', unit['市人力资源和社会保障局'], [unit['市妇女联合会']], '2024-01-31');
    const soon = await assigned('近期的交办件', unit['市人力资源和社会保障局'], [], '2099-01-31');
    const r = await hr.get('/api/v1/me/assignments?limit=500');
    assert.equal(r.status, 200, r.text);
    const items = r.data.items;
    const i = items.findIndex((x) => x.output_id === late), k = items.findIndex((x) => x.output_id === soon);
    assert.ok(i >= 0 && k >= 0, 'both assigned outputs are in the queue');
    const x = items[i];
    assert.equal(x.overdue, true);
    assert.equal(x.role, 'lead');
    assert.equal(x.kind, 'proposal');
    assert.equal(x.title, '逾期的交办件');
    assert.equal(x.state, 'assigned');
    assert.match(x.reply_due, /^2024-01-31/);
    assert.ok(x.assigned_at);
    assert.equal(x.reply.replied, false);
    assert.equal(x.reply.lead_handler_id, unit['市人力资源和社会保障局']);
    assert.deepEqual(x.opinions, []);
    assert.equal(items[k].overdue, false);
    // overdue first, then by due date
    const firstNot = items.findIndex((y) => !y.overdue);
    assert.ok(items.slice(firstNot).every((y) => !y.overdue), 'every overdue item comes before the others');
    for (let n = 1; n < items.length; n++) {
      if (items[n].overdue === items[n - 1].overdue && items[n].reply_due && items[n - 1].reply_due)
        assert.ok(items[n - 1].reply_due <= items[n].reply_due, 'by due date within each group');
    }
    // pages of one, following next, give the same list without repeats
    const seen = [];
    let cur = null;
    for (let guard = 0; guard < 100; guard++) {
      const p = await hr.get(`/api/v1/me/assignments?limit=1${cur ? `&cursor=${encodeURIComponent(cur)}` : ''}`);
      assert.equal(p.status, 200, p.text);
      seen.push(...p.data.items.map((y) => y.output_id));
      cur = p.data.next;
      if (!cur) break;
    }
    assert.deepEqual(seen, items.map((y) => y.output_id));
    assertError(await hr.get('/api/v1/me/assignments?cursor=x'), 400, null, 'cursor');
    // the co unit sees it as co
    const w = (await women.get('/api/v1/me/assignments')).data.items.find((y) => y.output_id === late);
    assert.equal(w.role, 'co');
    assert.equal(w.reply.lead_handler, '市人力资源和社会保障局');
    // not a unit's account: no items; anonymous: sign in first
    const g = await guest.get('/api/v1/me/assignments');
    assert.equal(g.status, 200);
    assert.deepEqual(g.data.items, []);
    assert.equal((await anon.get('/api/v1/me/assignments')).status, 401);
  });

  test('co-handlers give their opinion while assigned; the lead and the organizers see it', async () => {
    const id = await assigned('有协办意见的提案', unit['市人力资源和社会保障局'], [unit['市妇女联合会']], '2099-06-30');
    const path = `/api/v1/outputs/${id}/co-opinion`;
    assertError(await women.post(path, { text: '' }), 422, null, 'text');
    assertError(await women.post(path, { text: '建议', extra: 1 }), 422, 'unknown_field');
    assertError(await hr.post(path, { text: '主办不能提协办意见' }), 403);
    assertError(await org.post(path, { text: '组织者不是协办单位' }), 403);
    assertError(await ftMember.post(path, { text: '看不到' }), 404);
    assertError(await anon.post(path, { text: '未登录' }), 401);
    const r = await women.post(path, { text: '建议同步完善托育服务配套。' });
    assert.equal(r.status, 200, r.text);
    const co = r.data.handlers.find((h) => h.role === 'co');
    assert.equal(co.opinion, '建议同步完善托育服务配套。');
    // re-posting replaces it (one per unit)
    const r2 = await women.post(path, { text: '建议同步完善托育服务配套，并加强宣传。' });
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.data.handlers.filter((h) => h.opinion).length, 1);
    // the lead sees it on the output and in its queue; the organizer on the output
    const lead = (await hr.get(`/api/v1/outputs/${id}`)).data.handlers.find((h) => h.role === 'co');
    assert.equal(lead.opinion, '建议同步完善托育服务配套，并加强宣传。');
    const q = (await hr.get('/api/v1/me/assignments?limit=500')).data.items.find((x) => x.output_id === id);
    assert.deepEqual(q.opinions.map((o) => [o.handler_id, o.name, o.text]),
      [[unit['市妇女联合会'], '市妇女联合会', '建议同步完善托育服务配套，并加强宣传。']]);
    const o = (await org.get(`/api/v1/outputs/${id}`)).data.handlers.find((h) => h.role === 'co');
    assert.equal(o.opinion, '建议同步完善托育服务配套，并加强宣传。');
    // and on the output's page; the lead author (the demo's member) reads the output but not
    // the units' exchange
    assert.match((await hr.get(`/outputs/${id}`)).text, /协办意见 · 市妇女联合会[\s\S]*建议同步完善托育服务配套，并加强宣传。/);
    assert.match((await org.get(`/outputs/${id}`)).text, /建议同步完善托育服务配套，并加强宣传。/);
    const author = await as('member');
    const seen = await author.get(`/api/v1/outputs/${id}`);
    assert.equal(seen.status, 200, seen.text);
    assert.equal(seen.data.handlers.find((h) => h.role === 'co').opinion, null);
    assert.ok(!(await author.get(`/outputs/${id}`)).text.includes('建议同步完善托育服务配套'));
    // audited with before and after
    const audit = await admin.get('/admin/audit');
    assert.equal(audit.status, 200);
    assert.match(audit.text, /协办意见|co-handler/);
    // after the lead replies: 409
    assert.equal((await move(hr, id, 'replied', { reply_text: '已采纳。', grade: 'A' })).status, 200);
    assertError(await women.post(path, { text: '晚了' }), 409, 'not_assigned');
    const done = (await hr.get('/api/v1/me/assignments?limit=500')).data.items.find((x) => x.output_id === id);
    assert.equal(done.reply.replied, true);
    assert.equal(done.reply.grade, 'A');
    assert.equal(done.overdue, false);
  });

  test('units by id: rename (409 on a taken name), disable, who may', async () => {
    const made = await org.post('/api/v1/handlers', { name: '市卫生健康委员会' });
    assert.equal(made.status, 201, made.text);
    const id = made.data.id;
    assert.equal(made.data.disabled, false);
    const r = await org.patch(`/api/v1/handlers/${id}`, { name: '市卫健委' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.name, '市卫健委');
    assertError(await org.patch(`/api/v1/handlers/${id}`, { name: '市科技创新局' }), 409, 'conflict', 'name');
    assertError(await org.patch(`/api/v1/handlers/${id}`, { name: '' }), 422, null, 'name');
    assertError(await org.patch(`/api/v1/handlers/${id}`, { disabled: 'yes' }), 422, 'invalid_type', 'disabled');
    assertError(await guest.patch(`/api/v1/handlers/${id}`, { name: 'x' }), 403);
    assertError(await hr.patch(`/api/v1/handlers/${id}`, { name: 'x' }), 403);
    assertError(await ytOrg.patch(`/api/v1/handlers/${id}`, { name: 'x' }), 403); // a body below: may see, not change
    assertError(await org.patch('/api/v1/handlers/999999', { name: 'x' }), 404);
    assertError(await anon.patch(`/api/v1/handlers/${id}`, { name: 'x' }), 401);
    // disabled: not offered, refused for a new assignment; its accounts keep what they have
    const out = await assigned('停用前交办的提案', unit['市人力资源和社会保障局'], [unit['市妇女联合会']], '2099-03-01');
    const off = await org.patch(`/api/v1/handlers/${unit['市妇女联合会']}`, { disabled: true });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.data.disabled, true);
    assert.equal((await org.get('/api/v1/handlers')).data.items.find((h) => h.id === unit['市妇女联合会']).disabled, true);
    const p = await org.post('/api/v1/outputs', { kind: 'proposal', title: '停用后', suggestion_ids: [sug[0]], authors: [{ person_id: ppl['王委员'], role: 'lead' }] });
    await move(org, p.data.id, 'submitted');
    await move(org, p.data.id, 'accepted');
    assertError(await move(org, p.data.id, 'assigned', { lead_handler_id: unit['市人力资源和社会保障局'], co_handler_ids: [unit['市妇女联合会']] }), 422, 'disabled', 'handlers');
    const page = await org.get(`/outputs/${p.data.id}`);
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes(`<option value="${unit['市妇女联合会']}"`), 'a disabled unit is not offered in the select');
    assert.ok(page.text.includes(`<option value="${unit['市人力资源和社会保障局']}"`), 'enabled units are offered');
    assert.equal((await women.get(`/api/v1/outputs/${out}`)).status, 200);
    assert.ok((await women.get('/api/v1/me/assignments?limit=500')).data.items.some((x) => x.output_id === out));
    const on = await org.patch(`/api/v1/handlers/${unit['市妇女联合会']}`, { disabled: false });
    assert.equal(on.data.disabled, false);
  });

  test('merge: assignments and accounts move in one step, the merged unit is disabled', async () => {
    const a = (await org.post('/api/v1/handlers', { name: '市科学技术局' })).data.id;
    const b = unit['市科技创新局'];
    const acc = await admin.post('/api/v1/users', { username: 'sci-old', password: DEMO_PASSWORD, role: 'guest', handler_id: a });
    assert.equal(acc.status, 201, acc.text);
    const old = await as('sci-old');
    const only = await assigned('只交给旧局的提案', a, [], '2099-02-01');
    const both = await assigned('新旧两局都在的提案', a, [b], '2099-02-02');
    await old.post(`/api/v1/outputs/${only}/co-opinion`, { text: 'x' }); // a lead: refused, nothing changes
    assertError(await org.post(`/api/v1/handlers/${a}/merge`, { into_id: a }), 422, null, 'into_id');
    assertError(await org.post(`/api/v1/handlers/${a}/merge`, { into_id: 999999 }), 422, null, 'into_id');
    assertError(await org.post(`/api/v1/handlers/${a}/merge`, {}), 422, null, 'into_id');
    assertError(await guest.post(`/api/v1/handlers/${a}/merge`, { into_id: b }), 403);
    const dis = (await org.post('/api/v1/handlers', { name: '已停用的局' })).data.id;
    await org.patch(`/api/v1/handlers/${dis}`, { disabled: true });
    assertError(await org.post(`/api/v1/handlers/${a}/merge`, { into_id: dis }), 409, 'disabled', 'into_id');
    const m = await org.post(`/api/v1/handlers/${a}/merge`, { into_id: b });
    assert.equal(m.status, 200, m.text);
    assert.equal(m.data.disabled, true);
    assert.equal(m.data.merged_into, b);
    assertError(await org.post(`/api/v1/handlers/${a}/merge`, { into_id: b }), 409, 'merged');
    assertError(await org.patch(`/api/v1/handlers/${a}`, { disabled: false }), 409, 'merged');
    // the assignments are the new unit's; where both were assigned, one row, the lead kept
    const o1 = (await org.get(`/api/v1/outputs/${only}`)).data.handlers;
    assert.deepEqual(o1.map((h) => [h.id, h.role]), [[b, 'lead']]);
    const o2 = (await org.get(`/api/v1/outputs/${both}`)).data.handlers;
    assert.deepEqual(o2.map((h) => [h.id, h.role]), [[b, 'lead']]);
    // the account moved with them: the old unit's account now works the new unit's queue
    const q = (await old.get('/api/v1/me/assignments?limit=500')).data.items;
    assert.ok(q.some((x) => x.output_id === only && x.role === 'lead'));
    assert.ok(q.some((x) => x.output_id === both && x.role === 'lead'));
    const audit = await admin.get('/admin/audit');
    assert.match(audit.text, /合并承办单位|handling units merged/);
  });

  test('the queue page: the lead replies right there (zh and en)', async () => {
    const id = await assigned('在交办件页答复的提案', unit['市人力资源和社会保障局'], [unit['市妇女联合会']], '2099-04-01');
    const p = await hr.get('/assignments');
    assert.equal(p.status, 200, p.text);
    assert.match(p.text, /本单位交办件/);
    assert.ok(p.text.includes(`action="/assignments/${id}/reply"`), 'the reply form is on the page');
    assert.match(p.text, /<nav[\s\S]*href="\/assignments"/, 'linked from the navigation');
    const wp = await women.get('/assignments');
    assert.ok(wp.text.includes(`action="/assignments/${id}/co-opinion"`), 'the co unit has the opinion form');
    assert.ok(!wp.text.includes(`action="/assignments/${id}/reply"`), 'but not the reply form');
    const op = await form(women, `/assignments/${id}/co-opinion`, { text: '同意主办单位意见。' });
    assert.equal(op.status, 303, op.text);
    const bad = await form(hr, `/assignments/${id}/reply`, { to: 'replied', reply_text: '', grade: 'A' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /答复内容/);
    const ok = await form(hr, `/assignments/${id}/reply`, { to: 'replied', reply_text: '已研究办理。', grade: 'B' });
    assert.equal(ok.status, 303, ok.text);
    assert.match(ok.headers.get('location'), /^\/assignments/);
    assert.equal((await hr.get(`/api/v1/outputs/${id}`)).data.state, 'replied');
    const again = await hr.get('/assignments');
    assert.match(again.text, /同意主办单位意见。/);
    await hr.get('/lang?to=en&next=/assignments');
    const en = await hr.get('/assignments');
    assert.match(en.text, /Assigned to our unit/);
    const g = await guest.get('/assignments');
    assert.equal(g.status, 200);
    assert.match(g.text, /不是承办单位账号/);
  });

  test('the units page: create, rename, disable, merge by form', async () => {
    const p = await org.get('/handlers');
    assert.equal(p.status, 200);
    assert.match(p.text, /承办单位管理/);
    assert.match(p.text, /市人力资源和社会保障局/);
    assert.match(p.text, /<nav[\s\S]*href="\/handlers"/);
    assert.equal((await guest.get('/handlers')).status, 403);
    assert.equal((await form(org, '/handlers', { name: '市教育局' })).status, 303);
    const id = (await org.get('/api/v1/handlers')).data.items.find((h) => h.name === '市教育局').id;
    assert.equal((await form(org, `/handlers/${id}`, { op: 'rename', name: '市教育局（新）' })).status, 303);
    let h = (await org.get('/api/v1/handlers')).data.items.find((x) => x.id === id);
    assert.equal(h.name, '市教育局（新）');
    assert.equal(h.disabled, false, 'renaming by form leaves it enabled');
    const taken = await form(org, `/handlers/${id}`, { op: 'rename', name: '市科技创新局' });
    assert.equal(taken.status, 409);
    assert.equal((await form(org, `/handlers/${id}`, { op: 'disable', disabled: '1' })).status, 303);
    h = (await org.get('/api/v1/handlers')).data.items.find((x) => x.id === id);
    assert.equal(h.disabled, true);
    assert.equal((await form(org, `/handlers/${id}`, { op: 'merge', into_id: String(unit['市发展和改革委员会']) })).status, 303);
    h = (await org.get('/api/v1/handlers')).data.items.find((x) => x.id === id);
    assert.equal(h.merged_into, unit['市发展和改革委员会']);
  });

  test('commitments across sessions: overdue ones, session, paging, who may', async () => {
    const r = await org.get('/api/v1/commitments?limit=500');
    assert.equal(r.status, 200, r.text);
    assert.ok(r.data.items.length >= 4, 'the demo commitments of the city');
    const c = r.data.items[0];
    for (const k of ['id', 'session_id', 'session_title', 'owner', 'due_date', 'status', 'body'])
      assert.ok(k in c, `item has ${k}`);
    assert.equal(c.due_date, '2024-12-31');
    const od = await org.get('/api/v1/commitments?overdue=1&limit=500');
    assert.ok(od.data.items.some((x) => x.id === c.id));
    assert.ok(od.data.items.every((x) => x.overdue && ['open', 'in_progress'].includes(x.status)));
    // done: no longer overdue
    assert.equal((await org.patch(`/api/v1/commitments/${c.id}`, { status: 'done' })).status, 200);
    const od2 = await org.get('/api/v1/commitments?overdue=1&limit=500');
    assert.ok(!od2.data.items.some((x) => x.id === c.id));
    assert.ok((await org.get('/api/v1/commitments?limit=500')).data.items.some((x) => x.id === c.id && x.status === 'done'));
    // pages
    const p1 = await org.get('/api/v1/commitments?limit=1');
    assert.equal(p1.data.items.length, 1);
    assert.ok(p1.data.next);
    const p2 = await org.get(`/api/v1/commitments?limit=1&cursor=${p1.data.next}`);
    assert.notEqual(p2.data.items[0].id, p1.data.items[0].id);
    // a body below sees none of the city's; members may not; anonymous sign in first
    assert.deepEqual((await ytOrg.get('/api/v1/commitments')).data.items, []);
    assert.equal((await guest.get('/api/v1/commitments')).status, 403);
    assert.equal((await anon.get('/api/v1/commitments')).status, 401);
    // the page, linked from the navigation for organizers
    const page = await org.get('/commitments?overdue=1');
    assert.equal(page.status, 200);
    assert.match(page.text, /承诺事项跟踪/);
    assert.match(page.text, /<nav[\s\S]*href="\/commitments"/);
    assert.ok(page.text.includes(`/sessions/${od2.data.items[0].session_id}`));
    assert.equal((await guest.get('/commitments')).status, 403);
  });
});
