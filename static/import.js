// import.js - the people import page's file upload: the chosen XLSX workbook or CSV file
// is sent as it is to POST /api/v1/people/import (the server reads no multipart forms),
// with the page's CSRF token. Success goes to the people list with the counts (added /
// updated / unchanged / not imported); a refused file or rows, and rows not imported, are
// shown here, as the server words them. Without script the section stays hidden and the
// paste form below still works.
(function () {
  'use strict';
  var XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  function wire() {
    var box = document.getElementById('import-upload');
    if (!box) return;
    var form = document.getElementById('import-file-form');
    var input = document.getElementById('import-file');
    var status = document.getElementById('import-file-status');
    box.hidden = false;
    function say(text, rows, cols) {
      status.textContent = '';
      var p = document.createElement('p');
      p.className = rows ? 'alert' : 'notice';
      p.textContent = text;
      status.appendChild(p);
      if (!rows || !rows.length) return;
      var table = document.createElement('table');
      table.className = 'stack';
      var head = table.createTHead().insertRow();
      cols.forEach(function (c) { var th = document.createElement('th'); th.textContent = box.dataset[c]; head.appendChild(th); });
      var body = table.createTBody();
      rows.forEach(function (r) {
        var tr = body.insertRow();
        cols.forEach(function (c) {
          var td = tr.insertCell();
          td.setAttribute('data-label', box.dataset[c]);
          td.textContent = String(r[c] === undefined ? '' : r[c]);
        });
      });
      var wrap = document.createElement('div');
      wrap.className = 'table-wrap';
      wrap.appendChild(table);
      status.appendChild(wrap);
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var f = input.files && input.files[0];
      if (!f) { say(box.dataset.choose); return; }
      var xlsx = /\.xlsx$/i.test(f.name) || f.type === XLSX;
      say(box.dataset.sending);
      fetch('/api/v1/people/import', {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'Content-Type': xlsx ? XLSX : 'text/csv',
          'X-CSRF-Token': box.dataset.csrf,
          'Content-Disposition': 'attachment; filename="' + encodeURIComponent(f.name) + '"'
        },
        body: f
      }).then(function (res) {
        return res.json().then(function (j) { return { ok: res.ok, j: j }; });
      }).then(function (r) {
        var j = r.j;
        if (r.ok && !j.refused) {
          location.href = '/people?imported=' + j.imported + '&added=' + j.added + '&updated=' + j.updated +
            '&unchanged=' + j.unchanged + '&refused=0';
          return;
        }
        if (r.ok) { say(box.dataset.refusals, j.refusals, ['line', 'message']); return; }
        var err = j.error || {};
        say(box.dataset.failed + (err.message || ''), err.rows || [], ['line', 'column', 'message']);
      }).catch(function () { say(box.dataset.failed); });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wire);
  else wire();
})();
