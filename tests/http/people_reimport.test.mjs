// HTTP tests of people import (issue 11, "Search and registry"): XLSX as well as CSV
// (POST /api/v1/people/import with the workbook as the body; a workbook made by another
// tool and our own export), re-importing matches people by ID-card hash, phone, or name and
// affiliation and answers added / updated / unchanged / refused; a bad file or a bad row is
// refused whole with the row named; the page offers the upload and shows the counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const data = (name) => readFileSync(new URL(`../data/xlsx/${name}`, import.meta.url));
let srv, org;
before(async () => {
  srv = await startServer();
  org = new Client(srv.url);
  await org.login('organizer', DEMO_PASSWORD);
});
after(async () => { await srv.stop(); });

const send = (body, type) => org.req('POST', '/api/v1/people/import', { body, headers: { 'Content-Type': type } });
async function people(q) {
  const r = await org.get(`/api/v1/people?limit=500&q=${encodeURIComponent(q)}`);
  assert.equal(r.status, 200, r.text);
  return r.data.items;
}
function idCard(d17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(d17[i]) * w[i];
  return d17 + '10X98765432'[s % 11];
}

test('an XLSX workbook made by another tool imports; importing it again changes nothing', async () => {
  let r = await send(data('people-minimal.xlsx'), XLSX);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.format, 'xlsx');
  assert.deepEqual([r.data.added, r.data.updated, r.data.unchanged, r.data.refused], [3, 0, 0, 0]);
  const [a] = await people('表格甲');
  assert.equal(a.phone, '13800138000', 'a phone in a numeric cell stays a phone');
  assert.equal(a.affiliation, '深圳大学 海洋学院');
  assert.equal(a.category, 'expert');
  assert.equal(a.public_name, true);
  assert.equal((await people('表格丙'))[0].phone, '13900000002');
  assert.equal((await people('不应读到')).length, 0, 'only the first sheet is read');
  r = await send(data('people-minimal.xlsx'), XLSX);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.data.added, r.data.updated, r.data.unchanged, r.data.refused], [0, 0, 3, 0]);
  assert.equal((await people('表格甲')).length, 1, 'no duplicate');

  // our own XLSX export imports again too: every row matches, nothing changes
  const x = await fetch(`${srv.url}/api/v1/people.xlsx?q=${encodeURIComponent('表格')}`, { headers: { Cookie: org.cookieHeader() } });
  assert.equal(x.status, 200);
  r = await send(Buffer.from(await x.arrayBuffer()), XLSX);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.data.added, r.data.updated, r.data.unchanged], [0, 0, 3]);
});

test('a bad workbook or a bad row is refused whole, naming the row', async () => {
  let r = await send(Buffer.from('这不是工作簿'), XLSX);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.data.error.code, 'invalid_xlsx');
  assert.match(r.data.error.message, /XLSX/);
  r = await send(data('people-minimal.xlsx').subarray(0, 1000), XLSX);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.data.error.code, 'invalid_xlsx');
  r = await send(data('people-bad-row.xlsx'), XLSX);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.data.error.code, 'invalid_rows');
  assert.deepEqual(r.data.error.rows.map((x) => [x.line, x.field]), [[3, 'category']]);
  r = await send(Buffer.from('x'), 'application/pdf');
  assert.equal(r.status, 415, r.text);
});

test('re-importing CSV: matched by ID card, phone, or name and affiliation; counts and refusals', async () => {
  const card = idCard('44030419750505321');
  const first = `姓名,类别,工作单位,电话,身份证号\n重导甲,member,市政协,,${card}\n重导乙,expert,市医院,13600000003,\n重导丙,citizen,某街道,,\n`;
  let r = await send(first, 'text/csv');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.data.added, r.data.updated, r.data.unchanged, r.data.refused], [3, 0, 0, 0]);
  assert.equal(r.data.imported, 3);
  assert.ok(!JSON.stringify(await people('重导甲')).includes(card), 'the ID-card number is never shown');
  r = await send(first, 'text/csv');
  assert.deepEqual([r.data.added, r.data.updated, r.data.unchanged, r.data.refused], [0, 0, 3, 0]);
  const second = `name,category,affiliation,phone,title,id_card\n重导甲（新名）,member,市政协,,,${card}\n重导乙,expert,市医院,13600000003,主任,\n重导丙,citizen,某街道,,网格员,\n重导丁,citizen,,,,\n`;
  r = await send(second, 'text/csv');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.data.added, r.data.updated, r.data.unchanged, r.data.refused], [1, 3, 0, 0]);
  assert.equal((await people('重导甲（新名）')).length, 1);
  assert.equal((await people('重导乙'))[0].title, '主任');
  assert.equal((await people('重导丙'))[0].title, '网格员');
  // two people of the body with one phone: a row with only that phone is refused, not guessed
  for (const name of ['同号一', '同号二']) assert.equal((await org.post('/api/v1/people', { name, category: 'citizen', phone: '13500000004' })).status, 201);
  r = await send('姓名,类别,电话\n同号三,citizen,13500000004\n重导戊,citizen,\n', 'text/csv');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.data.added, r.data.refused], [1, 1]);
  assert.deepEqual(r.data.refusals.map((x) => [x.line, x.code]), [[2, 'ambiguous']]);
  assert.equal((await people('同号三')).length, 0);
  // a bad ID-card number is a bad row: nothing imported
  r = await send(`姓名,类别,身份证号\n重导己,citizen,123456\n`, 'text/csv');
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.data.error.rows.map((x) => [x.line, x.field]), [[2, 'id_card']]);
  assert.ok(!r.text.includes('123456'), 'the number is not echoed');
});

test('the import page offers the upload and shows the counts', async () => {
  let r = await org.get('/people/import');
  assert.equal(r.status, 200);
  assert.match(r.text, /id="import-upload"/);
  assert.match(r.text, /<input type="file" id="import-file" accept="\.xlsx,\.csv/);
  assert.match(r.text, /src="\/static\/import\.js"/);
  assert.match(r.text, /身份证号/);
  assert.equal((await org.get('/static/import.js')).status, 200);
  const body = (csv) => new URLSearchParams({ csrf_token: org.csrf, csv }).toString();
  const post = (csv) => org.req('POST', '/people/import', { body: body(csv), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  r = await post('姓名,类别,工作单位\n页面重导,member,某单位\n');
  assert.equal(r.status, 303, r.text);
  r = await post('姓名,类别,工作单位,职务\n页面重导,member,某单位,秘书长\n页面新人,citizen,,\n');
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), '/people?imported=2&added=1&updated=1&unchanged=0&refused=0');
  let page = await org.get(r.headers.get('location'));
  assert.match(page.text, /id="import-counts"/);
  assert.match(page.text, /新增 <strong>1<\/strong> · 更新 <strong>1<\/strong> · 未变 <strong>0<\/strong> · 未导入 <strong>0<\/strong>/);
  // a row not imported is listed on the page, the others went in
  for (const name of ['页面同号一', '页面同号二']) await org.post('/api/v1/people', { name, category: 'citizen', phone: '13500000005' });
  r = await post('姓名,类别,电话\n页面同号三,citizen,13500000005\n');
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /id="import-refusals"/);
  assert.match(r.text, /<td data-label="行">2<\/td>/);
  await org.get('/lang?to=en&next=/');
  page = await org.get('/people?imported=1&added=1&updated=0&unchanged=0&refused=0');
  assert.match(page.text, /added <strong>1<\/strong> · updated <strong>0<\/strong>/);
  await org.get('/lang?to=zh&next=/');
});
