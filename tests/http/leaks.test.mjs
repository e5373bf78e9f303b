// HTTP tests of issue 10 items 1 and 2 (leaks): an id given inside a request must name
// something the caller may read (else 422 naming the field and the id, nothing written);
// a person who did not agree to be named (public_name = 0) is shown to readers who may not
// read them by category and sector only, in the session JSON and page, the outcomes and the
// search; anonymous search covers only what anonymous readers may read.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

function assertRefused(r, field, id) {
  assert.equal(r.status, 422, r.text);
  assert.equal(r.data.error.field, field, r.text);
  if (id !== undefined) assert.match(r.data.error.message, new RegExp(`\\b${id}\\b`), r.text);
}

function form(c, path, fields) {
  const body = new URLSearchParams({ csrf_token: c.csrf });
  for (const [k, v] of Object.entries(fields)) {
    for (const x of Array.isArray(v) ? v : [v]) body.append(k, String(x));
  }
  return c.req('POST', path, { body: body.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}

describe('leaks (demo data)', () => {
  let srv, city, district, sibling, anon;
  // the city's internal session, one of its suggestions, a public city session, and the
  // district's own session
  let internal, internalSug, publicCity, own, hidden;
  const as = async (u) => { const c = new Client(srv.url); await c.login(u, DEMO_PASSWORD); return c; };

  before(async () => {
    srv = await startServer();
    city = await as('organizer');        // 深圳市政协
    district = await as('yt-organizer'); // 盐田区政协, below the city
    sibling = await as('ft-member');     // 福田区政协, a sibling district
    anon = new Client(srv.url);
    const all = [];
    for (let cursor = 0; ;) {
      const r = await city.get(`/api/v1/sessions?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, r.text);
      all.push(...r.data.items);
      if (!r.data.next) break;
      cursor = r.data.next;
    }
    const mine = all.filter((s) => s.org_name === '深圳市政协');
    const internals = mine.filter((s) => s.visibility === 'internal' && s.status !== 'draft');
    internal = internals[0].id;
    for (const s of internals) {
      const d = (await city.get(`/api/v1/sessions/${s.id}`)).data;
      if (d.suggestions.length) { internalSug = d.suggestions[0].id; break; }
    }
    assert.ok(internalSug, 'an internal city session with a suggestion');
    publicCity = mine.find((s) => s.visibility === 'public' && s.status !== 'draft').id;
    own = all.find((s) => s.org_name === '盐田区政协').id;
    // the person who did not agree to be named: a remark and a suggestion of session 1
    const s1 = (await city.get('/api/v1/sessions/1')).data;
    assert.equal(s1.visibility, 'public');
    hidden = s1.invitations.find((i) => !i.public_name && s1.remarks.some((r) => r.person_id === i.person_id));
    assert.ok(hidden, 'a speaker with public_name = 0 in session 1');
    assert.equal(hidden.name, '赵敏');
  });
  after(async () => { await srv.stop(); });

  test('district organizer cannot link the city\'s internal session or suggestion', async () => {
    assert.equal((await district.get(`/api/v1/sessions/${internal}`)).status, 404);
    const before = (await district.get('/api/v1/outputs?limit=200')).data.items.length;
    let r = await district.post('/api/v1/outputs', { kind: 'opinion_report', title: '区里的社情民意', session_ids: [internal] });
    assertRefused(r, 'session_ids', internal);
    r = await district.post('/api/v1/outputs', { kind: 'opinion_report', title: '区里的社情民意', suggestion_ids: [internalSug] });
    assertRefused(r, 'suggestion_ids', internalSug);
    // the same answer as for an id that does not exist
    r = await district.post('/api/v1/outputs', { kind: 'opinion_report', title: '区里的社情民意', session_ids: [999999] });
    assertRefused(r, 'session_ids', 999999);
    assert.equal((await district.get('/api/v1/outputs?limit=200')).data.items.length, before, 'nothing written');
    // what the district may read stays linkable: its own session and a public city one
    r = await district.post('/api/v1/outputs', { kind: 'opinion_report', title: '区里的社情民意', session_ids: [own, publicCity] });
    assert.equal(r.status, 201, r.text);
    const id = r.data.id;
    // nor through a change of the draft
    r = await district.patch(`/api/v1/outputs/${id}`, { session_ids: [own, internal] });
    assertRefused(r, 'session_ids', internal);
    r = await district.patch(`/api/v1/outputs/${id}`, { suggestion_ids: [internalSug] });
    assertRefused(r, 'suggestion_ids', internalSug);
    const o = (await district.get(`/api/v1/outputs/${id}`)).data;
    assert.deepEqual(o.sessions.map((s) => s.id).sort(), [own, publicCity].sort(), 'unchanged');
    assert.equal(o.suggestions.length, 0);
    // the page form as well
    r = await form(district, '/outputs', { kind: 'opinion_report', title: '区里的社情民意', suggestion_ids: internalSug });
    assert.equal(r.status, 422, r.text);
    assert.match(r.text, new RegExp(`${internalSug}`));
    // the city itself may
    r = await city.post('/api/v1/outputs', { kind: 'opinion_report', title: '市里的社情民意', session_ids: [internal], suggestion_ids: [internalSug] });
    assert.equal(r.status, 201, r.text);
  });

  test('authors of an output are people the caller may read', async () => {
    const cityPerson = (await city.get('/api/v1/sessions/1')).data.invitations[0].person_id;
    const r = await district.post('/api/v1/outputs', {
      kind: 'proposal', title: '区里的提案', authors: [{ person_id: cityPerson, role: 'lead' }],
    });
    assertRefused(r, 'authors', cityPerson);
  });

  test('a new topic or output belongs to a body the caller may see', async () => {
    const ft = (await sibling.get('/api/v1/me')).data.org.id;
    let r = await district.post('/api/v1/outputs', { kind: 'opinion_report', title: '别处的社情民意', org_id: ft });
    assertRefused(r, 'org_id', ft);
    r = await district.post('/api/v1/topics', { title: '别处的议题', domain: 'society', origin: 'member', org_id: ft });
    assertRefused(r, 'org_id', ft);
    // the same answer as for a body that does not exist
    r = await district.post('/api/v1/topics', { title: '别处的议题', domain: 'society', origin: 'member', org_id: 999999 });
    assertRefused(r, 'org_id', 999999);
  });

  test('a session links only bodies the caller may see', async () => {
    const ft = (await sibling.get('/api/v1/me')).data.org.id;
    const own9 = (await district.get(`/api/v1/sessions/${own}`)).data;
    const count = async () => (await district.get('/api/v1/sessions?limit=500')).data.items.length;
    const n = await count();
    let r = await district.post('/api/v1/sessions', { title: '区里的联动聊', topic_id: own9.topic_id, linked_org_ids: [ft] });
    assertRefused(r, 'linked_org_ids', ft);
    assert.equal(await count(), n, 'nothing written');
    // the body above it may be linked (the district sees it)
    const cityId = (await city.get('/api/v1/me')).data.org.id;
    r = await district.post('/api/v1/sessions', { title: '区里的联动聊', topic_id: own9.topic_id, linked_org_ids: [cityId] });
    assert.equal(r.status, 201, r.text);
    r = await district.patch(`/api/v1/sessions/${r.data.id}`, { linked_org_ids: [cityId, ft] });
    assertRefused(r, 'linked_org_ids', ft);
  });

  test('people named in a record are people the caller may read, a linked body\'s included', async () => {
    const cityId = (await city.get('/api/v1/me')).data.org.id;
    const own9 = (await district.get(`/api/v1/sessions/${own}`)).data;
    const s = (await district.post('/api/v1/sessions', { title: '区市联动聊', topic_id: own9.topic_id, formats: ['joint'], linked_org_ids: [cityId] })).data;
    assert.ok(s.id, JSON.stringify(s));
    const cityPerson = (await city.get('/api/v1/sessions/1')).data.invitations[0].person_id;
    assert.equal((await district.get(`/api/v1/people/${cityPerson}`)).status, 404, 'the district may not read the person');
    let r = await district.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: cityPerson, role: 'member' });
    assertRefused(r, 'person_id', cityPerson);
    r = await district.post(`/api/v1/sessions/${s.id}/remarks`, { person_id: cityPerson, body: '发言' });
    assertRefused(r, 'person_id', cityPerson);
    r = await district.post(`/api/v1/sessions/${s.id}/suggestions`, { title: '建议', proposer_ids: [cityPerson] });
    assertRefused(r, 'proposer_ids', cityPerson);
    const after = (await district.get(`/api/v1/sessions/${s.id}`)).data;
    assert.equal(after.invitations.length + after.remarks.length + after.suggestions.length, 0, 'nothing written');
    // the city, which may read both, invites its own person to the district's joint talk
    r = await city.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: cityPerson, role: 'member' });
    assert.equal(r.status, 201, r.text);
  });

  test('a session discusses only a topic the caller may read', async () => {
    const cityId = (await city.get('/api/v1/me')).data.org.id;
    const topics = (await city.get('/api/v1/topics?limit=500')).data.items;
    const t = topics.find((x) => x.org_id === cityId && (x.status === 'approved' || x.status === 'scheduled'));
    assert.ok(t, 'an approved city topic');
    assert.equal((await district.get(`/api/v1/topics/${t.id}`)).status, 404);
    const r = await district.post('/api/v1/sessions', { title: '区里聊市里的议题', topic_id: t.id });
    assertRefused(r, 'topic_id', t.id);
  });

  test('outcomes list only the outputs the reader may read', async () => {
    const mine = await city.get('/api/v1/sessions/1/outcomes');
    const cityOnly = [];
    for (const o of mine.data.outputs) {
      if ((await district.get(`/api/v1/outputs/${o.id}`)).status === 404) cityOnly.push(o);
    }
    assert.ok(cityOnly.length > 0, 'the city has outputs of session 1 the district may not read');
    for (const c of [district, sibling, anon]) {
      const r = await c.get('/api/v1/sessions/1/outcomes');
      assert.equal(r.status, 200);
      const listed = [...r.data.outputs, ...r.data.suggestions.flatMap((g) => g.outputs)];
      for (const o of listed) assert.equal((await c.get(`/api/v1/outputs/${o.id}`)).status, 200, `lists output ${o.id}`);
      assert.ok(!listed.some((o) => cityOnly.some((x) => x.id === o.id)), r.text.slice(0, 300));
      const page = await c.get('/sessions/1/outcomes');
      for (const o of cityOnly) assert.ok(!page.text.includes(o.title), `the page shows output ${o.id}`);
    }
  });

  test('a speaker with public_name = 0 is not named to anonymous readers', async () => {
    for (const path of ['/api/v1/sessions/1', '/api/v1/sessions/1/outcomes', '/sessions/1', '/sessions/1/outcomes']) {
      const r = await anon.get(path);
      assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 200)}`);
      assert.ok(!r.text.includes(hidden.name), `${path} names ${hidden.name}`);
    }
    const s = (await anon.get('/api/v1/sessions/1')).data;
    const rm = s.remarks.find((x) => x.speaker === '界别群众（妇联界别）');
    assert.ok(rm, 'the remark is still there, its speaker shown by category and sector');
    assert.equal(rm.person_id, null, 'nor the id that ties the person\'s remarks together');
    assert.ok(!s.remarks.some((x) => x.person_id === hidden.person_id));
    assert.ok(!s.invitations.some((x) => x.person_id === hidden.person_id));
    const proposers = s.suggestions.flatMap((g) => g.proposers);
    assert.ok(proposers.some((p) => p.name === '界别群众（妇联界别）' && p.id === null), JSON.stringify(proposers));
    const en = await anon.get('/api/v1/sessions/1', { headers: { 'Accept-Language': 'en' } });
    assert.ok(en.data.remarks.some((x) => x.speaker === 'Sector representative (妇联界别)'), en.text.slice(0, 300));
    // the named ones stay named
    assert.ok(s.remarks.some((x) => x.speaker === '张丽华'));
  });

  test('nor to signed-in readers who may not read the person', async () => {
    for (const path of ['/api/v1/sessions/1', '/sessions/1', '/api/v1/sessions/1/outcomes', '/sessions/1/outcomes']) {
      const r = await sibling.get(path);
      assert.equal(r.status, 200, path);
      assert.ok(!r.text.includes(hidden.name), `${path} names ${hidden.name} to another body`);
    }
    const r = await sibling.get('/sessions/1');
    assert.ok(r.text.includes('界别群众（妇联界别）'), 'the page shows the speaker by category and sector');
    // the person's own body does see the name
    assert.ok((await city.get('/sessions/1')).text.includes(hidden.name));
    assert.ok((await city.get('/api/v1/sessions/1')).text.includes(hidden.name));
  });

  test('search: anonymous readers find only what they may read, and no names', async () => {
    const d = (await city.get(`/api/v1/sessions/${internal}`)).data;
    const word = d.remarks.length ? d.remarks[0].body.replace(/[*#\s“”，。、]/g, '').slice(0, 4) : d.title.slice(0, 4);
    assert.ok(word.length >= 2);
    const q = encodeURIComponent(word);
    let r = await anon.get(`/api/v1/search?q=${q}`);
    assert.equal(r.status, 200);
    assert.ok(!r.data.results.some((h) => h.session_id === internal), `anonymous finds the internal session: ${r.text}`);
    r = await anon.get(`/search?q=${q}`);
    assert.ok(!r.text.includes(`/sessions/${internal}#`), 'the search page neither');
    // the sibling district neither; the city does
    r = await sibling.get(`/api/v1/search?q=${q}`);
    assert.ok(!r.data.results.some((h) => h.session_id === internal));
    r = await city.get(`/api/v1/search?q=${q}`);
    assert.ok(r.data.results.some((h) => h.session_id === internal), r.text);
    // a name searched for finds nothing that shows it
    for (const c of [anon, sibling]) {
      r = await c.get(`/api/v1/search?q=${encodeURIComponent(hidden.name)}`);
      assert.ok(!r.data.results.some((h) => (h.title + h.snippet).includes(hidden.name)), r.text);
    }
  });
});
