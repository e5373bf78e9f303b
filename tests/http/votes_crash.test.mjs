// The kill -9 crash test of durable votes (issue 14, group commit): phones vote through
// PUT /api/v1/statements/{id}/vote while the server is killed with SIGKILL; after a restart
// on the same database every vote that was answered 200 must be there, with its value (each
// phone votes on each statement once, so the phone's my_vote on the statement is that vote).
// Three rounds of load and kill, a few seconds in all, on SQLite or (SHENLIAO_TEST_PG) on
// PostgreSQL. The long version under load is bench/votes_crash.sh.
//
// SHENLIAO_VOTE_HOLD_MS=30 makes the server's vote writer wait 30 ms inside each batch's
// transaction before the commit, so a kill finds votes written but not committed: they
// must not have been answered. The test fails when an answer is sent before its vote
// committed: checked by answering in src/model/votequeue.c before write_batch in a scratch
// build (acknowledged votes missing in every round).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

const PHONES = 24;
const STATEMENTS = 30;
const ROUNDS = 3;
const HOLD = { SHENLIAO_VOTE_HOLD_MS: '30' };

// phoneLoop votes on every statement once, in its own order, until the server goes away or
// all are done; each 200 goes to acked as [statement, value].
async function phoneLoop(url, cookie, statements, acked, seen) {
  const start = randomBytes(1)[0] % statements.length;
  for (let k = 0; k < statements.length; k++) {
    const st = statements[(start + k) % statements.length];
    const value = [1, -1, 0][(st + k) % 3];
    let r;
    try {
      r = await fetch(`${url}/api/v1/statements/${st}/vote`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Cookie: `sl_anon=${cookie}` },
        body: JSON.stringify({ vote: value }),
      });
      await r.text();
    } catch {
      seen.failed++; // the server died with this vote in flight
      return;
    }
    if (r.status === 200) acked.push([st, value]);
    else seen.other.push(r.status);
  }
}

test('every vote answered 200 survives kill -9 of the server under vote load', { timeout: 120000 }, async (tc) => {
  // --no-flood-limits: the organizer posts more statements than a participant may
  let srv = await startServer({ keep: true, args: ['--no-flood-limits'], env: HOLD });
  const dirs = [srv.dir];
  try {
  const org = new Client(srv.url);
  await org.login('organizer', DEMO_PASSWORD);
  const t = await org.post('/api/v1/topics', { title: `崩溃测试${Math.random()}`, domain: 'society', origin: 'public' });
  await org.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
  const s = await org.post('/api/v1/sessions', { topic_id: t.data.id, title: '表态不丢', formats: ['sector'], visibility: 'public' });
  const room = await org.post(`/api/v1/sessions/${s.data.id}/room`, { anonymous: true, moderation: 'post' });
  assert.equal(room.status, 200, room.text);
  const statements = [];
  for (let i = 0; i < STATEMENTS; i++) {
    const r = await org.post(`/api/v1/sessions/${s.data.id}/statements`, { text: `第${i}条：社区食堂应当覆盖更多老人` });
    assert.equal(r.status, 201, r.text);
    statements.push(r.data.id);
  }

  const phones = []; // {cookie, acked}
  for (let round = 0; round < ROUNDS; round++) {
    const seen = { failed: 0, other: [] };
    const mine = [];
    for (let p = 0; p < PHONES; p++) mine.push({ cookie: randomBytes(32).toString('hex'), acked: [] });
    phones.push(...mine);
    const loops = mine.map((ph) => phoneLoop(srv.url, ph.cookie, statements, ph.acked, seen));
    // kill once a good share of the votes is answered, while the rest are in flight
    const total = () => mine.reduce((n, ph) => n + ph.acked.length, 0);
    const deadline = Date.now() + 10000;
    while (total() < (PHONES * STATEMENTS) / 3 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 5));
    srv.proc.kill('SIGKILL');
    const ex = await srv.exited;
    assert.equal(ex.sig, 'SIGKILL');
    await Promise.all(loops);
    assert.deepEqual(seen.other, [], 'only 200 answers before the kill');
    assert.ok(total() > 0 && seen.failed > 0, `votes answered (${total()}) and votes in flight at the kill (${seen.failed})`);

    srv = await startServer({ existing: srv.db, keep: true, args: ['--no-flood-limits'], env: HOLD });
    dirs.push(srv.dir);
    // every phone of every round so far: each answered vote is its vote now
    let lost = 0, checked = 0;
    for (const ph of phones) {
      const r = await fetch(`${srv.url}/api/v1/sessions/${s.data.id}/statements`, { headers: { Cookie: `sl_anon=${ph.cookie}` } });
      assert.equal(r.status, 200);
      const mineNow = new Map((await r.json()).items.map((it) => [it.id, it.my_vote]));
      for (const [st, value] of ph.acked) {
        checked++;
        if (mineNow.get(st) !== value) lost++;
      }
    }
    tc.diagnostic(`round ${round + 1}: ${total()} votes answered 200, ${seen.failed} in flight at the kill; ${checked} checked after the restart, ${lost} missing`);
    assert.equal(lost, 0, `round ${round + 1}: ${lost} of ${checked} acknowledged votes missing after kill -9`);
  }
  } finally {
    if (srv.proc.exitCode === null && srv.proc.signalCode === null) await srv.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
