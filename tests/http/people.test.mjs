// HTTP tests of the people registry (issue 3 part 1): each line of its fixed interface with
// its error cases, against a real server on a real SQLite file with the demo data.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const anon = () => new Client(srv.url);
const clients = new Map();
async function as(username, password = DEMO_PASSWORD) {
  if (clients.has(username)) return clients.get(username);
  const c = new Client(srv.url);
  await c.login(username, password);
  clients.set(username, c);
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
async function userId(username) {
  const r = await (await as('sz-admin')).get('/api/v1/users?limit=500');
  const u = r.data.items.find((x) => x.username === username);
  assert.ok(u, `user ${username}`);
  return u.id;
}
// all lists every person c sees (following the cursor), with optional query string.
async function all(c, query = '') {
  let items = [], cur = null;
  do {
    const r = await c.get(`/api/v1/people?limit=500${query}${cur ? `&cursor=${cur}` : ''}`);
    assert.equal(r.status, 200, r.text);
    items = items.concat(r.data.items); cur = r.data.next;
  } while (cur);
  return items;
}
const count = async () => (await all(await as('sz-admin'))).length;
function csv(c, body, type = 'text/csv', o = {}) {
  return c.req('POST', '/api/v1/people/import', { body, headers: { 'Content-Type': type }, ...o });
}
function form(c, path, fields) {
  return c.req('POST', path, {
    body: new URLSearchParams({ csrf_token: c.csrf, ...fields }).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
}
function gb18030(text) {
  const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: Buffer.from(text, 'utf8') });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout;
}
// unzipMember reads one member of a zip with unzip(1); null when unzip is not installed.
function unzipMember(bytes, member) {
  if (spawnSync('sh', ['-c', 'command -v unzip']).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'people-xlsx-'));
  try {
    writeFileSync(join(dir, 'x.xlsx'), bytes);
    const r = spawnSync('unzip', ['-p', join(dir, 'x.xlsx'), member]);
    assert.equal(r.status, 0, String(r.stderr));
    return r.stdout.toString('utf8');
  } finally { rmSync(dir, { recursive: true, force: true }); }
}
async function getBytes(c, path, headers = {}) {
  const h = { Cookie: c.cookieHeader(), ...headers };
  const res = await fetch(srv.url + path, { headers: h });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const full = {
  name: '测试专家', category: 'expert', sector: '科技界', committee: '教科卫体委员会', term: '第七届',
  affiliation: '深圳某研究院', title: '研究员', phone: '+86 755-1234 5678', email: 'expert@example.cn',
  public_name: true,
};

describe('create', () => {
  test('201 with id, every field, defaults to the caller\'s body', async () => {
    const c = await as('organizer');
    const sz = await orgId(c, 'sz');
    const r = await c.post('/api/v1/people', full);
    assert.equal(r.status, 201, r.text);
    assert.ok(Number.isInteger(r.data.id));
    for (const [k, v] of Object.entries(full)) assert.equal(r.data[k], v, k);
    assert.equal(r.data.org_id, sz);
    assert.equal(r.data.user_id, null);
    assert.match(r.data.created_at, /^\d{4}-\d\d-\d\dT/);
    const min = await c.post('/api/v1/people', { name: '  最少字段  ', category: 'citizen' });
    assert.equal(min.status, 201, min.text);
    assert.equal(min.data.name, '最少字段'); // trimmed
    assert.equal(min.data.sector, '');
    assert.equal(min.data.public_name, false);
    const admin = await as('sz-admin');
    const ft = await orgId(admin, 'sz-futian');
    const below = await admin.post('/api/v1/people', { name: '福田的人', category: 'member', org_id: ft });
    assert.equal(below.status, 201, below.text);
    assert.equal(below.data.org_id, ft);
  });
  test('validation: 422 naming the field, wrong types too (issue 10); nothing created', async () => {
    const c = await as('organizer');
    const before = await count();
    const bad = (o) => c.post('/api/v1/people', { name: '某人', category: 'member', ...o });
    assertError(await bad({ name: undefined }), 422, 'required', 'name');
    assertError(await bad({ name: '   ' }), 422, 'required', 'name');
    assertError(await bad({ name: '名'.repeat(101) }), 422, 'too_long', 'name');
    assertError(await bad({ name: '两\n行' }), 422, 'invalid', 'name');
    assertError(await bad({ category: undefined }), 422, 'required', 'category');
    assertError(await bad({ category: 'king' }), 422, 'invalid', 'category');
    assertError(await bad({ category: 'x'.repeat(40) }), 422, 'invalid', 'category');
    assertError(await bad({ email: 'not-an-address' }), 422, 'invalid', 'email');
    assertError(await bad({ email: 'a@b' }), 422, 'invalid', 'email');
    assertError(await bad({ phone: '138-abc' }), 422, 'invalid', 'phone');
    assertError(await bad({ phone: '+-' }), 422, 'invalid', 'phone');
    assertError(await bad({ affiliation: '单'.repeat(201) }), 422, 'too_long', 'affiliation');
    assertError(await bad({ org_id: 999999 }), 422, 'invalid', 'org_id');
    assertError(await bad({ user_id: 999999 }), 422, 'invalid', 'user_id');
    assertError(await bad({ name: 123 }), 422, 'invalid_type', 'name');
    assertError(await bad({ public_name: 'yes' }), 422, 'invalid_type', 'public_name');
    assertError(await bad({ org_id: 'sz' }), 422, 'invalid_type', 'org_id');
    assertError(await bad({ user_id: -1 }), 422, 'invalid_type', 'user_id');
    // the message is in the caller's language and names the field
    const en = await c.post('/api/v1/people', { category: 'member' }, { headers: { 'Accept-Language': 'en' } });
    assert.match(en.data.error.message, /name is required/);
    const zh = await c.post('/api/v1/people', { category: 'member' });
    assert.match(zh.data.error.message, /姓名/);
    assert.equal(await count(), before);
  });
  test('permissions: members and guests 403, anonymous 401, bodies above 403, CSRF, media type', async () => {
    assertError(await (await as('member')).post('/api/v1/people', { name: 'x', category: 'member' }), 403, 'forbidden');
    assertError(await (await as('guest')).post('/api/v1/people', { name: 'x', category: 'member' }), 403, 'forbidden');
    assertError(await anon().post('/api/v1/people', { name: 'x', category: 'member' }), 401);
    const c = await as('organizer');
    const gd = await orgId(c, 'gd');
    assertError(await c.post('/api/v1/people', { name: 'x', category: 'member', org_id: gd }), 403, 'forbidden');
    const ns = await as('yt-organizer');
    const sz = await orgId(ns, 'sz');
    assertError(await ns.post('/api/v1/people', { name: 'x', category: 'member', org_id: sz }), 403, 'forbidden');
    assertError(await c.req('POST', '/api/v1/people', { json: { name: 'x', category: 'member' }, csrf: false }), 403, 'csrf');
    assertError(await c.req('POST', '/api/v1/people', { body: 'name=x', headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
  });
  test('an account is linked to at most one person; null unlinks', async () => {
    const c = await as('organizer');
    const uid = await userId('organizer');
    const a = await c.post('/api/v1/people', { name: '李组织', category: 'official', user_id: uid });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.data.user_id, uid);
    assertError(await c.post('/api/v1/people', { name: '另一人', category: 'official', user_id: uid }), 409, 'conflict', 'user_id');
    const b = await c.post('/api/v1/people', { name: '另一人', category: 'official' });
    assertError(await c.patch(`/api/v1/people/${b.data.id}`, { user_id: uid }), 409, 'conflict', 'user_id');
    const un = await c.patch(`/api/v1/people/${a.data.id}`, { user_id: null });
    assert.equal(un.status, 200, un.text);
    assert.equal(un.data.user_id, null);
    // an id is a JSON number: its decimal text is a string where a number belongs (issue 10)
    assertError(await c.patch(`/api/v1/people/${b.data.id}`, { user_id: String(uid) }), 422, 'invalid_type', 'user_id');
    const re = await c.patch(`/api/v1/people/${b.data.id}`, { user_id: uid });
    assert.equal(re.status, 200, re.text);
    assert.equal(re.data.user_id, uid);
    // an account of a body outside the caller's subtree cannot be linked: out of sight, it
    // is as unknown as a missing one (issue 9: one authorization path)
    const ns = await as('yt-organizer');
    assertError(await ns.post('/api/v1/people', { name: 'x', category: 'member', user_id: await userId('sz-admin') }), 422, 'invalid', 'user_id');
  });
});

describe('get and patch', () => {
  let id, nsId, ftId;
  before(async () => {
    const c = await as('organizer');
    id = (await c.post('/api/v1/people', { ...full, name: '读写测试' })).data.id;
    const admin = await as('sz-admin');
    nsId = (await admin.post('/api/v1/people', { name: '盐田的人', category: 'member', phone: '123', org_id: await orgId(admin, 'sz-yantian') })).data.id;
    ftId = (await admin.post('/api/v1/people', { name: '福田的人2', category: 'member', org_id: await orgId(admin, 'sz-futian') })).data.id;
  });
  test('get: 200; contact fields for organizers and admins only', async () => {
    const o = await (await as('organizer')).get(`/api/v1/people/${id}`);
    assert.equal(o.status, 200);
    assert.equal(o.data.phone, full.phone);
    assert.equal(o.data.email, full.email);
    for (const who of ['member', 'guest']) {
      const r = await (await as(who)).get(`/api/v1/people/${id}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.data.name, '读写测试');
      assert.equal(r.data.phone, undefined);
      assert.equal(r.data.email, undefined);
      assert.equal(r.data.public_name, true);
    }
  });
  test('get: 404 missing, another branch or a body above (out of sight), 401 anonymous', async () => {
    const c = await as('organizer');
    assertError(await c.get('/api/v1/people/999999'), 404, 'not_found');
    assertError(await c.get('/api/v1/people/abc'), 404);
    const ns = await as('yt-organizer');
    assert.equal((await ns.get(`/api/v1/people/${nsId}`)).status, 200);
    assertError(await ns.get(`/api/v1/people/${ftId}`), 404, 'not_found'); // sibling district
    assertError(await ns.get(`/api/v1/people/${id}`), 404, 'not_found'); // the city above
    assertError(await anon().get(`/api/v1/people/${id}`), 401);
  });
  test('patch: partial update 200, audited', async () => {
    const c = await as('organizer');
    const r = await c.patch(`/api/v1/people/${id}`, { title: '首席研究员', email: '', public_name: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.title, '首席研究员');
    assert.equal(r.data.email, '');
    assert.equal(r.data.public_name, false);
    assert.equal(r.data.name, '读写测试');
    assert.equal(r.data.phone, full.phone);
    assert.equal((await c.get(`/api/v1/people/${id}`)).data.title, '首席研究员');
    const ft = await orgId(c, 'sz-futian');
    const moved = await c.patch(`/api/v1/people/${id}`, { org_id: ft });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.data.org_id, ft);
    const audit = await (await as('sz-admin')).get('/admin/audit');
    assert.match(audit.text, /person\.update/);
    assert.match(audit.text, /person\.create/);
  });
  test('patch: validation 422 naming the field; unchanged on error', async () => {
    const c = await as('organizer');
    const before = (await c.get(`/api/v1/people/${id}`)).data;
    assertError(await c.patch(`/api/v1/people/${id}`, { category: 'king', title: '不应保存' }), 422, 'invalid', 'category');
    assertError(await c.patch(`/api/v1/people/${id}`, { name: '' }), 422, 'required', 'name');
    assertError(await c.patch(`/api/v1/people/${id}`, { phone: 'call me' }), 422, 'invalid', 'phone');
    assertError(await c.patch(`/api/v1/people/${id}`, { org_id: 999999 }), 422, 'invalid', 'org_id');
    assertError(await c.patch(`/api/v1/people/${id}`, { title: 5 }), 422, 'invalid_type', 'title');
    assert.deepEqual((await c.get(`/api/v1/people/${id}`)).data, before);
  });
  test('patch: 403 for members; 404 for other branches, bodies above, missing', async () => {
    assertError(await (await as('member')).patch(`/api/v1/people/${id}`, { title: 'x' }), 403, 'forbidden');
    assertError(await (await as('guest')).patch(`/api/v1/people/${id}`, { title: 'x' }), 403, 'forbidden');
    const ns = await as('yt-organizer');
    assertError(await ns.patch(`/api/v1/people/${ftId}`, { title: 'x' }), 404, 'not_found');
    assertError(await ns.patch(`/api/v1/people/${id}`, { title: 'x' }), 404, 'not_found');
    assert.equal((await ns.patch(`/api/v1/people/${nsId}`, { title: '盐田委员' })).status, 200);
    const c = await as('organizer');
    assertError(await c.patch(`/api/v1/people/${nsId}`, { org_id: await orgId(c, 'gd') }), 403, 'forbidden');
    assertError(await c.patch('/api/v1/people/999999', { title: 'x' }), 404, 'not_found');
    assertError(await c.req('PATCH', `/api/v1/people/${nsId}`, { json: { title: 'x' }, csrf: false }), 403, 'csrf');
  });
});

describe('list', () => {
  before(async () => {
    const admin = await as('sz-admin');
    await admin.post('/api/v1/people', { name: '列表盐田', category: 'think_tank', org_id: await orgId(admin, 'sz-yantian') });
    await admin.post('/api/v1/people', { name: 'Alice Wang', category: 'think_tank', phone: '1' });
  });
  test('the caller\'s subtree only; contact fields for organizers only', async () => {
    const admin = await as('sz-admin');
    const everyone = await all(admin);
    const ns = await orgId(admin, 'sz-yantian');
    assert.ok(everyone.some((p) => p.org_id === ns), 'the city sees its districts');
    const nsList = await all(await as('yt-organizer'));
    assert.ok(nsList.length > 0);
    assert.ok(nsList.every((p) => p.org_id === ns), 'a district sees only itself');
    const m = await all(await as('member'));
    assert.equal(m.length, everyone.length);
    assert.ok(m.every((p) => p.phone === undefined && p.email === undefined));
    assert.ok(everyone.every((p) => typeof p.phone === 'string'));
    assertError(await anon().get('/api/v1/people'), 401);
  });
  test('filters: category (code or label), q (part of the name, any case), org', async () => {
    const c = await as('organizer');
    const tt = await all(c, '&category=think_tank');
    assert.ok(tt.length >= 2);
    assert.ok(tt.every((p) => p.category === 'think_tank'));
    assert.deepEqual((await all(c, `&category=${encodeURIComponent('智库')}`)).map((p) => p.id), tt.map((p) => p.id));
    const q = await all(c, `&q=${encodeURIComponent('盐田')}`);
    assert.ok(q.length >= 1 && q.every((p) => p.name.includes('盐田')));
    assert.deepEqual((await all(c, '&q=alice')).map((p) => p.name), ['Alice Wang']);
    assert.equal((await all(c, '&q=nobody-has-this-name')).length, 0);
    const ns = await orgId(c, 'sz-yantian');
    const byOrg = await all(c, '&org=sz-yantian');
    assert.ok(byOrg.length >= 1 && byOrg.every((p) => p.org_id === ns));
    assert.deepEqual((await all(c, `&org=${ns}`)).map((p) => p.id), byOrg.map((p) => p.id));
    assert.deepEqual((await all(c, `&org=sz-yantian&category=think_tank&q=${encodeURIComponent('列表')}`)).map((p) => p.name), ['列表盐田']);
    assertError(await c.get('/api/v1/people?category=king'), 400, 'invalid', 'category');
    assertError(await c.get('/api/v1/people?org=no-such-org'), 400, 'invalid', 'org');
    assertError(await c.get('/api/v1/people?org=gd'), 403, 'forbidden');
    // a sibling branch is out of sight: as unknown as a missing body
    assertError(await (await as('yt-organizer')).get('/api/v1/people?org=sz-futian'), 400, 'invalid', 'org');
    assertError(await c.get(`/api/v1/people?q=${'x'.repeat(101)}`), 400, 'invalid', 'q');
  });
  test('pagination: limit and cursor, bounds', async () => {
    const c = await as('organizer');
    const everyone = await all(c);
    assert.ok(everyone.length > 4);
    const p1 = await c.get('/api/v1/people?limit=2');
    assert.equal(p1.data.items.length, 2);
    assert.equal(typeof p1.data.next, 'string');
    let pages = [], cur = null;
    do {
      const p = await c.get(`/api/v1/people?limit=3${cur ? `&cursor=${cur}` : ''}`);
      assert.ok(p.data.items.length <= 3);
      pages = pages.concat(p.data.items); cur = p.data.next;
    } while (cur);
    assert.deepEqual(pages.map((p) => p.id), everyone.map((p) => p.id));
    const last = await c.get(`/api/v1/people?limit=500`);
    assert.equal(last.data.next, null);
    assertError(await c.get('/api/v1/people?limit=501'), 400, null, 'limit');
    assertError(await c.get('/api/v1/people?limit=0'), 400, null, 'limit');
    assertError(await c.get('/api/v1/people?cursor=abc'), 400, null, 'cursor');
  });
});

describe('import', () => {
  test('UTF-8, Chinese headers, labels and codes, quoted fields: 200 {imported}', async () => {
    const c = await as('organizer');
    const before = await count();
    const body = '姓名,类别,界别,专委会,届次,工作单位,职务,电话,邮箱,公开姓名\n' +
      '导入甲,政协委员,经济界,经济委员会,第七届,"某集团, 总部",董事长,+86 755 1234,jia@example.cn,是\n' +
      '导入乙,EXPERT,,,,,,,,否\n' +
      '\n' + // blank lines are skipped
      '导入丙,智库,,,,,,,,\n';
    const r = await csv(c, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.imported, 3);
    assert.equal(r.data.encoding, 'utf-8');
    assert.equal(await count(), before + 3);
    const got = await all(c, `&q=${encodeURIComponent('导入')}`);
    const jia = got.find((p) => p.name === '导入甲');
    assert.equal(jia.category, 'member');
    assert.equal(jia.affiliation, '某集团, 总部');
    assert.equal(jia.phone, '+86 755 1234');
    assert.equal(jia.public_name, true);
    assert.equal(jia.org_id, await orgId(c, 'sz'));
    assert.equal(got.find((p) => p.name === '导入乙').category, 'expert');
    assert.equal(got.find((p) => p.name === '导入丙').category, 'think_tank');
    const audit = await (await as('sz-admin')).get('/admin/audit');
    assert.match(audit.text, /person\.import/);
  });
  test('UTF-8 with BOM, English headers, CRLF, org slugs', async () => {
    const c = await as('organizer');
    const body = '\ufeffName,Category,Affiliation,Org,Phone\r\n' +
      'BOM Person,Expert or scholar,"Dept ""A"", Unit",sz-futian,\r\n' +
      'BOM Second,official,市人社局,,010-1234\r\n';
    const r = await csv(c, body, 'text/csv; charset=utf-8');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.imported, 2);
    assert.equal(r.data.encoding, 'utf-8-bom');
    const p = (await all(c, '&q=BOM')).find((x) => x.name === 'BOM Person');
    assert.equal(p.affiliation, 'Dept "A", Unit');
    assert.equal(p.org_id, await orgId(c, 'sz-futian'));
    assert.equal(p.category, 'expert');
  });
  test('GB18030 (GBK) bytes as Excel saves them on Chinese Windows', async () => {
    const c = await as('organizer');
    const body = gb18030('姓名,类别,专委会,届次,工作单位\r\n国标甲,企业家,经济委员会,第七届,某公司\r\n国标乙,界别群众,,,\r\n国标丙,政府部门,,,市发展和改革委员会\r\n');
    assert.notEqual(body.toString('utf8'), body.toString('latin1')); // really not UTF-8 text
    const r = await csv(c, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.imported, 3);
    assert.equal(r.data.encoding, 'gb18030');
    const got = await all(c, `&q=${encodeURIComponent('国标')}`);
    assert.deepEqual(got.map((p) => p.name).sort(), ['国标丙', '国标乙', '国标甲'].sort());
    assert.equal(got.find((p) => p.name === '国标甲').committee, '经济委员会');
    assert.equal(got.find((p) => p.name === '国标甲').category, 'entrepreneur');
    assert.equal(got.find((p) => p.name === '国标丙').affiliation, '市发展和改革委员会');
  });
  test('several bad rows: 422 listing every one (line, column, message); nothing imported', async () => {
    const c = await as('organizer');
    const before = await count();
    const body = [
      '姓名,类别,电话,邮箱,所属组织', //            line 1
      '好人,member,,,', //                         line 2: fine, but not imported
      ',expert,,,', //                              line 3: 姓名 missing
      '坏类别,国王,,,', //                          line 4: 类别 unknown
      '"多行', //                                   line 5: a name over two lines
      '名字",member,,,', //                         line 6
      '坏电话,member,call me,x@y,', //              line 7: 电话 and 邮箱
      '外地,member,,,gd', //                        line 8: 所属组织 above the caller
      '无组织,member,,,no-such-org', //             line 9: 所属组织 unknown
      '多一列,member,,,,extra', //                  line 10: more fields than headers
      '短行', //                                    line 11: 类别 missing
      '另一个好人,citizen,,,', //                   line 12: fine
    ].join('\n') + '\n';
    const r = await csv(c, body);
    assertError(r, 422, 'invalid_rows');
    const rows = r.data.error.rows.map((x) => [x.line, x.column]);
    assert.deepEqual(rows, [
      [3, '姓名'], [4, '类别'], [5, '姓名'], [7, '电话'], [7, '邮箱'], [8, '所属组织'], [9, '所属组织'],
      [10, ''], [11, '类别'],
    ]);
    assert.ok(r.data.error.rows.every((x) => typeof x.message === 'string' && x.message.length > 0));
    assert.equal(r.data.error.bad_rows, 8);
    assert.match(r.data.error.message, /8/);
    assert.match(r.data.error.rows.find((x) => x.line === 4).message, /国王/);
    assert.equal(r.data.error.rows.find((x) => x.line === 7 && x.column === '电话').field, 'phone');
    assert.equal(await count(), before);
    assert.equal((await all(c, `&q=${encodeURIComponent('好人')}`)).length, 0);
    // English messages
    const en = await csv(c, body, 'text/csv', { headers: { 'Content-Type': 'text/csv', 'Accept-Language': 'en' } });
    assert.equal(en.status, 422);
    assert.match(en.data.error.rows[0].message, /name is required/);
  });
  test('cells pasted from a spreadsheet (tab-separated) import too', async () => {
    const c = await as('organizer');
    const r = await csv(c, '姓名\t类别\t工作单位\r\n制表甲\t专家学者\t某大学, 某系\r\n制表乙\tcitizen\t\r\n');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.imported, 2);
    const got = await all(c, `&q=${encodeURIComponent('制表')}`);
    assert.equal(got.find((p) => p.name === '制表甲').affiliation, '某大学, 某系');
  });
  test('long cells echoed in messages are cut on character boundaries', async () => {
    const c = await as('organizer');
    const r = await csv(c, `姓名,类别,所属组织,公开姓名\n甲,${'国王'.repeat(100)},${'组'.repeat(80)},${'也许'.repeat(60)}\n`);
    assertError(r, 422, 'invalid_rows');
    assert.deepEqual(r.data.error.rows.map((x) => x.column), ['类别', '所属组织', '公开姓名']);
    assert.ok(r.data.error.rows.every((x) => !x.message.includes('\ufffd')));
    const h = await csv(c, `姓名,类别,${'表头'.repeat(200)}\n甲,member,x\n`);
    assertError(h, 422, 'unknown_column');
    assert.match(h.data.error.message, /可用：姓名、类别/);
  });
  test('whole-file problems: 422 with a clear message', async () => {
    const c = await as('organizer');
    const before = await count();
    assertError(await csv(c, ''), 422, 'empty_file');
    assertError(await csv(c, '\n\n'), 422, 'empty_file');
    assertError(await csv(c, '姓名,类别\n'), 422, 'empty_file');
    const missing = await csv(c, '姓名,界别\n张三,经济界\n');
    assertError(missing, 422, 'missing_column');
    assert.match(missing.data.error.message, /类别/);
    assertError(await csv(c, '界别,category\n经济界,member\n'), 422, 'missing_column');
    const unknown = await csv(c, '姓名,类别,年龄\n张三,member,40\n');
    assertError(unknown, 422, 'unknown_column');
    assert.match(unknown.data.error.message, /年龄/);
    assertError(await csv(c, '姓名,类别,name\n张三,member,张三\n'), 422, 'duplicate_column');
    const broken = await csv(c, '姓名,类别\n张三,member\n"李四,member\n');
    assertError(broken, 422, 'invalid_csv');
    assert.match(broken.data.error.message, /3/);
    assertError(await csv(c, Buffer.from([0xe5, 0xa7, 0x93, 0x2c, 0xff, 0xff, 0x0a])), 422, 'invalid_encoding');
    assert.equal(await count(), before);
  });
  test('media type, permissions, CSRF, size limit', async () => {
    const c = await as('organizer');
    assertError(await csv(c, '姓名,类别\n张三,member\n', 'application/json'), 415, 'unsupported_media_type');
    assertError(await csv(c, '姓名,类别\n张三,member\n', 'text/plain'), 415, 'unsupported_media_type');
    assertError(await c.req('POST', '/api/v1/people/import', { body: '姓名,类别\n张三,member\n' }), 415);
    assertError(await csv(await as('member'), '姓名,类别\n张三,member\n'), 403, 'forbidden');
    assertError(await csv(anon(), '姓名,类别\n张三,member\n'), 401);
    assertError(await csv(c, '姓名,类别\n张三,member\n', 'text/csv', { csrf: false }), 403, 'csrf');
    const big = Buffer.alloc(8 * 1024 * 1024 + 10, 'a');
    assert.equal((await csv(c, big)).status, 413);
    // just under the limit is read (and refused for its content, not its size)
    const header = Buffer.from('姓名,类别\n');
    const filler = Buffer.alloc(8 * 1024 * 1024 - header.length - 100, '\n');
    assertError(await csv(c, Buffer.concat([header, filler])), 422, 'empty_file');
  });
  test('a bearer token needs no CSRF token', async () => {
    const t = spawnSync(process.env.SHENLIAO_BIN || 'build/shenliao', ['token', 'create', '--db', srv.db, '--username', 'organizer'], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stderr);
    const b = anon();
    b.token = t.stdout.trim();
    const r = await csv(b, 'name,category\nToken Person,citizen\n');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.imported, 1);
  });
});

describe('export', () => {
  test('CSV: BOM, header, CRLF, attachment; filters; organizers only', async () => {
    const c = await as('organizer');
    await c.post('/api/v1/people', { name: '导出测试', category: 'expert', affiliation: '某院, 二所', phone: '+86 20 1234' });
    const r = await getBytes(c, '/api/v1/people.csv');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/csv/);
    assert.match(r.headers.get('content-disposition'), /^attachment; filename="people-sz-\d{8}\.csv"$/);
    assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = r.bytes.subarray(3).toString('utf8');
    const lines = text.split('\r\n');
    assert.equal(lines[0], '姓名,类别,界别,专委会,届次,工作单位,职务,电话,邮箱,所属组织,公开姓名');
    assert.equal(lines.at(-1), ''); // ends with CRLF
    assert.equal(lines.length - 2, await count());
    const row = lines.find((l) => l.startsWith('导出测试,'));
    assert.equal(row, "导出测试,专家学者,,,,\"某院, 二所\",,'+86 20 1234,,sz,否");
    const only = (await getBytes(c, '/api/v1/people.csv?category=expert')).bytes.subarray(3).toString('utf8').split('\r\n').slice(1, -1);
    assert.ok(only.length >= 1 && only.every((l) => l.split(',')[1] === '专家学者'));
    const en = await getBytes(c, '/api/v1/people.csv?org=sz-futian', { 'Accept-Language': 'en' });
    assert.match(en.headers.get('content-disposition'), /people-sz-futian-/);
    assert.ok(en.bytes.subarray(3).toString('utf8').startsWith('name,category,sector,committee,term,affiliation,title,phone,email,org,public_name\r\n'));
    assert.equal((await getBytes(await as('member'), '/api/v1/people.csv')).status, 403);
    assert.equal((await getBytes(anon(), '/api/v1/people.csv')).status, 401);
    assert.equal((await getBytes(c, '/api/v1/people.csv?org=gd')).status, 403);
  });
  test('an export imports again as it is', async () => {
    const c = await as('organizer');
    const r = await getBytes(c, `/api/v1/people.csv?q=${encodeURIComponent('导出测试')}`);
    // the same file again: the person is matched (issue 11: re-imports update, never
    // duplicate) and nothing changes
    const again = await csv(c, r.bytes);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual([again.data.added, again.data.updated, again.data.unchanged], [0, 0, 1]);
    assert.equal((await all(c, `&q=${encodeURIComponent('导出测试')}`)).length, 1);
    // edited (a new name) and imported again: matched by its phone, which must come back
    // without the apostrophe the export puts before formula-like text
    const edited = Buffer.from(r.bytes.toString('utf8').replace('导出测试,', '导出测试改,'));
    const upd = await csv(c, edited);
    assert.equal(upd.status, 200, upd.text);
    assert.deepEqual([upd.data.added, upd.data.updated], [0, 1]);
    const [p] = await all(c, `&q=${encodeURIComponent('导出测试改')}`);
    assert.equal(p.phone, '+86 20 1234'); // the apostrophe against formulas is dropped
    assert.equal(p.affiliation, '某院, 二所');
    assert.equal(p.category, 'expert');
  });
  test('XLSX: a zip with the sheet and the rows', async () => {
    const c = await as('organizer');
    const r = await getBytes(c, '/api/v1/people.xlsx');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.match(r.headers.get('content-disposition'), /^attachment; filename="people-sz-\d{8}\.xlsx"$/);
    assert.equal(r.bytes.subarray(0, 2).toString('latin1'), 'PK');
    assert.ok(r.bytes.includes(Buffer.from('xl/worksheets/sheet1.xml')), 'the zip directory names the sheet');
    const book = unzipMember(r.bytes, 'xl/workbook.xml');
    if (book !== null) {
      assert.match(book, /name="人员库"/);
      const strings = unzipMember(r.bytes, 'xl/sharedStrings.xml');
      assert.match(strings, /导出测试/);
      assert.match(strings, /姓名/);
      assert.match(strings, /\+86 20 1234/); // typed cells need no apostrophe
    }
    assert.equal((await getBytes(await as('member'), '/api/v1/people.xlsx')).status, 403);
  });
});

describe('pages', () => {
  test('/people: the list with filters and links; members without contact data', async () => {
    const o = await (await as('organizer')).get('/people');
    assert.equal(o.status, 200);
    assert.match(o.text, /人员库/);
    assert.match(o.text, /class="table-wrap"/);
    assert.match(o.text, /<select id="category" name="category">/);
    assert.match(o.text, /<input id="q" name="q"/);
    assert.match(o.text, /href="\/people\/new"/);
    assert.match(o.text, /href="\/people\/import"/);
    assert.match(o.text, /href="\/api\/v1\/people.xlsx"/);
    assert.match(o.text, /href="\/people\/\d+"/);
    assert.match(o.text, /\+86 755 1234/);
    const m = await (await as('member')).get('/people');
    assert.equal(m.status, 200);
    assert.doesNotMatch(m.text, /\+86 755 1234/);
    assert.doesNotMatch(m.text, /href="\/people\/new"/);
    const f = await (await as('organizer')).get(`/people?category=expert&q=${encodeURIComponent('导出')}`);
    assert.match(f.text, /导出测试/);
    assert.doesNotMatch(f.text, /国标甲/);
    assert.match(f.text, /<option value="expert" selected>/);
    assert.equal((await (await as('organizer')).get('/people?category=king')).status, 400);
    const en = await (await as('member')).get('/people', { headers: { 'Accept-Language': 'en' } });
    assert.match(en.text, /People registry/);
    const away = await anon().get('/people');
    assert.equal(away.status, 303);
  });
  test('/people: pages of 100 with a next link keeping the filters', async () => {
    const c = await as('organizer');
    const r = await c.get('/people?limit=2&category=member');
    const next = /href="([^"]+)" rel="next"/.exec(r.text);
    assert.ok(next, 'a next link');
    const url = next[1].replaceAll('&amp;', '&');
    assert.match(url, /^\/people\?category=member&limit=2&cursor=\d+$/);
    assert.equal((await c.get(url)).status, 200);
  });
  test('/people/new: form, create, refusal shown with the values kept', async () => {
    const c = await as('organizer');
    const page = await c.get('/people/new');
    assert.equal(page.status, 200);
    assert.match(page.text, /name="csrf_token" value="[0-9a-f]{64}"/);
    const bad = await form(c, '/people/new', { name: '', category: 'member', sector: '保留的界别', org_id: '', public_name: '1' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /role="alert"/);
    assert.match(bad.text, /姓名不能为空/);
    assert.match(bad.text, /value="保留的界别"/);
    const ok = await form(c, '/people/new', { name: '表单新人', category: 'entrepreneur', sector: '工商联', phone: '0755-1', username: 'guest', public_name: '1' });
    assert.equal(ok.status, 303, ok.text);
    const loc = ok.headers.get('location');
    assert.match(loc, /^\/people\/\d+\?saved=1$/);
    const id = Number(/(\d+)/.exec(loc)[1]);
    const p = (await c.get(`/api/v1/people/${id}`)).data;
    assert.equal(p.category, 'entrepreneur');
    assert.equal(p.public_name, true);
    assert.equal(p.user_id, await userId('guest'));
    const nouser = await form(c, '/people/new', { name: 'x', category: 'member', username: 'no-such-user' });
    assert.equal(nouser.status, 422);
    assert.match(nouser.text, /value="no-such-user"/);
    assert.equal((await (await as('member')).get('/people/new')).status, 403);
    const m = await as('member');
    assert.equal((await form(m, '/people/new', { name: 'x', category: 'member' })).status, 403);
    assert.equal((await c.req('POST', '/people/new', { body: 'name=x&category=member', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false })).status, 403);
  });
  test('/people/{id}: details, edit form for organizers, the duty record placeholder', async () => {
    const c = await as('organizer');
    const p = (await c.post('/api/v1/people', { name: '详情页', category: 'member', phone: '13800000000', sector: '<b>界</b>' })).data;
    const page = await c.get(`/people/${p.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /详情页/);
    assert.match(page.text, /13800000000/);
    assert.match(page.text, /action="\/people\/\d+"/);
    assert.match(page.text, /履职档案/);
    assert.match(page.text, /id="duty-record"/);
    assert.ok(page.text.includes('&lt;b&gt;界&lt;/b&gt;') && !page.text.includes('<b>界</b>'), 'escaped');
    const m = await (await as('member')).get(`/people/${p.id}`);
    assert.equal(m.status, 200);
    assert.doesNotMatch(m.text, /13800000000/);
    assert.doesNotMatch(m.text, /<form method="post" action="\/people\//);
    assert.match(m.text, /履职档案/);
    const saved = await form(c, `/people/${p.id}`, { name: '详情页改', category: 'leader', sector: '', phone: '13800000000', org_id: String(p.org_id) });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get('location'), `/people/${p.id}?saved=1`);
    const after = (await c.get(`/api/v1/people/${p.id}`)).data;
    assert.equal(after.name, '详情页改');
    assert.equal(after.category, 'leader');
    assert.equal(after.public_name, false); // an unticked box
    const bad = await form(c, `/people/${p.id}`, { name: '详情页改', category: 'leader', email: 'bad' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /邮箱格式不正确/);
    assert.match(bad.text, /value="bad"/);
    assert.equal((await form(await as('member'), `/people/${p.id}`, { name: 'x', category: 'member' })).status, 403);
    assert.equal((await (await as('yt-organizer')).get(`/people/${p.id}`)).status, 404);
    assert.equal((await c.get('/people/999999')).status, 404);
    const en = await c.get(`/people/${p.id}`, { headers: { 'Accept-Language': 'en' } });
    assert.match(en.text, /Duty record/);
    assert.match(en.text, /CPPCC leader/);
  });
  test('/people/import: paste, refusal lists every bad row, success', async () => {
    const c = await as('organizer');
    const page = await c.get('/people/import');
    assert.equal(page.status, 200);
    assert.match(page.text, /<textarea id="csv" name="csv"/);
    assert.match(page.text, /name="csrf_token"/);
    assert.match(page.text, /\/api\/v1\/people\/import/);
    const bad = await form(c, '/people/import', { csv: '姓名,类别\n页面甲,member\n,member\n页面乙,国王\n' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /id="import-errors"/);
    assert.match(bad.text, /<td data-label="行">3<\/td><td data-label="列">姓名<\/td>/);
    assert.match(bad.text, /<td data-label="行">4<\/td><td data-label="列">类别<\/td>/);
    assert.match(bad.text, /页面甲/); // the text is kept for correcting
    const unknown = await form(c, '/people/import', { csv: '姓名,年龄\n' });
    assert.equal(unknown.status, 422);
    assert.match(unknown.text, /年龄/);
    assert.equal((await form(c, '/people/import', { csv: '' })).status, 422);
    const ok = await form(c, '/people/import', { csv: '姓名,类别\n页面甲,member\n页面乙,市民\n' });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/people?imported=2&added=2&updated=0&unchanged=0&refused=0');
    assert.match((await c.get(ok.headers.get('location'))).text, /导入完成： 新增 <strong>2<\/strong>/);
    assert.match((await c.get('/people?imported=2')).text, /导入完成，新增人员：2/);
    assert.equal((await (await as('member')).get('/people/import')).status, 403);
  });
});
