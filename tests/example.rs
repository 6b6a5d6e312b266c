//! The example site (the repository's own `config.toml` + `content/`):
//! it checks with no diagnostic at all, builds, and every relative
//! `href`/`src` of its output resolves to a file, every `#fragment` to an
//! `id` on the target page (spec §5: all internal links are relative and
//! point at files; only 404.html uses links rooted at base_url's path).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use common::*;

const BASE_URL: &str = "https://intranet.example.com/handbook/";
const BASE_PATH: &str = "/handbook/";

/// Output folders of features still being built (role pages, role index,
/// matrices, org chart, search).
// TODO: tighten once role pages, /roles/, /matrix/, /org/ and /search/
// have landed: drop this list so links into and out of them are checked too.
const DEFERRED: &[&str] = &[];

fn deferred(path: &str) -> bool {
    DEFERRED.iter().any(|d| path.starts_with(d))
}

#[test]
fn example_site_checks_without_any_diagnostic() {
    let run = charter_in(
        &repo_root(),
        &[
            "check",
            "--root",
            repo_root().to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    run.success();
    assert_eq!(run.diagnostics(), vec![], "no error and no warning\n{run}");
    assert_eq!(run.stderr, "", "{run}");
}

#[test]
fn example_site_checks_clean_in_human_format() {
    let run = charter_in(&repo_root(), &["check", "--root", "."]);
    run.success();
    assert_eq!(run.stderr, "", "{run}");
    assert!(run.stdout.contains("no errors, 0 warnings"), "{run}");
}

#[test]
fn example_site_every_relative_link_resolves() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = charter_in(
        tmp.path(),
        &[
            "build",
            "--root",
            repo_root().to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--base-url",
            BASE_URL,
            "--format",
            "json",
        ],
    );
    run.success();
    assert_eq!(run.diagnostics(), vec![], "{run}");
    let summary = run.summary();
    assert!(
        summary.pages >= 20 && summary.roles > 0 && summary.activities > 0,
        "{summary:?}"
    );

    let files: BTreeMap<String, Vec<u8>> = tree(&out);
    let html_of = |p: &str| String::from_utf8_lossy(&files[p]).into_owned();
    let mut id_cache: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut problems: Vec<String> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut checked = 0usize;

    for page in files.keys().filter(|p| p.ends_with(".html")) {
        if deferred(page) {
            // TODO: check the pages of DEFERRED folders too once they land.
            skipped.push(format!("{page} (whole page)"));
            continue;
        }
        let html = html_of(page);
        for url in urls(&html) {
            if is_external(&url) {
                continue;
            }
            let (path_part, fragment) = match url.split_once('#') {
                Some((p, f)) => (p, Some(percent_decode(f))),
                None => (url.as_str(), None),
            };
            let path_part = path_part.split('?').next().unwrap_or("");
            let target = if path_part.is_empty() {
                page.clone()
            } else if let Some(rooted) = path_part.strip_prefix('/') {
                // Only 404.html may root its links, at base_url's path.
                match (page.as_str(), path_part.strip_prefix(BASE_PATH)) {
                    ("404.html", Some(rest)) => percent_decode(rest),
                    _ => {
                        problems.push(format!("{page}: `{url}` is not relative (/{rooted})"));
                        continue;
                    }
                }
            } else {
                match join_url(page, &percent_decode(path_part)) {
                    Some(t) => t,
                    None => {
                        problems.push(format!("{page}: `{url}` climbs above the output root"));
                        continue;
                    }
                }
            };
            if deferred(&target) {
                // TODO: resolve links into DEFERRED folders once they land.
                skipped.push(format!("{page}: {url}"));
                continue;
            }
            checked += 1;
            if !files.contains_key(&target) {
                let why = if out.join(&target).is_dir() || target.is_empty() {
                    "names a folder, not a file"
                } else {
                    "names no file"
                };
                problems.push(format!("{page}: `{url}` → {target} {why}"));
                continue;
            }
            if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                if !target.ends_with(".html") {
                    problems.push(format!("{page}: `{url}` has a fragment on a non-HTML file"));
                    continue;
                }
                let ids = id_cache
                    .entry(target.clone())
                    .or_insert_with(|| ids(&html_of(&target)).into_iter().collect());
                if !ids.contains(&f) {
                    problems.push(format!("{page}: `{url}` → no id=\"{f}\" on {target}"));
                }
            }
        }
    }
    if !skipped.is_empty() {
        eprintln!(
            "TODO: {} links/pages in {DEFERRED:?} not checked yet, e.g. {:?}",
            skipped.len(),
            &skipped[..skipped.len().min(5)]
        );
    }
    assert!(
        checked > 200,
        "only {checked} links checked: is the scan working?"
    );
    assert!(
        problems.is_empty(),
        "{} broken links of {checked}:\n{}",
        problems.len(),
        problems[..problems.len().min(60)].join("\n")
    );
}

#[test]
fn example_department_pages_have_the_stable_hooks() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = charter_in(
        tmp.path(),
        &[
            "build",
            "--root",
            repo_root().to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
    );
    run.success();
    // The safety department has level-2 headings, roles, and is linked
    // from the bodies of other charters (quality, project).
    let html = read(&out.join("construction/safety/index.html"));
    for hook in ["toc", "roles", "backlinks"] {
        assert!(
            element_by_id(&html, hook).is_some(),
            "construction/safety has no id=\"{hook}\""
        );
    }
    // The table of contents links every level-2 heading of the body.
    let toc: BTreeSet<String> = links(inner_by_id(&html, "toc").unwrap())
        .into_iter()
        .map(|l| l.href)
        .collect();
    let h2: BTreeSet<String> = tags(&html)
        .into_iter()
        .filter(|t| t.name == "h2")
        .filter_map(|t| t.attr("id").map(|id| format!("#{id}")))
        .filter(|id| !["#toc", "#roles", "#backlinks", "#matrix"].contains(&id.as_str()))
        .collect();
    assert!(!h2.is_empty());
    assert!(h2.is_subset(&toc), "toc {toc:?} misses some of {h2:?}");
    let backlinks: BTreeSet<String> = links(inner_by_id(&html, "backlinks").unwrap())
        .into_iter()
        .map(|l| l.href)
        .collect();
    for from in [
        "../../construction/quality/index.html",
        "../../construction/project/index.html",
    ] {
        assert!(
            backlinks.contains(from),
            "backlinks {backlinks:?} miss {from}"
        );
    }
}
