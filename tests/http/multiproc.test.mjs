// Many `serve` processes on one PostgreSQL database behave as one service (issue 13, "Many
// processes, one database"): `demo` on a PostgreSQL database, then two `serve` processes on
// it (A and B, each with --processes 2). A sign-in on A is valid on B (cookie and CSRF token
// are in the database); an event stream on B hears of a vote cast on A within a second
// (NOTIFY shenliao_live); a burst of votes on both gives each snapshot version once, computed
// by one process, and both serve the same final snapshot; search answers the same on both; a
// reminder is sent once; the sign-in throttle is sharded (each process keeps half).
// Runs only with SHENLIAO_TEST_PG (make check's http-pg stage); skipped on SQLite.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, PG, DEMO_PASSWORD } from '../lib/server.mjs';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const ARGS = ['--tick-seconds', '1', '--processes', '2', '--login-limit-pair', '4'];

// listen to a session's event stream on base; returns {events, stop}
function listen(base, id) {
  const events = [];
  const ctl = new AbortController();
  const ready = fetch(`${base}/api/v1/sessions/${id}/events`, { signal: ctl.signal }).then((res) => {
    assert.match(res.headers.get('content-type'), /text\/event-stream/);
    (async () => {
      const rd = res.body.getReader();
      const dec = new TextDecoder();
      for (;;) {
        const { value, done } = await rd.read();
        if (done) break;
        for (const m of dec.decode(value).matchAll(/event: (\w+)\ndata: (\{.*\})/g)) events.push({ at: Date.now(), type: m[1], ...JSON.parse(m[2]) });
      }
    })().catch(() => {});
  }).catch(() => {});
  return { events, ready, stop: () => ctl.abort() };
}

// snapshots lists the versions a server's log says it computed for session id.
function snapshots(log, id) {
  return [...log.matchAll(new RegExp(`live: session ${id} snapshot (\\d+) in`, 'g'))].map((m) => +m[1]);
}

function chinaDate(days) {
  return new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

describe('two serve processes on one PostgreSQL database', { skip: !PG && 'SHENLIAO_TEST_PG is not set' }, () => {
  let A, B, orgA, orgB;
  before(async () => {
    A = await startServer({ args: ARGS });
    B = await startServer({ existing: A.db, args: ARGS });
    orgA = new Client(A.url);
    await orgA.login('organizer', DEMO_PASSWORD);
    // the same browser going to B through the load balancer: A's cookie and CSRF token
    orgB = new Client(B.url);
    orgB.cookies = orgA.cookies;
    orgB.csrf = orgA.csrf;
  });
  after(async () => {
    if (B) await B.stop();
    if (A) await A.stop();
  });

  // a fresh public session, live, with an anonymous room, and its statements
  async function liveSession(texts) {
    const t = await orgA.post('/api/v1/topics', { title: `多进程${Math.random()}`, domain: 'society', origin: 'public' });
    assert.equal(t.status, 201, t.text);
    await orgA.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
    const s = await orgA.post('/api/v1/sessions', { topic_id: t.data.id, title: '线上征集', formats: ['sector'], visibility: 'public' });
    assert.equal(s.status, 201, s.text);
    const r = await orgA.post(`/api/v1/sessions/${s.data.id}/room`, { anonymous: true, moderation: 'post' });
    assert.equal(r.status, 200, r.text);
    const sts = [];
    // by turns on A and B: the flood limit of statements is sharded too (10 a minute per
    // participant over 2 processes: 5 on each)
    for (const [i, text] of texts.entries()) {
      const st = await (i % 2 ? orgB : orgA).post(`/api/v1/sessions/${s.data.id}/statements`, { text });
      assert.equal(st.status, 201, st.text);
      sts.push(st.data.id);
    }
    return { id: s.data.id, sts };
  }

  test('a sign-in on A is valid on B: a change with its cookie and CSRF token succeeds there', async () => {
    const me = await orgB.get('/api/v1/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.data.user.username, 'organizer');
    const t = await orgB.post('/api/v1/topics', { title: '在另一进程上提出的议题', domain: 'society', origin: 'member' });
    assert.equal(t.status, 201, t.text);
    // without the token the change is refused on B as on A
    const bad = await orgB.post('/api/v1/topics', { title: '没有令牌', domain: 'society', origin: 'member' }, { csrf: false });
    assert.equal(bad.status, 403, bad.text);
    // A sees what B wrote
    assert.equal((await orgA.get(`/api/v1/topics/${t.data.id}`)).status, 200);
    // signing out on B ends the session on A too
    const other = new Client(A.url);
    await other.login('member', DEMO_PASSWORD);
    const otherB = new Client(B.url);
    otherB.cookies = other.cookies;
    otherB.csrf = other.csrf;
    const out = await otherB.post('/api/v1/logout', {});
    assert.ok(out.status === 204 || out.status === 200, out.text);
    assert.equal((await other.get('/api/v1/me')).status, 401);
  });

  test('a vote cast on A reaches an event stream on B within a second', async () => {
    const { id, sts } = await liveSession(['跨进程的第一条观点', '跨进程的第二条观点']);
    // the statements' own snapshots first, so the vote's is the next one
    await sleep(800);
    const stream = listen(B.url, id);
    await stream.ready;
    await sleep(200);
    const seen = stream.events.filter((e) => e.type === 'snapshot').map((e) => e.version);
    const before = seen.length ? Math.max(...seen) : 0;
    const phone = new Client(A.url);
    const v = await phone.req('PUT', `/api/v1/statements/${sts[0]}/vote`, { json: { vote: 1 } });
    assert.equal(v.status, 200, v.text);
    const at = Date.now();
    let ev;
    for (let i = 0; i < 30 && !ev; i++) {
      await sleep(50);
      ev = stream.events.find((e) => e.type === 'snapshot' && e.version > before);
    }
    stream.stop();
    assert.ok(ev, `B announced a new snapshot (events: ${JSON.stringify(stream.events)})`);
    const ms = ev.at - at;
    console.log(`# vote on A -> event on B: ${ms} ms`);
    assert.ok(ms < 1000, `event on B ${ms} ms after the vote on A`);
    // B serves that snapshot, with the vote in it
    const snap = (await orgB.get(`/api/v1/sessions/${id}/opinion`)).data;
    assert.ok(snap.version >= ev.version);
    assert.equal(snap.n_votes, 1);
    assert.ok(snapshots(A.log(), id).includes(ev.version), 'A computed it');
  });

  test('a burst of votes on both: every snapshot computed once, by one process; both serve the same', async () => {
    const texts = ['财政投入应当加大', '应当先立法再推进', '市场机制比补贴有效', '应当先行试点', '公众参与还不够', '推进节奏应当放缓'];
    const { id, sts } = await liveSession(texts);
    const phones = Array.from({ length: 20 }, (_, i) => new Client(i % 2 ? B.url : A.url));
    await Promise.all(phones.map(async (p, i) => {
      for (let k = 0; k < sts.length; k++) {
        const r = await p.req('PUT', `/api/v1/statements/${sts[k]}/vote`, { json: { vote: (i + k) % 3 - 1 } });
        assert.equal(r.status, 200, r.text);
      }
    }));
    const total = phones.length * sts.length;
    let a, b;
    for (let i = 0; i < 60; i++) {
      await sleep(200);
      a = (await orgA.get(`/api/v1/sessions/${id}/opinion`)).data;
      b = (await orgB.get(`/api/v1/sessions/${id}/opinion`)).data;
      if (a.n_votes === total && b.version === a.version) break;
    }
    assert.equal(a.n_votes, total);
    assert.equal(b.version, a.version, 'both serve the same snapshot');
    assert.deepEqual(b, a);
    await sleep(1500); // a round still queued on either process would show up here
    const va = snapshots(A.log(), id), vb = snapshots(B.log(), id);
    const all = [...va, ...vb].sort((x, y) => x - y);
    console.log(`# burst: ${total} votes, ${va.length} snapshots computed on A, ${vb.length} on B`);
    // each version stored once: no two computations made the same snapshot
    assert.equal(new Set(all).size, all.length, `versions: A ${va} B ${vb}`);
    const last = (await orgA.get(`/api/v1/sessions/${id}/opinion`)).data;
    assert.equal(all[all.length - 1], last.version, 'the newest snapshot is one of them');
    assert.ok(all.length < total / 4, `debounced: ${all.length} computations for ${total} votes`);
  });

  test('search answers the same on both', async () => {
    const t = await orgB.post('/api/v1/topics', { title: '珊瑚礁保护与多进程检索', domain: 'society', origin: 'member' });
    assert.equal(t.status, 201, t.text);
    for (const q of ['珊瑚礁', '检索', '深聊']) {
      const ra = await orgA.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
      const rb = await orgB.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
      assert.equal(ra.status, 200, ra.text);
      assert.deepEqual(rb.data, ra.data, q);
    }
    const found = (await orgA.get(`/api/v1/search?q=${encodeURIComponent('珊瑚礁')}`)).data;
    assert.ok(JSON.stringify(found).includes('珊瑚礁保护与多进程检索'), 'A finds what B wrote');
  });

  test('a reminder is sent once, with the scheduler running in both processes', async () => {
    const handler = new Client(B.url);
    await handler.login('hr-handler', DEMO_PASSWORD);
    const hrUnit = (await orgA.get('/api/v1/handlers')).data.items.find((h) => h.name === '市人力资源和社会保障局').id;
    const s1 = (await orgA.get('/api/v1/sessions/1')).data;
    const author = s1.invitations.find((i) => i.name === '王委员').person_id;
    const o = await orgA.post('/api/v1/outputs', { kind: 'proposal', title: '关于多进程提醒的提案', authors: [{ person_id: author, role: 'lead' }] });
    assert.equal(o.status, 201, o.text);
    const move = (to, extra = {}) => orgB.post(`/api/v1/outputs/${o.data.id}/transition`, { to, ...extra });
    assert.equal((await move('submitted')).status, 200);
    assert.equal((await move('accepted')).status, 200);
    const a = await move('assigned', { handlers: [{ handler_id: hrUnit, role: 'lead' }], reply_due: chinaDate(3) });
    assert.equal(a.status, 200, a.text);
    const due = async () => (await handler.get('/api/v1/me/notifications?limit=500')).data.items
      .filter((x) => x.kind === 'reply_due' && x.link === `/outputs/${o.data.id}`);
    let got = [];
    for (let i = 0; i < 50 && got.length === 0; i++) {
      await sleep(200);
      got = await due();
    }
    assert.equal(got.length, 1, 'a reply_due reminder');
    await sleep(2500); // several more ticks of both schedulers
    assert.equal((await due()).length, 1, 'sent once');
  });

  test('the sign-in throttle is sharded: with --processes 2 each process keeps half of --login-limit-pair', async () => {
    const tryOn = (base) => new Client(base).post('/api/v1/login', { username: 'guest', password: 'wrong-password' });
    // limit 4 over 2 processes: 2 failures pass on A, the third waits
    assert.equal((await tryOn(A.url)).status, 401);
    assert.equal((await tryOn(A.url)).status, 401);
    assert.equal((await tryOn(A.url)).status, 429);
    // B keeps its own half: round robin over both allows the 4 one process would
    assert.equal((await tryOn(B.url)).status, 401);
    assert.equal((await tryOn(B.url)).status, 401);
    assert.equal((await tryOn(B.url)).status, 429);
  });
});
