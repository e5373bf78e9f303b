// Browser test of issue #11 (handling units and organizers), on a phone (360x740) in
// Chinese and English: the co-handling unit gives its opinion and the lead unit replies from
// their queue (/assignments); the organizer manages the units (/handlers: add, rename,
// disable) and follows the commitments across sessions (/commitments, overdue only), each
// reached from the navigation. Every page is checked with axe-core (WCAG 2.1 A/AA, serious
// and critical) and must not be wider than the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startE2EServer, newPage, screenshot, login, saveServerLog, DEMO_PASSWORD } from './browser.mjs';
import { AXE_SOURCE, SIZES } from './pages.mjs';
import { Client } from '../lib/server.mjs';

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

async function signIn(user, lang) {
  const page = await newPage(browser, srv.url, { viewport: SIZES.phone, locale: lang === 'en' ? 'en-US' : 'zh-CN' });
  await page.context().addCookies([{ name: 'sl_lang', value: lang, url: srv.url }]);
  await page.goto('/login');
  await login(page, user, DEMO_PASSWORD);
  await page.waitForURL('**/dashboard');
  return page;
}

// check: axe's serious and critical violations, and the page's width on the phone
async function check(page, what) {
  await page.evaluate(AXE_SOURCE);
  const bad = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  });
  assert.deepEqual(bad, [], `${what}: accessibility`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= SIZES.phone.width, `${what}: ${width}px wide on a ${SIZES.phone.width}px phone`);
  assert.deepEqual(page.problems, [], `${what}: page errors`);
}

// viaMenu opens the phone menu and follows the link to path
async function viaMenu(page, path) {
  await page.locator('#nav-toggle').click();
  await page.locator(`#nav a[href="${path}"]`).click();
  await page.waitForURL(`**${path}`);
}

test('a unit works its queue, the organizer its units and commitments, on a phone', async () => {
  // the setup as the API does it: a women's federation account, a proposal assigned to the
  // human-resources bureau (lead) and the federation (co)
  const api = async (u) => { const c = new Client(srv.url); await c.login(u, DEMO_PASSWORD); return c; };
  const admin = await api('sz-admin'), org = await api('organizer');
  const units = Object.fromEntries((await org.get('/api/v1/handlers')).data.items.map((h) => [h.name, h.id]));
  assert.equal((await admin.post('/api/v1/users', { username: 'women-handler', password: DEMO_PASSWORD, role: 'guest', handler_id: units['市妇女联合会'] })).status, 201);
  const s = (await org.get('/api/v1/sessions/1')).data;
  const lead = s.invitations.find((i) => i.name === '王委员').person_id;
  const made = await org.post('/api/v1/outputs', { kind: 'proposal', title: '关于育后返岗培训补贴的提案', suggestion_ids: [s.suggestions[0].id], authors: [{ person_id: lead, role: 'lead' }] });
  const id = made.data.id;
  for (const to of ['submitted', 'accepted']) assert.equal((await org.post(`/api/v1/outputs/${id}/transition`, { to })).status, 200);
  assert.equal((await org.post(`/api/v1/outputs/${id}/transition`, { to: 'assigned', lead_handler_id: units['市人力资源和社会保障局'], co_handler_ids: [units['市妇女联合会']], reply_due: '2099-06-30' })).status, 200);

  // 1. the co unit, in English: its opinion from the queue
  const co = await signIn('women-handler', 'en');
  await viaMenu(co, '/assignments');
  await check(co, 'assignments (co, en)');
  const coItem = co.locator(`#assignment-${id}`);
  await coItem.getByLabel("Our unit's opinion").fill('We suggest adding childcare places near training centres.');
  await coItem.getByRole('button', { name: 'Send the opinion' }).click();
  await co.waitForURL(new RegExp(`/assignments#assignment-${id}$`));
  assert.match(await co.locator(`#assignment-${id} .opinion`).innerText(), /childcare places/);
  await screenshot(co, 'handlers-assignments-co-en-phone');

  // 2. the lead unit, in Chinese: sees the opinion, replies right there
  const hr = await signIn('hr-handler', 'zh');
  await viaMenu(hr, '/assignments');
  await check(hr, 'assignments (lead, zh)');
  const item = hr.locator(`#assignment-${id}`);
  assert.match(await item.innerText(), /协办意见 · 市妇女联合会/);
  await item.getByLabel('答复内容').fill('已将培训补贴纳入明年就业资金计划。');
  await item.getByLabel('答复类别').selectOption('B');
  await screenshot(hr, 'handlers-assignments-lead-zh-phone');
  await item.getByRole('button', { name: '提交答复' }).click();
  await hr.waitForURL(new RegExp(`/assignments#assignment-${id}$`));
  assert.match(await hr.locator(`#assignment-${id}`).innerText(), /已答复（B）/);
  assert.equal(await hr.locator(`#assignment-${id} form`).count(), 0, 'no reply form once replied');
  assert.equal((await org.get(`/api/v1/outputs/${id}`)).data.state, 'replied');

  // 3. the organizer: the units, then the commitments
  for (const lang of ['zh', 'en']) {
    const o = await signIn('organizer', lang);
    await viaMenu(o, '/handlers');
    await check(o, `handlers (${lang})`);
    const name = lang === 'zh' ? '市退役军人事务局' : 'Veterans Affairs Bureau';
    await o.getByLabel(lang === 'zh' ? '单位名称' : 'Name', { exact: true }).first().fill(name);
    await o.getByRole('button', { name: lang === 'zh' ? '新增' : 'Add', exact: true }).click();
    await o.waitForURL('**/handlers');
    // (each card offers the others in its merge select: found by id, not by text)
    const hid = (await org.get('/api/v1/handlers')).data.items.find((h) => h.name === name).id;
    const card = o.locator(`#handler-${hid}`);
    await card.getByRole('button', { name: lang === 'zh' ? '停用' : 'Disable', exact: true }).click();
    await o.waitForURL(new RegExp(`/handlers#handler-${hid}$`));
    assert.match(await o.locator(`#handler-${hid}`).innerText(), lang === 'zh' ? /已停用/ : /Disabled/);
    await viaMenu(o, '/commitments');
    await o.getByRole('link', { name: lang === 'zh' ? '逾期未办' : 'Overdue' }).click();
    await o.waitForURL('**/commitments?overdue=1');
    await check(o, `commitments (${lang})`);
    assert.ok(await o.locator('li.commitment.overdue').count() >= 1, 'the demo has overdue commitments');
    await screenshot(o, `handlers-commitments-${lang}-phone`);
    await o.context().close();
  }
  await co.context().close();
  await hr.context().close();
});
