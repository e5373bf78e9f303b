// Browser test of the participant's own vote on the join page (issue 12, item 4): on a
// 360x740 phone, a participant votes 赞成 on a statement of the demo's live room, sees the
// button pressed (aria-pressed) and the vote counted, changes it to 反对, sees that one pressed
// and the other not, and the stored vote (through the API, as that phone) is the changed one.
// Posting a statement says it was received and whether it awaits review.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { launchBrowser, startE2EServer, newPage, screenshot, saveServerLog, DEMO_PASSWORD } from './browser.mjs';

let srv, browser, org;
before(async () => {
  srv = await startE2EServer();
  browser = await launchBrowser();
  org = new Client(srv.url);
  await org.login('organizer', DEMO_PASSWORD);
});
after(async () => {
  await browser?.close();
  saveServerLog(srv.log());
  await srv.stop();
});

const phoneContext = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };

test('a phone votes, sees its vote pressed, changes it, and the changed vote is stored', async () => {
  // the live demo session (人工智能与文化发展) opens its room to anonymous phones
  const room = await org.post('/api/v1/sessions/5/room', { anonymous: true, moderation: 'post' });
  assert.equal(room.status, 200, room.text);
  const code = room.data.code;
  const phone = await newPage(browser, srv.url, phoneContext);
  await phone.goto(`/j/${code}`);
  const card = phone.locator('#next');
  const id = await card.getAttribute('data-statement');
  const text = await card.locator('.statement').innerText();
  for (const name of ['赞成', '反对', '跳过'])
    assert.equal(await card.getByRole('button', { name }).getAttribute('aria-pressed'), 'false', name);

  await card.getByRole('button', { name: '赞成' }).click();
  await phone.waitForURL(new RegExp(`/j/${code}\\?voted=${id}`));
  const mine = phone.locator(`#mine-${id}`);
  assert.equal(await mine.locator('.statement').innerText(), text);
  assert.equal(await mine.getByRole('button', { name: '赞成' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await mine.getByRole('button', { name: '反对' }).getAttribute('aria-pressed'), 'false');
  assert.equal(await mine.getByRole('button', { name: '跳过' }).getAttribute('aria-pressed'), 'false');
  assert.match(await phone.getByRole('status').innerText(), /您的表态已记录：赞成/);
  // visibly chosen, not only to a screen reader: the pressed button is filled, the others outlined
  const bg = (name) => mine.getByRole('button', { name }).evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.notEqual(await bg('赞成'), 'rgb(255, 255, 255)');
  assert.equal(await bg('反对'), 'rgb(255, 255, 255)');

  await mine.getByRole('button', { name: '反对' }).click();
  // the same address again: wait for the new page, not the old one
  await phone.locator(`#mine-${id} button.disagree[aria-pressed="true"]`).waitFor();
  assert.equal(await mine.getByRole('button', { name: '反对' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await mine.getByRole('button', { name: '赞成' }).getAttribute('aria-pressed'), 'false');
  assert.match(await phone.getByRole('status').innerText(), /您的表态已记录：反对/);
  assert.equal(await phone.locator('#voted').innerText(), '1', 'a changed vote is still one vote');
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no horizontal scrolling (${width})`);
  await screenshot(phone, 'join-my-vote');

  // the stored vote, as this phone (its cookie) sees it through the API
  const r = await phone.request.get('/api/v1/sessions/5/statements');
  assert.equal(r.status(), 200);
  const items = (await r.json()).items;
  const s = items.find((x) => String(x.id) === id);
  assert.equal(s.my_vote, -1);
  assert.equal(items.filter((x) => x.my_vote !== null).length, 1);
  assert.deepEqual(phone.problems, []);
  await phone.context().close();
});

test('posting a statement says it was received, and whether it awaits review', async () => {
  const room = await org.post('/api/v1/sessions/5/room', { anonymous: true, moderation: 'pre' });
  assert.equal(room.status, 200, room.text);
  const phone = await newPage(browser, srv.url, phoneContext);
  await phone.goto(`/j/${room.data.code}`);
  await phone.getByLabel('提出您的观点（280 字以内）').fill('希望每场都公布表态结果');
  await phone.getByRole('button', { name: '提交观点' }).click();
  await phone.waitForURL(/posted=1&pending=1/);
  assert.match(await phone.getByRole('status').innerText(), /已收到，待组织者审核后公开/);

  await org.post('/api/v1/sessions/5/room', { anonymous: true, moderation: 'post' });
  await phone.getByLabel('提出您的观点（280 字以内）').fill('希望会后寄送纪要');
  await phone.getByRole('button', { name: '提交观点' }).click();
  await phone.waitForURL((u) => u.search === '?posted=1');
  assert.match(await phone.getByRole('status').innerText(), /已收到，已公开/);
  assert.deepEqual(phone.problems, []);
  await phone.context().close();
});

test('without JavaScript the same: form posts, the vote pressed and counted', async () => {
  const room = await org.post('/api/v1/sessions/5/room', { anonymous: true, moderation: 'post' });
  assert.equal(room.status, 200, room.text);
  const code = room.data.code;
  const phone = await newPage(browser, srv.url, { ...phoneContext, javaScriptEnabled: false });
  await phone.goto(`/j/${code}`);
  const id = await phone.locator('#next').getAttribute('data-statement');
  await phone.locator('#next').getByRole('button', { name: '跳过' }).click();
  await phone.waitForURL(new RegExp(`/j/${code}\\?voted=${id}`));
  const mine = phone.locator(`#mine-${id}`);
  assert.equal(await mine.getByRole('button', { name: '跳过' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await mine.getByRole('button', { name: '赞成' }).getAttribute('aria-pressed'), 'false');
  assert.match(await phone.getByRole('status').innerText(), /您的表态已记录：跳过/);
  await mine.getByRole('button', { name: '赞成' }).click();
  await phone.locator(`#mine-${id} button.agree[aria-pressed="true"]`).waitFor();
  assert.equal(await mine.getByRole('button', { name: '跳过' }).getAttribute('aria-pressed'), 'false');
  const r = await phone.request.get('/api/v1/sessions/5/statements');
  assert.equal((await r.json()).items.find((x) => String(x.id) === id).my_vote, 1);
  assert.deepEqual(phone.problems, []);
  await phone.context().close();
});
