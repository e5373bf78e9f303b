// The command line (issues #2 and #12): help generated from each command's option table
// (every option with its SHENLIAO_ variable), usage errors, init, user add, token create,
// backup while serving, --json on every command that prints data, the progress bar on a
// terminal and nothing extra without one, and a clean stop on SIGTERM with requests in flight.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run, tempDir, startServer, Client, BIN, DEMO_PASSWORD, ADMIN_PASSWORD, PG } from '../lib/server.mjs';

const POLIS = resolve('tests/data/polis/scoop-hivemind.biodiversity');
const COMMANDS = [['init'], ['serve'], ['demo'], ['user', 'add'], ['token', 'create'], ['backup'], ['import', 'polis'], ['opinion'], ['audit', 'verify']];

// A pseudo-terminal on stderr only (stdout stays a pipe, so --json output can be read
// apart from the bar), 100 columns wide: python3's pty module.
const PTY = `
import os, sys, subprocess, json, fcntl, termios, struct
m, s = os.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 100, 0, 0))
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=s)
os.close(s)
err = b''
while True:
    try:
        d = os.read(m, 65536)
    except OSError:
        break
    if not d:
        break
    err += d
out = p.stdout.read()
print(json.dumps({'status': p.wait(), 'stdout': out.decode('utf8', 'replace'), 'stderr': err.decode('utf8', 'replace')}))
`;
const HAVE_PY = spawnSync('python3', ['-c', 'import pty, termios'], { encoding: 'utf8' }).status === 0;

// onTerminal runs the binary with stderr on a terminal: {status, stdout, stderr}.
function onTerminal(args, env = {}) {
  const r = spawnSync('python3', ['-c', PTY, BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// bar asserts that stderr (from a terminal) drew a bar labelled label up to 100% and
// cleared it at the end.
function bar(stderr, label) {
  assert.match(stderr, new RegExp(`\\r${label} \\[[#.]+\\] +\\d+%`), `a ${label} bar: ${JSON.stringify(stderr)}`);
  assert.match(stderr, new RegExp(`${label} \\[#+\\] 100%  `), 'it reaches 100%');
  assert.match(stderr, /ETA /);
  assert.ok(stderr.endsWith('\r\x1b[K'), 'the line is cleared at the end');
}

describe('command line', () => {
  test('--help lists every command; each command has --help', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0);
    for (const c of ['init', 'serve', 'demo', 'user', 'token', 'backup', 'import', 'opinion']) {
      assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
      const h = run(c === 'user' ? ['user', 'add', '--help'] : c === 'token' ? ['token', 'create', '--help'] : [c, '--help']);
      assert.equal(h.status, 0, `${c} --help`);
      assert.match(h.stdout, /usage: shenliao/);
    }
  });
  test('COMMAND --help lists every option with its environment variable', () => {
    for (const words of COMMANDS) {
      const h = run([...words, '--help']);
      assert.equal(h.status, 0, words.join(' '));
      assert.match(h.stdout, new RegExp(`^usage: shenliao ${words.join(' ')} `));
      const lines = h.stdout.split('\n');
      const opts = lines.filter((l) => /^  --[a-z-]+/.test(l) && !/^  --help/.test(l));
      assert.ok(opts.length >= 2, `${words.join(' ')} lists its options`);
      for (const l of opts) {
        const name = /^  --([a-z-]+)/.exec(l)[1];
        const env = `SHENLIAO_${name.toUpperCase().replaceAll('-', '_')}`;
        const next = lines[lines.indexOf(l) + 1];
        assert.match(next, new RegExp(`^ +\\[${env}(; default: .+)?\\]$`), `${words.join(' ')} --${name}: ${next}`);
      }
      // what the help says is what is parsed: an option from the help is accepted
      // (it fails later, for want of a database, never as an unknown option)
      for (const l of opts) {
        const name = /^  --([a-z-]+)/.exec(l)[1];
        const r = run([...words, `--${name}${/^  --[a-z-]+ [A-Z]/.test(l) ? '=x' : ''}`]);
        assert.doesNotMatch(r.stderr, /unknown option/, `${words.join(' ')} --${name}`);
      }
    }
    // the defaults are shown
    assert.match(run(['serve', '--help']).stdout, /\[SHENLIAO_LISTEN; default: 127\.0\.0\.1:8080\]/);
    assert.match(run(['init', '--help']).stdout, /\[SHENLIAO_LEVEL; default: province\]/);
    // and an option can come from its variable
    const dir = tempDir();
    const fromEnv = run(['init', '--org', '环境政协', '--admin', 'root', '--json'], { SHENLIAO_DB: join(dir, 'env.db'), SHENLIAO_ADMIN_PASSWORD: 'root-pass-1' });
    assert.equal(fromEnv.status, 0, fromEnv.stderr);
    assert.ok(existsSync(join(dir, 'env.db')));
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
  test('--json: one JSON document on stdout for every command that prints data', () => {
    const v = run(['--version', '--json']);
    assert.equal(v.status, 0);
    assert.match(JSON.parse(v.stdout).version, /^\d+\.\d+\.\d+/);
    const dir = tempDir();
    const db = join(dir, 'a.db');
    const init = run(['init', '--db', db, '--org', '测试政协', '--admin', 'root', '--slug', 'test', '--json'], { SHENLIAO_ADMIN_PASSWORD: 'root-pass-1' });
    assert.equal(init.status, 0, init.stderr);
    const ij = JSON.parse(init.stdout);
    assert.equal(ij.db, db);
    assert.deepEqual([ij.org.slug, ij.org.name, ij.org.level], ['test', '测试政协', 'province']);
    assert.equal(ij.admin.username, 'root');
    assert.equal(ij.admin.role, 'admin');
    assert.ok(ij.admin.id > 0);
    const demo = run(['demo', '--db', db, '--json']);
    assert.equal(demo.status, 0, demo.stderr);
    const dj = JSON.parse(demo.stdout);
    assert.equal(dj.created, false);
    assert.equal(dj.already_loaded, false);
    assert.equal(dj.bodies, 3);
    assert.ok(dj.people > 0 && dj.sessions > 0 && dj.outputs > 0, demo.stdout);
    assert.ok(dj.logins.some((l) => l.username === 'organizer' && l.role === 'organizer'));
    assert.equal(dj.password, DEMO_PASSWORD);
    assert.ok(dj.opinion_session > 0);
    assert.equal(JSON.parse(run(['demo', '--db', db, '--json']).stdout).already_loaded, true);
    const add = run(['user', 'add', '--db', db, '--org', 'sz', '--username', 'clerk', '--role', 'member', '--display-name', '书记员', '--json'], { SHENLIAO_PASSWORD: 'clerk-pass-1' });
    assert.equal(add.status, 0, add.stderr);
    const aj = JSON.parse(add.stdout);
    assert.deepEqual([aj.username, aj.role, aj.display_name, aj.org], ['clerk', 'member', '书记员', 'sz']);
    assert.ok(aj.id > 0);
    const tok = run(['token', 'create', '--db', db, '--username', 'clerk', '--json']);
    assert.equal(tok.status, 0, tok.stderr);
    const tj = JSON.parse(tok.stdout);
    assert.match(tj.token, /^[0-9a-f]{64}$/);
    assert.deepEqual([tj.username, tj.user_id], ['clerk', aj.id]);
    const out = join(dir, 'copy.db');
    const bk = run(['backup', '--db', db, out, '--json']);
    assert.equal(bk.status, 0, bk.stderr);
    const bj = JSON.parse(bk.stdout);
    assert.deepEqual([bj.db, bj.path, bj.bytes], [db, out, statSync(out).size]);
    const imp = run(['import', 'polis', POLIS, '--db', db, '--session', String(dj.opinion_session), '--json']);
    assert.equal(imp.status, 0, imp.stderr);
    const mj = JSON.parse(imp.stdout);
    assert.equal(mj.session, dj.opinion_session);
    assert.ok(mj.statements > 100 && mj.participants > 100 && mj.votes > 10000, imp.stdout);
    assert.ok(mj.snapshot > 0);
    // errors stay on stderr as text, with the exit status; stdout stays empty
    for (const [args, status, why] of [
      [['token', 'create', '--db', db, '--username', 'ghost', '--json'], 1, /no user 'ghost' \(add one with `shenliao user add`\)/],
      [['backup', '--db', db, out, '--json'], 1, /exists; refusing to overwrite it \(give a new file name\)/],
      [['import', 'polis', POLIS, '--db', db, '--session', '99999', '--json'], 1, /no session 99999/],
      [['import', 'polis', '/nonexistent/conv', '--db', db, '--session', '1', '--json'], 1, /votes\.csv/],
      [['user', 'add', '--db', join(dir, 'none.db'), '--org', 'sz', '--username', 'abc', '--role', 'member', '--json'], 1, /no database at .* \(create one with `shenliao init`\)/],
      [['init', '--json'], 2, /init needs --db FILE \(or SHENLIAO_DB\)/],
      [['demo', '--json', '--bogus'], 2, /unknown option '--bogus'/],
    ]) {
      const r = run(args, { SHENLIAO_PASSWORD: 'clerk-pass-1' });
      assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr, /^shenliao: /);
      assert.match(r.stderr, why);
    }
  });
  test('progress bar on a terminal, nothing extra without one', { skip: !HAVE_PY && 'needs python3 (pty)' }, () => {
    const dir = tempDir();
    const db = join(dir, 'a.db');
    const env = { SHENLIAO_ADMIN_PASSWORD: ADMIN_PASSWORD };
    // on a terminal: the bar on stderr, the data alone on stdout
    const demo = onTerminal(['demo', '--db', db, '--json'], env);
    assert.equal(demo.status, 0, demo.stderr);
    bar(demo.stderr, 'demo');
    const session = JSON.parse(demo.stdout).opinion_session;
    const imp = onTerminal(['import', 'polis', POLIS, '--db', db, '--session', String(session)]);
    assert.equal(imp.status, 0, imp.stderr);
    bar(imp.stderr, 'read polis');
    bar(imp.stderr, 'import polis');
    assert.match(imp.stdout, /^imported \d+ statements/);
    const bk = onTerminal(['backup', '--db', db, join(dir, 'copy.db')]);
    assert.equal(bk.status, 0, bk.stderr);
    bar(bk.stderr, 'backup');
    const op = onTerminal(['opinion', '--polis', POLIS, '--json']);
    assert.equal(op.status, 0, op.stderr);
    bar(op.stderr, 'read polis');
    assert.ok(JSON.parse(op.stdout).groups.length >= 2);
    // redrawn at most about ten times a second
    const draws = imp.stderr.split('\r').length;
    assert.ok(draws < 200, `${draws} redraws`);
    // SHENLIAO_NO_PROGRESS turns it off even on a terminal
    const off = onTerminal(['backup', '--db', db, join(dir, 'copy2.db')], { SHENLIAO_NO_PROGRESS: '1' });
    assert.equal(off.status, 0);
    assert.equal(off.stderr, '');
    // not a terminal: not a byte of it
    const db2 = join(dir, 'b.db');
    for (const args of [['demo', '--db', db2], ['import', 'polis', POLIS, '--db', db2, '--session', String(session)], ['backup', '--db', db2, join(dir, 'copy3.db')], ['opinion', '--polis', POLIS, '--json']]) {
      const r = run(args, env);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\r|\x1b|\[[#.]{5,}\]|ETA/, args.join(' '));
    }
  });
  test('backup while serving gives a consistent copy that serves too', { skip: PG ? 'on PostgreSQL backup is pg_dump (tests/http/pgcli.test.mjs)' : false }, async () => {
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
