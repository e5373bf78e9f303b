// Starts a real shenliao server on a fresh SQLite file for a test file (or, when
// SHENLIAO_TEST_PG holds a PostgreSQL base URI such as postgresql://postgres@127.0.0.1:55440/
// from scripts/pg.sh, on a fresh database of that server), and gives the tests a small HTTP
// client that keeps cookies like a browser does.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(process.env.SHENLIAO_BIN || 'build/shenliao');
export const ADMIN_PASSWORD = 'admin-pass-123';
export const DEMO_PASSWORD = 'shenliao-demo';

// run executes the binary synchronously: {status, stdout, stderr}.
export function run(args, env = {}) {
  const r = spawnSync(BIN, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'shenliao-test-'));
}

// PG is the PostgreSQL base URI the suites run against ('' for SQLite).
export const PG = process.env.SHENLIAO_TEST_PG || '';
let pgSeq = 0;

// freshDb names a new database for a test: a file in dir on SQLite, else a database of its
// own on the PG server (`init`/`demo` create it; the throw-away server keeps it).
export function freshDb(dir, name = 'test.db') {
  if (!PG) return join(dir, name);
  const base = PG.endsWith('/') ? PG : `${PG}/`;
  const leaf = dir.split('-').pop().toLowerCase().replace(/[^a-z0-9]/g, '');
  return `${base}t_${process.pid}_${++pgSeq}_${leaf}`;
}

// startServer creates a database with the demo data (unless opts.empty) and serves it on a
// free port. Returns {url, db, dir, proc, stop(), log()}.
export async function startServer(opts = {}) {
  const dir = tempDir();
  const db = opts.existing || freshDb(dir);
  const env = { SHENLIAO_ADMIN_PASSWORD: ADMIN_PASSWORD };
  if (!opts.existing) {
    const r = opts.empty
      ? run(['init', '--db', db, '--org', '测试省政协', '--admin', 'admin', '--slug', 'root'], env)
      : run(['demo', '--db', db, '--quiet'], env);
    if (r.status !== 0) throw new Error(`setup failed: ${r.stderr}`);
  }
  const args = ['serve', '--db', db, '--listen', '127.0.0.1:0', ...(opts.args || [])];
  const proc = spawn(BIN, args, { env: { ...process.env, ...(opts.env || {}) } });
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${log}`)), 15000);
    proc.stderr.on('data', (d) => {
      log += d;
      const m = /serving (http:\/\/[^/\s]+)\//.exec(log);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited ${code}:\n${log}`)); });
  });
  proc.removeAllListeners('exit');
  const exited = new Promise((ok) => proc.on('exit', (code, sig) => ok({ code, sig })));
  return {
    url, db, dir, proc, exited,
    log: () => log,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const r2 = await exited;
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
      // A sanitizer report or a non-zero exit on SIGTERM is a failure of the test run.
      if (r2.code !== 0) throw new Error(`server exited with ${r2.code} ${r2.sig}:\n${log.slice(-4000)}`);
      if (/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(log))
        throw new Error(`sanitizer report:\n${log.slice(-4000)}`);
    },
  };
}

// Client: fetch with a cookie jar and JSON helpers.
export class Client {
  constructor(base) { this.base = base; this.cookies = new Map(); this.csrf = null; this.token = null; }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async req(method, path, { json, body, headers = {}, csrf = true, redirect = 'manual' } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.Cookie = this.cookieHeader();
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
    if (csrf && this.csrf && method !== 'GET' && !('X-CSRF-Token' in h)) h['X-CSRF-Token'] = this.csrf;
    const res = await fetch(this.base + path, { method, headers: h, body, redirect });
    for (const c of res.headers.getSetCookie()) {
      const [kv, ...attrs] = c.split(';');
      const i = kv.indexOf('=');
      const k = kv.slice(0, i).trim(), v = kv.slice(i + 1).trim();
      if (attrs.some((a) => /max-age=0$/i.test(a.trim())) || v === '') this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    const text = await res.text();
    let data = null;
    if ((res.headers.get('content-type') || '').startsWith('application/json') && text) data = JSON.parse(text);
    return { status: res.status, headers: res.headers, text, data };
  }

  get(path, o) { return this.req('GET', path, o); }
  post(path, json, o = {}) { return this.req('POST', path, { json, ...o }); }
  patch(path, json, o = {}) { return this.req('PATCH', path, { json, ...o }); }

  async login(username, password) {
    const r = await this.post('/api/v1/login', { username, password });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${r.text}`);
    this.csrf = r.data.csrf_token;
    return r;
  }
}

export function writeFile(path, text) { writeFileSync(path, text); }

// sqlite3Sync runs the sqlite3 shell as spawnSync('sqlite3', args, {encoding: 'utf8'}) would
// (args: flags such as -json, -bail, -readonly, then the database, then SQL), so a test can
// look into its server's database; when the database is a PostgreSQL URI (SHENLIAO_TEST_PG)
// the SQL goes to psql instead, with -json as a JSON array of row objects as sqlite3 gives it
// ("" for no rows; json columns as their text; a timestamptz as its unix seconds and a
// boolean as 1/0, the integers SQLite stores for them) and plain output as sqlite3's 'a|b'
// lines.
const PG_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/;
export function sqlite3Sync(args) {
  const i = args.findIndex((a) => !a.startsWith('-'));
  const flags = args.slice(0, i), db = args[i], sql = args.slice(i + 1).join(' ');
  if (!/^postgres(ql)?:\/\//.test(db || '')) return spawnSync('sqlite3', args, { encoding: 'utf8' });
  const psql = (text) => spawnSync('psql', [db, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-F', '|', '-c', text], { encoding: 'utf8' });
  if (!flags.includes('-json')) return psql(sql);
  const body = sql.trim().replace(/;\s*$/, '');
  const r = psql(`SELECT coalesce(json_agg(t), '[]') FROM (${body}) t`);
  if (r.status !== 0) return r;
  // json columns come back as JSON values: as text, as sqlite3 gives them; json_agg writes a
  // timestamptz as "2026-12-07T23:15:08+00:00" (the session is UTC) and a boolean as true
  const rows = JSON.parse(r.stdout).map((row) => Object.fromEntries(Object.entries(row).map(
    ([k, v]) => [k, v !== null && typeof v === 'object' ? JSON.stringify(v)
      : typeof v === 'boolean' ? Number(v)
        : typeof v === 'string' && PG_TIME.test(v) ? Math.floor(Date.parse(v) / 1000) : v])));
  r.stdout = rows.length ? JSON.stringify(rows) : '';
  return r;
}
