//! The output folder (spec §8): a failed build leaves it exactly as it
//! was; builds are byte-identical whatever the site's location or the
//! time; a rebuild rewrites only changed files and removes stale ones; and
//! only an empty folder or one Charter wrote before is ever written to.
//! Fixture: `tests/fixtures/basic/`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// Builds into `out` (absolute), expecting success.
#[track_caller]
fn build_into(site: &Site, out: &Path) -> Run {
    let run = site.build(&["--output", out.to_str().unwrap(), "--format", "json"]);
    run.success();
    assert_eq!(run.diagnostics(), vec![], "{run}");
    run
}

// ---------------------------------------------------------------------------
// A failed build changes nothing
// ---------------------------------------------------------------------------

#[test]
fn failed_build_leaves_the_output_untouched() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    age_files(&site.out());
    let before = entries(&site.out());
    assert!(before.len() > 10, "the first build wrote a site");

    // Break the content: an unknown role in a link.
    let safety = site.read("content/ops/safety.md");
    site.write(
        "content/ops/safety.md",
        safety.replace("[[quality]]", "[[quality/nobody]]"),
    );
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["E012"], "{run}");

    let after = entries(&site.out());
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "nothing added or removed"
    );
    for (path, entry) in &before {
        assert_eq!(&after[path], entry, "{path} changed (bytes or mtime)");
    }
}

/// Pages go to disk as they are rendered (through a staging folder): a
/// template that fails on some pages after others were rendered, with
/// content that changes every page, still leaves the output as it was,
/// and no staging folder behind.
#[test]
fn a_build_failing_while_rendering_leaves_the_output_untouched() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    age_files(&site.out());
    let before = entries(&site.out());
    // Every page changes (the site title), and role pages fail to render.
    let config = site.read("config.toml");
    site.write(
        "config.toml",
        config.replacen("title = \"", "title = \"新", 1),
    );
    site.write(
        "templates/role.html",
        "{% extends \"base.html\" %}{% block content %}{{ role.no_such_field.nested }}{% endblock content %}",
    );
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["E030"], "{run}");
    let after = entries(&site.out());
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "nothing added or removed (no staging folder left)"
    );
    for (path, entry) in &before {
        assert_eq!(&after[path], entry, "{path} changed (bytes or mtime)");
    }
    // A first build that fails leaves no output folder at all.
    let fresh = site.scratch().join("fresh-out");
    let run = site.build(&["--format", "json", "--output", fresh.to_str().unwrap()]);
    run.expect_code(1);
    assert!(
        !fresh.exists(),
        "a failed first build created {}",
        fresh.display()
    );
    // Into an empty folder, which stays empty (a build into an empty
    // folder writes each file at its own path in the staging folder).
    let empty = site.scratch().join("empty-out");
    std::fs::create_dir_all(&empty).unwrap();
    let run = site.build(&["--format", "json", "--output", empty.to_str().unwrap()]);
    run.expect_code(1);
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "a failed build into an empty folder left files in it"
    );
}

#[test]
fn failed_build_in_human_format_says_the_output_was_kept() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let before = tree(&site.out());
    site.write(
        "content/ops/quality.md",
        site.read("content/ops/quality.md")
            .replace("title = \"质量部\"", "titel = \"质量部\""),
    );
    let run = site.build(&[]);
    run.expect_code(1);
    assert!(run.stderr.contains("error[E005]"), "{run}");
    assert!(
        !run.stdout.contains("built "),
        "no summary of a build that did not happen"
    );
    assert_eq!(tree(&site.out()), before);
}

#[test]
fn template_error_leaves_the_output_untouched() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    age_files(&site.out());
    let before = entries(&site.out());
    site.write("templates/page.html", "{% if %}\n");
    site.write(
        "templates/department.html",
        "{% extends \"base.html\" %}{% block content %}{{ nosuch.field.deeper }}{% endblock content %}\n",
    );
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    assert!(run.codes().iter().all(|c| c == "E030"), "{run}");
    assert_eq!(entries(&site.out()), before);
}

// ---------------------------------------------------------------------------
// Reproducible, incremental builds
// ---------------------------------------------------------------------------

#[test]
fn builds_are_byte_identical_across_locations_and_times() {
    let one = Site::fixture("basic");
    let two = Site::empty();
    // The second copy lives deeper, under a different name.
    let deep = two.scratch().join("elsewhere").join("另一个站点");
    copy_dir(&one.root().join("content"), &deep.join("content"));
    copy_dir(&one.root().join("static"), &deep.join("static"));
    std::fs::copy(one.root().join("config.toml"), deep.join("config.toml")).unwrap();

    let out_a = one.scratch().join("out-a");
    let out_b = one.scratch().join("out-b");
    build_into(&one, &out_a);
    build_into(&one, &out_b);
    // Dates come from front matter, never from the clock: wait for the next second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out_c = two.scratch().join("out-c");
    let run = charter_in(
        two.scratch(),
        &[
            "build",
            "--root",
            deep.to_str().unwrap(),
            "--output",
            out_c.to_str().unwrap(),
        ],
    );
    run.success();

    let a = tree(&out_a);
    assert!(a.contains_key("index.html") && a.contains_key("ops/safety/index.html"));
    assert_eq!(tree(&out_b), a, "same site, two output folders");
    let c = tree(&out_c);
    assert_eq!(
        c.keys().collect::<Vec<_>>(),
        a.keys().collect::<Vec<_>>(),
        "same files from a copy elsewhere"
    );
    for (path, bytes) in &a {
        assert!(c[path] == *bytes, "{path} differs between the two copies");
    }
    // Nothing of the site's location leaks into the output.
    for (path, bytes) in &c {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("另一个站点") && !text.contains(two.scratch().to_str().unwrap()),
            "{path} mentions where the site was built"
        );
    }
}

#[test]
fn second_build_writes_nothing() {
    let site = Site::fixture("basic");
    let first = site.build(&[]);
    first.success();
    let s1 = first.summary();
    assert!(s1.written > 0);
    age_files(&site.out());
    let before = entries(&site.out());

    let second = site.build(&[]);
    second.success();
    let s2 = second.summary();
    assert_eq!(
        (s2.written, s2.unchanged, s2.removed),
        (0, s1.written, 0),
        "{second}"
    );
    assert_eq!(entries(&site.out()), before, "bytes and mtimes unchanged");
}

#[test]
fn changing_one_charter_rewrites_only_its_page() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    age_files(&site.out());
    let before = tree(&site.out());

    // Change the body only: the title (shown in navigation everywhere) stays.
    let quality = site.read("content/ops/quality.md");
    site.write(
        "content/ops/quality.md",
        quality.replace("负责质量检查", "负责质量检查和验收"),
    );
    let run = site.build(&[]);
    run.success();
    assert!(run.summary().written >= 1, "{run}");

    let page = site.out().join("ops/quality/index.html");
    assert_ne!(mtime(&page), old_time(), "the changed page is rewritten");
    assert!(read(&page).contains("负责质量检查和验收"));
    for unrelated in [
        "admin/office/index.html",
        "ops/safety/index.html",
        "index.html",
        "ops/index.html",
        "style.css",
        "sitemap.xml",
        "404.html",
        "files/form.pdf",
    ] {
        assert_eq!(
            mtime(&site.out().join(unrelated)),
            old_time(),
            "{unrelated} was rewritten"
        );
    }
    // Whatever was rewritten really changed.
    for (path, bytes) in tree(&site.out()) {
        if mtime(&site.out().join(&path)) != old_time() {
            assert_ne!(
                before.get(&path),
                Some(&bytes),
                "{path} rewritten with the same bytes"
            );
        }
    }
}

#[test]
fn stale_files_of_a_previous_build_are_removed() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    assert!(site.out().join("admin/office/index.html").is_file());
    // The department goes away (and nobody links to it).
    site.remove("content/admin/office.md");
    let run = site.build(&["--format", "json"]);
    run.success();
    assert!(run.summary().removed >= 1, "{run}");
    assert!(!site.out().join("admin/office/index.html").exists());
    assert!(
        !site.out().join("admin/office").exists(),
        "its empty folder too"
    );
    assert!(
        site.out().join("admin/index.html").is_file(),
        "the group stays"
    );
}

// ---------------------------------------------------------------------------
// Output folder safety
// ---------------------------------------------------------------------------

/// Expects `--output <out>` to be refused with E040 and nothing under the
/// scratch folder (the site and its surroundings) to change.
#[track_caller]
fn refused(site: &Site, out: &Path) {
    site.write("output-neighbour.txt", "keep me");
    let before = entries(site.scratch());
    let run = site.build(&["--output", out.to_str().unwrap(), "--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["E040"], "{run}");
    let after = entries(site.scratch());
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "nothing added or deleted"
    );
    assert_eq!(after, before, "nothing changed");
}

#[test]
fn output_into_the_site_root_is_refused() {
    let site = Site::fixture("basic");
    refused(&site, site.root());
}

#[test]
fn output_into_content_is_refused() {
    let site = Site::fixture("basic");
    refused(&site, &site.root().join("content"));
}

#[test]
fn output_inside_content_is_refused() {
    let site = Site::fixture("basic");
    refused(&site, &site.root().join("content/ops/out"));
}

#[test]
fn output_into_a_parent_of_the_root_is_refused() {
    let site = Site::fixture("basic");
    refused(&site, site.scratch());
}

#[test]
fn output_into_a_non_empty_foreign_folder_is_refused() {
    let site = Site::fixture("basic");
    let out = site.scratch().join("photos");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("holiday.jpg"), b"not a site").unwrap();
    refused(&site, &out);
    assert_eq!(
        std::fs::read(out.join("holiday.jpg")).unwrap(),
        b"not a site"
    );
}

#[test]
fn output_into_an_empty_folder_is_fine() {
    let site = Site::fixture("basic");
    let out = site.scratch().join("empty");
    std::fs::create_dir_all(&out).unwrap();
    build_into(&site, &out);
    assert!(out.join("index.html").is_file());
    assert!(
        out.join(".charter-output").is_file(),
        "the marker file is written"
    );
}

#[test]
fn output_into_a_new_folder_is_fine() {
    let site = Site::fixture("basic");
    let out = site.scratch().join("new").join("deeper");
    build_into(&site, &out);
    assert!(out.join("ops/safety/index.html").is_file());
}

#[test]
fn output_written_before_is_fine_and_replaced() {
    let site = Site::fixture("basic");
    let out = site.scratch().join("public");
    build_into(&site, &out);
    // A file that is not part of the site appears in the output folder.
    std::fs::write(out.join("leftover.html"), "<p>old</p>").unwrap();
    build_into(&site, &out);
    assert!(
        !out.join("leftover.html").exists(),
        "the folder is Charter's: stale files go"
    );
    assert!(out.join("index.html").is_file());
}

#[test]
fn expected_files_are_written() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let files: BTreeMap<String, Vec<u8>> = tree(&site.out());
    for f in [
        "index.html",
        "ops/index.html",
        "admin/index.html",
        "ops/safety/index.html",
        "ops/quality/index.html",
        "admin/office/index.html",
        "404.html",
        "sitemap.xml",
        "style.css",
        "syntax.css",
        ".charter-output",
        "files/form.pdf",
    ] {
        assert!(
            files.contains_key(f),
            "{f} missing; have {:#?}",
            files.keys()
        );
    }
    assert_eq!(files["files/form.pdf"], b"%PDF-1.4 fake form\n");
}

#[test]
fn not_found_page_links_are_rooted_at_the_base_url_path() {
    let site = Site::fixture("basic");
    site.build(&["--base-url", "https://example.com/sub/dir/"])
        .success();
    let html = site.read("output/404.html");
    let local: Vec<String> = urls(&html)
        .into_iter()
        .filter(|u| !is_external(u) && !u.starts_with('#'))
        .collect();
    assert!(
        local.contains(&"/sub/dir/style.css".to_string()),
        "{local:?}"
    );
    for u in &local {
        assert!(
            u.starts_with("/sub/dir/"),
            "404.html link {u:?} is not rooted at /sub/dir/"
        );
    }
    // Every other page links relatively.
    let index = site.read("output/index.html");
    assert!(urls(&index).contains(&"style.css".to_string()));
    let dept = site.read("output/ops/safety/index.html");
    assert!(urls(&dept).contains(&"../../style.css".to_string()));
}

// ---------------------------------------------------------------------------
// A kept output folder and the record of the last build
// (src/output/manifest.rs): unchanged files cost a `stat`, only changed
// folders are listed; whatever the record says, the result is the same.
// ---------------------------------------------------------------------------

/// Builds with the record kept in `cache` (instead of the shared one).
fn build_with_cache(site: &Site, cache: &Path) -> Run {
    let out = std::process::Command::new(BIN)
        .args(["build", "--format", "json"])
        .current_dir(site.root())
        .env("CHARTER_CACHE_DIR", cache)
        .output()
        .unwrap();
    let run = Run {
        args: vec!["build".into()],
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    run.success();
    run
}

/// Hand-made changes to a kept output: a stray file in a page folder, a
/// whole foreign folder inside a folder of the site, a page edited in
/// place to another text of the same size. The next build puts it back
/// as the site makes it, with a record and without one.
#[test]
fn hand_made_changes_to_a_kept_output_are_undone() {
    for with_record in [true, false] {
        let site = Site::fixture("basic");
        let cache = site.scratch().join("cache");
        build_with_cache(&site, &cache);
        let good = tree(&site.out());
        let out = site.out();
        std::fs::write(out.join("ops/safety/stray.html"), "<p>stray</p>").unwrap();
        std::fs::create_dir_all(out.join("ops/junk/deep")).unwrap();
        std::fs::write(out.join("ops/junk/deep/x.txt"), "x").unwrap();
        let page = out.join("ops/safety/index.html");
        let text = read(&page);
        let edited = text.replacen("<html", "<HTML", 1);
        assert_eq!(edited.len(), text.len());
        assert_ne!(edited, text);
        std::fs::write(&page, &edited).unwrap();
        if !with_record {
            std::fs::remove_dir_all(&cache).unwrap();
        }
        let run = build_with_cache(&site, &cache);
        let s = run.summary();
        assert_eq!(
            (s.written, s.removed),
            (1, 2),
            "with_record {with_record}: {run}"
        );
        assert_eq!(tree(&site.out()), good, "with_record {with_record}");
        assert!(!out.join("ops/junk").exists(), "the foreign folder goes");
        // And then nothing to do.
        let again = build_with_cache(&site, &cache).summary();
        assert_eq!((again.written, again.removed), (0, 0));
    }
}

/// A static file becomes a folder of files, and back: the record's file
/// is a folder now, and the other way round.
#[test]
fn a_file_that_becomes_a_folder_and_back() {
    let site = Site::fixture("basic");
    let cache = site.scratch().join("cache");
    site.write("static/forms", "a file");
    build_with_cache(&site, &cache);
    assert_eq!(read(&site.out().join("forms")), "a file");
    site.remove("static/forms");
    site.write("static/forms/a.txt", "inside");
    build_with_cache(&site, &cache);
    assert_eq!(read(&site.out().join("forms/a.txt")), "inside");
    std::fs::remove_dir_all(site.root().join("static/forms")).unwrap();
    site.write("static/forms", "a file again");
    build_with_cache(&site, &cache);
    assert_eq!(read(&site.out().join("forms")), "a file again");
    // A department removed: its page and folder go, its group stays.
    site.remove("content/admin/office.md");
    let run = build_with_cache(&site, &cache);
    assert!(run.summary().removed >= 1, "{run}");
    assert!(!site.out().join("admin/office").exists());
    assert!(site.out().join("admin/index.html").is_file());
}

/// Records of output folders that are gone are removed when a build first
/// writes the record of a new output folder: a test suite or CI job that
/// builds into temporary folders does not fill the cache folder.
#[test]
fn records_of_removed_output_folders_are_pruned() {
    let cache_owner = Site::new();
    let cache = cache_owner.scratch().join("cache");
    let records = || -> usize {
        std::fs::read_dir(cache.join("outputs"))
            .unwrap()
            .filter(|e| {
                !e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with('.')
            })
            .count()
    };
    let first = Site::fixture("basic");
    build_with_cache(&first, &cache);
    let second = Site::fixture("basic");
    build_with_cache(&second, &cache);
    assert_eq!(records(), 2);
    // Building again into a folder with a record prunes nothing.
    std::fs::remove_dir_all(first.out()).unwrap();
    build_with_cache(&second, &cache);
    assert_eq!(records(), 2);
    let third = Site::fixture("basic");
    build_with_cache(&third, &cache);
    assert_eq!(records(), 2, "the first output's record is gone");
}
