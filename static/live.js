// live.js - keeps the opinion map and the phone page current without reloading: listens to
// the session's server-sent events and, on each new snapshot, fetches the fresh HTML of
// the live part and swaps it in. Works without it too (the pages are complete HTML).
(function () {
  'use strict';
  var root = document.getElementById('live-root');
  var phone = document.getElementById('phone');
  var el = root || phone;
  if (!el || !window.EventSource) return;
  var session = el.getAttribute('data-session');
  var busy = false, again = false;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var url = root ? '/sessions/' + session + '/map/live' : location.pathname;
    fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, 'text/html');
      if (root) {
        var fresh = doc.getElementById('live');
        var old = document.getElementById('live');
        if (fresh && old) old.replaceWith(fresh);
      } else {
        ['phone-live', 'voted', 'total'].forEach(function (id) {
          var fresh = doc.getElementById(id), old = document.getElementById(id);
          if (fresh && old) old.replaceWith(fresh);
        });
      }
    }).catch(function () {}).then(function () {
      busy = false;
      if (again) { again = false; refresh(); }
    });
  }

  function have() {
    var seen = document.getElementById('live') || document.getElementById('phone-live') ||
      el.querySelector('[data-version]') || el;
    return parseInt(seen.getAttribute('data-version') || '0', 10);
  }

  // Without a stream (the server's streams are full: 503, or it is unreachable) the page
  // polls the snapshot's version every 10-15 s and tries the stream again after 60-90 s.
  var poller = null;
  function poll() {
    fetch('/api/v1/sessions/' + session + '/opinion', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s && s.version > have()) refresh(); })
      .catch(function () {});
  }
  function fallback() {
    if (poller) return;
    poll();
    poller = setInterval(poll, 10000 + Math.random() * 5000);
    setTimeout(function () {
      clearInterval(poller);
      poller = null;
      listen();
    }, 60000 + Math.random() * 30000);
  }

  function listen() {
    var es = new EventSource('/api/v1/sessions/' + session + '/events');
    es.addEventListener('snapshot', refresh);
    es.addEventListener('hello', function (e) {
      try {
        if (JSON.parse(e.data).version > have()) refresh();
      } catch (err) { /* ignore */ }
    });
    // the browser reconnects by itself after a dropped stream; a refused one (503) is
    // CLOSED for good
    es.addEventListener('error', function () {
      if (es.readyState === EventSource.CLOSED) fallback();
    });
  }
  listen();
}());
