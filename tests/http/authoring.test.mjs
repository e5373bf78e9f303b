// HTTP tests of issue 11 ("Who does what: Members"): a member proposes a topic and corrects
// or withdraws it while it is proposed; drafts an output from a session they attended (or
// from nothing) as its lead author, with co-signers who confirm or decline; a proposal is
// not submitted before every co-signer confirmed (409 cosigners_pending); the lead author
// edits and deletes a draft, and every edit keeps the output's links to its suggestions.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, Client, DEMO_PASSWORD, sqlite3Sync } from '../lib/server.mjs';

// auditOf reads the audit rows of action on entity_id from the database file (sqlite3 -json).
function auditOf(db, action, id) {
  const r = sqlite3Sync(['-json', db, `SELECT before_json, after_json FROM audit WHERE action = '${action}' AND entity_id = ${Number(id)} ORDER BY id`]);
  assert.equal(r.status, 0, r.stderr);
  return (r.stdout.trim() ? JSON.parse(r.stdout) : []).map((x) => ({ before: x.before_json && JSON.parse(x.before_json), after: x.after_json && JSON.parse(x.after_json) }));
}

// form posts a page form as c would (with its CSRF token).
function form(c, path, fields) {
  const body = new URLSearchParams({ csrf_token: c.csrf });
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return c.req('POST', path, { body: body.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept-Language': 'zh' } });
}

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.data && r.data.error, `error body expected: ${r.text}`);
  if (code) assert.equal(r.data.error.code, code, r.text);
  if (field) assert.equal(r.data.error.field, field, r.text);
}

describe('members author and co-sign (demo data)', () => {
  let srv, admin, org, member, chen, loner, other;
  const as = async (u, p = DEMO_PASSWORD) => { const c = new Client(srv.url); await c.login(u, p); return c; };
  const ppl = {};
  let sugAttended, sugNotAttended;

  // account makes a member account (linked to person_id when given) and signs it in.
  async function account(username, personId) {
    const u = await admin.post('/api/v1/users', { username, display_name: username, role: 'member', password: 'member-pass-1' });
    assert.equal(u.status, 201, u.text);
    if (personId) {
      const p = await admin.patch(`/api/v1/people/${personId}`, { user_id: u.data.id });
      assert.equal(p.status, 200, p.text);
    }
    return as(username, 'member-pass-1');
  }

  // notes gives the notifications of kind addressed to person (the table notification of
  // migrations/0010_notifications.sql; the inbox API is another part of issue 11).
  function notes(person, kind) {
    const r = sqlite3Sync(['-json', srv.db, `SELECT kind, subject, link FROM notification WHERE person_id = ${Number(person)} AND kind = '${kind}' ORDER BY id`]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim() ? JSON.parse(r.stdout) : [];
  }

  before(async () => {
    srv = await startServer();
    admin = await as('sz-admin');
    org = await as('organizer');
    member = await as('member'); // linked to 王委员 by the demo
    const s1 = (await org.get('/api/v1/sessions/1')).data;
    for (const i of s1.invitations) ppl[i.name] = i.person_id;
    const people = (await org.get('/api/v1/people?limit=500')).data.items;
    for (const p of people) ppl[p.name] = p.id;
    sugAttended = s1.suggestions[0].id;
    sugNotAttended = (await org.get('/api/v1/sessions/2')).data.suggestions[0].id;
    chen = await account('chen-member', ppl['陈建国']);
    other = await account('huang-member', ppl['黄志明']);
    loner = await account('loner-member', 0);
  });
  after(async () => { await srv.stop(); });

  test('a member proposes a topic: proposed, origin member, proposer their person', async () => {
    const r = await member.post('/api/v1/topics', { title: '关于社区托育点的选题', domain: 'society', status: 'approved', origin: 'assigned' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.status, 'proposed');
    assert.equal(r.data.origin, 'member');
    assert.equal(r.data.proposer_id, ppl['王委员']);
    const nl = await loner.post('/api/v1/topics', { title: '未关联的提议', domain: 'society' });
    assertError(nl, 403, 'not_linked');
    assert.match(nl.data.error.message, /人员库|registry/);
    assertError(await (await as('guest')).post('/api/v1/topics', { title: '来宾提议', domain: 'society' }), 403);
    assertError(await member.post('/api/v1/topics', { title: '缺领域' }), 422, null, 'domain');
  });

  test('the proposer corrects and withdraws a proposed topic; approved: 409; others: 403', async () => {
    const id = (await member.post('/api/v1/topics', { title: '待修改的选题', domain: 'society' })).data.id;
    const p = await member.patch(`/api/v1/topics/${id}`, { title: '修改后的选题', origin: 'assigned' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.data.title, '修改后的选题');
    assert.equal(p.data.origin, 'member', 'the proposer cannot change where it came from');
    assertError(await other.patch(`/api/v1/topics/${id}`, { title: '别人改' }), 403);
    assertError(await other.req('DELETE', `/api/v1/topics/${id}`), 403);
    assertError(await member.post(`/api/v1/topics/${id}/transition`, { to: 'approved' }), 403);
    const d = await member.req('DELETE', `/api/v1/topics/${id}`);
    assert.equal(d.status, 204, d.text);
    assertError(await org.get(`/api/v1/topics/${id}`), 404);
    const row = auditOf(srv.db, 'topic.delete', id)[0];
    assert.ok(row, 'topic.delete audited');
    assert.equal(row.before.title, '修改后的选题');

    const id2 = (await member.post('/api/v1/topics', { title: '将获批的选题', domain: 'society' })).data.id;
    const ap = await org.post(`/api/v1/topics/${id2}/transition`, { to: 'approved' });
    assert.equal(ap.status, 200, ap.text);
    assertError(await member.patch(`/api/v1/topics/${id2}`, { title: '批后再改' }), 409, 'topic_not_proposed');
    assertError(await member.req('DELETE', `/api/v1/topics/${id2}`), 409, 'topic_not_proposed');
    assertError(await org.req('DELETE', `/api/v1/topics/${id2}`), 409, 'topic_not_proposed');
    const mine = notes(ppl['王委员'], 'topic_decision');
    assert.ok(mine.some((n) => n.link === `/topics/${id2}` && n.subject === '将获批的选题'), 'the proposer is told of the decision');
    // an organizer of the body may delete a proposed topic
    const id3 = (await member.post('/api/v1/topics', { title: '组织者删除', domain: 'society' })).data.id;
    assert.equal((await org.req('DELETE', `/api/v1/topics/${id3}`)).status, 204);
  });

  test('a member drafts from a session they attended, as lead author, with co-signers', async () => {
    assertError(await member.post('/api/v1/outputs', { kind: 'special_report', title: '专报' }), 403);
    assertError(await loner.post('/api/v1/outputs', { kind: 'speech', title: '未关联' }), 403, 'not_linked');
    assertError(await member.post('/api/v1/outputs', { kind: 'proposal', title: '未参加的会', suggestion_ids: [sugNotAttended] }), 422, null, 'suggestion_ids');
    const free = await member.post('/api/v1/outputs', { kind: 'speech', title: '从零开始的发言', body: '发言稿' });
    assert.equal(free.status, 201, free.text);
    assert.deepEqual(free.data.authors.map((a) => [a.person_id, a.role]), [[ppl['王委员'], 'lead']]);
    const r = await member.post('/api/v1/outputs', {
      kind: 'proposal', title: '关于育后返岗的提案', suggestion_ids: [sugAttended],
      authors: [{ person_id: ppl['张丽华'], role: 'lead' }, { person_id: ppl['陈建国'], role: 'cosigner' }],
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.state, 'draft');
    const lead = r.data.authors.filter((a) => a.role === 'lead');
    assert.deepEqual(lead.map((a) => a.person_id), [ppl['王委员']], 'the member leads whatever authors says');
    assert.deepEqual(r.data.authors.filter((a) => a.role === 'cosigner').map((a) => a.person_id), [ppl['陈建国']]);
    assert.deepEqual(r.data.suggestion_ids, [sugAttended]);
    const req = notes(ppl['陈建国'], 'cosign_request');
    assert.ok(req.some((n) => n.link === `/outputs/${r.data.id}`), 'the co-signer is asked');
    // another member does not see the draft; the co-signer does
    assertError(await other.get(`/api/v1/outputs/${r.data.id}`), 404);
    assert.ok(!(await other.get('/api/v1/outputs?limit=500')).data.items.some((o) => o.id === r.data.id));
    assert.equal((await chen.get(`/api/v1/outputs/${r.data.id}`)).status, 200);
    assert.ok((await member.get('/api/v1/outputs?limit=500')).data.items.some((o) => o.id === r.data.id));
  });

  test('co-signers pending block submission; confirm and decline answer the lead', async () => {
    const r = await member.post('/api/v1/outputs', {
      kind: 'proposal', title: '两位联名人的提案', suggestion_ids: [sugAttended],
      authors: [{ person_id: ppl['陈建国'], role: 'cosigner' }, { person_id: ppl['黄志明'], role: 'cosigner' }],
    });
    assert.equal(r.status, 201, r.text);
    const id = r.data.id;
    const blocked = await member.post(`/api/v1/outputs/${id}/transition`, { to: 'submitted' });
    assertError(blocked, 409, 'cosigners_pending');
    assert.match(blocked.data.error.message, /陈建国/);
    assert.match(blocked.data.error.message, /黄志明/);
    assert.deepEqual(blocked.data.error.missing.map((m) => m.person_id).sort(), [ppl['陈建国'], ppl['黄志明']].sort());
    assertError(await org.post(`/api/v1/outputs/${id}/transition`, { to: 'submitted' }), 409, 'cosigners_pending');
    assert.equal((await chen.post(`/api/v1/outputs/${id}/confirm`, {})).status, 200);
    // the lead author submits, not a co-signer (who may read the draft, not move it)
    assertError(await chen.post(`/api/v1/outputs/${id}/transition`, { to: 'submitted' }), 403);
    const still = await member.post(`/api/v1/outputs/${id}/transition`, { to: 'submitted' });
    assertError(still, 409, 'cosigners_pending');
    assert.doesNotMatch(still.data.error.message, /陈建国/);
    assertError(await member.post(`/api/v1/outputs/${id}/decline`, {}), 403);
    const dec = await other.post(`/api/v1/outputs/${id}/decline`, { note: '不熟悉该领域' });
    assert.equal(dec.status, 200, dec.text);
    assert.ok(!dec.data.authors.some((a) => a.person_id === ppl['黄志明']), 'a declined co-signer is removed');
    assertError(await other.get(`/api/v1/outputs/${id}`), 404, null, null);
    const answers = notes(ppl['王委员'], 'cosign_answer');
    assert.equal(answers.filter((n) => n.link === `/outputs/${id}`).length, 2, 'the lead is told of both answers');
    const sub = await member.post(`/api/v1/outputs/${id}/transition`, { to: 'submitted' });
    assert.equal(sub.status, 200, sub.text);
    assert.equal(sub.data.state, 'submitted');
  });

  test('pages: a member proposes from the topics page, drafts from /outputs/new, declines from the output page', async () => {
    const page = await member.get('/topics');
    assert.equal(page.status, 200);
    assert.match(page.text, /提议选题/);
    assert.doesNotMatch(page.text, /id="origin"/, 'a member does not choose the origin');
    const r = await form(member, '/topics', { title: '页面提议的选题', domain: 'society' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const made = (await org.get('/api/v1/topics?limit=500&status=proposed')).data.items.find((t) => t.title === '页面提议的选题');
    assert.ok(made && made.origin === 'member' && made.proposer_id === ppl['王委员']);
    // its page: the proposer edits it (not where it came from) and withdraws it
    const tp = await member.get(`/topics/${made.id}`);
    assert.match(tp.text, /action="\/topics\/\d+"/);
    assert.doesNotMatch(tp.text, /id="origin"/, 'the proposer does not change the origin');
    assert.match(tp.text, /name="op" value="withdraw"/);
    assert.doesNotMatch(tp.text, /data-to="approved"/, 'vetting is the organizer\'s');
    const ed = await form(member, `/topics/${made.id}`, { title: '页面改过的选题', domain: 'society', description: '补充说明' });
    assert.equal(ed.status, 303, ed.text.slice(0, 300));
    assert.equal((await member.get(`/api/v1/topics/${made.id}`)).data.title, '页面改过的选题');
    assert.equal((await form(member, `/topics/${made.id}`, { to: 'approved' })).status, 403);
    assert.doesNotMatch((await (await as('ft-member')).get('/topics')).text, /页面改过的选题/);
    const wd = await form(member, `/topics/${made.id}`, { op: 'withdraw' });
    assert.equal(wd.status, 303, wd.text.slice(0, 300));
    assert.equal(wd.headers.get('location'), '/topics');
    assert.equal((await member.get(`/api/v1/topics/${made.id}`)).status, 404);
    const nl = await form(loner, '/topics', { title: '未关联', domain: 'society' });
    assert.equal(nl.status, 403);
    assert.match(nl.text, /人员库/);
    const nw = await member.get('/outputs/new');
    assert.equal(nw.status, 200);
    assert.doesNotMatch(nw.text, /id="lead_author"/, 'a member does not choose the lead');
    assert.doesNotMatch(nw.text, /value="special_report"/);
    assert.equal((await (await as('guest')).get('/outputs/new')).status, 403);
    const d = await form(member, '/outputs', { kind: 'speech', title: '页面起草的发言', cosigners: String(ppl['陈建国']) });
    assert.equal(d.status, 303, d.text.slice(0, 300));
    const id = Number(/\/outputs\/(\d+)/.exec(d.headers.get('location'))[1]);
    const seen = await chen.get(`/outputs/${id}`);
    assert.match(seen.text, new RegExp(`action="/outputs/${id}/decline"`));
    assert.doesNotMatch((await member.get(`/outputs/${id}`)).text, new RegExp(`action="/outputs/${id}/decline"`));
    const dec = await form(chen, `/outputs/${id}/decline`, { note: '' });
    assert.equal(dec.status, 303);
    assert.equal(dec.headers.get('location'), '/outputs');
    assert.ok(!(await member.get(`/api/v1/outputs/${id}`)).data.authors.some((a) => a.person_id === ppl['陈建国']));
  });

  test('an organizer\'s edit that names sessions keeps the suggestions, and the other way round', async () => {
    const r = await org.post('/api/v1/outputs', { kind: 'speech', title: '组织者的发言', suggestion_ids: [sugAttended] });
    assert.equal(r.status, 201, r.text);
    let p = await org.patch(`/api/v1/outputs/${r.data.id}`, { session_ids: [2] });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.data.suggestion_ids, [sugAttended], 'the suggestion stays');
    assert.deepEqual(p.data.session_ids.sort(), [1, 2], 'the session named, and the suggestion\'s');
    p = await org.patch(`/api/v1/outputs/${r.data.id}`, { suggestion_ids: [sugAttended], title: '再改' });
    assert.deepEqual(p.data.session_ids.sort(), [1, 2], 'the session cited directly stays');
  });

  test('the lead author edits and deletes a draft; links to suggestions survive every edit', async () => {
    const r = await member.post('/api/v1/outputs', { kind: 'opinion_report', title: '社情民意草稿', suggestion_ids: [sugAttended], body: '情况。分析。建议。' });
    assert.equal(r.status, 201, r.text);
    const id = r.data.id;
    let p = await member.patch(`/api/v1/outputs/${id}`, { title: '改过的标题' });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.data.suggestion_ids, [sugAttended]);
    assert.deepEqual(p.data.session_ids, [1]);
    p = await member.patch(`/api/v1/outputs/${id}`, { session_ids: [1] });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.data.suggestion_ids, [sugAttended], 'naming sessions keeps the suggestions');
    p = await org.patch(`/api/v1/outputs/${id}`, { body: '情况：……分析：……建议：……' });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.data.suggestion_ids, [sugAttended]);
    assertError(await other.patch(`/api/v1/outputs/${id}`, { title: '别人' }), 404);
    assertError(await chen.patch(`/api/v1/outputs/${id}`, { title: '别人' }), 404);
    assertError(await member.patch(`/api/v1/outputs/${id}`, { suggestion_ids: [sugNotAttended] }), 422, null, 'suggestion_ids');
    const row = auditOf(srv.db, 'output.update', id)[0];
    assert.ok(row && row.before && row.after, 'audited with before and after');

    const sub = await member.post('/api/v1/outputs', { kind: 'speech', title: '已提交的发言' });
    assert.equal((await member.post(`/api/v1/outputs/${sub.data.id}/transition`, { to: 'submitted' })).status, 200);
    assertError(await member.patch(`/api/v1/outputs/${sub.data.id}`, { title: '交后再改' }), 409);
    assertError(await member.req('DELETE', `/api/v1/outputs/${sub.data.id}`), 409);
    assertError(await other.req('DELETE', `/api/v1/outputs/${id}`), 404);
    const d = await member.req('DELETE', `/api/v1/outputs/${id}`);
    assert.equal(d.status, 204, d.text);
    assertError(await org.get(`/api/v1/outputs/${id}`), 404);
    const del = auditOf(srv.db, 'output.delete', id)[0];
    assert.ok(del && del.before, 'output.delete audited with before');
  });
});
