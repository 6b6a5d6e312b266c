// Runs the theme's search.js against a built site's index, in a Node vm
// context that loads the index files the way a browser does: search.js
// creates <script> elements, and "appending" one runs the file it names
// (resolved like a URL against the search page, file://…/search/index.html)
// in the same global, then fires onload (onerror if there is no such file).
//
//   node harness.js OUT check [QUERY…]   compare results with a brute-force
//                                        scan of the pages' text; JSON report
//   node harness.js OUT bench [QUERY…]   files and bytes each query loads,
//                                        and its time once they are loaded
//   node harness.js OUT tokens JSON      search.js's normal form, tokens and
//                                        query terms of each string of JSON
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const { pathToFileURL, fileURLToPath } = require('url');

const out = path.resolve(process.argv[2] || '.');
const mode = process.argv[3] || 'check';
const given = process.argv.slice(4);
const pageUrl = pathToFileURL(path.join(out, 'search', 'index.html'));
const ROOT = '../'; // the search page's way to the site root

/** A fresh "browser": a document in this global (scripts run here too,
 * as a browser's would, so V8 optimizes them as it would in a page; a vm
 * context's global would slow every global lookup down), and search.js
 * evaluated afresh. */
function browser() {
  const loads = [];
  const document = {
    readyState: 'complete',
    head: {
      appendChild(s) {
        setImmediate(() => {
          let file;
          try { file = fileURLToPath(new URL(s.src, pageUrl)); } catch (e) { file = null; }
          if (!file || !fs.existsSync(file)) { if (s.onerror) s.onerror(new Error('404')); return; }
          const code = fs.readFileSync(file);
          loads.push({ file: path.relative(out, file), bytes: code.length });
          vm.runInThisContext(code.toString('utf8'), { filename: file });
          if (s.onload) s.onload();
        });
      },
    },
    createElement(tag) { return { tagName: tag.toUpperCase() }; },
    querySelectorAll() { return []; },
    getElementById() { return null; },
    addEventListener() {},
  };
  globalThis.document = document;
  globalThis.location = { search: '', href: pageUrl.href };
  globalThis.window = globalThis;
  delete globalThis.CharterSearch;
  vm.runInThisContext(fs.readFileSync(path.join(out, 'search.js'), 'utf8'), { filename: 'search.js' });
  // HARNESS_COVER_MIN: pick the cheapest bigrams of long runs even when
  // their positions are few (search.js does it only when they are many).
  if (process.env.HARNESS_COVER_MIN) globalThis.CharterSearch.coverMin = Number(process.env.HARNESS_COVER_MIN);
  return { CS: globalThis.CharterSearch, loads };
}

/** Every page's text, read straight from the files (id → {u, t, s, b, x}):
 * the manifest names the lists and says how many bundles each names and
 * how many pages each bundle holds; a bundle holds its pages' records. */
function texts() {
  const m = {};
  vm.runInNewContext(fs.readFileSync(path.join(out, 'search', 'index.js'), 'utf8'), { CharterSearch: { m: (x) => Object.assign(m, x) } });
  const NAME = 12;
  const nth = (names, i) => names.slice(i * NAME, i * NAME + NAME);
  // One context for every file (a new context per file is slow).
  let got = null;
  const sink = { CharterSearch: { l: (n, x) => { got = [n, x]; }, t: (n, x) => { got = [n, x]; } } };
  vm.createContext(sink);
  const read = (kind, name) => {
    const file = path.join(out, 'search', kind, name + '.js');
    got = null;
    vm.runInContext(fs.readFileSync(file, 'utf8'), sink);
    if (!got || got[0] !== name) throw new Error(file + ' does not name itself');
    return got[1];
  };
  const { numbers } = browser().CS;
  const perList = numbers(m.lb), perBundle = numbers(m.tb);
  const pages = [];
  let b = 0;
  perList.forEach((count, k) => {
    const names = read('l', nth(m.l, k));
    for (let i = 0; i < count; i++, b++) {
      const bundle = read('t', nth(names, i));
      if (bundle.length !== perBundle[b]) throw new Error('bundle ' + b + ': ' + bundle.length + ' pages');
      bundle.forEach((r) => {
        const blocks = [];
        for (let j = 0; j < r[3].length; j += 3) blocks.push(r[3].slice(j, j + 3));
        pages.push({ u: r[0], t: r[1], s: r[2], b: blocks, x: r[4] });
      });
    }
  });
  if (pages.length !== m.n) throw new Error(pages.length + ' pages of ' + m.n);
  return { manifest: m, pages };
}

const CJK_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/gu;
const isCjkQuery = (q) => /^[\p{Script=Han}]+$/u.test(q);

/** Brute force: ids of the pages whose text holds the query. */
function scan(pages, q) {
  const ids = [];
  if (isCjkQuery(q)) {
    pages.forEach((p, i) => { if (p.x.includes(q)) ids.push(i); });
  } else if (/^[A-Za-z0-9]+$/.test(q)) {
    // A word that begins with the query, case-insensitively.
    const re = new RegExp('(?<![\\p{Alphabetic}\\p{N}])' + q, 'iu');
    pages.forEach((p, i) => { if (re.test(p.x.replace(CJK_SCRIPT, ' '))) ids.push(i); });
  } else {
    throw new Error('no brute force for ' + q);
  }
  return ids;
}

async function check() {
  const { pages } = texts();
  const { CS } = browser();
  const engine = CS.engine(ROOT);
  // The queries: the given ones, every CJK bigram of the text, and
  // substrings of 3 to 6 characters (every 7th position, or every
  // HARNESS_EVERY-th).
  const every = Number(process.env.HARNESS_EVERY) || 7;
  const queries = new Set(given);
  const bigrams = new Set();
  pages.forEach((p) => {
    const chars = Array.from(p.x);
    for (let i = 0; i + 1 < chars.length; i++) {
      const two = chars[i] + chars[i + 1];
      if (isCjkQuery(two)) bigrams.add(two);
      if (i % every === 0) {
        for (let n = 3; n <= 6 && i + n <= chars.length; n++) {
          const s = chars.slice(i, i + n).join('');
          if (isCjkQuery(s)) queries.add(s);
        }
      }
    }
  });
  bigrams.forEach((b) => queries.add(b));
  const report = { pages: pages.length, queries: queries.size, bigrams: bigrams.size, failures: [], given: {} };
  for (const q of queries) {
    const res = await engine.search(q);
    const got = Array.from(res.ids).sort((a, b) => a - b);
    const want = scan(pages, q);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      report.failures.push({ q, got: got.slice(0, 20), want: want.slice(0, 20), gotCount: got.length, wantCount: want.length });
    }
    if (given.includes(q)) {
      // The displayed results: links to existing pages and anchors, hits marked.
      const shown = await Promise.all(Array.from(res.ids.subarray(0, 20)).map((id) => engine.describe(id, res.terms)));
      const problems = [];
      for (const r of shown) {
        const [file, frag] = r.href.split('#');
        const target = fileURLToPath(new URL(file, pageUrl));
        if (!fs.existsSync(target)) { problems.push('no file ' + r.href); continue; }
        if (frag && !fs.readFileSync(target, 'utf8').includes('id="' + decodeURIComponent(frag) + '"')) problems.push('no anchor ' + r.href);
        const marked = r.snippet.concat(r.titleMarks).filter((p) => p[1]).map((p) => p[0].toLowerCase());
        if (!marked.some((m) => m.startsWith(q.toLowerCase()))) problems.push('no highlighted hit in the snippet of ' + r.href + ': ' + JSON.stringify(r.snippet));
      }
      report.given[q] = { count: got.length, expected: want.length, problems, top: shown.slice(0, 3).map((r) => r.href) };
    }
  }
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
}

async function bench() {
  const report = [];
  for (const q of given) {
    const { CS, loads } = browser();
    const engine = CS.engine(ROOT);
    const t0 = process.hrtime.bigint();
    const res = await engine.search(q);
    const cold = Number(process.hrtime.bigint() - t0) / 1e6;
    const searchFiles = loads.map((l) => l.file);
    await Promise.all(Array.from(res.ids.subarray(0, 10)).map((id) => engine.describe(id, res.terms)));
    // Warm: everything loaded; the median of repeated runs, of the search
    // alone and with the snippets of the top 10.
    const times = [], full = [];
    for (let i = 0; i < 21; i++) {
      engine.forget();
      const a = process.hrtime.bigint();
      const r = await engine.search(q);
      const b = process.hrtime.bigint();
      await Promise.all(Array.from(r.ids.subarray(0, 10)).map((id) => engine.describe(id, r.terms)));
      times.push(Number(b - a) / 1e6);
      full.push(Number(process.hrtime.bigint() - a) / 1e6);
    }
    times.sort((a, b) => a - b);
    full.sort((a, b) => a - b);
    report.push({
      q,
      results: res.ids.length,
      cold_ms: cold,
      warm_ms: times[times.length >> 1],
      warm_max_ms: times[times.length - 1],
      warm_top10_ms: full[full.length >> 1],
      search_files: searchFiles,
      files: loads.map((l) => l.file),
      bytes: loads.reduce((s, l) => s + l.bytes, 0),
    });
  }
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
}

async function tokens() {
  const { CS } = browser();
  const strings = JSON.parse(given[0] || '[]');
  const outp = strings.map((str) => {
    const norm = CS.normalize(str);
    const toks = [];
    CS.tokens(norm, (kind, t, p) => toks.push([t, p]));
    const query = CS.queryTerms(str).map((term) => term.map((t) => [t.term, t.prefix, t.offset]));
    return { norm, toks, query };
  });
  process.stdout.write(JSON.stringify(outp) + '\n');
}

({ bench, check, tokens }[mode] || check)().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(2);
});
