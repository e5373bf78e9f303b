// Browser test of a member's whole day (issue 11, "Done when"): on a phone, in Chinese, the
// member 王委员 (demo account `member`) signs in, sees the invitation in the header count,
// in /notifications and on /invitations, and accepts it; after the session they draft a
// proposal from a suggestion of the session page ("据此起草"), naming a co-signer; the
// co-signer gets the e-mail (a real SMTP server, tests/lib/smtp_sink.py), follows its link,
// signs in and confirms on the output page; the submit was refused before that (409
// cosigners_pending) and goes through after; the handling unit replies from its queue
// (/assignments); the member is told of the reply (header count, /notifications, whose link
// opens the output with the reply).
//
// What the member, the co-signer and the unit do goes through the pages (labels, buttons).
// The organizer's office work is done through the API as the organizer (and the co-signer's
// account as sz-admin): making the session and inviting, recording attendance and the
// suggestion, closing the session, accepting and assigning the proposal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startE2EServer, newPage, screenshot, login, saveServerLog, DEMO_PASSWORD } from './browser.mjs';
import { Client, tempDir } from '../lib/server.mjs';

const PHONE = { width: 390, height: 844 };
const FROM = 'noreply@shenliao.test';
const COSIGNER_MAIL = 'li.hongmei@example.cn';
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

let srv, browser, sink, mailDir, dir;

async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

async function startSink(port) {
  const p = spawn('/usr/bin/python3', ['tests/lib/smtp_sink.py', '--port', String(port), '--dir', mailDir]);
  let out = '';
  await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`smtp sink did not start: ${out}`)), 10000);
    p.stdout.on('data', (d) => { out += d; if (/listening/.test(out)) { clearTimeout(t); ok(); } });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (c) => { clearTimeout(t); fail(new Error(`smtp sink exited ${c}: ${out}`)); });
  });
  p.removeAllListeners('exit');
  return { proc: p, exited: new Promise((ok) => p.on('exit', ok)) };
}

async function waitMail(to, pred, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const all = readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort()
      .map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8')));
    const m = all.find((x) => x.rcpt_tos.includes(to) && pred(x));
    if (m) return m;
    if (Date.now() > end) throw new Error(`no mail to ${to} within ${ms} ms: ${JSON.stringify(all.map((x) => [x.rcpt_tos, x.subject]))}`);
    await sleep(200);
  }
}

before(async () => {
  dir = tempDir();
  mailDir = join(dir, 'mail');
  mkdirSync(mailDir);
  const port = await freePort();
  sink = await startSink(port);
  // no --public-url: the links in the mail are the server's own address, so the co-signer's
  // browser can follow them
  srv = await startE2EServer({ args: ['--smtp', `127.0.0.1:${port}`, '--mail-from', FROM] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  if (sink) { sink.proc.kill('SIGTERM'); await sink.exited; }
  try {
    if (srv) await srv.stop();
  } finally {
    if (srv) saveServerLog(srv.log());
    rmSync(dir, { recursive: true, force: true });
  }
});

const api = async (user) => { const c = new Client(srv.url); await c.login(user, DEMO_PASSWORD); return c; };
const ok = (r, what, status = [200, 201]) => {
  assert.ok([].concat(status).includes(r.status), `${what}: ${r.status} ${r.text}`);
  return r.data;
};
const count = async (page) => {
  const badge = page.locator('#bell .count');
  return (await badge.count()) ? Number((await badge.textContent()).trim()) : 0;
};

async function signIn(user, opts = {}) {
  const page = await newPage(browser, srv.url, { viewport: PHONE, isMobile: true, hasTouch: true, ...opts });
  await page.goto('/login');
  await login(page, user, DEMO_PASSWORD);
  await page.waitForURL('**/dashboard');
  return page;
}

test("a member's whole day, on a phone", async () => {
  const org = await api('organizer');
  const admin = await api('sz-admin');
  const session0 = ok(await org.get('/api/v1/sessions/1'), 'demo session');
  const wang = session0.invitations.find((i) => i.name === '王委员').person_id;

  // office work (API): the co-signer 李红梅, a member with an e-mail address and an account
  const li = ok(await admin.post('/api/v1/people', { name: '李红梅', category: 'member', email: COSIGNER_MAIL }), 'person');
  ok(await admin.post('/api/v1/users', { username: 'li-member', password: DEMO_PASSWORD, role: 'member', person_id: li.id }), 'account');
  // office work (API): a session on elder care, 王委员 invited
  const topic = ok(await org.post('/api/v1/topics', { title: '社区嵌入式养老服务', domain: 'society', origin: 'member' }), 'topic');
  ok(await org.post(`/api/v1/topics/${topic.id}/transition`, { to: 'approved' }), 'approve');
  const session = ok(await org.post('/api/v1/sessions', { topic_id: topic.id, title: '社区嵌入式养老深聊会', formats: ['expert'] }), 'session');
  const inv = ok(await org.post(`/api/v1/sessions/${session.id}/invitations`, { person_id: wang, role: 'speaker' }), 'invite');
  const expert = session0.invitations.find((i) => i.category === 'expert' && i.person_id !== wang);
  ok(await org.post(`/api/v1/sessions/${session.id}/invitations`, { person_id: expert.person_id, role: 'expert' }), 'invite an expert');
  ok(await org.post(`/api/v1/sessions/${session.id}/transition`, { to: 'scheduled' }), 'schedule');

  // 1. the member signs in on the phone: the invitation is in the header count and the inbox
  const me = await signIn('member');
  const unread0 = await count(me);
  assert.ok(unread0 >= 1, `unread ${unread0}`);
  await me.locator('#bell').click();
  await me.waitForURL('**/notifications');
  const invNote = me.locator('li.notification.unread', { hasText: '邀请您参加深聊会：社区嵌入式养老深聊会' });
  assert.equal(await invNote.count(), 1, 'the invitation is in the notifications');
  await screenshot(me, 'memberday-01-notifications');

  // 2. /invitations: accept it
  await me.goto('/invitations');
  const card = me.locator(`#invitation-${inv.id}`);
  assert.match(await card.innerText(), /社区嵌入式养老深聊会/);
  await card.getByRole('button', { name: '接受', exact: true }).click();
  await me.waitForURL('**/invitations**');
  assert.match(await me.locator(`#invitation-${inv.id} .rsvp`).innerText(), /已接受|接受/);
  assert.equal((await org.get(`/api/v1/sessions/${session.id}`)).data.invitations.find((i) => i.person_id === wang).rsvp, 'accepted');
  // accepted: no second "接受", but they may still decline; no stray "·" for the missing date
  const answered = me.locator(`#invitation-${inv.id}`);
  assert.equal(await answered.getByRole('button', { name: '接受', exact: true }).count(), 0, 'no accept button once accepted');
  assert.equal(await answered.getByRole('button', { name: '谢绝', exact: true }).count(), 1);
  assert.doesNotMatch(await answered.locator('.meta').innerText(), /^\s*·/);
  await screenshot(me, 'memberday-02-invitation-accepted');

  // office work (API): the session is held, 王委员 attends and speaks, a suggestion is
  // recorded with 王委员 as its proposer, the session is closed
  ok(await org.post(`/api/v1/sessions/${session.id}/transition`, { to: 'live' }), 'live');
  ok(await org.post(`/api/v1/sessions/${session.id}/attendance`, { person_id: wang, attended: true }), 'attendance');
  const remark = ok(await org.post(`/api/v1/sessions/${session.id}/remarks`, { person_id: wang, role: '委员', body: '建议在老旧小区嵌入日间照料中心。' }), 'remark');
  const sug = ok(await org.post(`/api/v1/sessions/${session.id}/suggestions`, { title: '在老旧小区嵌入日间照料中心', body: '利用闲置用房，街道统筹运营。', proposer_ids: [wang], sources: [{ kind: 'remark', id: remark.id }] }), 'suggestion');
  ok(await org.post(`/api/v1/sessions/${session.id}/transition`, { to: 'closed' }), 'close');

  // 3. the member drafts a proposal from the suggestion on the session page
  await me.goto(`/sessions/${session.id}`);
  const draft = me.locator(`#suggestion-${sug.id} a`, { hasText: '据此起草' });
  assert.equal(await draft.count(), 1, 'a member who attended sees the draft link on the suggestion');
  await draft.click();
  await me.waitForURL(/\/outputs\/new\?suggestion_id=\d+/);
  await me.getByLabel('类型').selectOption('proposal');
  await me.getByLabel('标题').fill('关于在老旧小区嵌入日间照料中心的提案');
  const liOption = await me.locator('#cosigners option', { hasText: '李红梅' }).first().getAttribute('value');
  await me.locator('#cosigners').selectOption([liOption]);
  await screenshot(me, 'memberday-03-draft-form');
  await me.getByRole('button', { name: '起草' }).click();
  await me.waitForURL(/\/outputs\/\d+$/);
  const outputPath = new URL(me.url()).pathname;
  const id = Number(outputPath.split('/').pop());
  assert.match(await me.locator('dl.facts').innerText(), /李红梅（联名 · 待确认）/);
  await screenshot(me, 'memberday-04-draft');

  // the submit is refused until the co-signer confirms: 409 cosigners_pending naming 李红梅
  const memberApi = await api('member');
  const refused = await memberApi.post(`/api/v1/outputs/${id}/transition`, { to: 'submitted' });
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.data.error.code, 'cosigners_pending');
  assert.match(refused.text, /李红梅/);
  // and on the page: no submit form, but the reason, naming who is awaited
  assert.equal(await me.locator('form.move[data-to="submitted"]').count(), 0, 'no submit before the confirmation');
  assert.match(await me.locator('#cosign-waiting').innerText(), /等待联名人确认后方可提交：李红梅/);

  // 4. the co-signer gets the e-mail, follows its link, signs in and confirms
  const mail = await waitMail(COSIGNER_MAIL, (m) => /请您联名/.test(m.subject));
  assert.match(mail.headers.To, /li\.hongmei@example\.cn/);
  assert.match(mail.subject, /关于在老旧小区嵌入日间照料中心的提案/);
  const link = (mail.body.match(/https?:\/\/\S+\/outputs\/\d+/) || [])[0];
  assert.ok(link, `a link to the output in the mail: ${mail.body}`);
  assert.equal(new URL(link).pathname, outputPath);
  const co = await newPage(browser, srv.url, { viewport: PHONE, isMobile: true, hasTouch: true });
  await co.goto(link);
  await co.waitForURL(/\/login/);
  await login(co, 'li-member', DEMO_PASSWORD);
  await co.waitForURL(`**${outputPath}`);
  await screenshot(co, 'memberday-05-cosigner-output');
  await co.getByRole('button', { name: '确认联名' }).click();
  await co.waitForURL(`**${outputPath}**`);
  assert.equal(await co.getByRole('button', { name: '确认联名' }).count(), 0, 'confirmed once');
  assert.match(await co.locator('dl.facts').innerText(), /李红梅（联名 · 已确认）/);
  assert.equal(await co.locator('form.move').count(), 0, 'the co-signer does not submit the lead author\'s draft');
  await screenshot(co, 'memberday-06-cosigner-confirmed');

  // 5. the member submits on the page
  await me.goto(outputPath);
  assert.equal(await me.locator('#cosign-waiting').count(), 0, 'nobody awaited any more');
  await me.locator('form.move[data-to="submitted"] button[type=submit]').click();
  await me.waitForURL(/\/outputs\/\d+#workflow$/);
  assert.equal((await org.get(`/api/v1/outputs/${id}`)).data.state, 'submitted');
  await screenshot(me, 'memberday-07-submitted');

  // office work (API): accepted, assigned to the human-resources bureau
  const units = Object.fromEntries((await org.get('/api/v1/handlers')).data.items.map((h) => [h.name, h.id]));
  ok(await org.post(`/api/v1/outputs/${id}/transition`, { to: 'accepted' }), 'accept');
  ok(await org.post(`/api/v1/outputs/${id}/transition`, { to: 'assigned', lead_handler_id: units['市人力资源和社会保障局'], reply_due: '2099-06-30' }), 'assign');

  // 6. the handling unit replies from its queue
  const unit = await signIn('hr-handler');
  await unit.goto('/assignments');
  const item = unit.locator(`#assignment-${id}`);
  assert.match(await item.innerText(), /关于在老旧小区嵌入日间照料中心的提案/);
  await item.getByLabel('答复内容').fill('我局将联合民政部门在三个街道试点嵌入式日间照料中心。');
  await item.getByLabel('答复类别').selectOption('A');
  await item.getByRole('button', { name: '提交答复' }).click();
  await unit.waitForURL(new RegExp(`/assignments#assignment-${id}$`));
  assert.match(await unit.locator(`#assignment-${id}`).innerText(), /已答复（A）/);
  await screenshot(unit, 'memberday-08-unit-replied');

  // 7. the member is told: the header count, the notification, its link opens the reply
  await me.goto('/dashboard');
  assert.ok(await count(me) >= 1);
  await me.locator('#bell').click();
  await me.waitForURL('**/notifications');
  const replyNote = me.locator('li.notification.unread', { hasText: '您的提案已获答复：关于在老旧小区嵌入日间照料中心的提案' });
  assert.equal(await replyNote.count(), 1, 'the reply is in the notifications');
  await screenshot(me, 'memberday-09-reply-notification');
  const before = await count(me);
  await replyNote.locator('.title').click();
  await me.waitForURL(`**${outputPath}**`);
  assert.equal(await count(me), before - 1, 'opening a notification marks it read');
  assert.match(await me.locator('main').innerText(), /我局将联合民政部门在三个街道试点嵌入式日间照料中心/);
  assert.match(await me.locator('.status').first().innerText(), /已答复/);
  await screenshot(me, 'memberday-10-reply');

  for (const p of [me, co, unit]) {
    assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 390), `${p.url()} no wider than the phone`);
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
});
