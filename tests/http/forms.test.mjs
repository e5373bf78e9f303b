// HTTP tests of issue #12 items 2 and 3: a refused form comes back with what was sent (and
// the error beside its field); a draft output starts from a suggestion the caller may read;
// a suggestion cites statements of the opinion map from the session page's form.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

function form(c, path, fields) {
  const body = new URLSearchParams({ csrf_token: c.csrf });
  for (const [k, v] of Object.entries(fields)) {
    for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  }
  return c.req('POST', path, { body: body.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

describe('forms keep what was typed; drafts start from suggestions', () => {
  let srv, org, sug;
  const as = async (u) => { const c = new Client(srv.url); await c.login(u, DEMO_PASSWORD); return c; };
  before(async () => {
    srv = await startServer();
    org = await as('organizer');
    sug = (await org.get('/api/v1/sessions/1')).data.suggestions[0];
  });
  after(async () => { await srv.stop(); });

  test('/outputs/new?suggestion_id prefills title, body, session, sources and authors', async () => {
    const r = await org.get(`/outputs/new?suggestion_id=${sug.id}`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, new RegExp(`name="title"[^>]*value="${esc(sug.title)}"`));
    const body = `1. ${sug.title}\n${sug.body}\n\n来源：\n${sug.sources.map((x) => `— ${x.excerpt}\n`).join('')}`;
    assert.ok(r.text.includes(`>${esc(body)}</textarea>`), 'the body: the suggestion and the sources it cites');
    assert.match(r.text, new RegExp(`name="from_suggestion" value="${sug.id}"`));
    assert.match(r.text, /name="session_id" value="1"/);
    assert.match(r.text, new RegExp(`name="suggestion_ids" value="${sug.id}" checked`));
    for (const s of sug.sources) assert.ok(r.text.includes(esc(s.excerpt)), `source ${s.id} shown`);
    const [lead, ...co] = sug.proposers.map((p) => p.id);
    assert.match(r.text, new RegExp(`id="lead_author"[\\s\\S]*?<option value="${lead}" selected>[\\s\\S]*?</select>`));
    for (const id of co) assert.match(r.text, new RegExp(`id="cosigners"[\\s\\S]*?<option value="${id}" selected>`));
    assert.equal((await org.get('/outputs/new?suggestion_id=999999')).status, 404);
    assert.equal((await org.get('/outputs/new?suggestion_id=x')).status, 404);
  });

  test('only a suggestion the caller may read: another body\'s is not found', async () => {
    const yt = await as('yt-organizer');
    // an internal session of the city, with a suggestion: the district does not see it
    const topics = (await org.get('/api/v1/topics?limit=100')).data.items;
    const tp = topics.find((t) => t.status === 'approved' || t.status === 'scheduled');
    const ses = await org.post('/api/v1/sessions', { topic_id: tp.id, title: '内部的会', visibility: 'internal' });
    assert.equal(ses.status, 201, ses.text);
    const hs = await org.post(`/api/v1/sessions/${ses.data.id}/suggestions`, { title: '内部的建议' });
    assert.equal(hs.status, 201, hs.text);
    const hidden = hs.data;
    assert.equal((await yt.get(`/api/v1/sessions/${ses.data.id}`)).status, 404);
    assert.equal((await yt.get(`/outputs/new?suggestion_id=${hidden.id}`)).status, 404);
    assert.equal((await org.get(`/outputs/new?suggestion_id=${hidden.id}`)).status, 200);
    // nor through the hidden field of a posted form
    const r = await form(yt, '/outputs', { kind: 'speech', title: '', from_suggestion: String(hidden.id) });
    assert.equal(r.status, 422);
    assert.ok(!r.text.includes(esc(hidden.title)), 'the hidden suggestion is not shown');
    // a member drafts as their own lead author (issue 11), but not a special report
    assert.equal((await form(await as('member'), '/outputs', { kind: 'special_report', title: 'x' })).status, 403);
  });

  test('a refused draft keeps every field and its suggestion', async () => {
    const long = '情况'.repeat(400) + '分析'.repeat(200) + '建议'.repeat(200);
    const r = await form(org, '/outputs', {
      kind: 'opinion_report', title: '过长的社情民意<信息>', body: long, date: '2024-08-01',
      lead_author: String(sug.proposers[0].id), cosigners: sug.proposers.slice(1).map((p) => String(p.id)),
      suggestion_ids_present: '1', suggestion_ids: [String(sug.id)], from_suggestion: String(sug.id), session_id: '1',
    });
    assert.equal(r.status, 422, r.text.slice(0, 500));
    assert.ok(r.text.includes(`>${long}</textarea>`), 'the body as typed');
    assert.match(r.text, /name="title"[^>]*value="过长的社情民意&lt;信息&gt;"/);
    assert.match(r.text, /<option value="opinion_report" selected>/);
    assert.match(r.text, /name="date" type="date" value="2024-08-01"/);
    assert.match(r.text, new RegExp(`name="suggestion_ids" value="${sug.id}" checked`));
    assert.match(r.text, new RegExp(`name="from_suggestion" value="${sug.id}"`));
    assert.match(r.text, /id="body"[^>]*aria-invalid="true" aria-describedby="body-error"/);
    assert.match(r.text, /<p class="field-error" id="body-error">[^<]*1600/);
    // in English the message is English
    const enc = await as('organizer');
    assert.equal((await enc.get('/lang?to=en&next=/')).status, 303); // the sl_lang cookie
    const en = await form(enc, '/outputs', { kind: 'speech', title: '', from_suggestion: String(sug.id) });
    assert.equal(en.status, 422);
    assert.match(en.text, /id="title-error">[^<]*[Tt]itle/);
    assert.doesNotMatch(en.text, /id="title-error">[^<]*标题/);
    // and in Chinese it is Chinese, naming the field in Chinese
    const zh = await form(org, '/outputs', { kind: 'speech', title: '', from_suggestion: String(sug.id) });
    assert.match(zh.text, /id="title-error">[^<]*标题/);
    // sent again correctly, the output is made from the suggestion
    const ok = await form(org, '/outputs', { kind: 'speech', title: '发言', body: '正文', suggestion_ids_present: '1', suggestion_ids: [String(sug.id)], from_suggestion: String(sug.id), session_id: '1' });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    const id = ok.headers.get('location').split('/').pop();
    const o = (await org.get(`/api/v1/outputs/${id}`)).data;
    assert.deepEqual(o.suggestion_ids, [sug.id]);
    // an edit that does not name the suggestions keeps them
    assert.equal((await org.patch(`/api/v1/outputs/${id}`, { title: '改过的发言' })).status, 200);
    assert.deepEqual((await org.get(`/api/v1/outputs/${id}`)).data.suggestion_ids, [sug.id]);
    assert.ok((await org.get(`/outputs/${id}`)).text.includes(`href="/sessions/1#suggestion-${sug.id}"`), 'the output page links its suggestion');
  });

  test('the session page offers statements as sources, and a refused suggestion keeps its input', async () => {
    const st = (await org.get('/api/v1/sessions/5/statements')).data.items;
    assert.ok(st.length > 0, 'the live demo session has statements');
    const page = await org.get('/sessions/5');
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`name="sources" value="statement:${st[0].id}"`), 'statements are offered');
    assert.ok(page.text.includes(esc(st[0].text)), 'with their text');
    const bad = await form(org, '/sessions/5/suggestions', { title: '', body: '没有标题的建议', sources: [`statement:${st[0].id}`] });
    assert.equal(bad.status, 422);
    assert.ok(bad.text.includes('>没有标题的建议</textarea>'));
    assert.match(bad.text, new RegExp(`value="statement:${st[0].id}" checked`));
    assert.match(bad.text, /id="suggestion_title"[^>]*aria-invalid="true"/);
    const ok = await form(org, '/sessions/5/suggestions', { title: '据观点提出的建议', body: '正文', sources: [`statement:${st[0].id}`] });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    const s = (await org.get('/api/v1/sessions/5')).data.suggestions.find((x) => x.title === '据观点提出的建议');
    assert.deepEqual(s.sources.map((x) => [x.kind, x.id]), [['statement', st[0].id]]);
    // the new suggestion links to a draft made from it, which lists the statement
    const after = await org.get('/sessions/5');
    assert.ok(after.text.includes(`/outputs/new?suggestion_id=${s.id}`));
    assert.ok(after.text.includes('据此起草'));
    // and shows the statement it cites: its text, marked as a statement, linked to the map
    assert.ok(after.text.includes(`<a href="/sessions/5/map#statement-${st[0].id}">${esc(st[0].text)}</a>`),
      'the statement source with its text');
    const draft = await org.get(`/outputs/new?suggestion_id=${s.id}`);
    assert.ok(draft.text.includes(`/sessions/5/map#statement-${st[0].id}`));
  });

  test('other forms keep their values', async () => {
    const bad = await form(org, '/people/new', { name: '', category: 'expert', sector: '科技界', affiliation: '深圳大学', phone: '0755-1' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /name="sector" value="科技界"/);
    assert.match(bad.text, /name="affiliation" value="深圳大学"/);
    assert.match(bad.text, /id="name"[^>]*aria-invalid="true" aria-describedby="name-error"/);
    const topics = (await org.get('/api/v1/topics?limit=100')).data.items;
    const tp = topics.find((t) => t.status === 'approved' || t.status === 'scheduled');
    const s = await form(org, '/sessions', { topic_id: String(tp.id), title: '时间倒置的会', venue: '会议室', starts_at: '2030-05-01T15:00', ends_at: '2030-05-01T09:00', visibility: 'internal', formats_present: '1', formats: ['expert'] });
    assert.equal(s.status, 422);
    assert.match(s.text, /name="title" value="时间倒置的会"/);
    assert.match(s.text, /name="venue" value="会议室"/);
    assert.match(s.text, /value="2030-05-01T15:00"/);
    assert.match(s.text, /id="ends_at"[^>]*aria-invalid="true"/);
    const rem = await form(org, '/sessions/5/remarks', { person_id: '', role: '主持', body: '一段发言' });
    assert.equal(rem.status, 422);
    assert.ok(rem.text.includes('>一段发言</textarea>'));
    assert.match(rem.text, /name="role" maxlength="50" value="主持"/);
    const tb = await form(org, '/topics', { title: '', domain: 'economy', origin: 'annual_plan', proposer: '某委员', plan_month: '5', plan_year: '2030', description: '说明' });
    assert.equal(tb.status, 422);
    assert.match(tb.text, /name="plan_month"[^>]*value="5"/);
    assert.match(tb.text, /name="proposer" value="某委员"[^>]*>/);
    assert.match(tb.text, /id="title"[^>]*aria-invalid="true" aria-describedby="title-error"/);
    // the topic's own page: a refused edit shows what was sent
    const te = await form(org, `/topics/${tp.id}`, { title: '', proposer: '改过的提出者', description: '改过的说明', domain: tp.domain, origin: tp.origin });
    assert.equal(te.status, 422);
    assert.match(te.text, /name="proposer" value="改过的提出者"/);
    assert.ok(te.text.includes('>改过的说明</textarea>'));
    // an account: the password typed twice differently is named beside the second field
    const pw = await form(org, '/account/password', { current_password: DEMO_PASSWORD, password: 'new-pass-1234', password_again: 'other-pass-1234' });
    assert.equal(pw.status, 422);
    assert.match(pw.text, /id="password_again"[^>]*aria-invalid="true"/);
    assert.ok(!pw.text.includes('new-pass-1234'), 'passwords are never sent back');
    // the join page: a statement over 280 characters comes back as typed
    const room = (await org.get('/api/v1/sessions/5/room')).data;
    const longSt = '这是一条很长的观点'.repeat(40);
    const js = await form(org, `/j/${room.code}/statements`, { text: longSt });
    assert.equal(js.status, 422, js.text.slice(0, 300));
    assert.ok(js.text.includes(`>${longSt}</textarea>`));
    assert.match(js.text, /id="text"[^>]*aria-invalid="true" aria-describedby="text-error"/);
    // room settings: a moderation that does not exist comes back on the map page, as sent
    const rs = await form(org, '/sessions/5/room', { open: '1', anonymous: '1', moderation: 'sometimes' });
    assert.equal(rs.status, 422, rs.text.slice(0, 300));
    assert.match(rs.text, /id="room-error"/);
    assert.match(rs.text, /name="anonymous" value="1" checked/);
    // the admin's forms
    const admin = await as('sz-admin');
    const un = await form(admin, '/admin/users', { username: '', display_name: '没有用户名的人', role: 'member', password: 'long-enough-1' });
    assert.equal(un.status, 422);
    assert.match(un.text, /name="display_name" value="没有用户名的人"/);
    assert.match(un.text, /id="username"[^>]*aria-invalid="true"/);
    const ob = await form(admin, '/admin/orgs', { name: '新区政协', slug: 'Bad Slug', level: 'district' });
    assert.equal(ob.status, 422);
    assert.match(ob.text, /name="name" value="新区政协"/);
    assert.match(ob.text, /<option value="district" selected>/);
  });
});
