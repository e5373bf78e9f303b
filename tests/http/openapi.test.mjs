// HTTP tests of the API's description and of the route declarations it is made from (issue 9,
// item 10): GET /api/v1/openapi.json is OpenAPI 3.1 with every /api/v1 route, and the same
// declarations validate JSON bodies: a member the route does not declare, or a member given
// twice, is refused with 422 naming it, before anything changes.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ADMIN_PASSWORD } from '../lib/server.mjs';

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
// raw sends body text as JSON without serializing it (to send a member twice).
function raw(c, method, path, text, headers = {}) {
  return c.req(method, path, { body: text, headers: { 'Content-Type': 'application/json', ...headers } });
}
async function approvedTopic(c, title) {
  const t = await c.post('/api/v1/topics', { title, domain: 'society', origin: 'member' });
  assert.equal(t.status, 201, t.text);
  const a = await c.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
  assert.equal(a.status, 200, a.text);
  return t.data.id;
}

describe('GET /api/v1/openapi.json', () => {
  test('anyone gets an OpenAPI 3.1 document', async () => {
    const r = await anon().get('/api/v1/openapi.json');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const d = r.data;
    assert.equal(d.openapi, '3.1.0');
    assert.equal(typeof d.info.title, 'string');
    assert.equal(typeof d.info.version, 'string');
    assert.ok(d.components.securitySchemes.bearer && d.components.securitySchemes.cookie);
    assert.ok(d.components.schemas.Error);
    for (const [path, item] of Object.entries(d.paths)) {
      assert.ok(path.startsWith('/api/v1/'), path);
      for (const [method, op] of Object.entries(item)) {
        assert.ok(['get', 'post', 'put', 'patch', 'delete'].includes(method), `${method} ${path}`);
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${path} has responses`);
        assert.ok(['public', 'signed_in', 'organizer', 'admin'].includes(op['x-access']), `${method} ${path}`);
        assert.equal(typeof op.summary, 'string');
      }
    }
  });

  test('the document says what the server does', async () => {
    const d = (await anon().get('/api/v1/openapi.json')).data;
    const create = d.paths['/api/v1/topics'].post;
    assert.equal(create['x-access'], 'signed_in'); // members propose topics (issue 11)
    assert.equal(d.paths['/api/v1/sessions'].post['x-access'], 'organizer');
    const schema = create.requestBody.content['application/json'].schema;
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.properties.title.type, 'string');
    assert.ok(create.responses['201'] && create.responses['422'] && create.responses['401']);
    assert.ok(d.paths['/api/v1/topics'].get.parameters.some((p) => p.name === 'limit' && p.in === 'query'));
    const patch = d.paths['/api/v1/sessions/{id}'].patch;
    assert.ok(patch.parameters.some((p) => p.name === 'id' && p.in === 'path' && p.required));
    assert.ok(patch.responses['404']);
    assert.equal(d.paths['/api/v1/health'].get['x-access'], 'public');
    // every GET the document lists is served with that method (no 405)
    const c = await as('admin', ADMIN_PASSWORD);
    for (const [path, item] of Object.entries(d.paths)) {
      if (!item.get || path.includes('/events')) continue;
      const r = await c.get(path.replaceAll('{id}', '1'));
      assert.notEqual(r.status, 405, `GET ${path}`);
    }
    // made once at start: the same text each time
    const again = await anon().get('/api/v1/openapi.json');
    assert.deepEqual(again.data, d);
  });
});

describe('declared fields validate JSON bodies', () => {
  test('POST /api/v1/topics: an unknown field is 422 unknown_field naming it; nothing is made', async () => {
    const c = await as('organizer');
    const before = (await c.get('/api/v1/topics?limit=500')).data.items.length;
    const r = await c.post('/api/v1/topics', { title: '未知字段', domain: 'society', origin: 'member', colour: 'red' });
    assertError(r, 422, 'unknown_field', 'colour');
    assert.match(r.data.error.message, /colour/);
    const after = (await c.get('/api/v1/topics?limit=500')).data.items.length;
    assert.equal(after, before);
    // in English too
    const en = await c.post('/api/v1/topics', { title: 'x', domain: 'society', origin: 'member', colour: 1 },
      { headers: { 'Accept-Language': 'en' } });
    assertError(en, 422, 'unknown_field', 'colour');
    assert.match(en.data.error.message, /does not accept.*colour/);
  });

  test('POST /api/v1/topics: a field given twice is 422 duplicate_field naming it', async () => {
    const c = await as('organizer');
    const r = await raw(c, 'POST', '/api/v1/topics',
      '{"title":"一","domain":"society","origin":"member","title":"二"}');
    assertError(r, 422, 'duplicate_field', 'title');
    assert.match(r.data.error.message, /title/);
    // a long name, whitespace before the colon, and an escaped name are found as well
    const long = 'a_field_name_longer_than_twenty_characters';
    assertError(await raw(c, 'POST', '/api/v1/topics', `{"${long}":1, "${long}" : 2}`), 422, 'duplicate_field', long);
    assertError(await raw(c, 'POST', '/api/v1/topics', '{"t\\u0069tle":"a","title":"b"}'), 422, 'duplicate_field', 'title');
    assertError(await raw(c, 'POST', '/api/v1/topics', '{"title":"a\\"b","origin":"x","origin":"y"}'), 422, 'duplicate_field', 'origin');
  });

  test('PATCH /api/v1/sessions/{id}: unknown and duplicate fields are 422 naming them; nothing changes', async () => {
    const c = await as('organizer');
    const topic = await approvedTopic(c, '字段校验议题');
    const s = await c.post('/api/v1/sessions', { topic_id: topic, title: '字段校验' });
    assert.equal(s.status, 201, s.text);
    const id = s.data.id;
    assertError(await c.patch(`/api/v1/sessions/${id}`, { title: '改了', place: '会议室' }), 422, 'unknown_field', 'place');
    assertError(await raw(c, 'PATCH', `/api/v1/sessions/${id}`, '{"title":"一","title":"二"}'), 422, 'duplicate_field', 'title');
    assert.equal((await c.get(`/api/v1/sessions/${id}`)).data.title, '字段校验');
    // declared fields still work
    const ok = await c.patch(`/api/v1/sessions/${id}`, { title: '改了', venue: '会议室' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.data.title, '改了');
  });

  test('a nested member given twice is refused too; unknown nested members are the handler\'s', async () => {
    const c = await as('organizer');
    const r = await raw(c, 'POST', '/api/v1/topics', '{"title":"x","extra":{"k":1,"k":2}}');
    assertError(r, 422, 'duplicate_field', 'k');
  });

  test('who may call comes first: a member gets 403, not 422, on an organizer route', async () => {
    const m = await as('member');
    assertError(await m.post('/api/v1/sessions', { title: 'x', bogus: 1 }), 403, 'forbidden');
    assertError(await anon().post('/api/v1/sessions', { title: 'x', bogus: 1 }), 401);
  });

  test('a route that reads no input refuses any member', async () => {
    const c = await as('organizer');
    assertError(await c.post('/api/v1/logout', { everywhere: true }), 422, 'unknown_field', 'everywhere');
    assert.equal((await c.post('/api/v1/logout')).status, 204);
  });

  test('query parameters are not body members; page forms stay lenient', async () => {
    const c = await as('organizer');
    assertError(await c.post('/api/v1/topics', { title: 'x', domain: 'society', origin: 'member', limit: 5 }),
      422, 'unknown_field', 'limit');
    const form = new URLSearchParams({ title: '表单议题', domain: 'society', origin: 'member', not_a_field: '1' });
    const r = await c.req('POST', '/topics', {
      body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(r.status, 303, r.text);
  });
});
