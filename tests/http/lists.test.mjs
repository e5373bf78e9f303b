// HTTP tests of keyset paging and kept counts (issue 14): the public session list pages by
// the start and id of a row (after= / before=), old ?page=N links redirect to the same page,
// and "page N of M" and the JSON list's total come from counts the database keeps; after a
// random series of changes the kept counts still equal the sessions the list shows.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const anon = () => new Client(srv.url);
async function as(username, password = DEMO_PASSWORD) {
  const c = new Client(srv.url);
  await c.login(username, password);
  return c;
}
function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text}`);
  return r.data;
}
const unescape = (s) => s.replace(/&amp;/g, '&');
const pageIds = (html) => [...html.matchAll(/<a class="title" href="\/sessions\/(\d+)"/g)].map((m) => Number(m[1]));
const rel = (html, r) => { const m = new RegExp(`href="([^"]*)" rel="${r}"`).exec(html); return m ? unescape(m[1]) : null; };
const label = (html) => { const m = /第 (\d+) 页(?: \/ 共 (\d+) 页)?/.exec(html); return m ? [Number(m[1]), m[2] ? Number(m[2]) : null] : null; };

// every session the anonymous JSON list holds (by id, the API's own paging)
async function apiAll(c, query = '') {
  const all = [];
  let cursor = null, total = null;
  do {
    const r = ok(await c.get(`/api/v1/sessions?limit=500${query}${cursor ? `&cursor=${cursor}` : ''}`), 'list');
    all.push(...r.items);
    cursor = r.next;
    total = r.total;
  } while (cursor);
  return { all, total };
}
// the newest-first order of the list page: by start, newest first, undated last; ties by id
function newestFirst(items) {
  const t = (s) => (s.starts_at ? Date.parse(s.starts_at) : null);
  return [...items].sort((a, b) => {
    const ta = t(a), tb = t(b);
    if (ta === null && tb === null) return b.id - a.id;
    if (ta === null) return 1;
    if (tb === null) return -1;
    return tb - ta || b.id - a.id;
  }).map((s) => s.id);
}
async function walk(c, first) {
  const pages = [];
  let path = first;
  while (path) {
    const r = await c.get(path);
    assert.equal(r.status, 200, r.text);
    pages.push({ path, ids: pageIds(r.text), label: label(r.text), prev: rel(r.text, 'prev') });
    path = rel(r.text, 'next');
    assert.ok(pages.length < 100, 'the walk ends');
  }
  return pages;
}

describe('keyset paging of the public session list', () => {
  const made = [];
  let org, topics;
  before(async () => {
    org = await as('organizer');
    topics = [];
    for (const domain of ['society', 'economy']) {
      const t = ok(await org.post('/api/v1/topics', { title: `分页议题 ${domain}`, domain, origin: 'member' }), 'topic');
      ok(await org.post(`/api/v1/topics/${t.id}/transition`, { to: 'approved' }), 'approve');
      topics.push(t.id);
    }
    const expert = ok(await org.post('/api/v1/people', { name: '分页专家', category: 'expert' }), 'person').id;
    // 130 public sessions: starts spread over 2024-2025 with ties (same minute), a few
    // undated, a few internal and a few left draft (neither of those two listed)
    for (let i = 0; i < 130; i++) {
      const day = 1 + (i % 27), month = 1 + (i % 12), year = 2024 + (i % 2);
      const body = {
        topic_id: topics[i % 2], title: `分页深聊会 ${i}`, formats: ['expert'],
        visibility: i % 17 === 5 ? 'internal' : 'public',
      };
      if (i % 23 !== 7) body.starts_at = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${i % 3 === 0 ? '09:30' : '14:00'}`;
      const s = ok(await org.post('/api/v1/sessions', body), 'session');
      made.push(s.id);
      if (i % 19 === 3) continue; // stays draft
      ok(await org.post(`/api/v1/sessions/${s.id}/invitations`, { person_id: expert }), 'invite');
      ok(await org.post(`/api/v1/sessions/${s.id}/transition`, { to: 'scheduled' }), 'schedule');
    }
  });

  test('forward and back by the links give every public session once, in order', async () => {
    const c = anon();
    const { all, total } = await apiAll(c);
    assert.equal(total, all.length, 'the JSON total is the number of sessions the list holds');
    assert.ok(all.length > 100, `enough for three pages: ${all.length}`);
    const want = newestFirst(all);
    const pages = await walk(c, '/sessions');
    const npages = Math.ceil(want.length / 50);
    assert.equal(pages.length, npages);
    assert.deepEqual(pages.flatMap((p) => p.ids), want);
    pages.forEach((p, i) => {
      assert.deepEqual(p.label, [i + 1, npages], `page ${i + 1}: ${p.path}`);
      if (i < npages - 1) assert.equal(p.ids.length, 50);
      if (i > 0) assert.match(p.path, /^\/sessions\?after=(\d+|n)_\d+&page=\d+$/);
    });
    // back from the last page by the prev links: the same pages
    const back = [];
    let path = pages[pages.length - 1].path;
    while (path) {
      const r = await c.get(path);
      back.unshift(pageIds(r.text));
      path = rel(r.text, 'prev');
      assert.ok(back.length <= npages, 'the way back ends');
    }
    assert.deepEqual(back, pages.map((p) => p.ids));
    // an old ?page=N address redirects once to the keyset address of that page
    const old = await c.get('/sessions?page=2', { redirect: 'manual' });
    assert.equal(old.status, 303);
    assert.equal(old.headers.get('location'), pages[1].path);
    const last = await c.get(`/sessions?page=${npages}`, { redirect: 'manual' });
    assert.equal(last.headers.get('location'), pages[npages - 1].path);
    // past the end, and an unreadable key: the first page, as a bad page number always was
    for (const p of [`/sessions?page=${npages + 5}`, '/sessions?after=garbage', '/sessions?after=12_x', '/sessions?before=_']) {
      const r = await c.get(p);
      assert.equal(r.status, 200, p);
      assert.deepEqual(pageIds(r.text), pages[0].ids, p);
    }
  });

  test('filters keep their links; the year list pages and counts alone', async () => {
    const c = anon();
    const { all, total } = await apiAll(c, '&year=2025&domain=economy');
    assert.equal(total, all.length);
    assert.ok(all.every((s) => s.starts_at && s.starts_at.startsWith('2025')));
    const pages = await walk(c, '/sessions?year=2025&domain=economy');
    assert.deepEqual(pages.flatMap((p) => p.ids), newestFirst(all));
    for (const p of pages.slice(1)) assert.match(p.path, /&year=2025&domain=economy$/);
  });

  test('the kept counts follow a random series of changes', async () => {
    const c = anon();
    let seed = 14;
    const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const filters = ['', '&year=2024', '&year=2025', '&domain=society', '&domain=economy', '&status=scheduled', '&status=live', '&year=2024&domain=economy&status=scheduled'];
    for (let step = 0; step < 40; step++) {
      const id = made[rnd(made.length)];
      const s = ok(await org.get(`/api/v1/sessions/${id}`), 'read');
      const k = rnd(5);
      let r;
      if (k === 0) r = await org.patch(`/api/v1/sessions/${id}`, { visibility: s.visibility === 'public' ? 'internal' : 'public' });
      else if (k === 1) r = await org.patch(`/api/v1/sessions/${id}`, { starts_at: `${2023 + rnd(3)}-0${1 + rnd(9)}-1${rnd(10)}T10:00` });
      else if (k === 2) r = await org.patch(`/api/v1/sessions/${id}`, { topic_id: topics[rnd(2)] });
      else if (k === 3) r = await org.post(`/api/v1/sessions/${id}/transition`, { to: s.status === 'scheduled' ? (rnd(2) ? 'live' : 'draft') : 'scheduled' });
      else r = await org.patch(`/api/v1/topics/${topics[rnd(2)]}`, { domain: ['society', 'economy', 'culture'][rnd(3)] });
      assert.ok(r.status < 500, r.text); // a refused move (409/422) changes nothing, which is checked too
      if (step % 5 === 4 || step === 39) {
        for (const f of filters) {
          const { all, total } = await apiAll(c, f);
          assert.equal(total, all.length, `step ${step}, filter ${f}`);
        }
        const first = await c.get('/sessions');
        const n = (await apiAll(c)).all.length;
        assert.deepEqual(label(first.text), [1, Math.ceil(n / 50)]);
      }
    }
  });

  test('a signed-in list pages by keyset too, without a kept total', async () => {
    const { all } = await apiAll(org);
    const r = ok(await org.get('/api/v1/sessions?limit=5'), 'list');
    assert.equal(r.total, undefined);
    const pages = await walk(org, '/sessions');
    const ids = pages.flatMap((p) => p.ids);
    assert.equal(new Set(ids).size, ids.length, 'no session twice');
    assert.deepEqual(ids, newestFirst(all));
    assert.equal(pages[0].label[1], null);
  });
});
