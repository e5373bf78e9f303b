// Browser test of issue 11's corrections, as an organizer works on a phone: a closed
// session's remark is corrected (the reason asked for), an agreed point is deleted after the
// confirming step, and the page stays within the phone's width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

const fits = async (page) => {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no horizontal scrolling on ${page.url()} (${width})`);
};

test('an organizer corrects the record of a closed session on a phone', async () => {
  const page = await newPage(browser, srv.url, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await page.goto('/login?next=/sessions/1');
  await login(page, 'organizer', DEMO_PASSWORD);
  await page.waitForURL('**/sessions/1');
  await page.getByText('已结束').first().waitFor();
  await fits(page);

  // the first remark: its correction page, refused without a reason, taken with one
  const remark = page.locator('#remarks .remark').first();
  await remark.getByRole('link', { name: '更正' }).click();
  await page.waitForURL(/\/sessions\/1\/remarks\/\d+\/edit$/);
  await page.getByRole('heading', { name: '更正记录' }).waitFor();
  await fits(page);
  await page.getByLabel('发言内容').fill('会后核对录音后更正的发言。');
  await page.getByLabel('理由').evaluate((el) => el.removeAttribute('required')); // as an old browser would send it
  await page.getByRole('button', { name: '保存更正' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /理由/);
  await page.getByLabel('理由').fill('核对录音');
  await page.getByRole('button', { name: '保存更正' }).click();
  await page.waitForURL(/\/sessions\/1#remarks$/);
  assert.match(await page.locator('#remarks .remark').first().innerText(), /会后核对录音后更正的发言/);
  await screenshot(page, 'phone-correction');

  // an agreed point: delete behind the confirming step, with the reason
  const before = await page.locator('#points li').count();
  const point = page.locator('#points li').first();
  await point.getByText('删除', { exact: true }).click();
  await point.getByLabel('理由').fill('重复记录');
  await fits(page);
  await point.getByRole('button', { name: '确认删除' }).click();
  await page.waitForURL(/\/sessions\/1#points$/);
  assert.equal(await page.locator('#points li').count(), before - 1);
  assert.deepEqual(page.problems.filter((p) => !/status of 422/.test(p)), []);
  await page.context().close();
});
