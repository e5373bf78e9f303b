// HTTP tests of notifications (issue 11, "Notifications", in the app): an invitation of a
// person linked to the `member` account makes an inbox item with its title in the reader's
// language; read -> 204, someone else's id -> 404; mark all read; the unread count in the
// header of a page; assignment, reply and adoption notify the handling unit and the authors;
// the scheduler sends a reply_due reminder with a short tick, once, even with two processes
// on one database.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

let srv;
async function as(username, password = DEMO_PASSWORD, base = srv.url) {
  const c = new Client(base);
  await c.login(username, password);
  return c;
}
async function inbox(c, q = '') {
  const r = await c.get(`/api/v1/me/notifications${q}`);
  assert.equal(r.status, 200, r.text);
  return r.data;
}
// chinaDate is the date (YYYY-MM-DD) in China days from now.
function chinaDate(days) {
  return new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

describe('the inbox', () => {
  let org, member, ppl, session;
  before(async () => {
    srv = await startServer({ args: ['--tick-seconds', '1'] });
    org = await as('organizer');
    member = await as('member');
    const s1 = (await org.get('/api/v1/sessions/1')).data;
    ppl = {};
    for (const i of s1.invitations) ppl[i.name] = i.person_id;
    const t = await org.post('/api/v1/topics', { title: '通知测试议题', domain: 'society', origin: 'member' });
    assert.equal(t.status, 201, t.text);
    assert.equal((await org.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' })).status, 200);
    session = (await org.post('/api/v1/sessions', { topic_id: t.data.id, title: '通知测试深聊会', formats: ['sector'] })).data;
  });
  after(async () => { await srv.stop(); });

  test('an invitation makes an item in the invitee\'s inbox, titled in their language', async () => {
    const before = await inbox(member);
    const inv = await org.post(`/api/v1/sessions/${session.id}/invitations`, { person_id: ppl['王委员'], role: 'member' });
    assert.equal(inv.status, 201, inv.text);
    const now = await inbox(member);
    assert.equal(now.unread, before.unread + 1);
    const it = now.items[0];
    assert.equal(it.kind, 'invitation');
    assert.equal(it.title, '邀请您参加深聊会：通知测试深聊会');
    assert.equal(it.link, '/invitations');
    assert.equal(it.read, false);
    assert.match(it.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    assert.deepEqual(Object.keys(it).sort(), ['created_at', 'id', 'kind', 'link', 'read', 'title']);
    // in English for an English reader
    const en = await member.get('/api/v1/me/notifications', { headers: { 'Accept-Language': 'en' } });
    assert.equal(en.data.items[0].title, 'You are invited to: 通知测试深聊会');
    // the organizer who invited is told nothing
    assert.ok(!(await inbox(org)).items.some((x) => x.id === it.id));
  });

  test('read -> 204, someone else\'s id -> 404, all read, paging newest first', async () => {
    const mine = await inbox(member);
    const id = mine.items[0].id;
    const other = await as('ft-member');
    const r404 = await other.post(`/api/v1/me/notifications/${id}/read`, {});
    assert.equal(r404.status, 404, r404.text);
    assert.equal((await other.post('/api/v1/me/notifications/999999999/read', {})).status, 404);
    assert.equal((await inbox(member)).items[0].read, false, 'someone else could not read it');
    const r = await member.post(`/api/v1/me/notifications/${id}/read`, {});
    assert.equal(r.status, 204, r.text);
    assert.equal((await member.post(`/api/v1/me/notifications/${id}/read`, {})).status, 204, 'again: still 204');
    const after1 = await inbox(member);
    assert.equal(after1.items[0].read, true);
    assert.equal(after1.unread, mine.unread - 1);
    // unknown members of the body are refused before the handler runs
    assert.equal((await member.post(`/api/v1/me/notifications/${id}/read`, { x: 1 })).status, 422);
    // anonymous: not signed in
    const anon = new Client(srv.url);
    assert.equal((await anon.get('/api/v1/me/notifications')).status, 401);
    assert.equal((await anon.post(`/api/v1/me/notifications/${id}/read`, {})).status, 401);
    // paging: a second invitation, then pages of one
    const s2 = (await org.post('/api/v1/sessions', { topic_id: session.topic_id, title: '第二场通知测试', formats: ['sector'] })).data;
    assert.equal((await org.post(`/api/v1/sessions/${s2.id}/invitations`, { person_id: ppl['王委员'], role: 'member' })).status, 201);
    const p1 = await inbox(member, '?limit=1');
    assert.equal(p1.items.length, 1);
    assert.equal(p1.items[0].title, '邀请您参加深聊会：第二场通知测试');
    assert.ok(p1.next);
    const p2 = await inbox(member, `?limit=1&cursor=${p1.next}`);
    assert.equal(p2.items[0].id, id);
    assert.ok(p2.items[0].id < p1.items[0].id);
    assert.equal((await member.get('/api/v1/me/notifications?limit=0')).status, 400);
    // all read
    assert.equal((await member.post('/api/v1/me/notifications/read', {})).status, 204);
    const all = await inbox(member, '?limit=500');
    assert.equal(all.unread, 0);
    assert.ok(all.items.every((x) => x.read));
  });

  test('the header counts unread notifications on every signed-in page; /notifications lists them', async () => {
    const before = await member.get('/dashboard');
    assert.equal(before.status, 200);
    assert.match(before.text, /<a class="bell" id="bell" href="\/notifications">通知<\/a>/, 'no count when all are read');
    const s3 = (await org.post('/api/v1/sessions', { topic_id: session.topic_id, title: '第三场通知测试', formats: ['sector'] })).data;
    assert.equal((await org.post(`/api/v1/sessions/${s3.id}/invitations`, { person_id: ppl['王委员'], role: 'member' })).status, 201);
    for (const p of ['/dashboard', '/sessions', '/invitations']) {
      const r = await member.get(p);
      assert.equal(r.status, 200, p);
      assert.match(r.text, /<a class="bell" id="bell" href="\/notifications">通知 <span class="count"[^>]*>1<\/span><\/a>/, p);
    }
    const page = await member.get('/notifications');
    assert.equal(page.status, 200);
    assert.match(page.text, /邀请您参加深聊会：第三场通知测试/);
    const id = (await inbox(member)).items[0].id;
    assert.match(page.text, new RegExp(`action="/notifications/${id}/read"`));
    // the form marks it read and comes back
    const form = await member.req('POST', `/notifications/${id}/read`, {
      body: new URLSearchParams({ csrf_token: member.csrf }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 303, form.text);
    assert.equal(form.headers.get('location'), '/notifications');
    assert.equal((await inbox(member)).unread, 0);
    // someone else's through the page: 404
    const other = await as('ft-member');
    const f404 = await other.req('POST', `/notifications/${id}/read`, {
      body: new URLSearchParams({ csrf_token: other.csrf }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(f404.status, 404);
    // an unread one's title opens it: marked read, then on to its own link (never elsewhere)
    const s4 = (await org.post('/api/v1/sessions', { topic_id: session.topic_id, title: '第四场通知测试', formats: ['sector'] })).data;
    assert.equal((await org.post(`/api/v1/sessions/${s4.id}/invitations`, { person_id: ppl['王委员'], role: 'member' })).status, 201);
    const n4 = (await inbox(member)).items[0];
    assert.equal(n4.link, '/invitations');
    const listed = await member.get('/notifications');
    assert.match(listed.text, new RegExp(`<button type="submit" class="link title">邀请您参加深聊会：第四场通知测试</button>`));
    const opened = await member.req('POST', `/notifications/${n4.id}/read`, {
      body: new URLSearchParams({ csrf_token: member.csrf, open: '1' }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(opened.status, 303, opened.text);
    assert.equal(opened.headers.get('location'), '/invitations');
    assert.equal((await inbox(member)).unread, 0);
    const o404 = await other.req('POST', `/notifications/${n4.id}/read`, {
      body: new URLSearchParams({ csrf_token: other.csrf, open: '1' }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(o404.status, 404);
    // English page
    const en = await member.get('/notifications', { headers: { 'Accept-Language': 'en' } });
    assert.match(en.text, /You are invited to: 第三场通知测试/);
    assert.match(en.text, />Notifications</);
    // anonymous pages have no count
    assert.doesNotMatch((await new Client(srv.url).get('/sessions')).text, /class="bell"/);
  });

  test('a title of the longest subject is whole', async () => {
    const long = '长'.repeat(199) + '尾';
    const s = await org.post('/api/v1/sessions', { topic_id: session.topic_id, title: long, formats: ['sector'] });
    assert.equal(s.status, 201, s.text);
    assert.equal((await org.post(`/api/v1/sessions/${s.data.id}/invitations`, { person_id: ppl['王委员'], role: 'member' })).status, 201);
    assert.equal((await inbox(member)).items[0].title, `邀请您参加深聊会：${long}`);
  });

  test('assignment tells the handling unit, the reply and an adoption tell the authors; a reminder comes from the scheduler', async () => {
    const handler = await as('hr-handler');
    const hrUnit = (await org.get('/api/v1/handlers')).data.items.find((h) => h.name === '市人力资源和社会保障局').id;
    const o = await org.post('/api/v1/outputs', { kind: 'proposal', title: '关于通知测试的提案', authors: [{ person_id: ppl['王委员'], role: 'lead' }] });
    assert.equal(o.status, 201, o.text);
    const id = o.data.id;
    const move = (c, to, extra = {}) => c.post(`/api/v1/outputs/${id}/transition`, { to, ...extra });
    assert.equal((await move(org, 'submitted')).status, 200);
    assert.equal((await move(org, 'accepted')).status, 200);
    const hBefore = (await inbox(handler, '?limit=500')).items.filter((x) => x.kind === 'reply_due').length;
    const a = await move(org, 'assigned', { handlers: [{ handler_id: hrUnit, role: 'lead' }], reply_due: chinaDate(3) });
    assert.equal(a.status, 200, a.text);
    const hi = (await inbox(handler)).items.find((x) => x.kind === 'assignment');
    assert.ok(hi, 'the unit is told');
    assert.equal(hi.title, '交由您办理：关于通知测试的提案');
    assert.equal(hi.link, `/outputs/${id}`);
    // the scheduler (tick 1 s) sends the reminder: due in three days is within the week
    let due = [];
    for (let i = 0; i < 50 && due.length === 0; i++) {
      await sleep(200);
      due = (await inbox(handler, '?limit=500')).items.filter((x) => x.kind === 'reply_due' && x.link === `/outputs/${id}`);
    }
    assert.equal(due.length, 1, 'a reply_due reminder');
    assert.equal(due[0].title, '办理答复即将到期：关于通知测试的提案');
    // a second process on the same database: still only one
    const srv2 = await startServer({ existing: srv.db, args: ['--tick-seconds', '1'] });
    try {
      await sleep(2500);
    } finally {
      await srv2.stop();
    }
    const again = (await inbox(handler, '?limit=500')).items.filter((x) => x.kind === 'reply_due');
    assert.equal(again.length, hBefore + 1, 'sent once');
    // the reply reaches the authors
    assert.equal((await move(handler, 'replied', { reply_text: '已研究办理。', grade: 'A' })).status, 200);
    const mi = (await inbox(member)).items[0];
    assert.equal(mi.kind, 'reply_received');
    assert.equal(mi.title, '您的提案已获答复：关于通知测试的提案');
    const ad = await org.post(`/api/v1/outputs/${id}/adoptions`, { kind: 'department', title: '人社局采纳' });
    assert.equal(ad.status, 201, ad.text);
    assert.equal((await inbox(member)).items[0].kind, 'adoption');
  });
});
