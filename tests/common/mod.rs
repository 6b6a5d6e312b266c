//! Harness for Charter's integration tests, in the spirit of mdBook's
//! `tests/testsuite/book_test.rs`: a site in a temporary folder (copied
//! from `tests/fixtures/<name>/` or written from Rust literals), the real
//! `charter` binary run on it, and helpers to assert on the exit code, the
//! diagnostics (`--format json`) and the files it writes.
//!
//! Every test crate (`tests/*.rs`) includes this module with `mod common;`
//! and uses a different subset of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_charter");

/// A minimal, valid `config.toml` (spec §7).
pub const CONFIG: &str = r#"title = "测试站点"
base_url = "https://example.com/handbook/"
language = "zh-CN"
"#;

/// The repository root (the example site lives there).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures_dir() -> PathBuf {
    repo_root().join("tests").join("fixtures")
}

// ---------------------------------------------------------------------------
// Sites
// ---------------------------------------------------------------------------

/// A site in a temporary folder: `<tmp>/site` is the root, and `<tmp>`
/// itself is scratch space for other output folders.
pub struct Site {
    tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Site {
    /// An empty site root: no config.toml, nothing.
    pub fn empty() -> Site {
        let tmp = tempfile::Builder::new()
            .prefix("charter-test-")
            .tempdir()
            .expect("create a temporary folder");
        let root = tmp.path().join("site");
        fs::create_dir_all(&root).expect("create the site root");
        Site { tmp, root }
    }

    /// A site with the standard [`CONFIG`] and no content yet.
    pub fn new() -> Site {
        Site::empty().with("config.toml", CONFIG)
    }

    /// A copy of `tests/fixtures/<name>/`.
    pub fn fixture(name: &str) -> Site {
        let site = Site::empty();
        let from = fixtures_dir().join(name);
        assert!(from.is_dir(), "no fixture {}", from.display());
        copy_dir(&from, &site.root);
        site
    }

    /// Writes a file (creating its folders) and returns the site, for chaining.
    pub fn with(self, rel: &str, contents: impl AsRef<[u8]>) -> Site {
        self.write(rel, contents);
        self
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.root.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("create folders");
        }
        fs::write(&p, contents).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    }

    pub fn remove(&self, rel: &str) {
        let p = self.root.join(rel);
        fs::remove_file(&p).unwrap_or_else(|e| panic!("remove {}: {e}", p.display()));
    }

    /// Reads a file of the site (or of its default output, `output/...`).
    pub fn read(&self, rel: &str) -> String {
        read(&self.root.join(rel))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The temporary folder that holds the root: room for other folders.
    pub fn scratch(&self) -> &Path {
        self.tmp.path()
    }

    /// The default output folder, `<root>/output`.
    pub fn out(&self) -> PathBuf {
        self.root.join("output")
    }

    /// `charter build --root ROOT ARGS…`
    pub fn build(&self, args: &[&str]) -> Run {
        self.run("build", args)
    }

    /// `charter check --root ROOT ARGS…`
    pub fn check(&self, args: &[&str]) -> Run {
        self.run("check", args)
    }

    fn run(&self, sub: &str, args: &[&str]) -> Run {
        let mut all: Vec<&OsStr> =
            vec![OsStr::new(sub), OsStr::new("--root"), self.root.as_os_str()];
        all.extend(args.iter().map(OsStr::new));
        charter_in(self.tmp.path(), &all)
    }
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create folder");
    for entry in fs::read_dir(from).expect("read fixture folder") {
        let entry = entry.expect("read fixture entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy fixture file");
        }
    }
}

pub fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

/// The outcome of one run of `charter`.
pub struct Run {
    pub args: Vec<String>,
    /// None if killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `charter ARGS…` in `cwd`.
pub fn charter_in<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        // The record of what a build wrote (src/output/manifest.rs) goes
        // to a temporary folder, not the user's cache.
        .env(
            "CHARTER_CACHE_DIR",
            std::env::temp_dir().join("charter-test-cache"),
        )
        .output()
        .expect("run the charter binary");
    Run {
        args: args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "$ charter {}", self.args.join(" "))?;
        writeln!(f, "exit code: {:?}", self.code)?;
        writeln!(f, "--- stdout ---\n{}", self.stdout)?;
        write!(f, "--- stderr ---\n{}", self.stderr)
    }
}

impl Run {
    /// Asserts the exit code; on failure shows the whole run.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, Some(code), "unexpected exit code\n{self}");
        self
    }

    #[track_caller]
    pub fn success(&self) -> &Run {
        self.expect_code(0)
    }

    /// Every diagnostic printed with `--format json` (one object per line
    /// on stdout). Non-JSON lines (the build summary) are skipped.
    #[track_caller]
    pub fn diagnostics(&self) -> Vec<Diag> {
        self.stdout
            .lines()
            .filter(|l| l.trim_start().starts_with('{'))
            .map(|l| Diag::parse(l).unwrap_or_else(|e| panic!("{e}\nin line {l}\n{self}")))
            .collect()
    }

    pub fn errors(&self) -> Vec<Diag> {
        self.diagnostics()
            .into_iter()
            .filter(|d| d.severity == "error")
            .collect()
    }

    pub fn warnings(&self) -> Vec<Diag> {
        self.diagnostics()
            .into_iter()
            .filter(|d| d.severity == "warning")
            .collect()
    }

    /// The codes of every diagnostic, in printed order.
    pub fn codes(&self) -> Vec<String> {
        self.diagnostics().into_iter().map(|d| d.code).collect()
    }

    /// The one diagnostic with this code (fails if there are none or several).
    #[track_caller]
    pub fn single(&self, code: &str) -> Diag {
        let all = self.diagnostics();
        let found: Vec<&Diag> = all.iter().filter(|d| d.code == code).collect();
        assert_eq!(
            found.len(),
            1,
            "expected exactly one {code} diagnostic, got {}\n{self}",
            found.len()
        );
        found[0].clone()
    }

    /// The build's one-line summary (spec §8, brief: `built N pages, …`).
    #[track_caller]
    pub fn summary(&self) -> Summary {
        let line = self
            .stdout
            .lines()
            .find(|l| l.starts_with("built "))
            .unwrap_or_else(|| panic!("no `built …` summary line\n{self}"));
        Summary::parse(line).unwrap_or_else(|| panic!("cannot parse summary {line:?}\n{self}"))
    }
}

/// One diagnostic of `--format json` (spec §8).
#[derive(Debug, Clone, PartialEq)]
pub struct Diag {
    pub severity: String,
    pub code: String,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diag {
    /// Parses one line, insisting on the six keys the spec promises.
    pub fn parse(line: &str) -> Result<Diag, String> {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
        let obj = v.as_object().ok_or("not a JSON object")?;
        for key in ["severity", "code", "message", "file", "line", "column"] {
            if !obj.contains_key(key) {
                return Err(format!("missing key `{key}`"));
            }
        }
        let s = |k: &str| obj.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let n = |k: &str| -> Result<Option<u64>, String> {
            match obj.get(k) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(v) => v
                    .as_u64()
                    .filter(|&n| n >= 1)
                    .map(Some)
                    .ok_or(format!("`{k}` is not a 1-based integer: {v}")),
            }
        };
        let notes = match obj.get("notes") {
            None => Vec::new(),
            Some(v) => v
                .as_array()
                .ok_or("`notes` is not an array")?
                .iter()
                .map(|n| {
                    n.as_str()
                        .map(str::to_string)
                        .ok_or("a note is not a string")
                })
                .collect::<Result<_, _>>()?,
        };
        let severity = s("severity").ok_or("`severity` is not a string")?;
        if severity != "error" && severity != "warning" {
            return Err(format!("unknown severity {severity}"));
        }
        Ok(Diag {
            severity,
            code: s("code").ok_or("`code` is not a string")?,
            message: s("message").ok_or("`message` is not a string")?,
            file: s("file"),
            line: n("line")?,
            column: n("column")?,
            help: s("help"),
            notes,
        })
    }

    /// Asserts `file:line:column`.
    #[track_caller]
    pub fn assert_at(&self, file: &str, line: u64, column: u64) -> &Diag {
        assert_eq!(
            (self.file.as_deref(), self.line, self.column),
            (Some(file), Some(line), Some(column)),
            "wrong location (file, line, column) for {self:#?}"
        );
        self
    }

    /// Asserts the location is the first occurrence of `needle` in `src`,
    /// the text of `file` (see [`loc`]).
    #[track_caller]
    pub fn assert_at_text(&self, file: &str, src: &str, needle: &str) -> &Diag {
        let (line, column) = loc(src, needle);
        self.assert_at(file, line, column)
    }

    #[track_caller]
    pub fn assert_severity(&self, severity: &str) -> &Diag {
        assert_eq!(self.severity, severity, "{self:#?}");
        self
    }

    #[track_caller]
    pub fn assert_help(&self, help: &str) -> &Diag {
        assert_eq!(self.help.as_deref(), Some(help), "wrong help in {self:#?}");
        self
    }

    #[track_caller]
    pub fn assert_message_contains(&self, part: &str) -> &Diag {
        assert!(
            self.message.contains(part),
            "message should contain {part:?}: {self:#?}"
        );
        self
    }
}

/// 1-based (line, column) of the only occurrence of `needle` in `src`,
/// column counted in characters (spec §8). A leading BOM is not text: it
/// is skipped, and CRLF counts as one line break.
#[track_caller]
pub fn loc(src: &str, needle: &str) -> (u64, u64) {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let at = src
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in the source"));
    assert!(
        src[at + needle.len()..].find(needle).is_none(),
        "{needle:?} occurs more than once in the source; use a unique needle"
    );
    let before = &src[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = src[line_start..at].chars().count() as u64 + 1;
    (line, column)
}

/// The numbers of the `built …` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub pages: u64,
    pub roles: u64,
    pub activities: u64,
    pub written: u64,
    pub unchanged: u64,
    pub removed: u64,
}

impl Summary {
    /// `built N pages, R roles, A activities in M ms into DIR (W written, U unchanged, X removed)`
    fn parse(line: &str) -> Option<Summary> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let num = |s: &str| s.trim_matches(|c: char| !c.is_ascii_digit()).parse().ok();
        if words.get(2)? != &"pages," || words.get(4)? != &"roles," {
            return None;
        }
        let tail = &line[line.rfind('(')? + 1..];
        let tail: Vec<&str> = tail.split_whitespace().collect();
        if tail.get(1)? != &"written," || tail.get(3)? != &"unchanged," {
            return None;
        }
        Some(Summary {
            pages: num(words[1])?,
            roles: num(words[3])?,
            activities: num(words[5])?,
            written: num(tail[0])?,
            unchanged: num(tail[2])?,
            removed: num(tail[4])?,
        })
    }
}

// ---------------------------------------------------------------------------
// Output trees
// ---------------------------------------------------------------------------

/// Every file under `dir`: relative `/`-separated path → bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for (rel, e) in entries(dir) {
        if let Entry::File { bytes, .. } = e {
            out.insert(rel, bytes);
        }
    }
    out
}

/// One entry of a folder snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir,
    File { bytes: Vec<u8>, mtime: SystemTime },
}

/// Every file and folder under `dir` (not `dir` itself), with bytes and mtimes.
pub fn entries(dir: &Path) -> BTreeMap<String, Entry> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Entry>) {
        let Ok(rd) = fs::read_dir(dir) else {
            return;
        };
        for entry in rd {
            let entry = entry.expect("read folder entry");
            let path = entry.path();
            let rel = path
                .strip_prefix(base)
                .expect("under base")
                .to_string_lossy()
                .replace('\\', "/");
            let meta = fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                out.insert(rel, Entry::Dir);
                walk(base, &path, out);
            } else {
                out.insert(
                    rel,
                    Entry::File {
                        bytes: fs::read(&path).expect("read file"),
                        mtime: meta.modified().expect("mtime"),
                    },
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A fixed time long ago (2001-09-09): files stamped with it and found
/// with it later were not rewritten, whatever the file system's timestamp
/// resolution.
pub fn old_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000)
}

/// Stamps every file under `dir` with [`old_time`].
pub fn age_files(dir: &Path) {
    for (rel, e) in entries(dir) {
        if let Entry::File { .. } = e {
            let f = fs::File::options()
                .write(true)
                .open(dir.join(&rel))
                .expect("open for set_modified");
            f.set_modified(old_time()).expect("set mtime");
        }
    }
}

pub fn mtime(p: &Path) -> SystemTime {
    fs::metadata(p)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("mtime of {}: {e}", p.display()))
}

// ---------------------------------------------------------------------------
// A tiny HTML scanner (no regex, no parser crate)
// ---------------------------------------------------------------------------

/// A start tag: its name (lowercase), attributes (values entity-decoded)
/// and byte range in the document.
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub start: usize,
    /// Byte index just after the `>`.
    pub end: usize,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Every start tag of `html`, in order. Comments, `<!doctype>`, end tags
/// and the insides of `<script>` and `<style>` are skipped.
pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        i = start + 1;
        if html[start..].starts_with("<!--") {
            i = html[start..].find("-->").map_or(b.len(), |e| start + e + 3);
            continue;
        }
        if i >= b.len() || !b[i].is_ascii_alphabetic() {
            continue;
        }
        let name_end = html[i..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(b.len(), |e| i + e);
        let name = html[i..name_end].to_ascii_lowercase();
        let mut j = name_end;
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= b.len() {
                break;
            }
            if b[j] == b'>' {
                j += 1;
                break;
            }
            if b[j] == b'/' {
                j += 1;
                continue;
            }
            let an_start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            let an = html[an_start..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j] as char;
                    let vs = j + 1;
                    let ve = html[vs..].find(q).map_or(b.len(), |e| vs + e);
                    value = decode_entities(&html[vs..ve]);
                    j = (ve + 1).min(b.len());
                } else {
                    let vs = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = decode_entities(&html[vs..j]);
                }
            }
            if !an.is_empty() {
                attrs.push((an, value));
            }
        }
        let tag = Tag {
            name: name.clone(),
            attrs,
            start,
            end: j,
        };
        i = j;
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            i = html[j..].find(&close).map_or(b.len(), |e| j + e);
        }
        out.push(tag);
    }
    out
}

/// Every `href` and `src` value of the document, in order.
pub fn urls(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .flat_map(|t| {
            t.attrs
                .into_iter()
                .filter(|(n, _)| n == "href" || n == "src")
                .map(|(_, v)| v)
        })
        .collect()
}

/// Every `id` value of the document (duplicates kept).
pub fn ids(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter_map(|t| t.attr("id").map(str::to_string))
        .collect()
}

/// A link: its href and its text (tags stripped, entities decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    pub text: String,
}

/// Every `<a href>` of the document with its text.
pub fn links(html: &str) -> Vec<Link> {
    tags(html)
        .into_iter()
        .filter(|t| t.name == "a")
        .filter_map(|t| {
            let href = t.attr("href")?.to_string();
            let inner_end = html[t.end..].find("</a>").map_or(html.len(), |e| t.end + e);
            Some(Link {
                href,
                text: text_of(&html[t.end..inner_end]),
            })
        })
        .collect()
}

/// The hrefs of the links whose text is exactly `text`.
pub fn hrefs_with_text(html: &str, text: &str) -> Vec<String> {
    links(html)
        .into_iter()
        .filter(|l| l.text == text)
        .map(|l| l.href)
        .collect()
}

/// An element found by id: tag name, its start tag and its text.
#[derive(Debug, Clone)]
pub struct Element {
    pub tag: Tag,
    /// Text up to the first matching end tag (tags stripped).
    pub text: String,
}

/// The element with `id="…"` (None if there is none).
pub fn element_by_id(html: &str, id: &str) -> Option<Element> {
    let tag = tags(html).into_iter().find(|t| t.attr("id") == Some(id))?;
    let inner = inner_of(html, &tag);
    Some(Element {
        text: text_of(inner),
        tag,
    })
}

/// The inner HTML of the element with `id="…"`, nested elements of the
/// same name included.
pub fn inner_by_id<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let tag = tags(html).into_iter().find(|t| t.attr("id") == Some(id))?;
    Some(inner_of(html, &tag))
}

fn inner_of<'a>(html: &'a str, tag: &Tag) -> &'a str {
    let open = format!("<{}", tag.name);
    let close = format!("</{}>", tag.name);
    let mut depth = 1usize;
    let mut i = tag.end;
    loop {
        let next_close = html[i..].find(&close).map(|e| i + e);
        let next_open = html[i..]
            .match_indices(&open)
            .map(|(e, _)| i + e)
            .find(|&o| {
                html[o + open.len()..]
                    .starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            });
        match (next_open, next_close) {
            (_, None) => return &html[tag.end..],
            (Some(o), Some(c)) if o < c => {
                depth += 1;
                i = o + open.len();
            }
            (_, Some(c)) => {
                depth -= 1;
                if depth == 0 {
                    return &html[tag.end..c];
                }
                i = c + close.len();
            }
        }
    }
}

/// Text of an HTML fragment: tags removed, entities decoded.
pub fn text_of(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode_entities(&out)
}

/// Decodes the entities an HTML writer produces (`&amp;`, `&lt;`, `&#x27;`, …).
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&k| k <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => ent
                .strip_prefix("#x")
                .or_else(|| ent.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes `%XX` escapes (UTF-8).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The part of `html` between two markers written in the content (for
/// looking at a page's body without the theme's navigation around it).
#[track_caller]
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let s = html
        .find(start)
        .unwrap_or_else(|| panic!("marker {start:?} not in page"));
    let e = html[s..]
        .find(end)
        .map(|e| s + e)
        .unwrap_or_else(|| panic!("marker {end:?} not after {start:?}"));
    &html[s + start.len()..e]
}

/// Does a URL have a scheme (`https:`, `mailto:`) or start with `//`?
pub fn is_external(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !url[..i].contains('/')
        }
        None => false,
    }
}

/// Resolves a relative URL path against the folder of `page` (both
/// `/`-separated, relative to the output root). None if it climbs above it.
pub fn join_url(page: &str, rel: &str) -> Option<String> {
    let folder = page.rsplit_once('/').map_or("", |(f, _)| f);
    let mut parts: Vec<&str> = folder.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Sorted, deduplicated copy of anything iterable, for readable assertions.
pub fn sorted<T: Ord, I: IntoIterator<Item = T>>(items: I) -> Vec<T> {
    items
        .into_iter()
        .collect::<BTreeSet<T>>()
        .into_iter()
        .collect()
}

/// Headless Chromium (Debian's `chromium`) with a profile folder of the
/// caller's, and without the background connections that this machine's
/// closed network refuses.
pub fn headless_chromium(profile: &Path) -> Command {
    let mut c = Command::new("chromium");
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// The DOM of a page after its scripts ran, from headless Chromium
/// (Debian's `chromium`) with a profile folder of the caller's.
pub fn dump_dom(url: &str, profile: &Path) -> String {
    let mut child = headless_chromium(profile)
        .arg("--virtual-time-budget=8000")
        .args(["--dump-dom", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium (apt-get install chromium)");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium timed out on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// The example site (every department in the sidebar) and a site over
/// the sidebar's size limit (groups only), for the sidebar tests.
pub fn sidebar_sites() -> [Site; 2] {
    let example = Site::empty();
    copy_dir(
        &repo_root().join("content"),
        &example.root().join("content"),
    );
    std::fs::copy(
        repo_root().join("config.toml"),
        example.root().join("config.toml"),
    )
    .unwrap();
    let big = Site::new();
    for g in 0..3 {
        big.write(
            &format!("content/g{g}/_index.md"),
            format!("+++\ntitle = \"组{g}\"\n+++\n"),
        );
        for d in 0..60 {
            big.write(
                &format!("content/g{g}/g{g}d{d}.md"),
                format!("+++\ntitle = \"部门{g}-{d}\"\n\n+++\n第一条 正文。\n"),
            );
        }
    }
    [example, big]
}

/// Kills the server when the test ends, however it ends.
pub struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `python3 -m http.server` serving `dir` on a free port of 127.0.0.1,
/// stopped when the returned `Server` is dropped.
pub fn http_server(dir: &Path) -> (Server, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .arg("--directory")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m http.server");
    let server = Server(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "no http.server");
        std::thread::sleep(Duration::from_millis(100));
    }
    (server, port)
}
