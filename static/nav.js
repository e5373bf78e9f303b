// nav.js - the phone menu. Loaded in <head> (blocking, a few lines): it marks <html> with
// class "js" at once, so the stylesheet folds the navigation behind the 菜单 button only
// when a script can open it again (without script the links simply stay listed). The
// button says whether the menu is open (aria-expanded); Escape closes it and gives focus
// back to the button; Tab moves through the links and on into the page (no trap). The
// link of the current section gets aria-current="page".
(function () {
  'use strict';
  document.documentElement.className += ' js';
  function wire() {
    var btn = document.getElementById('nav-toggle');
    var nav = document.getElementById('nav');
    if (!btn || !nav) return;
    // the link of the section the page belongs to says so (aria-current)
    var path = location.pathname, links = nav.querySelectorAll('a[href^="/"]');
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute('href');
      if (href !== '/' && (path === href || path.indexOf(href + '/') === 0)) links[i].setAttribute('aria-current', 'page');
    }
    var top = btn.parentNode;
    function set(open) {
      btn.setAttribute('aria-expanded', open ? 'true' : 'false');
      if (open) top.classList.add('open'); else top.classList.remove('open');
    }
    btn.addEventListener('click', function () {
      set(btn.getAttribute('aria-expanded') !== 'true');
    });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && btn.getAttribute('aria-expanded') === 'true') {
        set(false);
        btn.focus();
      }
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wire);
  else wire();
}());
