// Accessibility of the main pages (issue 12, items 1 and 5): axe-core's WCAG 2.1 A/AA rules
// on every page of tests/e2e/pages.mjs, in Chinese and English, at desktop (1280x800) and
// phone (360x740) size. A serious or critical violation fails; at 360 px no page may be
// wider than the screen. Then a keyboard walk: the skip link comes first and moves focus to
// <main>, the phone menu opens with Enter, closes with Escape, and traps nobody.
// One browser, two contexts per language (organizer, anonymous), the viewport switched in
// place: the whole file runs in well under a minute.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startE2EServer, saveServerLog, DEMO_PASSWORD } from './browser.mjs';
import { mainPages, openContexts, AXE_SOURCE, SIZES } from './pages.mjs';

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

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// audit runs axe in the page (evaluated over CDP, so the page's CSP, script-src 'self', does
// not stop it) and returns the serious and critical violations, one readable line per node.
async function audit(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  }, TAGS);
  return result.flatMap((v) => v.nodes.slice(0, 5).map((n) => `[${v.impact}] ${v.id} (${v.help}) ${n}`)
    .concat(v.nodes.length > 5 ? [`[${v.impact}] ${v.id}: and ${v.nodes.length - 5} more`] : []));
}

for (const lang of ['zh', 'en']) {
  test(`axe-core WCAG 2.1 A/AA and the 360-px width, every main page, ${lang}`, async () => {
    const { organizer, anon, member, leader, joinCode } = await openContexts(browser, srv.url, lang);
    const pages = { organizer: await organizer.newPage(), anon: await anon.newPage(), member: await member.newPage(), leader: await leader.newPage() };
    const problems = [];
    for (const p of Object.values(pages)) {
      p.on('pageerror', (e) => problems.push(`pageerror ${e.message} @ ${p.url()}`));
    }
    for (const [size, viewport] of Object.entries(SIZES)) {
      for (const p of Object.values(pages)) await p.setViewportSize(viewport);
      for (const pg of mainPages(joinCode)) {
        const page = pages[pg.who];
        const where = `${lang} ${size} ${pg.path}`;
        const res = await page.goto(pg.path);
        assert.equal(res.status(), 200, `${where}: status ${res.status()}`);
        assert.equal(new URL(page.url()).pathname, pg.path.split('?')[0], `${where}: redirected to ${page.url()}`);
        assert.ok((await page.locator('html').getAttribute('lang')).startsWith(lang), where);
        for (const line of await audit(page)) problems.push(`${where}: ${line}`);
        if (size === 'phone') {
          const w = await page.evaluate(() => document.documentElement.scrollWidth);
          if (w > viewport.width) {
            const wide = await page.evaluate((max) => [...document.querySelectorAll('main *')]
              .filter((e) => e.getBoundingClientRect().right > max + 1)
              .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).trim().replace(/\s+/g, '.') : ''}`), viewport.width);
            problems.push(`${where}: ${w} px wide at ${viewport.width} px (${wide.join(', ')})`);
          }
        }
      }
    }
    await organizer.close();
    await anon.close();
    await member.close();
    await leader.close();
    assert.deepEqual(problems, [], `\n${problems.join('\n')}\n`);
  });
}

test('keyboard: skip link first, it moves focus to main; the phone menu opens with Enter, closes with Escape', async () => {
  const { organizer, anon, member, leader } = await openContexts(browser, srv.url, 'zh');
  await member.close();
  await leader.close();
  const page = await organizer.newPage();
  await page.setViewportSize(SIZES.phone);
  await page.goto('/sessions');

  // Tab reaches the skip link first, it shows, and Enter moves focus into <main>
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => ({ cls: document.activeElement.className, href: document.activeElement.getAttribute('href'), top: document.activeElement.getBoundingClientRect().top }));
  assert.equal(first.cls, 'skip');
  assert.equal(first.href, '#main');
  assert.ok(first.top >= 0, 'the focused skip link is on screen');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  // the next Tab goes to the first control inside main, not back to the header
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => !!document.activeElement.closest('main')), true);

  // the focused element has a visible outline (:focus-visible)
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');

  // the phone menu: Tab to the toggle, Enter opens it, the links can be reached, Escape
  // closes it and gives focus back to the toggle
  await page.goto('/sessions');
  const toggle = page.locator('#nav-toggle');
  assert.equal(await page.locator('.top .nav').isVisible(), false, 'the menu starts folded on a phone');
  for (let i = 0; i < 5 && !(await toggle.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  assert.equal(await toggle.evaluate((el) => el === document.activeElement), true, 'Tab reaches the menu button');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await page.keyboard.press('Enter');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  assert.equal(await page.locator('.top .nav').isVisible(), true);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.closest('nav')?.id), 'nav', 'Tab goes into the menu');
  await page.keyboard.press('Escape');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  assert.equal(await toggle.evaluate((el) => el === document.activeElement), true, 'Escape gives focus back');
  // no trap: Tab through the open menu ends up in main
  await page.keyboard.press('Enter');
  let inMain = false;
  for (let i = 0; i < 30 && !inMain; i++) {
    await page.keyboard.press('Tab');
    inMain = await page.evaluate(() => !!document.activeElement.closest('main'));
  }
  assert.equal(inMain, true, 'Tab leaves the open menu for the page');

  // on a desktop the menu button is not there and the links are
  await page.setViewportSize(SIZES.desktop);
  assert.equal(await toggle.isVisible(), false);
  assert.equal(await page.locator('.top .nav').isVisible(), true);
  // the section's link says it is the current one
  assert.equal(await page.locator('#nav a[aria-current="page"]').getAttribute('href'), '/sessions');
  await organizer.close();
  await anon.close();
});

// focusWalk presses Tab up to max times and returns, for each stop, the element's description
// and whether its focus is visible (an outline or a box shadow).
async function focusWalk(page, max) {
  const stops = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const s = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const cs = getComputedStyle(e);
      return {
        what: `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${(e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 20)}"`,
        visible: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) || cs.boxShadow !== 'none',
        last: e === [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex="0"]')]
          .filter((x) => x.offsetParent !== null && !x.disabled).pop(),
      };
    });
    if (!s) break;
    stops.push(s);
    if (s.last) break;
  }
  return stops;
}

test('keyboard only: an organizer signs in, opens a session, every stop shows its focus, Tab reaches the end', async () => {
  const ctx = await browser.newContext({ baseURL: srv.url, locale: 'zh-CN', viewport: SIZES.desktop });
  const page = await ctx.newPage();
  await page.goto('/login');
  // Tab to the user name, type, Tab to the password, Enter submits
  for (let i = 0; i < 30 && (await page.evaluate(() => document.activeElement.name)) !== 'username'; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'username');
  await page.keyboard.type('organizer');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.type), 'password');
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/dashboard');

  // the 深聊会 link of the navigation, by Tab and Enter
  for (let i = 0; i < 20 && (await page.evaluate(() => document.activeElement.getAttribute('href'))) !== '/sessions'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL('**/sessions');

  // a live session: every Tab stop shows its focus, and Tab gets to the last control
  for (const path of ['/sessions/5', '/sessions/5/map', '/outputs/1']) {
    await page.goto(path);
    const stops = await focusWalk(page, 200);
    const hidden = stops.filter((s) => !s.visible).map((s) => s.what);
    assert.deepEqual(hidden, [], `${path}: focus not visible on ${hidden.join(', ')}`);
    assert.equal(stops.at(-1)?.last, true, `${path}: Tab did not reach the last control (stopped at ${stops.at(-1)?.what})`);
  }
  await ctx.close();
});
