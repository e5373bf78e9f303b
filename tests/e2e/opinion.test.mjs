// Browser test of the live opinion map (issue #4): the map page is open on a projector while
// 30 simulated phones vote over HTTP; the page shows the groups and updates without reload.
// A statement the organizer removes disappears from the analysis on the open page. A phone
// page at 360 px votes through its buttons.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { launchBrowser, startE2EServer, newPage, screenshot, login, saveServerLog, DEMO_PASSWORD } from './browser.mjs';

let srv, browser;
before(async () => {
  srv = await startE2EServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  saveServerLog(srv.log());
  await srv.stop();
});

test('30 phones vote while the map page is open; it updates without reload', async () => {
  const org = new Client(srv.url);
  await org.login('organizer', DEMO_PASSWORD);
  // the live demo session (人工智能与文化发展) opens its room to anonymous phones
  const room = await org.post('/api/v1/sessions/5/room', { anonymous: true, moderation: 'post' });
  assert.equal(room.status, 200, room.text);
  const texts = ['博物馆应当开放数字藏品', '图书馆应当提供智能检索', '文化消费券应当向青年倾斜', '非遗传承人应当学习新技术', '城市书房应当延长开放时间', '社区剧场应当免费开放'];
  const ids = [];
  for (const text of texts) {
    const r = await org.post('/api/v1/sessions/5/statements', { text });
    assert.equal(r.status, 201, r.text);
    ids.push(r.data.id);
  }

  const page = await newPage(browser, srv.url, { viewport: { width: 1280, height: 900 } });
  await page.goto('/login?next=/sessions/5/map');
  await login(page, 'organizer', DEMO_PASSWORD);
  await page.waitForURL('**/sessions/5/map');
  await page.locator('#join-code').waitFor();
  assert.equal(await page.locator('#join-code').innerText(), room.data.code);
  const before = await page.locator('#n-votes').innerText();
  let reloaded = false;
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) reloaded = true; });

  const phones = Array.from({ length: 30 }, () => new Client(srv.url));
  await Promise.all(phones.map(async (p, i) => {
    for (let k = 0; k < ids.length; k++) {
      const v = k === 0 ? 1 : ((i + k) % 2 ? 1 : -1);
      const r = await p.req('PUT', `/api/v1/statements/${ids[k]}/vote`, { json: { vote: v } });
      assert.equal(r.status, 200, r.text);
    }
  }));
  // the page shows the groups within a few seconds, by itself
  await page.locator('.group').nth(1).waitFor({ timeout: 5000 });
  const expected = String(Number(before) + 180);
  await page.waitForFunction((n) => document.getElementById('n-votes').textContent === n, expected, { timeout: 5000 });
  assert.equal(reloaded, false, 'no reload');
  assert.ok(await page.locator('.group').count() >= 2);
  assert.match(await page.locator('#consensus').innerText(), /博物馆应当开放数字藏品/);
  assert.equal(await page.locator('.map-wrap svg circle[data-group="0"]').count() > 0, true);
  await screenshot(page, 'opinion-map');

  // the organizer removes the statement everyone agreed on: it leaves the analysis
  await page.locator('#moderation li', { hasText: '博物馆应当开放数字藏品' }).getByRole('button', { name: '移除' }).click();
  await page.waitForURL('**/sessions/5/map#moderation');
  await page.waitForFunction(() => !document.getElementById('consensus').textContent.includes('博物馆应当开放数字藏品'), null, { timeout: 5000 });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a phone votes with its buttons at 360 px', async () => {
  const room = (await (async () => { const c = new Client(srv.url); await c.login('organizer', DEMO_PASSWORD); return c.get('/api/v1/sessions/5/room'); })()).data;
  const phone = await newPage(browser, srv.url, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await phone.goto(`/j/${room.code}`);
  const first = await phone.locator('#next .statement').innerText();
  await phone.getByRole('button', { name: '赞成' }).click();
  await phone.waitForURL(new RegExp(`/j/${room.code}\\?voted=`));
  assert.notEqual(await phone.locator('#next .statement').innerText().catch(() => ''), first);
  assert.equal(await phone.locator('#voted').innerText(), '1');
  await phone.getByLabel('提出您的观点（280 字以内）').fill('希望多举办这样的讨论');
  await phone.getByRole('button', { name: '提交观点' }).click();
  await phone.waitForURL(/posted=1/);
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no horizontal scrolling (${width})`);
  await screenshot(phone, 'phone-vote');
  assert.deepEqual(phone.problems, []);
  await phone.context().close();
});
