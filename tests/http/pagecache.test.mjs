// HTTP tests of the cache of public pages for signed-out visitors (issue 14, web/pagecache.c):
// a kept page is served again (X-Page-Cache: hit) with a strong ETag per content coding,
// If-None-Match answers 304 without a body, gzip and br bodies decompress to the identity
// bytes, a signed-in visitor never gets the kept page, and the page changes after each kind
// of change that shows on it - through this server, and written to the database by another
// process (the page versions are bumped by triggers in the writing transaction).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { startServer, Client, DEMO_PASSWORD, ADMIN_PASSWORD, sqlite3Sync, run } from '../lib/server.mjs';

let srv, org;
before(async () => {
  srv = await startServer();
  org = new Client(srv.url);
  await org.login('organizer', DEMO_PASSWORD);
});
after(async () => { await srv.stop(); });

// raw GETs: fetch would decode the body and hide Content-Encoding
function raw(path, headers = {}) {
  return new Promise((ok, fail) => {
    const r = request(srv.url + path, { headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    });
    r.on('error', fail);
    r.end();
  });
}
const page = (path, headers) => raw(path, headers).then((r) => ({ ...r, text: r.body.toString('utf8') }));

// an anonymous page fetched twice: the second is the kept one; returns its text
async function twice(path, headers = {}) {
  const a = await page(path, headers);
  assert.equal(a.status, 200, a.text);
  const b = await page(path, headers);
  assert.equal(b.status, 200);
  assert.equal(b.headers['x-page-cache'], 'hit', `${path} kept after the first request`);
  assert.equal(b.text, a.text);
  return b.text;
}

function db(sql) {
  const r = sqlite3Sync([srv.db, sql]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

async function people() {
  const s = (await org.get('/api/v1/sessions/1')).data;
  const m = {};
  for (const i of s.invitations) m[i.name] = i.person_id;
  return m;
}

// a public live counterpart session of the organizer's body, seen by signed-out visitors
let seq = 0;
async function publicSession() {
  const tag = `${++seq}`;
  const t = await org.post('/api/v1/topics', { title: `缓存测试议题${tag}`, domain: 'society', origin: 'member' });
  assert.equal(t.status, 201, t.text);
  assert.equal((await org.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' })).status, 200);
  const s = await org.post('/api/v1/sessions', {
    topic_id: t.data.id, title: `缓存测试会${tag}`, formats: ['counterpart'], department: '市人力资源和社会保障局', visibility: 'public',
  });
  assert.equal(s.status, 201, s.text);
  const ppl = await people();
  const off = await org.post(`/api/v1/sessions/${s.data.id}/invitations`, { person_id: ppl['蒋立新'], role: 'official' });
  assert.equal(off.status, 201, off.text);
  const go = await org.post(`/api/v1/sessions/${s.data.id}/transition`, { to: 'scheduled' });
  assert.equal(go.status, 200, go.text);
  assert.equal((await org.post(`/api/v1/sessions/${s.data.id}/transition`, { to: 'live' })).status, 200);
  return { id: s.data.id, topic: t.data.id, path: `/sessions/${s.data.id}` };
}

const ok = (r, status = 200) => assert.equal(r.status, status, r.text);

describe('a kept public page', () => {
  test('served again with a strong ETag, public revalidation and Vary', async () => {
    const s = await publicSession();
    const a = await page(s.path);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.headers['x-page-cache'], 'miss');
    assert.match(a.headers.etag, /^"[0-9a-f]{32}"$/, 'a strong tag (no W/)');
    assert.equal(a.headers['cache-control'], 'public, max-age=0, must-revalidate');
    assert.equal(a.headers.vary, 'Accept-Encoding, Accept-Language, Cookie');
    assert.ok(a.headers['content-security-policy'], 'the page keeps its security headers');
    assert.equal(a.headers['set-cookie'], undefined);
    const b = await page(s.path);
    assert.equal(b.headers['x-page-cache'], 'hit');
    assert.equal(b.headers.etag, a.headers.etag);
    assert.equal(b.text, a.text);
    assert.match(b.text, /缓存测试会/);
  });

  test('If-None-Match: 304 without a body for the tag (weak or strong, in a list, *); 200 for another', async () => {
    const s = await publicSession();
    const a = await page(s.path);
    const tag = a.headers.etag;
    for (const inm of [tag, `W/${tag}`, `"nope", ${tag}`, '*']) {
      const r = await page(s.path, { 'If-None-Match': inm });
      assert.equal(r.status, 304, inm);
      assert.equal(r.body.length, 0, inm);
      assert.equal(r.headers.etag, tag, inm);
      assert.equal(r.headers['cache-control'], 'public, max-age=0, must-revalidate');
      assert.equal(r.headers.vary, 'Accept-Encoding, Accept-Language, Cookie');
    }
    const other = await page(s.path, { 'If-None-Match': '"0123456789abcdef0123456789abcdef"' });
    assert.equal(other.status, 200);
    assert.equal(other.text, a.text);
    // the identity tag does not stand for the gzip body: another representation
    const gz = await raw(s.path, { 'Accept-Encoding': 'gzip', 'If-None-Match': tag });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal((await raw(s.path, { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.etag })).status, 304);
  });

  test('gzip and br bodies decompress to the identity bytes, each with its own tag, kept', async () => {
    const s = await publicSession();
    const id = await raw(s.path);
    assert.equal(id.headers['content-encoding'], undefined);
    const gz = await raw(s.path, { 'Accept-Encoding': 'gzip, deflate' });
    const br = await raw(s.path, { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.ok(gunzipSync(gz.body).equals(id.body), 'gzip decompresses to the identity bytes');
    assert.ok(brotliDecompressSync(br.body).equals(id.body), 'br decompresses to the identity bytes');
    assert.ok(gz.body.length < id.body.length && br.body.length < id.body.length);
    assert.equal(gz.headers.etag, id.headers.etag.replace(/"$/, '-gz"'));
    assert.equal(br.headers.etag, id.headers.etag.replace(/"$/, '-br"'));
    const gz2 = await raw(s.path, { 'Accept-Encoding': 'gzip' });
    assert.equal(gz2.headers['x-page-cache'], 'hit');
    assert.ok(gz2.body.equals(gz.body), 'the kept gzip body, not compressed again');
    // q-values: br refused, gzip taken; nothing acceptable but identity
    assert.equal((await raw(s.path, { 'Accept-Encoding': 'br;q=0, gzip;q=0.5' })).headers['content-encoding'], 'gzip');
    assert.equal((await raw(s.path, { 'Accept-Encoding': 'gzip;q=0, br;q=0' })).headers['content-encoding'], undefined);
    assert.equal((await raw(s.path, { 'Accept-Encoding': '*' })).headers['content-encoding'], 'br');
    assert.equal((await raw(s.path, { 'Accept-Encoding': 'identity' })).headers['content-encoding'], undefined);
  });

  test('each language is kept apart (cookie or Accept-Language)', async () => {
    const s = await publicSession();
    const zh = await twice(s.path);
    const en = await twice(s.path, { 'Accept-Language': 'en-GB,en;q=0.9' });
    const enCookie = await twice(s.path, { Cookie: 'sl_lang=en' });
    assert.notEqual(zh, en);
    assert.equal(en, enCookie);
    assert.match(en, /<html lang="en"/);
    assert.match(zh, /<html lang="zh-CN"/);
  });

  test('a signed-in visitor never gets the kept page, nor keeps one for others', async () => {
    const s = await publicSession();
    const anon = await twice(s.path);
    for (const c of [org, await (async () => {
      const t = new Client(srv.url);
      await t.login('admin', ADMIN_PASSWORD);
      const tok = await t.post('/api/v1/me/tokens', { name: 'pagecache-test' });
      const b = new Client(srv.url);
      b.token = tok.data && tok.data.token;
      return tok.status === 201 ? b : t;
    })()]) {
      const r = await c.get(s.path);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-page-cache'), null, 'not from the cache');
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.equal(r.headers.get('etag'), null);
      assert.notEqual(r.text, anon);
    }
    // a request with a stale sign-in cookie is a signed-out visitor's
    const stale = await page(s.path, { Cookie: 'sl_session=not-a-session' });
    assert.equal(stale.headers['x-page-cache'], 'hit');
    assert.equal(stale.text, anon);
    // a page answered to a signed-in visitor was not kept for the signed-out
    const again = await page(s.path);
    assert.equal(again.headers['x-page-cache'], 'hit');
    assert.equal(again.text, anon);
  });

  test('a page that is not public is not kept (sign-in redirect, 404)', async () => {
    const r = await page('/sessions/999999');
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-page-cache'], undefined);
    assert.equal((await page('/sessions/999999')).headers['x-page-cache'], undefined);
  });
});

describe('the page changes after each kind of change that shows on it', () => {
  // change() makes one change; expect is text the signed-out page then shows (or a function
  // of the page that must hold)
  async function shows(s, change, expect) {
    const before = await twice(s.path);
    await change();
    const r = await page(s.path);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-page-cache'], 'miss', 'rendered again after the change');
    assert.notEqual(r.text, before, `the page changed (${expect})`);
    if (typeof expect === 'function') expect(r.text);
    else assert.ok(r.text.includes(expect), `the page shows ${expect}`);
    assert.equal((await page(s.path)).headers['x-page-cache'], 'hit', 'and is kept again');
    return r.text;
  }

  test('session fields, status, the record and its corrections (through this server)', async () => {
    const s = await publicSession();
    const ppl = await people();
    await shows(s, async () => ok(await org.patch(`/api/v1/sessions/${s.id}`, { title: '缓存改名的会' })), '缓存改名的会');
    await shows(s, async () => ok(await org.patch(`/api/v1/sessions/${s.id}`, { venue: '缓存会议室甲' })), '缓存会议室甲');
    let inv;
    await shows(s, async () => {
      inv = await org.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: ppl['张丽华'], role: 'speaker' });
      ok(inv, 201);
    }, (t) => assert.equal((t.match(/<li><span>/g) || []).length, 2, 'two categories counted'));
    let point;
    await shows(s, async () => {
      point = await org.post(`/api/v1/sessions/${s.id}/points`, { kind: 'agreed', body: '缓存共识一条' });
      ok(point, 201);
    }, '缓存共识一条');
    await shows(s, async () => ok(await org.patch(`/api/v1/points/${point.data.id}`, { body: '缓存共识更正' })), '缓存共识更正');
    let sug;
    await shows(s, async () => {
      sug = await org.post(`/api/v1/sessions/${s.id}/suggestions`, { title: '缓存建议一条', body: '试点。', proposer_ids: [ppl['张丽华']] });
      ok(sug, 201);
    }, '缓存建议一条');
    await shows(s, async () => ok(await org.patch(`/api/v1/suggestions/${sug.data.id}`, { proposer_ids: [ppl['张丽华'], ppl['蒋立新']] })), '蒋立新');
    await shows(s, async () => ok(await org.req('DELETE', `/api/v1/points/${point.data.id}`), 204), (t) => assert.ok(!t.includes('缓存共识更正')));
    await shows(s, async () => ok(await org.post(`/api/v1/sessions/${s.id}/transition`, { to: 'closed' })), 'status-closed');
  });

  test('a person renamed (shown on many pages) through this server', async () => {
    const s = await publicSession();
    const ppl = await people();
    ok(await org.post(`/api/v1/sessions/${s.id}/suggestions`, { title: '缓存署名建议', proposer_ids: [ppl['蒋立新']] }), 201);
    await shows(s, async () => ok(await org.patch(`/api/v1/people/${ppl['蒋立新']}`, { name: '蒋立新甲' })), '蒋立新甲');
    ok(await org.patch(`/api/v1/people/${ppl['蒋立新']}`, { name: '蒋立新' }));
  });

  test('writes by another process: session, topic, body, person, record rows', async () => {
    const s = await publicSession();
    const ppl = await people();
    ok(await org.post(`/api/v1/sessions/${s.id}/suggestions`, { title: '缓存外部建议', proposer_ids: [ppl['张丽华']] }), 201);
    const orgId = Number(db(`SELECT org_id FROM session WHERE id = ${s.id}`).trim());
    await shows(s, async () => db(`UPDATE session SET venue = '外部写入的会场' WHERE id = ${s.id}`), '外部写入的会场');
    await shows(s, async () => db(`UPDATE topic SET title = '外部改名的议题' WHERE id = ${s.topic}`), '外部改名的议题');
    await shows(s, async () => db(`UPDATE session SET rules_version = '外部规则版本' WHERE id = ${s.id}`), '外部规则版本');
    await shows(s, async () => db(`UPDATE person SET name = '张丽华乙' WHERE id = ${ppl['张丽华']}`), '张丽华乙');
    db(`UPDATE person SET name = '张丽华' WHERE id = ${ppl['张丽华']}`);
    await shows(s, async () => db(`INSERT INTO session_point (org_id, session_id, kind, body, position, created_at) SELECT ${orgId}, ${s.id}, 'difference', '外部写入的分歧', 1, created_at FROM session WHERE id = ${s.id}`), '外部写入的分歧');
    await shows(s, async () => db(`DELETE FROM suggestion_proposer WHERE suggestion_id = (SELECT id FROM suggestion WHERE session_id = ${s.id})`), (t) => assert.ok(!t.includes('张丽华'), 'the proposer is gone'));
    // a linked body (joint session) named on the page, then renamed
    const other = Number(db(`SELECT id FROM org WHERE id <> ${orgId} ORDER BY id LIMIT 1`).trim());
    await shows(s, async () => db(`INSERT INTO session_org (session_id, org_id) VALUES (${s.id}, ${other})`), (t) => assert.match(t, /session_linked|联合|Joint|<dt>[^<]*<\/dt><dd>[^<]+ <\/dd>/));
    await shows(s, async () => db(`UPDATE org SET name = '外部改名的政协' WHERE id = ${other}`), '外部改名的政协');
  });
});

describe('the session list', () => {
  test('kept per page and filter; a new public session and a change to one show', async () => {
    await twice('/sessions');
    await twice('/sessions?status=closed'); // (an old ?page=N link is a 303 to its keyset address: tests/http/lists.test.mjs)
    const y = await twice('/sessions?year=2024');
    const s = await publicSession();
    const r = await page('/sessions');
    assert.equal(r.headers['x-page-cache'], 'miss');
    assert.ok(r.text.includes(`href="/sessions/${s.id}"`), 'the new session is listed');
    assert.equal((await page('/sessions')).headers['x-page-cache'], 'hit');
    ok(await org.patch(`/api/v1/sessions/${s.id}`, { title: '列表里改名的会' }));
    assert.ok((await page('/sessions')).text.includes('列表里改名的会'));
    db(`UPDATE session SET title = '列表外部改名的会' WHERE id = ${s.id}`);
    assert.ok((await page('/sessions')).text.includes('列表外部改名的会'));
    assert.equal((await page('/sessions?year=2024')).headers['x-page-cache'], 'miss', 'every list page is checked against the list generation');
    assert.ok(y.length > 0);
  });
});

describe('the bound (serve --page-cache-mb)', () => {
  // raw GET against another server's URL
  const get = (base, path) => new Promise((okk, fail) => {
    const r = request(base + path, (res) => {
      res.resume();
      res.on('end', () => okk({ status: res.statusCode, headers: res.headers }));
    });
    r.on('error', fail);
    r.end();
  });

  test('1 MiB: the least recently used pages are evicted, the recent ones kept', async () => {
    const small = await startServer({ args: ['--page-cache-mb', '1'] });
    try {
      // ~2-3 KB per (empty) list page: 600 of them are over 1 MiB
      for (let p = 1; p <= 600; p++) assert.equal((await get(small.url, `/sessions?page=${p}`)).status, 200);
      assert.equal((await get(small.url, '/sessions?page=600')).headers['x-page-cache'], 'hit', 'the newest kept');
      assert.equal((await get(small.url, '/sessions?page=550')).headers['x-page-cache'], 'hit');
      assert.equal((await get(small.url, '/sessions?page=1')).headers['x-page-cache'], 'miss', 'the oldest evicted');
      assert.equal((await get(small.url, '/sessions?page=2')).headers['x-page-cache'], 'miss');
      assert.equal((await get(small.url, '/sessions?page=1')).headers['x-page-cache'], 'hit', 'kept again');
    } finally {
      await small.stop();
    }
  });

  test('0: no cache, every page rendered and not to be stored', async () => {
    const none = await startServer({ args: ['--page-cache-mb', '0'] });
    try {
      for (let i = 0; i < 2; i++) {
        const r = await get(none.url, '/sessions');
        assert.equal(r.status, 200);
        assert.equal(r.headers['x-page-cache'], undefined);
        assert.equal(r.headers.etag, undefined);
        assert.equal(r.headers['cache-control'], 'no-store');
      }
    } finally {
      await none.stop();
    }
  });

  test('a bound that is not a number from 0 to 65536 is refused', () => {
    for (const v of ['-1', 'abc', '65537', '']) {
      const r = run(['serve', '--db', srv.db, '--listen', '127.0.0.1:0', '--page-cache-mb', v]);
      assert.equal(r.status, 2, `${v}: ${r.stderr}`);
      assert.match(r.stderr, /--page-cache-mb must be a number from 0 to 65536/);
    }
  });
});
