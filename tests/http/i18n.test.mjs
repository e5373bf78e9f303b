// HTTP test of issue 12 item 6: no raw identifiers in the Chinese UI. Every GET page of the
// route table (src/web/routes.c) is rendered from the demo data in Chinese as the admin, an
// organizer, a member and an anonymous visitor; the text a person sees (tags, scripts, styles
// and unshown attributes stripped; alt/title/aria-label/placeholder and button values kept)
// must not hold a code of the model (a state, kind, role, format, category, origin, level...)
// as a whole word. The codes are collected from the code itself: the name tables of
// src/model/*.c and the CHECK (x IN (...)) lists of migrations/*.sql.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { startServer, Client, DEMO_PASSWORD, ADMIN_PASSWORD } from '../lib/server.mjs';

// Arrays of src/model whose strings are not codes shown to people (answers parsed from
// spreadsheets, file suffixes, spreadsheet columns, field names of a form, the Chinese
// words of fields and codes in src/model/valid.c).
const NOT_CODES = new Set(['yes', 'no', 'suffix', 'person_fields', 'extra_cols', 'field_rules',
  'texts', 'from', 'to', 'field_zh', 'code_words', 'catalogue', 'param_fields']);

// modelCodes returns the set of lower-case code words of the model.
export function modelCodes() {
  const codes = new Set();
  const word = /^[a-z][a-z_]*$/;
  for (const f of readdirSync('src/model').filter((x) => x.endsWith('.c'))) {
    const src = readFileSync(`src/model/${f}`, 'utf8');
    // every array initializer: NAME[...] = { ... };
    const re = /(\w+)\s*\[[A-Z_0-9]*\]\s*=\s*\{/g;
    let m;
    while ((m = re.exec(src))) {
      if (NOT_CODES.has(m[1])) continue;
      const end = src.indexOf('};', re.lastIndex);
      const body = src.slice(re.lastIndex, end);
      for (const s of body.matchAll(/"((?:[^"\\]|\\.)*)"/g)) if (word.test(s[1])) codes.add(s[1]);
    }
  }
  for (const f of readdirSync('migrations').filter((x) => x.endsWith('.sql'))) {
    const src = readFileSync(`migrations/${f}`, 'utf8');
    for (const m of src.matchAll(/\bIN\s*\(([^)]*)\)/g))
      for (const s of m[1].matchAll(/'([^']*)'/g)) if (word.test(s[1])) codes.add(s[1]);
  }
  return codes;
}

// catalog merges i18n/LANG.json and i18n/LANG-*.json as the server does.
function catalog(lang) {
  return Object.assign({}, ...readdirSync('i18n').sort()
    .filter((f) => f === `${lang}.json` || (f.startsWith(`${lang}-`) && f.endsWith('.json')))
    .map((f) => JSON.parse(readFileSync(`i18n/${f}`, 'utf8'))));
}

// The code tables whose codes the pages show through a catalog label: the key of code c
// is prefix + c. Read from the model's tables and the schema's CHECK lists.
function labelTables() {
  const src = (f) => readFileSync(f, 'utf8');
  const array = (f, name) => {
    const s = src(f);
    const i = s.search(new RegExp(`\\b${name}\\s*\\[`));
    assert.ok(i >= 0, `${name}[] in ${f}`);
    return [...s.slice(i, s.indexOf('};', i)).matchAll(/"([a-z][a-z_]*)"/g)].map((m) => m[1]);
  };
  const check = (table, col) => {
    for (const f of readdirSync('migrations')) {
      const s = src(`migrations/${f}`);
      const i = s.indexOf(`CREATE TABLE ${table} (`);
      if (i < 0) continue;
      const m = new RegExp(`\\b${col}\\s+IN\\s*\\(([^)]*)\\)`).exec(s.slice(i, s.indexOf('\n);', i)));
      assert.ok(m, `CHECK on ${table}.${col}`);
      return [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]);
    }
    assert.fail(`no table ${table}`);
  };
  const steps = [...src('src/model/workflow.c').matchAll(/\{OKIND_\w+,\s*"(\w+)",\s*"(\w+)"/g)]
    .flatMap((m) => [m[1], m[2]]);
  // the audit log's actions and kinds of object: the literals of every audit_write call,
  // and the "thing.verb" literals handed to the model's audit helpers
  const actions = new Set(), entities = new Set();
  for (const dir of ['src/model', 'src/web', 'src/cli'])
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.c'))) {
      const s = src(`${dir}/${f}`);
      // audit_write(db, who, org, action, entity, id, before, after)
      for (const m of s.matchAll(/\baudit_write\(([^;]*)\);/g)) {
        const args = m[1].split(',').map((x) => x.trim());
        const lit = (x) => /^"([a-z_.]+)"$/.exec(x || '')?.[1];
        if (lit(args[3])) actions.add(lit(args[3]));
        if (lit(args[4])) entities.add(lit(args[4]));
      }
      for (const m of s.matchAll(/"([a-z]+\.[a-z_]+)"/g)) if (!/\.([ch]|csv|bin|xlsx|pdf)$/.test(m[1])) actions.add(m[1]); // (file names are no actions)
    }
  return {
    audit_action_: [...actions],
    audit_entity_: [...entities],
    status_: array('src/model/session.c', 'session_moves'),
    topic_status_: array('src/model/topic.c', 'topic_moves'),
    ostate_: steps,
    kind_: [...array('src/model/output.c', 'kinds'), ...array('src/model/search.c', 'kinds')],
    adoption_: array('src/model/adoption.c', 'ok'),
    origin_: array('src/model/topic.c', 'origins'),
    cat_: array('src/model/person.c', 'person_category_codes'),
    role_: [...array('src/model/record.c', 'invite_roles'), ...array('src/model/user.c', 'role_names')],
    format_: array('src/model/session.c', 'format_names'),
    duty_kind_: array('src/model/duty.c', 'defaults'),
    commitment_status_: check('commitment', 'status'),
    '': array('src/model/org.c', 'level_names'), // levels are their own keys
    rsvp_: check('invitation', 'rsvp'),
    stmt_status_: check('statement', 'status'),
    grade_: check('output', 'reply_grade'),
  };
}

// GET page routes of the route table, e.g. "/sessions/{id}/map".
function pageRoutes() {
  const src = readFileSync('src/web/routes.c', 'utf8');
  const out = [];
  for (const m of src.matchAll(/\{GET, "([^"]+)", ACCESS_\w+, \w+, \d+, PAGE\}/g)) out.push(m[1]);
  return out;
}

// Routes that are not pages of text: files, the language switch.
const NOT_PAGES = new Set(['/static/{file}', '/lang', '/sessions/{id}.ics', '/outputs/{id}.pdf',
  '/stats/report.pdf']);

// Latin words legitimately shown in Chinese text.
const ALLOWED = new Set(['PDF', 'CSV', 'XLSX', 'API', 'shenliao']);

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };
function decode(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? all;
  });
}

// visibleText keeps what a person reads or hears of an HTML page.
export function visibleText(html) {
  let s = html.replace(/<!--[\s\S]*?-->/g, ' ').replace(/<![^>]*>/g, ' ')
    .replace(/<script\b[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style\b[\s\S]*?<\/style>/gi, ' ')
    .replace(/<template\b[\s\S]*?<\/template>/gi, ' ')
    // text written in Latin on purpose: user names, codes to type, slugs (<code>), and
    // names people gave themselves (translate="no": a display name may be "admin")
    .replace(/<(code|kbd|samp)\b[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<([a-z]+)\b[^>]*\btranslate="no"[^>]*>[\s\S]*?<\/\1>/gi, ' ');
  s = s.replace(/<([a-zA-Z][\w-]*)((?:\s+[^\s=>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g, (all, tag, attrs) => {
    const kept = [];
    const a = {};
    for (const m of attrs.matchAll(/([^\s=>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g))
      a[m[1].toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? '';
    for (const k of ['alt', 'title', 'aria-label', 'placeholder']) if (a[k]) kept.push(a[k]);
    const t = tag.toLowerCase();
    if (a.value && t === 'input' && /^(submit|button|reset)$/i.test(a.type || ''))
      kept.push(a.value);
    return ` ${kept.join(' ')} `;
  });
  s = s.replace(/<\/[^>]*>/g, ' ');
  return decode(s).replace(/\s+/g, ' ');
}

// rawWords returns the code words found in text, each once; with keys (the catalog's keys)
// also the catalog keys and label prefixes shown bare (a label asked for an empty value,
// "grade_", or for a key the catalog lacks, "status_foo").
export function rawWords(text, codes, keys = null) {
  const found = new Set();
  const prefixes = keys ? new Set([...keys].map((k) => k.replace(/[^_]*$/, '')).filter((p) => p)) : null;
  // a word is a run of Latin letters, digits, '_' and '-' (so "sz-admin", "x_y" are one word)
  for (const m of text.matchAll(/[A-Za-z0-9_][A-Za-z0-9_-]*/g)) {
    const w = m[0];
    if (ALLOWED.has(w)) continue;
    if (codes.has(w)) found.add(w);
    // (a key without '_', "attended", is also an English word)
    else if (keys && w.includes('_') && (keys.has(w) || /_$/.test(w) || [...prefixes].some((p) => w.startsWith(p)))) found.add(w);
  }
  return [...found];
}

describe('i18n: no raw identifiers in the Chinese pages of the demo', () => {
  let srv;
  const codes = modelCodes();
  const keys = new Set([...Object.keys(catalog('zh')), ...Object.keys(catalog('en'))]);
  const users = {};
  let urls = [];
  const covered = new Set();

  before(async () => {
    srv = await startServer();
    const admin = new Client(srv.url);
    await admin.login('admin', ADMIN_PASSWORD);
    for (const u of ['organizer', 'member']) {
      users[u] = new Client(srv.url);
      await users[u].login(u, DEMO_PASSWORD);
    }
    users.admin = admin;
    users.anonymous = new Client(srv.url);
    for (const c of Object.values(users)) c.cookies.set('sl_lang', 'zh');

    // states the demo data does not hold, made through the API so their pages are seen too:
    // a proposed and a rejected topic, an archived session, a pending and a removed
    // statement (pre-moderation), commitments in progress, done and dropped, a declined
    // invitation.
    const org = users.organizer;
    const ok = (r, what) => { assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text}`); return r.data; };
    ok(await org.post('/api/v1/topics', { title: '社区养老服务的数字化', origin: 'public', domain: 'society' }), 'topic');
    const t2 = ok(await org.post('/api/v1/topics', { title: '未获通过的选题', origin: 'member', domain: 'society' }), 'topic');
    ok(await org.post(`/api/v1/topics/${t2.id}/transition`, { to: 'rejected' }), 'reject topic');
    const list = ok(await org.get('/api/v1/sessions?limit=200'), 'sessions').items;
    const closed = list.find((x) => x.status === 'closed' && x.id !== 1);
    ok(await org.post(`/api/v1/sessions/${closed.id}/transition`, { to: 'archived' }), 'archive');
    const live = list.find((x) => x.status === 'live');
    ok(await org.post(`/api/v1/sessions/${live.id}/room`, { moderation: 'pre', open: true }), 'room');
    ok(await users.member.post(`/api/v1/sessions/${live.id}/statements`, { text: '应当为老年人提供更多数字技能培训' }), 'statement');
    const st = ok(await users.member.post(`/api/v1/sessions/${live.id}/statements`, { text: '这条观点将被移除' }), 'statement');
    ok(await org.patch(`/api/v1/statements/${st.id}`, { status: 'rejected' }), 'moderate');
    const commitments = ok(await org.get('/api/v1/sessions/1'), 'session 1').commitments;
    for (const [i, status] of ['in_progress', 'done', 'dropped'].entries())
      if (commitments[i]) ok(await org.patch(`/api/v1/commitments/${commitments[i].id}`, { status }), 'commitment');
    const inv = ok(await users.member.get('/api/v1/me/invitations'), 'invitations').items.find((x) => x.rsvp === 'pending');
    if (inv) ok(await users.member.post(`/api/v1/invitations/${inv.id}/answer`, { answer: 'declined' }), 'answer');

    const all = async (path) => {
      const items = [];
      let next = `${path}${path.includes('?') ? '&' : '?'}limit=200`;
      for (let i = 0; next && i < 20; i++) {
        const r = await admin.get(next);
        assert.equal(r.status, 200, `${next}: ${r.text}`);
        items.push(...r.data.items);
        next = r.data.next ? `${path}${path.includes('?') ? '&' : '?'}limit=200&cursor=${encodeURIComponent(r.data.next)}` : null;
        if (r.data.next && typeof r.data.next === 'string' && r.data.next.startsWith('/')) next = r.data.next;
      }
      return items;
    };
    // one of each distinct value of the fields named (e.g. a session in each state)
    const oneOfEach = (items, ...fields) => {
      const seen = new Map();
      for (const x of items) {
        const k = fields.map((f) => x[f]).join('/');
        if (!seen.has(k)) seen.set(k, x.id);
      }
      return [...seen.values()];
    };
    const sessions = await all('/api/v1/sessions');
    const topics = await all('/api/v1/topics');
    const outputs = await all('/api/v1/outputs');
    const people = await all('/api/v1/people');
    const orgs = await all('/api/v1/orgs');
    const accounts = await all('/api/v1/users');
    const ids = {
      sessions: oneOfEach(sessions, 'status'),
      topics: oneOfEach(topics, 'status', 'origin'),
      outputs: oneOfEach(outputs, 'kind', 'state'),
      people: oneOfEach(people, 'category'),
      orgs: orgs.map((o) => o.id),
      users: oneOfEach(accounts, 'role'),
    };
    // sessions 1 (the worked example) and any with an opinion room
    if (!ids.sessions.includes(1)) ids.sessions.push(1);
    const codesOfRooms = [];
    for (const s of sessions) {
      const r = await admin.get(`/api/v1/sessions/${s.id}/room`);
      if (r.status === 200 && r.data.code) {
        codesOfRooms.push(r.data.code);
        if (!ids.sessions.includes(s.id)) ids.sessions.push(s.id);
      }
    }
    const fill = (route) => {
      const [, first] = route.split('/');
      const key = { sessions: 'sessions', topics: 'topics', outputs: 'outputs', people: 'people', orgs: 'orgs' }[first]
        ?? (route.startsWith('/admin/orgs') ? 'orgs' : route.startsWith('/admin/users') ? 'users' : null);
      if (route.includes('{code}')) return codesOfRooms.map((c) => route.replace('{code}', c));
      if (!route.includes('{id}')) return [route];
      assert.ok(key, `no ids for ${route}`);
      return ids[key].map((id) => route.replace('{id}', id));
    };
    for (const r of pageRoutes()) {
      if (NOT_PAGES.has(r)) continue;
      for (const u of fill(r)) urls.push({ route: r, url: u });
    }
    urls.push({ route: '/search', url: `/search?q=${encodeURIComponent('生育')}` });
    urls.push({ route: '/search', url: `/search?q=${encodeURIComponent('营商环境')}` });
    urls.push({ route: '/outputs/new', url: `/outputs/new?suggestion_id=1` });
    urls.push({ route: '/stats', url: `/stats?year=2024` });
    urls.push({ route: '/orgs/{id}/rules/diff', url: `/orgs/${orgs.find((o) => o.slug === 'sz').id}/rules/diff?from=2.0&to=2.0` });
    urls.push({ route: '/login', url: `/login?next=/dashboard` });
    // the correction pages of the record's items (issue 11), of session 1
    const s1 = (await admin.get('/api/v1/sessions/1')).data;
    for (const [kind, list] of [['remarks', s1.remarks], ['points', s1.agreed], ['suggestions', s1.suggestions], ['commitments', s1.commitments], ['invitations', s1.invitations]])
      if (list && list.length) urls.push({ route: '/sessions/{id}/{kind}/{item}/{action}', url: `/sessions/1/${kind}/${list[0].id}/edit` });
    urls = urls.filter((x, i) => urls.findIndex((y) => y.url === x.url) === i);
  });
  after(async () => { await srv.stop(); });

  test('every code the pages label has its label in both catalogs', () => {
    const zh = catalog('zh'), en = catalog('en');
    const missing = [];
    for (const [prefix, list] of Object.entries(labelTables())) {
      assert.ok(list.length > 0, `codes for ${prefix}`);
      for (const code of new Set(list))
        for (const [lang, cat] of [['zh', zh], ['en', en]])
          if (typeof cat[prefix + code] !== 'string') missing.push(`${lang}: ${prefix}${code}`);
    }
    assert.deepEqual(missing, [], `labels missing from the catalogs:\n${missing.join('\n')}`);
  });

  test("the model's Chinese words for codes (its messages) agree with the catalog", () => {
    const zh = catalog('zh');
    const prefix = { session: 'status_', topic: 'topic_status_', output: 'ostate_', kind: 'kind_', level: '' };
    const rows = [...readFileSync('src/model/valid.c', 'utf8').matchAll(/\{"(\w+)", "(\w+)", "([^"]+)"\}/g)];
    assert.ok(rows.length > 20, 'code_words rows');
    const bad = rows.filter(([, ns, code, word]) => zh[prefix[ns] + code] !== word)
      .map(([, ns, code, word]) => `${ns} ${code}: ${word} in valid.c, ${zh[prefix[ns] + code]} in the catalog`);
    assert.deepEqual(bad, []);
  });

  test('the codes of the model are collected from the code', () => {
    for (const w of ['draft', 'scheduled', 'live', 'closed', 'accepted', 'proposal', 'organizer',
      'expert', 'counterpart', 'assigned', 'province', 'leader', 'instruction'])
      assert.ok(codes.has(w), `${w} is among the codes`);
  });

  for (const who of ['organizer', 'admin', 'member', 'anonymous']) {
    test(`every page in zh as ${who}`, async (t) => {
      const bad = [];
      let shown = 0;
      for (const { route, url } of urls) {
        const r = await users[who].get(url);
        // the home page sends each visitor on (to the dashboard or the sessions)
        if (route === '/' && r.status >= 300 && r.status < 400) covered.add(route);
        if (r.status !== 200 || !(r.headers.get('content-type') || '').startsWith('text/html')) continue;
        shown++;
        covered.add(route);
        const words = rawWords(visibleText(r.text), codes, keys);
        if (words.length) bad.push(`${url}: ${words.join(', ')}`);
      }
      t.diagnostic(`${who}: ${shown} of ${urls.length} pages shown`);
      assert.ok(shown > 0, `${who} saw no page`);
      assert.deepEqual(bad, [], `raw identifiers in the Chinese UI as ${who}:\n${bad.join('\n')}`);
    });
  }

  test('every page in en as admin and organizer: no catalog key shown bare', async () => {
    const bad = [];
    for (const who of ['admin', 'organizer']) {
      const c = new Client(srv.url);
      c.cookies = new Map(users[who].cookies);
      c.cookies.set('sl_lang', 'en');
      for (const { url } of urls) {
        const r = await c.get(url);
        if (r.status !== 200 || !(r.headers.get('content-type') || '').startsWith('text/html')) continue;
        const words = rawWords(visibleText(r.text), new Set(), keys);
        if (words.length) bad.push(`${who} ${url}: ${words.join(', ')}`);
      }
    }
    assert.deepEqual(bad, [], `catalog keys in the English UI:\n${bad.join('\n')}`);
  });

  test('every GET page of the route table was rendered', () => {
    const missing = pageRoutes().filter((r) => !NOT_PAGES.has(r) && !covered.has(r));
    assert.deepEqual(missing, [], `pages never rendered: ${missing.join(', ')}`);
  });

  test('the checker finds a raw word and keeps shown attributes', () => {
    const html = '<p class="accepted">状态：accepted</p><button value="scheduled">draft</button>'
      + '<input type="submit" value="live"><img alt="closed"><script>var proposal</script><code>member</code>'
      + '<td translate="no">admin</td><input name="x" value="expert"><dd>grade_</dd><dd>status_nope</dd>';
    assert.deepEqual(rawWords(visibleText(html), codes).sort(), ['accepted', 'closed', 'draft', 'live']);
    const keys = new Set(['status_draft', 'grade_A']);
    assert.deepEqual(rawWords(visibleText(html), codes, keys).sort(), ['accepted', 'closed', 'draft', 'grade_', 'live', 'status_nope']);
  });
});
