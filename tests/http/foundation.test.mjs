// HTTP tests of the foundation's fixed interface (issue #2), against a real server on a real
// SQLite file, over real HTTP. Each line of the interface with its error cases.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, run, DEMO_PASSWORD, ADMIN_PASSWORD } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const anon = () => new Client(srv.url);
async function as(username, password = DEMO_PASSWORD) {
  const c = new Client(srv.url);
  await c.login(username, password);
  return c;
}
function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.data && r.data.error, `error body expected: ${r.text}`);
  if (code) assert.equal(r.data.error.code, code, r.text);
  if (field) assert.equal(r.data.error.field, field, r.text);
  assert.equal(typeof r.data.error.message, 'string');
  assert.ok(r.data.error.message.length > 0);
}
async function orgId(c, slug) {
  const r = await c.get('/api/v1/orgs?limit=500');
  const o = r.data.items.find((x) => x.slug === slug);
  assert.ok(o, `org ${slug} visible`);
  return o.id;
}

describe('health', () => {
  test('GET /api/v1/health answers status, version, schema', async () => {
    const r = await anon().get('/api/v1/health');
    assert.equal(r.status, 200);
    assert.equal(r.data.status, 'ok');
    assert.match(r.data.version, /^\d+\.\d+\.\d+/);
    assert.ok(Number.isInteger(r.data.schema) && r.data.schema >= 1);
  });
  test('wrong method is 405 with Allow', async () => {
    const r = await anon().post('/api/v1/health', {});
    assertError(r, 405, 'method_not_allowed');
    assert.match(r.headers.get('allow'), /GET/);
  });
  test('unknown API path is 404 JSON', async () => {
    assertError(await anon().get('/api/v1/no-such-thing'), 404, 'not_found');
  });
});

describe('login', () => {
  test('good credentials: 200, user, csrf token, HttpOnly SameSite cookie', async () => {
    const c = anon();
    const r = await c.post('/api/v1/login', { username: 'organizer', password: DEMO_PASSWORD });
    assert.equal(r.status, 200);
    assert.equal(r.data.user.username, 'organizer');
    assert.equal(r.data.user.password_hash, undefined);
    assert.match(r.data.csrf_token, /^[0-9a-f]{64}$/);
    const sc = r.headers.getSetCookie().join('\n');
    assert.match(sc, /sl_session=[0-9a-f]{64}/);
    assert.match(sc, /HttpOnly/);
    assert.match(sc, /SameSite=Lax/);
    assert.doesNotMatch(sc, /Secure/);
  });
  test('wrong password and unknown user: 401', async () => {
    assertError(await anon().post('/api/v1/login', { username: 'member', password: 'nope-nope' }), 401, 'bad_credentials');
    assertError(await anon().post('/api/v1/login', { username: 'nobody', password: 'nope-nope' }), 401, 'bad_credentials');
  });
  test('malformed JSON: 400 invalid_json', async () => {
    const r = await anon().req('POST', '/api/v1/login', { body: '{"username": "x",', headers: { 'Content-Type': 'application/json' } });
    assertError(r, 400, 'invalid_json');
  });
  test('not an object: 400 invalid_json', async () => {
    assertError(await anon().post('/api/v1/login', ['admin']), 400, 'invalid_json');
  });
  test('wrong content type: 415', async () => {
    const r = await anon().req('POST', '/api/v1/login', { body: 'username=admin', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assertError(r, 415, 'unsupported_media_type');
  });
  test('invalid UTF-8 names the field: 400', async () => {
    const body = Buffer.concat([Buffer.from('{"username":"ad'), Buffer.from([0xc3, 0x28]), Buffer.from('","password":"x"}')]);
    const r = await anon().req('POST', '/api/v1/login', { body, headers: { 'Content-Type': 'application/json' } });
    assertError(r, 400, 'invalid_utf8', 'username');
    const body2 = Buffer.concat([Buffer.from('{"username":"admin","password":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const r2 = await anon().req('POST', '/api/v1/login', { body: body2, headers: { 'Content-Type': 'application/json' } });
    assertError(r2, 400, 'invalid_utf8', 'password');
  });
  test('missing fields: 400 naming the field', async () => {
    assertError(await anon().post('/api/v1/login', { password: 'x' }), 400, null, 'username');
    assertError(await anon().post('/api/v1/login', { username: 'admin' }), 400, null, 'password');
  });
  test('body over the limit: 413', async () => {
    const r = await anon().post('/api/v1/login', { username: 'a'.repeat(2 << 20), password: 'x' });
    assert.equal(r.status, 413);
  });
  test('too many failures of one account from one address: 429 with Retry-After, even with the right password', async () => {
    // (the account is not locked: another address still signs in, tests/http/accounts.test.mjs)
    const c = anon();
    for (let i = 0; i < 5; i++) {
      const r = await c.post('/api/v1/login', { username: 'guest', password: `wrong-${i}` });
      assert.equal(r.status, 401);
    }
    const r = await c.post('/api/v1/login', { username: 'guest', password: DEMO_PASSWORD });
    assertError(r, 429, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    // other users are not affected
    assert.equal((await anon().post('/api/v1/login', { username: 'member', password: DEMO_PASSWORD })).status, 200);
  });
});

describe('me and logout', () => {
  test('GET /api/v1/me: 401 anonymous, 200 with user, org, role', async () => {
    assertError(await anon().get('/api/v1/me'), 401, 'unauthorized');
    const c = await as('organizer');
    const r = await c.get('/api/v1/me');
    assert.equal(r.status, 200);
    assert.equal(r.data.user.username, 'organizer');
    assert.equal(r.data.role, 'organizer');
    assert.deepEqual(Object.keys(r.data.org).sort().filter((k) => ['id', 'slug', 'name', 'level'].includes(k)), ['id', 'level', 'name', 'slug']);
    assert.equal(r.data.org.slug, 'sz');
    assert.equal(r.data.org.level, 'city');
  });
  test('bearer token from the command line works without CSRF; a bad one is 401', async () => {
    const t = run(['token', 'create', '--db', srv.db, '--username', 'sz-admin']);
    assert.equal(t.status, 0, t.stderr);
    const c = anon();
    c.token = t.stdout.trim();
    assert.match(c.token, /^[0-9a-f]{64}$/);
    const r = await c.get('/api/v1/me');
    assert.equal(r.status, 200);
    assert.equal(r.data.user.username, 'sz-admin');
    const created = await c.post('/api/v1/orgs', { slug: 'bearer-made', name: '令牌区政协', level: 'district' });
    assert.equal(created.status, 201, created.text);
    const bad = anon();
    bad.token = 'f'.repeat(64);
    assertError(await bad.get('/api/v1/me'), 401);
  });
  test('logout: CSRF required with a cookie; 204; the session ends', async () => {
    const c = await as('member');
    assertError(await c.req('POST', '/api/v1/logout', { csrf: false }), 403, 'csrf');
    assertError(await c.req('POST', '/api/v1/logout', { headers: { 'X-CSRF-Token': '0'.repeat(64) } }), 403, 'csrf');
    const saved = c.cookieHeader();
    const r = await c.req('POST', '/api/v1/logout');
    assert.equal(r.status, 204);
    assertError(await c.get('/api/v1/me'), 401);
    // the old cookie is dead on the server too
    const replay = await anon().get('/api/v1/me', { headers: { Cookie: saved } });
    assert.equal(replay.status, 401);
  });
  test('logout when not signed in: 401', async () => {
    assertError(await anon().req('POST', '/api/v1/logout'), 401);
  });
});

describe('orgs', () => {
  test('list: own subtree and ancestors, cursor pagination, limit bounds', async () => {
    const c = await as('sz-admin');
    const r = await c.get('/api/v1/orgs');
    assert.equal(r.status, 200);
    const slugs = r.data.items.map((o) => o.slug);
    for (const s of ['gd', 'sz', 'sz-yantian', 'sz-futian']) assert.ok(slugs.includes(s), s);
    assert.equal(r.data.next, null);
    const p1 = await c.get('/api/v1/orgs?limit=1');
    assert.equal(p1.data.items.length, 1);
    assert.equal(typeof p1.data.next, 'string');
    const p2 = await c.get(`/api/v1/orgs?limit=1&cursor=${encodeURIComponent(p1.data.next)}`);
    assert.equal(p2.data.items.length, 1);
    assert.notEqual(p2.data.items[0].id, p1.data.items[0].id);
    let all = [], cur = null;
    do {
      const p = await c.get(`/api/v1/orgs?limit=2${cur ? `&cursor=${cur}` : ''}`);
      all = all.concat(p.data.items); cur = p.data.next;
    } while (cur);
    assert.deepEqual(all.map((o) => o.id), r.data.items.map((o) => o.id));
    assertError(await c.get('/api/v1/orgs?limit=501'), 400, null, 'limit');
    assertError(await c.get('/api/v1/orgs?limit=0'), 400, null, 'limit');
    assertError(await c.get('/api/v1/orgs?limit=abc'), 400, null, 'limit');
    assertError(await c.get('/api/v1/orgs?cursor=x1'), 400, null, 'cursor');
    assertError(await anon().get('/api/v1/orgs'), 401);
  });
  test('create: 201 with id; validation 422 naming the field; duplicate slug 409; nothing changed on error', async () => {
    const c = await as('sz-admin');
    const sz = await orgId(c, 'sz');
    const r = await c.post('/api/v1/orgs', { slug: 'sz-luohu', name: '罗湖区政协', level: 'district', parent_id: sz });
    assert.equal(r.status, 201, r.text);
    assert.ok(Number.isInteger(r.data.id));
    assert.equal(r.data.parent_id, sz);
    const before = (await c.get('/api/v1/orgs?limit=500')).data.items.length;
    assertError(await c.post('/api/v1/orgs', { slug: 'sz-luohu', name: '重复', level: 'district' }), 409, 'conflict', 'slug');
    assertError(await c.post('/api/v1/orgs', { slug: 'Bad Slug', name: 'x', level: 'district' }), 422, null, 'slug');
    assertError(await c.post('/api/v1/orgs', { slug: 'okslug', name: '', level: 'district' }), 422, null, 'name');
    assertError(await c.post('/api/v1/orgs', { slug: 'okslug', name: 'x', level: 'village' }), 422, null, 'level');
    assertError(await c.post('/api/v1/orgs', { slug: 'okslug', name: 'x', level: 'city', parent_id: sz }), 422, null, 'level');
    assertError(await c.post('/api/v1/orgs', { slug: 'okslug', name: 'x', level: 'district', parent_id: 999999 }), 422, null, 'parent_id');
    assertError(await c.post('/api/v1/orgs', { slug: 'okslug', name: 123, level: 'district' }), 422, 'invalid_type', 'name');
    assertError(await c.post('/api/v1/orgs', { slug: 'okslug', name: 'x'.repeat(101), level: 'district' }), 422, null, 'name');
    assert.equal((await c.get('/api/v1/orgs?limit=500')).data.items.length, before);
  });
  test('create: slug and level may be left out (org-<id>, one level below the parent)', async () => {
    const c = await as('sz-admin');
    const r = await c.post('/api/v1/orgs', { name: '宝安区政协' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.slug, `org-${r.data.id}`);
    assert.equal(r.data.level, 'district');
    const ns = await orgId(c, 'sz-yantian');
    assertError(await c.post('/api/v1/orgs', { name: '街道', parent_id: ns }), 422, null, 'level');
  });
  test('create: outside the admin\'s subtree 403; non-admin 403; cookie without CSRF 403 csrf', async () => {
    const c = await as('sz-admin');
    const root = await orgId(c, 'gd');
    assertError(await c.post('/api/v1/orgs', { slug: 'gz', name: '广州市政协', level: 'city', parent_id: root }), 403, 'forbidden');
    const m = await as('organizer');
    assertError(await m.post('/api/v1/orgs', { slug: 'x-org', name: 'x', level: 'district' }), 403, 'forbidden');
    assertError(await c.req('POST', '/api/v1/orgs', { json: { slug: 'nocsrf', name: 'x', level: 'district' }, csrf: false }), 403, 'csrf');
    assertError(await c.req('POST', '/api/v1/orgs', { body: 'slug=x', headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
    assertError(await c.req('POST', '/api/v1/orgs', { body: '{bad', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  });
  test('get: 200 own, 404 another branch (out of sight) or missing', async () => {
    const admin = await as('sz-admin');
    const ns = await orgId(admin, 'sz-yantian');
    const ft = await orgId(admin, 'sz-futian');
    // a district admin sees its own district but not its sibling
    const cu = await admin.post('/api/v1/users', { username: 'yt-admin', password: 'district-pass', role: 'admin', org_id: ns });
    assert.equal(cu.status, 201, cu.text);
    const d = await as('yt-admin', 'district-pass');
    assert.equal((await d.get(`/api/v1/orgs/${ns}`)).status, 200);
    assertError(await d.get(`/api/v1/orgs/${ft}`), 404, 'not_found');
    assertError(await d.get('/api/v1/orgs/999999'), 404, 'not_found');
    assertError(await d.get('/api/v1/orgs/abc'), 404);
    const list = (await d.get('/api/v1/orgs')).data.items.map((o) => o.slug);
    assert.ok(list.includes('sz') && list.includes('sz-yantian'));
    assert.ok(!list.includes('sz-futian'), 'sibling branch hidden');
    assertError(await d.patch(`/api/v1/orgs/${ft}`, { name: '改名' }), 404);
  });
  test('patch: 200, audited; 403 for non-admins; level cannot change', async () => {
    const c = await as('sz-admin');
    const ft = await orgId(c, 'sz-futian');
    const r = await c.patch(`/api/v1/orgs/${ft}`, { name: '福田区政协（新）' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.name, '福田区政协（新）');
    assert.equal((await c.get(`/api/v1/orgs/${ft}`)).data.name, '福田区政协（新）');
    assertError(await c.patch(`/api/v1/orgs/${ft}`, { level: 'city' }), 422, null, 'level');
    assertError(await c.patch(`/api/v1/orgs/${ft}`, { slug: 'sz' }), 409, 'conflict', 'slug');
    assertError(await (await as('member')).patch(`/api/v1/orgs/${ft}`, { name: 'x' }), 403);
    const audit = await c.get('/admin/audit');
    assert.equal(audit.status, 200);
    assert.match(audit.text, /org\.update/);
    assert.match(audit.text, /sz-admin/);
  });
});

describe('users', () => {
  test('list: admins only, own subtree only', async () => {
    const c = await as('sz-admin');
    const r = await c.get('/api/v1/users?limit=500');
    assert.equal(r.status, 200);
    const names = r.data.items.map((u) => u.username);
    for (const u of ['sz-admin', 'organizer', 'member', 'yt-organizer', 'ft-member']) assert.ok(names.includes(u), u);
    assert.ok(!names.includes('admin'), 'the province admin is above this admin');
    assert.ok(r.data.items.every((u) => u.password_hash === undefined));
    assertError(await (await as('organizer')).get('/api/v1/users'), 403, 'forbidden');
    assertError(await anon().get('/api/v1/users'), 401);
  });
  test('create: 201; validation; duplicates; other branch 403', async () => {
    const c = await as('sz-admin');
    const r = await c.post('/api/v1/users', { username: 'new-org', password: 'password-1', role: 'organizer', display_name: '新组织者' });
    assert.equal(r.status, 201, r.text);
    assert.ok(Number.isInteger(r.data.id));
    assert.equal(r.data.role, 'organizer');
    assert.equal((await new Client(srv.url).login('new-org', 'password-1')).status, 200);
    assertError(await c.post('/api/v1/users', { username: 'new-org', password: 'password-1', role: 'member' }), 409, 'conflict', 'username');
    assertError(await c.post('/api/v1/users', { username: 'short-pw', password: 'short', role: 'member' }), 422, null, 'password');
    assertError(await c.post('/api/v1/users', { username: 'bad-role', password: 'password-1', role: 'king' }), 422, null, 'role');
    assertError(await c.post('/api/v1/users', { username: 'x', password: 'password-1', role: 'member' }), 422, null, 'username');
    assertError(await c.post('/api/v1/users', { username: 'no-pw', role: 'member' }), 422, null, 'password');
    const root = await orgId(c, 'gd');
    assertError(await c.post('/api/v1/users', { username: 'up-there', password: 'password-1', role: 'member', org_id: root }), 403);
  });
  test('get: self yes, others only for managing admins', async () => {
    const admin = await as('sz-admin');
    const users = (await admin.get('/api/v1/users?limit=500')).data.items;
    const id = (n) => users.find((u) => u.username === n).id;
    const m = await as('member');
    assert.equal((await m.get(`/api/v1/users/${id('member')}`)).status, 200);
    assertError(await m.get(`/api/v1/users/${id('organizer')}`), 403);
    assert.equal((await admin.get(`/api/v1/users/${id('yt-organizer')}`)).status, 200);
    assertError(await admin.get('/api/v1/users/999999'), 404);
  });
  test('patch: role by admin, own name and password by self, with the current password', async () => {
    const admin = await as('sz-admin');
    const users = (await admin.get('/api/v1/users?limit=500')).data.items;
    const id = (n) => users.find((u) => u.username === n).id;
    const r = await admin.patch(`/api/v1/users/${id('ft-member')}`, { role: 'organizer' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.role, 'organizer');
    const m = await as('member');
    assertError(await m.patch(`/api/v1/users/${id('member')}`, { role: 'admin' }), 403);
    const n = await m.patch(`/api/v1/users/${id('member')}`, { display_name: '王委员（改）' });
    assert.equal(n.status, 200);
    assert.equal(n.data.display_name, '王委员（改）');
    assertError(await m.patch(`/api/v1/users/${id('member')}`, { password: 'new-password-1' }), 422, null, 'current_password');
    assertError(await m.patch(`/api/v1/users/${id('member')}`, { password: 'new-password-1', current_password: 'wrong-one' }), 422, null, 'current_password');
    const ok = await m.patch(`/api/v1/users/${id('member')}`, { password: 'new-password-1', current_password: DEMO_PASSWORD });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await m.get('/api/v1/me')).status, 200); // the other sign-ins end, not this one
    await new Client(srv.url).login('member', 'new-password-1');
    assertError(await admin.patch(`/api/v1/users/${id('sz-admin')}`, { role: 'member' }), 422, null, 'role');
  });
  test('a disabled account cannot sign in; its sessions end', async () => {
    const admin = await as('sz-admin');
    const users = (await admin.get('/api/v1/users?limit=500')).data.items;
    const g = users.find((u) => u.username === 'yt-organizer');
    const victim = await as('yt-organizer');
    const r = await admin.patch(`/api/v1/users/${g.id}`, { disabled: true });
    assert.equal(r.status, 200);
    assert.equal(r.data.disabled, true);
    assertError(await victim.get('/api/v1/me'), 401);
    assertError(await anon().post('/api/v1/login', { username: 'yt-organizer', password: DEMO_PASSWORD }), 401);
    assertError(await admin.patch(`/api/v1/users/${g.id}`, { disabled: 'yes' }), 422, 'invalid_type', 'disabled');
  });
});

describe('limits', () => {
  test('oversized headers are refused', async () => {
    const r = await anon().get('/api/v1/health', { headers: { 'X-Big': 'x'.repeat(100 * 1024) } }).catch((e) => ({ status: 'closed', e }));
    assert.ok(r.status === 'closed' || r.status === 431 || r.status === 413, `got ${r.status}`);
    assert.equal((await anon().get('/api/v1/health')).status, 200, 'server still serves');
  });
  test('--secure-cookies marks the session cookie Secure', async () => {
    const s2 = await startServer({ args: ['--secure-cookies'] });
    try {
      const r = await new Client(s2.url).post('/api/v1/login', { username: 'member', password: DEMO_PASSWORD });
      assert.equal(r.status, 200);
      assert.match(r.headers.getSetCookie().join('\n'), /sl_session=[^;]+;.*Secure/);
    } finally { await s2.stop(); }
  });
  test('per-address sign-in limit', async () => {
    const s2 = await startServer({ args: ['--login-limit-address', '3'] });
    try {
      const c = new Client(s2.url);
      for (const u of ['member', 'guest', 'organizer']) assert.equal((await c.post('/api/v1/login', { username: u, password: 'wrong-one' })).status, 401);
      const r = await c.post('/api/v1/login', { username: 'sz-admin', password: DEMO_PASSWORD });
      assert.equal(r.status, 429);
      assert.ok(Number(r.headers.get('retry-after')) > 0);
    } finally { await s2.stop(); }
  });
});

describe('pages', () => {
  test('login page is Chinese by default, English by Accept-Language and by the remembered switch', async () => {
    const zh = await anon().get('/login');
    assert.equal(zh.status, 200);
    assert.match(zh.text, /<html lang="zh-CN">/);
    assert.match(zh.text, /登录/);
    assert.match(zh.headers.get('content-security-policy'), /default-src 'self'/);
    const en = await anon().get('/login', { headers: { 'Accept-Language': 'en-US,en;q=0.9' } });
    assert.match(en.text, /Sign in/);
    const c = anon();
    const sw = await c.get('/lang?to=en&next=/login');
    assert.equal(sw.status, 303);
    assert.equal(sw.headers.get('location'), '/login');
    assert.match((await c.get('/login')).text, /<html lang="en">/);
    assert.equal((await c.get('/lang?to=xx')).status, 400);
    const evil = await c.get('/lang?to=zh&next=//evil.example/');
    assert.equal(evil.headers.get('location'), '/');
  });
  test('form login needs the form token; then the dashboard', async () => {
    const c = anon();
    const page = await c.get('/login');
    const token = /name="csrf_token" value="([0-9a-f]{64})"/.exec(page.text)[1];
    const form = (o) => new URLSearchParams(o).toString();
    const hdr = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const no = await c.req('POST', '/login', { body: form({ username: 'organizer', password: DEMO_PASSWORD }), headers: hdr });
    assert.equal(no.status, 403);
    const bad = await c.req('POST', '/login', { body: form({ csrf_token: token, username: 'organizer', password: 'wrong-pass' }), headers: hdr });
    assert.equal(bad.status, 401);
    assert.match(bad.text, /用户名或密码不正确/);
    const ok = await c.req('POST', '/login', { body: form({ csrf_token: token, username: 'organizer', password: DEMO_PASSWORD, next: '/dashboard' }), headers: hdr });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/dashboard');
    const dash = await c.get('/dashboard');
    assert.equal(dash.status, 200);
    assert.match(dash.text, /李组织/);
    assert.match(dash.text, /深圳市政协/);
  });
  test('signed-in pages redirect anonymous visitors to the login page', async () => {
    const r = await anon().get('/dashboard');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/login?next=/dashboard');
    assert.equal((await (await as('organizer')).get('/admin/users')).status, 403);
  });
  test('HTML 404 page; user text is escaped', async () => {
    const r = await anon().get('/no/such/page');
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type'), /text\/html/);
    const admin = await as('sz-admin');
    const x = await admin.post('/api/v1/orgs', { slug: 'xss-test', name: '<script>alert(1)</script>', level: 'district' });
    assert.equal(x.status, 201);
    const page = await admin.get('/admin/orgs');
    assert.ok(!page.text.includes('<script>alert(1)</script>'));
    assert.ok(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });
  test('static files carry ETag and cache headers; If-None-Match gives 304', async () => {
    const r = await anon().get('/static/style.css');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/css/);
    const etag = r.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]+"$/);
    assert.match(r.headers.get('cache-control'), /max-age/);
    const again = await anon().get('/static/style.css', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal((await anon().get('/static/nope.css')).status, 404);
    assert.equal((await anon().get('/static/..%2Fmigrations')).status, 404);
  });
});
