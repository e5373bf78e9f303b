// Browser tests: sign-in, wrong password, language switch, phone layout and the admin pages,
// with Debian's Chromium against a real server on the demo data. Screenshots go to
// test-output/e2e/. Run from the repository root:
//   node --test --test-reporter=tap tests/e2e/*.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startE2EServer, newPage, screenshot, login, saveServerLog, DEMO_PASSWORD }
  from './browser.mjs';

let srv, browser;
before(async () => {
  // Start both at once, but keep whichever started even if the other failed, so that
  // after() can close it (a Chromium left running would keep the test process alive).
  const [s, b] = await Promise.allSettled([startE2EServer(), launchBrowser()]);
  srv = s.value;
  browser = b.value;
  if (s.status === 'rejected') throw s.reason;
  if (b.status === 'rejected') throw b.reason;
});
after(async () => {
  // Close the browser first, then stop the server (stop() fails on a sanitizer report).
  await browser?.close();
  try {
    await srv?.stop();
  } finally {
    if (srv) saveServerLog(srv.log()); // test-output/e2e/server.log, to read after a run
  }
});

const path = (page) => new URL(page.url()).pathname;

// noProblems asserts that the page logged no console error, page error or CSP violation;
// `expected` lists regexps for errors the test provoked on purpose (e.g. a 401 answer).
function noProblems(page, expected = []) {
  const left = page.problems.filter((p) => !expected.some((re) => re.test(p)));
  assert.deepEqual(left, [], `console errors / CSP violations:\n${left.join('\n')}`);
}

async function closePage(page) {
  await page.context().close();
}

test('sign in through the login page and land on the dashboard', async () => {
  const page = await newPage(browser, srv.url);
  try {
    await page.goto('/');
    assert.equal(path(page), '/login');
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    await page.getByLabel('用户名', { exact: true }).fill('organizer');
    await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL('**/dashboard');
    assert.equal(path(page), '/dashboard');
    await page.getByRole('heading', { level: 1 }).filter({ hasText: '李组织' }).waitFor();
    assert.equal((await page.locator('#my-org').textContent()).trim(), '深圳市政协');
    // header shows the signed-in navigation with the sign-out button
    await page.getByRole('button', { name: '退出' }).waitFor();
    await screenshot(page, 'dashboard');
    noProblems(page);
  } finally {
    await closePage(page);
  }
});

test('wrong password shows the Chinese error and stays on the login page', async () => {
  const page = await newPage(browser, srv.url);
  try {
    await page.goto('/login');
    await login(page, 'organizer', 'not-the-password');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.textContent()).trim(), '用户名或密码不正确。');
    assert.equal(path(page), '/login');
    // the form is shown again, with the username kept and the password empty
    assert.equal(await page.getByLabel('用户名', { exact: true }).inputValue(), 'organizer');
    assert.equal(await page.getByLabel('密码', { exact: true }).inputValue(), '');
    // Chromium logs the 401 answer to the form post itself; that one is expected.
    noProblems(page, [/status of 401/]);
  } finally {
    await closePage(page);
  }
});

test('language switch turns the page English, is remembered, and switches back', async () => {
  const page = await newPage(browser, srv.url);
  try {
    await page.goto('/login');
    await login(page, 'organizer', DEMO_PASSWORD);
    await page.waitForURL('**/dashboard');
    const header = page.locator('header.top');

    await header.getByRole('link', { name: 'English', exact: true }).click();
    await page.waitForURL('**/dashboard');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByRole('heading', { level: 1, name: /^Welcome/ }).waitFor();
    await header.getByRole('link', { name: 'Dashboard', exact: true }).waitFor();
    await header.getByRole('button', { name: 'Sign out' }).waitFor();

    // remembered on the next page load (a cookie), also on another page
    await page.goto('/account');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    await page.reload();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');

    await header.getByRole('link', { name: '中文', exact: true }).click();
    await page.waitForURL('**/account');
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    await page.getByRole('heading', { level: 1, name: '我的账号' }).waitFor();
    await header.getByRole('link', { name: 'English', exact: true }).waitFor();
    await page.goto('/dashboard');
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    noProblems(page);
  } finally {
    await closePage(page);
  }
});

test('phone viewport 360x740: no horizontal scrolling on login and dashboard', async () => {
  const page = await newPage(browser, srv.url, {
    viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  const scrollWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
  try {
    await page.goto('/login');
    assert.ok(await scrollWidth() <= 360, `login page scrollWidth ${await scrollWidth()} > 360`);
    const button = page.getByRole('button', { name: '登录', exact: true });
    assert.ok(await button.isVisible(), 'sign-in button visible');
    const box = await button.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 360 && box.y + box.height <= 740,
      `sign-in button inside the first screen: ${JSON.stringify(box)}`);
    await screenshot(page, 'phone-login');

    await login(page, 'sz-admin', DEMO_PASSWORD); // the admin has the widest header
    await page.waitForURL('**/dashboard');
    assert.ok(await scrollWidth() <= 360, `dashboard scrollWidth ${await scrollWidth()} > 360`);
    // the body text is not shrunk below a readable size
    const fontPx = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    assert.ok(fontPx >= 14, `body font size ${fontPx}px`);
    await screenshot(page, 'phone-dashboard');

    // the admin pages too; their tables must fit or scroll inside their own box
    for (const p of ['orgs', 'users', 'audit']) {
      await page.goto(`/admin/${p}`);
      assert.ok(await scrollWidth() <= 360, `/admin/${p} scrollWidth ${await scrollWidth()} > 360`);
      // every cell is on screen, not hidden to the right in the table's scroll box
      const cut = await page.locator('table td').evaluateAll((tds) => tds
        .filter((td) => td.getClientRects().length && td.getBoundingClientRect().right > 360)
        .map((td) => td.textContent));
      assert.deepEqual(cut, [], `/admin/${p}: cells beyond the right edge`);
      await screenshot(page, `phone-${p}`);
    }
    await page.goto('/account');
    assert.ok(await scrollWidth() <= 360, `/account scrollWidth ${await scrollWidth()} > 360`);
    noProblems(page);
  } finally {
    await closePage(page);
  }
});

test('admin creates a district body and a user, then signs out', async () => {
  const page = await newPage(browser, srv.url);
  try {
    await page.goto('/login');
    await login(page, 'sz-admin', DEMO_PASSWORD);
    await page.waitForURL('**/dashboard');
    const nav = page.locator('header.top nav');

    // 组织: create 宝安区政协 below 深圳市政协
    await nav.getByRole('link', { name: '组织', exact: true }).click();
    await page.waitForURL('**/admin/orgs');
    await page.getByRole('heading', { level: 1, name: '组织' }).waitFor();
    const form = page.locator('form[action="/admin/orgs"]');
    await form.getByLabel('上级').selectOption({ label: '深圳市政协' });
    await form.getByLabel('名称', { exact: true }).fill('宝安区政协');
    const slug = form.getByLabel('简称（slug）');
    // the browser checks the slug pattern before sending (a valid regexp under the v flag)
    await slug.fill('Bao An');
    assert.equal(await slug.evaluate((el) => el.checkValidity()), false, 'bad slug rejected');
    await slug.fill('sz-baoan');
    assert.equal(await slug.evaluate((el) => el.checkValidity()), true, 'good slug accepted');
    await form.getByLabel('级别').selectOption({ label: '区级' });
    await form.getByRole('button', { name: '创建' }).click();
    await page.waitForURL('**/admin/orgs');
    const row = page.locator('table tbody tr').filter({ hasText: '宝安区政协' });
    await row.waitFor();
    assert.equal(await row.count(), 1);
    assert.match(await row.textContent(), /sz-baoan/);
    assert.match(await row.textContent(), /区级|district/);
    await screenshot(page, 'admin-orgs');
    noProblems(page);

    // 用户: create 王测试 (member) in the new body
    await nav.getByRole('link', { name: '用户', exact: true }).click();
    await page.waitForURL('**/admin/users');
    const uform = page.locator('form[action="/admin/users"]');
    await uform.getByLabel('用户名', { exact: true }).fill('ba-member');
    await uform.getByLabel('姓名', { exact: true }).fill('王测试');
    await uform.getByLabel('角色').selectOption({ label: '委员' });
    await uform.getByLabel('所属组织').selectOption({ label: '宝安区政协' });
    await uform.getByLabel(/^初始密码/).fill('baoan-pass-123');
    await uform.getByRole('button', { name: '创建' }).click();
    await page.waitForURL('**/admin/users');
    const urow = page.locator('table tbody tr').filter({ hasText: 'ba-member' });
    await urow.waitFor();
    const utext = await urow.textContent();
    assert.match(utext, /王测试/);
    assert.match(utext, /委员/);
    assert.match(utext, /宝安区政协/);
    await screenshot(page, 'admin-users');
    noProblems(page);

    // sign out with the header's 退出 button
    await page.locator('header.top').getByRole('button', { name: '退出' }).click();
    await page.waitForURL('**/login');
    await page.getByRole('heading', { level: 1, name: '登录' }).waitFor();
    await page.goto('/dashboard'); // the session is really gone
    assert.equal(path(page), '/login');
    noProblems(page);
  } finally {
    await closePage(page);
  }

  // the new user can sign in and sees their body
  const p2 = await newPage(browser, srv.url);
  try {
    await p2.goto('/login');
    await login(p2, 'ba-member', 'baoan-pass-123');
    await p2.waitForURL('**/dashboard');
    assert.equal((await p2.locator('#my-org').textContent()).trim(), '宝安区政协');
    noProblems(p2);
  } finally {
    await closePage(p2);
  }
});

test('no console errors or CSP violations on the other pages', async () => {
  const page = await newPage(browser, srv.url);
  try {
    await page.goto('/login');
    await login(page, 'sz-admin', DEMO_PASSWORD);
    await page.waitForURL('**/dashboard');
    for (const p of ['/admin/audit', '/account', '/admin/orgs', '/admin/users']) {
      const r = await page.goto(p);
      assert.equal(r.status(), 200, p);
      assert.equal(path(page), p);
    }
    // the edit pages behind the 编辑 links
    await page.goto('/admin/orgs');
    await page.locator('table a', { hasText: '编辑' }).first().click();
    await page.waitForURL(/\/admin\/orgs\/\d+$/);
    await page.goto('/admin/users');
    await page.locator('table a', { hasText: '编辑' }).first().click();
    await page.waitForURL(/\/admin\/users\/\d+$/);
    noProblems(page);

    // the error page (404) renders in the layout too; Chromium logs the 404 itself
    const r = await page.goto('/no-such-page');
    assert.equal(r.status(), 404);
    await page.getByRole('heading', { level: 1 }).waitFor();
    noProblems(page, [/status of 404/]);
  } finally {
    await closePage(page);
  }
});
