// HTTP tests of accounts and sessions (issue 10, items 4-6 and the sign-in part of 8), against
// real servers: sign-in throttling by (account, address) and by address with a growing delay
// that an attacker cannot turn against the owner; the client address from X-Forwarded-For only
// with --trust-proxy; links that leave the server built from --public-url, never from Host;
// HSTS and Secure cookies with an https public URL; sign-out everywhere and a password change
// ending the other sessions; a new session id on every sign-in; the audit rows of all that.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, Client, DEMO_PASSWORD, ADMIN_PASSWORD } from '../lib/server.mjs';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// raw sends one request with node:http, so that the Host header can be forged and the local
// address chosen (127.0.0.2 is another client address on Linux's loopback). Answers
// {status, headers, cookies: {name: value}, setCookie: [..], text, data}.
function raw(base, method, path, { headers = {}, json, body, localAddress } = {}) {
  const u = new URL(base);
  const h = { ...headers };
  if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
  return new Promise((ok, fail) => {
    const rq = http.request({ host: u.hostname, port: u.port, method, path, headers: h, localAddress }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const setCookie = res.headers['set-cookie'] || [];
        const cookies = {};
        for (const c of setCookie) {
          const kv = c.split(';')[0];
          const i = kv.indexOf('=');
          cookies[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
        }
        let data = null;
        if ((res.headers['content-type'] || '').startsWith('application/json') && text) data = JSON.parse(text);
        ok({ status: res.statusCode, headers: res.headers, cookies, setCookie, text, data });
      });
    });
    rq.on('error', fail);
    if (body !== undefined) rq.write(body);
    rq.end();
  });
}

const login = (base, username, password, o = {}) =>
  raw(base, 'POST', '/api/v1/login', { json: { username, password }, ...o });
const me = (base, cookie, o = {}) =>
  raw(base, 'GET', '/api/v1/me', { headers: { Cookie: `sl_session=${cookie}`, ...(o.headers || {}) }, ...o });
const xff = (addr) => ({ headers: { 'X-Forwarded-For': addr } });

// auditRows reads the audit page as the root admin: [{action, address, user}], newest first.
async function auditRows(base) {
  const a = new Client(base);
  await a.login('admin', ADMIN_PASSWORD);
  const r = await a.get('/admin/audit');
  assert.equal(r.status, 200);
  const rows = [];
  for (const m of r.text.matchAll(/<tr><td[^>]*>[^<]*<\/td><td[^>]*>([^<]*)<\/td><td[^>]*data-action="([^"]+)"[^>]*>.*?<\/td>(?:<td[^>]*>.*?<\/td>){2}<td[^>]*>([^<]*)<\/td><\/tr>/g))
    rows.push({ user: m[1], action: m[2], address: m[3] });
  return rows;
}

describe('throttling by account and address (no --trust-proxy)', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv.stop(); });

  test('failures from one address cannot stop the owner signing in from another address', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await login(srv.url, 'member', `wrong-${i}`, { localAddress: '127.0.0.1' });
      assert.ok(r.status === 401 || r.status === 429, `attempt ${i}: ${r.status} ${r.text}`);
    }
    // the attacker's own address is throttled, even with the right password
    const blocked = await login(srv.url, 'member', DEMO_PASSWORD, { localAddress: '127.0.0.1' });
    assert.equal(blocked.status, 429, blocked.text);
    assert.equal(blocked.data.error.code, 'rate_limited');
    assert.ok(Number(blocked.headers['retry-after']) >= 1);
    // the owner, from another address, signs in at once
    const owner = await login(srv.url, 'member', DEMO_PASSWORD, { localAddress: '127.0.0.2' });
    assert.equal(owner.status, 200, owner.text);
    assert.equal(owner.data.user.username, 'member');
  });

  test('after 5 failures of a pair: 429, then Retry-After grows 1, 2, 4 s', async () => {
    const a = { localAddress: '127.0.0.3' };
    for (let i = 0; i < 5; i++)
      assert.equal((await login(srv.url, 'guest', `wrong-${i}`, a)).status, 401, `failure ${i + 1}`);
    let r = await login(srv.url, 'guest', 'wrong-x', a);
    assert.equal(r.status, 429, r.text);
    assert.equal(r.headers['retry-after'], '1');
    await sleep(1100);
    assert.equal((await login(srv.url, 'guest', 'wrong-6', a)).status, 401, 'one more try after the wait');
    r = await login(srv.url, 'guest', DEMO_PASSWORD, a);
    assert.equal(r.status, 429, 'throttled even with the right password');
    assert.equal(r.headers['retry-after'], '2');
    await sleep(2100);
    assert.equal((await login(srv.url, 'guest', 'wrong-7', a)).status, 401);
    r = await login(srv.url, 'guest', 'wrong-8', a);
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '4');
    // the page answers the same way
    const form = await raw(srv.url, 'GET', '/login', a);
    const token = /name="csrf_token" value="([0-9a-f]{64})"/.exec(form.text)[1];
    const cookie = Object.entries(form.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
    const page = await raw(srv.url, 'POST', '/login', {
      ...a, body: new URLSearchParams({ csrf_token: token, username: 'guest', password: DEMO_PASSWORD }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
    });
    assert.equal(page.status, 429, page.text.slice(0, 300));
    assert.ok(['3', '4'].includes(page.headers['retry-after']), page.headers['retry-after']);
  });

  test('without --trust-proxy, X-Forwarded-For is ignored', async () => {
    const a = { localAddress: '127.0.0.4' };
    for (let i = 0; i < 5; i++) {
      const r = await login(srv.url, 'organizer', `wrong-${i}`, { ...a, ...xff(`198.51.100.${i + 1}`) });
      assert.equal(r.status, 401, `failure ${i + 1}: ${r.text}`);
    }
    // a new forwarded address does not make a new client: still the same pair, throttled
    const r = await login(srv.url, 'organizer', DEMO_PASSWORD, { ...a, ...xff('203.0.113.77') });
    assert.equal(r.status, 429, r.text);
    const rows = await auditRows(srv.url);
    const failed = rows.filter((x) => x.action === 'login.failed');
    assert.ok(failed.length >= 5);
    assert.ok(failed.every((x) => !x.address.includes('198.51.100.')), 'the forwarded address is not recorded');
    assert.ok(failed.some((x) => x.address === '127.0.0.4'));
  });
});

describe('--trust-proxy: the client address from a trusted proxy', () => {
  let srv;
  before(async () => { srv = await startServer({ args: ['--trust-proxy', 'loopback', '--login-limit-address', '8'] }); });
  after(async () => { await srv.stop(); });

  test('a lock-out attempt from one forwarded address does not stop the owner at another', async () => {
    for (let i = 0; i < 5; i++)
      assert.equal((await login(srv.url, 'member', `wrong-${i}`, xff('203.0.113.5'))).status, 401);
    const r = await login(srv.url, 'member', DEMO_PASSWORD, xff('203.0.113.5'));
    assert.equal(r.status, 429, r.text);
    assert.equal(r.headers['retry-after'], '1');
    const owner = await login(srv.url, 'member', DEMO_PASSWORD, xff('198.51.100.7'));
    assert.equal(owner.status, 200, owner.text);
    // the right-most entry that is not a trusted proxy is the client: a forged left part
    // (the client's own X-Forwarded-For) cannot pick an address
    const forged = await login(srv.url, 'member', DEMO_PASSWORD, xff('198.51.100.7, 203.0.113.5'));
    assert.equal(forged.status, 429, 'the proxy-appended entry counts, not the forged one');
    const skip = await login(srv.url, 'member', DEMO_PASSWORD, xff('198.51.100.8, 127.0.0.1'));
    assert.equal(skip.status, 200, 'a trusted proxy in the chain is skipped');
    const rows = await auditRows(srv.url);
    assert.ok(rows.some((x) => x.action === 'login.failed' && x.address === '203.0.113.5'), JSON.stringify(rows.slice(0, 12)));
    assert.ok(rows.some((x) => x.action === 'login.ok' && x.user === 'member' && x.address === '198.51.100.7'), JSON.stringify(rows.slice(0, 12)));
  });

  test('IPv6 clients are counted by their /64', async () => {
    for (let i = 0; i < 5; i++)
      assert.equal((await login(srv.url, 'guest', `wrong-${i}`, xff(`2001:db8:1:2::${i + 1}`))).status, 401);
    const same = await login(srv.url, 'guest', DEMO_PASSWORD, xff('2001:db8:1:2:ffff::99'));
    assert.equal(same.status, 429, 'another address of the same /64 is the same client');
    const other = await login(srv.url, 'guest', DEMO_PASSWORD, xff('2001:db8:1:3::5'));
    assert.equal(other.status, 200, other.text);
  });

  test('per-address limit across accounts', async () => {
    const a = xff('192.0.2.44');
    const users = ['guest', 'organizer', 'yt-organizer', 'ft-member', 'sz-admin', 'nobody1', 'nobody2', 'nobody3'];
    for (const u of users) assert.equal((await login(srv.url, u, 'wrong-one', a)).status, 401, u);
    // every account is throttled from this address now, the right password too
    const r = await login(srv.url, 'organizer', DEMO_PASSWORD, a);
    assert.equal(r.status, 429, r.text);
    assert.ok(Number(r.headers['retry-after']) >= 1);
    assert.equal((await login(srv.url, 'organizer', DEMO_PASSWORD, xff('192.0.2.45'))).status, 200);
  });
});

describe('--public-url: links that leave the server', () => {
  test('by default http://<listen address>; a forged Host changes neither join link nor QR code nor .ics', async () => {
    const srv = await startServer();
    try {
      const org = new Client(srv.url);
      await org.login('organizer', DEMO_PASSWORD);
      const t = await org.post('/api/v1/topics', { title: `公开链接测试${Math.random()}`, domain: 'society', origin: 'public' });
      await org.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
      const s = await org.post('/api/v1/sessions', { topic_id: t.data.id, title: '链接测试', formats: ['sector'], visibility: 'public' });
      const room = await org.post(`/api/v1/sessions/${s.data.id}/room`, { anonymous: true, moderation: 'post' });
      assert.equal(room.status, 200, room.text);
      assert.equal(room.data.join_url, `${srv.url}/j/${room.data.code}`);
      const hdr = { Cookie: org.cookieHeader() };
      const plain = await raw(srv.url, 'GET', `/api/v1/sessions/${s.data.id}/room`, { headers: hdr });
      const forged = await raw(srv.url, 'GET', `/api/v1/sessions/${s.data.id}/room`, { headers: { ...hdr, Host: 'evil.example' } });
      assert.equal(forged.status, 200, forged.text);
      assert.equal(forged.data.join_url, plain.data.join_url);
      assert.doesNotMatch(forged.text, /evil\.example/);
      const map = await raw(srv.url, 'GET', `/sessions/${s.data.id}/map`, { headers: hdr });
      const evilMap = await raw(srv.url, 'GET', `/sessions/${s.data.id}/map`, { headers: { ...hdr, Host: 'evil.example' } });
      assert.equal(evilMap.status, 200);
      const qr = (x) => /<div class="qr">([\s\S]*?)<\/div>/.exec(x.text)[1];
      assert.equal(qr(evilMap), qr(map), 'the QR code does not follow the Host header');
      assert.doesNotMatch(evilMap.text, /evil\.example/);
      const ics = await raw(srv.url, 'GET', `/sessions/${s.data.id}.ics`, { headers: { ...hdr, Host: 'evil.example' } });
      assert.equal(ics.status, 200);
      assert.doesNotMatch(ics.text, /evil\.example/);
      assert.match(ics.text, new RegExp(`UID:session-${s.data.id}@${new URL(srv.url).host.replace(/\./g, '\\.')}\r`));
      assert.equal(plain.headers['strict-transport-security'], undefined, 'no HSTS over http');
    } finally { await srv.stop(); }
  });

  test('https public URL: the links use it, HSTS is sent and cookies are Secure', async () => {
    const srv = await startServer({ args: ['--public-url', 'https://zx.example.cn'] });
    try {
      const r = await login(srv.url, 'organizer', DEMO_PASSWORD);
      assert.equal(r.status, 200);
      assert.match(r.headers['strict-transport-security'], /max-age=31536000/);
      assert.match(r.setCookie.join('\n'), /sl_session=[0-9a-f]{64};[^\n]*Secure/);
      const health = await raw(srv.url, 'GET', '/api/v1/health');
      assert.match(health.headers['strict-transport-security'], /max-age=31536000/);
      const page = await raw(srv.url, 'GET', '/login');
      assert.match(page.setCookie.join('\n'), /Secure/);
      const hdr = { Cookie: `sl_session=${r.cookies.sl_session}`, 'X-CSRF-Token': r.data.csrf_token };
      const t = await raw(srv.url, 'POST', '/api/v1/topics', { headers: hdr, json: { title: `https 链接${Math.random()}`, domain: 'society', origin: 'public' } });
      await raw(srv.url, 'POST', `/api/v1/topics/${t.data.id}/transition`, { headers: hdr, json: { to: 'approved' } });
      const s = await raw(srv.url, 'POST', '/api/v1/sessions', { headers: hdr, json: { topic_id: t.data.id, title: 'https 测试', formats: ['sector'], visibility: 'public' } });
      const room = await raw(srv.url, 'POST', `/api/v1/sessions/${s.data.id}/room`, { headers: { ...hdr, Host: 'evil.example' }, json: { anonymous: true } });
      assert.equal(room.status, 200, room.text);
      assert.equal(room.data.join_url, `https://zx.example.cn/j/${room.data.code}`);
      const ics = await raw(srv.url, 'GET', `/sessions/${s.data.id}.ics`, { headers: { Cookie: hdr.Cookie, Host: 'evil.example' } });
      assert.equal(ics.status, 200);
      assert.match(ics.text, new RegExp(`UID:session-${s.data.id}@zx\\.example\\.cn\r`));
      assert.match(ics.text, new RegExp(`URL:https://zx\\.example\\.cn/sessions/${s.data.id}\r`));
    } finally { await srv.stop(); }
  });

  test('a bad --public-url is refused at start', async () => {
    await assert.rejects(startServer({ args: ['--public-url', 'ftp://x.example'] }));
    await assert.rejects(startServer({ args: ['--public-url', 'https://x.example/path?q'] }));
  });
});

describe('sessions of an account', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv.stop(); });

  async function signIn(username, password = DEMO_PASSWORD) {
    const c = new Client(srv.url);
    await c.login(username, password);
    return c;
  }

  test('a password change ends the other sessions of the account, not this one', async () => {
    const a = await signIn('ft-member');
    const b = await signIn('ft-member');
    const other = await signIn('member');
    const id = (await a.get('/api/v1/me')).data.user.id;
    const r = await a.patch(`/api/v1/users/${id}`, { password: 'changed-pass-1', current_password: DEMO_PASSWORD });
    assert.equal(r.status, 200, r.text);
    assert.equal((await a.get('/api/v1/me')).status, 200, 'the session that changed it stays');
    assert.equal((await b.get('/api/v1/me')).status, 401, 'the other session ended');
    assert.equal((await other.get('/api/v1/me')).status, 200, 'other accounts are untouched');
    const c = await signIn('ft-member', 'changed-pass-1');
    assert.equal((await c.get('/api/v1/me')).status, 200);
    // the account page does the same
    const page = await a.get('/account');
    const token = /name="csrf_token" value="([0-9a-f]{64})"/.exec(page.text)[1];
    const f = await a.req('POST', '/account/password', {
      body: new URLSearchParams({ csrf_token: token, current_password: 'changed-pass-1', password: 'changed-pass-2', password_again: 'changed-pass-2' }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(f.status, 303, f.text);
    assert.equal((await a.get('/api/v1/me')).status, 200);
    assert.equal((await c.get('/api/v1/me')).status, 401);
  });

  test('an admin setting a password ends every session of that account', async () => {
    const victim = await signIn('yt-organizer');
    const admin = await signIn('sz-admin');
    const id = (await victim.get('/api/v1/me')).data.user.id;
    const r = await admin.patch(`/api/v1/users/${id}`, { password: 'admin-set-pass-1' });
    assert.equal(r.status, 200, r.text);
    assert.equal((await victim.get('/api/v1/me')).status, 401);
    assert.equal((await admin.get('/api/v1/me')).status, 200);
  });

  test('sign out everywhere: API and account page end the other sessions; bearer tokens stay', async () => {
    const a = await signIn('guest');
    const b = await signIn('guest');
    const c = await signIn('guest');
    const r = await a.post('/api/v1/me/sessions/revoke', {});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.ended, 2);
    assert.equal((await a.get('/api/v1/me')).status, 200);
    assert.equal((await b.get('/api/v1/me')).status, 401);
    assert.equal((await c.get('/api/v1/me')).status, 401);
    // CSRF is needed
    const d = await signIn('guest');
    assert.equal((await d.req('POST', '/api/v1/me/sessions/revoke', { json: {}, csrf: false })).status, 403);
    // the button on the account page
    const page = await d.get('/account');
    assert.match(page.text, /action="\/account\/sessions\/revoke"/);
    const token = /name="csrf_token" value="([0-9a-f]{64})"/.exec(page.text)[1];
    const f = await d.req('POST', '/account/sessions/revoke', {
      body: new URLSearchParams({ csrf_token: token }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(f.status, 303);
    assert.equal(f.headers.get('location'), '/account?revoked=1');
    assert.equal((await d.get('/api/v1/me')).status, 200);
    assert.equal((await a.get('/api/v1/me')).status, 401, 'the API sign-in ended by the page');
    assert.equal((await anonymous().post('/api/v1/me/sessions/revoke', {})).status, 401);
    function anonymous() { return new Client(srv.url); }
  });

  test('the session id changes on sign-in: no cookie set before sign-in is the one after', async () => {
    // a planted cookie is not adopted
    const planted = 'a'.repeat(64);
    const r = await login(srv.url, 'member', DEMO_PASSWORD, { headers: { Cookie: `sl_session=${planted}` } });
    assert.equal(r.status, 200);
    assert.match(r.cookies.sl_session, /^[0-9a-f]{64}$/);
    assert.notEqual(r.cookies.sl_session, planted);
    // signing in again on the same browser: a new id, and the old one no longer works
    const first = r.cookies.sl_session;
    const again = await login(srv.url, 'member', DEMO_PASSWORD, { headers: { Cookie: `sl_session=${first}`, 'X-CSRF-Token': r.data.csrf_token } });
    assert.equal(again.status, 200);
    assert.notEqual(again.cookies.sl_session, first);
    assert.equal((await me(srv.url, first)).status, 401, 'the session before the sign-in ended');
    assert.equal((await me(srv.url, again.cookies.sl_session)).status, 200);
    // the sign-in page: the cookies of the anonymous visit are not the session's
    const c = new Client(srv.url);
    const form = await c.get('/login');
    const before = new Map(c.cookies);
    const token = /name="csrf_token" value="([0-9a-f]{64})"/.exec(form.text)[1];
    const ok = await c.req('POST', '/login', {
      body: new URLSearchParams({ csrf_token: token, username: 'member', password: DEMO_PASSWORD }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(ok.status, 303);
    const sid = c.cookies.get('sl_session');
    assert.match(sid, /^[0-9a-f]{64}$/);
    for (const v of before.values()) assert.notEqual(sid, v);
  });

  test('audit: sign-ins with their address, sign-out everywhere, password and role changes', async () => {
    const admin = await signIn('sz-admin');
    const users = (await admin.get('/api/v1/users?limit=500')).data.items;
    const g = users.find((u) => u.username === 'organizer');
    const r = await admin.patch(`/api/v1/users/${g.id}`, { role: 'member' });
    assert.equal(r.status, 200, r.text);
    const rows = await auditRows(srv.url);
    const has = (action, user) => rows.some((x) => x.action === action && (!user || x.user === user));
    assert.ok(has('login.ok', 'member'), 'login.ok');
    assert.ok(rows.some((x) => x.action === 'login.ok' && x.address === '127.0.0.1'), 'login.ok names the address');
    assert.ok(has('logout.everywhere', 'guest'), 'logout.everywhere');
    assert.ok(has('user.password', 'ft-member'), 'user.password');
    assert.ok(has('user.role', 'sz-admin'), 'user.role');
  });
});
