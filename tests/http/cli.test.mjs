// The command line (issue #2): help, usage errors, init, user add, token create, backup
// while serving, and a clean stop on SIGTERM with requests in flight.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempDir, startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

describe('command line', () => {
  test('--help lists every command; each command has --help', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0);
    for (const c of ['init', 'serve', 'demo', 'user', 'token', 'backup']) {
      assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
      const h = run(c === 'user' ? ['user', 'add', '--help'] : c === 'token' ? ['token', 'create', '--help'] : [c, '--help']);
      assert.equal(h.status, 0, `${c} --help`);
      assert.match(h.stdout, /usage: shenliao/);
    }
  });
  test('wrong usage exits 2 with a one-line reason', () => {
    for (const args of [[], ['frobnicate'], ['init'], ['init', '--db'], ['serve', '--bogus'], ['user', 'remove'], ['backup', '--db', 'x']]) {
      const r = run(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr.split('\n')[0], /^shenliao: .+/);
    }
  });
  test('init: password from the environment or a file, never argv; refuses to overwrite', () => {
    const dir = tempDir();
    const db = join(dir, 'a.db');
    const none = run(['init', '--db', db, '--org', '测试政协', '--admin', 'root'], { SHENLIAO_ADMIN_PASSWORD: '' });
    assert.equal(none.status, 1);
    assert.match(none.stderr, /SHENLIAO_ADMIN_PASSWORD/);
    assert.ok(!existsSync(db));
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'file-password-1\nsecond line ignored\n');
    const ok = run(['init', '--db', db, '--org', '测试政协', '--admin', 'root', '--password-file', pw], { SHENLIAO_ADMIN_PASSWORD: '' });
    assert.equal(ok.status, 0, ok.stderr);
    const again = run(['init', '--db', db, '--org', 'x', '--admin', 'y'], { SHENLIAO_ADMIN_PASSWORD: 'whatever-1' });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists/);
    const weak = run(['init', '--db', join(dir, 'b.db'), '--org', 'x', '--admin', 'root'], { SHENLIAO_ADMIN_PASSWORD: 'short' });
    assert.equal(weak.status, 1);
    assert.ok(!existsSync(join(dir, 'b.db')), 'nothing left behind');
  });
  test('user add and token create', () => {
    const dir = tempDir();
    const db = join(dir, 'a.db');
    assert.equal(run(['init', '--db', db, '--org', '测试政协', '--admin', 'root', '--slug', 'test'], { SHENLIAO_ADMIN_PASSWORD: 'root-pass-1' }).status, 0);
    const add = run(['user', 'add', '--db', db, '--org', 'test', '--username', 'clerk', '--role', 'organizer'], { SHENLIAO_PASSWORD: 'clerk-pass-1' });
    assert.equal(add.status, 0, add.stderr);
    const dup = run(['user', 'add', '--db', db, '--org', 'test', '--username', 'clerk', '--role', 'member'], { SHENLIAO_PASSWORD: 'clerk-pass-1' });
    assert.equal(dup.status, 1);
    assert.equal(run(['user', 'add', '--db', db, '--org', 'nope', '--username', 'x1', '--role', 'member'], { SHENLIAO_PASSWORD: 'clerk-pass-1' }).status, 1);
    assert.equal(run(['user', 'add', '--db', db, '--org', 'test', '--username', 'x2', '--role', 'boss'], { SHENLIAO_PASSWORD: 'clerk-pass-1' }).status, 2);
    const tok = run(['token', 'create', '--db', db, '--username', 'clerk']);
    assert.equal(tok.status, 0);
    assert.match(tok.stdout.trim(), /^[0-9a-f]{64}$/);
    assert.equal(run(['token', 'create', '--db', db, '--username', 'ghost']).status, 1);
  });
  test('backup while serving gives a consistent copy that serves too', async () => {
    const srv = await startServer();
    try {
      const c = new Client(srv.url);
      await c.login('sz-admin', DEMO_PASSWORD);
      // writes in flight while the backup runs
      const writes = [];
      for (let i = 0; i < 20; i++) writes.push(c.post('/api/v1/orgs', { slug: `bk-${i}`, name: `备份区${i}`, level: 'district' }));
      const out = join(srv.dir, 'copy.db');
      const b = run(['backup', '--db', srv.db, out]);
      assert.equal(b.status, 0, b.stderr);
      await Promise.all(writes);
      assert.equal(run(['backup', '--db', srv.db, out]).status, 1, 'refuses to overwrite');
      const copy = await startServer({ existing: out });
      try {
        const cc = new Client(copy.url);
        await cc.login('sz-admin', DEMO_PASSWORD);
        const orgs = (await cc.get('/api/v1/orgs?limit=500')).data.items;
        assert.ok(orgs.some((o) => o.slug === 'sz'));
      } finally { await copy.stop(); }
    } finally { await srv.stop(); }
  });
  test('SIGTERM: requests in flight finish, then exit 0', async () => {
    const srv = await startServer();
    const c = new Client(srv.url);
    // open the connections first (keep-alive), so the requests below reach the server
    // however busy this machine is; password checks take tens of milliseconds: good
    // requests to have in flight
    await Promise.all([0, 1, 2, 3].map(() => c.get('/api/v1/health')));
    const inflight = [];
    for (let i = 0; i < 4; i++) inflight.push(c.post('/api/v1/login', { username: 'organizer', password: DEMO_PASSWORD }));
    await new Promise((r) => setTimeout(r, 60));
    srv.proc.kill('SIGTERM');
    const results = await Promise.allSettled(inflight);
    const answered = results.filter((r) => r.status === 'fulfilled' && r.value.status === 200).length;
    assert.ok(answered >= 1, `requests in flight were answered (${answered}/4)`);
    await srv.stop(); // asserts exit code 0 and no sanitizer report
    assert.match(srv.log(), /stopped/);
  });
});
