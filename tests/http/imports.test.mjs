// Imports refuse what is not text (issue 10 item 12): a Pol.is export (`shenliao import polis
// DIR`, `shenliao opinion --polis DIR`) and the people CSV import (POST /api/v1/people/import)
// with invalid UTF-8, NUL bytes, overlong sequences, UTF-8-encoded surrogates and code points
// above U+10FFFF import nothing, fail (exit status 1 / 422), and name the file and the
// physical line, Chinese first.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run, tempDir, startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

const POLIS = resolve('tests/data/polis/scoop-hivemind.biodiversity');

// The byte sequences no text of ours may hold, each with what the message must say.
const BAD = [
  ['C0 AF (overlong /)', [0xc0, 0xaf], '无效的 UTF-8'],
  ['E0 80 AF (overlong 3-byte /)', [0xe0, 0x80, 0xaf], '无效的 UTF-8'],
  ['ED A0 80 (surrogate U+D800)', [0xed, 0xa0, 0x80], '无效的 UTF-8'],
  ['F4 90 80 80 (above U+10FFFF)', [0xf4, 0x90, 0x80, 0x80], '无效的 UTF-8'],
  ['FF (never in UTF-8)', [0xff], '无效的 UTF-8'],
  ['NUL', [0x00], '含有 NUL 字节'],
];

// corrupt returns text (a Buffer) with bytes put into physical line `line` (from 1), before
// its last byte (inside a quoted comment body, or a number).
function corrupt(text, line, bytes) {
  let at = -1;
  for (let l = 1; l <= line; l++) at = text.indexOf(0x0a, at + 1);
  assert.ok(at > 0, `the file has line ${line}`);
  return Buffer.concat([text.subarray(0, at - 1), Buffer.from(bytes), text.subarray(at - 1)]);
}

describe('Pol.is import', () => {
  let dir, srv, org, session;
  const conv = () => join(dir, 'conv');
  // the session's opinion room as the server shows it: statements, the map's participants,
  // and the organizer's export of the votes
  async function room() {
    const st = await org.get(`/api/v1/sessions/${session}/statements`);
    assert.equal(st.status, 200, st.text);
    const map = await org.get(`/api/v1/sessions/${session}/opinion`);
    assert.equal(map.status, 200, map.text);
    const csv = await org.get(`/api/v1/sessions/${session}/opinion.csv`);
    assert.equal(csv.status, 200, csv.text);
    return { statements: st.data.items.length, participants: (map.data.participants || []).length, csv: csv.text };
  }
  function writeConv(comments, votes) {
    rmSync(conv(), { recursive: true, force: true });
    spawnSync('mkdir', ['-p', conv()]);
    writeFileSync(join(conv(), 'comments.csv'), comments);
    writeFileSync(join(conv(), 'votes.csv'), votes);
  }
  const comments = readFileSync(join(POLIS, 'comments.csv'));
  const votes = readFileSync(join(POLIS, 'votes.csv'));

  before(async () => {
    dir = tempDir();
    const db = join(dir, 'a.db');
    const demo = run(['demo', '--db', db, '--json'], { SHENLIAO_ADMIN_PASSWORD: 'admin-pass-123' });
    assert.equal(demo.status, 0, demo.stderr);
    session = JSON.parse(demo.stdout).opinion_session;
    srv = await startServer({ existing: db });
    org = new Client(srv.url);
    await org.login('organizer', DEMO_PASSWORD);
  });
  after(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('comments.csv line 3 not text: exit 1, "comments.csv 第3行: …", nothing imported', async () => {
    const start = await room();
    for (const [what, bytes, says] of BAD) {
      writeConv(corrupt(comments, 3, bytes), votes);
      const r = run(['import', 'polis', conv(), '--db', srv.db, '--session', String(session)]);
      assert.equal(r.status, 1, `${what}: ${r.stderr}`);
      assert.equal(r.stdout, '', what);
      assert.match(r.stderr, new RegExp(`^shenliao: .*/comments\\.csv 第3行: ${says}`), what);
      assert.match(r.stderr, /line 3: (invalid UTF-8|contains a NUL byte)/, what);
      const op = run(['opinion', '--polis', conv(), '--json']);
      assert.equal(op.status, 1, `opinion --polis, ${what}: ${op.stderr}`);
      assert.equal(op.stdout, '');
      assert.match(op.stderr, new RegExp(`comments\\.csv 第3行: ${says}`), what);
    }
    assert.deepEqual(await room(), start, 'the room is as it was');
  });

  test('votes.csv with a bad byte: named with its line; a quoted comment over two lines counts as two', async () => {
    const start = await room();
    writeConv(comments, corrupt(votes, 5, [0xed, 0xa0, 0x80]));
    let r = run(['import', 'polis', conv(), '--db', srv.db, '--session', String(session), '--json']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /\/votes\.csv 第5行: 无效的 UTF-8 \(line 5: invalid UTF-8\)/);
    // line 2's comment body spread over two physical lines: the bad byte on physical line 5
    // is in the file's fourth record
    const lines = comments.toString('utf8').split('\n');
    lines[1] = lines[1].replace(/"$/, '\nsecond line"');
    const two = Buffer.from(lines.join('\n'));
    writeConv(corrupt(two, 5, [0xc0, 0xaf]), votes);
    r = run(['import', 'polis', conv(), '--db', srv.db, '--session', String(session)]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /\/comments\.csv 第5行: 无效的 UTF-8/);
    assert.deepEqual(await room(), start, 'the room is as it was');
  });

  test('the same export, whole, imports (the counts above do see an import)', async () => {
    const start = await room();
    const lines = comments.toString('utf8').split('\n');
    lines[1] = lines[1].replace(/"$/, '\nsecond line"');
    writeConv(Buffer.from(lines.join('\n')), votes);
    const r = run(['import', 'polis', conv(), '--db', srv.db, '--session', String(session), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const end = await room();
    assert.ok(end.statements > start.statements, `${start.statements} -> ${end.statements}`);
    assert.notEqual(end.csv, start.csv);
  });
});

describe('people import', () => {
  let srv, c;
  const as = async (u) => { const x = new Client(srv.url); await x.login(u, DEMO_PASSWORD); return x; };
  const csv = (body, headers = {}) =>
    c.req('POST', '/api/v1/people/import', { body, headers: { 'Content-Type': 'text/csv', ...headers } });
  const count = async () => {
    const admin = await as('sz-admin');
    let n = 0, cur = null;
    do {
      const r = await admin.get(`/api/v1/people?limit=500${cur ? `&cursor=${cur}` : ''}`);
      assert.equal(r.status, 200, r.text);
      n += r.data.items.length; cur = r.data.next;
    } while (cur);
    return n;
  };
  function gb18030(text) {
    const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: Buffer.from(text, 'utf8') });
    assert.equal(r.status, 0, String(r.stderr));
    return r.stdout;
  }
  before(async () => {
    srv = await startServer();
    c = await as('organizer');
  });
  after(async () => { await srv.stop(); });

  test('UTF-8 with bytes that are not text on one line: 422 naming the line, nobody added', async () => {
    const before = await count();
    // line 2 holds a quoted cell over two physical lines: the bad row is record 3, line 4
    const good = Buffer.from('姓名,类别,工作单位\n坏字节甲,member,"两行\n的单位"\n坏字节乙,member,unit-b\n坏字节丙,member,\n');
    for (const [what, bytes, says] of BAD) {
      const body = corrupt(good, 4, bytes);
      const r = await csv(body);
      assert.equal(r.status, 422, `${what}: ${r.text}`);
      assert.equal(r.data.error.code, 'invalid_encoding', what);
      assert.equal(r.data.error.line, 4, what);
      assert.match(r.data.error.message, new RegExp(`第 4 行：${says}`), what);
      const en = await csv(body, { 'Accept-Language': 'en' });
      assert.equal(en.status, 422);
      assert.match(en.data.error.message, /line 4: (invalid UTF-8|contains a NUL byte)/, what);
    }
    // with a byte order mark (UTF-8 declared), whatever GB18030 would make of it
    const bom = await csv(Buffer.concat([Buffer.from('\ufeffname,category\nA,member\nB'), Buffer.from([0xc0, 0xaf]), Buffer.from(',member\n')]));
    assert.equal(bom.status, 422, bom.text);
    assert.equal(bom.data.error.line, 3);
    assert.match(bom.data.error.message, /第 3 行：无效的 UTF-8/);
    assert.equal(await count(), before);
    assert.equal((await c.get(`/api/v1/people?q=${encodeURIComponent('坏字节')}`)).data.items.length, 0);
  });

  test('GB18030 with bytes that are not GB18030 on one line: 422 naming the line, nobody added', async () => {
    const before = await count();
    const good = gb18030('姓名,类别\r\n国标坏甲,企业家\r\n国标坏乙,市民\r\n国标坏丙,市民\r\n');
    const ok = await csv(good, {}); // the control: the same file, whole, is GB18030 text
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.data.encoding, 'gb18030');
    const after = await count();
    assert.equal(after, before + 3);
    const lone = corrupt(good, 3, [0xd5]); // a lead byte without its second byte
    const r = await csv(lone);
    assert.equal(r.status, 422, r.text);
    assert.equal(r.data.error.code, 'invalid_encoding');
    assert.equal(r.data.error.line, 3);
    assert.match(r.data.error.message, /第 3 行：既不是有效的 UTF-8，也不是有效的 GB18030/);
    const nul = await csv(corrupt(good, 4, [0x00]));
    assert.equal(nul.status, 422, nul.text);
    assert.equal(nul.data.error.line, 4);
    assert.match(nul.data.error.message, /第 4 行：含有 NUL 字节/);
    assert.equal(await count(), after);
  });

  test('the import page: the pasted text is refused, nobody added', async () => {
    const before = await count();
    const body = `csrf_token=${c.csrf}&csv=${encodeURIComponent('姓名,类别\n页面坏,member\n')}%C0%AF`;
    const r = await c.req('POST', '/people/import', { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.ok(r.status === 400 || r.status === 422, `${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(await count(), before);
  });
});
