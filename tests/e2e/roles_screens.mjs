// Screenshots for docs/ROLES.md (issue 11): what each role sees, in Chinese, from a demo
// server (tests/lib/server.mjs). Phone width (390) for the member and the public join page,
// desktop (1280) for the others; the visible screen only, into docs/roles/<name>.png.
// Run by hand, not by make check:
//   make && node tests/e2e/roles_screens.mjs
// The handling-unit account is made the way an admin makes one: POST /api/v1/users as
// sz-admin with the handler_id of the demo unit that has assignments (市人力资源和社会保障局).
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { launchBrowser, login, startE2EServer, DEMO_PASSWORD } from './browser.mjs';
import { Client } from '../lib/server.mjs';

const OUT = resolve('docs/roles');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const HANDLER_USER = 'hr-clerk';

function have(cmd) {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

// shrink reduces a PNG to a palette when pngquant is installed (sizes are fine without).
function shrink(file) {
  if (have('pngquant')) execFileSync('pngquant', ['--force', '--skip-if-larger', '--strip', '--output', file, '256', file]);
}

// the shots: name (file), who (account, or null for an anonymous visitor), path, phone or
// desktop, and optionally `at`, an element scrolled to the top before the shot.
function shots(joinCode, ids) {
  return [
    // anonymous public
    { name: 'public-sessions', who: null, path: '/sessions' },
    { name: 'public-map', who: null, path: '/sessions/5/map' },
    { name: 'public-join-phone', who: null, path: `/j/${joinCode}`, phone: true },
    // guest
    { name: 'guest-dashboard', who: 'guest', path: '/dashboard' },
    // member (phone)
    { name: 'member-mywork-phone', who: 'member', path: '/me', phone: true },
    { name: 'member-invitations-phone', who: 'member', path: '/invitations', phone: true },
    { name: 'member-output-new-phone', who: 'member', path: '/outputs/new', phone: true },
    { name: 'member-topics-phone', who: 'member', path: '/topics', phone: true },
    { name: 'member-notifications-phone', who: 'member', path: '/notifications', phone: true },
    { name: 'ft-member-mywork-phone', who: 'ft-member', path: '/me', phone: true },
    // organizer
    { name: 'organizer-dashboard', who: 'organizer', path: '/dashboard' },
    { name: 'organizer-topics', who: 'organizer', path: '/topics' },
    { name: 'organizer-session-closed', who: 'organizer', path: '/sessions/1' },
    { name: 'organizer-output', who: 'organizer', path: '/outputs/1' },
    { name: 'organizer-commitments', who: 'organizer', path: '/commitments?overdue=1' },
    { name: 'organizer-handlers', who: 'organizer', path: '/handlers' },
    { name: 'yt-organizer-sessions', who: 'yt-organizer', path: '/sessions' },
    // admin
    { name: 'admin-users', who: 'sz-admin', path: '/admin/users' },
    { name: 'admin-user', who: 'sz-admin', path: `/admin/users/${ids.member}` },
    { name: 'admin-orgs', who: 'sz-admin', path: '/admin/orgs' },
    { name: 'admin-audit', who: 'sz-admin', path: '/admin/audit' },
    // leader
    { name: 'leader-dashboard', who: 'leader', path: '/dashboard?year=2024' },
    { name: 'leader-instruction', who: 'leader', path: '/outputs/2', at: '#instruction' },
    // handling unit
    { name: 'handler-assignments', who: HANDLER_USER, path: '/assignments' },
  ];
}

const srv = await startE2EServer();
const browser = await launchBrowser();
try {
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) if (f.endsWith('.png')) rmSync(join(OUT, f));

  // the handling unit's account, through the API as sz-admin
  const admin = new Client(srv.url);
  await admin.login('sz-admin', DEMO_PASSWORD);
  const units = Object.fromEntries((await admin.get('/api/v1/handlers')).data.items.map((h) => [h.name, h.id]));
  const made = await admin.post('/api/v1/users', { username: HANDLER_USER, display_name: '人社局办理员', password: DEMO_PASSWORD, role: 'guest', handler_id: units['市人力资源和社会保障局'] });
  if (made.status !== 201) throw new Error(`handler account: ${made.status} ${made.text}`);
  const users = (await admin.get('/api/v1/users?limit=500')).data.items;
  const ids = { member: users.find((u) => u.username === 'member').id };
  const org = new Client(srv.url);
  await org.login('organizer', DEMO_PASSWORD);
  const room = (await org.get('/api/v1/sessions/5/room')).data;
  const joinCode = room.code || room.join_code;
  if (!joinCode) throw new Error(`no join code in ${JSON.stringify(room)}`);

  const contexts = new Map();
  const pageOf = async (who) => {
    if (contexts.has(who)) return contexts.get(who);
    const ctx = await browser.newContext({ baseURL: srv.url, locale: 'zh-CN', viewport: DESKTOP });
    ctx.setDefaultTimeout(10000);
    await ctx.addCookies([{ name: 'sl_lang', value: 'zh', url: srv.url }]);
    const page = await ctx.newPage();
    if (who) {
      await page.goto('/login');
      await login(page, who, DEMO_PASSWORD);
      await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    }
    contexts.set(who, page);
    return page;
  };

  for (const s of shots(joinCode, ids)) {
    const page = await pageOf(s.who);
    await page.setViewportSize(s.phone ? PHONE : DESKTOP);
    const res = await page.goto(s.path);
    if (!res.ok()) console.log(`warning: ${s.name} ${s.path} answered ${res.status()}`);
    await page.evaluate(() => document.fonts.ready);
    if (s.at) await page.locator(s.at).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    const file = join(OUT, `${s.name}.png`);
    await page.screenshot({ path: file });
    shrink(file);
  }
  for (const page of contexts.values()) await page.context().close();
  let total = 0;
  const files = readdirSync(OUT).filter((f) => f.endsWith('.png'));
  for (const f of files) {
    const size = statSync(join(OUT, f)).size;
    total += size;
    if (size > 300 * 1024) console.log(`warning: ${f} is ${(size / 1024).toFixed(0)} KB`);
  }
  console.log(`docs/roles: ${files.length} PNG files, ${(total / 1048576).toFixed(2)} MB`);
} finally {
  await browser.close();
  await srv.stop();
}
