// Browser test of issue #5, as an organizer works: turn a session's suggestion into a
// proposal, take it through acceptance, assignment, reply and evaluation (signing in as the
// handling unit and the lead author in turn), record a policy adoption, then see it in the
// lineage page and in the statistics page's funnel; download the XLSX and the PDF and check
// they open.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startE2EServer, newPage, screenshot, login, saveServerLog, SHOT_DIR, DEMO_PASSWORD } from './browser.mjs';

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

async function signIn(user) {
  const page = await newPage(browser, srv.url);
  await page.goto('/login');
  await login(page, user, DEMO_PASSWORD);
  await page.waitForURL('**/dashboard');
  return page;
}

async function pick(page, select, text) {
  const value = await page.locator(`${select} option`, { hasText: text }).first().getAttribute('value');
  await page.locator(select).selectOption(value);
}

async function move(page, to, fill = async () => {}) {
  const form = page.locator(`form.move[data-to="${to}"]`);
  await form.waitFor();
  await fill(form);
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/outputs\/\d+#workflow$/);
}

test('from a suggestion to a policy, proven in the statistics', async () => {
  const org = await signIn('organizer');
  // 1. draft a proposal from the first suggestion of the women's-employment session
  await org.goto('/sessions/1#suggestions');
  await org.locator('#suggestions a', { hasText: '据此起草' }).first().click();
  await org.waitForURL(/\/outputs\/new\?suggestion_id=\d+/);
  await org.getByLabel('类型').selectOption('proposal');
  await org.getByLabel('标题').fill('关于试行育后岗位保留制度的提案');
  await pick(org, '#lead_author', '王委员');
  // no co-signers: a proposal waits for every co-signer's confirmation (issue 11), and the
  // suggestion's other proposers have no accounts to confirm with
  await org.locator('#cosigners').selectOption([]);
  await org.getByLabel('日期').fill('2024-08-01');
  await org.getByRole('button', { name: '起草' }).click();
  await org.waitForURL(/\/outputs\/\d+$/);
  const outputUrl = org.url();
  assert.match(await org.locator('.prose').first().innerText(), /建立育后岗位保留制度/);
  // 2. submit, accept, assign to the human-resources bureau
  await move(org, 'submitted');
  await move(org, 'accepted');
  await move(org, 'assigned', async (f) => {
    const value = await f.locator('select[name=lead_handler_id] option', { hasText: '市人力资源和社会保障局' }).getAttribute('value');
    await f.locator('select[name=lead_handler_id]').selectOption(value);
  });
  assert.match(await org.locator('.status').first().innerText(), /已交办/);
  await screenshot(org, 'output-assigned');

  // 3. the handling unit replies
  const unit = await signIn('hr-handler');
  await unit.goto(outputUrl);
  await move(unit, 'replied', async (f) => {
    await f.locator('textarea[name=reply_text]').fill('我局已将育后岗位保留纳入就业促进工作要点，年内开展试点。');
    await f.locator('select[name=grade]').selectOption('A');
  });
  assert.match(await unit.locator('.status').first().innerText(), /已答复/);
  await unit.goto('/outputs');
  assert.ok((await unit.locator('table tbody tr').count()) >= 1);

  // 4. the lead author evaluates
  const author = await signIn('member');
  await author.goto(outputUrl);
  await move(author, 'evaluated', async (f) => {
    await f.locator('select[name=satisfaction]').selectOption('satisfied');
  });
  assert.match(await author.locator('dl.facts').innerText(), /满意/);

  // 5. the organizer closes it and records the policy it became
  await org.goto(outputUrl);
  await move(org, 'closed');
  await org.getByLabel('采纳类型').selectOption('policy');
  await org.getByLabel('标题或内容').fill('深圳市育后岗位保留试点办法');
  await org.getByLabel('发文或采纳单位').fill('深圳市人力资源和社会保障局');
  await org.getByLabel('文号').fill('深人社规〔2025〕3号');
  await org.getByLabel('日期', { exact: true }).last().fill('2025-02-10');
  await org.getByRole('button', { name: '记录采纳' }).click();
  await org.waitForURL(/#adoptions$/);
  assert.match(await org.locator('#adoptions').innerText(), /深人社规〔2025〕3号/);

  // 6. the lineage page: from the session to the policy
  await org.getByRole('link', { name: '来龙去脉' }).click();
  await org.waitForURL(/\/lineage$/);
  const lineage = await org.locator('.lineage').innerText();
  assert.match(lineage, /对因生育影响职业的妇女提供职业帮助/);
  assert.match(lineage, /建立育后岗位保留制度/);
  assert.match(lineage, /深人社规〔2025〕3号/);
  await screenshot(org, 'lineage');

  // 7. the statistics page's funnel counts it: 53 demo outputs + this one, 17 + 1 adopted
  await org.goto('/stats?year=2024');
  assert.equal(await org.locator('#kpi-outputs').innerText(), '54');
  assert.equal(await org.locator('#kpi-adopted').innerText(), '18');
  const funnel = await org.locator('#funnel svg').innerHTML();
  assert.match(funnel, /54/);
  await screenshot(org, 'stats');

  // 8. downloads open: the XLSX is a workbook, the PDF has the title
  const xlsx = await org.context().request.get('/api/v1/stats.xlsx?year=2024');
  assert.equal(xlsx.status(), 200);
  const book = await xlsx.body();
  assert.equal(book.subarray(0, 2).toString(), 'PK');
  assert.ok(book.includes(Buffer.from('xl/worksheets/sheet1.xml')), 'a worksheet inside');
  const pdf = await org.context().request.get(outputUrl + '.pdf');
  assert.equal(pdf.status(), 200);
  const file = join(SHOT_DIR, 'output.pdf');
  writeFileSync(file, await pdf.body());
  const text = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout.replace(/\s+/g, ''), /关于试行育后岗位保留制度的提案/);
  const report = await org.context().request.get('/stats/report.pdf?year=2024');
  assert.equal(report.status(), 200);
  writeFileSync(join(SHOT_DIR, 'report.pdf'), await report.body());

  for (const p of [org, unit, author]) {
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
});
