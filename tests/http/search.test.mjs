// HTTP tests of search over every kind (issue 11, "Search and registry"): outputs,
// statements of opinion rooms and people are found with their kind, ?kind= keeps one kind,
// and anonymous readers (and other bodies) only get what they may read: never a person, a
// draft output, or a statement of an internal session. The index follows updates,
// moderation and erasure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

let srv, org, admin, anon, member, yt;
const as = async (name) => { const c = new Client(srv.url); await c.login(name, DEMO_PASSWORD); return c; };
before(async () => {
  srv = await startServer();
  org = await as('organizer');
  admin = await as('sz-admin');
  member = await as('member');
  yt = await as('yt-organizer');
  anon = new Client(srv.url);
});
after(async () => { await srv.stop(); });

const find = (c, q, extra = '') => c.get(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`);
const kinds = (r) => r.data.results.map((h) => `${h.kind}:${h.id}`).sort();

async function session(visibility) {
  const t = await org.post('/api/v1/topics', { title: `搜索测试${Math.random()}`, domain: 'society', origin: 'public' });
  await org.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
  const s = await org.post('/api/v1/sessions', { topic_id: t.data.id, title: `${visibility}深聊`, formats: ['sector'], visibility });
  assert.equal(s.status, 201, s.text);
  const r = await org.post(`/api/v1/sessions/${s.data.id}/room`, { anonymous: visibility === 'public', moderation: 'post' });
  assert.equal(r.status, 200, r.text);
  return s.data.id;
}

test('outputs, statements and people are found with their kind; anonymous readers get only what they may read', async () => {
  // a person of the city's registry, with a phone that must never be searchable
  const p = await org.post('/api/v1/people', { name: '珊瑚礁研究员甲', category: 'expert', sector: '科技界', affiliation: '珊瑚礁保护中心', title: '主任', phone: '13800138000' });
  assert.equal(p.status, 201, p.text);
  // a draft output
  const o = await org.post('/api/v1/outputs', { kind: 'opinion_report', title: '关于珊瑚礁保护的社情民意', body: '珊瑚礁白化加剧，建议设立保护区。' });
  assert.equal(o.status, 201, o.text);
  assert.equal(o.data.state, 'draft');
  // statements of a public and of an internal session
  const pub = await session('public');
  const internal = await session('internal');
  const sp = await org.post(`/api/v1/sessions/${pub}/statements`, { text: '珊瑚礁应当禁止采挖' });
  const si = await org.post(`/api/v1/sessions/${internal}/statements`, { text: '珊瑚礁修复经费不足' });
  assert.equal(sp.status, 201, sp.text);
  assert.equal(si.status, 201, si.text);
  const want = { person: p.data.id, output: o.data.id, pub: sp.data.id, int: si.data.id };

  // the organizer of the body finds every kind
  let r = await find(org, '珊瑚礁');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(kinds(r), [`output:${want.output}`, `person:${want.person}`, `statement:${want.int}`, `statement:${want.pub}`].sort());
  const st = r.data.results.find((h) => h.kind === 'statement' && h.id === want.pub);
  assert.equal(st.session_id, pub);
  assert.equal(st.title, 'public深聊', 'a statement shows its session, never who wrote it');
  const ps = r.data.results.find((h) => h.kind === 'person');
  assert.equal(ps.title, '珊瑚礁研究员甲');
  assert.ok(!ps.snippet.includes('13800138000'));
  // a member of the body too (it may read the registry and the body's outputs)
  assert.deepEqual(kinds(await find(member, '珊瑚礁')), kinds(r));

  // ?kind= keeps one kind
  r = await find(org, '珊瑚礁', '&kind=person');
  assert.deepEqual(kinds(r), [`person:${want.person}`]);
  assert.equal(r.data.kind, 'person');
  r = await find(org, '珊瑚礁', '&kind=statement');
  assert.deepEqual(kinds(r), [`statement:${want.int}`, `statement:${want.pub}`].sort());
  r = await find(org, '珊瑚礁', '&kind=nonsense');
  assert.equal(r.status, 400, r.text);
  assert.equal(r.data.error.field, 'kind');

  // anonymous: the public statement only: no person, no draft output, no internal statement
  r = await find(anon, '珊瑚礁');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(kinds(r), [`statement:${want.pub}`]);
  assert.deepEqual(kinds(await find(anon, '珊瑚礁', '&kind=person')), []);
  // a body below (a district) sees neither the city's registry nor its outputs
  r = await find(yt, '珊瑚礁');
  assert.ok(!r.data.results.some((h) => h.kind === 'person' || h.kind === 'output' || h.id === want.int), r.text);
  // contact data is not indexed
  assert.deepEqual(kinds(await find(org, '13800138000')), []);

  // the page: a kind filter and a label per kind, in both languages
  let page = await org.get(`/search?q=${encodeURIComponent('珊瑚礁')}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /<select name="kind"/);
  for (const label of ['人员', '成果', '观点']) assert.ok(page.text.includes(`<span class="tag">${label}</span>`), label);
  assert.ok(page.text.includes(`href="/people/${want.person}"`));
  assert.ok(page.text.includes(`href="/outputs/${want.output}"`));
  page = await org.get(`/search?q=${encodeURIComponent('珊瑚礁')}&kind=output`);
  assert.ok(page.text.includes(`href="/outputs/${want.output}"`));
  assert.ok(!page.text.includes(`href="/people/${want.person}"`));
  assert.match(page.text, /<option value="output" selected>/);
  page = await anon.get(`/search?q=${encodeURIComponent('珊瑚礁')}`);
  assert.ok(!page.text.includes('/people/'), 'no person on the anonymous page');
  assert.ok(!page.text.includes('<option value="person"'), 'nor the person filter');
  await org.get('/lang?to=en&next=/');
  page = await org.get(`/search?q=${encodeURIComponent('珊瑚礁')}`);
  for (const label of ['Person', 'Output', 'Statement']) assert.ok(page.text.includes(`<span class="tag">${label}</span>`), label);
  await org.get('/lang?to=zh&next=/');
});

test('the index follows updates, moderation and erasure', async () => {
  const p = await org.post('/api/v1/people', { name: '海草床专家乙', category: 'expert', affiliation: '海草床研究所' });
  assert.equal(p.status, 201, p.text);
  assert.deepEqual(kinds(await find(org, '海草床')), [`person:${p.data.id}`]);
  // an update re-indexes the person
  let r = await org.patch(`/api/v1/people/${p.data.id}`, { affiliation: '红树林研究所' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(kinds(await find(org, '研究所', '&kind=person')).includes(`person:${p.data.id}`), true);
  assert.ok(kinds(await find(org, '红树林研究所')).includes(`person:${p.data.id}`));
  // an output edited is found by its new text
  const o = await org.post('/api/v1/outputs', { kind: 'opinion_report', title: '关于海草床的信息', body: '初稿' });
  assert.equal(o.status, 201, o.text);
  r = await org.patch(`/api/v1/outputs/${o.data.id}`, { body: '海草床退化严重，建议开展普查。' });
  assert.equal(r.status, 200, r.text);
  r = await find(org, '普查');
  assert.deepEqual(kinds(r), [`output:${o.data.id}`]);
  // a rejected statement leaves the index; accepted again, it comes back
  const pub = await session('public');
  const s = await org.post(`/api/v1/sessions/${pub}/statements`, { text: '海草床需要立法保护' });
  assert.deepEqual(kinds(await find(anon, '海草床')), [`statement:${s.data.id}`]);
  r = await org.patch(`/api/v1/statements/${s.data.id}`, { status: 'rejected' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(kinds(await find(anon, '海草床')), []);
  r = await org.patch(`/api/v1/statements/${s.data.id}`, { status: 'accepted' });
  assert.deepEqual(kinds(await find(anon, '海草床')), [`statement:${s.data.id}`]);
  // an erased person is no longer found, by their name or affiliation
  r = await admin.req('DELETE', `/api/v1/people/${p.data.id}`);
  assert.equal(r.status, 204, r.text);
  assert.ok(!kinds(await find(admin, '海草床专家乙')).includes(`person:${p.data.id}`));
  assert.ok(!kinds(await find(admin, '红树林研究所')).includes(`person:${p.data.id}`));
});
