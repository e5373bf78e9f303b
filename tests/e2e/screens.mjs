// Screenshots of the main pages for docs/ORGANIZER.md (issue 12): every page of pages.mjs in
// Chinese at desktop (1280x800) and phone (360x740) size, the visible screen only, into
// docs/screens/<page>-<size>.png, and the first printed page (A4, the print stylesheet) of
// an output and of the statistics as print-<page>.png. Run by hand, not by make check:
//   make && node tests/e2e/screens.mjs
// PNGs are reduced to a 256-colour palette with pngquant when it is installed.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { launchBrowser, startE2EServer } from './browser.mjs';
import { mainPages, openContexts, SIZES } from './pages.mjs';

const OUT = resolve('docs/screens');
const PRINTS = ['output-proposal', 'output-opinion', 'stats'];

function have(cmd) {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

// shrink reduces a PNG to a palette when pngquant is installed (sizes are fine without).
function shrink(file) {
  if (have('pngquant')) execFileSync('pngquant', ['--force', '--skip-if-larger', '--strip', '--output', file, '256', file]);
}

const srv = await startE2EServer();
const browser = await launchBrowser();
try {
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) if (f.endsWith('.png')) rmSync(join(OUT, f));
  const { organizer, anon, member, leader, joinCode } = await openContexts(browser, srv.url, 'zh');
  const pages = { organizer: await organizer.newPage(), anon: await anon.newPage(), member: await member.newPage(), leader: await leader.newPage() };
  for (const [size, viewport] of Object.entries(SIZES)) {
    for (const p of Object.values(pages)) await p.setViewportSize(viewport);
    for (const pg of mainPages(joinCode)) {
      const page = pages[pg.who];
      await page.goto(pg.path);
      await page.evaluate(() => document.fonts.ready);
      const file = join(OUT, `${pg.name}-${size}.png`);
      await page.screenshot({ path: file });
      shrink(file);
      for (const m of pg.more || []) {
        await page.locator(m.at).evaluate((el) => el.scrollIntoView({ block: 'start' }));
        const more = join(OUT, `${m.name}-${size}.png`);
        await page.screenshot({ path: more });
        shrink(more);
      }
    }
  }
  // the phone's menu, opened
  const page = pages.organizer;
  await page.setViewportSize(SIZES.phone);
  await page.goto('/sessions');
  await page.locator('#nav-toggle').click();
  await page.screenshot({ path: join(OUT, 'menu-open-phone.png') });
  shrink(join(OUT, 'menu-open-phone.png'));

  // print previews: Chromium's own PDF of the page, first page rasterized
  await page.setViewportSize(SIZES.desktop);
  for (const pg of mainPages(joinCode).filter((x) => PRINTS.includes(x.name))) {
    await page.goto(pg.path);
    await page.emulateMedia({ media: 'print' });
    const pdf = join(srv.dir, `${pg.name}.pdf`);
    await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: false });
    await page.emulateMedia({ media: 'screen' });
    if (have('pdftoppm')) {
      execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdf, join(OUT, `print-${pg.name}`)]);
      shrink(join(OUT, `print-${pg.name}.png`));
    }
  }
  await organizer.close();
  await anon.close();
  await member.close();
  await leader.close();
  let total = 0;
  for (const f of readdirSync(OUT)) if (f.endsWith('.png')) total += statSync(join(OUT, f)).size;
  console.log(`docs/screens: ${readdirSync(OUT).filter((f) => f.endsWith('.png')).length} PNG files, ${(total / 1048576).toFixed(2)} MB`);
} finally {
  await browser.close();
  await srv.stop();
}
