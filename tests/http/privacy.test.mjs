// HTTP tests of a person's rights over their data (issue 10, items 9 and 10, PIPL): the
// export of everything the platform holds about a person, and erasure. Against a real
// server on a real SQLite file with the demo data.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, Client, DEMO_PASSWORD, run, sqlite3Sync } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const clients = new Map();
async function as(username, password = DEMO_PASSWORD) {
  if (clients.has(username)) return clients.get(username);
  const c = new Client(srv.url);
  await c.login(username, password);
  clients.set(username, c);
  return c;
}
function assertError(r, status, code) {
  assert.equal(r.status, status, r.text);
  if (r.data) {
    assert.ok(r.data.error, r.text);
    if (code) assert.equal(r.data.error.code, code, r.text);
  }
}
function sql(query) {
  const r = sqlite3Sync(['-readonly', srv.db, query]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
const del = (c, path) => c.req('DELETE', path);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// words only the subject ever said, so a search for them finds their record or nothing
const NAME = '欧阳隐私';
const REMARK = '骐骥驰骋的隐私发言内容';
const STATEMENT = '鸿鹄之志的隐私观点';

// The subject: an account and a person linked to it, invited to a session of their own
// with an opinion room, who spoke, wrote a statement and voted; a suggestion cites their
// remark and an output carries the suggestion.
const s = {};
async function makeSubject() {
  const admin = await as('sz-admin');
  const org = await as('organizer');
  const u = await admin.post('/api/v1/users', { username: 'pv-subject', password: 'subject-pass-1', display_name: NAME, role: 'member' });
  assert.equal(u.status, 201, u.text);
  s.user = u.data.id;
  const p = await admin.post('/api/v1/people', {
    name: NAME, category: 'member', sector: '经济界', committee: '经济委员会', term: '第七届',
    affiliation: '某隐私科技公司', title: '总经理', phone: '13800138000', email: 'ouyang@example.cn',
    public_name: true, user_id: s.user,
  });
  assert.equal(p.status, 201, p.text);
  s.person = p.data.id;
  const t = await org.post('/api/v1/topics', { title: '隐私测试议题', domain: 'society', origin: 'public' });
  await org.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
  const ses = await org.post('/api/v1/sessions', { topic_id: t.data.id, title: '隐私测试深聊会', formats: ['sector'], visibility: 'public' });
  assert.equal(ses.status, 201, ses.text);
  s.session = ses.data.id;
  const inv = await org.post(`/api/v1/sessions/${s.session}/invitations`, { person_id: s.person, role: 'speaker' });
  assert.equal(inv.status, 201, inv.text);
  s.invitation = inv.data.id;
  const att = await org.post(`/api/v1/sessions/${s.session}/attendance`, { person_id: s.person, attended: true });
  assert.equal(att.status, 200, att.text);
  const rm = await org.post(`/api/v1/sessions/${s.session}/remarks`, { person_id: s.person, role: '企业代表', body: REMARK });
  assert.equal(rm.status, 201, rm.text);
  s.remark = rm.data.id;
  const other = await org.post(`/api/v1/sessions/${s.session}/remarks`, { person_id: 1, body: '另一位的发言' });
  assert.equal(other.status, 201, other.text);
  const room = await org.post(`/api/v1/sessions/${s.session}/room`, { anonymous: false, moderation: 'post' });
  assert.equal(room.status, 200, room.text);
  const seed = await org.post(`/api/v1/sessions/${s.session}/statements`, { text: '组织者提出的观点' });
  assert.equal(seed.status, 201, seed.text);
  s.seed = seed.data.id;
  const me = await as('pv-subject', 'subject-pass-1');
  const st = await me.post(`/api/v1/sessions/${s.session}/statements`, { text: STATEMENT });
  assert.equal(st.status, 201, st.text);
  s.statement = st.data.id;
  const v = await me.req('PUT', `/api/v1/statements/${s.seed}/vote`, { json: { vote: -1 } });
  assert.equal(v.status, 200, v.text);
  const sg = await org.post(`/api/v1/sessions/${s.session}/suggestions`, {
    title: '隐私测试建议', body: '建议内容', proposer_ids: [s.person], sources: [{ kind: 'remark', id: s.remark }],
  });
  assert.equal(sg.status, 201, sg.text);
  s.suggestion = sg.data.id;
  const out = await org.post('/api/v1/outputs', {
    kind: 'speech', title: '隐私测试大会发言', suggestion_ids: [s.suggestion],
    authors: [{ person_id: 1, role: 'lead' }, { person_id: s.person, role: 'cosigner' }],
  });
  assert.equal(out.status, 201, out.text);
  s.output = out.data.id;
  // the opinion map's snapshot copies the statements' texts: wait until it holds ours
  for (let i = 0; i < 50; i++) {
    const m = await org.get(`/api/v1/sessions/${s.session}/opinion`);
    if (m.status === 200 && m.text.includes(STATEMENT)) break;
    await sleep(100);
  }
}

describe('export (GET /api/v1/people/{id}/export)', () => {
  before(makeSubject);

  test('an admin of the body gets everything, as an attachment named by the id', async () => {
    const r = await (await as('sz-admin')).get(`/api/v1/people/${s.person}/export`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.match(r.headers.get('content-disposition'), new RegExp(`^attachment; filename="[^"]*${s.person}[^"]*\\.json"$`));
    const x = r.data;
    assert.equal(x.person.id, s.person);
    assert.equal(x.person.name, NAME);
    assert.equal(x.person.phone, '13800138000');
    assert.equal(x.person.email, 'ouyang@example.cn');
    assert.equal(x.person.affiliation, '某隐私科技公司');
    assert.equal(x.account.id, s.user);
    assert.equal(x.account.username, 'pv-subject');
    assert.ok(x.account.sign_ins.length >= 1, 'the subject signed in once');
    assert.ok(!JSON.stringify(x).includes('argon2'), 'no password hash');
    const inv = x.invitations.find((i) => i.id === s.invitation);
    assert.ok(inv, 'the invitation');
    assert.equal(inv.session_id, s.session);
    assert.equal(inv.attended, true);
    const rm = x.remarks.find((i) => i.id === s.remark);
    assert.ok(rm, 'the remark');
    assert.equal(rm.body, REMARK);
    assert.equal(x.remarks.length, 1, 'only their own remarks');
    const sg = x.suggestions.find((i) => i.id === s.suggestion);
    assert.ok(sg && sg.proposer && sg.from_their_record, JSON.stringify(x.suggestions));
    const out = x.outputs.find((i) => i.id === s.output);
    assert.ok(out, 'the output');
    assert.equal(out.role, 'cosigner');
    assert.equal(x.participations.length, 1);
    assert.equal(x.participations[0].session_id, s.session);
    assert.deepEqual(x.votes.map((v) => [v.statement_id, v.vote, v.statement]), [[s.seed, -1, '组织者提出的观点']]);
    assert.deepEqual(x.statements.map((v) => [v.id, v.text]), [[s.statement, STATEMENT]]);
    assert.ok(x.duty_record.some((d) => d.kind === 'remark' && d.ref_id === s.remark), JSON.stringify(x.duty_record));
    assert.ok(x.duty_record.some((d) => d.kind === 'attended'), JSON.stringify(x.duty_record));
    assert.ok(x.audit.some((a) => a.action === 'person.create' && a.entity_id === s.person));
    // what the platform told them: the invitation and the co-signing request
    const kinds = x.notifications.map((n) => n.kind);
    assert.ok(kinds.includes('invitation') && kinds.includes('cosign_request'), JSON.stringify(x.notifications));
    assert.ok(x.notifications.every((n) => typeof n.subject === 'string' && n.link.startsWith('/')));
  });

  test('the person themself may export their own data', async () => {
    const r = await (await as('pv-subject', 'subject-pass-1')).get(`/api/v1/people/${s.person}/export`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.person.name, NAME);
    assert.equal(r.data.remarks[0].body, REMARK);
  });

  test('others may not: an organizer or a member of the body 403, another body 404, anonymous 401', async () => {
    assertError(await (await as('organizer')).get(`/api/v1/people/${s.person}/export`), 403);
    assertError(await (await as('member')).get(`/api/v1/people/${s.person}/export`), 403);
    assertError(await (await as('pv-subject', 'subject-pass-1')).get('/api/v1/people/2/export'), 403);
    const admin = await as('sz-admin');
    const orgs = (await admin.get('/api/v1/orgs?limit=500')).data.items;
    const futian = orgs.find((o) => o.slug === 'sz-futian');
    const fa = await admin.post('/api/v1/users', { username: 'ft-admin', password: 'ft-admin-pass', role: 'admin', org_id: futian.id });
    assert.equal(fa.status, 201, fa.text);
    assertError(await (await as('ft-admin', 'ft-admin-pass')).get(`/api/v1/people/${s.person}/export`), 404);
    assertError(await new Client(srv.url).get(`/api/v1/people/${s.person}/export`), 401);
    assertError(await admin.get('/api/v1/people/999999/export'), 404);
  });

  test('every export is audited: who exported whom, with counts, not the data', async () => {
    const rows = sql(`SELECT COALESCE(user_id, 0) || '|' || after_json FROM audit WHERE action = 'person.export' AND entity_id = ${s.person}`)
      .trim().split('\n');
    assert.ok(rows.length >= 2, rows.join('\n'));
    assert.ok(rows.some((l) => l.startsWith(`${s.user}|`)), 'the subject exported themself');
    for (const l of rows) {
      assert.ok(!l.includes(NAME) && !l.includes(REMARK), l);
      assert.match(l, /"remarks":1/);
    }
  });
});

describe('erasure (DELETE /api/v1/people/{id})', () => {
  let before_ = {};

  test('only admins of the body or above: organizer 403, another body\'s admin 404, anonymous 401', async () => {
    assertError(await del(await as('organizer'), `/api/v1/people/${s.person}`), 403);
    assertError(await del(await as('member'), `/api/v1/people/${s.person}`), 403);
    assertError(await del(await as('ft-admin', 'ft-admin-pass'), `/api/v1/people/${s.person}`), 404);
    assertError(await del(new Client(srv.url), `/api/v1/people/${s.person}`), 401);
    assertError(await del(await as('sz-admin'), '/api/v1/people/999999'), 404);
    const p = await (await as('sz-admin')).get(`/api/v1/people/${s.person}`);
    assert.equal(p.data.name, NAME, 'nothing changed');
  });

  test('the lead author of an output still being handled: 409 lead_author_active, nothing changed', async () => {
    const admin = await as('sz-admin');
    const outs = (await admin.get('/api/v1/outputs?limit=500')).data.items;
    let lead = null;
    for (const o of outs) {
      if (o.state === 'closed') continue;
      const full = (await admin.get(`/api/v1/outputs/${o.id}`)).data;
      const a = (full.authors || []).find((x) => x.role === 'lead');
      if (a) { lead = a.person_id; break; }
    }
    assert.ok(lead, 'the demo has an active output with a lead author');
    const name = (await admin.get(`/api/v1/people/${lead}`)).data.name;
    const r = await del(admin, `/api/v1/people/${lead}`);
    assertError(r, 409, 'lead_author_active');
    assert.match(r.data.error.message, /成果|output/);
    assert.equal((await admin.get(`/api/v1/people/${lead}`)).data.name, name);
  });

  test('an admin erases: 204, and the name, contacts and words are gone everywhere', async () => {
    const admin = await as('sz-admin');
    const subject = await as('pv-subject', 'subject-pass-1');
    const year = new Date().getFullYear();
    before_.stats = (await admin.get(`/api/v1/stats?year=${year}`)).data;
    before_.session = (await admin.get(`/api/v1/sessions/${s.session}`)).data;
    before_.lineage = (await admin.get(`/api/v1/outputs/${s.output}/lineage`)).data;
    assert.ok(JSON.stringify(before_.session).includes(REMARK), 'the session shows the remark before');

    const r = await del(admin, `/api/v1/people/${s.person}`);
    assert.equal(r.status, 204, r.text);

    const p = (await admin.get(`/api/v1/people/${s.person}`)).data;
    assert.equal(p.name, `已删除的参与者 #${s.person}`);
    for (const f of ['sector', 'committee', 'term', 'affiliation', 'title', 'phone', 'email']) assert.equal(p[f], '', f);
    assert.equal(p.public_name, false);
    assert.equal(p.category, 'member', 'the category stays: statistics count by it');

    // the session JSON: the remark stays (counts hold), its text and speaker's name do not
    const ses = (await admin.get(`/api/v1/sessions/${s.session}`)).data;
    const text = JSON.stringify(ses);
    assert.ok(!text.includes(NAME) && !text.includes(REMARK) && !text.includes('某隐私科技公司'), text);
    assert.equal(ses.remarks.length, before_.session.remarks.length);
    const rm = ses.remarks.find((x) => x.id === s.remark);
    assert.equal(rm.erased, true);
    assert.equal(rm.body, '');
    assert.equal(rm.speaker, `已删除的参与者 #${s.person}`);
    assert.equal(ses.invitations.length, before_.session.invitations.length);

    // the session page, Chinese and English
    const zh = await admin.get(`/sessions/${s.session}`);
    assert.equal(zh.status, 200);
    assert.ok(!zh.text.includes(NAME) && !zh.text.includes(REMARK));
    assert.ok(zh.text.includes('（内容已删除）'));
    assert.ok(zh.text.includes(`已删除的参与者 #${s.person}`));
    const en = await admin.get(`/sessions/${s.session}`, { headers: { 'Accept-Language': 'en' } });
    assert.ok(!en.text.includes(NAME) && !en.text.includes(REMARK));
    assert.ok(en.text.includes('(removed)'));
    assert.ok(en.text.includes(`Deleted participant #${s.person}`));
    const anonPage = await new Client(srv.url).get(`/sessions/${s.session}`);
    assert.ok(!anonPage.text.includes(NAME) && !anonPage.text.includes(REMARK));

    // search finds neither the words nor the name
    for (const q of ['骐骥驰骋', '欧阳隐私']) {
      const sr = await admin.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
      assert.equal(sr.status, 200, sr.text);
      assert.deepEqual(sr.data.results, [], sr.text);
    }
    // the person list and page
    const list = await admin.get(`/api/v1/people?limit=500&q=${encodeURIComponent('欧阳')}`);
    assert.equal(list.data.items.length, 0);
    const page = await admin.get(`/people/${s.person}`);
    assert.ok(!page.text.includes(NAME) && !page.text.includes('13800138000'));

    // the statement: kept for its votes, its text gone, in the opinion map too
    const sts = (await admin.get(`/api/v1/sessions/${s.session}/statements`)).text;
    assert.ok(!sts.includes(STATEMENT), sts);
    const map = await admin.get(`/api/v1/sessions/${s.session}/opinion`);
    assert.ok(!map.text.includes(STATEMENT), 'the stored snapshot no longer holds the text');

    // statistics and lineage count the same
    assert.deepEqual((await admin.get(`/api/v1/stats?year=${year}`)).data, before_.stats);
    const lin = (await admin.get(`/api/v1/outputs/${s.output}/lineage`)).data;
    assert.ok(!JSON.stringify(lin).includes(NAME) && !JSON.stringify(lin).includes(REMARK));
    assert.equal(JSON.stringify(lin).length > 0, true);
    // only texts and the public_name flag may differ (the name is no longer public)
    const shape = (l) => JSON.stringify(l, (k, v) => (typeof v === 'string' || k === 'public_name' ? 's' : v));
    assert.equal(shape(lin), shape(before_.lineage), 'the same suggestions, sources, sessions');

    // the export now holds the erased record
    const x = (await admin.get(`/api/v1/people/${s.person}/export`)).data;
    assert.ok(!JSON.stringify(x).includes(NAME) && !JSON.stringify(x).includes(REMARK)
      && !JSON.stringify(x).includes(STATEMENT) && !JSON.stringify(x).includes('13800138000'));
    assert.equal(x.person.erased, true);
    assert.equal(x.remarks.length, 1);
    assert.equal(x.remarks[0].erased, true);
    assert.equal(x.account.disabled, true);
    assert.deepEqual(x.notifications, [], 'notifications and their e-mails are gone');

    // the account: disabled, its sign-ins ended, no new sign-in
    assertError(await subject.get('/api/v1/me'), 401);
    const login = await new Client(srv.url).post('/api/v1/login', { username: 'pv-subject', password: 'subject-pass-1' });
    assert.equal(login.status, 401, login.text);
  });

  test('the audit row says who erased whom with ids and counts only', async () => {
    const rows = sql(`SELECT COALESCE(CAST(before_json AS TEXT), 'NULL') || '|' || CAST(after_json AS TEXT) FROM audit WHERE action = 'person.erase' AND entity_id = ${s.person}`).trim().split('\n');
    assert.equal(rows.length, 1, rows.join('\n'));
    assert.ok(rows[0].startsWith('NULL|'), rows[0]);
    for (const w of [NAME, REMARK, STATEMENT, '13800138000', 'ouyang', 'pv-subject', '某隐私科技公司']) assert.ok(!rows[0].includes(w), `${w} in ${rows[0]}`);
    assert.match(rows[0], /"remarks":1/);
    assert.match(rows[0], /"statements":1/);
  });

  test('no row of the audit log still holds their name, contacts or words; the chain holds', async () => {
    const all = sql(`SELECT id || ' ' || action || ' ' || COALESCE(CAST(before_json AS TEXT), '') || ' ' || COALESCE(CAST(after_json AS TEXT), '') FROM audit`);
    for (const w of [NAME, REMARK, STATEMENT, '13800138000', '某隐私科技公司'])
      assert.ok(!all.includes(w), `${w} is still in the audit log:\n${all.split('\n').filter((l) => l.includes(w)).join('\n')}`);
    assert.ok(/audit\.redact/.test(all), 'the redaction is recorded');
    const v = run(['audit', 'verify', '--db', srv.db]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
  });

  test('an erased person cannot be changed: 409 erased, nothing written', async () => {
    const admin = await as('sz-admin');
    const r = await admin.req('PATCH', `/api/v1/people/${s.person}`, { json: { name: NAME, phone: '13800138000' } });
    assertError(r, 409, 'erased');
    const p = (await admin.get(`/api/v1/people/${s.person}`)).data;
    assert.equal(p.name, `已删除的参与者 #${s.person}`);
    assert.ok(!p.phone, 'no phone came back');
  });

  test('erasing twice: 404 already_erased', async () => {
    assertError(await del(await as('sz-admin'), `/api/v1/people/${s.person}`), 404, 'already_erased');
  });

  test('the person page: an admin has the button and a confirmation form with CSRF; it erases', async () => {
    const admin = await as('sz-admin');
    const p = await admin.post('/api/v1/people', { name: '页面删除测试', category: 'citizen', phone: '13900000000' });
    assert.equal(p.status, 201, p.text);
    const page = await admin.get(`/people/${p.data.id}`);
    assert.ok(page.text.includes(`/people/${p.data.id}/erase`), 'the button');
    assert.ok(page.text.includes(`/api/v1/people/${p.data.id}/export`), 'the export link');
    const orgPage = await (await as('organizer')).get(`/people/${p.data.id}`);
    assert.ok(!orgPage.text.includes(`/people/${p.data.id}/erase`), 'organizers have no button');
    assert.equal((await (await as('organizer')).get(`/people/${p.data.id}/erase`)).status, 403);
    const confirm = await admin.get(`/people/${p.data.id}/erase`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /name="csrf_token" value="[0-9a-f]{64}"/);
    assert.ok(confirm.text.includes('删除'));
    const form = (fields) => admin.req('POST', `/people/${p.data.id}/erase`, {
      body: new URLSearchParams(fields).toString(), csrf: false,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal((await form({ csrf_token: 'bad' })).status, 403, 'no erasure without the CSRF token');
    assert.equal((await admin.get(`/api/v1/people/${p.data.id}`)).data.name, '页面删除测试');
    const done = await form({ csrf_token: admin.csrf });
    assert.equal(done.status, 303, done.text);
    assert.equal(done.headers.get('location'), `/people/${p.data.id}?erased=1`);
    const after = await admin.get(`/people/${p.data.id}?erased=1`);
    assert.ok(!after.text.includes('页面删除测试') && !after.text.includes('13900000000'));
    assert.ok(after.text.includes(`已删除的参与者 #${p.data.id}`));
    assert.ok(!after.text.includes(`/people/${p.data.id}/erase`), 'no button once erased');
  });
});
