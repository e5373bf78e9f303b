// Browser tests of issue 11's "Search and registry" pages: on a phone-sized screen an
// organizer uploads an XLSX workbook on /people/import (the file is sent as it is by
// import.js) and lands on the people list with the counts; uploading it again adds nobody.
// A phone on the join page declares its category before voting and sees it kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Client } from '../lib/server.mjs';
import { launchBrowser, startE2EServer, newPage, screenshot, login, saveServerLog, DEMO_PASSWORD } from './browser.mjs';

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
const workbook = fileURLToPath(new URL('../data/xlsx/people-minimal.xlsx', import.meta.url));

test('an organizer uploads an XLSX workbook twice: added, then unchanged', async () => {
  const page = await newPage(browser, srv.url, phoneContext);
  await page.goto('/login');
  await login(page, 'organizer', DEMO_PASSWORD);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  for (const round of [1, 2]) {
    await page.goto('/people/import');
    const box = page.locator('#import-upload');
    assert.ok(await box.isVisible(), 'the upload is offered when script runs');
    await page.getByLabel('上传文件（XLSX 或 CSV）').setInputFiles(workbook);
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.waitForURL(/\/people\?imported=/);
    const counts = await page.locator('#import-counts').innerText();
    if (round === 1) assert.match(counts, /新增\s*3/, counts);
    else assert.match(counts, /新增\s*0.*未变\s*3/s, counts);
    if (round === 2) await screenshot(page, 'people-import-xlsx');
  }
  const r = await org.get(`/api/v1/people?limit=500&q=${encodeURIComponent('表格甲')}`);
  assert.equal(r.data.items.length, 1);
  assert.equal(r.data.items[0].phone, '13800138000');
  assert.deepEqual(page.problems, []);
});

test('a phone declares its category on the join page before voting', async () => {
  const room = await org.post('/api/v1/sessions/5/room', { anonymous: true, moderation: 'post' });
  assert.equal(room.status, 200, room.text);
  const phone = await newPage(browser, srv.url, phoneContext);
  await phone.goto(`/j/${room.data.code}`);
  await phone.getByLabel('我的身份').selectOption('expert');
  await phone.getByRole('button', { name: '保存身份' }).click();
  await phone.waitForURL(/declared=1/);
  assert.equal(await phone.getByLabel('我的身份').inputValue(), 'expert');
  await phone.locator('#next').getByRole('button', { name: '赞成' }).click();
  await phone.waitForURL(/voted=/);
  assert.equal(await phone.getByLabel('我的身份').inputValue(), 'expert', 'kept after a vote');
  await screenshot(phone, 'join-category');
  assert.deepEqual(phone.problems, []);
});

test('the search page filters by kind on a phone', async () => {
  const page = await newPage(browser, srv.url, phoneContext);
  await page.goto('/login');
  await login(page, 'organizer', DEMO_PASSWORD);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto('/search?q=' + encodeURIComponent('人工智能'));
  await page.getByLabel('类别').selectOption('statement');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForURL(/kind=statement/);
  const tags = await page.locator('.result .tag').allInnerTexts();
  assert.ok(tags.length > 0, 'the demo room has statements about 人工智能');
  assert.ok(tags.every((t) => t === '观点'), tags.join());
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no sideways scrolling (${width}px)`);
  await screenshot(page, 'search-kind');
  assert.deepEqual(page.problems, []);
});
