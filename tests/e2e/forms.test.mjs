// Browser test of issue #12 items 2 and 3, as an organizer works: start a draft from a
// suggestion, fill every field with a 社情民意 over the length limit, send it, get the
// validation error beside the body and find every field as typed and the suggestion it is
// made from still there; then correct it and see the output keep its suggestion. Two other
// forms (a session with its end before its start, a person without a name) keep their values.
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

async function signIn(user) {
  const page = await newPage(browser, srv.url);
  await page.goto('/login');
  await login(page, user, DEMO_PASSWORD);
  await page.waitForURL('**/dashboard');
  return page;
}

test('a long draft from a suggestion survives its validation error', async () => {
  const org = await signIn('organizer');
  await org.goto('/sessions/1#suggestions');
  const link = org.locator('#suggestions a', { hasText: '据此起草' }).first();
  const sugTitle = (await org.locator('#suggestions li').first().locator('strong').innerText()).trim();
  await link.click();
  await org.waitForURL(/\/outputs\/new\?suggestion_id=\d+/);
  const sugId = new URL(org.url()).searchParams.get('suggestion_id');
  // pre-filled from the suggestion
  assert.equal(await org.locator('#title').inputValue(), sugTitle);
  assert.ok((await org.locator('#body').inputValue()).length > 0, 'the body comes from the suggestion');
  assert.equal(await org.locator('#from-suggestion a').innerText(), sugTitle);
  assert.ok(await org.locator(`input[name=suggestion_ids][value="${sugId}"]`).isChecked());
  const lead = await org.locator('#lead_author').inputValue();
  assert.ok(lead, 'the first proposer leads');

  // every field filled, the body far over the limit of an opinion report
  const long = '近年来，生育后返岗女性普遍反映岗位被调整、职业发展受阻。'.repeat(60);
  assert.ok([...long].length > 1500);
  await org.locator('#kind').selectOption('opinion_report');
  await org.locator('#title').fill('关于育后女性返岗难的社情民意');
  const cos = await org.locator('#cosigners option').evaluateAll((os) => os.slice(3, 5).map((o) => o.value));
  await org.locator('#cosigners').selectOption(cos);
  await org.locator('#date').fill('2024-08-01');
  await org.locator('#body').fill(long);
  await org.getByRole('button', { name: '起草' }).click();
  await org.waitForLoadState('domcontentloaded');

  // the error, beside the body and in Chinese, and everything as typed
  await org.locator('#body-error').waitFor();
  assert.match(await org.locator('#body-error').innerText(), /1500|字/);
  assert.equal(await org.locator('#body').getAttribute('aria-invalid'), 'true');
  assert.equal(await org.locator('#body').getAttribute('aria-describedby'), 'body-error');
  assert.equal(await org.locator('#body').inputValue(), long);
  assert.equal(await org.locator('#title').inputValue(), '关于育后女性返岗难的社情民意');
  assert.equal(await org.locator('#kind').inputValue(), 'opinion_report');
  assert.equal(await org.locator('#lead_author').inputValue(), lead);
  assert.deepEqual(await org.locator('#cosigners').evaluate((s) => [...s.selectedOptions].map((o) => o.value)), cos);
  assert.equal(await org.locator('#date').inputValue(), '2024-08-01');
  assert.ok(await org.locator(`input[name=suggestion_ids][value="${sugId}"]`).isChecked());
  assert.equal(await org.locator('#from-suggestion a').innerText(), sugTitle, 'still made from the suggestion');
  await screenshot(org, 'forms-draft-error');

  // shortened, it is drafted, from its suggestion
  await org.locator('#body').fill(long.slice(0, 600));
  await org.getByRole('button', { name: '起草' }).click();
  await org.waitForURL(/\/outputs\/\d+$/);
  const id = org.url().split('/').pop();
  const o = await (await org.request.get(`/api/v1/outputs/${id}`)).json();
  assert.deepEqual(o.suggestion_ids, [Number(sugId)]);
  assert.equal(o.kind, 'opinion_report');
  assert.equal(o.title, '关于育后女性返岗难的社情民意');
  // the output's page names the suggestion it was made from, linked to it
  const made = org.locator('#output-suggestions a', { hasText: sugTitle });
  assert.equal(await made.getAttribute('href'), `/sessions/1#suggestion-${sugId}`);
  assert.deepEqual(org.problems.filter((p) => !/status of 422/.test(p)), [], 'no page errors besides the 422 answers');
});

test('a session with a bad time and a person without a name keep their values', async () => {
  const org = await signIn('organizer');
  await org.goto('/sessions/new');
  const topic = await org.locator('#topic_id option').nth(1).getAttribute('value');
  await org.locator('#topic_id').selectOption(topic);
  await org.locator('#title').fill('时间倒置的深聊会');
  await org.locator('#starts_at').fill('2030-05-01T15:00');
  await org.locator('#ends_at').fill('2030-05-01T09:00');
  await org.locator('#venue').fill('市政协三楼会议室');
  await org.locator('#summary').fill('一段说明');
  await org.locator('form[action="/sessions"] button[type=submit]').click();
  await org.locator('#ends_at-error').waitFor();
  assert.equal(await org.locator('#ends_at').getAttribute('aria-invalid'), 'true');
  assert.equal(await org.locator('#title').inputValue(), '时间倒置的深聊会');
  assert.equal(await org.locator('#topic_id').inputValue(), topic);
  assert.equal(await org.locator('#starts_at').inputValue(), '2030-05-01T15:00');
  assert.equal(await org.locator('#ends_at').inputValue(), '2030-05-01T09:00');
  assert.equal(await org.locator('#venue').inputValue(), '市政协三楼会议室');
  assert.equal(await org.locator('#summary').inputValue(), '一段说明');

  await org.goto('/people/new');
  await org.locator('#category').selectOption('expert');
  await org.locator('#sector').fill('科技界');
  await org.locator('#affiliation').fill('深圳大学');
  await org.locator('#phone').fill('0755-12345678');
  // no name: the browser's own check would stop it, so send it as a script-less client could
  await org.locator('#name').evaluate((el) => el.removeAttribute('required'));
  await org.locator('form[action="/people/new"] button[type=submit]').click();
  await org.locator('#name-error').waitFor();
  assert.equal(await org.locator('#name').getAttribute('aria-invalid'), 'true');
  assert.equal(await org.locator('#category').inputValue(), 'expert');
  assert.equal(await org.locator('#sector').inputValue(), '科技界');
  assert.equal(await org.locator('#affiliation').inputValue(), '深圳大学');
  assert.equal(await org.locator('#phone').inputValue(), '0755-12345678');
  assert.deepEqual(org.problems.filter((p) => !/status of 422/.test(p)), [], 'no page errors besides the 422 answers');
});
