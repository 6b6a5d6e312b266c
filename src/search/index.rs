//! The inverted index and its files. Owns the on-disk format that
//! `themes/default/static/search.js` reads. Every file is a script that
//! calls back into `CharterSearch`; all but the manifest are named after
//! their own content, so an edit renames only the files whose bytes
//! changed, and a browser that loaded one build's manifest only ever asks
//! for that build's files (a later build's files have other names).
//!
//! * `search/index.js` (stable name, the manifest):
//!   `CharterSearch.m({"v":3,"n":<pages>,"c":[<first term of each chunk>],"g":<names>,"gs":[<first chunk of each group>],"l":<names>,"lb":<numbers>,"tb":<numbers>})`;
//!   `g` and `l` are strings of [`NAME_LEN`]-character names one after the
//!   other: group j is `search/g/<name j of g>.js`, list k
//!   `search/l/<name k of l>.js`. `tb` holds, for each text bundle in page
//!   order, how many pages it holds, `lb` for each list how many bundles
//!   it names (number strings, see [`put`]): page i is in the bundle b
//!   whose pages' running sum passes i, at place i − (pages before b),
//!   and b is named in the list whose bundles' running sum passes b.
//! * A name is [`NAME_LEN`] characters of `0-9a-v` (60 bits of a hash of
//!   the file's payload: its last argument, as written), the same whatever
//!   the case-sensitivity of the file system.
//! * `search/g/<name>.js`, a group of chunks (those from `gs[j]` to
//!   `gs[j + 1] − 1`, about 32, bounds chosen by the chunks' first terms
//!   (see [`group_starts`]): `CharterSearch.g("<name>","<names>")`, for
//!   each chunk the name of its dictionary file, then of its positions
//!   file. (Listed in the manifest, the names would make it four times
//!   the size; a query loads the group of its chunks first.)
//! * `search/d/<name>.js`, a dictionary chunk:
//!   `CharterSearch.d("<name>",[term,postings,term,postings,…])`, terms
//!   sorted by UTF-16 code units (JavaScript's string order), cut into
//!   chunks of 18–32 KB (24 on average) where the terms themselves say
//!   (see [`chunk_bounds`]: an edit that changes a few terms' postings
//!   seldom moves a bound; a term bigger than that gets a chunk of its
//!   own). Postings are one string of numbers (see [`put`]): for each page
//!   holding the term, the gap from the previous page's id, then
//!   `tf × 4 + fields` (bit 1: the term is in the title, bit 2: in a
//!   heading).
//! * `search/p/<name>.js`, the positions of a chunk's terms, in the same
//!   order: `CharterSearch.p("<name>",[positions,…])`, for each page of the
//!   postings its `tf` positions (first absolute, then gaps minus one).
//!   Loaded only when a query needs adjacency checked.
//! * `search/l/<name>.js`, list k: `CharterSearch.l("<name>","<names>")`,
//!   the names of its bundles. Lists start at a bundle whose first page's
//!   address hash says so (one in [`LIST_BUNDLES`], at most [`LIST_MAX`]
//!   bundles), so that a bundle more or less renames a list or two.
//! * `search/t/<name>.js`, a bundle of pages' texts for snippets, in page
//!   order: `CharterSearch.t("<name>",[[u,t,s,b,x],…])`, for each page its
//!   href `u`, title `t` (`0` when it is the text's first block as it is),
//!   subtitle `s`, blocks `b` (`[offset,fragment,field,offset,…]`) and the
//!   normalized text `x` whose character offsets the positions count.
//!   A bundle ends after a page whose address hash says so once it holds
//!   [`TEXT_MIN`] bytes (the chance being the page's share of
//!   [`TEXT_SPAN`]), or before a page that would take it past
//!   [`TEXT_MAX`]: bounds depend on the pages near them, so an edit
//!   renames the bundle of the page it changed (and its list), and a
//!   page added or removed moves a bound or two near it. (One file per
//!   page was 60,000 files at 10,000 departments; a query's 20 snippets
//!   load at most 20 bundles, about 3 KB gzipped each.)
//!
//! The bytes depend only on the entries (not on the number of threads).
//! Two files with the same payload are one file (the positions of `七`
//! and of `七条`, say, when both are chunks of their own). Text inserted into a page
//! moves the positions of everything after it on that page, so it changes
//! the positions files of most chunks holding one of its terms (their
//! dictionary chunks stay).
//!
//! Building ([`build_from`]): pages are tokenized in parallel a batch at
//! a time, each into its terms with their positions and its text record;
//! the records go into bundles in page order, each bundle to the caller's
//! sink as soon as it is complete. The batch before is merged meanwhile into
//! per-term postings, spread over 64 shards merged in parallel (small
//! enough for a shard's hash map and its postings' ends to stay in cache);
//! a shard keeps its postings as LEB128 numbers in chained slices of 64 KB
//! pages ([`Pool`]): no allocation per term, little unused room. Then the
//! terms are sorted, cut into chunks and each chunk's two files made (in
//! parallel) and handed to the sink as soon as they are made; the lists
//! and the manifest come last.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use super::tokenize::{self, Tok};
use super::{Entry, Field};

/// A chunk ends at the first term whose hash says so once it holds this
/// many bytes of dictionary…
pub const CHUNK_MIN: usize = 18 * 1024;
/// …the chance being a term's share of this many bytes…
const CHUNK_SPAN: u64 = 8 * 1024;
/// …and an entry that would take it past this starts a new one.
pub const CHUNK_MAX: usize = 32 * 1024;
/// Pages tokenized in parallel between two merges.
const BATCH: usize = 512;
/// A text bundle ends after a page whose address's hash says so once it
/// holds this many bytes…
pub const TEXT_MIN: usize = 16 * 1024;
/// …the chance being the page's share of this many bytes…
const TEXT_SPAN: u64 = 8 * 1024;
/// …and a page that would take it past this starts a new one.
pub const TEXT_MAX: usize = 40 * 1024;
/// Bundles one list names, on average…
const LIST_BUNDLES: usize = 32;
/// …and at most.
const LIST_MAX: usize = 128;
/// Chunks a group names, on average…
const GROUP_CHUNKS: usize = 32;
/// …and at most.
const GROUP_MAX: usize = 128;
/// Characters of a file name.
pub const NAME_LEN: usize = 12;

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

/// Whether a string is its own JSON text between quotes (no escaping
/// needed, none of `<`, U+2028, U+2029): every CJK term, most words.
fn plain(s: &str) -> bool {
    s.chars()
        .all(|c| c >= ' ' && !matches!(c, '"' | '\\' | '<' | '\u{2028}' | '\u{2029}'))
}

/// Bytes of [`js_json`] of a string.
fn json_len(s: &str) -> usize {
    if plain(s) {
        s.len() + 2
    } else {
        js_json(s).len()
    }
}

/// [`js_json_into`] for a string.
fn json_into(s: &str, out: &mut Vec<u8>) {
    if plain(s) {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        js_json_into(s, out);
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

/// The text of a CJK key, written in `buf`.
fn key_str(k: u64, buf: &mut [u8; 8]) -> &str {
    let ch = |v: u64| char::from_u32((v & 0x1F_FFFF) as u32).unwrap_or('\u{FFFD}');
    let mut n = 0;
    if k & BIGRAM != 0 {
        n += ch(k >> 21).encode_utf8(&mut buf[n..]).len();
    }
    n += ch(k).encode_utf8(&mut buf[n..]).len();
    std::str::from_utf8(&buf[..n]).unwrap_or_default()
}

/// Characters of file names: lowercase only, for case-insensitive file systems.
const NAME_DIGITS: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";

/// A file name: [`NAME_LEN`] characters of the low 60 bits of `h`.
type Name = [u8; NAME_LEN];

fn name_of(h: u64) -> Name {
    let mut n = [0u8; NAME_LEN];
    for (i, c) in n.iter_mut().enumerate() {
        *c = NAME_DIGITS[(h >> (5 * i) & 31) as usize];
    }
    n
}

fn name_str(n: &Name) -> &str {
    std::str::from_utf8(n).unwrap_or_default()
}

/// A 64-bit content hash of `bytes` (a multiply-fold of 16-byte blocks, as
/// in wyhash); for naming files, not for security.
fn content_hash(bytes: &[u8]) -> u64 {
    const P0: u64 = 0xa076_1d64_78bd_642f;
    const P1: u64 = 0xe703_7ed1_a0b4_28db;
    const P2: u64 = 0x8ebc_6af0_9c88_c6e3;
    #[inline]
    fn mum(a: u64, b: u64) -> u64 {
        let r = a as u128 * b as u128;
        r as u64 ^ (r >> 64) as u64
    }
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or_default());
    let len = bytes.len() as u64;
    let mut h = P0 ^ mum(len ^ P1, P2);
    let mut blocks = bytes.chunks_exact(16);
    for b in &mut blocks {
        h = mum(word(&b[..8]) ^ P1, word(&b[8..]) ^ h);
    }
    let rest = blocks.remainder();
    let mut last = [0u8; 16];
    last[..rest.len()].copy_from_slice(rest);
    h = mum(word(&last[..8]) ^ P1, word(&last[8..]) ^ h ^ P2);
    mum(h ^ P0, len ^ P1)
}

/// Bytes before the payload of a file: `CharterSearch.x("<name>",`.
const FILE_HEAD: usize = "CharterSearch.x(\"\",".len() + NAME_LEN;

/// Starts a file of the index, `CharterSearch.<f>("<name>",<payload>);`:
/// the payload goes after what this returns, then [`finish_file`].
fn start_file(f: u8, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity + FILE_HEAD + 3);
    out.extend_from_slice(b"CharterSearch.");
    out.push(f);
    out.extend_from_slice(b"(\"");
    out.extend_from_slice(&[b'0'; NAME_LEN]);
    out.extend_from_slice(b"\",");
    out
}

/// Names a file begun with [`start_file`] after its payload, and ends it.
fn finish_file(out: &mut Vec<u8>) -> Name {
    let name = name_of(content_hash(&out[FILE_HEAD..]));
    out[FILE_HEAD - NAME_LEN - 2..FILE_HEAD - 2].copy_from_slice(&name);
    out.extend_from_slice(b");\n");
    name
}

/// A whole file of the index, with the payload that `write` appends.
fn named_file(f: u8, capacity: usize, write: impl FnOnce(&mut Vec<u8>)) -> (Name, Vec<u8>) {
    let mut out = start_file(f, capacity);
    write(&mut out);
    let name = finish_file(&mut out);
    (name, out)
}

/// Appends `v` as a LEB128 number: how positions and postings are kept in
/// memory (7 bits a byte, where the files' digits hold 5).
#[inline]
fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// [`put_varint`] into `buf` at `n` (at most 5 bytes); returns where it ended.
#[inline]
fn varint_at(buf: &mut [u8; 32], mut n: usize, mut v: u32) -> usize {
    while v >= 0x80 {
        buf[n] = v as u8 | 0x80;
        v >>= 7;
        n += 1;
    }
    buf[n] = v as u8;
    n + 1
}

/// Reads the LEB128 number at `*i` (0 past the end).
#[inline]
fn read_varint(b: &[u8], i: &mut usize) -> u32 {
    if let Some(&c) = b.get(*i)
        && c < 0x80
    {
        *i += 1;
        return c as u32;
    }
    let mut v = 0u32;
    let mut shift = 0u32;
    while let Some(&c) = b.get(*i) {
        *i += 1;
        v |= ((c & 0x7F) as u32).checked_shl(shift).unwrap_or(0);
        if c < 0x80 {
            break;
        }
        shift += 7;
    }
    v
}

/// How many digits [`put`] writes for `v`.
#[inline]
fn digits_of(v: u32) -> u32 {
    (32 - v.leading_zeros()).div_ceil(5).max(1)
}

/// Bits of the offset within a page of a [`Pool`].
const POOL_PAGE_BITS: u32 = 16;
const POOL_PAGE: usize = 1 << POOL_PAGE_BITS;
/// Sizes of the successive slices of a term's postings; the last 4 bytes
/// of a slice hold the offset of the next one.
const SLICES: [u32; 8] = [16, 32, 64, 128, 256, 512, 1024, 2048];

/// Where a shard keeps its terms' postings: slices of growing size carved
/// out of 64 KB pages and chained (no allocation per term, little unused
/// room, and nothing is ever copied to grow). Offsets are u32: page number
/// and offset within it.
#[derive(Default)]
struct Pool {
    pages: Vec<Box<[u8]>>,
    used: usize,
}

impl Pool {
    fn alloc(&mut self, size: u32) -> u32 {
        let size = size as usize;
        if self.pages.is_empty() || self.used + size > POOL_PAGE {
            assert!(
                self.pages.len() < (1 << (32 - POOL_PAGE_BITS)) - 1,
                "search index: the postings of a shard exceed 4 GB"
            );
            self.pages.push(vec![0u8; POOL_PAGE].into_boxed_slice());
            self.used = 0;
        }
        let at = ((self.pages.len() - 1) << POOL_PAGE_BITS | self.used) as u32;
        self.used += size;
        at
    }

    #[inline]
    fn at(&self, at: u32, len: usize) -> &[u8] {
        let o = at as usize & (POOL_PAGE - 1);
        &self.pages[(at >> POOL_PAGE_BITS) as usize][o..o + len]
    }

    #[inline]
    fn at_mut(&mut self, at: u32, len: usize) -> &mut [u8] {
        let o = at as usize & (POOL_PAGE - 1);
        &mut self.pages[(at >> POOL_PAGE_BITS) as usize][o..o + len]
    }

    /// Copies the bytes of a chain (from `head` to `upto`) into `out`.
    fn read_chain(&self, head: u32, upto: u32, out: &mut Vec<u8>) {
        out.clear();
        let (mut at, mut level) = (head, 0);
        loop {
            let end = at + SLICES[level] - 4;
            if (at..=end).contains(&upto) {
                out.extend_from_slice(self.at(at, (upto - at) as usize));
                return;
            }
            out.extend_from_slice(self.at(at, (end - at) as usize));
            let next = self.at(end, 4);
            at = u32::from_le_bytes([next[0], next[1], next[2], next[3]]);
            level = (level + 1).min(SLICES.len() - 1);
        }
    }
}

/// A term's postings as they grow page by page: for each page, the gap
/// from the previous page's id, `tf × 4 + fields` and the positions, as
/// LEB128 numbers in a chain of slices of its shard's [`Pool`]; split into
/// the dictionary and positions streams, in [`DIGITS`], when the chunks
/// are written.
struct Post {
    /// Id of the page after the last one added.
    next: u32,
    /// Digits of the dictionary stream (gaps and weights) in the file.
    dict_len: u32,
    /// The first slice; where the next byte goes; where its slice ends.
    head: u32,
    upto: u32,
    end: u32,
    level: u8,
}

impl Post {
    fn new(pool: &mut Pool) -> Post {
        let head = pool.alloc(SLICES[0]);
        Post {
            next: 0,
            dict_len: 0,
            head,
            upto: head,
            end: head + SLICES[0] - 4,
            level: 0,
        }
    }

    /// Adds page `doc` with `tf × 4 + fields` `w` and the positions
    /// `arena[start..end]`; the arena holds at least [`ARENA_PAD`] bytes
    /// after the last term's positions.
    #[inline]
    fn add(&mut self, pool: &mut Pool, doc: u32, w: u32, arena: &[u8], start: usize, end: usize) {
        let gap = doc - self.next;
        self.dict_len += digits_of(gap) + digits_of(w);
        self.next = doc + 1;
        let mut buf = [0u8; 32];
        let n = varint_at(&mut buf, 0, gap);
        let n = varint_at(&mut buf, n, w);
        let len = end - start;
        if len <= ARENA_PAD {
            // Most pages hold a term a few times: copies of fixed sizes
            // (what follows the positions is overwritten later).
            buf[n..n + ARENA_PAD].copy_from_slice(&arena[start..start + ARENA_PAD]);
            if self.end - self.upto >= 32 {
                pool.at_mut(self.upto, 32).copy_from_slice(&buf);
                self.upto += (n + len) as u32;
            } else {
                self.write(pool, &buf[..n + len]);
            }
        } else {
            self.write(pool, &buf[..n]);
            self.write(pool, &arena[start..end]);
        }
    }

    #[inline]
    fn write(&mut self, pool: &mut Pool, mut bytes: &[u8]) {
        loop {
            let n = ((self.end - self.upto) as usize).min(bytes.len());
            pool.at_mut(self.upto, n).copy_from_slice(&bytes[..n]);
            self.upto += n as u32;
            bytes = &bytes[n..];
            if bytes.is_empty() {
                return;
            }
            let level = (self.level as usize + 1).min(SLICES.len() - 1);
            let next = pool.alloc(SLICES[level]);
            pool.at_mut(self.end, 4)
                .copy_from_slice(&next.to_le_bytes());
            self.upto = next;
            self.end = next + SLICES[level] - 4;
            self.level = level as u8;
        }
    }
}

/// Converts a term's postings from memory (see [`Post`]) to the two
/// streams of the files.
fn split_into(stream: &[u8], dict: &mut Vec<u8>, pos: &mut Vec<u8>) {
    /// [`put`] at `out[*n..]`.
    #[inline(always)]
    fn put_at(out: &mut [u8], n: &mut usize, mut v: u32) {
        loop {
            let d = v & 31;
            v >>= 5;
            if v == 0 {
                out[*n] = DIGITS[d as usize];
                *n += 1;
                return;
            }
            out[*n] = DIGITS[(d | 32) as usize];
            *n += 1;
        }
    }
    // A LEB128 byte holds 7 bits, a digit 5: at most two digits a byte.
    let (mut dn, mut pn) = (dict.len(), pos.len());
    dict.resize(dn + 2 * stream.len(), 0);
    pos.resize(pn + 2 * stream.len(), 0);
    let mut i = 0;
    while i < stream.len() {
        put_at(dict, &mut dn, read_varint(stream, &mut i));
        let w = read_varint(stream, &mut i);
        put_at(dict, &mut dn, w);
        for _ in 0..w >> 2 {
            if i >= stream.len() {
                break;
            }
            put_at(pos, &mut pn, read_varint(stream, &mut i));
        }
    }
    dict.truncate(dn);
    pos.truncate(pn);
}

/// Bytes after the last positions of a page's arena, so that up to this
/// many bytes of positions are copied at a fixed size.
const ARENA_PAD: usize = 16;

/// One page, tokenized: its terms with `tf × 4 + fields` and their
/// positions (LEB128, one term after the other in `arena`, which ends
/// with [`ARENA_PAD`] zeros).
struct PageTerms {
    /// CJK terms grouped by shard: key, `tf × 4 + fields` and where its
    /// positions start (they end where the next term's start, the last
    /// one's at `cjk_end`). Shard s is `cjk[shards[s]..shards[s + 1]]`.
    cjk: Vec<(u64, u32, u32)>,
    cjk_end: u32,
    shards: Box<[u32]>,
    /// Words: the word, its shard, `tf × 4 + fields`, positions (start, end).
    words: Vec<(String, u32, u32, u32, u32)>,
    arena: Vec<u8>,
}

/// A page's text for snippets, as it goes into a bundle.
struct TextRecord {
    /// `[u,t,s,[offset,fragment,field,…],x]` (see the module docs).
    record: Vec<u8>,
    /// A hash of the page's address: where bundles may end.
    key: u64,
}

/// The record of a page in a text bundle: `[u,t,s,b,x]`, `t` being `0`
/// when the title is the first block of `x` as it is.
fn page_record(entry: &Entry, url: &str, page: &PageText) -> Vec<u8> {
    let PageText { text, blocks, .. } = page;
    let mut out = Vec::with_capacity(text.len() + 64 + blocks.len() * 12);
    out.push(b'[');
    json_into(url, &mut out);
    out.push(b',');
    let title_end = blocks
        .get(1)
        .map_or(usize::MAX, |b| (b.0 as usize).saturating_sub(1));
    let title_end = text
        .char_indices()
        .nth(title_end)
        .map_or(text.len(), |(i, _)| i);
    let title_first = blocks.first().is_some_and(|b| b.2 == Field::Title);
    if title_first && text[..title_end] == *entry.title {
        out.push(b'0');
    } else {
        json_into(&entry.title, &mut out);
    }
    out.push(b',');
    json_into(&entry.subtitle, &mut out);
    out.extend_from_slice(b",[");
    for (i, (o, a, f)) in blocks.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(o.to_string().as_bytes());
        out.push(b',');
        json_into(
            &a.as_deref()
                .map(crate::urls::encode_fragment)
                .unwrap_or_default(),
            &mut out,
        );
        out.push(b',');
        out.push(b'0' + field_bits(*f) as u8);
    }
    out.extend_from_slice(b"],");
    json_into(text, &mut out);
    out.push(b']');
    out
}

/// Cuts the pages' records, in page order, into bundles and hands each
/// to the sink as soon as it is complete (see [`TEXT_MIN`]).
struct Bundler {
    /// The bundle being filled (begun with [`start_file`] and `[`).
    buf: Vec<u8>,
    pages: u32,
    /// The bundles so far: name, pages, and the key of the first page.
    done: Vec<(Name, u32, u64)>,
    first: u64,
}

impl Bundler {
    fn new() -> Bundler {
        Bundler {
            buf: Vec::new(),
            pages: 0,
            done: Vec::new(),
            first: 0,
        }
    }

    fn add(&mut self, r: &TextRecord, put: &impl Fn(String, Vec<u8>)) {
        if self.pages > 0 && self.buf.len() + r.record.len() > TEXT_MAX {
            self.finish(put);
        }
        if self.pages == 0 {
            self.buf = start_file(b't', TEXT_MAX + 64);
            self.buf.push(b'[');
            self.first = r.key;
        } else {
            self.buf.push(b',');
        }
        self.buf.extend_from_slice(&r.record);
        self.pages += 1;
        let len = r.record.len() as u64;
        let anchor = (r.key >> 32) * TEXT_SPAN < len << 32;
        if self.buf.len() >= TEXT_MIN && anchor {
            self.finish(put);
        }
    }

    fn finish(&mut self, put: &impl Fn(String, Vec<u8>)) {
        if self.pages == 0 {
            return;
        }
        let mut buf = std::mem::take(&mut self.buf);
        buf.push(b']');
        let name = finish_file(&mut buf);
        put(format!("search/t/{}.js", name_str(&name)), buf);
        self.done.push((name, self.pages, self.first));
        self.pages = 0;
    }
}

/// Where the lists of bundle names start (bundle indices), from the keys
/// of the bundles' first pages: one bundle in [`LIST_BUNDLES`] starts a
/// list, or the [`LIST_MAX`]-th since the last start.
fn list_starts(bundles: &[(Name, u32, u64)]) -> Vec<usize> {
    let mut starts = Vec::new();
    for (i, b) in bundles.iter().enumerate() {
        let anchor = (b.2 >> 40).is_multiple_of(LIST_BUNDLES as u64);
        if i == 0 || anchor || i - starts.last().copied().unwrap_or(0) >= LIST_MAX {
            starts.push(i);
        }
    }
    starts
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
    /// Terms of the page: key and their tokens' range in `toks` or `wide`.
    runs: Vec<(u64, u32, u32)>,
    grouped: Vec<(u64, u32, u32)>,
}

impl Scratch {
    const fn new() -> Scratch {
        Scratch {
            page: PageText {
                text: String::new(),
                blocks: Vec::new(),
                fields: Vec::new(),
            },
            toks: Vec::new(),
            wide: Vec::new(),
            words: Vec::new(),
            runs: Vec::new(),
            grouped: Vec::new(),
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = const { std::cell::RefCell::new(Scratch::new()) };
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
            put_varint(arena, p);
        } else {
            put_varint(arena, p - prev - 1);
        }
        mask |= fields.get(p as usize).copied().unwrap_or(0) as u32;
        prev = p;
        tf += 1;
    }
    tf.saturating_mul(4) | mask
}

/// A page tokenized, and its record for the text bundles.
fn analyze(entry: &Entry) -> (PageTerms, TextRecord) {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut s) => analyze_with(entry, &mut s),
        Err(_) => analyze_with(entry, &mut Scratch::new()),
    })
}

/// Ranges of equal keys in a sorted list: (key, from, to).
fn runs_of(len: usize, key: impl Fn(usize) -> u64, runs: &mut Vec<(u64, u32, u32)>) {
    runs.clear();
    let mut i = 0;
    while i < len {
        let k = key(i);
        let mut j = i + 1;
        while j < len && key(j) == k {
            j += 1;
        }
        runs.push((k, i as u32, j as u32));
        i = j;
    }
}

fn analyze_with(entry: &Entry, scratch: &mut Scratch) -> (PageTerms, TextRecord) {
    let Scratch {
        page,
        toks,
        wide,
        words,
        runs,
        grouped,
    } = scratch;
    page_text_into(entry, page);
    let PageText { text, fields, .. } = &*page;
    words.clear();
    let packed = fields.len() <= PACKED_MAX;
    if packed {
        // Key and position in one u64: sorting them is the hot loop.
        toks.clear();
        tokenize::for_each_token(text, |t, p| match t {
            Tok::Word(w) => words.push((w.to_string(), p)),
            _ => toks.push((key(t) << 21) | p as u64),
        });
        toks.sort_unstable();
        runs_of(toks.len(), |i| toks[i] >> 21, runs);
    } else {
        wide.clear();
        tokenize::for_each_token(text, |t, p| match t {
            Tok::Word(w) => words.push((w.to_string(), p)),
            _ => wide.push((key(t), p)),
        });
        wide.sort_unstable();
        runs_of(wide.len(), |i| wide[i].0, runs);
    }
    // Grouped by shard (a counting sort), and their positions encoded in
    // that order.
    let mut shards = vec![0u32; SHARDS + 1].into_boxed_slice();
    for r in runs.iter() {
        shards[shard_of_key(r.0) + 1] += 1;
    }
    for s in 1..=SHARDS {
        shards[s] += shards[s - 1];
    }
    let mut at: Vec<u32> = shards[..SHARDS].to_vec();
    grouped.clear();
    grouped.resize(runs.len(), (0, 0, 0));
    for &r in runs.iter() {
        let s = shard_of_key(r.0);
        grouped[at[s] as usize] = r;
        at[s] += 1;
    }
    let mut arena = Vec::with_capacity(fields.len() * 2 + 16);
    let mut cjk = Vec::with_capacity(grouped.len());
    for &(k, i, j) in grouped.iter() {
        let (i, j) = (i as usize, j as usize);
        let start = arena.len() as u32;
        let w = if packed {
            encode_positions(
                toks[i..j].iter().map(|x| (x & PACKED_MAX as u64) as u32),
                fields,
                &mut arena,
            )
        } else {
            encode_positions(wide[i..j].iter().map(|x| x.1), fields, &mut arena)
        };
        cjk.push((k, w, start));
    }
    let cjk_end = arena.len() as u32;
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
        let word = std::mem::take(&mut words[i].0);
        let shard = shard_of_word(&word) as u32;
        word_terms.push((word, shard, w, start, arena.len() as u32));
        i = j;
    }
    arena.extend_from_slice(&[0; ARENA_PAD]);
    let url = crate::urls::encode_path(&crate::urls::file_of(&entry.url));
    let key = content_hash(url.as_bytes());
    let record = page_record(entry, &url, page);
    let terms = PageTerms {
        cjk,
        cjk_end,
        shards,
        words: word_terms,
        arena,
    };
    (terms, TextRecord { record, key })
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

/// The postings of the terms of one shard (terms are spread over shards
/// by a hash of their key, so that shards merge in parallel; which shard a
/// term is in does not change the output).
#[derive(Default)]
struct Shard {
    cjk: KeyMap<Post>,
    words: HashMap<String, Post>,
    pool: Pool,
}

impl Shard {
    /// Adds the terms of shard `shard` of pages `base`, `base + 1`, ….
    fn merge(&mut self, base: usize, pages: &[PageTerms], shard: usize) {
        let Shard { cjk, words, pool } = self;
        for (i, p) in pages.iter().enumerate() {
            let doc = (base + i) as u32;
            let (from, to) = (p.shards[shard] as usize, p.shards[shard + 1] as usize);
            for j in from..to {
                let (k, w, start) = p.cjk[j];
                let end = p.cjk.get(j + 1).map_or(p.cjk_end, |n| n.2);
                cjk.entry(k).or_insert_with(|| Post::new(pool)).add(
                    pool,
                    doc,
                    w,
                    &p.arena,
                    start as usize,
                    end as usize,
                );
            }
            for (t, s, w, start, end) in &p.words {
                if *s as usize == shard {
                    let post = match words.get_mut(t) {
                        Some(a) => a,
                        None => words.entry(t.clone()).or_insert_with(|| Post::new(pool)),
                    };
                    post.add(pool, doc, *w, &p.arena, *start as usize, *end as usize);
                }
            }
        }
    }

    /// The terms and their postings, the hash maps gone.
    fn finish(self) -> Terms {
        let Shard { cjk, words, pool } = self;
        let mut terms = Vec::with_capacity(cjk.len() + words.len());
        terms.extend(cjk.into_iter().map(|(k, p)| Term {
            key: k,
            dict_len: p.dict_len,
            head: p.head,
            upto: p.upto,
        }));
        let mut names = Vec::with_capacity(words.len());
        for (w, p) in words {
            terms.push(Term {
                key: WORD | names.len() as u64,
                dict_len: p.dict_len,
                head: p.head,
                upto: p.upto,
            });
            names.push(w.into_boxed_str());
        }
        Terms {
            terms,
            words: names,
            pool,
        }
    }
}

/// Marks a [`Term`] key that is an index into [`Terms::words`].
const WORD: u64 = 1 << 63;

/// A term once every page is merged.
struct Term {
    /// The CJK key (see [`key`]), or [`WORD`] and the index of the word.
    key: u64,
    dict_len: u32,
    head: u32,
    upto: u32,
}

/// The terms of a shard and their postings.
struct Terms {
    terms: Vec<Term>,
    words: Vec<Box<str>>,
    pool: Pool,
}

impl Terms {
    /// The text of term `i` (a CJK term's written in `buf`).
    fn name<'a>(&'a self, i: usize, buf: &'a mut [u8; 8]) -> &'a str {
        let k = self.terms[i].key;
        if k & WORD != 0 {
            &self.words[(k & !WORD) as usize]
        } else {
            key_str(k, buf)
        }
    }
}

/// The text of a term of the sorted list: (prefix, shard, index).
fn term_name<'a>(shards: &'a [Terms], t: &(u64, u32, u32), buf: &'a mut [u8; 8]) -> &'a str {
    shards[t.1 as usize].name(t.2 as usize, buf)
}

/// What [`build_from`] made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub pages: usize,
    pub terms: usize,
    pub chunks: usize,
    /// Files handed to the sink (manifest included).
    pub files: usize,
}

/// The index in memory (see [`build`]).
pub struct Files {
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

/// Where the chunks start (indices into the sorted terms, and their
/// number as the last bound), from each term's (dictionary bytes, hash of
/// the term). A chunk ends before a term if that term would take it past
/// [`CHUNK_MAX`], or once it holds [`CHUNK_MIN`] bytes at a term whose
/// hash falls below its share of [`CHUNK_SPAN`] (content-defined chunking):
/// the bounds depend on the terms near them, not on everything before, so
/// an edit that changes a few terms' postings seldom moves a bound, and a
/// bound it moves is found again within a chunk or two. (Cut by size
/// alone, one byte more in one chunk could shift every later bound.)
fn chunk_bounds(entries: &[(u32, u32)]) -> Vec<usize> {
    let prefix = "CharterSearch.d(\"\",[".len() + NAME_LEN;
    let mut bounds = Vec::new();
    let mut size = 0usize;
    for (i, &(entry, hash)) in entries.iter().enumerate() {
        let entry = entry as usize;
        let anchor = (hash as u64) * CHUNK_SPAN < (entry as u64) << 32;
        if i > 0 && (size + entry > CHUNK_MAX || (size >= CHUNK_MIN && anchor)) {
            bounds.push(i);
            size = 0;
        }
        if size == 0 {
            if bounds.is_empty() {
                bounds.push(0);
            }
            size = prefix;
        }
        size += entry;
    }
    if !entries.is_empty() {
        bounds.push(entries.len());
    }
    bounds
}

/// Where the groups of chunks start (chunk indices), from the chunks'
/// first terms: a group ends before a chunk whose first term's hash says
/// so (one in [`GROUP_CHUNKS`]) or at [`GROUP_MAX`] chunks, so that chunks
/// that keep their bounds keep their group.
fn group_starts(firsts: &[String]) -> Vec<usize> {
    let mut starts = Vec::new();
    for (i, f) in firsts.iter().enumerate() {
        let anchor = (content_hash(f.as_bytes()) >> 32).is_multiple_of(GROUP_CHUNKS as u64);
        if i == 0 || anchor || i - starts.last().copied().unwrap_or(0) >= GROUP_MAX {
            starts.push(i);
        }
    }
    starts
}

/// Builds the index of `entries` (page id = position in the slice), in memory.
pub fn build(entries: &[Entry]) -> Files {
    let files = Mutex::new(BTreeMap::new());
    let summary = build_from(
        entries.len(),
        |i| Cow::Borrowed(&entries[i]),
        |path, bytes| {
            files
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path, bytes);
            Ok::<(), std::convert::Infallible>(())
        },
    );
    let summary = match summary {
        Ok(s) => s,
        Err(e) => match e {},
    };
    Files {
        files: files.into_inner().unwrap_or_else(|e| e.into_inner()),
        chunks: summary.chunks,
        terms: summary.terms,
    }
}

/// Builds the index of `count` entries made on demand by `entry` (page id
/// `i` is `entry(i)`, dropped once tokenized) and hands each file to `sink`
/// (output path, bytes) as soon as it is made, from any thread: the text
/// files as their pages are tokenized, the chunks as they are cut, the
/// lists and the manifest last. Nothing of the output is kept. Stops at
/// the first error of the sink, and returns it.
pub fn build_from<'a, F, S, E>(count: usize, entry: F, sink: S) -> Result<Summary, E>
where
    F: Fn(usize) -> Cow<'a, Entry> + Sync,
    S: Fn(String, Vec<u8>) -> Result<(), E> + Sync,
    E: Send,
{
    let failed: Mutex<Option<E>> = Mutex::new(None);
    let files = std::sync::atomic::AtomicUsize::new(0);
    let put = |path: String, bytes: Vec<u8>| {
        files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Err(e) = sink(path, bytes) {
            failed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(e);
        }
    };
    let has_failed = || failed.lock().unwrap_or_else(|e| e.into_inner()).is_some();
    let take_error = || failed.lock().unwrap_or_else(|e| e.into_inner()).take();

    let mut shards: Vec<Shard> = (0..SHARDS).map(|_| Shard::default()).collect();
    let mut bundler = Bundler::new();
    let mut pending: Option<(usize, Vec<PageTerms>)> = None;
    let merge = |at: usize, pages: Vec<PageTerms>, shards: &mut Vec<Shard>| {
        shards
            .par_iter_mut()
            .enumerate()
            .for_each(|(s, m)| m.merge(at, &pages, s));
    };
    // Tokenizing a batch overlaps with merging the one before it.
    for base in (0..count).step_by(BATCH) {
        if has_failed() {
            break;
        }
        let batch = base..(base + BATCH).min(count);
        let ((), done) = rayon::join(
            || {
                if let Some((at, pages)) = pending.take() {
                    merge(at, pages, &mut shards);
                }
            },
            || {
                batch
                    .into_par_iter()
                    .map(|i| analyze(&entry(i)))
                    .collect::<Vec<_>>()
            },
        );
        for d in &done {
            bundler.add(&d.1, &put);
        }
        pending = Some((base, done.into_iter().map(|d| d.0).collect()));
    }
    if let Some((at, pages)) = pending.take() {
        merge(at, pages, &mut shards);
    }
    bundler.finish(&put);
    if let Some(e) = take_error() {
        return Err(e);
    }

    let shards: Vec<Terms> = shards.into_par_iter().map(Shard::finish).collect();
    // JavaScript's order: UTF-16 code units. The first four units, packed,
    // decide almost every comparison (all between CJK terms).
    let mut order: Vec<(u64, u32, u32)> = shards
        .par_iter()
        .enumerate()
        .flat_map_iter(|(s, t)| {
            (0..t.terms.len())
                .map(move |i| (utf16_prefix(t.name(i, &mut [0; 8])), s as u32, i as u32))
        })
        .collect();
    order.par_sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            utf16_cmp(
                term_name(&shards, a, &mut [0; 8]),
                term_name(&shards, b, &mut [0; 8]),
            )
        })
    });
    let term_count = order.len();

    // Chunks: their bounds (the dictionary sizes are known), then their
    // files, in parallel.
    let entries: Vec<(u32, u32)> = order
        .par_iter()
        .map(|t| {
            let mut buf = [0; 8];
            let n = term_name(&shards, t, &mut buf);
            let term = &shards[t.1 as usize].terms[t.2 as usize];
            let size = json_len(n) as u32 + term.dict_len + 4;
            (size, content_hash(n.as_bytes()) as u32)
        })
        .collect();
    let bounds = chunk_bounds(&entries);
    drop(entries);
    let chunk_count = bounds.len().saturating_sub(1);
    let firsts: Vec<String> = bounds[..chunk_count]
        .iter()
        .map(|&i| term_name(&shards, &order[i], &mut [0; 8]).to_string())
        .collect();
    let names: Vec<(Name, Name)> = (0..chunk_count)
        .into_par_iter()
        .map(|c| {
            let terms = &order[bounds[c]..bounds[c + 1]];
            let mut stream = Vec::new();
            let mut dict = start_file(b'd', CHUNK_MAX + 64);
            dict.push(b'[');
            let mut pos = start_file(b'p', CHUNK_MAX);
            pos.push(b'[');
            for (i, t) in terms.iter().enumerate() {
                if i > 0 {
                    dict.push(b',');
                    pos.push(b',');
                }
                json_into(term_name(&shards, t, &mut [0; 8]), &mut dict);
                dict.extend_from_slice(b",\"");
                pos.push(b'"');
                let shard = &shards[t.1 as usize];
                let term = &shard.terms[t.2 as usize];
                shard.pool.read_chain(term.head, term.upto, &mut stream);
                split_into(&stream, &mut dict, &mut pos);
                dict.push(b'"');
                pos.push(b'"');
            }
            dict.push(b']');
            pos.push(b']');
            let d = finish_file(&mut dict);
            put(format!("search/d/{}.js", name_str(&d)), dict);
            let p = finish_file(&mut pos);
            put(format!("search/p/{}.js", name_str(&p)), pos);
            (d, p)
        })
        .collect();
    drop(order);
    drop(shards);
    // Lists of the bundles' names.
    let bundles = bundler.done;
    let lstarts = list_starts(&bundles);
    let lists: Vec<Name> = lstarts
        .par_iter()
        .enumerate()
        .map(|(k, &from)| {
            let to = lstarts.get(k + 1).copied().unwrap_or(bundles.len());
            let (l, bytes) = named_file(b'l', (to - from) * NAME_LEN + 2, |out| {
                out.push(b'"');
                for b in &bundles[from..to] {
                    out.extend_from_slice(&b.0);
                }
                out.push(b'"');
            });
            put(format!("search/l/{}.js", name_str(&l)), bytes);
            l
        })
        .collect();
    let numbers_of = |v: &mut dyn Iterator<Item = u32>| -> String {
        let mut out = Vec::new();
        for n in v {
            self::put(&mut out, n);
        }
        String::from_utf8(out).unwrap_or_default()
    };
    let tb = numbers_of(&mut bundles.iter().map(|b| b.1));
    let lb =
        numbers_of(&mut lstarts.iter().enumerate().map(|(k, &from)| {
            (lstarts.get(k + 1).copied().unwrap_or(bundles.len()) - from) as u32
        }));

    // Groups of chunks, and the names of their chunks' files.
    let starts = group_starts(&firsts);
    let groups: Vec<Name> = starts
        .par_iter()
        .enumerate()
        .map(|(g, &from)| {
            let to = starts.get(g + 1).copied().unwrap_or(chunk_count);
            let (name, bytes) = named_file(b'g', (to - from) * 2 * NAME_LEN + 2, |out| {
                out.push(b'"');
                for (d, p) in &names[from..to] {
                    out.extend_from_slice(d);
                    out.extend_from_slice(p);
                }
                out.push(b'"');
            });
            put(format!("search/g/{}.js", name_str(&name)), bytes);
            name
        })
        .collect();

    #[derive(Serialize)]
    struct Manifest<'a> {
        v: u32,
        n: usize,
        c: &'a [String],
        g: &'a str,
        gs: &'a [usize],
        l: &'a str,
        lb: &'a str,
        tb: &'a str,
    }
    let joined = |names: &[Name]| -> String { names.iter().map(name_str).collect() };
    let manifest = format!(
        "CharterSearch.m({});\n",
        js_json(&Manifest {
            v: 3,
            n: count,
            c: &firsts,
            g: &joined(&groups),
            gs: &starts,
            l: &joined(&lists),
            lb: &lb,
            tb: &tb,
        })
    );
    put("search/index.js".to_string(), manifest.into_bytes());
    if let Some(e) = take_error() {
        return Err(e);
    }
    Ok(Summary {
        pages: count,
        terms: term_count,
        chunks: chunk_count,
        files: files.into_inner(),
    })
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
        pub firsts: Vec<String>,
        g: String,
        gs: Vec<usize>,
        l: String,
        /// First page of each bundle, first bundle of each list (and the ends).
        bundle_first: Vec<usize>,
        list_first: Vec<usize>,
        files: BTreeMap<String, Vec<u8>>,
    }

    /// Page id → (tf, fields) and positions.
    pub type Postings = BTreeMap<u32, (u32, u32, Vec<u32>)>;

    /// Running sums of a numbers string, from 0.
    fn starts(s: &str) -> Vec<usize> {
        let mut out = vec![0];
        for n in numbers(s).unwrap() {
            out.push(out[out.len() - 1] + n as usize);
        }
        out
    }

    fn nth(names: &str, i: usize) -> &str {
        &names[i * NAME_LEN..(i + 1) * NAME_LEN]
    }

    impl Reader {
        pub fn new(files: &BTreeMap<String, Vec<u8>>) -> Reader {
            let m = call_args(&files["search/index.js"], "m");
            let m = &m[0];
            assert_eq!(m["v"], 3);
            let s = |k: &str| m[k].as_str().unwrap().to_string();
            Reader {
                n: m["n"].as_u64().unwrap() as usize,
                firsts: m["c"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect(),
                g: s("g"),
                gs: m["gs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap() as usize)
                    .collect(),
                l: s("l"),
                bundle_first: starts(&s("tb")),
                list_first: starts(&s("lb")),
                files: files.clone(),
            }
        }

        /// The payload of `search/<kind>/<name>.js`, checking that the file
        /// names itself and that the name is the hash of the payload.
        fn file(&self, kind: &str, name: &str) -> Value {
            let bytes = &self.files[&format!("search/{kind}/{name}.js")];
            let head = format!("CharterSearch.{kind}(\"{name}\",");
            let payload = bytes
                .strip_prefix(head.as_bytes())
                .and_then(|b| b.strip_suffix(b");\n"))
                .expect("a call naming its file");
            assert_eq!(name_str(&name_of(content_hash(payload))), name);
            let v = call_args(bytes, kind);
            assert_eq!(v[0].as_str(), Some(name));
            v[1].clone()
        }

        /// The names of chunk i's dictionary and positions files, from its group.
        pub fn chunk_names(&self, i: usize) -> (String, String) {
            let g = self.gs.partition_point(|&s| s <= i) - 1;
            let names = self.file("g", nth(&self.g, g));
            let names = names.as_str().unwrap();
            let k = i - self.gs[g];
            (
                nth(names, 2 * k).to_string(),
                nth(names, 2 * k + 1).to_string(),
            )
        }

        pub fn chunk(&self, i: usize) -> (Vec<String>, Vec<String>, Vec<String>) {
            let (d, p) = self.chunk_names(i);
            let d = self.file("d", &d);
            let p = self.file("p", &p);
            let flat: Vec<String> = d
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            let terms = flat.iter().step_by(2).cloned().collect();
            let posts = flat.iter().skip(1).step_by(2).cloned().collect();
            let pos = p
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

        /// A page's record and the name of its bundle.
        pub fn text_file(&self, id: usize) -> (String, Value) {
            assert_eq!(*self.bundle_first.last().unwrap(), self.n);
            let b = self.bundle_first.partition_point(|&f| f <= id) - 1;
            let k = self.list_first.partition_point(|&f| f <= b) - 1;
            let list = self.file("l", nth(&self.l, k));
            let name = nth(list.as_str().unwrap(), b - self.list_first[k]).to_string();
            let bundle = self.file("t", &name);
            let pages = bundle.as_array().unwrap();
            assert_eq!(pages.len(), self.bundle_first[b + 1] - self.bundle_first[b]);
            (name, pages[id - self.bundle_first[b]].clone())
        }

        /// The normalized text of a page, from its bundle.
        pub fn text(&self, id: usize) -> String {
            self.text_file(id).1[4].as_str().unwrap().to_string()
        }

        /// The number of dictionary chunks.
        pub fn chunks(&self) -> usize {
            self.firsts.len()
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
        assert_exact(&entries, &files);
    }

    #[test]
    fn queries_are_exact_across_groups_of_chunks() {
        let entries = corpus(1500, 1);
        let files = build(&entries);
        let groups = files.files.keys().filter(|k| k.starts_with("search/g/"));
        assert!(groups.count() > 1);
        assert_exact(&entries, &files);
    }

    /// Queries of 2–6 CJK characters find exactly the pages that hold them.
    fn assert_exact(entries: &[Entry], files: &Files) {
        let r = Reader::new(&files.files);
        assert_eq!(r.n, entries.len());
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
        let t = r.text_file(1).1.to_string();
        assert_eq!(
            t,
            r#"["b/index.html",0,"",[0,"",1,3,"a1",0,7,"a2",0],"安全\n考 勤\nISO9001 iso"]"#
        );
    }

    #[test]
    fn bytes_are_deterministic_and_names_follow_the_content() {
        let a = build(&corpus(120, 3));
        let b = build(&corpus(120, 3));
        assert_eq!(a.files, b.files);
        let c = build(&corpus(120, 4));
        assert_ne!(a.files["search/index.js"], c.files["search/index.js"]);
        for p in a.files.keys() {
            let name = ["d", "p", "g", "l", "t"]
                .iter()
                .find_map(|k| p.strip_prefix(&format!("search/{k}/"))?.strip_suffix(".js"));
            assert!(
                p == "search/index.js"
                    || name.is_some_and(
                        |n| n.len() == NAME_LEN && n.bytes().all(|b| NAME_DIGITS.contains(&b))
                    ),
                "{p}"
            );
        }
        // Reader::new checks every name against its payload.
        let r = Reader::new(&a.files);
        for i in 0..r.n {
            r.text_file(i);
        }
        assert!(r.chunks() > 1);
        for i in 0..r.chunks() {
            r.chunk(i);
        }
    }

    #[test]
    fn groups_of_chunks_keep_their_bounds_around_an_edit() {
        let firsts: Vec<String> = (0..2000).map(|i| format!("t{i:05}")).collect();
        let starts = group_starts(&firsts);
        assert_eq!(starts[0], 0);
        assert!(
            starts
                .windows(2)
                .all(|w| w[0] < w[1] && w[1] - w[0] <= GROUP_MAX)
        );
        let mean = firsts.len() / starts.len();
        assert!((16..=64).contains(&mean), "{mean}");
        // A chunk more in the middle: the groups before it stay, and those
        // after it start at the same first terms.
        let mut more = firsts.clone();
        more.insert(1000, "t00999x".to_string());
        let after = group_starts(&more);
        let at = |s: &[usize], f: &[String]| -> Vec<String> {
            s.iter().map(|&i| f[i].clone()).collect()
        };
        let (a, b) = (at(&starts, &firsts), at(&after, &more));
        let differ = a.iter().filter(|t| !b.contains(t)).count()
            + b.iter().filter(|t| !a.contains(t)).count();
        assert!(differ <= 1, "{differ}");
    }

    /// Files of `b` that `a` does not have (added or renamed).
    fn new_files(a: &Files, b: &Files) -> Vec<String> {
        b.files
            .keys()
            .filter(|k| !a.files.contains_key(*k))
            .cloned()
            .collect()
    }

    #[test]
    fn an_edit_renames_only_the_files_whose_bytes_changed() {
        let entries = corpus(1500, 11);
        let before = build(&entries);
        let r = Reader::new(&before.files);
        assert!(r.chunks() > 8, "{}", r.chunks());
        let mut edited = entries.clone();
        // One character for another: no position moves.
        let body = &mut edited[700].blocks[1].text;
        let c = body.chars().nth(3).unwrap();
        let to = if c == '考' { '罚' } else { '考' };
        *body = body.replacen(c, &to.to_string(), 1);
        let after = build(&edited);
        let changed = new_files(&before, &after);
        let kinds = |k: &str| changed.iter().filter(|p| p.starts_with(k)).count();
        assert_eq!(kinds("search/t/"), 1, "{changed:?}");
        assert_eq!(kinds("search/l/"), 1, "{changed:?}");
        assert_ne!(
            before.files["search/index.js"],
            after.files["search/index.js"]
        );
        // The terms of the two letters and their bigrams: a few chunks.
        assert!(kinds("search/d/") <= 8, "{changed:?}");
        assert!(kinds("search/p/") <= 8, "{changed:?}");
        assert!(kinds("search/g/") <= 8, "{changed:?}");
        assert_eq!(after.files.len(), before.files.len());
        eprintln!("one letter changed: {} new files", changed.len());
        // Text inserted: the positions after it move, so their chunks'
        // position files change; the dictionary chunks keep their bounds.
        let mut inserted = entries.clone();
        inserted[700].blocks[1].text.insert_str(0, "安全");
        let after = build(&inserted);
        let changed = new_files(&before, &after);
        let kinds = |k: &str| changed.iter().filter(|p| p.starts_with(k)).count();
        assert_eq!(kinds("search/t/") + kinds("search/l/"), 2);
        assert!(kinds("search/d/") <= 8, "{changed:?}");
        let r2 = Reader::new(&after.files);
        assert_eq!(r.firsts, r2.firsts);
        eprintln!(
            "two letters inserted: {} new files ({} positions)",
            changed.len(),
            kinds("search/p/")
        );
    }

    #[test]
    fn text_bundles_keep_their_bounds_around_an_added_page() {
        let entries = corpus(3000, 13);
        let before = build(&entries);
        let bundles = |f: &Files| {
            f.files
                .keys()
                .filter(|k| k.starts_with("search/t/"))
                .count()
        };
        assert!(bundles(&before) > 20, "{}", bundles(&before));
        let mut more = entries.clone();
        more.insert(1500, entry("new/", "新页", &[("", "考勤罚款安全管理")]));
        let after = build(&more);
        let r = Reader::new(&after.files);
        assert_eq!(r.text(1500), "新页\n考勤罚款安全管理");
        assert_eq!(r.text(1501), Reader::new(&before.files).text(1500));
        let changed = new_files(&before, &after);
        let kinds = |k: &str| changed.iter().filter(|p| p.starts_with(k)).count();
        // The bundle that takes the page, and perhaps its neighbour.
        assert!((1..=2).contains(&kinds("search/t/")), "{changed:?}");
        assert!(kinds("search/l/") <= 2, "{changed:?}");
        // Every bundle within its bounds, but for a page bigger than them.
        for (p, b) in &after.files {
            if p.starts_with("search/t/") {
                assert!(b.len() <= TEXT_MAX + FILE_HEAD + 8, "{p} {}", b.len());
            }
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
            if p.starts_with("search/d/") {
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
