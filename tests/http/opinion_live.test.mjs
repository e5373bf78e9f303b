// HTTP tests of the live opinion map (issue #4): statements and votes from 30 simulated
// phones while the event stream is open, moderation, anonymous participation, flood
// limits, the snapshot's shape, exports, and importing a Pol.is conversation.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, run, DEMO_PASSWORD } from '../lib/server.mjs';

let srv, org;
before(async () => {
  srv = await startServer();
  org = new Client(srv.url);
  await org.login('organizer', DEMO_PASSWORD);
});
after(async () => { await srv.stop(); });

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.data && r.data.error, r.text);
  if (code) assert.equal(r.data.error.code, code, r.text);
  if (field) assert.equal(r.data.error.field, field, r.text);
}

// a fresh public session, live, with a room
async function liveSession(room = { anonymous: true, moderation: 'post' }) {
  const t = await org.post('/api/v1/topics', { title: `观点测试${Math.random()}`, domain: 'society', origin: 'public' });
  await org.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
  const s = await org.post('/api/v1/sessions', { topic_id: t.data.id, title: '线上征集', formats: ['sector'], visibility: 'public' });
  const r = await org.post(`/api/v1/sessions/${s.data.id}/room`, room);
  assert.equal(r.status, 200, r.text);
  return { id: s.data.id, code: r.data.code };
}

// listen to a session's event stream; returns {events, stop}
function listen(id) {
  const events = [];
  const ctl = new AbortController();
  fetch(`${srv.url}/api/v1/sessions/${id}/events`, { signal: ctl.signal }).then(async (res) => {
    assert.match(res.headers.get('content-type'), /text\/event-stream/);
    const rd = res.body.getReader();
    const dec = new TextDecoder();
    for (;;) {
      const { value, done } = await rd.read();
      if (done) break;
      for (const m of dec.decode(value).matchAll(/event: (\w+)\ndata: (\{.*\})/g)) events.push({ at: Date.now(), type: m[1], ...JSON.parse(m[2]) });
    }
  }).catch(() => {});
  return { events, stop: () => ctl.abort() };
}

describe('statements and votes', () => {
  test('30 phones vote while the stream is open: the map updates within 2 s', async () => {
    const { id } = await liveSession();
    const texts = ['财政投入应当加大', '应当先立法再推进', '市场机制比补贴有效', '应当先行试点', '公众参与还不够', '专家论证不够充分', '推进节奏应当放缓', '推进节奏应当加快'];
    const sts = [];
    for (const text of texts) {
      const r = await org.post(`/api/v1/sessions/${id}/statements`, { text });
      assert.equal(r.status, 201, r.text);
      assert.ok(Number.isInteger(r.data.id));
      assert.equal(r.data.text, text);
      sts.push(r.data.id);
    }
    const stream = listen(id);
    await new Promise((r) => setTimeout(r, 100));
    const phones = Array.from({ length: 30 }, () => new Client(srv.url));
    await Promise.all(phones.map(async (p, i) => {
      for (let k = 0; k < sts.length; k++) {
        const v = k === 0 ? 1 : ((i + k) % 2 ? 1 : -1);
        const r = await p.req('PUT', `/api/v1/statements/${sts[k]}/vote`, { json: { vote: v } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.data.vote, v);
      }
    }));
    const lastVote = Date.now();
    let snap;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 100));
      snap = (await org.get(`/api/v1/sessions/${id}/opinion`)).data;
      if (snap.n_votes === 240 && stream.events.some((e) => e.type === 'snapshot' && e.version === snap.version)) break;
    }
    const ev = stream.events.find((e) => e.type === 'snapshot' && e.version === snap.version);
    stream.stop();
    assert.ok(ev, 'an event announced the final snapshot');
    assert.ok(ev.at - lastVote < 2000, `event ${ev.at - lastVote} ms after the last vote`);
    assert.equal(snap.n_votes, 240);
    // the shape of the fixed interface
    assert.equal(snap.participants.length, 30);
    for (const p of snap.participants) {
      assert.equal(typeof p.id, 'string');
      assert.ok(p.group === null || Number.isInteger(p.group));
      assert.equal(typeof p.x, 'number');
      assert.equal(typeof p.y, 'number');
    }
    assert.equal(snap.groups.length, 2);
    assert.deepEqual(snap.groups.map((g) => g.size).sort(), [15, 15]);
    for (const g of snap.groups) {
      assert.ok(Number.isInteger(g.id));
      for (const r of g.repness) {
        assert.equal(typeof r.statement, 'string');
        assert.ok(['agree', 'disagree'].includes(r.direction));
        assert.equal(typeof r.p, 'number');
        assert.equal(typeof r.z, 'number');
      }
    }
    assert.ok(snap.consensus.agree.some((c) => c.statement === String(sts[0])), 'all agree on the first');
    assert.equal(typeof snap.gic[String(sts[0])], 'number');
  });

  test('changing a vote: the latest wins', async () => {
    const { id } = await liveSession();
    const s = (await org.post(`/api/v1/sessions/${id}/statements`, { text: '应当延长开放时间' })).data.id;
    const p = new Client(srv.url);
    await p.req('PUT', `/api/v1/statements/${s}/vote`, { json: { vote: 1 } });
    await p.req('PUT', `/api/v1/statements/${s}/vote`, { json: { vote: -1 } });
    const list = (await org.get(`/api/v1/sessions/${id}/statements`)).data.items;
    const st = list.find((x) => x.id === s);
    assert.equal(st.agree, 0);
    assert.equal(st.disagree, 1);
    assert.equal(st.author, 'participant'); // posted by a signed-in organizer
    const anonPost = await p.post(`/api/v1/sessions/${id}/statements`, { text: '匿名提出的观点' });
    assert.equal(anonPost.status, 201, anonPost.text);
    assert.equal(anonPost.data.author, 'anonymous');
    assertError(await p.req('PUT', `/api/v1/statements/${s}/vote`, { json: { vote: 2 } }), 422, null, 'vote');
    assertError(await p.req('PUT', `/api/v1/statements/${s}/vote`, { json: { vote: 'yes' } }), 422, 'invalid_type', 'vote');
    assertError(await p.req('PUT', '/api/v1/statements/999999/vote', { json: { vote: 1 } }), 404);
    assertError(await p.req('PUT', `/api/v1/statements/${s}/vote`, { body: 'vote=1', headers: { 'Content-Type': 'text/plain' } }), 415);
    assertError(await org.post(`/api/v1/sessions/${id}/statements`, { text: '' }), 422, null, 'text');
    assertError(await org.post(`/api/v1/sessions/${id}/statements`, { text: 'x'.repeat(281) }), 422, null, 'text');
    assertError(await org.post(`/api/v1/sessions/${id}/statements`, { text: '应当延长开放时间' }), 409);
  });

  test('a moderated-out statement disappears from the analysis', async () => {
    const { id } = await liveSession();
    const ids = [];
    for (const text of ['甲观点', '乙观点', '丙观点']) ids.push((await org.post(`/api/v1/sessions/${id}/statements`, { text })).data.id);
    const phones = Array.from({ length: 16 }, () => new Client(srv.url));
    await Promise.all(phones.map(async (p, i) => {
      for (const s of ids) await p.req('PUT', `/api/v1/statements/${s}/vote`, { json: { vote: s === ids[2] ? 1 : (i % 2 ? 1 : -1) } });
    }));
    let snap;
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 100));
      snap = (await org.get(`/api/v1/sessions/${id}/opinion`)).data;
      if (snap.n_votes === 48) break;
    }
    assert.ok(snap.consensus.agree.some((c) => c.statement === String(ids[2])));
    const m = await org.patch(`/api/v1/statements/${ids[2]}`, { status: 'rejected' });
    assert.equal(m.status, 200, m.text);
    assert.equal(m.data.status, 'rejected');
    // wait for the first snapshot made after the rejection (one already being computed
    // when it landed may still count the statement)
    const rejected = String(ids[2]);
    let after;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await org.get(`/api/v1/sessions/${id}/opinion`)).data;
      if (after.version > snap.version && after.categories.statements.find((c) => c.statement === rejected)?.moderated) break;
    }
    assert.ok(!after.consensus.agree.some((c) => c.statement === rejected), 'not in consensus');
    assert.ok(!after.consensus.disagree.some((c) => c.statement === rejected));
    assert.ok(after.groups.every((g) => g.repness.every((r) => r.statement !== rejected)), 'not representative');
    assert.ok(after.categories.statements.find((c) => c.statement === rejected).moderated);
    // and voters no longer see it
    const p = new Client(srv.url);
    const visible = (await p.get(`/api/v1/sessions/${id}/statements`)).data.items.map((x) => x.id);
    assert.ok(!visible.includes(ids[2]));
    assertError(await p.req('PUT', `/api/v1/statements/${ids[2]}/vote`, { json: { vote: 1 } }), 409);
    assertError(await (await (async () => { const c = new Client(srv.url); await c.login('member', DEMO_PASSWORD); return c; })()).patch(`/api/v1/statements/${ids[0]}`, { status: 'rejected' }), 403);
  });

  test('pre-moderation: new statements wait for an organizer', async () => {
    const { id } = await liveSession({ anonymous: true, moderation: 'pre' });
    const p = new Client(srv.url);
    const r = await p.post(`/api/v1/sessions/${id}/statements`, { text: '请先审核我' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.status, 'pending');
    assert.ok(!(await p.get(`/api/v1/sessions/${id}/statements`)).data.items.some((x) => x.id === r.data.id));
    assertError(await p.req('PUT', `/api/v1/statements/${r.data.id}/vote`, { json: { vote: 1 } }), 409);
    assert.equal((await org.patch(`/api/v1/statements/${r.data.id}`, { status: 'accepted' })).status, 200);
    assert.equal((await p.req('PUT', `/api/v1/statements/${r.data.id}/vote`, { json: { vote: 1 } })).status, 200);
  });

  test('anonymous browsers only where the organizer allows it; signed-in users vote as themselves', async () => {
    const { id } = await liveSession({ anonymous: false, moderation: 'post' });
    const s = (await org.post(`/api/v1/sessions/${id}/statements`, { text: '只限登录用户' })).data.id;
    assertError(await new Client(srv.url).req('PUT', `/api/v1/statements/${s}/vote`, { json: { vote: 1 } }), 401);
    assertError(await new Client(srv.url).post(`/api/v1/sessions/${id}/statements`, { text: '匿名' }), 401);
    const m = new Client(srv.url);
    await m.login('member', DEMO_PASSWORD);
    assert.equal((await m.req('PUT', `/api/v1/statements/${s}/vote`, { json: { vote: 1 } })).status, 200);
    assertError(await m.req('PUT', `/api/v1/statements/${s}/vote`, { json: { vote: 1 }, csrf: false }), 403, 'csrf');
    // an internal session is closed to anonymous browsers whatever the room says
    assertError(await new Client(srv.url).get('/api/v1/sessions/4/opinion'), 401);
  });

  test('flood limits: 429 with Retry-After', async () => {
    const { id } = await liveSession();
    const p = new Client(srv.url);
    let limited = null;
    for (let i = 0; i < 15 && !limited; i++) {
      const r = await p.post(`/api/v1/sessions/${id}/statements`, { text: `第${i}条` });
      if (r.status === 429) limited = r;
      else assert.equal(r.status, 201, r.text);
    }
    assert.ok(limited, 'a participant posting many statements is limited');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal(limited.data.error.code, 'rate_limited');
  });

  test('statements and votes stop when the session closes', async () => {
    const { id } = await liveSession();
    const s = (await org.post(`/api/v1/sessions/${id}/statements`, { text: '关闭前' })).data.id;
    await org.post(`/api/v1/sessions/${id}/transition`, { to: 'scheduled' }).catch(() => {});
    await org.post(`/api/v1/sessions/${id}/invitations`, { person_id: 2, role: 'member' });
    for (const to of ['scheduled', 'live', 'closed']) await org.post(`/api/v1/sessions/${id}/transition`, { to });
    assertError(await new Client(srv.url).req('PUT', `/api/v1/statements/${s}/vote`, { json: { vote: 1 } }), 409);
    assertError(await org.post(`/api/v1/sessions/${id}/statements`, { text: '关闭后' }), 409);
  });
});

describe('who may: one answer for the API and the pages', () => {
  test('not signed in 401 (pages: sign-in), another body 404, seen but not allowed 403', async () => {
    const t = await org.post('/api/v1/topics', { title: `内部观点${Math.random()}`, domain: 'society', origin: 'public' });
    await org.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
    const s = await org.post('/api/v1/sessions', { topic_id: t.data.id, title: '内部征集', formats: ['sector'], visibility: 'internal' });
    const id = s.data.id;
    // anonymous on in the room, but the session is internal: that does not let outsiders in
    const room = await org.post(`/api/v1/sessions/${id}/room`, { anonymous: true, moderation: 'post' });
    assert.equal(room.status, 200, room.text);
    const st = (await org.post(`/api/v1/sessions/${id}/statements`, { text: '内部观点' })).data.id;
    const anon = new Client(srv.url);
    for (const path of [`/api/v1/sessions/${id}/opinion`, `/api/v1/sessions/${id}/statements`, `/api/v1/sessions/${id}/room`, `/api/v1/sessions/${id}/events`, `/api/v1/sessions/${id}/opinion.csv`]) {
      assertError(await anon.get(path), 401);
    }
    assertError(await anon.req('PUT', `/api/v1/statements/${st}/vote`, { json: { vote: 1 } }), 401);
    let r = await anon.get(`/sessions/${id}/map`);
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/login?next=/sessions/${id}/map`);
    r = await anon.get(`/j/${room.data.code}`);
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/login?next=/j/${room.data.code}`);
    // an organizer of a district below does not see the city's internal session: 404
    const yt = new Client(srv.url);
    await yt.login('yt-organizer', DEMO_PASSWORD);
    for (const path of [`/api/v1/sessions/${id}/opinion`, `/api/v1/sessions/${id}/statements`, `/api/v1/sessions/${id}/room`, `/api/v1/sessions/${id}/opinion.csv`, `/sessions/${id}/map`, `/j/${room.data.code}`]) {
      assert.equal((await yt.get(path)).status, 404, path);
    }
    assertError(await yt.req('PUT', `/api/v1/statements/${st}/vote`, { json: { vote: 1 } }), 404);
    assertError(await yt.patch(`/api/v1/statements/${st}`, { status: 'rejected' }), 404);
    assertError(await yt.post(`/api/v1/sessions/${id}/statements`, { text: '外部' }), 404);
    // a member of the body sees it and takes part, but neither moderates nor exports: 403
    const m = new Client(srv.url);
    await m.login('member', DEMO_PASSWORD);
    assert.equal((await m.get(`/api/v1/sessions/${id}/opinion`)).status, 200);
    assert.equal((await m.get(`/sessions/${id}/map`)).status, 200);
    assert.equal((await m.get(`/j/${room.data.code}`)).status, 200);
    assert.equal((await m.req('PUT', `/api/v1/statements/${st}/vote`, { json: { vote: 1 } })).status, 200);
    assertError(await m.patch(`/api/v1/statements/${st}`, { status: 'rejected' }), 403);
    assertError(await m.get(`/api/v1/sessions/${id}/opinion.csv`), 403);
    // a vote sent through another room's phone page is not found there
    const other = await liveSession();
    r = await m.req('POST', `/j/${other.code}/vote`, { body: `statement_id=${st}&vote=1`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 404, r.text);
  });
});

describe('pages, exports, imports', () => {
  test('map page with QR code, phone page, exports', async () => {
    const { id, code } = await liveSession();
    await org.post(`/api/v1/sessions/${id}/statements`, { text: '地图页测试' });
    const map = await org.get(`/sessions/${id}/map`);
    assert.equal(map.status, 200);
    assert.match(map.text, /<svg[^>]*aria-label="QR"/);
    assert.ok(map.text.includes(code));
    // the page's settings form
    const f = await org.req('POST', `/sessions/${id}/room`, { body: 'anonymous=1&moderation=pre&open=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(f.status, 303, f.text);
    assert.equal((await org.get(`/api/v1/sessions/${id}/room`)).data.moderation, 'pre');
    const phone = await new Client(srv.url).get(`/j/${code}`);
    assert.equal(phone.status, 200);
    assert.match(phone.text, /地图页测试/);
    assert.equal((await new Client(srv.url).get('/j/NOPE42')).status, 404);
    const csv = await org.get(`/api/v1/sessions/${id}/opinion.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.text, /statements/);
    assert.match(csv.text, /地图页测试/);
    const xl = await fetch(`${srv.url}/api/v1/sessions/${id}/opinion.xlsx`, { headers: { Cookie: org.cookieHeader() } });
    assert.equal(Buffer.from(await xl.arrayBuffer()).subarray(0, 2).toString(), 'PK');
    const m = new Client(srv.url);
    await m.login('member', DEMO_PASSWORD);
    assert.equal((await m.get(`/api/v1/sessions/${id}/opinion.csv`)).status, 403);
  });

  test('shenliao import polis loads a real conversation into a session', async () => {
    const { id } = await liveSession();
    const dir = new URL('../data/polis/ssis.land-bank-farmland.2rumnecbeh.2021-08-01', import.meta.url).pathname;
    const r = run(['import', 'polis', dir, '--db', srv.db, '--session', String(id)]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /imported \d+ statements, \d+ participants, \d+ votes/);
    const snap = (await org.get(`/api/v1/sessions/${id}/opinion`)).data;
    assert.ok(snap.participants.length > 300);
    assert.ok(snap.groups.length >= 2);
    assert.equal(run(['import', 'polis', '/no/such/dir', '--db', srv.db, '--session', String(id)]).status, 1);
    assert.equal(run(['import', 'polis']).status, 2);
  });
});
