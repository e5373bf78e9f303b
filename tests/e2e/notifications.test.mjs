// Browser test of the notifications (issue 11): on a phone, the member sees the unread count
// in the header (beside the menu button, not folded away), opens the notifications page,
// marks one read and then all, and the count follows; the same page in English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startE2EServer, newPage, screenshot, login, saveServerLog, DEMO_PASSWORD }
  from './browser.mjs';

let srv, browser;
before(async () => {
  const [s, b] = await Promise.allSettled([startE2EServer(), launchBrowser()]);
  srv = s.value;
  browser = b.value;
  if (s.status === 'rejected') throw s.reason;
  if (b.status === 'rejected') throw b.reason;
});
after(async () => {
  await browser?.close();
  try {
    await srv?.stop();
  } finally {
    if (srv) saveServerLog(srv.log());
  }
});

const count = async (page) => {
  const badge = page.locator('#bell .count');
  return (await badge.count()) ? Number((await badge.textContent()).trim()) : 0;
};

test('a member reads notifications on a phone', async () => {
  const page = await newPage(browser, srv.url, { viewport: { width: 360, height: 740 } });
  try {
    await page.goto('/login');
    await login(page, 'member', DEMO_PASSWORD);
    await page.waitForURL('**/dashboard');
    // the demo's invitations, replies and adoptions of 王委员 are in the inbox
    const unread = await count(page);
    assert.ok(unread >= 2, `unread ${unread}`);
    const bell = page.locator('#bell');
    assert.ok(await bell.isVisible(), 'the count is in the header on a phone, not in the folded menu');
    const box = await bell.boundingBox();
    assert.ok(box.y < 60 && box.x + box.width <= 360, `in the top bar: ${JSON.stringify(box)}`);
    await bell.click();
    await page.waitForURL('**/notifications');
    await page.getByRole('heading', { level: 1, name: '通知' }).waitFor();
    const cards = page.locator('li.notification.unread');
    assert.equal(await cards.count(), Math.min(unread, 50));
    await screenshot(page, 'notifications-phone');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no wider than the phone');
    await cards.first().getByRole('button', { name: '标为已读' }).click();
    await page.waitForURL('**/notifications');
    assert.equal(await count(page), unread - 1);
    await page.getByRole('button', { name: '全部标为已读' }).click();
    await page.waitForURL('**/notifications');
    assert.equal(await count(page), 0);
    assert.equal(await page.locator('li.notification.unread').count(), 0);
    // in English
    await page.goto('/lang?to=en&next=/notifications');
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    assert.match(await page.locator('li.notification a.title').first().textContent(), /^(You are invited to|Your proposal has a reply|Your work was adopted|Please co-sign|Assigned to you)/);
    assert.deepEqual(page.problems, []);
  } finally {
    await page.context().close();
  }
});
