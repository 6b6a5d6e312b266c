//! The inverted index and its files. Owns the on-disk format that
//! `themes/default/static/search.js` reads:
//!
//! * `search/index.js` (stable name, the manifest):
//!   `CharterSearch.m({"v":1,"dir":"search-<hash>/","n":<pages>,"c":[<first term of each chunk>]})`.
//! * `search-<hash>/d<i>.js`, dictionary chunk i:
//!   `CharterSearch.d(i,[term,postings,term,postings,…])`, terms sorted by
//!   UTF-16 code units (JavaScript's string order), cut into chunks of
//!   ~24 KB (a term bigger than that gets a chunk of its own). Postings are
//!   one string of numbers (see [`put`]): for each page holding the term,
//!   the gap from the previous page's id, then `tf × 4 + fields` (bit 1:
//!   the term is in the title, bit 2: in a heading).
//! * `search-<hash>/p<i>.js`, the positions of chunk i's terms, in the same
//!   order: `CharterSearch.p(i,[positions,…])`, for each page of the
//!   postings its `tf` positions (first absolute, then gaps minus one).
//!   Loaded only when a query needs adjacency checked.
//! * `search-<hash>/t/<id>.js`, one page's text for snippets:
//!   `CharterSearch.t(id,{"u":href,"t":title,"s":subtitle,"b":[[offset,fragment,field],…],"x":text})`,
//!   the normalized text whose character offsets the positions count.
//!
//! The folder name is a hash of everything in it, so a browser never mixes
//! the files of two builds; the bytes depend only on the entries.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;
use serde::Serialize;

use super::tokenize::{self, Tok};
use super::{Entry, Field};

/// A chunk is closed once it holds this many bytes of dictionary…
pub const CHUNK_TARGET: usize = 24 * 1024;
/// …and an entry that would take it past this starts a new one.
pub const CHUNK_MAX: usize = 32 * 1024;
/// Pages tokenized in parallel between two merges.
const BATCH: usize = 512;

pub const FIELD_TITLE: u32 = 1;
pub const FIELD_HEADING: u32 = 2;

/// Digits of the number strings: 5 bits each, least significant first;
/// the upper half of the alphabet marks "more digits follow". All are
/// safe inside a JSON string.
pub const DIGITS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// Appends one number.
pub fn put(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let d = v & 31;
        v >>= 5;
        if v == 0 {
            out.push(DIGITS[d as usize]);
            return;
        }
        out.push(DIGITS[(d | 32) as usize]);
    }
}

/// Reads the numbers of a string written by [`put`] (None if malformed).
pub fn numbers(s: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    let mut v: u64 = 0;
    let mut shift = 0u32;
    for b in s.bytes() {
        let d = DIGITS.iter().position(|&x| x == b)? as u64;
        if shift > 30 {
            return None;
        }
        v |= (d & 31) << shift;
        if d < 32 {
            out.push(u32::try_from(v).ok()?);
            v = 0;
            shift = 0;
        } else {
            shift += 5;
        }
    }
    (shift == 0).then_some(out)
}

/// JSON that is also safe in a script: `<`, U+2028 and U+2029 escaped.
pub fn js_json<T: Serialize + ?Sized>(v: &T) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "null".to_string());
    if !s.contains(['<', '\u{2028}', '\u{2029}']) {
        return s;
    }
    s.replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A fast hasher for the u64 keys of CJK terms (deterministic; only lookups
/// depend on it, never the output order).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 ^= self.0 >> 32;
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

const BIGRAM: u64 = 1 << 42;

fn key(t: Tok<'_>) -> u64 {
    match t {
        Tok::Uni(c) => c as u64,
        Tok::Bi(a, b) => BIGRAM | ((a as u64) << 21) | b as u64,
        Tok::Word(_) => 0,
    }
}

fn key_string(k: u64) -> String {
    let ch = |v: u64| char::from_u32((v & 0x1F_FFFF) as u32).unwrap_or('\u{FFFD}');
    if k & BIGRAM != 0 {
        [ch(k >> 21), ch(k)].iter().collect()
    } else {
        ch(k).to_string()
    }
}

/// Postings of one term, as they grow page by page.
#[derive(Default)]
struct Acc {
    /// Id of the page after the last one added.
    next: u32,
    dict: Vec<u8>,
    pos: Vec<u8>,
}

impl Acc {
    fn add(&mut self, doc: u32, w: u32, pos: &[u8]) {
        put(&mut self.dict, doc - self.next);
        put(&mut self.dict, w);
        self.pos.extend_from_slice(pos);
        self.next = doc + 1;
    }
}

/// One page, tokenized: its terms with `tf × 4 + fields` and encoded positions.
struct PageTerms {
    cjk: Vec<(u64, u32, u32)>,
    words: Vec<(String, u32, u32)>,
    /// Positions of every term, one after the other; the u32 above is the end.
    arena: Vec<u8>,
    text_js: Vec<u8>,
}

#[derive(Serialize)]
struct TextFile<'a> {
    u: String,
    t: &'a str,
    s: &'a str,
    b: Vec<(u32, String, u32)>,
    x: String,
}

fn field_bits(f: Field) -> u32 {
    match f {
        Field::Title => FIELD_TITLE,
        Field::Heading => FIELD_HEADING,
        Field::Body => 0,
    }
}

/// The normalized text of a page and where its blocks start (in characters).
pub struct PageText {
    pub text: String,
    /// (offset, anchor, field) of each block, by offset.
    pub blocks: Vec<(u32, Option<String>, Field)>,
}

pub fn page_text(entry: &Entry) -> PageText {
    let mut text = String::new();
    let mut blocks = Vec::new();
    let mut n = 0u32;
    for b in &entry.blocks {
        let norm = tokenize::normalize(&b.text);
        let norm = norm.trim();
        if norm.is_empty() && b.anchor.is_none() && b.field != Field::Title {
            continue;
        }
        if !blocks.is_empty() {
            text.push('\n');
            n += 1;
        }
        blocks.push((n, b.anchor.clone(), b.field));
        text.push_str(norm);
        n = n.saturating_add(norm.chars().count() as u32);
    }
    PageText { text, blocks }
}

fn analyze(id: usize, entry: &Entry) -> PageTerms {
    let PageText { text, blocks } = page_text(entry);
    let field_at = |p: u32| -> u32 {
        let i = blocks.partition_point(|b| b.0 <= p);
        if i == 0 {
            0
        } else {
            field_bits(blocks[i - 1].2)
        }
    };
    let mut cjk: Vec<(u64, u32)> = Vec::with_capacity(text.len() / 2);
    let mut words: Vec<(String, u32)> = Vec::new();
    tokenize::for_each_token(&text, |t, p| match t {
        Tok::Word(w) => words.push((w.to_string(), p)),
        _ => cjk.push((key(t), p)),
    });
    cjk.sort_unstable();
    words.sort_unstable();
    let mut arena = Vec::with_capacity(cjk.len() * 2);
    let group = |positions: &mut dyn Iterator<Item = u32>, arena: &mut Vec<u8>| -> u32 {
        let mut tf = 0u32;
        let mut mask = 0u32;
        let mut prev = 0u32;
        for p in positions {
            if tf == 0 {
                put(arena, p);
            } else {
                put(arena, p - prev - 1);
            }
            mask |= field_at(p);
            prev = p;
            tf += 1;
        }
        tf.saturating_mul(4) | mask
    };
    let mut cjk_terms = Vec::new();
    let mut i = 0;
    while i < cjk.len() {
        let k = cjk[i].0;
        let j = i + cjk[i..].partition_point(|x| x.0 == k);
        let w = group(&mut cjk[i..j].iter().map(|x| x.1), &mut arena);
        cjk_terms.push((k, w, arena.len() as u32));
        i = j;
    }
    let mut word_terms = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let j = i + words[i..].partition_point(|x| x.0 == words[i].0);
        let w = group(&mut words[i..j].iter().map(|x| x.1), &mut arena);
        word_terms.push((std::mem::take(&mut words[i].0), w, arena.len() as u32));
        i = j;
    }
    let file = TextFile {
        u: crate::urls::encode_path(&crate::urls::file_of(&entry.url)),
        t: &entry.title,
        s: &entry.subtitle,
        b: blocks
            .iter()
            .map(|(o, a, f)| {
                (
                    *o,
                    a.as_deref()
                        .map(crate::urls::encode_fragment)
                        .unwrap_or_default(),
                    field_bits(*f),
                )
            })
            .collect(),
        x: text,
    };
    let text_js = format!("CharterSearch.t({id},{});\n", js_json(&file)).into_bytes();
    PageTerms {
        cjk: cjk_terms,
        words: word_terms,
        arena,
        text_js,
    }
}

#[derive(Default)]
struct Maps {
    cjk: KeyMap<Acc>,
    words: HashMap<String, Acc>,
    texts: Vec<Vec<u8>>,
}

impl Maps {
    fn merge(&mut self, base: usize, pages: Vec<PageTerms>) {
        for (i, p) in pages.into_iter().enumerate() {
            let doc = (base + i) as u32;
            let mut start = 0usize;
            for &(k, w, end) in &p.cjk {
                let end = end as usize;
                self.cjk
                    .entry(k)
                    .or_default()
                    .add(doc, w, &p.arena[start..end]);
                start = end;
            }
            for (t, w, end) in p.words {
                let end = end as usize;
                self.words
                    .entry(t)
                    .or_default()
                    .add(doc, w, &p.arena[start..end]);
                start = end;
            }
            self.texts.push(p.text_js);
        }
    }
}

/// What the index adds to the output: the manifest and the hashed folder.
pub struct Files {
    /// `search-<hash>/`
    pub dir: String,
    /// Output path → bytes (manifest included).
    pub files: BTreeMap<String, Vec<u8>>,
    pub chunks: usize,
    pub terms: usize,
}

fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// FNV-1a, 64 bits.
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// Builds the index of `entries` (page id = position in the slice).
pub fn build(entries: &[Entry]) -> Files {
    let mut maps = Maps::default();
    let mut pending: Option<(usize, Vec<PageTerms>)> = None;
    for (b, batch) in entries.chunks(BATCH).enumerate() {
        let base = b * BATCH;
        let ((), done) = rayon::join(
            || {
                if let Some((at, pages)) = pending.take() {
                    maps.merge(at, pages);
                }
            },
            || {
                batch
                    .par_iter()
                    .enumerate()
                    .map(|(i, e)| analyze(base + i, e))
                    .collect::<Vec<_>>()
            },
        );
        pending = Some((base, done));
    }
    if let Some((at, pages)) = pending.take() {
        maps.merge(at, pages);
    }
    let Maps { cjk, words, texts } = maps;
    let mut terms: Vec<(String, Acc)> = cjk
        .into_iter()
        .map(|(k, a)| (key_string(k), a))
        .chain(words)
        .collect();
    terms.par_sort_unstable_by(|a, b| utf16_cmp(&a.0, &b.0));
    let term_count = terms.len();

    // Chunks.
    let mut inner: Vec<(String, Vec<u8>)> = Vec::new();
    let mut firsts: Vec<String> = Vec::new();
    let mut dict: Vec<u8> = Vec::new();
    let mut pos: Vec<u8> = Vec::new();
    let mut in_chunk = 0usize;
    let open = |i: usize, dict: &mut Vec<u8>, pos: &mut Vec<u8>| {
        dict.clear();
        pos.clear();
        dict.extend_from_slice(format!("CharterSearch.d({i},[").as_bytes());
        pos.extend_from_slice(format!("CharterSearch.p({i},[").as_bytes());
    };
    let close = |dict: &mut Vec<u8>, pos: &mut Vec<u8>, inner: &mut Vec<(String, Vec<u8>)>| {
        let i = inner.len() / 2;
        dict.extend_from_slice(b"]);\n");
        pos.extend_from_slice(b"]);\n");
        inner.push((format!("d{i}.js"), std::mem::take(dict)));
        inner.push((format!("p{i}.js"), std::mem::take(pos)));
    };
    for (term, acc) in terms {
        let t = js_json(&term);
        let size = t.len() + acc.dict.len() + 4;
        if in_chunk > 0 && dict.len() + size > CHUNK_MAX {
            close(&mut dict, &mut pos, &mut inner);
            in_chunk = 0;
        }
        if in_chunk == 0 {
            open(inner.len() / 2, &mut dict, &mut pos);
            firsts.push(term.clone());
        } else {
            dict.push(b',');
            pos.push(b',');
        }
        dict.extend_from_slice(t.as_bytes());
        dict.extend_from_slice(b",\"");
        dict.extend_from_slice(&acc.dict);
        dict.push(b'"');
        pos.push(b'"');
        pos.extend_from_slice(&acc.pos);
        pos.push(b'"');
        in_chunk += 1;
        if dict.len() >= CHUNK_TARGET {
            close(&mut dict, &mut pos, &mut inner);
            in_chunk = 0;
        }
    }
    if in_chunk > 0 {
        close(&mut dict, &mut pos, &mut inner);
    }
    let chunks = firsts.len();
    for (id, t) in texts.into_iter().enumerate() {
        inner.push((format!("t/{id}.js"), t));
    }
    inner.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let hashes: Vec<u64> = inner
        .par_iter()
        .map(|(name, bytes)| fnv(fnv(FNV_OFFSET, name.as_bytes()), bytes))
        .collect();
    let mut h = FNV_OFFSET;
    for x in hashes {
        h = fnv(h, &x.to_le_bytes());
    }
    let dir = format!("search-{h:016x}/");

    #[derive(Serialize)]
    struct Manifest<'a> {
        v: u32,
        dir: &'a str,
        n: usize,
        c: &'a [String],
    }
    let manifest = format!(
        "CharterSearch.m({});\n",
        js_json(&Manifest {
            v: 1,
            dir: &dir,
            n: entries.len(),
            c: &firsts,
        })
    );
    let mut files: BTreeMap<String, Vec<u8>> = inner
        .into_iter()
        .map(|(name, b)| (format!("{dir}{name}"), b))
        .collect();
    files.insert("search/index.js".to_string(), manifest.into_bytes());
    Files {
        dir,
        files,
        chunks,
        terms: term_count,
    }
}

#[cfg(test)]
pub(crate) mod reader {
    //! Reads the files back and answers queries the way search.js does; for tests.

    use super::*;
    use crate::search::tokenize::{QueryTok, query_terms};
    use serde_json::Value;

    fn call_args(bytes: &[u8], name: &str) -> Value {
        let s = std::str::from_utf8(bytes).expect("utf-8");
        let s = s
            .trim_end()
            .strip_prefix(&format!("CharterSearch.{name}("))
            .and_then(|s| s.strip_suffix(");"))
            .expect("a call");
        serde_json::from_str(&format!("[{s}]")).expect("json arguments")
    }

    pub struct Reader {
        pub n: usize,
        dir: String,
        firsts: Vec<String>,
        files: BTreeMap<String, Vec<u8>>,
    }

    /// Page id → (tf, fields) and positions.
    pub type Postings = BTreeMap<u32, (u32, u32, Vec<u32>)>;

    impl Reader {
        pub fn new(files: &BTreeMap<String, Vec<u8>>) -> Reader {
            let m = call_args(&files["search/index.js"], "m");
            let m = &m[0];
            Reader {
                n: m["n"].as_u64().unwrap() as usize,
                dir: m["dir"].as_str().unwrap().to_string(),
                firsts: m["c"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect(),
                files: files.clone(),
            }
        }

        fn chunk(&self, i: usize) -> (Vec<String>, Vec<String>, Vec<String>) {
            let d = call_args(&self.files[&format!("{}d{i}.js", self.dir)], "d");
            let p = call_args(&self.files[&format!("{}p{i}.js", self.dir)], "p");
            assert_eq!(d[0].as_u64(), Some(i as u64));
            assert_eq!(p[0].as_u64(), Some(i as u64));
            let flat: Vec<String> = d[1]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            let terms = flat.iter().step_by(2).cloned().collect();
            let posts = flat.iter().skip(1).step_by(2).cloned().collect();
            let pos = p[1]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            (terms, posts, pos)
        }

        fn chunk_of(&self, term: &str) -> usize {
            self.firsts
                .partition_point(|f| utf16_cmp(f, term) != std::cmp::Ordering::Greater)
                .saturating_sub(1)
        }

        fn decode(post: &str, pos: &str) -> Postings {
            let nums = numbers(post).unwrap();
            let ps = numbers(pos).unwrap();
            let mut out = Postings::new();
            let mut doc = 0u32;
            let mut k = 0;
            for pair in nums.chunks(2) {
                doc += pair[0];
                let tf = pair[1] >> 2;
                let mut list = Vec::new();
                let mut prev = 0;
                for j in 0..tf as usize {
                    let p = if j == 0 { ps[k] } else { prev + ps[k] + 1 };
                    k += 1;
                    list.push(p);
                    prev = p;
                }
                out.insert(doc, (tf, pair[1] & 3, list));
                doc += 1;
            }
            assert_eq!(k, ps.len());
            out
        }

        /// Postings of a token (a prefix: every term it begins, merged).
        pub fn postings(&self, t: &QueryTok) -> Postings {
            let mut out = Postings::new();
            if self.firsts.is_empty() {
                return out;
            }
            let mut i = self.chunk_of(&t.term);
            while i < self.firsts.len() {
                if i > self.chunk_of(&t.term) && !self.firsts[i].starts_with(&t.term) {
                    break;
                }
                let (terms, posts, pos) = self.chunk(i);
                for (j, term) in terms.iter().enumerate() {
                    let hit = if t.prefix {
                        term.starts_with(&t.term)
                    } else {
                        *term == t.term
                    };
                    if hit {
                        for (d, (tf, f, ps)) in Self::decode(&posts[j], &pos[j]) {
                            let e = out.entry(d).or_insert((0, 0, Vec::new()));
                            e.0 += tf;
                            e.1 |= f;
                            e.2.extend(ps);
                            e.2.sort_unstable();
                        }
                    }
                }
                i += 1;
            }
            out
        }

        /// Pages matching a query (all terms, each with its adjacency).
        pub fn search(&self, q: &str) -> Vec<u32> {
            let mut result: Option<Vec<u32>> = None;
            for term in query_terms(q) {
                let lists: Vec<Postings> = term.iter().map(|t| self.postings(t)).collect();
                let mut docs: Vec<u32> = lists[0]
                    .iter()
                    .filter(|(d, (_, _, p0))| {
                        p0.iter().any(|&p| {
                            term.iter().zip(&lists).all(|(t, l)| {
                                l.get(d).is_some_and(|(_, _, ps)| {
                                    ps.binary_search(&(p + t.offset)).is_ok()
                                })
                            })
                        })
                    })
                    .map(|(d, _)| *d)
                    .collect();
                if let Some(r) = &result {
                    docs.retain(|d| r.contains(d));
                }
                result = Some(docs);
            }
            result.unwrap_or_default()
        }

        /// The normalized text of a page, from its text file.
        pub fn text(&self, id: usize) -> String {
            let t = call_args(&self.files[&format!("{}t/{id}.js", self.dir)], "t");
            t[1]["x"].as_str().unwrap().to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reader::Reader;
    use super::*;
    use crate::search::{Block, Entry, Field};

    #[test]
    fn numbers_round_trip() {
        let vals = [0u32, 1, 31, 32, 33, 1023, 1024, 65535, 1 << 30, u32::MAX];
        let mut s = Vec::new();
        for &v in &vals {
            put(&mut s, v);
        }
        let s = String::from_utf8(s).unwrap();
        assert_eq!(numbers(&s).unwrap(), vals);
        assert_eq!(numbers("_"), None);
        assert_eq!(numbers("!"), None);
    }

    #[test]
    fn json_for_scripts_escapes_breakouts() {
        let s = js_json("</script><!-- \u{2028}\u{2029} \"'\\");
        assert!(!s.contains('<') && !s.contains('\u{2028}') && !s.contains('\u{2029}'));
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, "</script><!-- \u{2028}\u{2029} \"'\\");
    }

    fn entry(url: &str, title: &str, body: &[(&str, &str)]) -> Entry {
        let mut blocks = vec![Block {
            anchor: None,
            field: Field::Title,
            text: title.to_string(),
        }];
        for (a, t) in body {
            blocks.push(Block {
                anchor: (!a.is_empty()).then(|| a.to_string()),
                field: Field::Body,
                text: t.to_string(),
            });
        }
        Entry {
            url: url.to_string(),
            title: title.to_string(),
            subtitle: String::new(),
            blocks,
        }
    }

    /// A deterministic generator of Chinese-like text over a small alphabet,
    /// so that 2–6-character substrings recur across pages.
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const ALPHABET: &[char] = &[
        '部', '门', '负', '责', '人', '考', '勤', '罚', '款', '安', '全', '管', '理', '制', '度',
        '易', '毒', '化', '学', '品', '，', '。', ' ', '、', 'A', '9',
    ];

    fn corpus(pages: usize, seed: u64) -> Vec<Entry> {
        let mut g = Gen(seed);
        (0..pages)
            .map(|i| {
                let mut body = Vec::new();
                for b in 0..1 + g.below(4) {
                    let len = g.below(120);
                    let text: String = (0..len)
                        .map(|_| ALPHABET[g.below(ALPHABET.len())])
                        .collect();
                    body.push((
                        if b == 0 {
                            String::new()
                        } else {
                            format!("a{b}")
                        },
                        text,
                    ));
                }
                let title: String = (0..2 + g.below(5)).map(|_| ALPHABET[g.below(15)]).collect();
                let body: Vec<(&str, &str)> =
                    body.iter().map(|(a, t)| (a.as_str(), t.as_str())).collect();
                entry(&format!("p{i}/"), &title, &body)
            })
            .collect()
    }

    #[test]
    fn cjk_queries_of_2_to_6_chars_match_exactly_the_pages_that_contain_them() {
        let entries = corpus(300, 7);
        let files = build(&entries);
        assert!(
            files.chunks > 1,
            "small chunks in this test? {}",
            files.chunks
        );
        let r = Reader::new(&files.files);
        assert_eq!(r.n, 300);
        let texts: Vec<String> = (0..r.n).map(|i| r.text(i)).collect();
        // Every query: substrings of the texts (so they occur) plus random ones.
        let mut g = Gen(99);
        let mut queries = std::collections::BTreeSet::new();
        for _ in 0..400 {
            let t: Vec<char> = texts[g.below(texts.len())].chars().collect();
            let len = 2 + g.below(5);
            if t.len() > len {
                let s = g.below(t.len() - len);
                let q: String = t[s..s + len].iter().collect();
                if q.chars()
                    .all(|c| tokenize::class(c) == tokenize::Class::Cjk)
                {
                    queries.insert(q);
                }
            }
            let q: String = (0..len).map(|_| ALPHABET[g.below(20)]).collect();
            queries.insert(q);
        }
        assert!(queries.len() > 300);
        let mut nonempty = 0;
        for q in &queries {
            let expect: Vec<u32> = (0..r.n as u32)
                .filter(|&i| texts[i as usize].contains(q.as_str()))
                .collect();
            // And against the entries' own text, before normalization.
            let raw: Vec<u32> = (0..entries.len() as u32)
                .filter(|&i| {
                    entries[i as usize]
                        .blocks
                        .iter()
                        .any(|b| b.text.contains(q.as_str()))
                })
                .collect();
            assert_eq!(expect, raw, "{q}");
            assert_eq!(r.search(q), expect, "query {q}");
            nonempty += usize::from(!expect.is_empty());
        }
        assert!(nonempty > 150, "{nonempty}");
    }

    #[test]
    fn positions_fields_and_words() {
        let entries = vec![
            entry(
                "a/",
                "考勤制度",
                &[("", "员工考勤，按ISO 9001执行。5S管理")],
            ),
            entry("b/", "安全", &[("a1", "考 勤"), ("a2", "ISO9001 iso")]),
        ];
        let files = build(&entries);
        let r = Reader::new(&files.files);
        assert_eq!(r.search("考勤"), vec![0]);
        assert_eq!(r.search("考勤 ISO"), vec![0]);
        assert_eq!(r.search("iso"), vec![0, 1]);
        assert_eq!(r.search("ISO9"), vec![1]);
        assert_eq!(r.search("9001"), vec![0]);
        assert_eq!(r.search("５Ｓ管理"), vec![0]);
        assert_eq!(r.search("S管理"), Vec::<u32>::new());
        assert_eq!(r.search("没有"), Vec::<u32>::new());
        assert_eq!(r.search("，。"), Vec::<u32>::new());
        let p = r.postings(&tokenize::query_terms("考勤")[0][0]);
        assert_eq!(p[&0], (2, FIELD_TITLE, vec![0, 7]));
        assert_eq!(r.text(1), "安全\n考 勤\nISO9001 iso");
        let t = String::from_utf8(files.files[&format!("{}t/1.js", files.dir)].clone()).unwrap();
        assert!(t.contains(r#""u":"b/index.html""#), "{t}");
        assert!(t.contains(r#""b":[[0,"",1],[3,"a1",0],[7,"a2",0]]"#), "{t}");
    }

    #[test]
    fn bytes_are_deterministic_and_the_folder_follows_the_content() {
        let a = build(&corpus(120, 3));
        let b = build(&corpus(120, 3));
        assert_eq!(a.files, b.files);
        let c = build(&corpus(120, 4));
        assert_ne!(a.dir, c.dir);
        assert!(a.dir.starts_with("search-") && a.dir.len() == "search-".len() + 17);
        for (p, _) in &a.files {
            assert!(p == "search/index.js" || p.starts_with(&a.dir), "{p}");
        }
    }

    #[test]
    fn hostile_text_stays_inside_its_strings() {
        let e = entry(
            "x/",
            "</script><script>alert(1)</script>",
            &[("", "\u{2028}\u{2029}</SCRIPT> \"\\ ${x}`")],
        );
        let files = build(&[e]);
        for (p, b) in &files.files {
            let s = String::from_utf8(b.clone()).unwrap();
            assert!(!s.contains('<'), "{p}: {s}");
            assert!(!s.contains('\u{2028}') && !s.contains('\u{2029}'), "{p}");
        }
    }

    #[test]
    fn empty_index() {
        let files = build(&[]);
        let r = Reader::new(&files.files);
        assert_eq!(r.n, 0);
        assert_eq!(r.search("考勤"), Vec::<u32>::new());
    }

    #[test]
    fn big_terms_get_their_own_chunks_and_chunks_stay_small() {
        let entries: Vec<Entry> = (0..4000)
            .map(|i| entry(&format!("p{i}/"), "部门", &[("", "部门负责人")]))
            .collect();
        let files = build(&entries);
        for (p, b) in &files.files {
            let name = p.rsplit('/').next().unwrap();
            if name.starts_with('d') {
                // A chunk may exceed the maximum only if it holds a single term.
                let s = String::from_utf8(b.clone()).unwrap();
                assert!(
                    b.len() <= CHUNK_MAX + 64 || s.matches("\",\"").count() <= 1,
                    "{p} {}",
                    b.len()
                );
            }
        }
        let r = Reader::new(&files.files);
        assert_eq!(r.search("部门负责人").len(), 4000);
    }
}
