//! The hostile-input suite (issue 7): sites built from inputs that are
//! empty, huge, deeply nested, looping, unreadable, oddly named or
//! malicious, each with its exact expected outcome. Fixtures are generated
//! here, not committed.
//!
//! Whatever the input, every run must:
//! - never panic (exit code 101) or die from a signal (a stack overflow
//!   aborts the process),
//! - finish within a timeout (a hang is killed and fails the test),
//! - on an error, leave the output folder exactly as the last good build
//!   wrote it (same files, same bytes, same mtimes).

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Runs `charter ARGS…` in `cwd`, killing it after `limit`.
fn charter_timed(cwd: &Path, args: &[&OsStr], limit: Duration) -> (Run, Duration) {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp folder for the captured output");
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).expect("stdout file"))
        .stderr(fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("run the charter binary");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for charter") {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "charter {:?} did not finish within {limit:?} (a hang)",
                args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    let run = Run {
        args: args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        code: status.code(),
        stdout: fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: fs::read_to_string(&err_path).unwrap_or_default(),
    };
    (run, took)
}

/// The invariants of every run: no panic, no death by signal.
#[track_caller]
fn sane(run: &Run) {
    assert!(
        run.code.is_some(),
        "charter was killed by a signal (a stack overflow aborts)\n{run}"
    );
    assert_ne!(run.code, Some(101), "charter panicked\n{run}");
    assert!(
        !run.stderr.contains("panicked at"),
        "charter panicked\n{run}"
    );
}

const LIMIT: Duration = Duration::from_secs(120);

/// `charter build --root ROOT --format json ARGS…`, timed and checked for sanity.
fn build(site: &Site, args: &[&str]) -> (Run, Duration) {
    let mut all: Vec<&OsStr> = vec![
        OsStr::new("build"),
        OsStr::new("--root"),
        site.root().as_os_str(),
        OsStr::new("--format"),
        OsStr::new("json"),
    ];
    all.extend(args.iter().map(OsStr::new));
    let (run, took) = charter_timed(site.scratch(), &all, LIMIT);
    sane(&run);
    (run, took)
}

/// A site with one good page, built once: the "last good build".
fn good_site() -> (Site, BTreeMap<String, Entry>) {
    let site = Site::new().with(
        "content/good.md",
        "+++\ntitle = \"好页面\"\n+++\n第一条 一切正常。\n",
    );
    let (run, _) = build(&site, &[]);
    run.success();
    assert!(site.out().join("good/index.html").is_file());
    let snapshot = entries(&site.out());
    (site, snapshot)
}

/// Builds a hostile site that must fail: exit 1, these error codes, and
/// the output folder exactly as the last good build left it.
#[track_caller]
fn fails(site: &Site, before: &BTreeMap<String, Entry>, codes: &[&str]) -> Run {
    let (run, _) = build(site, &[]);
    run.expect_code(1);
    let mut got: Vec<String> = run.errors().into_iter().map(|d| d.code).collect();
    got.dedup();
    assert_eq!(got, codes, "error codes\n{run}");
    assert!(
        entries(&site.out()) == *before,
        "a failed build changed the output folder\n{run}"
    );
    run
}

fn page(site: &Site, rel: &str) -> String {
    site.read(&format!("output/{rel}"))
}

// ---------------------------------------------------------------------------
// Files that are empty, half-written or only front matter
// ---------------------------------------------------------------------------

#[test]
fn empty_file_is_missing_its_title() {
    let (site, before) = good_site();
    site.write("content/empty.md", "");
    let run = fails(&site, &before, &["E006"]);
    run.single("E006")
        .assert_at("content/empty.md", 1, 1)
        .assert_message_contains("missing `title`");
}

#[test]
fn front_matter_only_builds_a_page_without_body() {
    let site = Site::new()
        .with("content/fm.md", "+++\ntitle = \"只有前言\"\n+++\n")
        // No line break after the closing `+++` either.
        .with("content/fm2.md", "+++\ntitle = \"只有前言二\"\n+++");
    let (run, _) = build(&site, &[]);
    run.success();
    for (p, title) in [("fm", "只有前言"), ("fm2", "只有前言二")] {
        let html = page(&site, &format!("{p}/index.html"));
        assert!(html.contains(&format!("<h1>{title}</h1>")), "{html}");
        let body = inner_by_id(&html, "main").expect("main");
        assert!(!body.contains("<p id="), "no article in an empty body");
    }
}

#[test]
fn unterminated_front_matter_is_an_error_at_its_start() {
    let (site, before) = good_site();
    site.write(
        "content/open.md",
        "+++\ntitle = \"没有结尾\"\n\n第一条 正文。\n",
    );
    let run = fails(&site, &before, &["E003"]);
    run.single("E003")
        .assert_at("content/open.md", 1, 1)
        .assert_message_contains("front matter is not closed");
}

#[test]
fn a_date_that_does_not_exist_is_an_error_on_its_line() {
    let (site, before) = good_site();
    let src = "+++\ntitle = \"日期\"\neffective = 2024-02-30\n+++\n";
    site.write("content/date.md", src);
    let run = fails(&site, &before, &["E004"]);
    run.single("E004")
        .assert_at_text("content/date.md", src, "2024-02-30")
        .assert_message_contains("day");
    // 29 February of a year that is not a leap year.
    let src = "+++\ntitle = \"日期\"\nrevised = 2023-02-29\n+++\n";
    site.write("content/date.md", src);
    let run = fails(&site, &before, &["E004"]);
    run.single("E004")
        .assert_at_text("content/date.md", src, "2023-02-29")
        .assert_message_contains("between 01 and 28");
    // A date with a time is refused by Charter's own check.
    let src = "+++\ntitle = \"日期\"\neffective = 2024-02-28T10:00:00\n+++\n";
    site.write("content/date.md", src);
    let run = fails(&site, &before, &["E006"]);
    run.single("E006")
        .assert_at_text("content/date.md", src, "2024-02-28T10:00:00")
        .assert_message_contains("has a time");
}

// ---------------------------------------------------------------------------
// Size and depth
// ---------------------------------------------------------------------------

/// About 20 MB of charter: 200 chapters of 500 articles of ~200 bytes.
fn huge_charter() -> String {
    let mut s = String::with_capacity(21 << 20);
    s.push_str("+++\ntitle = \"超大章程\"\nid = \"huge\"\n+++\n");
    let mut n = 0;
    for ch in 1..=200 {
        s.push_str(&format!("\n## 第{ch}章 第{ch}部分\n\n"));
        for _ in 0..500 {
            n += 1;
            s.push_str(&format!(
                "第{n}条 各部门应当认真执行本制度，按照“安全第一、预防为主、综合治理”的方针，落实岗位责任制，做好记录并按月汇总上报，确保制度落到实处。\n"
            ));
        }
    }
    s
}

#[test]
fn a_20_mb_charter_builds_in_reasonable_time() {
    let text = huge_charter();
    assert!(text.len() > 20_000_000, "{} bytes", text.len());
    let site = Site::new().with("content/huge.md", &text);
    let (run, took) = build(&site, &[]);
    run.success();
    eprintln!(
        "20 MB charter: {} bytes built in {:.1} s (debug build of the test binary: {})",
        text.len(),
        took.as_secs_f64(),
        cfg!(debug_assertions)
    );
    let html = page(&site, "huge/index.html");
    assert!(
        html.contains("id=\"a100000\""),
        "the last article has its anchor"
    );
    assert!(html.contains("id=\"ch200\""));
}

#[test]
fn ten_thousand_deep_lists_and_quotes_do_not_overflow_the_stack() {
    let n = 10_000;
    let cases = [
        ("lists", format!("{}深\n", "- ".repeat(n))),
        ("ordered", format!("{}深\n", "1. ".repeat(n))),
        ("quotes", format!("{}深\n", "> ".repeat(n))),
        ("quotes2", format!("{}深\n", ">".repeat(n))),
        ("mixed", format!("{}深\n", "> - ".repeat(n / 2))),
        (
            "emphasis",
            format!("{}深{}\n", "*a ".repeat(n), " a*".repeat(n)),
        ),
        (
            "brackets",
            format!(
                "{}深{}\n",
                "[".repeat(n),
                "](https://example.com/)".repeat(n)
            ),
        ),
        ("wiki", format!("{}\n", "[[".repeat(n))),
    ];
    let mut site = Site::new();
    for (name, body) in &cases {
        site = site.with(
            &format!("content/{name}.md"),
            format!("+++\ntitle = \"{name}\"\n+++\n{body}"),
        );
    }
    let (run, took) = build(&site, &[]);
    run.success();
    eprintln!("10,000-deep nesting: built in {:.1} s", took.as_secs_f64());
    for (name, _) in &cases {
        assert!(site.out().join(format!("{name}/index.html")).is_file());
    }
    let quotes = page(&site, "quotes/index.html");
    assert_eq!(
        quotes.matches("<blockquote>").count(),
        n,
        "nested quotes rendered"
    );
    let lists = page(&site, "lists/index.html");
    assert!(lists.matches("<ul>").count() >= n, "nested lists rendered");

    // With `[markdown] safe = true` the HTML cleaner (whose parser is
    // quadratic in the depth) is not run on such bodies: a clear error.
    let before = entries(&site.out());
    site.write(
        "config.toml",
        format!("{CONFIG}\n[markdown]\nsafe = true\n"),
    );
    let (run, took) = build(&site, &[]);
    run.expect_code(1);
    eprintln!(
        "10,000-deep nesting, safe mode: refused in {:.1} s",
        took.as_secs_f64()
    );
    let errors = run.errors();
    assert!(errors.iter().all(|d| d.code == "E008"), "{run}");
    let files: Vec<&str> = errors.iter().filter_map(|d| d.file.as_deref()).collect();
    for name in ["lists", "ordered", "quotes", "quotes2", "mixed"] {
        assert!(
            files.contains(&format!("content/{name}.md").as_str()),
            "{name}: {run}"
        );
    }
    errors[0].assert_message_contains("at most 512 are allowed");
    assert!(entries(&site.out()) == before, "output changed");
    // 300 levels are cleaned and built.
    for (name, _) in &cases {
        site.remove(&format!("content/{name}.md"));
    }
    site.write(
        "content/quotes.md",
        format!(
            "+++\ntitle = \"q\"\n+++\n{}深<script>x</script>\n",
            "> ".repeat(300)
        ),
    );
    let (run, _) = build(&site, &[]);
    run.success();
    let quotes = page(&site, "quotes/index.html");
    assert_eq!(quotes.matches("<blockquote>").count(), 300);
    assert!(!quotes.contains("<script>x"));
}

#[test]
fn a_thousand_nested_folders_are_refused_quickly() {
    let (site, before) = good_site();
    let deep: String = (0..1000).map(|_| "d/").collect();
    site.write(
        &format!("content/{deep}deep.md"),
        "+++\ntitle = \"很深\"\n+++\n",
    );
    let (run, took) = build(&site, &[]);
    run.expect_code(1);
    let d = run.single("E007");
    let limit = 32;
    let expected: String = std::iter::repeat_n("d", limit + 1)
        .collect::<Vec<_>>()
        .join("/");
    assert_eq!(
        d.file.as_deref(),
        Some(format!("content/{expected}").as_str())
    );
    d.assert_message_contains("more than 32 levels");
    assert!(entries(&site.out()) == before, "output changed");
    assert!(took < Duration::from_secs(30), "took {took:?}");

    // 32 levels still build, with breadcrumbs all the way down.
    fs::remove_dir_all(site.root().join("content/d")).expect("remove the deep folders");
    let ok: String = (0..limit).map(|i| format!("g{i}/")).collect();
    site.write(
        &format!("content/{ok}deep.md"),
        "+++\ntitle = \"很深\"\n+++\n",
    );
    let (run, _) = build(&site, &[]);
    run.success();
    let html = page(&site, &format!("{ok}deep/index.html"));
    let crumbs = inner_by_id(&html, "main").expect("main");
    assert!(
        crumbs.contains(">g31<"),
        "the last folder is in the breadcrumbs"
    );
}

#[test]
fn a_reports_to_chain_of_ten_thousand_roles_builds() {
    let n = 10_000;
    let mut s = String::from("+++\ntitle = \"长链\"\nid = \"chain\"\n");
    for i in 0..n {
        s.push_str(&format!("[[roles]]\nid = \"r{i}\"\ntitle = \"岗位{i}\"\n"));
        if i > 0 {
            s.push_str(&format!("reports_to = \"r{}\"\n", i - 1));
        }
    }
    s.push_str("[[activities]]\nid = \"x\"\ntitle = \"活动\"\nraci = { r0 = \"A\", r9999 = \"R\" }\n+++\n第一条 链。\n");
    let site = Site::new().with("content/chain.md", &s);
    let (run, took) = build(&site, &[]);
    run.success();
    eprintln!(
        "reports_to chain of {n}: built in {:.1} s",
        took.as_secs_f64()
    );
    assert!(took < LIMIT);
    // The bottom role lists its nearest 32 superiors, then an ellipsis.
    let html = page(&site, "roles/chain/r9999/index.html");
    let chain = inner_by_id(&html, "main").expect("main");
    assert!(chain.contains(">岗位9998</a>") && chain.contains(">岗位9967</a>"));
    assert!(!chain.contains(">岗位9966</a>"), "the chain is cut at 32");
    assert!(chain.contains("class=\"chain-more\""));
    // The org chart nests all of it: on the page of the departments at
    // the top level, 10,001 nodes being over the size at which the chart
    // is split (docs/large-sites.md).
    let org = page(&site, "org/_top/index.html");
    assert!(
        org.matches("<li class=\"role\">").count() == n,
        "every role in the list"
    );
    assert!(org.contains(">岗位9999</a>"));

    // A `parent` chain of 1,000 departments, one file each.
    let site = Site::new();
    for i in 0..1000 {
        let parent = if i > 0 {
            format!("parent = \"d{}\"\n", i - 1)
        } else {
            String::new()
        };
        site.write(
            &format!("content/d{i}.md"),
            format!("+++\ntitle = \"部门{i}\"\n{parent}+++\n"),
        );
    }
    let (run, took) = build(&site, &[]);
    run.success();
    eprintln!(
        "parent chain of 1,000 departments: built in {:.1} s",
        took.as_secs_f64()
    );
    let org = page(&site, "org/index.html");
    assert_eq!(org.matches("<li class=\"dept\">").count(), 1000);
}

// ---------------------------------------------------------------------------
// The file system: links, permissions, names
// ---------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlink_loops_are_errors_not_hangs() {
    use std::os::unix::fs::symlink;
    let (site, before) = good_site();
    fs::create_dir_all(site.root().join("content/loop")).unwrap();
    symlink("..", site.root().join("content/loop/up")).unwrap();
    let run = fails(&site, &before, &["E001"]);
    let d = run.single("E001");
    assert_eq!(d.file.as_deref(), Some("content/loop/up"));
    d.assert_message_contains("loops back to a folder above it");

    fs::remove_file(site.root().join("content/loop/up")).unwrap();
    symlink("self.md", site.root().join("content/loop/self.md")).unwrap();
    let run = fails(&site, &before, &["E001"]);
    run.single("E001")
        .assert_message_contains("content/loop/self.md");
}

/// Does this process read files whatever their mode (root, CAP_DAC_OVERRIDE)?
fn reads_everything(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("probe");
    fs::write(&p, "x").unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
    let can = fs::read(&p).is_ok();
    fs::remove_file(&p).unwrap();
    can
}

#[cfg(unix)]
#[test]
fn unreadable_files() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let (site, before) = good_site();
    site.write("content/secret.md", "+++\ntitle = \"机密\"\n+++\n");
    let secret = site.root().join("content/secret.md");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    if reads_everything(site.scratch()) {
        // Tests run as root in CI, and root reads a mode-000 file: the page builds.
        eprintln!(
            "running with the right to read any file (root): mode 000 is readable; checking that branch"
        );
        build(&site, &[]).0.success();
        assert!(site.out().join("secret/index.html").is_file());
        fs::remove_file(&secret).unwrap();
        build(&site, &[]).0.success();
    } else {
        let run = fails(&site, &before, &["E001"]);
        run.single("E001")
            .assert_message_contains("cannot read content/secret.md");
        fs::set_permissions(&secret, fs::Permissions::from_mode(0o644)).unwrap();
        fs::remove_file(&secret).unwrap();
    }
    let before = entries(&site.out());
    // Unreadable for everyone, root included: a link to nothing.
    symlink("/nonexistent/charter", site.root().join("content/gone.md")).unwrap();
    let run = fails(&site, &before, &["E001"]);
    run.single("E001")
        .assert_message_contains("content/gone.md");
    fs::remove_file(site.root().join("content/gone.md")).unwrap();
    // A named pipe is not a file: skipped, no hang waiting for a writer.
    let fifo = site.root().join("content/pipe.md");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let (run, _) = build(&site, &[]);
        run.success();
        assert!(!site.out().join("pipe").exists());
    }
}

#[test]
fn file_names_with_spaces_chinese_and_leading_dots() {
    let (site, before) = good_site();
    // A space: the file name is neither an id nor a URL segment.
    site.write("content/安全 环保.md", "+++\ntitle = \"安全环保\"\n+++\n");
    let run = fails(&site, &before, &["E006"]);
    let d = run.single("E006");
    d.assert_at("content/安全 环保.md", 1, 1);
    let help = d.help.clone().unwrap_or_default();
    assert!(
        help.contains("`id = ") && help.contains("`slug = "),
        "{help}"
    );
    // With an id and a slug it builds, at the slug.
    site.write(
        "content/安全 环保.md",
        "+++\ntitle = \"安全环保\"\nid = \"safety\"\nslug = \"safety\"\n+++\n",
    );
    // Chinese file and folder names are URL segments as they are.
    site.write(
        "content/工程/安全环保部.md",
        "+++\ntitle = \"安全环保部\"\n+++\n见[[safety]]。\n",
    );
    // Names with a leading dot are skipped, folders too.
    site.write("content/.hidden.md", "not even front matter");
    site.write("content/.git/config.md", "+++\ntitle = broken\n");
    site.write("content/工程/.草稿.md", "");
    let (run, _) = build(&site, &[]);
    run.success();
    assert!(site.out().join("safety/index.html").is_file());
    let html = page(&site, "工程/安全环保部/index.html");
    assert!(html.contains("<h1>安全环保部</h1>"));
    let home = page(&site, "index.html");
    assert!(
        urls(&home).contains(
            &"%E5%B7%A5%E7%A8%8B/%E5%AE%89%E5%85%A8%E7%8E%AF%E4%BF%9D%E9%83%A8/index.html"
                .to_string()
        ),
        "hrefs are percent-encoded: {:?}",
        urls(&home)
    );
    for hidden in [".hidden", ".git", "工程/.草稿", "hidden"] {
        assert!(!site.out().join(hidden).exists(), "{hidden}");
    }
    assert!(!page(&site, "sitemap.xml").contains("hidden"));
}

#[test]
fn two_files_mapping_to_one_url_are_named_both() {
    let (site, before) = good_site();
    site.write(
        "content/a.md",
        "+++\ntitle = \"甲\"\nslug = \"same\"\n+++\n",
    );
    site.write(
        "content/b.md",
        "+++\ntitle = \"乙\"\nslug = \"same\"\n+++\n",
    );
    let run = fails(&site, &before, &["E018"]);
    let d = run.single("E018");
    d.assert_at("content/b.md", 1, 1)
        .assert_message_contains("/same/");
    assert!(
        d.notes.iter().any(|n| n.contains("content/a.md")),
        "the note names the other file: {d:#?}"
    );
    // A file and a folder at the same URL.
    site.remove("content/a.md");
    site.remove("content/b.md");
    site.write("content/g.md", "+++\ntitle = \"文件\"\n+++\n");
    site.write("content/g/c.md", "+++\ntitle = \"文件夹里\"\n+++\n");
    let run = fails(&site, &before, &["E018"]);
    let d = run.single("E018");
    d.assert_message_contains("/g/");
    assert_eq!(d.file.as_deref(), Some("content/g.md"));
    assert!(
        d.notes.iter().any(|n| n.contains("content/g/c.md")),
        "{d:#?}"
    );
}

#[test]
fn ids_and_slugs_with_path_markup_quotes_or_control_characters_are_refused() {
    let (site, before) = good_site();
    let hostile = [
        "a/b",
        "..",
        ".",
        "<x>",
        "a\\\"b",
        "a'b",
        "a\\u0007b",
        "a\\u001b[31mb",
        "a\\u0000b",
        "a\\nb",
        "a b",
        "",
        "%2e%2e",
    ];
    for v in hostile {
        for key in ["id", "slug"] {
            let src = format!("+++\ntitle = \"坏\"\n{key} = \"{v}\"\n+++\n");
            site.write("content/bad.md", &src);
            let run = fails(&site, &before, &["E006"]);
            let d = run.single("E006");
            d.assert_at("content/bad.md", 3, key.len() as u64 + 4);
            d.assert_message_contains(if key == "id" {
                "is not a valid id"
            } else {
                "is not a valid slug"
            });
        }
        // Role and activity ids too.
        let src = format!(
            "+++\ntitle = \"坏\"\n[[roles]]\nid = \"{v}\"\ntitle = \"岗位\"\n[[activities]]\nid = \"{v}\"\ntitle = \"活动\"\nraci = {{}}\n+++\n"
        );
        site.write("content/bad.md", &src);
        let (run, _) = build(&site, &[]);
        run.expect_code(1);
        let bad: Vec<Diag> = run
            .errors()
            .into_iter()
            .filter(|d| d.code == "E006")
            .collect();
        assert_eq!(bad.len(), 2, "role and activity id {v:?}\n{run}");
        assert!(entries(&site.out()) == before);
    }
}

// ---------------------------------------------------------------------------
// --output where it must never go
// ---------------------------------------------------------------------------

/// Every file under `dir` with its bytes (symlinks not followed).
fn snapshot(dir: &Path) -> BTreeMap<String, Entry> {
    entries(dir)
}

#[test]
fn output_is_refused_at_the_site_its_folders_and_parents_and_nothing_is_deleted() {
    let (site, _) = good_site();
    site.write("static/keep.txt", "keep me");
    let whole_before = snapshot(site.scratch());
    let root = site.root().to_path_buf();
    let cases: Vec<(PathBuf, &str)> = vec![
        (root.clone(), "it holds the site itself"),
        (root.join("content"), "inside the site's content"),
        (root.join("content/sub"), "inside the site's content"),
        (root.join("static"), "inside the site's static"),
        (site.scratch().to_path_buf(), "it holds the site itself"),
        (root.join("."), "it holds the site itself"),
        (root.join("content/.."), "it holds the site itself"),
    ];
    for (out, why) in &cases {
        let (run, _) = build(&site, &["--output", out.to_str().unwrap()]);
        run.expect_code(1);
        run.single("E040").assert_message_contains(why);
        assert!(
            snapshot(site.scratch()) == whole_before,
            "--output {} changed files\n{run}",
            out.display()
        );
    }
    // A symbolic link to the site root, from elsewhere.
    #[cfg(unix)]
    {
        let elsewhere = tempfile::tempdir().unwrap();
        let link = elsewhere.path().join("out");
        std::os::unix::fs::symlink(&root, &link).unwrap();
        let (run, _) = build(&site, &["--output", link.to_str().unwrap()]);
        run.expect_code(1);
        run.single("E040")
            .assert_message_contains("it holds the site itself");
        assert!(snapshot(site.scratch()) == whole_before);
    }
    // `/` last, and only once the library is known to refuse it.
    assert!(
        charter::output::check_output_dir(&root, Path::new("/")).is_err(),
        "the refusal check is not in place: not running `--output /`"
    );
    let (run, _) = build(&site, &["--output", "/"]);
    run.expect_code(1);
    run.single("E040")
        .assert_message_contains("it holds the site itself");
    assert!(snapshot(site.scratch()) == whole_before);
}

// ---------------------------------------------------------------------------
// Found while seeding the fuzzers
// ---------------------------------------------------------------------------

#[test]
fn a_root_relative_link_to_index_html_is_the_home_page() {
    let site = Site::new().with(
        "content/g/a.md",
        "+++\ntitle = \"甲\"\n+++\n[回到首页](/index.html) [本组](/g/index.html) [本页](/g/a/index.html)\n",
    );
    let (run, _) = build(&site, &[]);
    run.success();
    let html = page(&site, "g/a/index.html");
    assert_eq!(hrefs_with_text(&html, "回到首页"), ["../../index.html"]);
    assert_eq!(hrefs_with_text(&html, "本组"), ["../../g/index.html"]);
    assert_eq!(hrefs_with_text(&html, "本页"), ["../../g/a/index.html"]);
}
