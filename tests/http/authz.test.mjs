// The authorization matrix (issue 10, item 3): every route of the table (`shenliao routes
// --json`, made from src/web/routes.c) × every role (anonymous, guest, member, organizer,
// admin, a handling unit's account, a leader) × the relation of the object the route names to the
// caller's body (own, child, parent, unrelated, and "missing": an id or code no object has;
// "-" for routes that name none), run against
// a real server, compared with tests/authz/expected.tsv. Any difference fails and is
// printed; a route without rows in the table fails, and so do rows of a route that is gone.
// SHENLIAO_AUTHZ_WRITE=1 writes the table from what the server answered, for a person to
// review with `git diff`.
//
// The callers all belong to the city body 深圳市政协 (sz). Its parent is the root (the
// province), its child 盐田区政协 (sz-yantian); the unrelated body is a second city below the
// root (gz), made here by the root's admin, who also makes, in each of the four bodies, one
// object of every kind a route can name: the body itself, an account, a person, a topic, an
// internal session with a commitment, an invitation and an open opinion room (its statement
// and its join code), a proposal assigned to a handling unit (in the callers' body to the
// unit whose account is the "handler" caller).
//
// A change is sent with a body that the route accepts only after authorization would fail
// validation (an empty object or form, or a field with a value no one may set), so that an
// allowed caller gets 422 (or 409) and nothing changes; whoever is not allowed gets 401
// (pages: the sign-in page, recorded as "login"), 403 or 404. Every handler authorizes
// before it validates (parse -> authorize -> validate), so a 422 where the table expects
// 403/404 is an authorization bug. Routes that delete get an object made for the cell.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import { dirname, resolve } from 'node:path';
import { startServer, Client, run, ADMIN_PASSWORD, DEMO_PASSWORD } from '../lib/server.mjs';

const TABLE = resolve('tests/authz/expected.tsv');
const HEADER = 'method\tpath\trole\trelation\tstatus';
const ROLES = ['anonymous', 'guest', 'member', 'organizer', 'admin', 'handler', 'leader'];
// "missing": an id no object has. To a signed-in caller it is answered as an unrelated
// body's object is (absent and out of sight look the same); to an anonymous one, on the
// public routes of sessions and rooms, 404 where an existing internal session asks for a
// sign-in (401), as the table records.
const RELATIONS = ['own', 'child', 'parent', 'unrelated', 'missing'];
const CONCURRENCY = 4;
const PASSWORD = 'matrix-pass-123';

// The kind of object a route names, by the path segment before its first parameter
// ("/api/v1/people/{id}/duty", "/people/{id}": people). A new kind of path fails the test
// until it is added here (and the fixture makes such an object in every body).
const KIND_OF_SEGMENT = {
  orgs: 'org', users: 'user', people: 'person', topics: 'topic', sessions: 'session',
  commitments: 'commitment', invitations: 'invitation', outputs: 'output',
  statements: 'statement', j: 'join', static: 'file', notifications: 'notification',
  handlers: 'handler', assignments: 'output',
  remarks: 'remark', points: 'point', suggestions: 'suggestion',
  escalations: 'escalation',
};
// Kinds whose value does not depend on a body: one row per role, relation "-".
const UNBODIED = new Set(['file']);
// Values of the parameters that are not the object's id.
const OTHER_PARAMS = { op: 'remarks', kind: 'points', item: '999999999', action: 'edit' };

// The query a GET needs to reach its handler's authorization.
const QUERY = { '/api/v1/search': '?q=深圳', '/search': '?q=深圳', '/lang': '?to=en' };

// Request bodies, by "METHOD path". A JSON route not named gets {}, a page form nothing but
// its CSRF token. Named here: routes where {} would be a valid change (all fields optional).
const BODY = {
  'PATCH /api/v1/orgs/{id}': { level: 'city' },
  'PATCH /api/v1/users/{id}': { role: 'nonsense' },
  'PATCH /api/v1/people/{id}': { category: 'no-such-category' },
  'PATCH /api/v1/topics/{id}': { domain: 'no-such-domain' },
  'PATCH /api/v1/sessions/{id}': { formats: ['no-such-format'] },
  'PATCH /api/v1/outputs/{id}': { kind: 'no-such-kind' },
  'PATCH /api/v1/duty-points': { attended: -1 },
  'POST /api/v1/sessions/{id}/room': { moderation: 'nonsense' },
  'POST /api/v1/outputs/{id}/adoptions': { kind: 'nonsense' },
  // a move the table has from "assigned", for the staff and the lead handling unit, without
  // its required reply
  'POST /api/v1/outputs/{id}/transition': { to: 'replied' },
  // a name with a control character: refused by the unit's rule, after authorization
  'PATCH /api/v1/handlers/{id}': { name: '矩阵\u0001单位' },
  'POST /api/v1/handlers/{id}/merge': { into_id: 0 },
  'POST /api/v1/outputs/{id}/co-opinion': { text: '矩阵协办意见' },
  // corrections of the record: a value the model refuses after the authorization
  'PATCH /api/v1/remarks/{id}': { person_id: 999999999 },
  'PATCH /api/v1/points/{id}': { kind: 'nonsense' },
  'PATCH /api/v1/suggestions/{id}': { proposer_ids: [999999999] },
  'PATCH /api/v1/commitments/{id}': { status: 'nonsense' },
  'PATCH /api/v1/invitations/{id}': { role: 'nonsense' },
};
// Page forms, by "METHOD path", where a form of nothing but the CSRF token would be a valid
// change (forms are read leniently: a field not sent is left as it is).
const FORM = {
  'POST /admin/orgs/{id}': { name: '' },
  'POST /admin/users/{id}': { role: 'nonsense' },
  'POST /people/{id}': { name: '' },
  'POST /topics/{id}': { title: '' },
  'POST /sessions/{id}/edit': { title: '' },
  'POST /sessions/{id}/room': { moderation: 'nonsense' },
  'POST /outputs/{id}/transition': { to: 'replied' },
  'POST /assignments/{id}/reply': { to: 'replied' },
  'POST /handlers/{id}': { op: 'rename', name: '' },
  // a reason over its limit: refused after the authorization, the statement stays
  'POST /statements/delete': { reason: 'x'.repeat(501) },
};
// Raw-body routes: what they are sent (media type, bytes).
const RAW = { 'POST /api/v1/people/import': { type: 'text/csv', body: '' } };
// Routes whose call ends the caller's sign-in: each cell signs in afresh.
const FRESH_SIGNIN = new Set(['POST /api/v1/logout', 'POST /logout']);

let srv;
const sessions = {}; // role -> Client signed in (anonymous: a client without sign-in)
const objects = {}; // relation -> kind -> value of the path parameter
const bodies = {}; // relation -> org id
let root;
const units = {}; // handling units: own (of the callers' body, its account is "handler"), root
let memberPerson; // the person linked to the demo account "member"
let answered = []; // the matrix's cells with what the server answered (.got)
const spare = {}; // "METHOD path role" -> a sign-in of its own for a cell that ends it

before(async () => { srv = await startServer(); });
after(async () => { agent.destroy(); await srv.stop(); });

async function ok(r, what, status = [200, 201]) {
  if (!status.includes(r.status)) throw new Error(`fixture: ${what}: ${r.status} ${r.text}`);
  return r.data;
}

// makeObjects makes one object of every kind in body orgId (as the root's admin).
async function makeObjects(rel, orgId, n) {
  const o = { org: orgId };
  o.user = (await ok(await root.post('/api/v1/users', { username: `matrix-user-${n}`, password: PASSWORD, role: 'member', org_id: orgId }), 'user')).id;
  o.person = await makePerson(orgId, `矩阵人员${n}`);
  const t = await ok(await root.post('/api/v1/topics', { title: `矩阵议题${n}`, domain: 'society', origin: 'member', org_id: orgId }), 'topic');
  o.topic = t.id;
  await ok(await root.post(`/api/v1/topics/${t.id}/transition`, { to: 'approved' }), 'approve topic');
  const s = await ok(await root.post('/api/v1/sessions', { topic_id: t.id, title: `矩阵深聊会${n}`, formats: ['counterpart'], department: '市发展改革委', visibility: 'internal' }), 'session');
  if (s.org_id !== orgId) throw new Error(`fixture: session ${s.id} in body ${s.org_id}, not ${orgId}`);
  o.session = s.id;
  o.commitment = (await ok(await root.post(`/api/v1/sessions/${s.id}/commitments`, { body: `矩阵承诺${n}` }), 'commitment')).id;
  // in the callers' own body the invitee is the member's own person: the one caller who
  // may answer an invitation
  const invitee = rel === 'own' ? memberPerson : o.person;
  o.invitation = (await ok(await root.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: invitee }), 'invitation')).id;
  const room = await ok(await root.post(`/api/v1/sessions/${s.id}/room`, { open: true, anonymous: false, moderation: 'post' }), 'room');
  o.join = room.code;
  o.statement = (await ok(await root.post(`/api/v1/sessions/${s.id}/statements`, { text: `矩阵观点${n}` }), 'statement')).id;
  o.remark = await makeRecordItem('remark', o);
  o.point = await makeRecordItem('point', o);
  o.suggestion = await makeRecordItem('suggestion', o);
  // the output: a proposal assigned to a handling unit, in the callers' body to the one
  // whose account is the "handler" caller, elsewhere to a unit of the root (above them all)
  const out = await ok(await root.post('/api/v1/outputs', { kind: 'proposal', title: `矩阵提案${n}`, org_id: orgId, authors: [{ person_id: o.person, role: 'lead' }] }), 'output');
  o.output = out.id;
  for (const move of [{ to: 'submitted' }, { to: 'accepted' }, { to: 'assigned', handlers: [{ handler_id: rel === 'own' ? units.own : units.root, role: 'lead' }] }])
    await ok(await root.post(`/api/v1/outputs/${out.id}/transition`, move), `output to ${move.to}`);
  // a handling unit of the body (made by the root's admin, who manages every body)
  o.handler = (await ok(await root.post('/api/v1/handlers', { name: `矩阵单位${n}`, org_id: orgId }), 'unit')).id;
  o.file = 'style.css';
  objects[rel] = o;
}

let people = 0;
// makeRecordItem makes one item of the record of session o.session (as the root's admin),
// for the fixture and for a deletion's cell of its own.
let recordItems = 0;
async function makeRecordItem(kind, o) {
  const n = ++recordItems;
  const at = `/api/v1/sessions/${o.session}`;
  const made = {
    remark: () => root.post(`${at}/remarks`, { person_id: o.person, body: `矩阵发言${n}` }),
    point: () => root.post(`${at}/points`, { kind: 'agreed', body: `矩阵共识${n}` }),
    suggestion: () => root.post(`${at}/suggestions`, { title: `矩阵建议${n}` }),
    commitment: () => root.post(`${at}/commitments`, { body: `待删除承诺${n}` }),
    statement: () => root.post(`${at}/statements`, { text: `待删除观点${n}` }),
  };
  if (kind === 'invitation') {
    const person = await makePerson(o.org, '待删除受邀人');
    return (await ok(await root.post(`${at}/invitations`, { person_id: person }), 'invitation')).id;
  }
  return (await ok(await made[kind](), kind)).id;
}

async function makePerson(orgId, name) {
  people++;
  return (await ok(await root.post('/api/v1/people', { name: `${name}-${people}`, category: 'member', org_id: orgId }), 'person')).id;
}

async function signIn(username, password) {
  const c = new Client(srv.url);
  await c.login(username, password);
  return c;
}

async function buildFixture() {
  root = await signIn('admin', ADMIN_PASSWORD);
  const orgs = (await ok(await root.get('/api/v1/orgs?limit=500'), 'orgs')).items;
  const bySlug = (slug) => {
    const o = orgs.find((x) => x.slug === slug);
    if (!o) throw new Error(`fixture: no body ${slug}`);
    return o.id;
  };
  bodies.parent = orgs.find((x) => !x.parent_id).id;
  bodies.own = bySlug('sz');
  bodies.child = bySlug('sz-yantian');
  bodies.unrelated = (await ok(await root.post('/api/v1/orgs', { name: '广州市政协', slug: 'gz', level: 'city', parent_id: bodies.parent }), 'unrelated body')).id;
  // sign-ins cost a password hash each: made side by side
  const [szAdmin, guest, member, organizer] = await Promise.all(
    ['sz-admin', 'guest', 'member', 'organizer'].map((u) => signIn(u, DEMO_PASSWORD)));
  units.own = (await ok(await szAdmin.post('/api/v1/handlers', { name: '矩阵承办单位' }), 'handler')).id;
  units.root = (await ok(await root.post('/api/v1/handlers', { name: '矩阵省级承办单位' }), 'root handler')).id;
  await ok(await szAdmin.post('/api/v1/users', { username: 'matrix-handler', password: PASSWORD, role: 'member', handler_id: units.own }), 'handler account');
  // an account of the root's unit: the assignments of the other bodies' proposals notify it
  await ok(await root.post('/api/v1/users', { username: 'matrix-root-handler', password: PASSWORD, role: 'member', handler_id: units.root }), 'root handler account');
  const handler = signIn('matrix-handler', PASSWORD);
  // a leader (领导) of the callers' body: reads as an organizer, writes nothing but 批示
  await ok(await szAdmin.post('/api/v1/users', { username: 'matrix-leader', password: PASSWORD, role: 'leader' }), 'leader account');
  const leader = signIn('matrix-leader', PASSWORD);
  const memberId = (await ok(await member.get('/api/v1/me'), 'me')).user.id;
  const linked = (await ok(await root.get(`/api/v1/people?limit=500&q=${encodeURIComponent('王委员')}`), 'people')).items.filter((p) => p.user_id === memberId);
  if (linked.length !== 1) throw new Error(`fixture: the demo links ${linked.length} people to the account member`);
  memberPerson = linked[0].id;
  await Promise.all(RELATIONS.filter((rel) => rel !== 'missing').map((rel, i) => makeObjects(rel, bodies[rel], i + 1)));
  // escalations (issue 15) belong to the body that sent them: each body's proposal sent to
  // its parent; the root sends none, so the parent's is the child body's proposal sent
  // straight to the root, over the callers' body
  const escalate = async (output, extra = {}) => (await ok(await root.post(`/api/v1/outputs/${output}/escalate`, { note: '矩阵上报', ...extra }), 'escalation')).id;
  for (const rel of ['own', 'child', 'unrelated']) objects[rel].escalation = await escalate(objects[rel].output);
  objects.parent.escalation = await escalate(objects.child.output, { to_org_id: bodies.parent });
  // notifications belong to accounts, not bodies: "own" is one of the member's (the
  // invitation of their person above), the others the root unit's account's assignments of
  // the proposals of those bodies
  const mine = (await ok(await member.get('/api/v1/me/notifications?limit=500'), 'inbox')).items;
  objects.own.notification = mine.find((x) => x.kind === 'invitation').id;
  const rootUnit = await signIn('matrix-root-handler', PASSWORD);
  const theirs = (await ok(await rootUnit.get('/api/v1/me/notifications?limit=500'), 'root unit inbox')).items;
  for (const rel of ['child', 'parent', 'unrelated']) {
    const n = theirs.find((x) => x.kind === 'assignment' && x.link === `/outputs/${objects[rel].output}`);
    if (!n) throw new Error(`fixture: no assignment notification for the ${rel} body's proposal`);
    objects[rel].notification = n.id;
  }
  objects.missing = Object.fromEntries(Object.keys(objects.own).map((k) => [k, k === 'join' ? 'nosuchcode' : 999999999]));

  sessions.anonymous = new Client(srv.url);
  Object.assign(sessions, { guest, member, organizer, admin: szAdmin, handler: await handler, leader: await leader });
  // the sign-ins that the cells of sign-out end, made now: before any cell has tried a
  // wrong sign-in that a throttle could count against this address
  const wanted = [];
  for (const key of FRESH_SIGNIN) for (const role of Object.keys(LOGINS)) wanted.push({ key, role });
  await pool(wanted, 2, async (w) => { spare[`${w.key} ${w.role}`] = await signIn(...LOGINS[w.role]); });
}

const LOGINS = {
  guest: ['guest', DEMO_PASSWORD], member: ['member', DEMO_PASSWORD],
  organizer: ['organizer', DEMO_PASSWORD], admin: ['sz-admin', DEMO_PASSWORD],
  handler: ['matrix-handler', PASSWORD], leader: ['matrix-leader', PASSWORD],
};

// kindOf finds the kind of object route pattern p names: null when it names none, undefined
// when the pattern is of a kind this test does not know.
function kindOf(p) {
  const m = /\/([^/{]+)\/\{[a-z]+\}/.exec(p);
  if (!m) return null;
  return KIND_OF_SEGMENT[m[1]];
}

// cellsOf lists the cells of route r: [{relation, path}] per role; throws naming what the
// test does not know.
function cellsOf(r) {
  const kind = kindOf(r.path);
  if (kind === undefined) throw new Error(`route ${r.method} ${r.path}: no object kind for its path in KIND_OF_SEGMENT of tests/http/authz.test.mjs`);
  const fill = (rel) => r.path.replace(/\{([a-z]+)\}/g, (all, name, at) => {
    const first = r.path.indexOf('{') === at;
    if (first) return encodeURIComponent(objects[rel][kind]);
    if (!(name in OTHER_PARAMS)) throw new Error(`route ${r.method} ${r.path}: no value for {${name}} in OTHER_PARAMS`);
    return OTHER_PARAMS[name];
  });
  if (!kind || UNBODIED.has(kind)) return [{ relation: '-', path: fill('own'), kind }];
  return RELATIONS.map((rel) => ({ relation: rel, path: fill(rel), kind, rel }));
}

// call makes one request as client c and returns its outcome: the HTTP status, or "login"
// for a page that sends the caller to the sign-in page.
async function call(c, r, path) {
  const key = `${r.method} ${r.path}`;
  const headers = {};
  let body;
  if (c.cookies.size) headers.Cookie = c.cookieHeader();
  if (r.method !== 'GET') {
    if (c.csrf) headers['X-CSRF-Token'] = c.csrf;
    else if (!r.api) { // an anonymous form: the double-submit cookie and its token
      headers.Cookie = 'sl_csrf=matrix-anonymous-token';
      headers['X-CSRF-Token'] = 'matrix-anonymous-token';
    }
    if (RAW[key]) {
      headers['Content-Type'] = RAW[key].type;
      body = RAW[key].body;
    } else if (r.api) {
      if (r.method !== 'DELETE') {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(BODY[key] || {});
      }
    } else {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(FORM[key] || {}).toString();
    }
  }
  const res = await send(r.method, path + (QUERY[r.path] || ''), headers, body);
  if (!r.api && res.status >= 300 && res.status < 400 && /^\/login(\?|$)/.test(res.location)) return 'login';
  return String(res.status);
}

// send makes one request with node:http over kept-alive connections (fetch costs the test
// several times the CPU of the server on thousands of requests). An event stream is cut
// once its headers are in.
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function send(method, path, headers, body) {
  return new Promise((done, fail) => {
    const u = new URL(srv.url + path);
    const h = { ...headers };
    if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h, agent }, (res) => {
      const out = { status: res.statusCode, location: res.headers.location || '' };
      if ((res.headers['content-type'] || '').startsWith('text/event-stream')) {
        res.destroy();
        done(out);
        return;
      }
      res.on('data', () => {});
      res.on('end', () => done(out));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

async function runCell(cell) {
  const { r, role } = cell;
  const key = `${r.method} ${r.path}`;
  let c = sessions[role];
  let path = cell.path;
  if (FRESH_SIGNIN.has(key) && role !== 'anonymous') c = spare[`${key} ${role}`];
  if (r.method === 'DELETE' && cell.rel === 'missing') {
    // nothing to make: the id of no one
  } else if (r.method === 'DELETE' && cell.kind === 'person') {
    // a deletion gets an object of its own, made for this cell
    const id = await makePerson(bodies[cell.rel], '待删除人员');
    path = r.path.replace('{id}', id);
  } else if (r.method === 'DELETE' && cell.kind === 'topic') {
    // a proposed topic (the state a topic can be deleted in), made for this cell
    people++;
    const t = await ok(await root.post('/api/v1/topics', { title: `待删除议题${people}`, domain: 'society', origin: 'member', org_id: bodies[cell.rel] }), 'topic');
    path = r.path.replace('{id}', t.id);
  } else if (r.method === 'DELETE' && cell.kind === 'output') {
    // a draft (the state an output can be deleted in), made for this cell
    people++;
    const o = await ok(await root.post('/api/v1/outputs', { kind: 'speech', title: `待删除发言${people}`, org_id: bodies[cell.rel] }), 'output');
    path = r.path.replace('{id}', o.id);
  } else if (r.method === 'DELETE' && ['remark', 'point', 'suggestion', 'commitment', 'invitation', 'statement'].includes(cell.kind)) {
    const id = await makeRecordItem(cell.kind, objects[cell.rel]);
    path = r.path.replace('{id}', id);
  } else if (r.method === 'DELETE' && cell.kind) {
    throw new Error(`route ${key}: this test makes no fresh ${cell.kind} for a deletion`);
  }
  return call(c, r, path);
}

async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      items[i].got = await fn(items[i]);
    }
  }));
}

const rowKey = (x) => `${x.method}\t${x.path}\t${x.role}\t${x.relation}`;

test('authorization matrix: every route × role × relation answers as tests/authz/expected.tsv says', async () => {
  const listing = run(['routes', '--json']);
  assert.equal(listing.status, 0, listing.stderr);
  const routes = JSON.parse(listing.stdout);
  assert.ok(routes.length > 50, 'the route table is listed');
  const tf = Date.now();
  await buildFixture();
  const fixtureMs = Date.now() - tf;

  const problems = [];
  const cells = [];
  for (const r of routes) {
    let list;
    try { list = cellsOf(r); } catch (e) { problems.push(e.message); continue; }
    for (const role of ROLES) for (const x of list) cells.push({ r, role, ...x });
  }
  // reads first, all at once; then the changes, which could (if a handler wrongly let one
  // through) change what a read sees
  const reads = cells.filter((x) => x.r.method === 'GET');
  const changes = cells.filter((x) => x.r.method !== 'GET');
  const t0 = Date.now();
  await pool(reads, CONCURRENCY, runCell);
  await pool(changes, CONCURRENCY, runCell);
  console.log(`authz matrix: ${cells.length} cells (${routes.length} routes × ${ROLES.length} roles × relations) in ${Date.now() - t0} ms (fixture ${fixtureMs} ms)`);

  answered = cells;
  const got = cells.map((x) => ({ method: x.r.method, path: x.r.path, role: x.role, relation: x.relation, status: x.got }));
  got.sort((a, b) => (rowKey(a) < rowKey(b) ? -1 : rowKey(a) > rowKey(b) ? 1 : 0));
  const text = [HEADER, ...got.map((x) => `${rowKey(x)}\t${x.status}`)].join('\n') + '\n';
  if (process.env.SHENLIAO_AUTHZ_WRITE === '1') {
    mkdirSync(dirname(TABLE), { recursive: true });
    writeFileSync(TABLE, text);
    console.log(`authz matrix: wrote ${TABLE} (${got.length} rows); review it with git diff`);
    assert.deepEqual(problems, []);
    return;
  }

  let lines;
  try { lines = readFileSync(TABLE, 'utf8').split('\n').filter((l) => l !== ''); } catch (e) {
    assert.fail(`no ${TABLE}: run with SHENLIAO_AUTHZ_WRITE=1 and review it (${e.message})`);
  }
  assert.equal(lines[0], HEADER, `${TABLE}: the first line is the header`);
  const want = new Map();
  for (const l of lines.slice(1)) {
    const f = l.split('\t');
    if (f.length !== 5) { problems.push(`${TABLE}: malformed row: ${l}`); continue; }
    want.set(f.slice(0, 4).join('\t'), f[4]);
  }
  const known = new Set(routes.map((r) => `${r.method}\t${r.path}`));
  const covered = new Set([...want.keys()].map((k) => k.split('\t').slice(0, 2).join('\t')));
  for (const r of routes) {
    if (!covered.has(`${r.method}\t${r.path}`)) problems.push(`new route without a row in tests/authz/expected.tsv: ${r.method} ${r.path}`);
  }
  for (const k of covered) if (!known.has(k)) problems.push(`rows in tests/authz/expected.tsv for a route that no longer exists: ${k.replace('\t', ' ')}`);
  const seen = new Set();
  for (const x of got) {
    const k = rowKey(x);
    seen.add(k);
    if (!covered.has(`${x.method}\t${x.path}`)) continue;
    if (!want.has(k)) problems.push(`no row for the cell ${k.replace(/\t/g, ' ')} (answered ${x.status})`);
    else if (want.get(k) !== x.status) problems.push(`${k.replace(/\t/g, ' ')}: expected ${want.get(k)}, answered ${x.status}`);
  }
  for (const k of want.keys()) {
    if (!seen.has(k) && known.has(k.split('\t').slice(0, 2).join('\t'))) problems.push(`row for a cell that is not run: ${k.replace(/\t/g, ' ')}`);
  }
  if (problems.length) console.log(`authz matrix: ${problems.length} differences:\n  ${problems.join('\n  ')}`);
  assert.deepEqual(problems, [], `${problems.length} cells differ from tests/authz/expected.tsv`);
});

// What the matrix cannot show by a status: a list answers 200 but must hold only what the
// caller may see. A handling unit's account sees only what is assigned to it.
test('a handling unit lists no one in the registry, no topic, and only the output assigned to it', async () => {
  const h = sessions.handler;
  assert.ok(h, 'the matrix made the fixture');
  for (const path of ['/api/v1/people?limit=500', '/api/v1/topics?limit=500']) {
    const r = await h.get(path);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.data.items, [], path);
  }
  const outs = await h.get('/api/v1/outputs?limit=500');
  assert.equal(outs.status, 200, outs.text);
  assert.deepEqual(outs.data.items.map((x) => x.id), [objects.own.output]);
  const r = await h.get(`/api/v1/people?org=${bodies.own}`);
  assert.equal(r.status, 403, r.text);
});

// The route's declared role is checked before the body is read: a caller who may not call
// the route learns nothing from how its body is refused.
test('a route\'s declared role comes before the body: a guest\'s bad body to an organizer route is 403', async () => {
  const g = sessions.guest;
  assert.ok(g, 'the matrix made the fixture');
  const send = (method, path, body, type = 'application/json') => fetch(srv.url + path, {
    method, body, redirect: 'manual',
    headers: { Cookie: g.cookieHeader(), 'X-CSRF-Token': g.csrf, 'Content-Type': type },
  }).then(async (r) => ({ status: r.status, text: await r.text() }));
  for (const [method, path, body, type] of [
    ['POST', '/api/v1/people', '{"name":"一","name":"二"}'],
    ['POST', '/api/v1/orgs', '{bad'],
    ['PATCH', `/api/v1/sessions/${objects.own.session}`, 'title=x', 'text/plain'],
    ['POST', '/people/new', 'name=%FF', 'application/x-www-form-urlencoded'],
  ]) {
    const r = await send(method, path, body, type);
    assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
  }
});

// A body of the wrong types cannot hide a missing authorization either. The dispatcher
// checks every member against the route's declaration (type, blank, length, range) after the
// sign-in, the route's role and CSRF, but before the handler looks at the object the path
// names (docs/ARCHITECTURE.md, "Order of checks"). So, for every API change that names an
// object: (1) a cell refused before the body is read (401, or 403 for a role below the
// route's) is refused the same way with every declared field of the wrong type; (2) a cell
// refused 404 in an unrelated body gets, with the wrong types, exactly the answer that an id
// no object has gets: the answer tells nothing about the object.
const RANK = { guest: 1, leader: 1, member: 2, handler: 2, organizer: 3, admin: 4 };
const NEEDS = { organizer: 3, admin: 4 };
test('a body of the wrong types tells nothing: refused as before, or as for an id that does not exist', async () => {
  assert.ok(answered.length, 'the matrix ran');
  const doc = (await sessions.anonymous.get('/api/v1/openapi.json')).data;
  const wrong = (schema) => {
    const t = [].concat(schema.type).find((x) => x !== 'null');
    return t === 'string' ? 5 : 'x';
  };
  const changes = answered.filter((x) => x.r.api && x.kind && ['PATCH', 'POST', 'PUT'].includes(x.r.method) &&
    !RAW[`${x.r.method} ${x.r.path}`]);
  // refused by the dispatcher, before the body: no sign-in on a route that needs one, a role below the route's
  const early = (x) => (x.got === '401' && x.r.access !== 'public') || (x.got === '403' && RANK[x.role] < (NEEDS[x.r.access] || 0));
  // refused by the handler for the object (404, or 401 on a public route naming an internal object)
  const late = (x) => x.got === '404' || (x.got === '401' && x.r.access === 'public');
  const cells = changes.filter((x) => ['own', 'unrelated'].includes(x.relation) && (early(x) || late(x)));
  const missing = new Map(changes.filter((x) => x.relation === 'missing').map((x) => [`${x.r.method} ${x.r.path} ${x.role}`, x]));
  const problems = [];
  const sendWrong = async (x) => {
    const op = doc.paths[x.r.path][x.r.method.toLowerCase()];
    const props = op.requestBody?.content['application/json']?.schema?.properties || {};
    const body = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, wrong(v)]));
    const c = sessions[x.role];
    const headers = { 'Content-Type': 'application/json' };
    if (c.cookies.size) headers.Cookie = c.cookieHeader();
    if (c.csrf) headers['X-CSRF-Token'] = c.csrf;
    const res = await fetch(srv.url + x.path, { method: x.r.method, headers, body: JSON.stringify(body) });
    const text = await res.text();
    let code = '';
    try { code = JSON.parse(text).error?.code || ''; } catch { /* not JSON */ }
    return { status: String(res.status), code, text, body };
  };
  await pool(cells, CONCURRENCY, async (x) => {
    const a = await sendWrong(x);
    if (early(x)) {
      if (a.status !== x.got) problems.push(`${x.r.method} ${x.r.path} ${x.role} ${x.relation}: ${x.got} with a well-typed body, ${a.status} with ${JSON.stringify(a.body)}: ${a.text}`);
      return;
    }
    const m = missing.get(`${x.r.method} ${x.r.path} ${x.role}`);
    if (!m) { problems.push(`${x.r.method} ${x.r.path} ${x.role}: no "missing" cell to compare with`); return; }
    const b = await sendWrong(m);
    if (a.status !== b.status || a.code !== b.code) problems.push(`${x.r.method} ${x.r.path} ${x.role} ${x.relation}: ${a.status} ${a.code} with the wrong types, but ${b.status} ${b.code} for an id that does not exist`);
  });
  console.log(`authz matrix: ${cells.length} refused cells sent again with a body of the wrong types`);
  assert.deepEqual(problems, []);
});

// A body named inside a request (org_id, ?org=) that lies in another branch is answered as a
// body that does not exist: the caller cannot tell the two apart (ARCHITECTURE.md, "an id
// given inside a request that the caller may not see is refused as if it did not exist").
test('a body of another branch named inside a request is answered as one that does not exist', async () => {
  const { organizer, admin } = sessions;
  assert.ok(organizer, 'the matrix made the fixture');
  const asks = (org) => [
    [organizer, 'POST', '/api/v1/topics', { title: '别处议题', domain: 'society', origin: 'member', org_id: org }],
    [organizer, 'POST', '/api/v1/outputs', { kind: 'proposal', title: '别处提案', org_id: org }],
    [organizer, 'POST', '/api/v1/people', { name: '别处人员', category: 'member', org_id: org }],
    [admin, 'POST', '/api/v1/users', { username: `elsewhere-${org}`, password: PASSWORD, org_id: org }],
    [admin, 'POST', '/api/v1/orgs', { name: '别处区政协', slug: `elsewhere-${org}`, level: 'district', parent_id: org }],
    [organizer, 'GET', `/api/v1/people?org=${org}`],
    [organizer, 'GET', `/api/v1/stats?org=${org}`],
  ];
  const problems = [];
  const there = asks(bodies.unrelated), nowhere = asks(999999999);
  for (let i = 0; i < there.length; i++) {
    const [c, method, path, json] = there[i];
    const a = await c.req(method, path, { json });
    const b = await c.req(nowhere[i][1], nowhere[i][2], { json: nowhere[i][3] });
    const say = (r) => `${r.status} ${r.data?.error?.code || ''} ${r.data?.error?.field || ''}`;
    if (say(a) !== say(b)) problems.push(`${method} ${path.replace(/\d+$/, 'N')}: another branch's body ${say(a)}, no body ${say(b)}`);
  }
  assert.deepEqual(problems, []);
});
