/* The role filter of a split role index (docs/large-sites.md).
 *
 * On a part (/roles/<group>/): hides the entries of #role-index that do
 * not match, as the filter of a one-page index does, and keeps the link
 * #role-filter-all to the overview with the query (?q=).
 *
 * On the overview (/roles/): the input's data-src names a script that
 * sets window.CHARTER_ROLES to every role of every part; it is added to
 * the page with <script src> (never fetch: works from file:// and under
 * any sub-path) when the filter is first used, and the matches are
 * listed in #role-results, in index order, with their department and part.
 *
 * A query matches a role's title, its department's title, or the pinyin
 * key of its title (with or without the spaces between syllables),
 * case-insensitively. */
(function () {
  'use strict';
  var input = document.getElementById('role-filter');
  if (!input) return;
  var LIMIT = 200;
  var composing = false;
  var src = input.getAttribute('data-src');

  function query() {
    var q = input.value.trim().toLowerCase();
    return { q: q, q2: q.replace(/\s+/g, '') };
  }
  function hit(q, text, key) {
    return text.indexOf(q.q) >= 0 || key.indexOf(q.q) >= 0 ||
      key.replace(/ /g, '').indexOf(q.q2) >= 0;
  }

  // A part: the entries on the page.
  function filterPage() {
    var q = query();
    document.querySelectorAll('#role-index section.initial').forEach(function (sec) {
      var shown = 0;
      sec.querySelectorAll('li').forEach(function (li) {
        var ok = !q.q || hit(q, li.textContent.toLowerCase(), li.getAttribute('data-key') || '');
        li.hidden = !ok;
        if (ok) shown++;
      });
      sec.hidden = shown === 0;
    });
    var all = document.getElementById('role-filter-all');
    if (all) {
      var base = all.getAttribute('href').split('?')[0];
      all.setAttribute('href', q.q ? base + '?q=' + encodeURIComponent(input.value.trim()) : base);
    }
  }

  // The overview: every role, from the data script.
  var loading = false;
  function withData(then) {
    if (window.CHARTER_ROLES) return then(window.CHARTER_ROLES);
    if (loading) return;
    loading = true;
    var s = document.createElement('script');
    s.src = src;
    s.onload = function () { if (window.CHARTER_ROLES) then(window.CHARTER_ROLES); };
    document.head.appendChild(s);
  }
  function el(tag, cls, text, href) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    if (href) e.setAttribute('href', href);
    return e;
  }
  function filterAll() {
    var q = query();
    var out = document.getElementById('role-results');
    var status = document.getElementById('role-status');
    var overview = document.getElementById('role-overview');
    if (!q.q) {
      out.hidden = true;
      out.textContent = '';
      status.textContent = '';
      if (overview) overview.hidden = false;
      return;
    }
    if (!window.CHARTER_ROLES) status.textContent = input.getAttribute('data-loading') || '';
    withData(function (d) {
      var q = query();
      if (!q.q) return filterAll();
      var titles = d.titles.map(function (t) { return [t[0].toLowerCase(), t[1]]; });
      var depts = d.depts.map(function (x) { return x[0].toLowerCase(); });
      var r = d.roles, n = 0, list = document.createDocumentFragment();
      for (var i = 0; i < r.length; i += 3) {
        var t = titles[r[i]], dt = depts[r[i + 1]];
        if (!(hit(q, t[0], t[1]) || dt.indexOf(q.q) >= 0)) continue;
        n++;
        if (n > LIMIT) continue;
        var dept = d.depts[r[i + 1]], part = d.parts[dept[3]];
        var li = el('li');
        li.setAttribute('data-key', t[1]);
        li.appendChild(el('a', '', d.titles[r[i]][0], dept[2] + '/' + d.ids[r[i + 2]] + '/index.html'));
        li.appendChild(document.createTextNode(' '));
        var sd = el('span', 'dept');
        sd.appendChild(el('a', '', dept[0], '../' + dept[1]));
        li.appendChild(sd);
        li.appendChild(document.createTextNode(' '));
        var sp = el('span', 'part');
        sp.appendChild(el('a', '', part[1], part[0]));
        li.appendChild(sp);
        list.appendChild(li);
      }
      out.textContent = '';
      out.appendChild(list);
      out.hidden = n === 0;
      if (overview) overview.hidden = true;
      status.textContent = n + ' ' + (input.getAttribute('data-matches') || '') +
        (n > LIMIT ? '（' + (input.getAttribute('data-first') || '') + ' ' + LIMIT + '）' : '');
    });
  }

  var apply = src ? filterAll : filterPage;
  input.addEventListener('compositionstart', function () { composing = true; });
  input.addEventListener('compositionend', function () { composing = false; apply(); });
  input.addEventListener('input', function () { if (!composing) apply(); });
  var m = /[?&]q=([^&#]*)/.exec(location.search);
  if (m) {
    try { input.value = decodeURIComponent(m[1].replace(/\+/g, ' ')); } catch (e) { input.value = m[1]; }
    apply();
  }
})();
