// Browser test of the live map past the stream limit (issue 14): with `serve --max-streams 1`
// and that one stream taken, the map page's event stream is refused (503); the page falls
// back to polling the snapshot and still shows a new vote by itself, without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { launchBrowser, startE2EServer, newPage, login, saveServerLog, DEMO_PASSWORD } from './browser.mjs';

let srv, browser;
before(async () => {
  srv = await startE2EServer({ args: ['--max-streams', '1'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  saveServerLog(srv.log());
  await srv.stop();
});

test('past the stream limit the map page polls and still updates', async () => {
  const org = new Client(srv.url);
  await org.login('organizer', DEMO_PASSWORD);
  const room = await org.post('/api/v1/sessions/5/room', { anonymous: true, moderation: 'post' });
  assert.equal(room.status, 200, room.text);
  const st = await org.post('/api/v1/sessions/5/statements', { text: '公共文化场馆应当错峰开放' });
  assert.equal(st.status, 201, st.text);
  // another viewer holds the only stream
  const ctl = new AbortController();
  const held = await fetch(`${srv.url}/api/v1/sessions/5/events`, { signal: ctl.signal });
  assert.equal(held.status, 200);

  const page = await newPage(browser, srv.url, { viewport: { width: 1280, height: 900 } });
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/sessions/5/events') && r.status() === 503);
  await page.goto('/login?next=/sessions/5/map');
  await login(page, 'organizer', DEMO_PASSWORD);
  await page.waitForURL('**/sessions/5/map');
  await refused;
  let reloaded = false;
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) reloaded = true; });
  const before = Number(await page.locator('#n-votes').innerText());
  const phone = new Client(srv.url);
  const v = await phone.req('PUT', `/api/v1/statements/${st.data.id}/vote`, { json: { vote: 1 } });
  assert.equal(v.status, 200, v.text);
  // polled every 10-15 s
  await page.waitForFunction((n) => document.getElementById('n-votes').textContent === n, String(before + 1), { timeout: 25000 });
  assert.equal(reloaded, false, 'no reload');
  // the only problem is the refused stream's own console line
  assert.deepEqual(page.problems.filter((p) => !/503/.test(p)), []);
  ctl.abort();
  await page.context().close();
});
