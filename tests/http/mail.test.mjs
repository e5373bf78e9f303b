// E-mail of notifications (issue 11): `serve --smtp` sends each queued notification through
// a real SMTP conversation to a real SMTP server started here (tests/lib/smtp_sink.py on
// Debian's python3-aiosmtpd), never a mock. Checks the message (To, decoded Subject with
// Chinese first, the full link from --public-url), that nothing is lost while the mail
// server is down (retried with backoff, attempts counted in the database), that without
// --smtp nothing is sent, that the queue survives kill -9 of the server, and STARTTLS with a
// certificate that is checked (self-signed, vouched for by --smtp-ca).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, DEMO_PASSWORD, tempDir, sqlite3Sync } from '../lib/server.mjs';

const PUBLIC = 'https://zx.example.cn';
const FROM = 'noreply@shenliao.test';
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

let dir, mailDir, smtpPort, sink = null, srv = null, dbDir;

// freePort picks a free port below the ephemeral range (32768 and up on Linux), so that while
// the SMTP server is down (the test stops and restarts it on the same port) no outgoing
// connection or port-0 listener of another program can take it.
async function freePort() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const ok = await new Promise((done) => {
      const s = createServer();
      s.on('error', () => done(false));
      s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
    });
    if (ok) return port;
  }
}

async function sinkStart(extra = []) {
  const p = spawn('/usr/bin/python3', ['tests/lib/smtp_sink.py', '--port', String(smtpPort), '--dir', mailDir, ...extra]);
  let out = '';
  await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`smtp sink did not start: ${out}`)), 10000);
    p.stdout.on('data', (d) => { out += d; if (/listening/.test(out)) { clearTimeout(t); ok(); } });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (c) => { clearTimeout(t); fail(new Error(`smtp sink exited ${c}: ${out}`)); });
  });
  p.removeAllListeners('exit');
  const exited = new Promise((ok) => p.on('exit', ok));
  sink = { proc: p, exited };
}
async function sinkStop() {
  if (!sink) return;
  sink.proc.kill('SIGTERM');
  await sink.exited;
  sink = null;
}

function mails() {
  return readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8')));
}
async function waitMail(to, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const m = mails().find((x) => x.rcpt_tos.includes(to));
    if (m) return m;
    if (Date.now() > end) throw new Error(`no mail to ${to} within ${ms} ms; server log:\n${srv && srv.log().slice(-3000)}`);
    await sleep(200);
  }
}
function queueRow(db, to) {
  const r = sqlite3Sync(['-json', db,
    `SELECT attempts, next_at, sent_at, last_error FROM mail_queue WHERE to_addr = '${to}'`]);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim() ? JSON.parse(r.stdout) : [];
  assert.equal(rows.length, 1, `one queue row for ${to}: ${r.stdout}`);
  return rows[0];
}
async function waitRow(db, to, pred, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const row = queueRow(db, to);
    if (pred(row)) return row;
    if (Date.now() > end) throw new Error(`queue row of ${to} not as expected: ${JSON.stringify(row)}`);
    await sleep(200);
  }
}

const mailArgs = () => ['--smtp', `127.0.0.1:${smtpPort}`, '--mail-from', FROM, '--public-url', PUBLIC];

async function organizer() {
  const c = new Client(srv.url);
  await c.login('organizer', DEMO_PASSWORD);
  return c;
}
let sessionId = 0;
// invite makes a person with an e-mail address and invites them to the test's session:
// the invitation notifies them (in-app and by e-mail).
async function invite(c, name, email) {
  const p = await c.post('/api/v1/people', { name, category: 'expert', email });
  assert.equal(p.status, 201, p.text);
  if (!sessionId) {
    const t = await c.post('/api/v1/topics', { title: '邮件通知测试议题', domain: 'society', origin: 'member' });
    assert.equal(t.status, 201, t.text);
    assert.equal((await c.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' })).status, 200);
    const s = await c.post('/api/v1/sessions', { topic_id: t.data.id, title: '社区养老服务深聊会', formats: ['expert'] });
    assert.equal(s.status, 201, s.text);
    sessionId = s.data.id;
  }
  const r = await c.post(`/api/v1/sessions/${sessionId}/invitations`, { person_id: p.data.id, role: 'expert' });
  assert.equal(r.status, 201, r.text);
}

before(async () => {
  dir = tempDir();
  mailDir = join(dir, 'mail');
  mkdirSync(mailDir);
  smtpPort = await freePort();
  await sinkStart();
  srv = await startServer({ args: mailArgs(), keep: true });
  dbDir = srv.dir; // kept: the database outlives the server (kill -9, restarts)
});
after(async () => {
  await sinkStop();
  if (srv) await srv.stop();
  rmSync(dir, { recursive: true, force: true });
  if (dbDir) rmSync(dbDir, { recursive: true, force: true });
});

test('serve --help tells about --smtp, --mail-from, --smtp-user and the password variable', () => {
  const r = spawnSync(process.env.SHENLIAO_BIN || 'build/shenliao', ['serve', '--help'], { encoding: 'utf8' });
  const text = r.stdout + r.stderr;
  for (const w of ['--smtp', '--mail-from', '--smtp-user', 'SHENLIAO_SMTP_PASSWORD']) assert.ok(text.includes(w), w);
});

test('--smtp without --mail-from, or a bad HOST:PORT, is a usage error', () => {
  const bin = process.env.SHENLIAO_BIN || 'build/shenliao';
  const a = spawnSync(bin, ['serve', '--db', srv.db, '--listen', '127.0.0.1:0', '--smtp', '127.0.0.1:25'], { encoding: 'utf8' });
  assert.equal(a.status, 2, a.stderr);
  assert.match(a.stderr, /mail-from/);
  const b = spawnSync(bin, ['serve', '--db', srv.db, '--listen', '127.0.0.1:0', '--smtp', 'no port', '--mail-from', FROM], { encoding: 'utf8' });
  assert.equal(b.status, 2, b.stderr);
  assert.match(b.stderr, /--smtp/);
});

test('an invitation reaches the person by e-mail: To, decoded Subject (zh first), link from --public-url', async () => {
  const c = await organizer();
  await invite(c, '邮件测试一', 'expert.one@example.cn');
  const m = await waitMail('expert.one@example.cn');
  assert.equal(m.mail_from, FROM);
  assert.match(m.headers.To, /expert\.one@example\.cn/);
  assert.match(m.headers.From, /noreply@shenliao\.test/);
  assert.ok(m.headers['Message-ID'] || m.headers['Message-Id'], 'Message-ID');
  assert.ok(m.headers.Date, 'Date');
  assert.match(m.raw_headers, /^Subject: =\?UTF-8\?B\?/im, 'Subject is RFC 2047 encoded');
  assert.doesNotMatch(m.raw_headers, /[^\x00-\x7f]/, 'headers are ASCII on the wire');
  assert.ok(m.subject.includes('社区养老服务深聊会'), m.subject);
  const zh = m.subject.indexOf('邀请'), en = m.subject.search(/[Ii]nvit/);
  assert.ok(zh >= 0 && en > zh, `Chinese first, then English: ${m.subject}`);
  assert.equal(m.content_type, 'text/plain');
  assert.equal(m.charset, 'utf-8');
  assert.ok(m.body.includes(`${PUBLIC}/invitations`), m.body);
  assert.ok(m.body.includes('社区养老服务深聊会'), m.body);
  assert.match(m.body, /invit/i);
  const row = queueRow(srv.db, 'expert.one@example.cn');
  assert.ok(row.sent_at > 0, 'marked sent');
  assert.equal(row.attempts, 0);
});

test('mail server down: the row stays, is retried with backoff, and is sent when the server is back', async () => {
  await sinkStop();
  const c = await organizer();
  await invite(c, '邮件测试二', 'expert.two@example.cn');
  const failed = await waitRow(srv.db, 'expert.two@example.cn', (r) => r.attempts >= 2);
  assert.equal(failed.sent_at, null);
  assert.ok(failed.last_error.length > 0, 'last_error recorded');
  assert.ok(failed.next_at > Math.floor(Date.now() / 1000) - 5, 'next attempt scheduled');
  assert.match(srv.log(), /warn mail \d+ to \*@example\.cn failed \(attempt 1, retry in 1 s\): .+/, 'the failure is logged');
  assert.doesNotMatch(srv.log(), /expert\.two@/, 'the log holds no address');
  assert.equal(mails().filter((m) => m.rcpt_tos.includes('expert.two@example.cn')).length, 0);
  await sinkStart();
  const m = await waitMail('expert.two@example.cn');
  assert.ok(m.subject.includes('社区养老服务深聊会'));
  const row = await waitRow(srv.db, 'expert.two@example.cn', (r) => r.sent_at !== null);
  assert.ok(row.attempts >= 2);
  assert.equal(mails().filter((x) => x.rcpt_tos.includes('expert.two@example.cn')).length, 1, 'sent once');
});

test('kill -9 before delivery; without --smtp nothing is sent; restarted with --smtp the mail arrives', async () => {
  await sinkStop();
  const c = await organizer();
  await invite(c, '邮件测试三', 'expert.three@example.cn');
  await waitRow(srv.db, 'expert.three@example.cn', (r) => r.attempts >= 1);
  const db = srv.db;
  srv.proc.kill('SIGKILL');
  await srv.exited;
  await sinkStart();
  // without --smtp no mailer runs: the row stays queued
  srv = await startServer({ existing: db });
  await sleep(3000);
  const row = queueRow(db, 'expert.three@example.cn');
  assert.equal(row.sent_at, null);
  assert.equal(mails().filter((m) => m.rcpt_tos.includes('expert.three@example.cn')).length, 0);
  await srv.stop();
  srv = await startServer({ existing: db, args: mailArgs() });
  const m = await waitMail('expert.three@example.cn');
  assert.ok(m.body.includes(`${PUBLIC}/invitations`));
  assert.ok((await waitRow(db, 'expert.three@example.cn', (r) => r.sent_at !== null)).sent_at > 0);
});

test('STARTTLS: a server that requires it gets the mail over TLS; its certificate is checked (--smtp-ca)', async () => {
  const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
  const o = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(o.status, 0, o.stderr);
  await sinkStop();
  await sinkStart(['--tls', cert, key]);
  // a certificate nobody vouches for is refused: the mail waits
  const c = await organizer();
  await invite(c, '邮件测试四', 'expert.four@example.cn');
  const failed = await waitRow(srv.db, 'expert.four@example.cn', (r) => r.attempts >= 1);
  assert.match(failed.last_error, /certificate|SSL/i, failed.last_error);
  assert.equal(mails().filter((m) => m.rcpt_tos.includes('expert.four@example.cn')).length, 0);
  const db = srv.db;
  await srv.stop();
  srv = await startServer({ existing: db, args: [...mailArgs(), '--smtp-ca', cert] });
  const m = await waitMail('expert.four@example.cn');
  assert.equal(m.tls, true, 'sent after STARTTLS');
  assert.ok(m.subject.includes('社区养老服务深聊会'));
});

test('--smtp-user: AUTH after STARTTLS with the password from SHENLIAO_SMTP_PASSWORD; a wrong one is refused and the mail waits', async () => {
  const bin = process.env.SHENLIAO_BIN || 'build/shenliao';
  const u = spawnSync(bin, ['serve', '--db', srv.db, '--listen', '127.0.0.1:0', ...mailArgs(), '--smtp-user', 'mailer'],
    { encoding: 'utf8', env: { ...process.env, SHENLIAO_SMTP_PASSWORD: '' } });
  assert.equal(u.status, 2, u.stderr);
  assert.match(u.stderr, /SHENLIAO_SMTP_PASSWORD/);
  const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
  await sinkStop();
  await sinkStart(['--tls', cert, key, '--auth', 'mailer:s3cret-pass']);
  const db = srv.db;
  await srv.stop();
  const tls = [...mailArgs(), '--smtp-ca', cert, '--smtp-user', 'mailer'];
  srv = await startServer({ existing: db, args: tls, env: { SHENLIAO_SMTP_PASSWORD: 'wrong' } });
  const c = await organizer();
  await invite(c, '邮件测试五', 'expert.five@example.cn');
  const failed = await waitRow(db, 'expert.five@example.cn', (r) => r.attempts >= 1);
  assert.match(failed.last_error, /login|auth/i, failed.last_error);
  assert.doesNotMatch(srv.log(), /wrong|s3cret/, 'no password in the log');
  await srv.stop();
  srv = await startServer({ existing: db, args: tls, env: { SHENLIAO_SMTP_PASSWORD: 's3cret-pass' } });
  const m = await waitMail('expert.five@example.cn');
  assert.equal(m.tls, true);
  assert.equal(m.auth_user, 'mailer');
});

test('two servers on one database share the queue: every mail goes once', async () => {
  await sinkStop();
  await sinkStart();
  const db = srv.db;
  await srv.stop();
  srv = await startServer({ existing: db, args: mailArgs() });
  const second = await startServer({ existing: db, args: mailArgs() });
  try {
    const c = await organizer();
    const to = [];
    for (let i = 0; i < 12; i++) {
      to.push(`many.${i}@example.cn`);
      await invite(c, `邮件多${i}`, to[i]);
    }
    for (const a of to) await waitMail(a);
    await sleep(1500); // a second copy would have come by now
    for (const a of to) assert.equal(mails().filter((m) => m.rcpt_tos.includes(a)).length, 1, a);
    assert.ok(/mailer: sending/.test(second.log()), 'the second server runs a mailer too');
  } finally {
    await second.stop();
  }
});
