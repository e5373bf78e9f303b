// Browser (end-to-end) test helpers: Debian's Chromium driven by playwright-core, against a
// real shenliao server (tests/lib/server.mjs: temp SQLite db with the demo data, free port).
// No network here: Chromium is /usr/bin/chromium, never a downloaded browser.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServer } from '../lib/server.mjs';

export { DEMO_PASSWORD } from '../lib/server.mjs';

export const CHROMIUM = process.env.SHENLIAO_CHROMIUM || '/usr/bin/chromium';
export const SHOT_DIR = resolve('test-output/e2e');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// launchBrowser starts a headless Chromium. Playwright gives a non-persistent browser its own
// fresh temporary profile (user-data dir) and removes it on close().
export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 20000 });
}

// startE2EServer starts a real server with the demo data; stop() it in after().
export async function startE2EServer(opts = {}) {
  return startServer(opts);
}

// newPage opens a page in a fresh context (own cookies) and records console errors, uncaught
// page errors and CSP violations into page.problems.
export async function newPage(browser, base, contextOpts = {}) {
  const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', ...contextOpts });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} @ ${m.location().url || page.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message} @ ${page.url()}`));
  // CDP-injected, so it runs even under script-src 'self'; a violation is also logged as a
  // console error by Chromium, this catches report-only ones and names the directive.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  page.problems = problems;
  return page;
}

// screenshot saves test-output/e2e/<name>.png (full page) and returns its path.
export async function screenshot(page, name) {
  mkdirSync(SHOT_DIR, { recursive: true });
  const path = join(SHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// login fills and submits the login form the way a person does (labels, then the button).
export async function login(page, username, password) {
  const label = (zh, en) => page.getByLabel(zh, { exact: true }).or(page.getByLabel(en, { exact: true }));
  await label('用户名', 'Username').fill(username);
  await label('密码', 'Password').fill(password);
  await page.locator('form[action="/login"] button[type=submit]').click();
}

// saveServerLog writes the server's log (access lines, warnings, sanitizer reports) to
// test-output/e2e/server.log.
export function saveServerLog(text) {
  mkdirSync(SHOT_DIR, { recursive: true });
  writeFileSync(join(SHOT_DIR, 'server.log'), text);
}
