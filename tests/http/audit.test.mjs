// The audit log that proves itself (issue #10, items 7 and 8): every row is sealed into a
// SHA-256 chain; `shenliao audit verify` says intact (0), names the first row at fault (1)
// or cannot run (2); the database refuses UPDATE and DELETE on the log, and a change made
// after dropping those triggers is still found. Votes reach the log as counts per statement
// per minute, imports with the SHA-256 of their files and their row counts, downloads of
// personal data with who, what and how many rows.
//
// The tests open the SQLite file with the sqlite3 command-line tool (scripts/deps.sh check
// installs it), as someone with access to the file would.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run, tempDir, startServer, Client, DEMO_PASSWORD, sqlite3Sync } from '../lib/server.mjs';

const POLIS = resolve('tests/data/polis/scoop-hivemind.biodiversity');

// sql runs statements on the database file db with the sqlite3 tool: {status, stdout, stderr}.
function sql(db, text) {
  const r = sqlite3Sync(['-bail', db, text]);
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

// rows runs a query and returns its rows as objects.
function rows(db, text) {
  const r = sqlite3Sync(['-json', db, text]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

const verify = (db, ...more) => run(['audit', 'verify', '--db', db, ...more]);

// sealed returns the hash the chain gives a row (as src/model/audit.c documents it), so a
// test can play the careful forger who rewrites one row together with its hash.
function sealed(prev, r) {
  const parts = [Buffer.from(prev, 'hex'), Buffer.from('shenliao-audit-1')];
  for (const k of ['id', 'at', 'user_id', 'org_id', 'action', 'entity', 'entity_id', 'before_sha256', 'after_sha256', 'address']) {
    const v = r[k];
    if (v === null) parts.push(Buffer.from([0]));
    else if (typeof v === 'number') { const b = Buffer.alloc(9); b[0] = 1; b.writeBigInt64BE(BigInt(v), 1); parts.push(b); }
    else { const t = Buffer.from(v, 'utf8'); const b = Buffer.alloc(9); b[0] = 2; b.writeBigUInt64BE(BigInt(t.length), 1); parts.push(b, t); }
  }
  return createHash('sha256').update(Buffer.concat(parts)).digest('hex');
}

describe('audit verify', () => {
  let dir, demo;
  before(() => {
    dir = tempDir();
    demo = join(dir, 'demo.db');
    const r = run(['demo', '--db', demo, '--quiet'], { SHENLIAO_ADMIN_PASSWORD: 'admin-pass-123' });
    assert.equal(r.status, 0, r.stderr);
  });

  // copy gives each test its own copy of the demo database
  let n = 0;
  const copy = () => { const p = join(dir, `copy${n++}.db`); copyFileSync(demo, p); return p; };

  test('the chain of a demo database is intact', () => {
    const count = Number(sql(demo, 'SELECT count(*) FROM audit').stdout);
    assert.ok(count > 100, `the demo writes audit rows (${count})`);
    const r = verify(demo);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^审计日志完整：${count} 行 / audit log intact: ${count} rows`));
    const j = verify(demo, '--json');
    assert.equal(j.status, 0, j.stderr);
    const out = JSON.parse(j.stdout);
    assert.equal(out.intact, true);
    assert.equal(out.rows, count);
    const last = rows(demo, 'SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1')[0];
    assert.deepEqual(out.head, { id: last.id, hash: last.hash });
    // each row links to the one before; the first to zeros
    const two = rows(demo, 'SELECT id, prev_hash, hash FROM audit WHERE id <= 2 ORDER BY id');
    assert.equal(two[0].prev_hash, '0'.repeat(64));
    assert.equal(two[1].prev_hash, two[0].hash);
    assert.match(two[0].hash, /^[0-9a-f]{64}$/);
  });

  test('the database refuses UPDATE and DELETE on the audit log', () => {
    const db = copy();
    const u = sql(db, "UPDATE audit SET action = 'nothing' WHERE id = 3");
    assert.notEqual(u.status, 0);
    assert.match(u.stderr, /audit rows cannot be changed/);
    const d = sql(db, 'DELETE FROM audit WHERE id = 3');
    assert.notEqual(d.status, 0);
    assert.match(d.stderr, /audit rows cannot be deleted/);
    assert.equal(sql(db, 'SELECT action FROM audit WHERE id = 3').stdout, rows(demo, 'SELECT action FROM audit WHERE id = 3')[0].action);
    assert.equal(verify(db).status, 0);
  });

  test('a row changed after the triggers were dropped is named', () => {
    const db = copy();
    assert.equal(sql(db, "DROP TRIGGER audit_no_update; UPDATE audit SET after_json = '{\"name\":\"改过\"}' WHERE id = 40").status, 0);
    const r = verify(db);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /审计日志第 40 行不符：内容被改动 \/ audit row 40 does not match: content changed; 39 rows before it are intact/);
    const j = JSON.parse(verify(db, '--json').stdout);
    assert.equal(j.intact, false);
    assert.equal(j.row, 40);
    assert.equal(j.fault, 'content_changed');
    assert.equal(j.rows, 39);
  });

  test('a changed row given a fresh hash breaks the link of the next', () => {
    const db = copy();
    const [prev, row] = rows(db, 'SELECT * FROM audit WHERE id IN (59, 60) ORDER BY id');
    assert.equal(sealed(row.prev_hash, row), row.hash, 'the chain is hashed as audit.c says');
    for (const k of ['before', 'after'])
      assert.equal(row[`${k}_sha256`], row[`${k}_json`] === null ? null : createHash('sha256').update(row[`${k}_json`]).digest('hex'));
    row.address = '10.0.0.99';
    const forged = sealed(prev.hash, row);
    assert.equal(sql(db, `DROP TRIGGER audit_no_update; UPDATE audit SET address = '10.0.0.99', hash = '${forged}' WHERE id = 60`).status, 0);
    const j = JSON.parse(verify(db, '--json').stdout);
    assert.deepEqual([j.row, j.fault], [61, 'link_broken']);
    assert.equal(verify(db).status, 1);
  });

  test('a deleted row and an inserted row are found', () => {
    const db = copy();
    assert.equal(sql(db, 'DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 70').status, 0);
    const r = verify(db);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /audit row 71 does not match: row missing before it \(from row 70\)/);
    assert.deepEqual((({ row, fault, missing }) => ({ row, fault, missing }))(JSON.parse(verify(db, '--json').stdout)), { row: 71, fault: 'row_missing', missing: 70 });

    const db2 = copy();
    const last = Number(sql(db2, 'SELECT max(id) FROM audit').stdout);
    assert.equal(sql(db2, "INSERT INTO audit (at, action, entity) VALUES (1, 'user.create', 'user')").status, 0);
    const r2 = JSON.parse(verify(db2, '--json').stdout);
    assert.deepEqual([r2.row, r2.fault], [last + 1, 'not_sealed']);
    const db3 = copy();
    assert.equal(sql(db3, `INSERT INTO audit (at, action, entity, prev_hash, hash) VALUES (1, 'user.create', 'user', '${'0'.repeat(64)}', '${'1'.repeat(64)}')`).status, 0);
    assert.equal(JSON.parse(verify(db3, '--json').stdout).fault, 'link_broken');
  });

  test('an anchor kept elsewhere shows the newest rows removed or the tail rewritten', () => {
    const head = JSON.parse(verify(demo, '--json').stdout).head;
    const anchor = `${head.id}:${head.hash}`;
    assert.match(verify(demo).stdout, new RegExp(`head ${anchor}`), 'printed as --anchor takes it');
    assert.equal(verify(demo, '--anchor', anchor).status, 0);

    const cut = copy();
    assert.equal(sql(cut, `DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = ${head.id}`).status, 0);
    assert.equal(verify(cut).status, 0, 'without an anchor the newest row is not missed');
    const r = verify(cut, '--anchor', anchor);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the anchored row is gone \(the newest rows were removed\)/);
    assert.equal(JSON.parse(verify(cut, '--json', '--anchor', anchor).stdout).fault, 'anchor_lost');

    const redone = copy();
    const [prev, last] = rows(redone, `SELECT * FROM audit WHERE id IN (${head.id - 1}, ${head.id}) ORDER BY id`);
    last.address = '203.0.113.7';
    assert.equal(sql(redone, `DROP TRIGGER audit_no_update; UPDATE audit SET address = '${last.address}', hash = '${sealed(prev.hash, last)}' WHERE id = ${head.id}`).status, 0);
    assert.equal(verify(redone).status, 0, 'a rewritten tail holds together');
    const j = JSON.parse(verify(redone, '--json', '--anchor', anchor).stdout);
    assert.deepEqual([j.row, j.fault], [head.id, 'anchor_changed']);

    for (const bad of ['12', 'x:abc', `${head.id}:${'z'.repeat(64)}`]) assert.equal(verify(demo, '--anchor', bad).status, 2, bad);
  });

  test('exit 2 when it cannot run', () => {
    const none = verify(join(dir, 'nothing-here.db'));
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no such database file/);
    const other = join(dir, 'other.db');
    assert.equal(sql(other, 'CREATE TABLE t (a)').status, 0);
    const o = verify(other);
    assert.equal(o.status, 2);
    assert.match(o.stderr, /not a shenliao database/);
    assert.equal(sql(other, "SELECT group_concat(name) FROM sqlite_master").stdout, 't', 'nothing was added to it');
    const text = join(dir, 'text.db');
    writeFileSync(text, 'not a database at all\n'.repeat(100));
    assert.equal(verify(text).status, 2);
    assert.equal(run(['audit', 'verify']).status, 2, 'usage');
  });

  test('rows written before the chain are sealed when the database is next opened', () => {
    const db = copy();
    // as a database migrated from before the chain: no row has a hash
    assert.equal(sql(db, 'DROP TRIGGER audit_no_update; UPDATE audit SET prev_hash = NULL, hash = NULL').status, 0);
    assert.equal(JSON.parse(verify(db, '--json').stdout).fault, 'not_sealed');
    const b = run(['backup', '--db', db, join(dir, 'sealed-copy.db')]);
    assert.equal(b.status, 0, b.stderr);
    const r = verify(db);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(rows(db, 'SELECT hash FROM audit WHERE id = 1'), rows(demo, 'SELECT hash FROM audit WHERE id = 1'));
  });
});

describe('what the log records', () => {
  let srv, org;
  before(async () => {
    srv = await startServer();
    org = new Client(srv.url);
    await org.login('organizer', DEMO_PASSWORD);
  });
  after(async () => { await srv.stop(); });

  const actions = (like) => rows(srv.db, `SELECT id, action, entity, entity_id, user_id, org_id, after_json FROM audit WHERE action LIKE '${like}' ORDER BY id`)
    .map((r) => ({ ...r, after: r.after_json ? JSON.parse(r.after_json) : null }));

  async function liveSession() {
    const t = await org.post('/api/v1/topics', { title: `审计测试${Math.random()}`, domain: 'society', origin: 'public' });
    await org.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
    const s = await org.post('/api/v1/sessions', { topic_id: t.data.id, title: '线上征集', formats: ['sector'], visibility: 'public' });
    const r = await org.post(`/api/v1/sessions/${s.data.id}/room`, { anonymous: true, moderation: 'post' });
    assert.equal(r.status, 200, r.text);
    return s.data.id;
  }

  test('votes are counted per statement per minute, not one row per vote', async () => {
    const session = await liveSession();
    const sts = [];
    for (const text of ['应当加大投入', '应当先行试点']) sts.push((await org.post(`/api/v1/sessions/${session}/statements`, { text })).data.id);
    // the votes below are all cast within one minute: not in the last 15 s of one
    const left = 60 - (Date.now() / 1000) % 60;
    if (left < 15) await new Promise((r) => setTimeout(r, (left + 1) * 1000));
    const before = Number(sql(srv.db, 'SELECT max(id) FROM audit').stdout);
    const phones = [new Client(srv.url), new Client(srv.url), new Client(srv.url)];
    const cast = async (p, s, vote) => assert.equal((await p.req('PUT', `/api/v1/statements/${s}/vote`, { json: { vote } })).status, 200);
    await cast(phones[0], sts[0], 1);
    await cast(phones[1], sts[0], 1);
    await cast(phones[2], sts[0], -1);
    await cast(phones[0], sts[1], 0);
    await cast(phones[1], sts[1], -1);
    await cast(phones[2], sts[1], 1);
    await cast(phones[2], sts[1], -1); // a vote changed is a vote cast
    const tally = rows(srv.db, `SELECT statement_id, sum(agree) a, sum(disagree) d, sum(pass) p FROM vote_tally WHERE session_id = ${session} GROUP BY statement_id ORDER BY statement_id`);
    assert.deepEqual(tally, [{ statement_id: sts[0], a: 2, d: 1, p: 0 }, { statement_id: sts[1], a: 1, d: 2, p: 1 }]);
    // seven votes, no audit row (the live worker may meanwhile count the demo's votes of
    // an earlier minute: those are not ours)
    const since = rows(srv.db, `SELECT action, entity_id FROM audit WHERE id > ${before}`)
      .filter((r) => !(r.action === 'votes.counted' && !sts.includes(r.entity_id)));
    assert.deepEqual(since, [], 'no row per vote, and the minute is not over');

    // let the minute be over (its tally moved back by five minutes), then one more vote
    // wakes the live worker, which audits the minutes that are over
    assert.equal(sql(srv.db, `UPDATE vote_tally SET minute = minute - 5 WHERE session_id = ${session}`).status, 0);
    await cast(new Client(srv.url), sts[0], 1);
    let counted = [];
    for (let i = 0; i < 50 && counted.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      counted = actions('votes.counted').filter((r) => sts.includes(r.entity_id));
    }
    assert.equal(counted.length, 2, 'one row per statement and minute');
    const by = Object.fromEntries(counted.map((r) => [r.entity_id, r.after]));
    assert.deepEqual([by[sts[0]].votes, by[sts[0]].agree, by[sts[0]].disagree, by[sts[0]].pass], [3, 2, 1, 0]);
    assert.deepEqual([by[sts[1]].votes, by[sts[1]].agree, by[sts[1]].disagree, by[sts[1]].pass], [4, 1, 2, 1]);
    assert.equal(by[sts[0]].session, session);
    assert.match(by[sts[0]].minute, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    assert.equal(counted[0].entity, 'statement');
    assert.equal(rows(srv.db, `SELECT count(*) n FROM vote_tally WHERE session_id = ${session} AND audited = FALSE`)[0].n, 1, 'the vote of this minute waits for it to end');
    // the chain holds while the server writes
    const v = verify(srv.db);
    assert.equal(v.status, 0, v.stderr);
  });

  test('a people import records the file name, its SHA-256 and the rows', async () => {
    const body = '姓名,类别,界别\n审计甲,member,经济界\n审计乙,member,教育界\n';
    const r = await org.req('POST', '/api/v1/people/import', { body, headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="members-2026.csv"' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.imported, 2);
    const row = actions('people.import').at(-1);
    assert.ok(row, 'an audit row for the import');
    assert.deepEqual(row.after.files, [{ name: 'members-2026.csv', sha256: createHash('sha256').update(body).digest('hex'), bytes: Buffer.byteLength(body) }]);
    assert.equal(row.after.rows_added, 2);
    assert.equal(row.after.rows_refused, 0);
    assert.ok(row.user_id > 0);

    const bad = '姓名,类别\n审计丙,member\n,member\n审计丁,国王\n';
    const rb = await org.req('POST', '/api/v1/people/import', { body: bad, headers: { 'Content-Type': 'text/csv' } });
    assert.equal(rb.status, 422, rb.text);
    const refused = actions('people.import_refused').at(-1);
    assert.ok(refused, 'a refused import is on record too');
    assert.deepEqual(refused.after.files, [{ name: null, sha256: createHash('sha256').update(bad).digest('hex'), bytes: Buffer.byteLength(bad) }]);
    assert.deepEqual([refused.after.rows_added, refused.after.rows_refused, refused.after.reason], [0, 2, 'invalid_rows']);
  });

  test('exports of personal data record who, what and how many rows', async () => {
    const csv = await org.get('/api/v1/people.csv?category=member');
    assert.equal(csv.status, 200);
    const lines = csv.text.trim().split(/\r?\n/).length - 1;
    const row = actions('people.export').at(-1);
    assert.ok(row, 'an audit row for the export');
    assert.equal(row.after.rows, lines);
    assert.equal(row.after.format, 'csv');
    assert.equal(row.after.category, 'member');
    assert.match(csv.headers.get('content-disposition'), new RegExp(row.after.file.replace('.', '\\.')));
    const me = (await org.get('/api/v1/me')).data;
    assert.equal(row.user_id, me.user?.id ?? me.id);

    const x = await org.get('/api/v1/people.xlsx');
    assert.equal(x.status, 200);
    assert.equal(actions('people.export').at(-1).after.format, 'xlsx');

    const session = await liveSession();
    const s = (await org.post(`/api/v1/sessions/${session}/statements`, { text: '应当公开数据' })).data.id;
    for (let i = 0; i < 3; i++) await new Client(srv.url).req('PUT', `/api/v1/statements/${s}/vote`, { json: { vote: 1 } });
    const op = await org.get(`/api/v1/sessions/${session}/opinion.csv`);
    assert.equal(op.status, 200);
    const o = actions('opinion.export').at(-1);
    assert.deepEqual([o.entity, o.entity_id, o.after.rows, o.after.statements], ['session', session, 3, 1]);

    let named = null;
    for (const it of (await org.get('/api/v1/outputs')).data.items) {
      const full = (await org.get(`/api/v1/outputs/${it.id}`)).data;
      if (full.authors.length) { named = full; break; }
    }
    assert.ok(named, 'a demo output with authors');
    const pdf = await org.get(`/outputs/${named.id}.pdf`);
    assert.equal(pdf.status, 200);
    const d = actions('output.download').at(-1);
    assert.deepEqual([d.entity, d.entity_id, d.after.format], ['output', named.id, 'pdf']);
  });

  test('import polis records each file with its SHA-256 and the rows added', async () => {
    const session = await liveSession();
    const r = run(['import', 'polis', POLIS, '--db', srv.db, '--session', String(session), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const row = actions('polis.import').at(-1);
    assert.ok(row, 'an audit row for the import');
    assert.deepEqual([row.entity, row.entity_id], ['session', session]);
    const votes = row.after.files.find((f) => f.name.endsWith('/votes.csv'));
    const bytes = readFileSync(join(POLIS, 'votes.csv'));
    assert.deepEqual(votes, { name: join(POLIS, 'votes.csv'), sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    assert.ok(row.after.files.some((f) => f.name.endsWith('/comments.csv')));
    assert.equal(row.after.votes, out.votes);
    assert.equal(row.after.rows_added, out.statements + out.participants + out.votes);
    assert.equal(row.after.rows_refused, 0);
    assert.equal(verify(srv.db).status, 0);
  });
});
