// HTTP tests of the live map's event streams on one process (issue 14): a stream hears of
// a vote's new snapshot; past `serve --max-streams 5` a new stream gets 503 with
// Retry-After and a message in Chinese and English, while a vote, a sign-in and an
// organizer's pages are still answered; a viewer that leaves frees its place; a viewer's
// poll and refetch close their connection (kept open, thousands of viewers would fill the
// server's connections for requests).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

let srv, org, port;
before(async () => {
  srv = await startServer({ args: ['--max-streams', '5'] });
  org = new Client(srv.url);
  await org.login('organizer', DEMO_PASSWORD);
  port = Number(new URL(srv.url).port);
});
after(async () => { await srv.stop(); });

async function liveSession() {
  const t = await org.post('/api/v1/topics', { title: `直播测试${Math.random()}`, domain: 'society', origin: 'public' });
  await org.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
  const s = await org.post('/api/v1/sessions', { topic_id: t.data.id, title: '直播深聊', formats: ['sector'], visibility: 'public' });
  const r = await org.post(`/api/v1/sessions/${s.data.id}/room`, { anonymous: true, moderation: 'post' });
  assert.equal(r.status, 200, r.text);
  const st = await org.post(`/api/v1/sessions/${s.data.id}/statements`, { text: '应当延长男性产假' });
  assert.equal(st.status, 201, st.text);
  return { id: s.data.id, statement: st.data.id };
}

// stream opens GET .../events on a raw socket: {text(), status(), wait(re), close()}
function stream(id) {
  const sock = net.connect(port, '127.0.0.1');
  let buf = '';
  const waiters = [];
  const check = () => {
    for (const w of waiters.slice()) {
      const m = w.re.exec(buf);
      if (m) { waiters.splice(waiters.indexOf(w), 1); clearTimeout(w.timer); w.ok(m); }
    }
  };
  sock.setEncoding('utf8');
  sock.on('data', (d) => { buf += d; check(); });
  sock.on('error', () => {});
  sock.write(`GET /api/v1/sessions/${id}/events HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n`);
  return {
    text: () => buf,
    wait: (re, ms = 5000) => new Promise((ok, fail) => {
      const w = { re, ok, timer: setTimeout(() => fail(new Error(`no ${re} within ${ms} ms in:\n${buf}`)), ms) };
      waiters.push(w);
      check();
    }),
    closed: new Promise((ok) => sock.on('close', ok)),
    close: () => sock.destroy(),
  };
}

test('a stream hears of the snapshot a vote makes', async () => {
  const { id, statement } = await liveSession();
  const s = stream(id);
  const hello = await s.wait(/event: hello\ndata: \{"version":(\d+)\}\n\n/);
  assert.match(s.text(), /^HTTP\/1\.[01] 200/);
  assert.match(s.text(), /content-type: text\/event-stream/i);
  assert.match(s.text(), /cache-control: no-cache/i);
  const phone = new Client(srv.url);
  const t0 = Date.now();
  const v = await phone.req('PUT', `/api/v1/statements/${statement}/vote`, { json: { vote: 1 } });
  assert.equal(v.status, 200, v.text);
  const ev = await s.wait(/event: snapshot\ndata: \{"version":(\d+)\}\n\n/, 5000);
  assert.ok(Number(ev[1]) > Number(hello[1]), `version ${ev[1]} after ${hello[1]}`);
  assert.ok(Date.now() - t0 < 2000, `the update came ${Date.now() - t0} ms after the vote`);
  const snap = (await org.get(`/api/v1/sessions/${id}/opinion`)).data;
  assert.equal(snap.n_votes, 1);
  s.close();
  await s.closed;
});

test('past --max-streams: 503 with Retry-After, while votes, sign-ins and organizers are served', async () => {
  const { id, statement } = await liveSession();
  // the stream of the test before may still be counted for a moment: wait for 5 to fit
  let streams = [];
  for (let round = 0; round < 50 && streams.length < 5; round++) {
    const s = stream(id);
    try {
      await s.wait(/event: hello/, 2000);
      streams.push(s);
    } catch {
      s.close();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.equal(streams.length, 5, 'five streams open');

  const r = await fetch(`${srv.url}/api/v1/sessions/${id}/events`);
  assert.equal(r.status, 503);
  assert.equal(r.headers.get('retry-after'), '60');
  const body = await r.json();
  assert.equal(body.error.code, 'too_many_streams');
  assert.match(body.error.message_zh, /实时推送/);
  assert.match(body.error.message_en, /live/);
  assert.equal(body.error.retry_after, 60);
  // the page itself is no stream: it is served, and so is its snapshot (the fallback)
  const page = await fetch(`${srv.url}/sessions/${id}/map`);
  assert.equal(page.status, 200);
  assert.equal((await fetch(`${srv.url}/api/v1/sessions/${id}/opinion`)).status, 200);

  // nobody else is locked out: a vote, a sign-in, an organizer's page and API
  const phone = new Client(srv.url);
  const v = await phone.req('PUT', `/api/v1/statements/${statement}/vote`, { json: { vote: -1 } });
  assert.equal(v.status, 200, v.text);
  const staff = new Client(srv.url);
  await staff.login('organizer', DEMO_PASSWORD);
  const dash = await staff.get('/dashboard');
  assert.equal(dash.status, 200, dash.text);
  const sess = await staff.get(`/api/v1/sessions/${id}`);
  assert.equal(sess.status, 200, sess.text);
  // the vote's snapshot reaches the five open streams
  await Promise.all(streams.map((s) => s.wait(/event: snapshot/, 5000)));

  // one viewer leaves: its place is free again
  streams[0].close();
  await streams[0].closed;
  let again = null;
  for (let i = 0; i < 50 && !again; i++) {
    const s = stream(id);
    try {
      await s.wait(/event: hello/, 1000);
      again = s;
    } catch {
      s.close();
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  assert.ok(again, 'a new stream fits once one was closed');
  streams = [...streams.slice(1), again];
  for (const s of streams) s.close();
});

// a raw HTTP/1.1 request (keep-alive by default): resolves {text, closedByServer} once the
// answer is in and the server closed the connection, or 1.5 s passed with it open
function rawGet(path) {
  return new Promise((ok) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    let timer = null;
    sock.setEncoding('utf8');
    sock.on('data', (d) => {
      buf += d;
      if (!timer && buf.includes('\r\n\r\n')) timer = setTimeout(() => { sock.destroy(); ok({ text: buf, closedByServer: false }); }, 1500);
    });
    sock.on('end', () => { clearTimeout(timer); ok({ text: buf, closedByServer: true }); });
    sock.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`);
  });
}

test("a viewer's poll and refetch do not keep a connection of the server", async () => {
  const { id } = await liveSession();
  for (const path of [`/api/v1/sessions/${id}/opinion`, `/sessions/${id}/map/live`]) {
    const r = await rawGet(path);
    assert.match(r.text, /^HTTP\/1\.1 200/, path);
    assert.match(r.text, /\r\nconnection: close\r\n/i, path);
    assert.equal(r.closedByServer, true, `${path}: the server closed the connection`);
  }
  // other requests keep theirs (keep-alive as before)
  const h = await rawGet('/api/v1/health');
  assert.match(h.text, /^HTTP\/1\.1 200/);
  assert.equal(h.closedByServer, false);
});
