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

  var es = new EventSource('/api/v1/sessions/' + session + '/events');
  es.addEventListener('snapshot', refresh);
  es.addEventListener('hello', function (e) {
    var seen = el.querySelector('[data-version]') || el;
    try {
      var v = JSON.parse(e.data).version;
      var have = parseInt((document.getElementById('live') || document.getElementById('phone-live') || seen).getAttribute('data-version') || '0', 10);
      if (v > have) refresh();
    } catch (err) { /* ignore */ }
  });
}());
