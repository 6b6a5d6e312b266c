/* Charter search: the browser side of src/search (read its module docs for
 * the index format and the matching rules, which this file mirrors).
 * Every index file is a plain script loaded with <script src> that calls
 * back into window.CharterSearch, so search works from file:// and under
 * any sub-path: no fetch, no modules, no WASM, no Worker.
 *
 * Page hooks: every <form class="search-box" data-root="…"> gets a results
 * dropdown; an element #search-results (the /search/ page) shows the
 * results of ?q=. Strings come from data-* attributes of those elements.
 */
(function (G) {
  'use strict';
  var CS = G.CharterSearch;
  if (CS && CS.engine) return; // loaded twice
  CS = G.CharterSearch = {};

  /* ---------------------------------------------------------------- text */

  function inCjkRanges(u) {
    return (u >= 0x1100 && u <= 0x11FF) || (u >= 0x3005 && u <= 0x3007) ||
      (u >= 0x3021 && u <= 0x3029) || (u >= 0x3031 && u <= 0x3035) ||
      (u >= 0x3038 && u <= 0x303C) || (u >= 0x3040 && u <= 0x30FF) ||
      (u >= 0x3100 && u <= 0x312F) || (u >= 0x3130 && u <= 0x318F) ||
      (u >= 0x31A0 && u <= 0x31BF) || (u >= 0x31F0 && u <= 0x31FF) ||
      (u >= 0x3400 && u <= 0x4DBF) || (u >= 0x4E00 && u <= 0x9FFF) ||
      (u >= 0xA960 && u <= 0xA97F) || (u >= 0xAC00 && u <= 0xD7FF) ||
      (u >= 0xF900 && u <= 0xFAFF) || (u >= 0x20000 && u <= 0x323AF);
  }
  var ALNUM = /^[\p{Alphabetic}\p{N}]$/u;
  var CJK = 1, WORD = 2, SEP = 0;
  /* Class of one character (a code point string). */
  function cls(c) {
    var u = c.codePointAt(0);
    if ((u >= 0x4E00 && u <= 0x9FFF) || (u >= 0x3400 && u <= 0x4DBF)) return CJK;
    if (u < 128) {
      return (u >= 48 && u <= 57) || (u >= 65 && u <= 90) || (u >= 97 && u <= 122) ? WORD : SEP;
    }
    // Punctuation of Chinese text, without the regular expression.
    if ((u >= 0x2000 && u <= 0x206F) || (u >= 0x3000 && u <= 0x3004) || (u >= 0x3008 && u <= 0x3020) ||
      u === 0x3030 || (u >= 0x303D && u <= 0x303F) || (u >= 0xFF01 && u <= 0xFF0F) ||
      (u >= 0xFF1A && u <= 0xFF20) || (u >= 0xFF3B && u <= 0xFF40) || (u >= 0xFF5B && u <= 0xFF65)) return SEP;
    if (!ALNUM.test(c)) return SEP;
    return inCjkRanges(u) ? CJK : WORD;
  }
  /* The search normal form: NFC, then NFKC character by character, except
   * that a character whose NFKC form holds only separators stays as it is. */
  function normalize(s) {
    var out = '';
    var chars = Array.from(String(s).normalize('NFC'));
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i], u = c.codePointAt(0);
      if (u < 128 || (u >= 0x4E00 && u <= 0x9FFF) || (u >= 0x3400 && u <= 0x4DBF)) {
        out += c;
        continue;
      }
      var k = c.normalize('NFKC');
      out += Array.from(k).every(function (x) { return cls(x) === SEP; }) ? c : k;
    }
    return out;
  }
  /* Tokens of normalized text: calls f(kind, term, pos, len), kind 'c' for
   * CJK unigrams and bigrams, 'w' for lowercased words. */
  function tokens(chars, f) {
    var word = '', start = 0, prev = null;
    function flush() {
      if (word) f('w', word.toLowerCase(), start, Array.from(word).length);
      word = '';
    }
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i], k = cls(c);
      if (k === CJK) {
        flush();
        f('c', c, i, 1);
        if (prev !== null) f('c', prev + c, i - 1, 2);
        prev = c;
      } else if (k === WORD) {
        prev = null;
        if (!word) start = i;
        word += c;
      } else {
        prev = null;
        flush();
      }
    }
    flush();
  }
  /* A query: terms (all must match) of tokens {term, prefix, offset}. */
  function queryTerms(q) {
    var terms = [], seen = {};
    var parts = normalize(q).split(/\s+/);
    for (var pi = 0; pi < parts.length; pi++) {
      var chars = Array.from(parts[pi]), toks = [], i = 0;
      while (i < chars.length) {
        var k = cls(chars[i]), s = i;
        if (k === SEP) { i++; continue; }
        while (i < chars.length && cls(chars[i]) === k) i++;
        if (k === WORD) {
          toks.push({ term: chars.slice(s, i).join('').toLowerCase(), prefix: true, offset: s, len: i - s });
        } else if (i - s === 1) {
          toks.push({ term: chars[s], prefix: false, offset: s, len: 1 });
        } else {
          for (var j = 0; ; j += 2) {
            var at = Math.min(j, i - s - 2);
            toks.push({ term: chars[s + at] + chars[s + at + 1], prefix: false, offset: s + at, len: 2 });
            if (at + 2 >= i - s) break;
          }
        }
      }
      if (!toks.length) continue;
      var first = toks[0].offset;
      toks.forEach(function (t) { t.offset -= first; });
      var key = JSON.stringify(toks);
      if (!seen[key]) { seen[key] = true; terms.push(toks); }
    }
    return terms;
  }

  /* ------------------------------------------------------------- loading */

  var DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
  var VAL = new Int8Array(128).fill(-1);
  for (var di = 0; di < 64; di++) VAL[DIGITS.charCodeAt(di)] = di;
  /* The numbers of a postings string. */
  function numbers(s) {
    var out = [], v = 0, mul = 1;
    for (var i = 0; i < s.length; i++) {
      var d = VAL[s.charCodeAt(i)];
      if (d < 32) { out.push(v + d * mul); v = 0; mul = 1; } else { v += (d - 32) * mul; mul *= 32; }
    }
    return out;
  }

  var data = {}, waiting = {}, loading = {};
  function deliver(key, value) {
    data[key] = value;
    var w = waiting[key];
    delete waiting[key];
    if (w) w.forEach(function (f) { f(value); });
  }
  /* Every file but the manifest is named after its content and says its
   * name: data of two builds never mix. */
  CS.m = function (m) { deliver('m', m); };
  CS.g = function (name, s) { deliver('g' + name, s); };
  CS.d = function (name, a) { deliver('d' + name, a); };
  CS.p = function (name, a) { deliver('p' + name, a); };
  CS.l = function (name, s) { deliver('l' + name, s); };
  CS.t = function (name, t) { deliver('t' + name, t); }; // a bundle of pages' texts
  CS.loaded = []; // URLs of every index file requested, for tools
  /* Loads a script that calls back with `key`; resolves with its data. */
  function load(url, key) {
    if (key in data) return Promise.resolve(data[key]);
    if (loading[key]) return loading[key];
    var p = new Promise(function (resolve, reject) {
      (waiting[key] = waiting[key] || []).push(resolve);
      var s = document.createElement('script');
      s.src = url;
      s.charset = 'utf-8';
      s.async = true;
      s.onerror = function () {
        delete loading[key];
        reject(new Error('cannot load ' + url));
      };
      s.onload = function () {
        if (!(key in data)) {
          delete loading[key];
          reject(new Error('no data in ' + url));
        }
      };
      CS.loaded.push(url);
      (document.head || document.documentElement).appendChild(s);
    });
    loading[key] = p;
    return p;
  }

  /* -------------------------------------------------------------- engine */

  var K1 = 1.2, MAX_PREFIX_CHUNKS = 16;

  function Engine(root) {
    this.root = root;
    this.manifest = null;
  }
  Engine.prototype.ready = function () {
    var self = this;
    if (!this._ready) {
      this._ready = load(this.root + 'search/index.js', 'm').then(function (m) {
        if (m.v !== 3) throw new Error('search index version ' + m.v);
        self.manifest = m;
        self.bundleFirst = starts(m.tb);
        self.listFirst = starts(m.lb);
        self.dir = self.root + 'search/';
        return m;
      });
      this._ready.catch(function () { self._ready = null; });
    }
    return this._ready;
  };
  Engine.prototype.chunkOf = function (term) {
    var c = this.manifest.c, lo = 0, hi = c.length; // first index with c[i] > term
    while (lo < hi) { var mid = (lo + hi) >> 1; if (c[mid] <= term) lo = mid + 1; else hi = mid; }
    return lo - 1;
  };
  /* The i-th name of a string of names (manifest, lists). */
  var NAME = 12;
  function nth(names, i) { return names.slice(i * NAME, i * NAME + NAME); }
  /* A file search/<kind>/<name>.js, whose data is kept under kind + name. */
  Engine.prototype.file = function (kind, name) { return load(this.dir + kind + '/' + name + '.js', kind + name); };
  /* The names of chunk i's files, [dictionary, positions], from its group. */
  Engine.prototype.chunkNames = function (i) {
    var gs = this.manifest.gs, lo = 0, hi = gs.length; // first group starting after i
    while (lo < hi) { var mid = (lo + hi) >> 1; if (gs[mid] <= i) lo = mid + 1; else hi = mid; }
    var g = lo - 1, k = i - gs[g];
    return this.file('g', nth(this.manifest.g, g)).then(function (names) {
      return [nth(names, 2 * k), nth(names, 2 * k + 1)];
    });
  };
  Engine.prototype.dict = function (i) {
    var self = this;
    return this.chunkNames(i).then(function (n) { return self.file('d', n[0]); });
  };
  Engine.prototype.positions = function (i) {
    var self = this;
    return this.chunkNames(i).then(function (n) { return self.file('p', n[1]); });
  };
  /* Running sums of a numbers string, from 0. */
  function starts(s) {
    var n = numbers(s || ''), out = new Int32Array(n.length + 1);
    for (var i = 0; i < n.length; i++) out[i + 1] = out[i] + n[i];
    return out;
  }
  /* The last k with a[k] <= x (a ascending, a[0] <= x). */
  function last(a, x) {
    var lo = 0, hi = a.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (a[mid] <= x) lo = mid + 1; else hi = mid; }
    return lo - 1;
  }
  /* A page's text {u, t, s, b, x}: record id - bundleFirst[b] of bundle b,
   * whose name is in the list of bundles that holds it. */
  Engine.prototype.text = function (id) {
    var self = this, b = last(this.bundleFirst, id), k = last(this.listFirst, b);
    return this.file('l', nth(this.manifest.l, k)).then(function (names) {
      return self.file('t', nth(names, b - self.listFirst[k]));
    }).then(function (pages) {
      var r = pages[id - self.bundleFirst[b]];
      if (!r) throw new Error('no text for page ' + id);
      var blocks = [];
      for (var i = 0; i + 2 < r[3].length; i += 3) blocks.push([r[3][i], r[3][i + 1], r[3][i + 2]]);
      var t = r[1];
      if (t === 0) {
        // The title is the first block of the text.
        var chars = Array.from(r[4]);
        t = chars.slice(0, blocks.length > 1 ? blocks[1][0] - 1 : chars.length).join('');
      }
      return { u: r[0], t: t, s: r[2], b: blocks, x: r[4] };
    });
  };

  /* Dictionary entries of a token: [{chunk, index, post}]. */
  Engine.prototype.entries = function (tok) {
    var self = this, c = this.manifest.c;
    if (!c.length) return Promise.resolve([]);
    var first = this.chunkOf(tok.term);
    if (first < 0) { if (!tok.prefix) return Promise.resolve([]); first = 0; }
    var chunks = [first];
    if (tok.prefix) {
      for (var i = first + 1; i < c.length && c[i].startsWith(tok.term) && chunks.length < MAX_PREFIX_CHUNKS; i++) chunks.push(i);
    }
    return Promise.all(chunks.map(function (i) { return self.dict(i); })).then(function (ds) {
      var out = [];
      ds.forEach(function (d, k) {
        var n = d.length >> 1, lo = 0, hi = n;
        while (lo < hi) { var mid = (lo + hi) >> 1; if (d[2 * mid] < tok.term) lo = mid + 1; else hi = mid; }
        if (tok.prefix) {
          for (var j = lo; j < n && d[2 * j].startsWith(tok.term); j++) out.push({ chunk: chunks[k], index: j, post: d[2 * j + 1] });
        } else if (lo < n && d[2 * lo] === tok.term) {
          out.push({ chunk: chunks[k], index: lo, post: d[2 * lo + 1] });
        }
      });
      return out;
    });
  };

  /* Postings of one dictionary entry: {docs, tf, mask} (docs ascending). */
  function decode(post) {
    var cap = post.length >> 1, docs = new Int32Array(cap), tf = new Int32Array(cap), mask = new Int8Array(cap);
    var n = 0, doc = 0, v = 0, mul = 1, second = false;
    for (var i = 0; i < post.length; i++) {
      var d = VAL[post.charCodeAt(i)];
      if (d >= 32) { v += (d - 32) * mul; mul *= 32; continue; }
      v += d * mul;
      if (!second) { doc += v; docs[n] = doc; } else { var m = v % 4; tf[n] = (v - m) / 4; mask[n] = m; n++; doc++; }
      second = !second; v = 0; mul = 1;
    }
    return { docs: docs.subarray(0, n), tf: tf.subarray(0, n), mask: mask.subarray(0, n) };
  }
  /* Decoded postings, kept for the next keystroke (a few hundred at most). */
  var decoded = new Map();
  function postings(e) {
    var key = e.chunk + ':' + e.index, d = decoded.get(key);
    if (!d) {
      if (decoded.size > 400) decoded.clear();
      d = decode(e.post);
      decoded.set(key, d);
    }
    return d;
  }
  /* Postings of a token, every dictionary entry merged: {docs, tf, mask, entries}. */
  function merged(entries) {
    if (entries.length === 1) {
      var one = postings(entries[0]);
      return { docs: one.docs, tf: one.tf, mask: one.mask, entries: entries };
    }
    var acc = new Map();
    entries.forEach(function (e) {
      var m = postings(e);
      for (var i = 0; i < m.docs.length; i++) {
        var a = acc.get(m.docs[i]);
        if (a) { a[0] += m.tf[i]; a[1] |= m.mask[i]; } else acc.set(m.docs[i], [m.tf[i], m.mask[i]]);
      }
    });
    var keys = Array.from(acc.keys()).sort(function (a, b) { return a - b; });
    var out = { docs: new Int32Array(keys.length), tf: new Int32Array(keys.length), mask: new Int8Array(keys.length), entries: entries };
    keys.forEach(function (d, i) { var a = acc.get(d); out.docs[i] = d; out.tf[i] = a[0]; out.mask[i] = a[1]; });
    return out;
  }

  /* Positions of a token in the candidate pages `cand` (ascending):
   * {start, pos}, the positions of cand[k] being pos[start[k] .. start[k+1]). */
  Engine.prototype.tokenPositions = function (list, cand) {
    var self = this;
    return Promise.all(list.entries.map(function (e) { return self.positions(e.chunk); })).then(function (ps) {
      var per = list.entries.map(function (e, k) {
        var str = ps[k][e.index], post = postings(e), i = 0, v = 0, mul = 1;
        // Room for the positions of the candidates: the sum of their tf.
        var size = 0, c = 0, j;
        for (j = 0; j < post.docs.length && c < cand.length; j++) {
          while (c < cand.length && cand[c] < post.docs[j]) c++;
          if (c < cand.length && cand[c] === post.docs[j]) size += post.tf[j];
        }
        var start = new Int32Array(cand.length + 1), pos = new Int32Array(size), n = 0;
        c = 0;
        for (j = 0; j < post.docs.length; j++) {
          var doc = post.docs[j], tf = post.tf[j];
          while (c < cand.length && cand[c] < doc) start[++c] = n;
          if (c >= cand.length) break;
          var keep = cand[c] === doc, p = 0;
          for (var t = 0; t < tf; t++) {
            for (;;) {
              var d = VAL[str.charCodeAt(i++)];
              if (d < 32) { v += d * mul; break; }
              v += (d - 32) * mul; mul *= 32;
            }
            p = t === 0 ? v : p + v + 1;
            v = 0; mul = 1;
            if (keep) pos[n++] = p;
          }
        }
        while (c < cand.length) start[++c] = n;
        return { start: start, pos: pos };
      });
      if (per.length === 1) return per[0];
      // A prefix: positions of every word it begins, merged per page.
      var start = new Int32Array(cand.length + 1), pos = [];
      for (var c = 0; c < cand.length; c++) {
        var all = [];
        per.forEach(function (x) { for (var q = x.start[c]; q < x.start[c + 1]; q++) all.push(x.pos[q]); });
        all.sort(function (a, b) { return a - b; });
        for (var q = 0; q < all.length; q++) pos.push(all[q]);
        start[c + 1] = pos.length;
      }
      return { start: start, pos: Int32Array.from(pos) };
    });
  };

  /* Is x among a[from..to) (ascending)? */
  function within(a, from, to, x) {
    var end = to;
    while (from < to) { var mid = (from + to) >> 1; if (a[mid] < x) from = mid + 1; else to = mid; }
    return from < end && a[from] === x;
  }
  function intersect(a, b) {
    var out = [], j = 0;
    for (var i = 0; i < a.length; i++) {
      while (j < b.length && b[j] < a[i]) j++;
      if (j < b.length && b[j] === a[i]) out.push(a[i]);
    }
    return out;
  }
  var NONE = { docs: new Int32Array(0), tf: new Int32Array(0), mask: new Int8Array(0) };

  /* Bigram tokens of a term that cover runs of 3 or more CJK characters,
   * and for each such run every bigram of it: [{from, to, grams: [term
   * at offset from, from + 1, …]}]. Tokens of one run are 1 or 2 apart;
   * runs are 3 or more apart. */
  function runsOf(term) {
    var runs = [], cur = null;
    term.forEach(function (t) {
      if (t.prefix || t.len !== 2) { cur = null; return; }
      var c = Array.from(t.term);
      if (cur && t.offset <= cur.end + 1) {
        cur.chars[t.offset - cur.from] = c[0];
        cur.chars[t.offset + 1 - cur.from] = c[1];
        cur.end = t.offset + 1;
      } else {
        // end: the offset of the run's last character.
        cur = { from: t.offset, end: t.offset + 1, chars: [c[0], c[1]] };
        runs.push(cur);
      }
    });
    return runs.filter(function (r) { return r.end - r.from >= 2; }).map(function (r) {
      var grams = [];
      for (var o = r.from; o < r.end; o++) grams.push(r.chars[o - r.from] + r.chars[o + 1 - r.from]);
      return { from: r.from, to: r.end, grams: grams };
    });
  }
  /* The bigram offsets of a run whose positions cost least (cost(o): the
   * positions of the bigram at offset o) while still pinning every
   * character: the first and the last bigram, and no gap of two. */
  function cheapestCover(from, to, cost) {
    var best = [], prev = [];
    for (var o = from; o < to; o++) {
      var k = o - from, b = 0, p = -1;
      if (k > 0) {
        b = best[k - 1]; p = k - 1;
        if (k > 1 && best[k - 2] < b) { b = best[k - 2]; p = k - 2; }
      }
      best[k] = b + cost(o); prev[k] = p;
    }
    var out = [];
    for (var j = to - 1 - from; j >= 0; j = prev[j]) out.unshift(from + j);
    return out;
  }

  /* Pages matching one term: {docs (ascending), tf, mask}. The tokens'
   * postings give the candidates, the tf and the fields; adjacency is
   * checked on positions. For a run of 5, 7, … CJK characters whose
   * tokens' positions are many, the other bigrams of the run are looked up
   * too and the cheapest set of bigrams that pins every character is
   * checked instead (any such set finds the same occurrences). */
  CS.coverMin = 30000; // positions of a run's tokens; tests set it to 0
  function positionsOf(list) {
    var n = 0;
    for (var i = 0; i < list.tf.length; i++) n += list.tf[i];
    return n;
  }
  Engine.prototype.term = function (term) {
    var self = this;
    return Promise.all(term.map(function (t) { return self.entries(t); })).then(function (es) {
      if (es.some(function (e) { return !e.length; })) return NONE;
      var lists = es.map(merged);
      if (term.length === 1) return lists[0];
      // Candidates: pages holding every token, smallest list first.
      var order = lists.map(function (l, i) { return i; }).sort(function (a, b) { return lists[a].docs.length - lists[b].docs.length; });
      var cand = Array.from(lists[order[0]].docs);
      for (var k = 1; k < order.length && cand.length; k++) cand = intersect(cand, lists[order[k]].docs);
      if (!cand.length) return NONE;
      var byOffset = {};
      term.forEach(function (t, i) { if (!t.prefix && t.len === 2) byOffset[t.offset] = i; });
      var runs = runsOf(term).filter(function (r) {
        // Characters to - from + 1: 3 or 4 have one cheapest way to be
        // pinned; an even number is pinned by the tokens as they are with
        // fewest bigrams (another way takes more lookups than it saves).
        if (r.to - r.from < 4 || (r.to - r.from) % 2 === 1) return false;
        var n = 0;
        for (var o = r.from; o < r.to; o++) if (o in byOffset) n += positionsOf(lists[byOffset[o]]);
        return n >= CS.coverMin;
      });
      var all = term.slice(), every = lists.slice();
      runs.forEach(function (r) {
        r.grams.forEach(function (g, i) {
          if (!((r.from + i) in byOffset)) {
            byOffset[r.from + i] = all.length;
            all.push({ term: g, prefix: false, offset: r.from + i, len: 2 });
          }
        });
      });
      var more = all.slice(term.length);
      return Promise.all(more.map(function (t) { return self.entries(t); })).then(function (es2) {
        if (es2.some(function (e) { return !e.length; })) return NONE;
        es2.forEach(function (e) {
          var l = merged(e);
          every.push(l);
          cand = intersect(cand, l.docs);
        });
        if (!cand.length) return NONE;
        // What to check: the cheapest cover of each such run and every
        // other token; the token at offset 0 first.
        var covered = {}, checks = [];
        runs.forEach(function (r) {
          cheapestCover(r.from, r.to, function (o) { return positionsOf(every[byOffset[o]]); })
            .forEach(function (o) { checks.push(byOffset[o]); });
          for (var o = r.from; o < r.to; o++) covered[o] = true;
        });
        term.forEach(function (t, i) { if (!(!t.prefix && t.len === 2 && covered[t.offset])) checks.push(i); });
        checks.sort(function (a, b) { return all[a].offset - all[b].offset; });
        return self.adjacent(lists, cand, checks.map(function (i) { return every[i]; }), checks.map(function (i) { return all[i].offset; }));
      });
    });
  };
  /* The candidates where every checked list has a position at the first
   * one's plus its offset: {docs, tf (occurrences), mask (fields of every
   * token of `lists`)}. */
  Engine.prototype.adjacent = function (lists, cand, checked, offsets) {
    var self = this;
    return Promise.all(checked.map(function (l) { return self.tokenPositions(l, cand); })).then(function (pm) {
      var docs = [], tf = [], mask = [], at = lists.map(function () { return 0; });
      for (var c = 0; c < cand.length; c++) {
        var d = cand[c], n = 0, p0 = pm[0];
        for (var a = p0.start[c]; a < p0.start[c + 1]; a++) {
          var base = p0.pos[a], ok = true;
          for (var t = 1; t < pm.length && ok; t++) ok = within(pm[t].pos, pm[t].start[c], pm[t].start[c + 1], base + offsets[t]);
          if (ok) n++;
        }
        if (!n) continue;
        var m = 3;
        for (var t2 = 0; t2 < lists.length; t2++) {
          var ds = lists[t2].docs;
          while (ds[at[t2]] < d) at[t2]++;
          m &= lists[t2].mask[at[t2]];
        }
        docs.push(d); tf.push(n); mask.push(m);
      }
      return { docs: Int32Array.from(docs), tf: Int32Array.from(tf), mask: Int8Array.from(mask) };
    });
  };

  /* Runs a query: resolves with {terms, ids, scores}, the ids of the
   * matching pages best first (an Int32Array) and their scores. */
  Engine.prototype.search = function (q) {
    var self = this, terms = queryTerms(q);
    if (!terms.length) return Promise.resolve({ terms: terms, ids: new Int32Array(0), scores: new Float64Array(0) });
    return this.ready().then(function () {
      return Promise.all(terms.map(function (t) { return self.term(t); }));
    }).then(function (lists) {
      var r = self.rank(lists);
      return { terms: terms, ids: r.ids, scores: r.scores };
    });
  };
  /* BM25-like ranking of the pages every term matched (tf saturation, no
   * length normalization; a hit in the title triples, in a heading adds half). */
  Engine.prototype.rank = function (lists) {
    var N = Math.max(this.manifest.n, 1);
    var docs = lists[0].docs, score = new Float64Array(docs.length);
    lists.forEach(function (l, li) {
      var df = l.docs.length, idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
      if (li > 0) {
        // Keep the pages this term matched too.
        var keepDocs = [], keepScore = [], j = 0;
        for (var i = 0; i < docs.length; i++) {
          while (j < df && l.docs[j] < docs[i]) j++;
          if (j < df && l.docs[j] === docs[i]) { keepDocs.push(docs[i]); keepScore.push(score[i] + weight(l, j, idf)); }
        }
        docs = Int32Array.from(keepDocs); score = Float64Array.from(keepScore);
      } else {
        for (var k = 0; k < df; k++) score[k] = weight(l, k, idf);
      }
    });
    function weight(l, i, idf) {
      var tf = l.tf[i], m = l.mask[i];
      return idf * (tf * (K1 + 1)) / (tf + K1) * (1 + ((m & 1) ? 2 : 0) + ((m & 2) ? 0.5 : 0));
    }
    // Best first, then by page id: a counting sort on the score quantized
    // to 16 bits (pages come in id order, and the sort is stable).
    var n = docs.length, max = 0, B = 65536;
    for (var i = 0; i < n; i++) if (score[i] > max) max = score[i];
    var bins = new Int32Array(B + 1), q = new Int32Array(n);
    for (var j = 0; j < n; j++) {
      q[j] = B - 1 - (max > 0 ? Math.floor(score[j] / max * (B - 1)) : 0);
      bins[q[j] + 1]++;
    }
    for (var b = 1; b <= B; b++) bins[b] += bins[b - 1];
    var ids = new Int32Array(n), scores = new Float64Array(n);
    for (var r = 0; r < n; r++) { var at = bins[q[r]]++; ids[at] = docs[r]; scores[at] = score[r]; }
    return { ids: ids, scores: scores };
  };

  /* Where the terms occur in a page's text: [{start, end}] sorted. */
  function spans(chars, terms) {
    var exact = new Set(), prefixes = [];
    terms.forEach(function (term) {
      term.forEach(function (t) { if (t.prefix) prefixes.push(t.term); else exact.add(t.term); });
    });
    var at = new Map(); // 'c' + term or 'w' + word → [[pos, len]]
    tokens(chars, function (kind, t, p, len) {
      if (kind === 'c' ? !exact.has(t) : !prefixes.some(function (x) { return t.startsWith(x); })) return;
      var key = kind + t, l = at.get(key);
      if (l) l.push([p, len]); else at.set(key, [[p, len]]);
    });
    var words = null;
    function occ(tok) {
      if (!tok.prefix) return at.get('c' + tok.term) || [];
      if (!words) {
        words = [];
        at.forEach(function (l, key) { if (key[0] === 'w') words.push([key.slice(1), l]); });
      }
      var out = [];
      words.forEach(function (w) { if (w[0].startsWith(tok.term)) out.push.apply(out, w[1]); });
      return out;
    }
    var out = [];
    terms.forEach(function (term) {
      var lists = term.map(function (t) {
        var m = new Map();
        occ(t).forEach(function (o) { m.set(o[0], o[1]); });
        return m;
      });
      lists[0].forEach(function (len0, p) {
        var end = p + len0;
        for (var t = 1; t < term.length; t++) {
          var len = lists[t].get(p + term[t].offset);
          if (len === undefined) return;
          end = Math.max(end, p + term[t].offset + len);
        }
        out.push({ start: p, end: end });
      });
    });
    out.sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    return out;
  }

  /* A result for display: {href, title, titleMarks, subtitle, snippet}, the
   * marks and snippet as [[text, hit?]…]; the link goes to the anchor of the
   * block of the first hit after the title. */
  Engine.prototype.describe = function (id, terms) {
    var self = this;
    return this.text(id).then(function (t) {
      var chars = Array.from(t.x), sp = spans(chars, terms), blocks = t.b;
      var bodyStart = blocks.length > 1 ? blocks[1][0] : chars.length;
      var hit = null;
      for (var i = 0; i < sp.length && !hit; i++) if (sp[i].start >= bodyStart) hit = sp[i];
      if (!hit) hit = sp[0] || null;
      // The block of the hit; a hit in the title alone shows the text after it.
      var bi = 0;
      if (hit) {
        while (bi + 1 < blocks.length && blocks[bi + 1][0] <= hit.start) bi++;
      }
      var inTitle = bi === 0;
      if (inTitle && blocks.length > 1) {
        // The first body block (a role's summary rather than its department).
        bi = 1;
        while (bi + 1 < blocks.length && blocks[bi][2] !== 0) bi++;
        if (blocks[bi][2] !== 0) bi = 1;
      }
      var bStart = blocks.length ? blocks[bi][0] : 0;
      var bEnd = bi + 1 < blocks.length ? blocks[bi + 1][0] - 1 : chars.length;
      var from = hit && !inTitle ? Math.max(bStart, hit.start - 24) : bStart;
      var to = Math.min(bEnd, from + 110);
      function marked(from, to, bStart, bEnd) {
        var parts = [], cur = from;
        if (from > bStart) parts.push(['…', false]);
        sp.forEach(function (s) {
          if (s.end <= cur || s.start >= to) return;
          var a = Math.max(s.start, cur), b = Math.min(s.end, to);
          if (a > cur) parts.push([chars.slice(cur, a).join(''), false]);
          parts.push([chars.slice(a, b).join(''), true]);
          cur = b;
        });
        if (to > cur) parts.push([chars.slice(cur, to).join(''), false]);
        if (to < bEnd) parts.push(['…', false]);
        return parts;
      }
      var titleEnd = blocks.length > 1 ? blocks[1][0] - 1 : chars.length;
      var frag = !inTitle && blocks[bi] && blocks[bi][1] ? '#' + blocks[bi][1] : '';
      return {
        id: id,
        href: self.root + t.u + frag,
        title: t.t,
        titleMarks: marked(0, titleEnd, 0, titleEnd),
        subtitle: t.s,
        snippet: marked(from, to, bStart, bEnd)
      };
    });
  };

  /* Drops decoded postings (for timing the work a query does once its files are loaded). */
  Engine.prototype.forget = function () { decoded.clear(); };

  var engines = {};
  CS.engine = function (root) {
    root = root || '';
    return engines[root] || (engines[root] = new Engine(root));
  };
  CS.normalize = normalize;
  CS.queryTerms = queryTerms;
  CS.tokens = function (text, f) { tokens(Array.from(text), f); };
  CS.numbers = numbers;

  /* ------------------------------------------------------------------ UI */

  if (typeof document === 'undefined' || !document.querySelectorAll) return;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fill(s, n) { return String(s || '').replace('{n}', n); }
  function snippetNode(parts, cls) {
    var p = el('span', cls || 'search-snippet');
    parts.forEach(function (x) {
      p.appendChild(x[1] ? el('mark', '', x[0]) : document.createTextNode(x[0]));
    });
    return p;
  }
  function resultNode(r, tag) {
    var li = el(tag, 'search-result');
    var a = el('a', 'search-hit');
    a.href = r.href;
    a.appendChild(snippetNode(r.titleMarks, 'search-title'));
    if (r.subtitle) a.appendChild(el('span', 'search-sub', r.subtitle));
    a.appendChild(snippetNode(r.snippet));
    li.appendChild(a);
    return li;
  }
  function searchUrl(root, q) { return root + 'search/index.html?q=' + encodeURIComponent(q); }

  var uid = 0;
  /* The box on every page: results drop down as one types. */
  function enhanceBox(form) {
    var input = form.querySelector('input[name="q"]');
    if (!input || form.getAttribute('data-search-ready')) return;
    form.setAttribute('data-search-ready', '1');
    var root = form.getAttribute('data-root') || '';
    var engine = CS.engine(root);
    var drop = form.querySelector('.search-drop');
    if (!drop) { drop = el('div', 'search-drop'); drop.hidden = true; form.appendChild(drop); }
    var id = 'search-drop-' + (++uid);
    drop.id = id;
    drop.setAttribute('role', 'listbox');
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', id);
    input.setAttribute('aria-expanded', 'false');
    var composing = false, timer = 0, seq = 0, active = -1, options = [];

    function close() {
      drop.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function setActive(i) {
      options.forEach(function (o, k) { o.setAttribute('aria-selected', k === i ? 'true' : 'false'); });
      active = i;
      if (i >= 0) {
        input.setAttribute('aria-activedescendant', options[i].id);
        if (options[i].scrollIntoView) options[i].scrollIntoView({ block: 'nearest' });
      } else input.removeAttribute('aria-activedescendant');
    }
    function run() {
      var q = input.value, my = ++seq;
      if (!q.trim()) { close(); drop.textContent = ''; return; }
      engine.search(q).then(function (res) {
        if (my !== seq) return null;
        return Promise.all(Array.from(res.ids.subarray(0, 8)).map(function (id) { return engine.describe(id, res.terms); }))
          .then(function (shown) { return { res: res, shown: shown }; });
      }).then(function (x) {
        if (!x || my !== seq) return;
        drop.textContent = '';
        options = [];
        if (!x.res.terms.length) { close(); return; }
        if (!x.shown.length) drop.appendChild(el('p', 'search-none', form.getAttribute('data-none')));
        x.shown.forEach(function (r) {
          var n = resultNode(r, 'div');
          var a = n.querySelector('a');
          a.id = id + '-' + options.length;
          a.setAttribute('role', 'option');
          a.setAttribute('tabindex', '-1');
          options.push(a);
          drop.appendChild(n);
        });
        if (x.res.ids.length) {
          var all = el('a', 'search-all', fill(form.getAttribute('data-all'), x.res.ids.length));
          all.href = searchUrl(root, q);
          all.id = id + '-' + options.length;
          all.setAttribute('role', 'option');
          all.setAttribute('tabindex', '-1');
          options.push(all);
          drop.appendChild(all);
        }
        drop.hidden = false;
        input.setAttribute('aria-expanded', 'true');
        setActive(-1);
      }).catch(function () {
        if (my !== seq) return;
        drop.textContent = '';
        options = [];
        drop.appendChild(el('p', 'search-error', form.getAttribute('data-error')));
        drop.hidden = false;
      });
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    }
    input.addEventListener('compositionstart', function () { composing = true; });
    input.addEventListener('compositionend', function () { composing = false; schedule(); });
    input.addEventListener('input', function (e) {
      if (composing || e.isComposing) return;
      schedule();
    });
    input.addEventListener('focus', function () { engine.ready().catch(function () {}); });
    input.addEventListener('keydown', function (e) {
      if (e.isComposing || composing || e.keyCode === 229) return;
      var open = !drop.hidden && options.length;
      if (e.key === 'ArrowDown' && open) {
        e.preventDefault();
        setActive(active + 1 >= options.length ? 0 : active + 1);
      } else if (e.key === 'ArrowUp' && open) {
        e.preventDefault();
        setActive(active <= 0 ? options.length - 1 : active - 1);
      } else if (e.key === 'Enter' && open && active >= 0) {
        e.preventDefault();
        G.location.href = options[active].href;
      } else if (e.key === 'Escape') {
        if (!drop.hidden) { e.preventDefault(); close(); } else input.value = '';
      }
    });
    document.addEventListener('click', function (e) {
      if (!form.contains(e.target)) close();
    });
    form.addEventListener('focusout', function (e) {
      if (!e.relatedTarget || !form.contains(e.relatedTarget)) setTimeout(function () {
        if (!form.contains(document.activeElement)) close();
      }, 150);
    });
  }

  var PAGE = 20;
  /* The /search/ page: every result of ?q=, a page at a time. */
  function searchPage(box) {
    var root = box.getAttribute('data-root') || '';
    var engine = CS.engine(root);
    var q = '';
    try { q = new URLSearchParams(G.location.search).get('q') || ''; } catch (e) { q = ''; }
    var inputs = document.querySelectorAll('input[name="q"]');
    for (var i = 0; i < inputs.length; i++) if (!inputs[i].value) inputs[i].value = q;
    if (!q.trim()) return;
    box.setAttribute('aria-busy', 'true');
    engine.search(q).then(function (res) {
      box.textContent = '';
      var total = res.ids.length;
      box.setAttribute('data-total', String(total));
      box.setAttribute('data-query', q);
      if (!total) {
        box.appendChild(el('p', 'search-none', box.getAttribute('data-none')));
        box.removeAttribute('aria-busy');
        return;
      }
      box.appendChild(el('p', 'search-count', fill(box.getAttribute('data-count'), total)));
      var list = el('ol', 'search-results');
      box.appendChild(list);
      var more = el('button', 'search-more', box.getAttribute('data-more'));
      more.type = 'button';
      var shown = 0;
      function page() {
        more.disabled = true;
        var slice = Array.from(res.ids.subarray(shown, shown + PAGE));
        shown += slice.length;
        return Promise.all(slice.map(function (id) { return engine.describe(id, res.terms); })).then(function (rs) {
          rs.forEach(function (r) { list.appendChild(resultNode(r, 'li')); });
          more.disabled = false;
          if (shown >= total && more.parentNode) more.parentNode.removeChild(more);
          box.setAttribute('data-shown', String(shown));
          box.removeAttribute('aria-busy');
        });
      }
      more.addEventListener('click', function () { page(); });
      box.appendChild(more);
      return page();
    }).catch(function () {
      box.textContent = '';
      box.removeAttribute('aria-busy');
      box.appendChild(el('p', 'search-error', box.getAttribute('data-error')));
    });
  }

  function init() {
    var forms = document.querySelectorAll('form.search-box');
    for (var i = 0; i < forms.length; i++) enhanceBox(forms[i]);
    var page = document.getElementById && document.getElementById('search-results');
    if (page) searchPage(page);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})(typeof window !== 'undefined' ? window : this);
