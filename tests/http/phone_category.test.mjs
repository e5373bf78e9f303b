// HTTP tests of a phone participant's declared category (issue 11, "Search and registry"):
// the category asked on the join page (/j/{code}) is stored on the participant and counted
// by the category view of the opinion map, whether declared before or after voting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

let srv, org;
before(async () => {
  srv = await startServer();
  org = new Client(srv.url);
  await org.login('organizer', DEMO_PASSWORD);
});
after(async () => { await srv.stop(); });

async function liveSession() {
  const t = await org.post('/api/v1/topics', { title: `身份测试${Math.random()}`, domain: 'society', origin: 'public' });
  await org.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
  const s = await org.post('/api/v1/sessions', { topic_id: t.data.id, title: '身份类别', formats: ['sector'], visibility: 'public' });
  const r = await org.post(`/api/v1/sessions/${s.data.id}/room`, { anonymous: true, moderation: 'post' });
  assert.equal(r.status, 200, r.text);
  return { id: s.data.id, code: r.data.code };
}

// phone opens the join page and returns the form's csrf token
async function open(phone, code) {
  const r = await phone.get(`/j/${code}`);
  assert.equal(r.status, 200, r.text);
  const m = r.text.match(/name="csrf_token" value="([0-9a-f]{64})"/);
  assert.ok(m, 'csrf token on the phone page');
  return { csrf: m[1], page: r.text };
}

function form(phone, path, fields) {
  return phone.req('POST', path, { body: new URLSearchParams(fields).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}

// the map once computed after n votes and with the categories expected (the live worker
// recomputes it after each change; a map of before the last change may come first)
async function snapshot(id, n, cats) {
  let snap;
  for (let i = 0; i < 100; i++) {
    snap = (await org.get(`/api/v1/sessions/${id}/opinion`)).data;
    if (snap && snap.n_votes >= n && Object.keys(members(snap)).sort().join() === cats) return snap;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.fail(`no map of ${n} votes: ${JSON.stringify(snap)}`);
}

function members(snap) {
  return Object.fromEntries(snap.categories.present.map((c) => [c.category, c.members]));
}

test('a phone declares its category, votes, and the category view counts it', async () => {
  const { id, code } = await liveSession();
  const st = (await org.post(`/api/v1/sessions/${id}/statements`, { text: '应当增加社区养老服务' })).data.id;
  const st2 = (await org.post(`/api/v1/sessions/${id}/statements`, { text: '应当鼓励民营机构参与' })).data.id;

  // phone 1 declares first (the join page's "I am" form), then votes
  const p1 = new Client(srv.url);
  let { csrf, page } = await open(p1, code);
  assert.match(page, /action="\/j\/[^"]+\/category"/, 'the join page asks the category before any vote');
  let r = await form(p1, `/j/${code}/category`, { csrf_token: csrf, category: 'expert' });
  assert.equal(r.status, 303, r.text);
  r = await form(p1, `/j/${code}/vote`, { csrf_token: csrf, statement_id: st, vote: '1' });
  assert.equal(r.status, 303, r.text);
  ({ page } = await open(p1, code));
  assert.match(page, /<option value="expert" selected>/, 'the page shows the declared category');

  // phone 2 votes first, then declares: the declaration is not lost
  const p2 = new Client(srv.url);
  ({ csrf } = await open(p2, code));
  r = await form(p2, `/j/${code}/vote`, { csrf_token: csrf, statement_id: st, vote: '-1' });
  assert.equal(r.status, 303, r.text);
  r = await form(p2, `/j/${code}/category`, { csrf_token: csrf, category: 'entrepreneur' });
  assert.equal(r.status, 303, r.text);

  // phone 3 votes, then posts a statement with the category of the statement form
  const p3 = new Client(srv.url);
  ({ csrf } = await open(p3, code));
  r = await form(p3, `/j/${code}/vote`, { csrf_token: csrf, statement_id: st2, vote: '1' });
  assert.equal(r.status, 303, r.text);
  r = await form(p3, `/j/${code}/statements`, { csrf_token: csrf, text: '应当先做需求调查', category: 'member' });
  assert.equal(r.status, 303, r.text);

  // a bad category is refused on the page, and changes nothing
  ({ csrf } = await open(p1, code));
  r = await form(p1, `/j/${code}/category`, { csrf_token: csrf, category: 'no-such' });
  assert.equal(r.status, 422, r.text);

  const snap = await snapshot(id, 3, 'entrepreneur,expert,member');
  const m = members(snap);
  assert.equal(m.expert, 1, JSON.stringify(snap.categories));
  assert.equal(m.entrepreneur, 1, JSON.stringify(snap.categories));
  assert.equal(m.member, 1, JSON.stringify(snap.categories));
  assert.equal(m.citizen, undefined, JSON.stringify(snap.categories));
  const byCat = snap.categories.statements.find((s) => String(s.statement) === String(st)).by_category;
  assert.equal(byCat.expert.agree, 1);
  assert.equal(byCat.entrepreneur.disagree, 1);
});

test('a signed-in phone keeps the category of its registry person', async () => {
  const { id, code } = await liveSession();
  const st = (await org.post(`/api/v1/sessions/${id}/statements`, { text: '签名用户的身份' })).data.id;
  const m = new Client(srv.url);
  await m.login('member', DEMO_PASSWORD);
  const { page } = await open(m, code);
  assert.doesNotMatch(page, /action="\/j\/[^"]+\/category"/, 'a signed-in phone is not asked');
  assert.equal((await m.req('PUT', `/api/v1/statements/${st}/vote`, { json: { vote: 1 } })).status, 200);
  const snap = await snapshot(id, 1, 'member');
  assert.deepEqual(members(snap), { member: 1 }, JSON.stringify(snap.categories));
});
