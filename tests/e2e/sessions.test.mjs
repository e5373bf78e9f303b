// Browser tests of issue #3, as a new organizer works: plan a topic and a session, be refused
// for a missing official, invite one, schedule, run the session, record remarks and a
// commitment, close with a suggestion sourced from a remark, find it by a two-character word,
// and see it on the public page. Then a member accepts an invitation on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startE2EServer, newPage, screenshot, login, saveServerLog, DEMO_PASSWORD } from './browser.mjs';

let srv, browser;

// pick chooses the option of a select whose text contains text, as a person does.
async function pick(page, select, text) {
  const value = await page.locator(`${select} option`, { hasText: text }).first().getAttribute('value');
  await page.locator(select).selectOption(value);
}
before(async () => {
  srv = await startE2EServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  saveServerLog(srv.log());
  await srv.stop();
});

test('an organizer runs a session from topic to public record', async () => {
  const page = await newPage(browser, srv.url);
  await page.goto('/login');
  await login(page, 'organizer', DEMO_PASSWORD);
  await page.waitForURL('**/dashboard');

  // 1. a topic, approved
  await page.goto('/topics');
  await page.getByLabel('议题名称').fill('发展普惠托育服务');
  await page.getByLabel('领域').selectOption('society');
  await page.getByLabel('来源').selectOption('member');
  await page.getByLabel('提出方').fill('妇联界别');
  await page.getByRole('button', { name: '提交议题' }).click();
  await page.waitForURL(/\/topics\/\d+$/);
  await page.getByRole('button', { name: '审核通过' }).click();
  await page.getByText('已通过').first().waitFor();

  // 2. a session with two formats
  await page.getByRole('link', { name: '为此议题安排深聊会' }).click();
  await page.waitForURL(/\/sessions\/new/);
  await page.getByLabel('名称').fill('普惠托育服务深聊会');
  await page.getByLabel('开始时间（北京时间）').fill('2025-06-10T14:30');
  await page.getByLabel('地点').fill('市政协机关三楼会议室');
  await page.getByLabel('承办单位').fill('妇联界别');
  await page.getByLabel('对口聊').check();
  await page.getByLabel('专家聊').check();
  await page.getByLabel('对口部门').fill('市人力资源和社会保障局');
  await page.getByLabel('公开范围').selectOption('public');
  await page.getByRole('button', { name: '创建深聊会' }).click();
  await page.waitForURL(/\/sessions\/\d+$/);
  const sessionUrl = page.url();
  await page.getByText('草稿').first().waitFor();

  // 3. invite an expert; scheduling is refused for the missing official
  await pick(page, '#invite_person', '刘明远');
  await page.locator('#invite_role').selectOption('expert');
  await page.getByRole('button', { name: '邀请', exact: true }).click();
  await page.waitForURL(/#invitations|\/sessions\/\d+/);
  await page.getByRole('button', { name: '确定安排' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /对口部门（市人力资源和社会保障局）的政府部门人员/);
  await screenshot(page, 'session-refused');

  // 4. invite the department's official, then schedule
  await pick(page, '#invite_person', '蒋立新');
  await page.locator('#invite_role').selectOption('official');
  await page.getByRole('button', { name: '邀请', exact: true }).click();
  await page.getByRole('button', { name: '确定安排' }).click();
  await page.getByText('已安排').first().waitFor();
  assert.match(await page.locator('dl.facts').innerText(), /2\.0/);

  // 5. live: two remarks and a commitment
  await page.getByRole('button', { name: '开始' }).click();
  await page.getByText('进行中').first().waitFor();
  await pick(page, '#remark_person', '刘明远');
  await page.getByLabel('身份').fill('专家');
  await page.getByLabel('发言内容（支持 Markdown）').fill('建议把**托育服务**纳入社区公共服务体系。');
  await page.getByRole('button', { name: '记录发言' }).click();
  await page.locator('.remark').first().waitFor();
  await pick(page, '#remark_person', '蒋立新');
  await page.getByLabel('身份').fill('人社局');
  await page.getByLabel('发言内容（支持 Markdown）').fill('人社局将研究托育从业人员的职业培训补贴。');
  await page.getByRole('button', { name: '记录发言' }).click();
  await page.locator('.remark').nth(1).waitFor();
  await page.getByLabel('承诺内容').fill('年内出台托育从业人员培训补贴办法');
  await page.getByLabel('完成期限').fill('2025-12-31');
  await page.getByRole('button', { name: '记录承诺' }).click();
  await page.getByText('年内出台托育从业人员培训补贴办法').waitFor();

  // 6. close with a suggestion sourced from the first remark
  await page.getByLabel('建议标题').fill('将托育服务纳入社区公共服务');
  await page.getByLabel('建议内容').fill('按人口规模配建社区托育点。');
  await page.locator('input[name=proposer_ids]').first().check();
  await page.locator('input[name=sources]').first().check();
  await page.getByRole('button', { name: '添加对策建议' }).click();
  await page.locator('#suggestions li').first().waitFor();
  assert.match(await page.locator('#suggestions').innerText(), /来源：建议把托育服务纳入社区公共服务体系/);
  await page.getByRole('button', { name: '结束' }).click();
  await page.getByText('已结束').first().waitFor();
  await screenshot(page, 'session-closed');

  // 7. find it by a two-character word
  await page.goto('/search?q=' + encodeURIComponent('托育'));
  const hit = page.locator('.result', { hasText: '将托育服务纳入社区公共服务' });
  await hit.waitFor();
  assert.match(await hit.locator('mark').first().innerText(), /托育/);
  await screenshot(page, 'search');

  // 8. the public page, without signing in
  const visitor = await newPage(browser, srv.url);
  await visitor.goto(sessionUrl);
  await visitor.getByRole('heading', { name: '普惠托育服务深聊会' }).waitFor();
  const text = await visitor.locator('main').innerText();
  assert.match(text, /将托育服务纳入社区公共服务/);
  assert.match(text, /专家学者/);
  assert.doesNotMatch(text, /记录发言/);
  await screenshot(visitor, 'session-public');
  // the refused scheduling answered 422 on purpose; nothing else may go wrong
  const problems = [...page.problems, ...visitor.problems].filter((p) => !/status of 422/.test(p));
  assert.deepEqual(problems, []);
  await page.context().close();
  await visitor.context().close();
});

test('a member accepts an invitation on a phone', async () => {
  const page = await newPage(browser, srv.url, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await page.goto('/login?next=/invitations');
  await login(page, 'member', DEMO_PASSWORD);
  await page.waitForURL('**/invitations');
  const card = page.locator('.invitation', { hasText: '让鹏城实现“公园自由”' });
  await card.waitFor();
  assert.match(await card.innerText(), /待答复/);
  await card.getByRole('button', { name: '接受' }).click();
  await page.waitForURL(/\/invitations/);
  await page.locator('.invitation', { hasText: '让鹏城实现“公园自由”' }).getByText('已接受').waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no horizontal scrolling (${width})`);
  await screenshot(page, 'phone-invitations');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
