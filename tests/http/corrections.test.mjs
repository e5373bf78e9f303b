// HTTP tests of issue 11's corrections and deletes of a session's record: PATCH and DELETE
// of remarks, points, suggestions, commitments, invitations and statements, by the
// organizers of the session's body (401 anonymous, 403 members, 404 foreign bodies); a
// closed session's record corrected only with a reason; every change audited with before
// and after; a deleted item gone from the session JSON, the exports and the search.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, Client, DEMO_PASSWORD, sqlite3Sync } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const anon = () => new Client(srv.url);
async function as(username, password = DEMO_PASSWORD) {
  const c = new Client(srv.url);
  await c.login(username, password);
  return c;
}
function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.data && r.data.error, `error body expected: ${r.text}`);
  if (code) assert.equal(r.data.error.code, code, r.text);
  if (field) assert.equal(r.data.error.field, field, r.text);
}
// audit rows of an entity, newest last, with before/after parsed
function audits(entity, id) {
  const r = sqlite3Sync(['-json', srv.db,
    `SELECT action, before_json, after_json FROM audit WHERE entity = '${entity}' AND entity_id = ${Number(id)} ORDER BY id`]);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim() ? JSON.parse(r.stdout) : [];
  return rows.map((x) => ({ action: x.action, before: x.before_json ? JSON.parse(x.before_json) : null, after: x.after_json ? JSON.parse(x.after_json) : null }));
}
const del = (c, path) => c.req('DELETE', path);

async function people(c) {
  const s = (await c.get('/api/v1/sessions/1')).data;
  const m = {};
  for (const i of s.invitations) m[i.name] = i.person_id;
  return m;
}

// a live counterpart session of the organizer's body with one of each item
async function fixture(c, tag, visibility = 'internal') {
  const ppl = await people(c);
  const t = await c.post('/api/v1/topics', { title: `更正测试议题${tag}`, domain: 'society', origin: 'member' });
  await c.post(`/api/v1/topics/${t.data.id}/transition`, { to: 'approved' });
  const s = (await c.post('/api/v1/sessions', { topic_id: t.data.id, title: `更正测试会${tag}`, formats: ['counterpart'], department: '市人力资源和社会保障局', visibility })).data;
  const official = await c.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: ppl['蒋立新'], role: 'official' });
  const inv = await c.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: ppl['张丽华'], role: 'speaker' });
  assert.equal(inv.status, 201, inv.text);
  assert.equal((await c.post(`/api/v1/sessions/${s.id}/transition`, { to: 'scheduled' })).status, 200);
  assert.equal((await c.post(`/api/v1/sessions/${s.id}/transition`, { to: 'live' })).status, 200);
  const remark = await c.post(`/api/v1/sessions/${s.id}/remarks`, { person_id: ppl['张丽华'], role: '委员', body: `建议试点灵活排班制度${tag}` });
  assert.equal(remark.status, 201, remark.text);
  const point = await c.post(`/api/v1/sessions/${s.id}/points`, { kind: 'agreed', body: '排班值得试点' });
  const commitment = await c.post(`/api/v1/sessions/${s.id}/commitments`, { owner: '市人力资源和社会保障局', body: '三个月内提出方案', due_date: '2025-06-30' });
  const sug = await c.post(`/api/v1/sessions/${s.id}/suggestions`, { title: `推行灵活排班${tag}`, body: '先行试点。', proposer_ids: [ppl['张丽华']], sources: [{ kind: 'remark', id: remark.data.id }] });
  assert.equal(sug.status, 201, sug.text);
  assert.equal((await c.post(`/api/v1/sessions/${s.id}/room`, { anonymous: true, moderation: 'post' })).status, 200);
  const st = await c.post(`/api/v1/sessions/${s.id}/statements`, { text: `排班要照顾家庭${tag}` });
  assert.equal(st.status, 201, st.text);
  return {
    ppl, session: s.id, official: official.data.id, invitation: inv.data.id, remark: remark.data.id, point: point.data.id,
    commitment: commitment.data.id, suggestion: sug.data.id, statement: st.data.id,
  };
}

describe('corrections of an open session', () => {
  test('PATCH each item: 200 with the corrected item, audited before and after', async () => {
    const c = await as('organizer');
    const f = await fixture(c, 'A');
    const r = await c.patch(`/api/v1/remarks/${f.remark}`, { body: '建议试点弹性排班（更正）', role: '政协委员' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.body, '建议试点弹性排班（更正）');
    assert.equal(r.data.role, '政协委员');
    const a = audits('remark', f.remark).at(-1);
    assert.equal(a.action, 'remark.update');
    assert.equal(a.before.body, '建议试点灵活排班制度A');
    assert.equal(a.after.body, '建议试点弹性排班（更正）');
    assert.equal(a.after.reason, undefined);

    const p = await c.patch(`/api/v1/points/${f.point}`, { kind: 'difference', body: '试点范围有分歧', reason: '记录有误' });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual([p.data.kind, p.data.body], ['difference', '试点范围有分歧']);
    const pa = audits('session_point', f.point).at(-1);
    assert.deepEqual([pa.action, pa.before.kind, pa.after.kind, pa.after.reason], ['point.update', 'agreed', 'difference', '记录有误']);
    const s = (await c.get(`/api/v1/sessions/${f.session}`)).data;
    assert.equal(s.agreed.length, 0);
    assert.equal(s.differences[0].body, '试点范围有分歧');

    const g = await c.patch(`/api/v1/suggestions/${f.suggestion}`, { title: '推行弹性排班', proposer_ids: [f.ppl['张丽华'], f.ppl['蒋立新']] });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.data.title, '推行弹性排班');
    assert.equal(g.data.proposers.length, 2);
    assert.equal(g.data.sources.length, 1, 'sources unchanged when not sent');
    assert.equal(audits('suggestion', f.suggestion).at(-1).before.title, '推行灵活排班A');
    // the search index follows the edit
    const found = (await c.get(`/api/v1/search?q=${encodeURIComponent('弹性排班')}`)).data.results;
    assert.ok(found.some((x) => x.kind === 'suggestion' && x.id === f.suggestion), JSON.stringify(found));
    assert.ok(found.some((x) => x.kind === 'remark' && x.id === f.remark), JSON.stringify(found));

    const cm = await c.patch(`/api/v1/commitments/${f.commitment}`, { body: '两个月内提出方案', due_date: '2025-05-31' });
    assert.equal(cm.status, 200, cm.text);
    assert.deepEqual([cm.data.body, cm.data.due_date, cm.data.status], ['两个月内提出方案', '2025-05-31', 'open']);
    assert.equal(audits('commitment', f.commitment).at(-1).before.body, '三个月内提出方案');

    const iv = await c.patch(`/api/v1/invitations/${f.invitation}`, { role: 'expert', attended: true });
    assert.equal(iv.status, 200, iv.text);
    assert.deepEqual([iv.data.role, iv.data.attended], ['expert', true]);
    const ia = audits('invitation', f.invitation).at(-1);
    assert.deepEqual([ia.action, ia.before.role, ia.after.role, ia.before.attended, ia.after.attended], ['invitation.update', 'speaker', 'expert', false, true]);

    const st = await c.patch(`/api/v1/statements/${f.statement}`, { text: '排班要兼顾家庭' });
    assert.equal(st.status, 200, st.text);
    assert.equal(st.data.text, '排班要兼顾家庭');
    assert.equal(audits('statement', f.statement).at(-1).action, 'statement.update');
  });

  test('fields are validated as on create; nothing changes', async () => {
    const c = await as('organizer');
    const f = await fixture(c, 'B');
    assertError(await c.patch(`/api/v1/remarks/${f.remark}`, { body: '   ' }), 422, null, 'body');
    assertError(await c.patch(`/api/v1/remarks/${f.remark}`, { person_id: 999999 }), 422, null, 'person_id');
    assertError(await c.patch(`/api/v1/remarks/${f.remark}`, { body: 'x'.repeat(50001) }), 422, null, 'body');
    assertError(await c.patch(`/api/v1/remarks/${f.remark}`, { nonsense: 1 }), 422, 'unknown_field');
    assertError(await c.patch(`/api/v1/points/${f.point}`, { kind: 'maybe' }), 422, null, 'kind');
    assertError(await c.patch(`/api/v1/suggestions/${f.suggestion}`, { title: '' }), 422, null, 'title');
    assertError(await c.patch(`/api/v1/suggestions/${f.suggestion}`, { sources: [{ kind: 'remark', id: 999999 }] }), 422, null, 'sources');
    assertError(await c.patch(`/api/v1/commitments/${f.commitment}`, { due_date: '30/06/2025' }), 422, null, 'due_date');
    assertError(await c.patch(`/api/v1/commitments/${f.commitment}`, { status: 'forgotten' }), 422, null, 'status');
    assertError(await c.patch(`/api/v1/invitations/${f.invitation}`, { role: 'dj' }), 422, null, 'role');
    assertError(await c.patch(`/api/v1/statements/${f.statement}`, { text: 'x'.repeat(281) }), 422, null, 'text');
    assertError(await c.patch(`/api/v1/remarks/${f.remark}`, { reason: 'x'.repeat(501) }), 422, null, 'reason');
    const s = (await c.get(`/api/v1/sessions/${f.session}`)).data;
    assert.equal(s.remarks[0].body, '建议试点灵活排班制度B');
    assert.equal(s.commitments[0].due_date, '2025-06-30');
    assert.equal(s.invitations.find((i) => i.id === f.invitation).role, 'speaker');
  });

  test('who may: anonymous 401, member 403, a foreign body 404, unknown 404', async () => {
    const c = await as('organizer');
    const f = await fixture(c, 'C');
    const member = await as('member');
    const foreign = await as('yt-organizer');
    for (const [path, body] of [
      [`/api/v1/remarks/${f.remark}`, { body: 'x' }],
      [`/api/v1/points/${f.point}`, { body: 'x' }],
      [`/api/v1/suggestions/${f.suggestion}`, { title: 'x' }],
      [`/api/v1/commitments/${f.commitment}`, { body: 'x' }],
      [`/api/v1/invitations/${f.invitation}`, { role: 'expert' }],
      [`/api/v1/statements/${f.statement}`, { text: 'x' }],
    ]) {
      assert.equal((await anon().patch(path, body)).status, 401, path);
      assert.equal((await del(anon(), path)).status, 401, path);
      assert.equal((await member.patch(path, body)).status, 403, path);
      assert.equal((await del(member, path)).status, 403, path);
      assert.equal((await foreign.patch(path, body)).status, 404, path);
      assert.equal((await del(foreign, path)).status, 404, path);
      assert.equal((await c.patch(path.replace(/\d+$/, '999999'), body)).status, 404, path);
      assert.equal((await del(c, path.replace(/\d+$/, '999999'))).status, 404, path);
    }
    assert.equal((await c.get(`/api/v1/sessions/${f.session}`)).data.remarks.length, 1, 'nothing deleted');
  });
});

describe('a closed session', () => {
  test('a correction needs a reason (422 reason_required), and is taken with one', async () => {
    const c = await as('organizer');
    const f = await fixture(c, 'D');
    assert.equal((await c.post(`/api/v1/sessions/${f.session}/transition`, { to: 'closed' })).status, 200);
    const cases = [
      [`/api/v1/remarks/${f.remark}`, { body: '更正后的发言' }, 'remark'],
      [`/api/v1/points/${f.point}`, { body: '更正后的共识' }, 'session_point'],
      [`/api/v1/suggestions/${f.suggestion}`, { title: '更正后的建议' }, 'suggestion'],
      [`/api/v1/commitments/${f.commitment}`, { body: '更正后的承诺' }, 'commitment'],
      [`/api/v1/invitations/${f.invitation}`, { attended: true }, 'invitation'],
      [`/api/v1/statements/${f.statement}`, { text: '更正后的观点' }, 'statement'],
    ];
    for (const [path, body, entity] of cases) {
      assertError(await c.patch(path, body), 422, 'reason_required', 'reason');
      assertError(await c.patch(path, { ...body, reason: ' \u3000 ' }), 422, 'reason_required', 'reason');
      const ok = await c.patch(path, { ...body, reason: '会后核对录音更正' });
      assert.equal(ok.status, 200, `${path}: ${ok.text}`);
      const a = audits(entity, Number(path.split('/').at(-1))).at(-1);
      assert.equal(a.after.reason, '会后核对录音更正', path);
    }
    // the follow-up of a commitment needs none
    assert.equal((await c.patch(`/api/v1/commitments/${f.commitment}`, { status: 'done' })).status, 200);
    // deletes: the reason as ?reason=
    for (const [path, , entity] of cases.reverse()) {
      if (entity === 'remark') continue; // deleted below, with what cites it
      assertError(await del(c, path), 422, 'reason_required', 'reason');
      const ok = await del(c, `${path}?reason=${encodeURIComponent('重复记录')}`);
      assert.equal(ok.status, 204, `${path}: ${ok.text}`);
      const a = audits(entity, Number(path.split('/').at(-1))).at(-1);
      assert.match(a.action, /\.delete$/);
      assert.ok(a.before, path);
      assert.deepEqual(a.after, { reason: '重复记录' }, path);
      assert.equal((await c.patch(path, { reason: 'x' })).status, 404, `${path} is gone`);
    }
    const s = (await c.get(`/api/v1/sessions/${f.session}`)).data;
    assert.deepEqual([s.agreed.length, s.differences.length, s.suggestions.length, s.commitments.length], [0, 0, 0, 0]);
    assert.ok(!s.invitations.some((i) => i.id === f.invitation));
  });
});

describe('deletes', () => {
  test('a deleted remark is gone from the session, the suggestion sources, the lineage and the search', async () => {
    const c = await as('organizer');
    const f = await fixture(c, 'E');
    const out = await c.post('/api/v1/outputs', { kind: 'opinion_report', title: '更正测试信息', suggestion_ids: [f.suggestion], body: '情况。分析。建议。' });
    assert.equal(out.status, 201, out.text);
    let lin = (await c.get(`/api/v1/outputs/${out.data.id}/lineage`)).data;
    assert.equal(lin.suggestions[0].sources.length, 1);
    assert.ok((await c.get(`/api/v1/search?q=${encodeURIComponent('灵活排班制度E')}`)).data.results.some((x) => x.kind === 'remark'));
    const r = await del(c, `/api/v1/remarks/${f.remark}`);
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
    const a = audits('remark', f.remark).at(-1);
    assert.equal(a.action, 'remark.delete');
    assert.equal(a.before.body, '建议试点灵活排班制度E');
    assert.equal(a.after, null);
    const s = (await c.get(`/api/v1/sessions/${f.session}`)).data;
    assert.equal(s.remarks.length, 0);
    assert.deepEqual(s.suggestions[0].sources, []);
    assert.ok(!(await c.get(`/sessions/${f.session}`)).text.includes('灵活排班制度E'));
    lin = (await c.get(`/api/v1/outputs/${out.data.id}/lineage`)).data;
    assert.deepEqual(lin.suggestions[0].sources, []);
    assert.ok(!(await c.get(`/outputs/${out.data.id}/lineage`)).text.includes('灵活排班制度E'));
    assert.ok(!(await c.get(`/sessions/${f.session}/outcomes`)).text.includes('灵活排班制度E'));
    const found = (await c.get(`/api/v1/search?q=${encodeURIComponent('灵活排班制度E')}`)).data.results;
    assert.ok(!found.some((x) => x.kind === 'remark'), JSON.stringify(found));
    assert.equal((await del(c, `/api/v1/remarks/${f.remark}`)).status, 404);
  });

  test('a suggestion an output was made from is refused with 409 in_use naming the output', async () => {
    const c = await as('organizer');
    const f = await fixture(c, 'F');
    const out = await c.post('/api/v1/outputs', { kind: 'opinion_report', title: '来源建议保留', suggestion_ids: [f.suggestion], body: '情况。分析。建议。' });
    assert.equal(out.status, 201, out.text);
    const r = await del(c, `/api/v1/suggestions/${f.suggestion}`);
    assertError(r, 409, 'in_use', 'output_id');
    assert.match(r.data.error.message, new RegExp(String(out.data.id)));
    assert.equal((await c.get(`/api/v1/sessions/${f.session}`)).data.suggestions.length, 1);
    // unused: deleted, and gone from the search
    const other = await c.post(`/api/v1/sessions/${f.session}/suggestions`, { title: '独一无二的建议标题F' });
    assert.equal((await del(c, `/api/v1/suggestions/${other.data.id}`)).status, 204);
    const found = (await c.get(`/api/v1/search?q=${encodeURIComponent('独一无二的建议标题F')}`)).data.results;
    assert.ok(!found.some((x) => x.kind === 'suggestion'), JSON.stringify(found));
  });

  test('a deleted statement goes with its votes: gone from the list, the export and the sources', async () => {
    const c = await as('organizer');
    const f = await fixture(c, 'G', 'public');
    const voter = anon();
    assert.equal((await voter.req('PUT', `/api/v1/statements/${f.statement}/vote`, { json: { vote: 1 } })).status, 200);
    const sg = await c.post(`/api/v1/sessions/${f.session}/suggestions`, { title: '来自观点', sources: [{ kind: 'statement', id: f.statement }] });
    assert.equal(sg.status, 201, sg.text);
    assert.match((await c.get(`/api/v1/sessions/${f.session}/opinion.csv`)).text, /排班要照顾家庭G/);
    const snapshot = async (want) => {
      let snap;
      for (let i = 0; i < 50; i++) {
        snap = (await c.get(`/api/v1/sessions/${f.session}/opinion`)).data;
        if (snap && snap.n_votes === want) break;
        await new Promise((ok) => setTimeout(ok, 100));
      }
      return snap;
    };
    assert.equal((await snapshot(1)).n_votes, 1, 'the map counted the vote');
    const r = await del(c, `/api/v1/statements/${f.statement}`);
    assert.equal(r.status, 204, r.text);
    assert.equal(audits('statement', f.statement).at(-1).before.votes, 1);
    // the map is recomputed without the statement and its vote
    const snap = await snapshot(0);
    assert.equal(snap.n_votes, 0, JSON.stringify(snap).slice(0, 300));
    assert.ok(!JSON.stringify(snap).includes('排班要照顾家庭G'));
    const list = (await c.get(`/api/v1/sessions/${f.session}/statements`)).data.items;
    assert.ok(!list.some((x) => x.id === f.statement));
    assert.ok(!(await c.get(`/api/v1/sessions/${f.session}/opinion.csv`)).text.includes('排班要照顾家庭G'));
    const s = (await c.get(`/api/v1/sessions/${f.session}`)).data;
    assert.deepEqual(s.suggestions.find((x) => x.id === sg.data.id).sources, []);
  });

  test('an invitation deleted takes its attendance credit with it', async () => {
    const c = await as('organizer');
    const f = await fixture(c, 'H');
    assert.equal((await c.patch(`/api/v1/invitations/${f.invitation}`, { attended: true })).status, 200);
    const person = f.ppl['张丽华'];
    const year = new Date().getUTCFullYear();
    const credits = async () => (await c.get(`/api/v1/people/${person}/duty?year=${year}`)).data.items
      .filter((x) => x.kind === 'attended' && x.session_id === f.session).length;
    assert.equal(await credits(), 1);
    assert.equal((await del(c, `/api/v1/invitations/${f.invitation}`)).status, 204);
    assert.equal(await credits(), 0);
  });
});

describe('pages', () => {
  const form = (c, path, fields) => c.req('POST', path, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf_token: c.csrf, ...fields }).toString(),
  });

  test('the session page offers edit and delete forms to organizers, which work', async () => {
    const c = await as('organizer');
    const f = await fixture(c, 'P');
    const page = (await c.get(`/sessions/${f.session}`)).text;
    assert.match(page, new RegExp(`href="/sessions/${f.session}/remarks/${f.remark}/edit"`));
    assert.match(page, new RegExp(`action="/sessions/${f.session}/remarks/${f.remark}/delete"`));
    assert.match(page, new RegExp(`action="/sessions/${f.session}/suggestions/${f.suggestion}/delete"`));
    assert.match(page, new RegExp(`href="/sessions/${f.session}/commitments/${f.commitment}/edit"`));
    // each edit page: the form filled with the item as it is
    for (const [kind, id, text] of [['remarks', f.remark, '建议试点灵活排班制度P'], ['points', f.point, '排班值得试点'],
      ['suggestions', f.suggestion, '推行灵活排班P'], ['commitments', f.commitment, '三个月内提出方案'], ['invitations', f.invitation, 'value="speaker" selected']]) {
      const ep = await c.get(`/sessions/${f.session}/${kind}/${id}/edit`);
      assert.equal(ep.status, 200, `${kind}: ${ep.text.slice(0, 200)}`);
      assert.ok(ep.text.includes(text), `${kind} edit page shows ${text}`);
      assert.match(ep.text, new RegExp(`action="/sessions/${f.session}/${kind}/${id}/edit"`));
    }
    assert.equal((await (await as('member')).get(`/sessions/${f.session}/remarks/${f.remark}/edit`)).status, 403);
    assert.equal((await (await as('yt-organizer')).get(`/sessions/${f.session}/remarks/${f.remark}/edit`)).status, 404);
    // a refused correction comes back on the edit page with the message
    const bad = await form(c, `/sessions/${f.session}/points/${f.point}/edit`, { kind: 'maybe', body: 'x' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /role="alert"/);
    assert.match(page, new RegExp(`action="/sessions/${f.session}/points/${f.point}/delete"`));
    assert.match(page, new RegExp(`action="/sessions/${f.session}/invitations/${f.invitation}/delete"`));
    // members see none of them
    const mp = (await (await as('member')).get(`/sessions/${f.session}`)).text;
    assert.ok(!mp.includes(`/remarks/${f.remark}/edit`));
    const e = await form(c, `/sessions/${f.session}/remarks/${f.remark}/edit`, { body: '页面更正的发言', role: '委员' });
    assert.equal(e.status, 303, e.text.slice(0, 3000));
    assert.equal((await c.get(`/api/v1/sessions/${f.session}`)).data.remarks[0].body, '页面更正的发言');
    const d = await form(c, `/sessions/${f.session}/points/${f.point}/delete`, {});
    assert.equal(d.status, 303, d.text.slice(0, 300));
    assert.equal((await c.get(`/api/v1/sessions/${f.session}`)).data.agreed.length, 0);
    // an item of another session through this session's path: 404
    const g = await fixture(c, 'Q');
    assert.equal((await form(c, `/sessions/${f.session}/remarks/${g.remark}/delete`, {})).status, 404);
    // closed: without a reason the page comes back with the message, with one it is done
    assert.equal((await c.post(`/api/v1/sessions/${f.session}/transition`, { to: 'closed' })).status, 200);
    const no = await form(c, `/sessions/${f.session}/remarks/${f.remark}/delete`, {});
    assert.equal(no.status, 422);
    assert.match(no.text, /理由|reason/);
    const yes = await form(c, `/sessions/${f.session}/remarks/${f.remark}/delete`, { reason: '误录' });
    assert.equal(yes.status, 303, yes.text.slice(0, 300));
    assert.equal((await c.get(`/api/v1/sessions/${f.session}`)).data.remarks.length, 0);
    // the map's statement delete form
    const map = (await c.get(`/sessions/${f.session}/map`)).text;
    assert.match(map, /action="\/statements\/delete"/);
    assert.match(map, new RegExp(`<option value="${f.statement}">`));
    const st = await form(c, '/statements/delete', { statement_id: String(f.statement), reason: '重复' });
    assert.equal(st.status, 303, st.text.slice(0, 300));
    assert.ok(!(await c.get(`/api/v1/sessions/${f.session}/statements`)).data.items.some((x) => x.id === f.statement));
    assert.equal((await form(await as('yt-organizer'), '/statements/delete', { statement_id: String(g.statement) })).status, 404);
    assert.equal((await form(c, '/statements/delete', { statement_id: String(g.statement), reason: 'x' })).status, 303, 'the form names any statement the caller may manage');
  });
});
