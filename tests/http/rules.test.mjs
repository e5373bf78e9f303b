// HTTP tests of issue 15, "Work rules": versions of a body's rules through the API (list,
// add: 201, 409, 422 naming the parameter), the catalogue of the known parameters, the diff
// of two versions (changed parameters and a line diff of the text; the page side by side),
// the copy of another body's version (copied_from; 403 for organizers and for admins of
// another body), who reads (the body, its children, its parent; not an unrelated body), and
// a session keeping the version it was scheduled under.
//
// The demo: 广东省政协 gd (root; "admin") > 深圳市政协 sz (sz-admin, organizer; rules 2.0) >
// 盐田 sz-yantian (yt-organizer). The test adds a city beside sz (gz, with its admin) and an
// admin of 盐田.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ADMIN_PASSWORD } from '../lib/server.mjs';

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.data && r.data.error, `error body expected: ${r.text}`);
  if (code) assert.equal(r.data.error.code, code, r.text);
  if (field) assert.equal(r.data.error.field, field, r.text);
}
function form(c, path, fields) {
  const body = new URLSearchParams({ csrf_token: c.csrf });
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return c.req('POST', path, { body: body.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}
// today in the body's time zone (UTC+8), YYYY-MM-DD
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

describe('work rules (issue 15)', () => {
  let srv, root, szAdmin, org, ytOrg, ytAdmin, gzAdmin;
  const ids = {};
  const PW = 'rules-pass-123';
  const as = async (u, p = DEMO_PASSWORD) => { const c = new Client(srv.url); await c.login(u, p); return c; };

  before(async () => {
    srv = await startServer();
    root = await as('admin', ADMIN_PASSWORD);
    szAdmin = await as('sz-admin');
    org = await as('organizer');
    ytOrg = await as('yt-organizer');
    const orgs = (await root.get('/api/v1/orgs?limit=500')).data.items;
    ids.gd = orgs.find((o) => o.slug === 'gd').id;
    ids.sz = orgs.find((o) => o.slug === 'sz').id;
    ids.yt = orgs.find((o) => o.slug === 'sz-yantian').id;
    const gz = await root.post('/api/v1/orgs', { name: '广州市政协', slug: 'gz', level: 'city', parent_id: ids.gd });
    assert.equal(gz.status, 201, gz.text);
    ids.gz = gz.data.id;
    for (const [username, orgId] of [['gz-admin', ids.gz], ['yt-admin', ids.yt]]) {
      const r = await root.post('/api/v1/users', { username, password: PW, role: 'admin', org_id: orgId });
      assert.equal(r.status, 201, r.text);
    }
    gzAdmin = await as('gz-admin', PW);
    ytAdmin = await as('yt-admin', PW);
  });
  after(async () => { await srv.stop(); });

  test('GET /api/v1/rules/params lists the known parameters with type, unit, meaning and default', async () => {
    const r = await org.get('/api/v1/rules/params');
    assert.equal(r.status, 200, r.text);
    const by = Object.fromEntries(r.data.items.map((p) => [p.name, p]));
    for (const name of ['requirements', 'min_participants', 'reply_days', 'cosign_days', 'duty_points', 'max_proposal_chars'])
      assert.ok(by[name], `${name} listed`);
    assert.equal(by.reply_days.type, 'integer');
    assert.equal(by.reply_days.unit, 'days');
    assert.equal(by.reply_days.default, 90);
    assert.equal(by.cosign_days.default, 7);
    assert.equal(by.requirements.type, 'object');
    assert.deepEqual(by.duty_points.default, { attended: 5, remark: 2, adopted: 5 });
    assert.ok(by.min_participants.zh && by.min_participants.en && by.min_participants.enforced_en);
    assert.equal((await new Client(srv.url).get('/api/v1/rules/params')).status, 401);
  });

  test('POST /api/v1/orgs/{id}/rules: 201, then listed; an existing version 409', async () => {
    const body = '第一条 深聊会每季度至少一次。\n第二条 专家聊须邀请专家。\n第三条 答复期限六十天。\n';
    let r = await szAdmin.post(`/api/v1/orgs/${ids.sz}/rules`, {
      version: '3.0', title: '深聊会工作规则（3.0 版）', body,
      params: { reply_days: 60, cosign_days: 10 }, effective_from: '2025-01-01',
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.version, '3.0');
    assert.equal(r.data.effective_from, '2025-01-01');
    assert.deepEqual(r.data.params, { cosign_days: 10, reply_days: 60 });
    assert.equal(r.data.copied_from, null);
    r = await org.get(`/api/v1/orgs/${ids.sz}/rules`);
    assert.equal(r.status, 200, r.text);
    const v = r.data.items.find((x) => x.version === '3.0');
    assert.ok(v, 'listed');
    for (const k of ['version', 'title', 'body', 'params', 'effective_from', 'copied_from']) assert.ok(k in v, k);
    assert.equal(v.body, body);
    assert.ok(r.data.items.find((x) => x.version === '2.0'), 'the demo version is listed too');
    assertError(await szAdmin.post(`/api/v1/orgs/${ids.sz}/rules`, { version: '3.0', title: '再来一次', params: {} }), 409, 'conflict', 'version');
    assertError(await szAdmin.post(`/api/v1/orgs/${ids.sz}/rules`, { version: '2.0', title: '演示版本已有' }), 409, 'conflict', 'version');
  });

  test('params that are not an object, unknown or of the wrong type: 422 naming it; nothing added', async () => {
    const before = (await szAdmin.get(`/api/v1/orgs/${ids.sz}/rules`)).data.items.length;
    const post = (params, extra = {}) => szAdmin.post(`/api/v1/orgs/${ids.sz}/rules`, { version: 'bad', title: '坏参数', params, ...extra });
    assertError(await post('reply_days=30'), 422, 'invalid_type', 'params');
    assertError(await post([1, 2]), 422, 'invalid_type', 'params');
    let r = await post({ colour: 'red' });
    assertError(r, 422, 'unknown_param', 'params');
    assert.match(r.data.error.message, /colour/);
    r = await post({ reply_days: 'sixty' });
    assertError(r, 422, 'invalid_type', 'params.reply_days');
    assert.match(r.data.error.message, /reply_days/);
    assertError(await post({ reply_days: 0 }), 422, 'invalid_type', 'params.reply_days');
    assertError(await post({ cosign_days: 1.5 }), 422, 'invalid_type', 'params.cosign_days');
    assertError(await post({ min_participants: -1 }), 422, 'invalid_type', 'params.min_participants');
    assertError(await post({ duty_points: { attended: 'x' } }), 422, 'invalid_type', 'params.duty_points');
    assertError(await post({ duty_points: { dancing: 3 } }), 422, 'invalid_type', 'params.duty_points');
    assertError(await post({ requirements: { expert: [{ what: 'expert' }] } }), 422, 'invalid_type', 'params.requirements');
    assertError(await post({ requirements: { dance: [{ what: 'expert', min: 1 }] } }), 422, 'invalid_type', 'params.requirements');
    assertError(await post({ max_proposal_chars: '100' }), 422, 'invalid_type', 'params.max_proposal_chars');
    assertError(await post({}, { effective_from: '2026-02-30' }), 422, null, 'effective_from');
    assertError(await post({}, { effective_from: '2026-05-01T10:00:00+08:00' }), 422, 'invalid_date', 'effective_from');
    assert.equal((await szAdmin.get(`/api/v1/orgs/${ids.sz}/rules`)).data.items.length, before);
  });

  test('only admins of the body (or above) add: organizers and admins of another body 403, unrelated 404', async () => {
    const v = { version: 'x-1', title: '不应成功' };
    assertError(await org.post(`/api/v1/orgs/${ids.sz}/rules`, v), 403);
    assertError(await ytAdmin.post(`/api/v1/orgs/${ids.sz}/rules`, v), 403); // an admin of the district below
    assertError(await gzAdmin.post(`/api/v1/orgs/${ids.sz}/rules`, v), 404); // the city beside: not even visible
    assertError(await new Client(srv.url).post(`/api/v1/orgs/${ids.sz}/rules`, v), 401);
    assert.ok(!(await szAdmin.get(`/api/v1/orgs/${ids.sz}/rules`)).data.items.some((x) => x.version === 'x-1'));
  });

  test('read: the body, its children and its parent; an unrelated body 404', async () => {
    assert.equal((await org.get(`/api/v1/orgs/${ids.sz}/rules`)).status, 200); // the body
    assert.equal((await ytOrg.get(`/api/v1/orgs/${ids.sz}/rules`)).status, 200); // its child
    assert.equal((await root.get(`/api/v1/orgs/${ids.sz}/rules`)).status, 200); // its parent
    assert.equal((await org.get(`/api/v1/orgs/${ids.gd}/rules`)).status, 200); // the city reads the province
    assertError(await gzAdmin.get(`/api/v1/orgs/${ids.sz}/rules`), 404); // unrelated
    assertError(await gzAdmin.get(`/api/v1/orgs/${ids.sz}/rules/diff?from=2.0&to=3.0`), 404);
    assertError(await org.get(`/api/v1/orgs/${ids.gz}/rules`), 404);
    assertError(await org.get('/api/v1/orgs/999999/rules'), 404);
    // the pages alike
    assert.equal((await ytOrg.get(`/orgs/${ids.sz}/rules`)).status, 200);
    assert.equal((await gzAdmin.get(`/orgs/${ids.sz}/rules`)).status, 404);
  });

  test('GET .../rules/diff: the changed parameters (name, old, new) and a line diff of the text', async () => {
    const body = '第一条 深聊会每季度至少一次。\n第二条 专家聊须邀请两位专家。\n第三条 答复期限六十天。\n第四条 联名确认十日内完成。\n';
    const r0 = await szAdmin.post(`/api/v1/orgs/${ids.sz}/rules`, {
      version: '3.1', title: '深聊会工作规则（3.1 版）', body,
      params: { reply_days: 30, cosign_days: 10, duty_points: { attended: 6 } }, effective_from: '2025-06-01',
    });
    assert.equal(r0.status, 201, r0.text);
    const r = await org.get(`/api/v1/orgs/${ids.sz}/rules/diff?from=3.0&to=3.1`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.from, '3.0');
    assert.equal(r.data.to, '3.1');
    const p = Object.fromEntries(r.data.params.map((x) => [x.name, x]));
    assert.deepEqual(p.reply_days, { name: 'reply_days', old: 60, new: 30 });
    assert.deepEqual(p.duty_points.new, { attended: 6 });
    assert.deepEqual(p.duty_points.old, { attended: 5, remark: 2, adopted: 5 }); // the default in force
    assert.ok(!p.cosign_days, 'an unchanged parameter is not listed');
    const ops = r.data.lines.map((l) => `${l.op}:${l.text}`);
    assert.deepEqual(ops, [
      'same:第一条 深聊会每季度至少一次。',
      'removed:第二条 专家聊须邀请专家。',
      'added:第二条 专家聊须邀请两位专家。',
      'same:第三条 答复期限六十天。',
      'added:第四条 联名确认十日内完成。',
    ]);
    assert.equal(r.data.lines[1].old_line, 2);
    assert.equal(r.data.lines[1].new_line, null);
    assert.equal(r.data.lines[4].new_line, 4);
    // the same version against itself: nothing changed
    const same = await org.get(`/api/v1/orgs/${ids.sz}/rules/diff?from=3.1&to=3.1`);
    assert.deepEqual(same.data.params, []);
    assert.ok(same.data.lines.every((l) => l.op === 'same'));
    assertError(await org.get(`/api/v1/orgs/${ids.sz}/rules/diff?from=3.0&to=9.9`), 404);
    assertError(await org.get(`/api/v1/orgs/${ids.sz}/rules/diff?to=3.1`), 422, 'required', 'from');
    // the page: side by side, the changed line highlighted on both sides
    const page = await org.get(`/orgs/${ids.sz}/rules/diff?from=3.0&to=3.1`);
    assert.equal(page.status, 200);
    assert.match(page.text, /class="diff-row diff-changed"/);
    assert.match(page.text, /class="diff-row diff-added"/);
    assert.match(page.text, /专家聊须邀请两位专家/);
    assert.match(page.text, /reply_days/);
  });

  test('POST .../rules/copy: 201 with copied_from; names of copies; 403 for organizers and for admins of another body', async () => {
    let r = await ytAdmin.post(`/api/v1/orgs/${ids.yt}/rules/copy`, { from_org_id: ids.sz, version: '3.0' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.version, '3.0'); // free in 盐田: the same name
    assert.deepEqual(r.data.copied_from, { org_id: ids.sz, org_slug: 'sz', org_name: '深圳市政协', version: '3.0' });
    assert.deepEqual(r.data.params, { cosign_days: 10, reply_days: 60 });
    assert.match(r.data.body, /第二条 专家聊须邀请专家/);
    r = await ytAdmin.post(`/api/v1/orgs/${ids.yt}/rules/copy`, { from_org_id: ids.sz, version: '3.0' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.version, '3.0-copy');
    r = await ytAdmin.post(`/api/v1/orgs/${ids.yt}/rules/copy`, { from_org_id: ids.sz, version: '3.1', new_version: 'yt-1' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.version, 'yt-1');
    assertError(await ytAdmin.post(`/api/v1/orgs/${ids.yt}/rules/copy`, { from_org_id: ids.sz, version: '3.1', new_version: 'yt-1' }), 409, 'conflict');
    // the list of the target shows the lineage; it can then be edited into its own version
    const list = (await ytOrg.get(`/api/v1/orgs/${ids.yt}/rules`)).data.items;
    assert.equal(list.find((x) => x.version === 'yt-1').copied_from.version, '3.1');
    r = await ytAdmin.post(`/api/v1/orgs/${ids.yt}/rules`, { version: 'yt-2', title: '盐田区深聊会工作规则', body: '改写后的正文', params: { reply_days: 45 }, effective_from: '2025-07-01' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.copied_from, null);
    // who may not
    assertError(await ytOrg.post(`/api/v1/orgs/${ids.yt}/rules/copy`, { from_org_id: ids.sz, version: '3.0' }), 403); // organizer of the target
    assertError(await org.post(`/api/v1/orgs/${ids.sz}/rules/copy`, { from_org_id: ids.gd, version: '2.0' }), 403); // organizer
    assertError(await ytAdmin.post(`/api/v1/orgs/${ids.sz}/rules/copy`, { from_org_id: ids.yt, version: 'yt-1' }), 403); // admin of another body
    assertError(await gzAdmin.post(`/api/v1/orgs/${ids.yt}/rules/copy`, { from_org_id: ids.sz, version: '3.0' }), 404); // a body out of sight
    // the source must be readable by the caller: 盐田's admin does not see 广州
    const g = await gzAdmin.post(`/api/v1/orgs/${ids.gz}/rules`, { version: 'gz-1', title: '广州规则' });
    assert.equal(g.status, 201, g.text);
    assertError(await ytAdmin.post(`/api/v1/orgs/${ids.yt}/rules/copy`, { from_org_id: ids.gz, version: 'gz-1' }), 404, 'not_found', 'from_org_id');
    assertError(await ytAdmin.post(`/api/v1/orgs/${ids.yt}/rules/copy`, { from_org_id: ids.sz, version: 'nope' }), 404, 'not_found', 'version');
    assertError(await ytAdmin.post(`/api/v1/orgs/${ids.yt}/rules/copy`, { from_org_id: ids.yt, version: 'yt-1' }), 422, 'same_body', 'from_org_id');
    // the province's admin spreads the practice to the other city
    r = await root.post(`/api/v1/orgs/${ids.gz}/rules/copy`, { from_org_id: ids.sz, version: '3.1' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.copied_from.org_slug, 'sz');
    // audited, both
    const audit = await root.get('/admin/audit');
    assert.equal(audit.status, 200);
    assert.match(audit.text, /rules\.create/);
    assert.match(audit.text, /rules\.copy/);
  });

  test('the page: versions with effective date and source; admins get the form, one input per parameter', async () => {
    let page = await ytOrg.get(`/orgs/${ids.yt}/rules`);
    assert.equal(page.status, 200);
    assert.match(page.text, /yt-1/);
    assert.match(page.text, /深圳市政协 · <code>3\.1<\/code>/);
    assert.doesNotMatch(page.text, /name="p_reply_days"/); // no form for an organizer
    page = await ytAdmin.get(`/orgs/${ids.yt}/rules`);
    for (const n of ['requirements', 'min_participants', 'reply_days', 'cosign_days', 'duty_points', 'max_proposal_chars'])
      assert.match(page.text, new RegExp(`name="p_${n}"`));
    let r = await form(ytAdmin, `/orgs/${ids.yt}/rules`, { version: 'yt-3', title: '表单新增', body: '正文', effective_from: '2025-08-01', p_reply_days: '40', p_duty_points: '{"remark":3}' });
    assert.equal(r.status, 303, r.text);
    const v = (await ytAdmin.get(`/api/v1/orgs/${ids.yt}/rules`)).data.items.find((x) => x.version === 'yt-3');
    assert.deepEqual(v.params, { duty_points: { remark: 3 }, reply_days: 40 });
    // a refusal comes back with what was typed
    r = await form(ytAdmin, `/orgs/${ids.yt}/rules`, { version: 'yt-4', title: '坏的表单', p_cosign_days: '0' });
    assert.equal(r.status, 422);
    assert.match(r.text, /cosign_days/);
    assert.match(r.text, /value="yt-4"/);
    r = await form(ytAdmin, `/orgs/${ids.yt}/rules`, { version: 'yt-4', title: '坏的表单', p_duty_points: '{remark:' });
    assert.equal(r.status, 422);
    assert.match(r.text, /duty_points/);
    assert.ok(!(await ytAdmin.get(`/api/v1/orgs/${ids.yt}/rules`)).data.items.some((x) => x.version === 'yt-4'));
    r = await form(ytAdmin, `/orgs/${ids.yt}/rules/copy`, { from_org_id: String(ids.sz), version: '2.0' });
    assert.equal(r.status, 303, r.text);
    assert.equal((await form(ytOrg, `/orgs/${ids.yt}/rules`, { version: 'yt-5', title: '组织者' })).status, 403);
    // the org page links to it
    const orgPage = await szAdmin.get(`/admin/orgs/${ids.sz}`);
    assert.match(orgPage.text, new RegExp(`href="/orgs/${ids.sz}/rules"`));
  });

  test('a session keeps the version it was scheduled under', async () => {
    const topic = (await org.post('/api/v1/topics', { title: '规则版本测试议题', domain: 'society', origin: 'member' })).data.id;
    assert.equal((await org.post(`/api/v1/topics/${topic}/transition`, { to: 'approved' })).status, 200);
    const expert = (await org.post('/api/v1/people', { name: '规则测试专家', category: 'expert' })).data.id;
    const session = async (title) => {
      const s = (await org.post('/api/v1/sessions', { title, topic_id: topic, formats: ['expert'] })).data.id;
      assert.equal((await org.post(`/api/v1/sessions/${s}/invitations`, { person_id: expert })).status, 201);
      const r = await org.post(`/api/v1/sessions/${s}/transition`, { to: 'scheduled' });
      assert.equal(r.status, 200, r.text);
      return s;
    };
    const early = await session('新规则之前排期的会');
    assert.equal((await org.get(`/api/v1/sessions/${early}`)).data.rules_version, '3.1');
    // a new version in force from today: at least 2 must attend before a session closes
    const r = await szAdmin.post(`/api/v1/orgs/${ids.sz}/rules`, { version: '4.0', title: '4.0 版', params: { min_participants: 2 }, effective_from: today() });
    assert.equal(r.status, 201, r.text);
    const late = await session('新规则之后排期的会');
    assert.equal((await org.get(`/api/v1/sessions/${late}`)).data.rules_version, '4.0');
    assert.equal((await org.get(`/api/v1/sessions/${early}`)).data.rules_version, '3.1', 'unchanged');
    for (const s of [early, late]) assert.equal((await org.post(`/api/v1/sessions/${s}/transition`, { to: 'live' })).status, 200);
    // the early session closes under 3.1 (no minimum); the late one needs two present
    let c = await org.post(`/api/v1/sessions/${early}/transition`, { to: 'closed' });
    assert.equal(c.status, 200, c.text);
    c = await org.post(`/api/v1/sessions/${late}/transition`, { to: 'closed' });
    assertError(c, 422, 'requirements_unmet', 'attendance');
    assert.match(c.data.error.message, /min_participants/);
    assert.equal((await org.get(`/api/v1/sessions/${late}`)).data.status, 'live');
  });
});
