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
//! the files of two builds; the bytes depend only on the entries (not on
//! the number of threads).
//!
//! Building: pages are tokenized in parallel a batch at a time, each into
//! its terms sorted by key with their encoded positions; the batch before
//! is merged meanwhile into per-term buffers, spread over 64 shards merged
//! in parallel (small enough for a shard's hash map and buffer ends to stay
//! in cache). Then the terms are sorted, cut into chunks and written a
//! group of chunks at a time, freeing the buffers as the files grow.

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
#[inline]
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

/// [`js_json`] appended to a buffer.
pub fn js_json_into<T: Serialize + ?Sized>(v: &T, out: &mut Vec<u8>) {
    let start = out.len();
    if serde_json::to_writer(&mut *out, v).is_err() {
        out.truncate(start);
        out.extend_from_slice(b"null");
        return;
    }
    // `<`, or U+2028/U+2029 (E2 80 A8/A9 in UTF-8).
    let seg = &out[start..];
    let risky = seg.iter().enumerate().any(|(i, &b)| {
        b == b'<'
            || (b == 0xE2
                && seg.get(i + 1) == Some(&0x80)
                && matches!(seg.get(i + 2), Some(0xA8 | 0xA9)))
    });
    if risky {
        let s = String::from_utf8_lossy(&out[start..]).into_owned();
        out.truncate(start);
        out.extend_from_slice(
            s.replace('<', "\\u003c")
                .replace('\u{2028}', "\\u2028")
                .replace('\u{2029}', "\\u2029")
                .as_bytes(),
        );
    }
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

/// Value of each byte of [`DIGITS`] (64 for any other byte).
const DIGIT_VALUE: [u8; 256] = {
    let mut t = [64u8; 256];
    let mut i = 0;
    while i < 64 {
        t[DIGITS[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Reads the number at `*i` of a string written by [`put`] (0 past the end).
fn read(b: &[u8], i: &mut usize) -> u32 {
    let mut v = 0u32;
    let mut shift = 0u32;
    while let Some(&c) = b.get(*i) {
        *i += 1;
        let d = DIGIT_VALUE[c as usize] as u32;
        v |= (d & 31).checked_shl(shift).unwrap_or(0);
        if d < 32 {
            break;
        }
        shift += 5;
    }
    v
}

/// Postings of one term, as they grow page by page: for each page, the
/// page gap, `tf × 4 + fields` and the positions, in one buffer (one place
/// in memory to touch per page); split into the dictionary and positions
/// streams when the chunks are written.
struct Acc {
    /// Id of the page after the last one added.
    next: u32,
    /// Bytes of the dictionary stream (gaps and weights).
    dict_len: u32,
    buf: Vec<u8>,
}

impl Acc {
    fn new() -> Acc {
        Acc {
            next: 0,
            dict_len: 0,
            buf: Vec::new(),
        }
    }

    #[inline]
    fn add(&mut self, doc: u32, w: u32, pos: &[u8]) {
        let before = self.buf.len();
        put(&mut self.buf, doc - self.next);
        put(&mut self.buf, w);
        self.dict_len += (self.buf.len() - before) as u32;
        if pos.len() <= 8 {
            // Most pages hold a term a few times: skip the memcpy call.
            self.buf.reserve(8);
            for &b in pos {
                self.buf.push(b);
            }
        } else {
            self.buf.extend_from_slice(pos);
        }
        self.next = doc + 1;
    }

    /// Appends the dictionary stream to `dict` and the positions to `pos`.
    fn split_into(&self, dict: &mut Vec<u8>, pos: &mut Vec<u8>) {
        let b = &self.buf;
        let mut i = 0;
        while i < b.len() {
            let start = i;
            read(b, &mut i);
            let w = read(b, &mut i);
            dict.extend_from_slice(&b[start..i]);
            let start = i;
            for _ in 0..w >> 2 {
                read(b, &mut i);
            }
            pos.extend_from_slice(&b[start..i.min(b.len())]);
        }
    }
}

/// One page, tokenized: its terms with `tf × 4 + fields` and encoded positions.
struct PageTerms {
    /// Key, `tf × 4 + fields`, and where its positions are in `arena`;
    /// grouped by shard (shard s: `cjk[shards[s]..shards[s + 1]]`).
    cjk: Vec<(u64, u32, u32, u32)>,
    shards: Vec<u32>,
    words: Vec<(String, u32, u32, u32)>,
    /// Positions of every term, one after the other.
    arena: Vec<u8>,
    text_js: Vec<u8>,
}

#[derive(Serialize)]
struct TextFile<'a> {
    u: String,
    t: &'a str,
    s: &'a str,
    b: Vec<(u32, String, u32)>,
    x: &'a str,
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
    /// Field bits of every character.
    pub fields: Vec<u8>,
}

pub fn page_text(entry: &Entry) -> PageText {
    let mut p = PageText {
        text: String::new(),
        blocks: Vec::new(),
        fields: Vec::new(),
    };
    page_text_into(entry, &mut p);
    p
}

/// [`page_text`] into buffers that are reused page after page.
fn page_text_into(entry: &Entry, p: &mut PageText) {
    let PageText {
        text,
        blocks,
        fields,
    } = p;
    text.clear();
    blocks.clear();
    fields.clear();
    for b in &entry.blocks {
        let norm = tokenize::normalize_cow(&b.text);
        let norm = norm.trim();
        if norm.is_empty() && b.anchor.is_none() && b.field != Field::Title {
            continue;
        }
        if !blocks.is_empty() {
            text.push('\n');
            fields.push(0);
        }
        blocks.push((fields.len() as u32, b.anchor.clone(), b.field));
        text.push_str(norm);
        let bits = field_bits(b.field) as u8;
        fields.extend(norm.chars().map(|_| bits));
    }
}

/// Buffers of [`analyze`], one set per thread.
struct Scratch {
    page: PageText,
    toks: Vec<u64>,
    wide: Vec<(u64, u32)>,
    words: Vec<(String, u32)>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = const {
        std::cell::RefCell::new(Scratch {
            page: PageText {
                text: String::new(),
                blocks: Vec::new(),
                fields: Vec::new(),
            },
            toks: Vec::new(),
            wide: Vec::new(),
            words: Vec::new(),
        })
    };
}

/// Longest page (in characters) whose tokens sort packed in a u64.
const PACKED_MAX: usize = (1 << 21) - 1;

/// Encodes the sorted positions of one term on a page; returns `tf × 4 + fields`.
fn encode_positions(
    positions: impl Iterator<Item = u32>,
    fields: &[u8],
    arena: &mut Vec<u8>,
) -> u32 {
    let mut tf = 0u32;
    let mut mask = 0u32;
    let mut prev = 0u32;
    for p in positions {
        if tf == 0 {
            put(arena, p);
        } else {
            put(arena, p - prev - 1);
        }
        mask |= fields.get(p as usize).copied().unwrap_or(0) as u32;
        prev = p;
        tf += 1;
    }
    tf.saturating_mul(4) | mask
}

fn analyze(id: usize, entry: &Entry) -> PageTerms {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut s) => analyze_with(id, entry, &mut s),
        Err(_) => analyze_with(
            id,
            entry,
            &mut Scratch {
                page: page_text(entry),
                toks: Vec::new(),
                wide: Vec::new(),
                words: Vec::new(),
            },
        ),
    })
}

fn analyze_with(id: usize, entry: &Entry, scratch: &mut Scratch) -> PageTerms {
    let Scratch {
        page,
        toks,
        wide,
        words,
    } = scratch;
    page_text_into(entry, page);
    let PageText {
        text,
        blocks,
        fields,
    } = &*page;
    let mut arena = Vec::with_capacity(fields.len() * 3);
    let mut cjk_terms = Vec::new();
    words.clear();
    if fields.len() <= PACKED_MAX {
        // Key and position in one u64: sorting them is the hot loop.
        toks.clear();
        tokenize::for_each_token(text, |t, p| match t {
            Tok::Word(w) => words.push((w.to_string(), p)),
            _ => toks.push((key(t) << 21) | p as u64),
        });
        toks.sort_unstable();
        cjk_terms.reserve(toks.len() / 2);
        let mut i = 0;
        while i < toks.len() {
            let k = toks[i] >> 21;
            let mut j = i + 1;
            while j < toks.len() && toks[j] >> 21 == k {
                j += 1;
            }
            let start = arena.len() as u32;
            let w = encode_positions(
                toks[i..j].iter().map(|x| (x & PACKED_MAX as u64) as u32),
                fields,
                &mut arena,
            );
            cjk_terms.push((k, w, start, arena.len() as u32));
            i = j;
        }
    } else {
        wide.clear();
        tokenize::for_each_token(text, |t, p| match t {
            Tok::Word(w) => words.push((w.to_string(), p)),
            _ => wide.push((key(t), p)),
        });
        wide.sort_unstable();
        let mut i = 0;
        while i < wide.len() {
            let k = wide[i].0;
            let mut j = i + 1;
            while j < wide.len() && wide[j].0 == k {
                j += 1;
            }
            let start = arena.len() as u32;
            let w = encode_positions(wide[i..j].iter().map(|x| x.1), fields, &mut arena);
            cjk_terms.push((k, w, start, arena.len() as u32));
            i = j;
        }
    }
    words.sort_unstable();
    let mut word_terms = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut j = i + 1;
        while j < words.len() && words[j].0 == words[i].0 {
            j += 1;
        }
        let start = arena.len() as u32;
        let w = encode_positions(words[i..j].iter().map(|x| x.1), fields, &mut arena);
        word_terms.push((
            std::mem::take(&mut words[i].0),
            w,
            start,
            arena.len() as u32,
        ));
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
    let mut text_js = Vec::with_capacity(file.x.len() + 256);
    text_js.extend_from_slice(format!("CharterSearch.t({id},").as_bytes());
    js_json_into(&file, &mut text_js);
    text_js.extend_from_slice(b");\n");
    // Group the terms by shard (a counting sort; key order within each).
    let mut shards = vec![0u32; SHARDS + 1];
    for t in &cjk_terms {
        shards[shard_of_key(t.0) + 1] += 1;
    }
    for s in 1..=SHARDS {
        shards[s] += shards[s - 1];
    }
    let mut at = shards.clone();
    let mut grouped = vec![(0u64, 0u32, 0u32, 0u32); cjk_terms.len()];
    for t in cjk_terms {
        let s = shard_of_key(t.0);
        grouped[at[s] as usize] = t;
        at[s] += 1;
    }
    PageTerms {
        cjk: grouped,
        shards,
        words: word_terms,
        arena,
        text_js,
    }
}

/// The postings of the terms of one shard (terms are spread over shards
/// by a hash of their key, so that shards merge in parallel; which shard a
/// term is in does not change the output).
#[derive(Default)]
struct Maps {
    cjk: KeyMap<Acc>,
    words: HashMap<String, Acc>,
}

/// Shards of the merge: each small enough for its hash map and the ends of
/// its postings to stay in cache while a batch is merged.
const SHARDS: usize = 64;

fn shard_of_key(k: u64) -> usize {
    (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
}

fn shard_of_word(w: &str) -> usize {
    let mut h = KeyHasher::default();
    h.write(w.as_bytes());
    (h.finish() >> 58) as usize
}

impl Maps {
    /// Adds the terms of shard `shard` of pages `base`, `base + 1`, ….
    fn merge(&mut self, base: usize, pages: &[PageTerms], shard: usize) {
        for (i, p) in pages.iter().enumerate() {
            let doc = (base + i) as u32;
            let (from, to) = (p.shards[shard] as usize, p.shards[shard + 1] as usize);
            for &(k, w, start, end) in &p.cjk[from..to] {
                self.cjk.entry(k).or_insert_with(Acc::new).add(
                    doc,
                    w,
                    &p.arena[start as usize..end as usize],
                );
            }
            for (t, w, start, end) in &p.words {
                if shard_of_word(t) == shard {
                    let acc = match self.words.get_mut(t) {
                        Some(a) => a,
                        None => self.words.entry(t.clone()).or_insert_with(Acc::new),
                    };
                    acc.add(doc, *w, &p.arena[*start as usize..*end as usize]);
                }
            }
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

/// The first four UTF-16 code units of a term, left-aligned (a shorter
/// term pads with zeros, which no term holds, so it sorts first).
fn utf16_prefix(s: &str) -> u64 {
    s.encode_utf16()
        .take(4)
        .enumerate()
        .fold(0u64, |k, (n, u)| k | (u as u64) << (48 - 16 * n))
}

fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// A 64-bit content hash (two multiply-rotate lanes over 8-byte words);
/// for naming the index folder, not for security.
fn content_hash(bytes: &[u8]) -> u64 {
    const K1: u64 = 0x9E37_79B9_7F4A_7C15;
    const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    let (mut a, mut b) = (0x243F_6A88_85A3_08D3u64, 0x1319_8A2E_0370_7344u64);
    let mut chunks = bytes.chunks_exact(16);
    for c in &mut chunks {
        let x = u64::from_le_bytes(c[..8].try_into().unwrap_or_default());
        let y = u64::from_le_bytes(c[8..].try_into().unwrap_or_default());
        a = (a ^ x).wrapping_mul(K1).rotate_left(31);
        b = (b ^ y).wrapping_mul(K2).rotate_left(29);
    }
    for &byte in chunks.remainder() {
        a = (a ^ byte as u64).wrapping_mul(K1).rotate_left(31);
    }
    let mut h = a ^ b.rotate_left(17) ^ (bytes.len() as u64).wrapping_mul(K2);
    h ^= h >> 33;
    h = h.wrapping_mul(K1);
    h ^= h >> 29;
    h
}

/// Builds the index of `entries` (page id = position in the slice).
pub fn build(entries: &[Entry]) -> Files {
    build_from(entries.len(), |i| std::borrow::Cow::Borrowed(&entries[i]))
}

/// [`build`] from `count` entries made on demand by `entry` (page id `i` is
/// `entry(i)`), each dropped once tokenized: the pages' text is never all
/// in memory twice.
pub fn build_from<'a, F>(count: usize, entry: F) -> Files
where
    F: Fn(usize) -> std::borrow::Cow<'a, Entry> + Sync,
{
    let mut maps: Vec<Maps> = (0..SHARDS).map(|_| Maps::default()).collect();
    let mut texts: Vec<Vec<u8>> = Vec::with_capacity(count);
    let mut pending: Option<(usize, Vec<PageTerms>)> = None;
    // Tokenizing a batch overlaps with merging the one before it.
    let mut merge = |at: usize, pages: Vec<PageTerms>, maps: &mut Vec<Maps>| {
        maps.par_iter_mut()
            .enumerate()
            .for_each(|(s, m)| m.merge(at, &pages, s));
        texts.extend(pages.into_iter().map(|p| p.text_js));
    };
    for base in (0..count).step_by(BATCH) {
        let batch = base..(base + BATCH).min(count);
        let ((), done) = rayon::join(
            || {
                if let Some((at, pages)) = pending.take() {
                    merge(at, pages, &mut maps);
                }
            },
            || {
                batch
                    .into_par_iter()
                    .map(|i| analyze(i, &entry(i)))
                    .collect::<Vec<_>>()
            },
        );
        pending = Some((base, done));
    }
    if let Some((at, pages)) = pending.take() {
        merge(at, pages, &mut maps);
    }
    let terms: Vec<(String, Acc)> = maps
        .into_iter()
        .flat_map(|m| {
            m.cjk
                .into_iter()
                .map(|(k, a)| (key_string(k), a))
                .chain(m.words)
        })
        .collect();
    // JavaScript's order: UTF-16 code units. The first four units, packed,
    // decide almost every comparison.
    let mut terms: Vec<(u64, String, Acc)> = terms
        .into_iter()
        .map(|(t, a)| (utf16_prefix(&t), t, a))
        .collect();
    terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| utf16_cmp(&a.1, &b.1)));
    let term_count = terms.len();

    // Chunks: their bounds first (the dictionary sizes are known), then
    // their bytes, in parallel.
    let name_lens: Vec<u32> = terms
        .par_iter()
        .map(|t| js_json(&t.1).len() as u32)
        .collect();
    let mut bounds: Vec<usize> = Vec::new();
    let mut size = 0usize;
    let prefix = "CharterSearch.d(0000,[".len();
    for (i, (name_len, (_, _, acc))) in name_lens.iter().zip(&terms).enumerate() {
        let entry = *name_len as usize + acc.dict_len as usize + 4;
        if i > 0 && (size >= CHUNK_TARGET || size + entry > CHUNK_MAX) {
            bounds.push(i);
            size = 0;
        }
        if size == 0 {
            size = prefix;
        }
        size += entry;
    }
    if !terms.is_empty() {
        bounds.insert(0, 0);
        bounds.push(terms.len());
    }
    let firsts: Vec<String> = bounds
        .iter()
        .take(bounds.len().saturating_sub(1))
        .map(|&i| terms[i].1.clone())
        .collect();
    // A group of chunks at a time, from the end, so that the postings
    // written into chunks are freed as the chunks grow.
    drop(name_lens);
    let chunk_bytes = |c: usize, terms: &[(u64, String, Acc)]| {
        let mut dict = format!("CharterSearch.d({c},[").into_bytes();
        let mut pos = format!("CharterSearch.p({c},[").into_bytes();
        for (i, t) in terms.iter().enumerate() {
            if i > 0 {
                dict.push(b',');
                pos.push(b',');
            }
            dict.extend_from_slice(js_json(&t.1).as_bytes());
            dict.extend_from_slice(b",\"");
            pos.push(b'"');
            t.2.split_into(&mut dict, &mut pos);
            dict.push(b'"');
            pos.push(b'"');
        }
        dict.extend_from_slice(b"]);\n");
        pos.extend_from_slice(b"]);\n");
        [(format!("d{c}.js"), dict), (format!("p{c}.js"), pos)]
    };
    let mut groups: Vec<Vec<(String, Vec<u8>)>> = Vec::new();
    let chunk_count = bounds.len().saturating_sub(1);
    let group = 4 * rayon::current_num_threads().max(1);
    let mut end = chunk_count;
    while end > 0 {
        let start = end.saturating_sub(group);
        let at = bounds[start];
        let group_terms = terms.split_off(at);
        let files: Vec<(String, Vec<u8>)> = (start..end)
            .into_par_iter()
            .flat_map_iter(|c| {
                let (from, to) = (bounds[c] - at, bounds[c + 1] - at);
                chunk_bytes(c, &group_terms[from..to])
            })
            .collect();
        groups.push(files);
        end = start;
    }
    let mut inner: Vec<(String, Vec<u8>)> = groups.into_iter().rev().flatten().collect();
    let chunks = firsts.len();
    for (id, t) in texts.into_iter().enumerate() {
        inner.push((format!("t/{id}.js"), t));
    }
    inner.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let hashes: Vec<u8> = inner
        .par_iter()
        .flat_map_iter(|(name, bytes)| {
            let a = content_hash(name.as_bytes()).to_le_bytes();
            let b = content_hash(bytes).to_le_bytes();
            a.into_iter().chain(b)
        })
        .collect();
    let h = content_hash(&hashes);
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
            n: count,
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
        for p in a.files.keys() {
            assert!(p == "search/index.js" || p.starts_with(&a.dir), "{p}");
        }
    }

    #[test]
    fn bytes_do_not_depend_on_the_number_of_threads() {
        let entries = corpus(1100, 5);
        let with = |n: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
                .install(|| build(&entries))
        };
        let one = with(1);
        let three = with(3);
        assert_eq!(one.dir, three.dir);
        assert!(one.files == three.files);
    }

    #[test]
    fn pages_longer_than_packed_positions_allow() {
        let long = "考勤罚款。".repeat(PACKED_MAX / 5 + 10);
        let entries = vec![
            entry("a/", "长", &[("", &long), ("z", "易制毒")]),
            entry("b/", "短", &[("", "罚款")]),
        ];
        let files = build(&entries);
        let r = Reader::new(&files.files);
        assert_eq!(r.search("款。考"), vec![0]);
        assert_eq!(r.search("罚款"), vec![0, 1]);
        assert_eq!(r.search("易制毒"), vec![0]);
        let p = r.postings(&tokenize::query_terms("易制")[0][0]);
        assert_eq!(p[&0].2, vec![long.chars().count() as u32 + 3]);
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
