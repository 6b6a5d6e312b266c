/* Charter's sidebar. The tree of groups and departments is the same on
   every page, so it is one file for the whole site (nav.js, which calls
   CharterNav with it) instead of a copy in every page; this builds the
   list into the page's `.nav-slot` (whose data-root is the way back to
   the site's root and data-page the page's own address), marking the
   current page and opening its group, as the built-in nav.html would.
   Titles are set as text, never as HTML. Without JavaScript the slot
   keeps its link to the home page, which lists every department. */
(function () {
  'use strict';
  window.CharterNav = function (tree) {
    var slot = document.querySelector('.nav-slot');
    if (!slot || !tree) return;
    var root = slot.getAttribute('data-root') || '';
    var page = slot.getAttribute('data-page') || '';
    function link(item, cls) {
      var a = document.createElement('a');
      if (cls) a.className = cls;
      a.setAttribute('href', root + item.h);
      if (item.u === page) a.setAttribute('aria-current', 'page');
      a.textContent = item.t;
      return a;
    }
    function item(child, cls) {
      var li = document.createElement('li');
      if (cls) li.className = cls;
      li.appendChild(child);
      return li;
    }
    var list = document.createElement('ul');
    list.className = 'nav-tree';
    (tree.d || []).forEach(function (d) { list.appendChild(item(link(d))); });
    (tree.g || []).forEach(function (g) {
      var open = page.indexOf(g.u) === 0 ? ' is-open' : '';
      var li = item(link(g, 'nav-group-title'), 'nav-group' + open);
      if ((g.d && g.d.length) || (g.g && g.g.length)) {
        var sub = document.createElement('ul');
        (g.d || []).forEach(function (d) { sub.appendChild(item(link(d))); });
        (g.g || []).forEach(function (s) { sub.appendChild(item(link(s), 'nav-subgroup')); });
        li.appendChild(sub);
      }
      list.appendChild(li);
    });
    slot.parentNode.replaceChild(list, slot);
  };
})();
