// `shenliao opinion --polis DIR --json` on the two real Pol.is conversations in
// tests/data/polis: the JSON's shape, and the agreement (adjusted Rand index, computed here)
// between its groups and Pol.is's own group-id in participants-votes.csv; plus the errors
// (missing directory: exit 1, no arguments: exit 2). The data directory is
// $SHENLIAO_TESTDATA, by default tests/data.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { run } from '../lib/server.mjs';

const DATA = resolve(process.env.SHENLIAO_TESTDATA || 'tests/data');
const CONVERSATIONS = ['scoop-hivemind.biodiversity', 'ssis.land-bank-farmland.2rumnecbeh.2021-08-01'];

// parseCsv: RFC 4180 records (quoted fields, doubled quotes, line breaks inside quotes).
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r') { i++; continue; }
    if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; continue; }
    field += c; i++;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function choose2(n) { return (n * (n - 1)) / 2; }

// ari: adjusted Rand index of two labellings of the same items.
function ari(a, b) {
  const pairs = new Map(), ca = new Map(), cb = new Map();
  for (let i = 0; i < a.length; i++) {
    const k = `${a[i]}\u0000${b[i]}`;
    pairs.set(k, (pairs.get(k) || 0) + 1);
    ca.set(a[i], (ca.get(a[i]) || 0) + 1);
    cb.set(b[i], (cb.get(b[i]) || 0) + 1);
  }
  let index = 0, sa = 0, sb = 0;
  for (const n of pairs.values()) index += choose2(n);
  for (const n of ca.values()) sa += choose2(n);
  for (const n of cb.values()) sb += choose2(n);
  const expected = (sa * sb) / choose2(a.length), max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

function polisGroups(dir) {
  const rows = parseCsv(readFileSync(join(dir, 'participants-votes.csv'), 'utf8'));
  const h = rows[0], ip = h.indexOf('participant'), ig = h.indexOf('group-id');
  const g = new Map();
  for (const r of rows.slice(1)) if (r.length > ig && r[ig] !== '') g.set(String(Number(r[ip])), Number(r[ig]));
  return g;
}

function voters(dir) {
  const rows = parseCsv(readFileSync(join(dir, 'votes.csv'), 'utf8'));
  const iv = rows[0].indexOf('voter-id');
  return new Set(rows.slice(1).filter((r) => r.length > iv).map((r) => r[iv]));
}

describe('shenliao opinion', () => {
  for (const name of CONVERSATIONS) {
    test(`--json on ${name}: shape, and ARI >= 0.9 against Pol.is's groups`, () => {
      const dir = join(DATA, 'polis', name);
      const r = run(['opinion', '--polis', dir, '--json']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 1, 'exactly one JSON object');
      const out = JSON.parse(r.stdout);
      for (const k of ['participants', 'groups', 'consensus', 'gic']) assert.ok(k in out, k);

      // participants: every voter, once; group an id from groups or null
      const ids = voters(dir);
      assert.equal(out.participants.length, ids.size);
      const groupIds = new Set(out.groups.map((g) => g.id));
      const seen = new Set();
      for (const p of out.participants) {
        assert.equal(typeof p.id, 'string');
        assert.ok(ids.has(p.id), `unknown voter ${p.id}`);
        assert.ok(!seen.has(p.id));
        seen.add(p.id);
        assert.ok(p.group === null || groupIds.has(p.group));
        assert.ok(Number.isFinite(p.x) && Number.isFinite(p.y));
      }

      // groups: 2..5, sizes add up to the grouped participants, repness entries well formed
      assert.ok(out.groups.length >= 2 && out.groups.length <= 5);
      const grouped = out.participants.filter((p) => p.group !== null);
      assert.equal(out.groups.reduce((s, g) => s + g.size, 0), grouped.length);
      for (const g of out.groups) {
        assert.equal(g.size, grouped.filter((p) => p.group === g.id).length);
        assert.ok(g.repness.length >= 1 && g.repness.length <= 5);
        for (const e of g.repness) {
          assert.equal(typeof e.statement, 'string');
          assert.ok(e.direction === 'agree' || e.direction === 'disagree');
          assert.ok(e.p > 0 && e.p < 1);
          assert.ok(Number.isFinite(e.z));
        }
      }

      // consensus: lists of at most 5 with a statement and a share above 1/2
      for (const kind of ['agree', 'disagree']) {
        assert.ok(Array.isArray(out.consensus[kind]));
        assert.ok(out.consensus[kind].length <= 5);
        for (const e of out.consensus[kind]) {
          assert.equal(typeof e.statement, 'string');
          assert.ok(e.p > 0.5 && e.p < 1);
        }
      }

      // gic: one number in (0, 1) per statement
      const gic = Object.entries(out.gic);
      assert.ok(gic.length > 100);
      for (const [k, v] of gic) {
        assert.match(k, /^\d+$/);
        assert.ok(v > 0 && v < 1);
      }

      // agreement with Pol.is's own groups
      const pg = polisGroups(dir);
      const a = [], b = [];
      for (const p of grouped) if (pg.has(p.id)) { a.push(pg.get(p.id)); b.push(p.group); }
      assert.ok(a.length > 300, `compared ${a.length}`);
      const score = ari(a, b);
      assert.ok(score >= 0.9, `ARI ${score}`);
    });
  }

  test('the summary names groups and compares with Pol.is', () => {
    const r = run(['opinion', '--polis', join(DATA, 'polis', CONVERSATIONS[1])]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^group 0: \d+ participants$/m);
    assert.match(r.stdout, /ARI 0\.9\d+/);
  });

  test('errors: missing directory exits 1 naming the file; bad CSV names the line; usage exits 2', () => {
    const missing = run(['opinion', '--polis', '/nonexistent/polis-conversation']);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.match(missing.stderr, /^shenliao: .*\/nonexistent\/polis-conversation\/votes\.csv/);

    const dir = mkdtempSync(join(tmpdir(), 'shenliao-opinion-'));
    try {
      writeFileSync(join(dir, 'votes.csv'), 'timestamp,datetime,comment-id,voter-id,vote\n1,x,1,1,1\n2,x,1,2,sideways\n');
      const bad = run(['opinion', '--polis', dir]);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /votes\.csv:3: bad vote 'sideways'/);
    } finally { rmSync(dir, { recursive: true, force: true }); }

    for (const args of [['opinion'], ['opinion', '--polis'], ['opinion', '--bogus'], ['opinion', '--polis', 'x', '--threads', '0']]) {
      const r = run(args, { SHENLIAO_POLIS: '' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr.split('\n')[0], /^shenliao: .+/);
    }
    const help = run(['opinion', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /usage: shenliao opinion --polis DIR/);
  });
});
