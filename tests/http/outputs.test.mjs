// HTTP tests of issue #5: outputs and every path of their workflows with each refusal,
// adoption, lineage, a session's outcomes; statistics checked figure by figure against a
// data set counted by hand, rolled up over a province -> city -> district tree.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { startServer, Client, DEMO_PASSWORD, ADMIN_PASSWORD } from '../lib/server.mjs';

// unzip reads the entries of a ZIP archive (an XLSX) through its central directory:
// name -> text.
function unzip(buf) {
  const files = {};
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'a ZIP archive');
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = buf.readUInt16LE(eocd + 10); n > 0; n--) {
    const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28), extra = buf.readUInt16LE(p + 30), comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString();
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files[name] = (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    p += 46 + nameLen + extra + comment;
  }
  return files;
}

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.data && r.data.error, `error body expected: ${r.text}`);
  if (code) assert.equal(r.data.error.code, code, r.text);
  if (field) assert.equal(r.data.error.field, field, r.text);
}

describe('workflows (demo data)', () => {
  let srv, org, member, handler;
  const as = async (u, p = DEMO_PASSWORD) => { const c = new Client(srv.url); await c.login(u, p); return c; };
  let ppl, sug, hrUnit, zhang;
  before(async () => {
    srv = await startServer();
    org = await as('organizer');
    member = await as('member');
    handler = await as('hr-handler');
    const s = (await org.get('/api/v1/sessions/1')).data;
    ppl = {};
    for (const i of s.invitations) ppl[i.name] = i.person_id;
    sug = s.suggestions.map((x) => x.id);
    hrUnit = (await org.get('/api/v1/handlers')).data.items.find((h) => h.name === '市人力资源和社会保障局').id;
    // 张丽华 co-signs the proposals below: her account confirms before each submission
    // (a proposal is not submitted before every co-signer confirmed, issue 11)
    const admin = await as('sz-admin');
    const u = await admin.post('/api/v1/users', { username: 'zhang-lihua', display_name: '张丽华', role: 'member', password: 'member-pass-1' });
    assert.equal(u.status, 201, u.text);
    assert.equal((await admin.patch(`/api/v1/people/${ppl['张丽华']}`, { user_id: u.data.id })).status, 200);
    zhang = await as('zhang-lihua', 'member-pass-1');
  });
  after(async () => { await srv.stop(); });

  const proposal = (extra = {}) => org.post('/api/v1/outputs', {
    kind: 'proposal', title: '关于完善育后返岗支持的提案', suggestion_ids: [sug[0], sug[2]],
    authors: [{ person_id: ppl['王委员'], role: 'lead' }, { person_id: ppl['张丽华'], role: 'cosigner' }], ...extra,
  });
  const move = async (c, id, to, extra = {}) => {
    if (to === 'submitted') await zhang.post(`/api/v1/outputs/${id}/confirm`, {});
    return c.post(`/api/v1/outputs/${id}/transition`, { to, ...extra });
  };

  test('create: kinds, rules, prefilled text, validation', async () => {
    const r = await proposal();
    assert.equal(r.status, 201, r.text);
    assert.ok(Number.isInteger(r.data.id));
    assert.equal(r.data.state, 'draft');
    assert.deepEqual(r.data.suggestion_ids, [sug[0], sug[2]]);
    assert.deepEqual(r.data.session_ids, [1]);
    assert.match(r.data.body, /建立育后岗位保留制度/, 'draft text prefilled from the suggestions');
    assertError(await org.post('/api/v1/outputs', { kind: 'proposal', title: '无领衔人', suggestion_ids: [sug[0]] }), 422, null, 'authors');
    assertError(await org.post('/api/v1/outputs', { kind: 'poem', title: 'x' }), 422, null, 'kind');
    assertError(await org.post('/api/v1/outputs', { kind: 'speech' }), 422, null, 'title');
    assertError(await org.post('/api/v1/outputs', { kind: 'speech', title: 'x', suggestion_ids: [999999] }), 422, null, 'suggestion_ids');
    assertError(await org.post('/api/v1/outputs', { kind: 'speech', title: 'x', authors: [{ person_id: 999999, role: 'lead' }] }), 422, null, 'authors');
    assertError(await member.post('/api/v1/outputs', { kind: 'special_report', title: 'x' }), 403);
    const long = '情况'.repeat(400) + '分析'.repeat(200) + '建议'.repeat(200);
    const lr = await org.post('/api/v1/outputs', { kind: 'opinion_report', title: '过长的信息', body: long });
    assertError(lr, 422, 'too_long', 'body');
    assert.match(lr.data.error.message, /1600/, 'the count is given');
  });

  test('proposal: the whole path, with evaluation, reopening once, and every refusal', async () => {
    const id = (await proposal()).data.id;
    assertError(await move(org, id, 'accepted'), 409, 'illegal_transition');
    assertError(await move(org, id, 'flying'), 409);
    assertError(await move(org, id), 422, null, 'to');
    assert.equal((await move(org, id, 'submitted', { note: '提交' })).data.state, 'submitted');
    assertError(await org.patch(`/api/v1/outputs/${id}`, { title: '改' }), 409);
    assertError(await move(member, id, 'accepted'), 403);
    const acc = await move(org, id, 'accepted');
    assert.equal(acc.data.state, 'accepted');
    assert.match(acc.data.number, /^\d{8}$/);
    // the handling unit cannot see it before it is assigned to them: not visible is 404
    assertError(await handler.get(`/api/v1/outputs/${id}`), 404);
    assertError(await move(org, id, 'assigned', { handlers: [] }), 422, null, 'handlers');
    const as1 = await move(org, id, 'assigned', { handlers: [{ handler_id: hrUnit, role: 'lead' }, { name: '市妇女联合会', role: 'co' }] });
    assert.equal(as1.status, 200, as1.text);
    assert.deepEqual(as1.data.handlers.map((h) => [h.name, h.role]), [['市人力资源和社会保障局', 'lead'], ['市妇女联合会', 'co']]);
    assert.ok(as1.data.reply_due);
    assert.equal((await handler.get(`/api/v1/outputs/${id}`)).status, 200);
    assert.ok((await handler.get('/api/v1/outputs?limit=500')).data.items.some((o) => o.id === id));
    assertError(await move(member, id, 'replied', { reply_text: 'x', grade: 'A' }), 403);
    assertError(await move(handler, id, 'replied', { reply_text: '已研究' }), 422, null, 'grade');
    assertError(await move(handler, id, 'replied', { grade: 'B' }), 422, null, 'reply_text');
    assert.equal((await move(handler, id, 'replied', { reply_text: '正在研究制定办法。', grade: 'B' })).data.state, 'replied');
    assertError(await move(org, id, 'evaluated', { satisfaction: 'satisfied' }), 403, null);
    assertError(await move(member, id, 'evaluated', { satisfaction: 'so-so' }), 422, null, 'satisfaction');
    assert.equal((await move(member, id, 'evaluated', { satisfaction: 'dissatisfied', note: '没有时间表' })).data.satisfaction, 'dissatisfied');
    const re = await move(member, id, 'assigned', { note: '请重新办理' });
    assert.equal(re.status, 200, re.text);
    assert.equal(re.data.state, 'assigned');
    assert.equal(re.data.reopened, true);
    await move(handler, id, 'replied', { reply_text: '已出台办法，明确时间表。', grade: 'A' });
    await move(member, id, 'evaluated', { satisfaction: 'dissatisfied' });
    assertError(await move(member, id, 'assigned'), 409, 'reopen_used');
    const closed = await move(org, id, 'closed');
    assert.equal(closed.data.state, 'closed');
    const steps = closed.data.events.map((e) => `${e.from}>${e.to}`);
    assert.deepEqual(steps, ['draft>submitted', 'submitted>accepted', 'accepted>assigned', 'assigned>replied', 'replied>evaluated', 'evaluated>assigned', 'assigned>replied', 'replied>evaluated', 'evaluated>closed']);
    assert.ok(closed.data.events.every((e) => e.at && typeof e.by === 'string'));
    assert.equal(closed.data.events[0].note, '提交');
  });

  test('proposal not accepted needs a reason', async () => {
    const id = (await proposal()).data.id;
    await move(org, id, 'submitted');
    assertError(await move(org, id, 'not_accepted'), 422, null, 'reason');
    const r = await move(org, id, 'not_accepted', { reason: '属于政协内部事务，不予立案' });
    assert.equal(r.data.state, 'not_accepted');
    assert.equal(r.data.reason, '属于政协内部事务，不予立案');
    assert.equal((await move(org, id, 'closed')).data.state, 'closed');
  });

  test('co-signers confirm online before the deadline, not after', async () => {
    const ok = (await proposal({ authors: [{ person_id: ppl['张丽华'], role: 'lead' }, { person_id: ppl['王委员'], role: 'cosigner' }] })).data;
    assert.equal(ok.authors.find((a) => a.role === 'cosigner').confirmed, false);
    const c = await member.post(`/api/v1/outputs/${ok.id}/confirm`, {});
    assert.equal(c.status, 200, c.text);
    assert.equal(c.data.authors.find((a) => a.role === 'cosigner').confirmed, true);
    const late = (await proposal({ cosign_deadline: '2020-01-01', authors: [{ person_id: ppl['张丽华'], role: 'lead' }, { person_id: ppl['王委员'], role: 'cosigner' }] })).data;
    assertError(await member.post(`/api/v1/outputs/${late.id}/confirm`, {}), 409, 'deadline_passed');
    assertError(await org.post(`/api/v1/outputs/${late.id}/confirm`, {}), 403);
  });

  test('opinion report: one issue, three parts, edited, sent up, instructed', async () => {
    const noparts = (await org.post('/api/v1/outputs', { kind: 'opinion_report', title: '关于男性产假的社情民意', body: '建议延长男性产假。', authors: [{ person_id: ppl['王委员'], role: 'lead' }] })).data;
    assertError(await move(org, noparts.id, 'submitted'), 422, null, 'body');
    const r = await org.post('/api/v1/outputs', { kind: 'opinion_report', title: '关于延长男性产假的建议', body: '一、情况：男性产假短。\n二、分析：育儿责任失衡。\n三、建议：延长男性产假。', suggestion_ids: [sug[1]] });
    assert.equal(r.status, 201, r.text);
    const id = r.data.id;
    await move(org, id, 'submitted');
    assertError(await move(org, id, 'sent', { sent_to: '广东省政协' }), 409);
    assertError(await move(org, id, 'edited'), 422, null, 'issue');
    assert.equal((await move(org, id, 'edited', { issue: '2025年第3期' })).data.bulletin_issue, '2025年第3期');
    assertError(await move(org, id, 'sent'), 422, null, 'sent_to');
    assert.equal((await move(org, id, 'sent', { sent_to: '广东省政协' })).data.sent_to, '广东省政协');
    assertError(await move(org, id, 'instructed', { instruction_by: '省领导' }), 422, null, 'instruction_text');
    const ins = await move(org, id, 'instructed', { instruction_by: '省领导', instruction_text: '请省人社厅研究。' });
    assert.equal(ins.data.state, 'instructed');
    assert.equal(ins.data.adopted, true, 'an instruction is an adoption');
    assert.equal(ins.data.adoptions[0].kind, 'instruction');
    assert.equal((await move(org, id, 'closed')).data.state, 'closed');
  });

  test('the other kinds: submitted, delivered, closed', async () => {
    for (const kind of ['research_report', 'speech', 'special_report']) {
      const id = (await org.post('/api/v1/outputs', { kind, title: `测试${kind}`, suggestion_ids: [sug[3]] })).data.id;
      assertError(await move(org, id, 'delivered'), 409);
      await move(org, id, 'submitted');
      assertError(await move(org, id, 'accepted'), 409);
      assert.equal((await move(org, id, 'delivered')).data.state, 'delivered');
      assert.equal((await move(org, id, 'closed')).data.state, 'closed');
    }
  });

  test('adoption records, duty credit for the authors, lineage and outcomes', async () => {
    const id = (await proposal()).data.id;
    assertError(await org.post(`/api/v1/outputs/${id}/adoptions`, { kind: 'rumour', title: 'x' }), 422, null, 'kind');
    assertError(await org.post(`/api/v1/outputs/${id}/adoptions`, { kind: 'policy' }), 422, null, 'title');
    assertError(await org.post(`/api/v1/outputs/${id}/adoptions`, { kind: 'policy', title: 'x', date: '12/31/2025' }), 422, null, 'date');
    assertError(await member.post(`/api/v1/outputs/${id}/adoptions`, { kind: 'policy', title: 'x' }), 403);
    const before = (await org.get(`/api/v1/people/${ppl['王委员']}/duty?year=2025`)).data.total;
    const a = await org.post(`/api/v1/outputs/${id}/adoptions`, { kind: 'policy', title: '关于支持生育妇女返岗的若干措施', issuer: '深圳市人民政府办公厅', reference: '深府办〔2025〕12号', date: '2025-03-01', link: 'https://www.sz.gov.cn/' });
    assert.equal(a.status, 201, a.text);
    assert.ok(Number.isInteger(a.data.id));
    assert.equal(a.data.reference, '深府办〔2025〕12号');
    const duty = (await org.get(`/api/v1/people/${ppl['王委员']}/duty?year=2025`)).data;
    assert.equal(duty.total, before + 5);
    assert.ok(duty.items.some((i) => i.kind === 'adopted' && i.ref_id === id));
    const l = await org.get(`/api/v1/outputs/${id}/lineage`);
    assert.equal(l.status, 200);
    assert.equal(l.data.output.id, id);
    assert.equal(l.data.suggestions[0].session.id, 1);
    assert.equal(l.data.suggestions[0].sources[0].kind, 'remark');
    assert.match(l.data.suggestions[0].sources[0].text, /育后岗位保留制度/);
    assert.equal(l.data.adoptions[0].kind, 'policy');
    const o = await org.get('/api/v1/sessions/1/outcomes');
    assert.equal(o.status, 200);
    assert.equal(o.data.session.id, 1);
    assert.ok(o.data.outputs.some((x) => x.id === id));
    assert.ok(o.data.suggestions[0].outputs.some((x) => x.id === id));
    assertError(await new Client(srv.url).get('/api/v1/sessions/4/outcomes'), 401);
  });

  test('overdue replies are flagged', async () => {
    const id = (await proposal()).data.id;
    await move(org, id, 'submitted');
    await move(org, id, 'accepted');
    const r = await move(org, id, 'assigned', { handlers: [{ handler_id: hrUnit, role: 'lead' }], reply_due: '2024-01-31' });
    assert.equal(r.data.overdue, true);
    const l = (await org.get('/api/v1/outputs?overdue=1&limit=500')).data.items;
    assert.ok(l.some((x) => x.id === id) && l.every((x) => x.overdue));
  });

  test('a handling unit sees only what is assigned to it', async () => {
    const items = (await handler.get('/api/v1/outputs?limit=500')).data.items;
    assert.ok(items.length > 0);
    for (const o of items) {
      const full = (await handler.get(`/api/v1/outputs/${o.id}`)).data;
      assert.ok(full.handlers.some((h) => h.id === hrUnit));
    }
    assertError(await handler.get('/api/v1/sessions/4'), 404); // not visible at all (session_authorize)
    assertError(await handler.get('/api/v1/stats?year=2024'), 403);
  });
});

describe('statistics counted by hand, rolled up province -> city -> district', () => {
  let srv, admin;
  before(async () => {
    srv = await startServer({ empty: true });
    admin = new Client(srv.url);
    await admin.login('admin', ADMIN_PASSWORD);
  });
  after(async () => { await srv.stop(); });

  test('every figure', async () => {
    const post = async (p, b) => { const r = await admin.post(p, b); assert.ok(r.status === 201 || r.status === 200, `${p}: ${r.text}`); return r.data; };
    const root = (await admin.get('/api/v1/me')).data.org.id;
    const city = (await post('/api/v1/orgs', { slug: 'c1', name: '甲市政协', level: 'city', parent_id: root })).id;
    const dist = (await post('/api/v1/orgs', { slug: 'd1', name: '乙区政协', level: 'district', parent_id: city })).id;
    const person = async (name, category, orgId) => (await post('/api/v1/people', { name, category, org_id: orgId, affiliation: '某局' })).id;
    const pc = await person('城委员', 'member', city);
    const pe = await person('城专家', 'expert', city);
    const po = await person('城官员', 'official', city);
    const pd = await person('区委员', 'member', dist);
    const pp = await person('省委员', 'member', root);
    const session = async (orgId, domain, formats, starts, invitees, nsug, status = 'closed', extra = {}) => {
      const t = await post('/api/v1/topics', { title: `议题${starts}${domain}`, domain, origin: 'member', org_id: orgId });
      await post(`/api/v1/topics/${t.id}/transition`, { to: 'approved' });
      const s = await post('/api/v1/sessions', { topic_id: t.id, title: `会${starts}`, formats, starts_at: starts, department: '某局', ...extra });
      for (const [p, role] of invitees) await post(`/api/v1/sessions/${s.id}/invitations`, { person_id: p, role });
      const sugs = [];
      if (status !== 'draft') {
        await post(`/api/v1/sessions/${s.id}/transition`, { to: 'scheduled' });
        await post(`/api/v1/sessions/${s.id}/transition`, { to: 'live' });
        for (let i = 0; i < nsug; i++) sugs.push((await post(`/api/v1/sessions/${s.id}/suggestions`, { title: `建议${i}` })).id);
        if (status === 'closed') await post(`/api/v1/sessions/${s.id}/transition`, { to: 'closed' });
      }
      return { id: s.id, sugs };
    };
    // city: 3 sessions in 2024, one draft in 2024 and one in 2025 (both not counted)
    const s1 = await session(city, 'economy', ['expert', 'counterpart'], '2024-03-10T09:00', [[pe, 'expert'], [po, 'official'], [pc, 'member']], 2);
    const s2 = await session(city, 'society', ['sector'], '2024-07-01T09:00', [[pc, 'member']], 1);
    const s3 = await session(city, 'culture', ['expert'], '2024-07-20T09:00', [[pe, 'expert']], 0);
    await session(city, 'economy', ['expert'], '2024-08-01T09:00', [[pe, 'expert']], 0, 'draft');
    await session(city, 'economy', ['expert'], '2025-02-01T09:00', [[pe, 'expert']], 1);
    // district: 1 session; province: 1 joint session
    const s4 = await session(dist, 'ecology', ['sector'], '2024-09-05T09:00', [[pd, 'member']], 1);
    const s5 = await session(root, 'politics', ['joint'], '2024-11-11T09:00', [[pp, 'member']], 1, 'closed', { linked_org_ids: [city] });
    // outputs dated 2024
    const out = async (orgId, kind, title, sugs, date, authors = []) => (await post('/api/v1/outputs', { kind, title, suggestion_ids: sugs, date, org_id: orgId, authors, body: kind === 'opinion_report' ? '情况。分析。建议。' : '' })).id;
    const mv = (id, to, extra = {}) => post(`/api/v1/outputs/${id}/transition`, { to, ...extra });
    const A = await out(city, 'proposal', '提案甲', [s1.sugs[0]], '2024-03-30', [{ person_id: pc, role: 'lead' }]);
    await mv(A, 'submitted'); await mv(A, 'accepted');
    await mv(A, 'assigned', { handlers: [{ name: '某局', role: 'lead' }] });
    await mv(A, 'replied', { reply_text: '已办', grade: 'A' });
    await mv(A, 'evaluated', { satisfaction: 'basically_satisfied' });
    await post(`/api/v1/outputs/${A}/adoptions`, { kind: 'policy', title: '某政策', reference: '甲府〔2024〕1号', date: '2024-10-01' });
    const B = await out(city, 'proposal', '提案乙', [s1.sugs[1]], '2024-04-09', [{ person_id: pc, role: 'lead' }]);
    await mv(B, 'submitted'); await mv(B, 'not_accepted', { reason: '不属于受理范围' });
    await out(city, 'opinion_report', '信息丙', [s2.sugs[0]], '2024-07-11');
    const D = await out(city, 'research_report', '报告丁', [], '2024-08-19');
    await mv(D, 'submitted'); await mv(D, 'delivered');
    await post(`/api/v1/outputs/${D}/adoptions`, { kind: 'media', title: '报道', date: '2024-09-01' });
    await out(city, 'speech', '发言（2025）', [], '2025-01-15');
    const E = await out(dist, 'proposal', '区提案', [s4.sugs[0]], '2024-09-25', [{ person_id: pd, role: 'lead' }]);
    await mv(E, 'submitted'); await mv(E, 'accepted');
    await out(root, 'speech', '省发言', [s5.sugs[0]], '2024-12-01');

    const city2024 = (await admin.get(`/api/v1/stats?year=2024&org=${city}`)).data;
    assert.equal(city2024.sessions, 3);
    assert.deepEqual(city2024.by_domain, { economy: 1, politics: 0, society: 1, culture: 1, ecology: 0 });
    assert.deepEqual(city2024.by_format, { expert: 2, counterpart: 1, sector: 1, joint: 0 });
    assert.deepEqual(city2024.by_month, [0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0]);
    assert.equal(city2024.suggestions, 3);
    assert.deepEqual(city2024.outputs, { proposal: 2, opinion_report: 1, research_report: 1, speech: 0, special_report: 0 });
    assert.equal(city2024.adopted, 2);
    assert.deepEqual(city2024.funnel, { sessions: 3, suggestions: 3, outputs: 4, adopted: 2 });
    assert.equal(city2024.filing_rate, 0.5);
    assert.equal(city2024.reply_rate, 1);
    assert.equal(city2024.satisfaction_rate, 1);
    assert.deepEqual(Object.fromEntries(city2024.participants_by_category.map((x) => [x.category, x.count])), { member: 2, expert: 2, official: 1 });
    // session -> output days: A 20 (Mar 10 -> Mar 30), B 30, C 10; median 20
    assert.equal(city2024.median_days_session_to_output, 20);

    const citySub = (await admin.get(`/api/v1/stats?year=2024&org=${city}&scope=subtree`)).data;
    assert.equal(citySub.sessions, 4);
    assert.equal(citySub.suggestions, 4);
    assert.deepEqual(citySub.outputs, { proposal: 3, opinion_report: 1, research_report: 1, speech: 0, special_report: 0 });
    assert.equal(citySub.filing_rate, 0.6667);
    assert.deepEqual(citySub.by_org.map((o) => [o.name, o.sessions, o.outputs, o.adopted]), [['甲市政协', 3, 4, 2], ['乙区政协', 1, 1, 0]]);

    const prov = (await admin.get('/api/v1/stats?year=2024&scope=subtree')).data;
    assert.equal(prov.sessions, 5);
    assert.equal(prov.suggestions, 5);
    assert.equal(prov.outputs_total, 6);
    assert.deepEqual(prov.by_domain, { economy: 1, politics: 1, society: 1, culture: 1, ecology: 1 });
    assert.equal(prov.by_format.joint, 1);
    const provSelf = (await admin.get('/api/v1/stats?year=2024')).data;
    assert.equal(provSelf.sessions, 1);
    assert.equal(provSelf.outputs.speech, 1);
    // quarter and custom periods
    assert.equal((await admin.get(`/api/v1/stats?year=2024&quarter=3&org=${city}`)).data.sessions, 2);
    assert.equal((await admin.get(`/api/v1/stats?from=2024-03-01&to=2024-03-31&org=${city}`)).data.sessions, 1);
    assert.equal((await admin.get(`/api/v1/stats?year=2025&org=${city}`)).data.sessions, 1);
    // answers are cached until something they count changes: each change shows at once
    const s6 = await session(root, 'culture', ['sector'], '2024-12-02T09:00', [[pp, 'member']], 1);
    let again = (await admin.get('/api/v1/stats?year=2024')).data;
    assert.equal(again.sessions, 2);
    assert.equal(again.suggestions, 2);
    await out(root, 'speech', '省发言二', [s6.sugs[0]], '2024-12-05');
    assert.equal((await admin.get('/api/v1/stats?year=2024')).data.outputs.speech, 2);
    assert.equal((await admin.patch(`/api/v1/orgs/${root}`, { name: '广东省政协（改）' })).status, 200);
    assert.equal((await admin.get('/api/v1/stats?year=2024')).data.org.name, '广东省政协（改）');
    // bad input and permissions
    assertError(await admin.get('/api/v1/stats?year=20x4'), 400, null, 'year');
    assertError(await admin.get('/api/v1/stats?scope=all'), 400, null, 'scope');
    assertError(await admin.get('/api/v1/stats?org=999999'), 404);
    await post('/api/v1/users', { username: 'd-admin', password: 'district-pass', role: 'admin', org_id: dist });
    const d = new Client(srv.url);
    await d.login('d-admin', 'district-pass');
    assertError(await d.get(`/api/v1/stats?year=2024&org=${city}`), 403);
    assert.equal((await d.get('/api/v1/stats?year=2024')).data.sessions, 1);
    // exports
    const csv = await admin.get(`/api/v1/stats.csv?year=2024&org=${city}`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /text\/csv/);
    assert.match(csv.text, /深聊会场次,3/);
    const xl = await fetch(`${srv.url}/api/v1/stats.xlsx?year=2024&org=${city}`, { headers: { Cookie: admin.cookieHeader() } });
    assert.equal(xl.status, 200);
    const bytes = Buffer.from(await xl.arrayBuffer());
    assert.equal(bytes.subarray(0, 2).toString(), 'PK');
    // every figure is a number cell; the rates are numbers with a percent format, so a user
    // can sum and chart them (issue 12, item 8); CSV keeps them as people read them
    const book = unzip(bytes);
    const summary = book['xl/worksheets/sheet1.xml'];
    const cells = [...summary.matchAll(/<c r="B(\d+)"([^>]*)>(?:<v>([^<]*)<\/v>)?/g)].map((m) => ({ row: Number(m[1]), attrs: m[2], v: m[3] }));
    const strings = [...(book['xl/sharedStrings.xml'] || '').matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1]);
    assert.ok(!strings.some((t) => /^\d+(\.\d+)?%$/.test(t)), `no rate as text: ${strings.join(' | ')}`);
    const numbers = cells.filter((x) => x.row > 1 && !/t="s"/.test(x.attrs));
    assert.ok(numbers.length >= 9, `the summary's figures are number cells (${numbers.length})`);
    const pctStyle = [...book['xl/styles.xml'].matchAll(/<numFmt numFmtId="(\d+)" formatCode="0\.0%"/g)];
    assert.equal(pctStyle.length, 1, 'a percent number format');
    const xfs = [...book['xl/styles.xml'].match(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/)[1].matchAll(/<xf [^>]*numFmtId="(\d+)"/g)].map((m) => m[1]);
    const rates = cells.filter((x) => { const sIdx = (x.attrs.match(/s="(\d+)"/) || [])[1]; return sIdx && xfs[Number(sIdx)] === pctStyle[0][1]; });
    assert.deepEqual(rates.map((x) => Number(x.v)), [0.5, 1, 1], 'filing, reply and satisfaction rates as numbers');
    assert.match(csv.text, /立案率,50\.0%/);
    // the statistics page: a province or city opens on its whole subtree; the funnel says
    // how many suggestions a session gave, not a percentage over 100
    const page = await admin.get(`/stats?year=2024&org=${city}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /id="kpi-sessions">4</, 'the city with its district');
    assert.match(page.text, /<option value="subtree" selected>/);
    assert.match(page.text, /每场平均 1\.0 条建议/);
    assert.match(page.text, /采纳率 /);
    assert.match(page.text, /scope=subtree&amp;org=|scope=subtree&org=/);
    const self = await admin.get(`/stats?year=2024&org=${city}&scope=self`);
    assert.match(self.text, /id="kpi-sessions">3</);
    const provPage = await admin.get('/stats?year=2024');
    // (6: the province's second session s6 came after the figures above)
    assert.match(provPage.text, /id="kpi-sessions">6</, 'the province with every body below it');
    assert.match(provPage.text, /平均每条建议形成 1\.2 篇成果/);
    assert.ok(!/↓ [0-9.]+%<\/text>\s*<text[^>]*><tspan>对策建议/.test(provPage.text), 'no percentage from sessions to suggestions');
    const pdfReport = await fetch(`${srv.url}/stats/report.pdf?year=2024&scope=subtree`, { headers: { Cookie: admin.cookieHeader() } });
    assert.equal(pdfReport.status, 200);
  });
});
