// The command line on PostgreSQL URIs (issue 13): `shenliao copy` between databases (row
// counts per table, a non-empty target refused without --replace), a URI's password never
// printed, and — with SHENLIAO_TEST_PG set (scripts/pg.sh) — demo, copy SQLite -> PostgreSQL
// -> SQLite with every row, backup through pg_dump, and serve on a PostgreSQL database.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { run, tempDir, startServer, Client, ADMIN_PASSWORD, DEMO_PASSWORD } from '../lib/server.mjs';

const PG_BASE = process.env.SHENLIAO_TEST_PG || '';
const env = { SHENLIAO_ADMIN_PASSWORD: ADMIN_PASSWORD };

// counts reads the per-table lines `copy` prints: {table: [from, to]}.
function counts(stdout) {
  const out = {};
  for (const m of stdout.matchAll(/^\s+(\w+)\s+(\d+) ->\s+(\d+) (ok|DIFFERS)$/gm)) out[m[1]] = [+m[2], +m[3]];
  return out;
}

function demoFile(dir) {
  const db = join(dir, 'demo.db');
  const r = run(['demo', '--db', db, '--quiet'], env);
  assert.equal(r.status, 0, r.stderr);
  return db;
}

describe('shenliao copy', () => {
  test('a demo database into a new file: every table, the same row counts, then refused unless --replace', () => {
    const dir = tempDir();
    try {
      const from = demoFile(dir);
      const to = join(dir, 'copy.db');
      let r = run(['copy', '--from', from, '--to', to]);
      assert.equal(r.status, 0, r.stderr);
      const c = counts(r.stdout);
      assert.ok(Object.keys(c).length > 30, r.stdout);
      for (const t of ['org', 'users', 'session', 'audit', 'vote', 'search_index']) {
        assert.ok(c[t] && c[t][0] > 0 && c[t][0] === c[t][1], `${t}: ${c[t]}`);
      }
      assert.match(r.stdout, /the row count of every table matches/);
      // the copy is a working database: its audit chain verifies
      r = run(['audit', 'verify', '--db', to]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`${c.audit[0]} rows`));
      r = run(['copy', '--from', from, '--to', to]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /holds data.*--replace/);
      r = run(['copy', '--from', from, '--to', to, '--replace', '--json']);
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.counts_match, true);
      assert.ok(j.tables.every((t) => t.from === t.to));
      r = run(['copy', '--from', from, '--to', from]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /the same database/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('a URI password is never printed, whatever fails', () => {
    const uri = 'postgresql://someone:s3cr3t-pw@127.0.0.1:1/nothing';
    for (const args of [['serve', '--db', uri, '--listen', '127.0.0.1:0'], ['init', '--db', uri, '--org', 'x', '--admin', 'a', '--slug', 'r'],
      ['audit', 'verify', '--db', uri], ['copy', '--from', uri, '--to', '/nonexistent/dir/x.db']]) {
      const r = run(args, env);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.doesNotMatch(r.stderr + r.stdout, /s3cr3t/, args.join(' '));
      assert.match(r.stderr, /someone:\*\*\*@127\.0\.0\.1:1/, args.join(' '));
    }
  });
});

describe('on PostgreSQL', { skip: !PG_BASE && 'SHENLIAO_TEST_PG is not set' }, () => {
  const base = PG_BASE.endsWith('/') ? PG_BASE : `${PG_BASE}/`;
  const name = (tag) => `${base}t_cli_${tag}_${process.pid}`;

  test('copy SQLite -> PostgreSQL -> SQLite keeps the row count of every table', () => {
    const dir = tempDir();
    try {
      const from = demoFile(dir);
      const pg = name('copy');
      let r = run(['copy', '--from', from, '--to', pg]);
      assert.equal(r.status, 0, r.stderr);
      const there = counts(r.stdout);
      assert.ok(there.org[1] > 0 && there.audit[1] > 0);
      r = run(['copy', '--from', pg, '--to', join(dir, 'back.db')]);
      assert.equal(r.status, 0, r.stderr);
      const back = counts(r.stdout);
      for (const [t, [n]] of Object.entries(there)) {
        if (back[t]) assert.equal(back[t][1], n, t);
      }
      r = run(['copy', '--from', from, '--to', pg]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /holds data/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('init refuses a database with a schema; backup runs pg_dump', () => {
    const dir = tempDir();
    try {
      const pg = name('init');
      let r = run(['init', '--db', pg, '--org', '测试省政协', '--admin', 'admin', '--slug', 'root'], env);
      assert.equal(r.status, 0, r.stderr);
      r = run(['init', '--db', pg, '--org', '测试省政协', '--admin', 'admin', '--slug', 'root'], env);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /exists; refusing/);
      const out = join(dir, 'dump');
      r = run(['backup', '--db', pg, out]);
      const havePgDump = spawnSync('pg_dump', ['--version']).status === 0;
      if (havePgDump) {
        assert.equal(r.status, 0, r.stderr);
        assert.ok(existsSync(out) && statSync(out).size > 1000);
        assert.match(r.stdout, /pg_dump/);
      } else {
        assert.equal(r.status, 1);
        assert.match(r.stderr, /pg_dump/);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('serve on a PostgreSQL database made by demo: sign in and read a page', async () => {
    const srv = await startServer();
    try {
      assert.match(srv.db, /^postgres(ql)?:\/\//);
      const c = new Client(srv.url);
      await c.login('organizer', DEMO_PASSWORD);
      const r = await c.get('/sessions');
      assert.equal(r.status, 200);
    } finally { await srv.stop(); }
  });
});
