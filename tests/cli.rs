//! The command line (spec §8): `charter init`, the build summary, and exit
//! code 2 for bad usage or a root that is not a site.

mod common;

use common::*;

#[test]
fn init_then_build_works() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("新站点");
    let run = charter_in(tmp.path(), &["init", dir.to_str().unwrap()]);
    run.success();
    assert!(dir.join("config.toml").is_file());
    assert!(dir.join("content").is_dir());
    assert!(
        !dir.join("themes").exists(),
        "the default theme is built in"
    );

    let build = charter_in(
        tmp.path(),
        &["build", "--root", dir.to_str().unwrap(), "--format", "json"],
    );
    build.success();
    assert_eq!(
        build.diagnostics(),
        vec![],
        "a new site builds without warnings\n{build}"
    );
    let s = build.summary();
    assert!(s.pages >= 2 && s.roles >= 1 && s.activities >= 1, "{s:?}");
    assert!(dir.join("output/index.html").is_file());
    assert!(dir.join("output/.charter-output").is_file());
}

#[test]
fn init_in_the_current_folder() {
    let tmp = tempfile::tempdir().unwrap();
    charter_in(tmp.path(), &["init"]).success();
    assert!(tmp.path().join("config.toml").is_file());
    charter_in(tmp.path(), &["check"]).success();
}

#[test]
fn init_refuses_an_existing_site() {
    let site = Site::fixture("basic");
    let before = entries(site.root());
    let run = charter_in(site.scratch(), &["init", site.root().to_str().unwrap()]);
    run.expect_code(2);
    assert!(!run.stderr.is_empty(), "says why\n{run}");
    assert_eq!(entries(site.root()), before, "nothing written");
}

#[test]
fn init_refuses_a_folder_with_content_but_no_config() {
    let site = Site::empty().with("content/a.md", "+++\ntitle = \"甲\"\n+++\n");
    let before = entries(site.root());
    let run = charter_in(site.scratch(), &["init", site.root().to_str().unwrap()]);
    run.expect_code(2);
    assert_eq!(entries(site.root()), before, "nothing written");
}

#[test]
fn build_summary_line() {
    let site = Site::fixture("basic");
    let run = site.build(&[]);
    run.success();
    assert_eq!(run.stderr, "", "{run}");
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("built "))
        .unwrap();
    let s = run.summary();
    // 3 departments, 4 roles, 3 activities; pages at least home + 2 groups + 3 departments + 404.
    assert_eq!((s.roles, s.activities), (4, 3), "{line}");
    assert!(s.pages >= 7, "{line}");
    assert!(line.contains(" ms into "), "{line}");
    assert!(line.contains(site.out().to_str().unwrap()), "{line}");
}

#[test]
fn check_writes_nothing() {
    let site = Site::fixture("basic");
    let before = entries(site.scratch());
    site.check(&[]).success();
    assert_eq!(entries(site.scratch()), before);
    assert!(!site.out().exists());
}

#[test]
fn root_without_config_is_exit_2() {
    let site = Site::empty().with("content/a.md", "+++\ntitle = \"甲\"\n+++\n");
    let run = site.build(&["--format", "json"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("config.toml"),
        "says what is missing\n{run}"
    );
    assert!(!site.out().exists());
    site.check(&[]).expect_code(2);
}

#[test]
fn missing_root_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let nowhere = tmp.path().join("nowhere");
    charter_in(tmp.path(), &["build", "--root", nowhere.to_str().unwrap()]).expect_code(2);
    charter_in(tmp.path(), &["check", "--root", nowhere.to_str().unwrap()]).expect_code(2);
    assert!(!nowhere.exists());
}

#[test]
fn bad_usage_is_exit_2() {
    let site = Site::fixture("basic");
    site.build(&["--format", "xml"]).expect_code(2);
    site.build(&["--no-such-flag"]).expect_code(2);
    charter_in(site.scratch(), &["frobnicate"]).expect_code(2);
    charter_in(site.scratch(), &[] as &[&str]).expect_code(2);
    assert!(!site.out().exists());
}

#[test]
fn github_format_annotates_errors() {
    let site = Site::new().with(
        "content/a.md",
        "+++\ntitle = \"甲\"\n+++\n第一条 见[[nosuch]]。\n",
    );
    let run = site.build(&["--format", "github"]);
    run.expect_code(1);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("::error file=content/a.md,line=4,col=")),
        "{run}"
    );
}
