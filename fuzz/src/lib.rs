//! The bodies of Charter's fuzz targets, shared by the libFuzzer binaries
//! (`fuzz_targets/*.rs`, run with `cargo fuzz run <target>`) and by
//! `tests/fuzz_regressions.rs`, which replays every file under
//! `fuzz/regressions/<target>/` through the same function in plain
//! `cargo test` (no libFuzzer, no nightly).
//!
//! Each function takes arbitrary bytes and must return normally: a panic
//! (including a failed invariant below) or a stack overflow is a crash.
//! This file uses only `charter`, `tempfile` and std, so the test crate can
//! include it with `#[path]`.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;

use charter::build::{self, Failure, Options};
use charter::diagnostics::{self, Diagnostic};
use charter::markdown::{
    self, articles,
    links::{LinkRequest, Resolved, Target},
};
use charter::source::{self, frontmatter};
use charter::urls;

/// Every way a diagnostic is printed must work on whatever it points at.
fn print(d: &Diagnostic) {
    let _ = diagnostics::render_human(d);
    let _ = diagnostics::render_json(d);
    let _ = diagnostics::render_github(d);
}

/// Target `frontmatter`: decoding, `+++` splitting and strict TOML parsing
/// of a content file (and of the same text as a config.toml).
pub fn frontmatter(data: &[u8]) {
    let file = Path::new("content/fuzz.md");
    let src = match source::decode(data.to_vec(), file) {
        Ok(s) => s,
        Err(d) => return print(&d),
    };
    match frontmatter::split(&src, file) {
        Ok(Some(sp)) => {
            let len = src.text.len();
            assert!(sp.toml.start <= sp.toml.end, "toml range {:?}", sp.toml);
            assert!(sp.toml.end <= sp.body_start && sp.body_start <= len);
            assert!(src.text.is_char_boundary(sp.toml.start));
            assert!(src.text.is_char_boundary(sp.toml.end));
            assert!(src.text.is_char_boundary(sp.body_start));
            match frontmatter::parse(&src, file, &sp) {
                Ok(fm) => {
                    for d in [&fm.effective, &fm.revised].into_iter().flatten() {
                        let _ = frontmatter::check_date(d.get_ref());
                    }
                    for s in [&fm.id, &fm.slug, &fm.parent].into_iter().flatten() {
                        let _ = frontmatter::valid_id(s.get_ref());
                        // Spans point inside the TOML text.
                        assert!(s.span().end <= sp.toml.end - sp.toml.start);
                    }
                }
                Err(d) => print(&d),
            }
        }
        Ok(None) => {}
        Err(d) => print(&d),
    }
    match charter::config::Config::parse(&src, Path::new("config.toml")) {
        Ok(c) => {
            let _ = (c.base_url(), c.base_path(), c.scheme_letters(), c.lang());
        }
        Err(ds) => ds.iter().for_each(print),
    }
}

/// A stand-in for the site's link resolver: resolves or refuses a link by
/// a rule on its destination, producing hrefs the way the real one does
/// (with the root and self placeholders).
fn fake_resolve(req: &LinkRequest, body_len: usize, salt: u8) -> Option<Resolved> {
    assert!(req.span.start <= req.span.end && req.span.end <= body_len);
    let dest = req.dest;
    if (dest.len() + salt as usize).is_multiple_of(3) {
        return None;
    }
    let href = if let Some(anchor) = dest.strip_prefix('#') {
        format!("{}#{}", urls::SELF_MARK, urls::encode_fragment(anchor))
    } else if !req.wiki && urls::is_external(dest) {
        dest.to_string()
    } else {
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        urls::href(urls::ROOT_MARK, &format!("{path}/"), fragment)
    };
    Some(Resolved {
        href,
        label: dest.to_string(),
        target: Target::Other,
    })
}

/// Target `markdown`: analysis (article numbers, anchors, headings),
/// rendering with wiki links and role sections, text blocks for search,
/// placing the link placeholders, and the `[markdown] safe` cleaner.
/// The first byte chooses options; the rest is the body.
pub fn markdown(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let body = String::from_utf8_lossy(rest);
    let analysis = markdown::analyze(&body);
    for a in &analysis.anchors {
        assert!(
            a.offset <= body.len(),
            "anchor offset {} past the body",
            a.offset
        );
        assert!(!a.id.is_empty(), "empty anchor id");
    }
    let section_ids: Vec<String> = match selector % 4 {
        0 => Vec::new(),
        1 => analysis
            .headings
            .iter()
            .map(|h| h.id.clone())
            .take(1)
            .collect(),
        2 => vec!["officer".into(), "a1".into(), "ch1".into()],
        _ => analysis.anchors.iter().map(|a| a.id.clone()).collect(),
    };
    let section_refs: Vec<&str> = section_ids.iter().map(String::as_str).collect();
    let len = body.len();
    let mut resolve = |req: &LinkRequest| fake_resolve(req, len, selector);
    let rendered = markdown::render(&analysis, &section_refs, &mut resolve);
    for id in rendered.sections.keys() {
        assert!(section_ids.contains(id), "section {id} was not asked for");
    }
    let _ = markdown::toc(&analysis.headings);
    let placed = urls::place(&rendered.html, "../../", "../x/index.html");
    // (Unless the author wrote the placeholders themselves.)
    if !body.contains('\u{E000}') && !body.contains("%EE%80%80") {
        assert!(
            !placed.contains('\u{E000}') && !placed.contains("%EE%80%80"),
            "a link placeholder was left in the page"
        );
    }
    for b in markdown::text_blocks(&analysis) {
        let _ = b.text.len();
    }
    if selector & 0x80 != 0 {
        let clean = markdown::sanitize(&placed);
        let again = markdown::sanitize(&clean);
        assert_eq!(clean, again, "cleaning is not idempotent");
    }
}

/// Target `articles`: article numbers, anchors and slugs of every line.
pub fn articles(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut numbers = Vec::new();
    for line in text.lines() {
        if let Some(n) = articles::parse_number(line) {
            assert!(n.prefix_len <= line.len() && line.is_char_boundary(n.prefix_len));
            assert!(!n.nums.is_empty(), "a number without parts in {line:?}");
            assert!(line.contains(&n.written), "{:?} not in {line:?}", n.written);
            numbers.push(n);
        }
        let slug = articles::slugify(line);
        assert!(!slug.is_empty());
        assert!(
            !slug.starts_with('-') && !slug.ends_with('-'),
            "slug {slug:?}"
        );
        let _ = articles::parse_chinese_numeral(line.trim());
    }
    let anchors = articles::assign_anchors(&numbers);
    assert_eq!(anchors.len(), numbers.len());
    let _ = articles::articles_restart(&numbers);
    let mut dedup = articles::AnchorDeduper::new();
    let mut seen = HashSet::new();
    for a in &anchors {
        assert!(
            a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "anchor {a:?} is not a plain fragment"
        );
        let (unique, _) = dedup.unique(a);
        assert!(seen.insert(unique.clone()), "{unique} handed out twice");
        assert!(dedup.is_used(&unique));
    }
}

/// The file names a `site` input can write to, chosen by a part's first byte.
pub const SITE_NAMES: &[&str] = &[
    "config.toml",
    "content/_index.md",
    "content/a.md",
    "content/b.md",
    "content/g/_index.md",
    "content/g/c.md",
    "content/安全.md",
    "content/g/h/d.md",
];

/// The config written when the input holds none.
pub const SITE_CONFIG: &str =
    "title = \"测试站点\"\nbase_url = \"https://example.com/handbook/\"\nlanguage = \"zh-CN\"\n";

/// Decodes a `site` input: up to 4 parts separated by NUL bytes; the first
/// byte of a part picks its name in [`SITE_NAMES`], the rest is the file.
pub fn site_files(data: &[u8]) -> Vec<(&'static str, &[u8])> {
    data.split(|&b| b == 0)
        .take(4)
        .filter_map(|part| {
            let (&sel, rest) = part.split_first()?;
            Some((SITE_NAMES[sel as usize % SITE_NAMES.len()], rest))
        })
        .collect()
}

/// Every file under `dir`, relative, `/`-separated.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).expect("read output folder").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("under base");
                out.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    fs::read(&p).expect("read output file"),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Target `site`: a whole build of a site made of 1–4 small files (see
/// [`site_files`]). A build returns Ok or Err, never panics; a good build
/// writes exactly its output, stays inside the output folder, and a
/// second build of the same sources gives the same bytes (and rewrites
/// nothing). A failed build leaves the last good output as it was.
pub fn site(data: &[u8]) {
    let files = site_files(data);
    if files.is_empty() {
        return;
    }
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path().join("site");
    fs::create_dir_all(&root).expect("site root");
    if !files.iter().any(|(n, _)| *n == "config.toml") {
        fs::write(root.join("config.toml"), SITE_CONFIG).expect("write config");
    }
    for (name, bytes) in &files {
        let p = root.join(name);
        fs::create_dir_all(p.parent().expect("parent")).expect("folders");
        fs::write(&p, bytes).expect("write site file");
    }
    // A "last good build" the failed builds must not touch.
    let out = tmp.path().join("out");
    fs::create_dir_all(&out).expect("output folder");
    fs::write(out.join(charter::output::MARKER), "x").expect("marker");
    fs::write(out.join("index.html"), "last good build").expect("old page");
    let before = tree(&out);
    let opts = Options {
        root: root.clone(),
        base_url: None,
        drafts: data[0] & 0x80 != 0,
    };
    match build::build(&opts) {
        Ok(built) => {
            for d in &built.diagnostics {
                assert!(!d.is_error(), "a successful build reported an error: {d:?}");
                print(d);
            }
            for key in built.output.keys() {
                assert!(
                    !key.is_empty()
                        && !key.starts_with('/')
                        && !key
                            .split('/')
                            .any(|s| s.is_empty() || s == ".." || s == "."),
                    "output path {key:?} is not a plain relative path"
                );
            }
            charter::output::write(&root, &out, &built.output).expect("write the output");
            let mut written = tree(&out);
            written.remove(charter::output::MARKER);
            assert!(
                written == built.output,
                "the output folder differs from the build"
            );
            let again = build::build(&opts).expect("the second build of the same sources failed");
            assert!(again.output == built.output, "two builds differ");
            let stats = charter::output::write(&root, &out, &again.output).expect("rewrite");
            assert_eq!(stats.written, 0, "an identical rebuild rewrote files");
        }
        Err(Failure::Content(diags)) => {
            assert!(
                diagnostics::count_errors(&diags) > 0,
                "a failed build reported no error"
            );
            diags.iter().for_each(print);
            assert!(
                tree(&out) == before,
                "a failed build changed the output folder"
            );
        }
        Err(Failure::Usage(_)) => {
            assert!(
                tree(&out) == before,
                "a failed build changed the output folder"
            );
        }
    }
}
