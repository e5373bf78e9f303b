// The main pages of the demo, as issue 12 lists them, for the accessibility test
// (a11y.test.mjs) and the screenshot script (screens.mjs). Sessions of each state come from
// the demo data (src/cli/demo_sessions.c): 7 draft, 6 scheduled, 5 live (with the opinion
// room), 1 closed. Outputs: 1 a proposal (提案), 2 a 社情民意 (opinion_report).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { login, DEMO_PASSWORD } from './browser.mjs';

export const SIZES = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 360, height: 740 },
};

// name: a short file-safe name; path: the URL; who: 'organizer', 'member', 'leader' or 'anon'; more: further
// screenshots (screens.mjs) with the element `at` scrolled to the top. The demo's year is 2024.
export function mainPages(joinCode) {
  return [
    { name: 'login', title: '登录', path: '/login', who: 'anon' },
    { name: 'dashboard', title: '工作台', path: '/dashboard', who: 'organizer' },
    { name: 'sessions', title: '深聊会列表', path: '/sessions', who: 'organizer' },
    { name: 'session-draft', title: '深聊会（草稿）', path: '/sessions/7', who: 'organizer' },
    { name: 'session-scheduled', title: '深聊会（已安排）', path: '/sessions/6', who: 'organizer' },
    { name: 'session-live', title: '深聊会（进行中）', path: '/sessions/5', who: 'organizer', more: [{ name: 'session-live-participants', at: '#participants' }] },
    { name: 'session-closed', title: '深聊会（已结束）', path: '/sessions/1', who: 'organizer' },
    { name: 'map', title: '观点地图', path: '/sessions/5/map', who: 'organizer', more: [{ name: 'map-categories', at: '#categories' }] },
    { name: 'topics', title: '议题', path: '/topics', who: 'organizer' },
    { name: 'plan', title: '年度计划', path: '/topics/plan?year=2024', who: 'organizer' },
    { name: 'outputs', title: '成果列表', path: '/outputs', who: 'organizer' },
    { name: 'output-proposal', title: '成果（提案）', path: '/outputs/1', who: 'organizer' },
    { name: 'output-opinion', title: '成果（社情民意）', path: '/outputs/2', who: 'organizer' },
    { name: 'stats', title: '统计', path: '/stats?year=2024', who: 'organizer' },
    { name: 'people', title: '人员', path: '/people', who: 'organizer' },
    { name: 'notifications', title: '通知', path: '/notifications', who: 'organizer' },
    { name: 'rules', title: '工作规则', path: '/orgs/2/rules', who: 'organizer' },
    { name: 'rules-diff', title: '工作规则比较', path: '/orgs/2/rules/diff?from=2.0&to=2.0', who: 'organizer' },
    { name: 'search', title: '搜索', path: '/search?q=' + encodeURIComponent('人工智能'), who: 'organizer' },
    { name: 'join', title: '参与者手机页', path: `/j/${joinCode}`, who: 'anon' },
    { name: 'my-work', title: '我的工作（委员）', path: '/me', who: 'member' },
    { name: 'dashboard-leader', title: '工作台（领导）', path: '/dashboard', who: 'leader' },
    { name: 'output-leader', title: '成果（领导批示）', path: '/outputs/2', who: 'leader', more: [{ name: 'output-instruction', at: '#instruction' }] },
  ];
}

const require = createRequire(import.meta.url);
export const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// contexts opens the two contexts the pages need (a signed-in organizer, an anonymous
// visitor) in the given language, and finds the live room's join code.
export async function openContexts(browser, base, lang) {
  const make = async () => {
    const ctx = await browser.newContext({ baseURL: base, locale: lang === 'en' ? 'en-US' : 'zh-CN', viewport: SIZES.desktop });
    ctx.setDefaultTimeout(10000);
    await ctx.addCookies([{ name: 'sl_lang', value: lang, url: base }]);
    return ctx;
  };
  const organizer = await make();
  const anon = await make();
  const member = await make();
  const leader = await make();
  for (const [ctx, who] of [[member, 'member'], [leader, 'leader']]) {
    const p = await ctx.newPage();
    await p.goto('/login');
    await login(p, who, DEMO_PASSWORD);
    await p.waitForURL('**/dashboard');
    await p.close();
  }
  const page = await organizer.newPage();
  await page.goto('/login');
  await login(page, 'organizer', DEMO_PASSWORD);
  await page.waitForURL('**/dashboard');
  await page.goto('/sessions/5/map');
  const joinCode = (await page.locator('#join-code').innerText()).trim();
  await page.close();
  return { organizer, anon, member, leader, joinCode };
}
