//! Every content error (and warning) of spec §2, §3, §4 and §9, one site
//! per behaviour written from literals so the expected `file:line:column`
//! can be read next to the source. Diagnostics are read with
//! `--format json`; one test checks the human format's shape.
//!
//! For each error: `build` exits 1 and writes nothing, `check` exits 1 with
//! the same diagnostics. For each warning: both exit 0.

mod common;

use common::*;

/// A site with the standard config and these files.
fn site(files: &[(&str, &str)]) -> Site {
    let mut s = Site::new();
    for (rel, text) in files {
        s = s.with(rel, text);
    }
    s
}

/// Runs build and check, expecting exactly these error codes (in order);
/// returns the build's run.
#[track_caller]
fn fails(site: &Site, codes: &[&str]) -> Run {
    let build = site.build(&["--format", "json"]);
    build.expect_code(1);
    let errors: Vec<String> = build.errors().into_iter().map(|d| d.code).collect();
    assert_eq!(errors, codes, "error codes\n{build}");
    assert!(
        !site.out().exists(),
        "a failed build must not create the output folder"
    );
    let check = site.check(&["--format", "json"]);
    check.expect_code(1);
    assert_eq!(
        check.diagnostics(),
        build.diagnostics(),
        "check reports what build reports"
    );
    build
}

/// Runs build and check, expecting success with exactly these warning codes.
#[track_caller]
fn warns(site: &Site, codes: &[&str]) -> Run {
    let build = site.build(&["--format", "json"]);
    build.success();
    assert_eq!(build.errors(), vec![], "{build}");
    let warnings: Vec<String> = build.warnings().into_iter().map(|d| d.code).collect();
    assert_eq!(warnings, codes, "warning codes\n{build}");
    assert!(
        site.out().join("index.html").is_file(),
        "a warning does not stop the build"
    );
    let check = site.check(&["--format", "json"]);
    check.success();
    assert_eq!(check.diagnostics(), build.diagnostics());
    build
}

// ---------------------------------------------------------------------------
// References (spec §3)
// ---------------------------------------------------------------------------

const PROJECT_BAD_REPORTS_TO: &str = r#"+++
title = "项目部"
id = "project"

[[roles]]
id = "manager"
title = "项目经理"

[[roles]]
id = "deputy"
title = "项目副经理"
reports_to = "manger"

[[activities]]
id = "plan"
title = "编制计划"
raci = { manager = "A", deputy = "R" }
+++
第一条 项目部负责编制计划。
"#;

#[test]
fn unknown_role_in_reports_to() {
    let s = site(&[("content/project.md", PROJECT_BAD_REPORTS_TO)]);
    let run = fails(&s, &["E012"]);
    run.single("E012")
        .assert_at_text("content/project.md", PROJECT_BAD_REPORTS_TO, "\"manger\"")
        .assert_message_contains("`manger`")
        .assert_message_contains("`project`")
        .assert_help("did you mean `manager`?");
}

#[test]
fn unknown_role_in_a_raci_key() {
    let src = r#"+++
title = "项目部"
id = "project"

[[roles]]
id = "manager"
title = "项目经理"

[[activities]]
id = "plan"
title = "编制计划"
raci = { manager = "A/R", mangaer = "C" }
+++
"#;
    let run = fails(&site(&[("content/project.md", src)]), &["E012"]);
    run.single("E012")
        .assert_at_text("content/project.md", src, "mangaer")
        .assert_help("did you mean `manager`?");
}

#[test]
fn unknown_role_in_a_wiki_link() {
    let src = r#"+++
title = "项目部"
id = "project"

[[roles]]
id = "manager"
title = "项目经理"

[[activities]]
id = "plan"
title = "编制计划"
raci = { manager = "A/R" }
+++
第一条 由[[project/manger]]负责。
"#;
    let run = fails(&site(&[("content/project.md", src)]), &["E012"]);
    let d = run.single("E012");
    d.assert_at_text("content/project.md", src, "[[project/manger]]")
        .assert_message_contains("`manger`");
    assert!(
        d.help.as_deref().is_some_and(|h| h.contains("manager")),
        "did you mean: {d:#?}"
    );
}

#[test]
fn unknown_department_in_a_wiki_link() {
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n+++\n第一条 参照[[safty]]执行。\n";
    let safety = "+++\ntitle = \"安全环保部\"\nid = \"safety\"\n+++\n第一条 安全。\n";
    let run = fails(
        &site(&[("content/alpha.md", src), ("content/safety.md", safety)]),
        &["E011"],
    );
    run.single("E011")
        .assert_at_text("content/alpha.md", src, "[[safty]]")
        .assert_help("did you mean `safety`?");
}

#[test]
fn ids_are_case_sensitive() {
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n+++\n第一条 参照[[Safety]]执行。\n";
    let safety = "+++\ntitle = \"安全环保部\"\nid = \"safety\"\n+++\n第一条 安全。\n";
    let run = fails(
        &site(&[("content/alpha.md", src), ("content/safety.md", safety)]),
        &["E011"],
    );
    run.single("E011")
        .assert_at_text("content/alpha.md", src, "[[Safety]]")
        .assert_help("did you mean `safety`?");
}

#[test]
fn unknown_parent_department() {
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\nparent = \"projcet\"\n+++\n";
    let project = "+++\ntitle = \"项目部\"\nid = \"project\"\n+++\n";
    let run = fails(
        &site(&[("content/alpha.md", src), ("content/project.md", project)]),
        &["E011"],
    );
    run.single("E011")
        .assert_at_text("content/alpha.md", src, "\"projcet\"")
        .assert_help("did you mean `project`?");
}

#[test]
fn duplicate_id_is_reported_at_the_later_file_with_a_note_naming_the_first() {
    let first = "+++\ntitle = \"甲部\"\nid = \"dup\"\n+++\n";
    let later = "+++\ntitle = \"乙部\"\nsummary = \"乙\"\nid = \"dup\"\n+++\n";
    // Written in reverse order: path order decides, not creation order.
    let s = site(&[("content/beta.md", later), ("content/alpha.md", first)]);
    let run = fails(&s, &["E010"]);
    let d = run.single("E010");
    d.assert_at_text("content/beta.md", later, "\"dup\"")
        .assert_message_contains("`dup`");
    assert!(
        d.notes.iter().any(|n| n.contains("content/alpha.md")),
        "a note names the first file: {d:#?}"
    );
}

#[test]
fn missing_anchor_in_a_link() {
    let target = "+++\ntitle = \"安全环保部\"\nid = \"safety\"\n+++\n第一条 甲。\n\n第二条 乙。\n";
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n+++\n第一条 见[[safety#a9]]。\n";
    let run = fails(
        &site(&[("content/alpha.md", src), ("content/safety.md", target)]),
        &["E013"],
    );
    run.single("E013")
        .assert_at_text("content/alpha.md", src, "[[safety#a9]]")
        .assert_message_contains("a9");
}

#[test]
fn missing_anchor_in_a_same_page_link() {
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n+++\n第一条 甲。\n\n第二条 见[[#a3]]。\n";
    let run = fails(&site(&[("content/alpha.md", src)]), &["E013"]);
    run.single("E013")
        .assert_at_text("content/alpha.md", src, "[[#a3]]");
}

#[test]
fn missing_anchor_in_a_clause() {
    let src = r#"+++
title = "项目部"
id = "project"

[[roles]]
id = "manager"
title = "项目经理"

[[activities]]
id = "plan"
title = "编制计划"
clause = "a9"
raci = { manager = "A/R" }
+++
第一条 甲。

第二条 乙。
"#;
    let run = fails(&site(&[("content/project.md", src)]), &["E013"]);
    run.single("E013")
        .assert_at_text("content/project.md", src, "\"a9\"")
        .assert_message_contains("a9");
}

#[test]
fn link_to_a_draft_from_a_published_page() {
    let draft = "+++\ntitle = \"筹备部\"\nid = \"drafty\"\ndraft = true\n+++\n第一条 筹备。\n";
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n+++\n第一条 参照[[drafty]]。\n";
    let run = fails(
        &site(&[("content/alpha.md", src), ("content/drafty.md", draft)]),
        &["E015"],
    );
    run.single("E015")
        .assert_at_text("content/alpha.md", src, "[[drafty]]")
        .assert_message_contains("drafty");
}

#[test]
fn root_relative_link_to_nothing() {
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n+++\n第一条 表格见[表格](/x/form.pdf)。\n";
    let run = fails(&site(&[("content/alpha.md", src)]), &["E016"]);
    run.single("E016")
        .assert_at_text("content/alpha.md", src, "[表格](/x/form.pdf)");
}

#[test]
fn relative_md_link_to_a_missing_file() {
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n+++\n第一条 见[乙](nosuch.md)。\n";
    let run = fails(&site(&[("content/alpha.md", src)]), &["E011"]);
    run.single("E011")
        .assert_at_text("content/alpha.md", src, "[乙](nosuch.md)");
}

#[test]
fn missing_anchor_in_a_relative_md_link() {
    let target = "+++\ntitle = \"乙部\"\nid = \"beta\"\n+++\n第一条 乙。\n";
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n+++\n第一条 见[乙部第九条](beta.md#a9)。\n";
    let run = fails(
        &site(&[("content/alpha.md", src), ("content/beta.md", target)]),
        &["E013"],
    );
    run.single("E013")
        .assert_at_text("content/alpha.md", src, "[乙部第九条](beta.md#a9)");
}

#[test]
fn relative_link_to_a_missing_file() {
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n+++\n第一条 附件[表格](form.pdf)。\n";
    let run = fails(&site(&[("content/alpha.md", src)]), &["E016"]);
    run.single("E016")
        .assert_at_text("content/alpha.md", src, "[表格](form.pdf)");
}

#[test]
fn links_in_group_bodies_are_checked_too() {
    let index = "+++\ntitle = \"运营\"\n+++\n本组从[[safty]]开始。\n";
    let safety = "+++\ntitle = \"安全环保部\"\nid = \"safety\"\n+++\n第一条 安全。\n";
    let run = fails(
        &site(&[
            ("content/ops/_index.md", index),
            ("content/ops/safety.md", safety),
        ]),
        &["E011"],
    );
    run.single("E011")
        .assert_at_text("content/ops/_index.md", index, "[[safty]]")
        .assert_help("did you mean `safety`?");
}

#[test]
fn static_file_with_the_path_of_a_generated_page() {
    let s = site(&[("content/a.md", "+++\ntitle = \"甲\"\n+++\n")])
        .with("static/a/index.html", "<p>手写</p>");
    let run = s.build(&["--format", "json"]);
    run.expect_code(1);
    assert!(!s.out().exists());
    let d = run.single("E018");
    assert_eq!(
        d.file.as_deref(),
        Some("static/a/index.html"),
        "names the static file: {d:#?}"
    );
}

// ---------------------------------------------------------------------------
// Front matter (spec §2)
// ---------------------------------------------------------------------------

#[test]
fn unknown_key_in_a_group_index() {
    let src = "+++\ntitle = \"运营\"\nwieght = 10\n+++\n";
    let s = site(&[
        ("content/ops/_index.md", src),
        ("content/ops/a.md", "+++\ntitle = \"甲\"\n+++\n"),
    ]);
    let run = fails(&s, &["E005"]);
    run.single("E005")
        .assert_at_text("content/ops/_index.md", src, "wieght")
        .assert_help("did you mean `weight`?");
}

#[test]
fn bad_kind_value() {
    let src = "+++\ntitle = \"甲部\"\nkind = \"pgae\"\n+++\n";
    let run = fails(&site(&[("content/alpha.md", src)]), &["E006"]);
    run.single("E006")
        .assert_at_text("content/alpha.md", src, "\"pgae\"")
        .assert_help("did you mean `page`?");
}

#[test]
fn toml_syntax_error_with_its_line() {
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\nweight = = 3\n+++\n";
    let run = fails(&site(&[("content/alpha.md", src)]), &["E004"]);
    // The second `=` is the error.
    run.single("E004").assert_at("content/alpha.md", 4, 10);
}

#[test]
fn toml_syntax_error_in_config() {
    let s = Site::empty()
        .with(
            "config.toml",
            "title = \"站点\"\nbase_url = \"https://x.test/\nlanguage = \"zh-CN\"\n",
        )
        .with("content/a.md", "+++\ntitle = \"甲\"\n+++\n");
    let run = fails(&s, &["E004"]);
    let d = run.single("E004");
    assert_eq!(
        (d.file.as_deref(), d.line),
        (Some("config.toml"), Some(2)),
        "{d:#?}"
    );
}

#[test]
fn unknown_top_level_key() {
    let src = "+++\ntitel = \"甲部\"\nid = \"alpha\"\n+++\n";
    let run = fails(&site(&[("content/alpha.md", src)]), &["E005"]);
    run.single("E005")
        .assert_at_text("content/alpha.md", src, "titel")
        .assert_message_contains("titel")
        .assert_help("did you mean `title`?");
}

#[test]
fn unknown_key_in_roles() {
    let src = r#"+++
title = "项目部"
id = "project"

[[roles]]
id = "manager"
title = "项目经理"

[[roles]]
id = "deputy"
title = "项目副经理"
reports_too = "manager"
+++
"#;
    let run = fails(&site(&[("content/project.md", src)]), &["E005"]);
    run.single("E005")
        .assert_at_text("content/project.md", src, "reports_too")
        .assert_help("did you mean `reports_to`?");
}

#[test]
fn unknown_key_in_activities() {
    let src = r#"+++
title = "项目部"
id = "project"

[[roles]]
id = "manager"
title = "项目经理"

[[activities]]
id = "plan"
title = "编制计划"
claus = "a1"
raci = { manager = "A/R" }
+++
第一条 甲。
"#;
    let run = fails(&site(&[("content/project.md", src)]), &["E005"]);
    run.single("E005")
        .assert_at_text("content/project.md", src, "claus")
        .assert_help("did you mean `clause`?");
}

#[test]
fn unknown_key_in_config() {
    let s = Site::empty()
        .with("config.toml", "title = \"站点\"\nlanguag = \"zh-CN\"\n")
        .with("content/a.md", "+++\ntitle = \"甲\"\n+++\n");
    let run = fails(&s, &["E005"]);
    run.single("E005")
        .assert_at("config.toml", 2, 1)
        .assert_help("did you mean `language`?");
}

#[test]
fn extra_table_is_free() {
    let src = "+++\ntitle = \"甲部\"\n\n[extra]\nanything = \"模板用\"\ncolor = 3\n+++\n";
    warns(&site(&[("content/alpha.md", src)]), &[]);
}

#[test]
fn unterminated_front_matter() {
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n\n第一条 正文。\n";
    let run = fails(&site(&[("content/alpha.md", src)]), &["E003"]);
    run.single("E003").assert_at("content/alpha.md", 1, 1);
}

#[test]
fn impossible_date() {
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\neffective = 2024-02-30\n+++\n";
    let s = site(&[("content/alpha.md", src)]);
    let run = s.build(&["--format", "json"]);
    run.expect_code(1);
    // Whatever the tool calls it (TOML error or invalid value), it is one
    // error on the date's line.
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run}");
    let d = &errors[0];
    assert!(["E004", "E006"].contains(&d.code.as_str()), "{d:#?}");
    assert_eq!(
        (d.file.as_deref(), d.line),
        (Some("content/alpha.md"), Some(4)),
        "{d:#?}"
    );
    assert!(!s.out().exists());
}

#[test]
fn missing_title() {
    let src = "+++\nid = \"alpha\"\n+++\n第一条 正文。\n";
    let run = fails(&site(&[("content/alpha.md", src)]), &["E006"]);
    let d = run.single("E006");
    assert_eq!(d.file.as_deref(), Some("content/alpha.md"), "{d:#?}");
    d.assert_message_contains("title");
}

#[test]
fn bad_status_value() {
    let src = "+++\ntitle = \"甲部\"\nstatus = \"actve\"\n+++\n";
    let run = fails(&site(&[("content/alpha.md", src)]), &["E006"]);
    run.single("E006")
        .assert_at_text("content/alpha.md", src, "\"actve\"")
        .assert_help("did you mean `active`?");
}

#[test]
fn bad_id() {
    let src = "+++\ntitle = \"甲部\"\nid = \"a b\"\n+++\n";
    let run = fails(&site(&[("content/alpha.md", src)]), &["E006"]);
    run.single("E006")
        .assert_at_text("content/alpha.md", src, "\"a b\"");
}

#[test]
fn duplicate_role_id_in_one_department() {
    let src = r#"+++
title = "项目部"
id = "project"

[[roles]]
id = "manager"
title = "项目经理"

[[roles]]
id = "manager"
title = "另一个经理"

[[activities]]
id = "plan"
title = "编制计划"
raci = { manager = "A/R" }
+++
"#;
    let run = fails(&site(&[("content/project.md", src)]), &["E017"]);
    let (line, _) = loc(src, "另一个经理");
    let d = run.single("E017");
    assert_eq!(
        (d.file.as_deref(), d.line),
        (Some("content/project.md"), Some(line - 1)),
        "at the second `id = \"manager\"`: {d:#?}"
    );
}

#[test]
fn two_files_map_to_one_url() {
    let a = "+++\ntitle = \"甲部\"\nid = \"alpha\"\nslug = \"beta\"\n+++\n";
    let b = "+++\ntitle = \"乙部\"\nid = \"beta\"\n+++\n";
    let run = fails(
        &site(&[("content/alpha.md", a), ("content/beta.md", b)]),
        &["E018"],
    );
    let d = run.single("E018");
    assert!(d.file.is_some(), "{d:#?}");
    d.assert_message_contains("beta");
}

#[test]
fn folder_named_like_a_generated_page() {
    // `content/matrix/` would be the group page `/matrix/`, where the
    // organization's matrix is (and its CSV `matrix/matrix.csv`, where the
    // organization's is): reported once, at its first file.
    let a = "+++\ntitle = \"甲部\"\n+++\n";
    let run = fails(
        &site(&[
            ("content/matrix/a.md", a),
            ("content/matrix/b.md", a),
            ("content/roles/deep/c.md", a),
            ("content/ok/roles.md", a),
        ]),
        &["E018", "E018"],
    );
    let found: Vec<(Option<String>, String)> = run
        .errors()
        .into_iter()
        .map(|d| (d.file, d.message))
        .collect();
    assert_eq!(
        found,
        [
            (
                Some("content/matrix/a.md".to_string()),
                "`/matrix/` is a page Charter generates".to_string()
            ),
            (
                Some("content/roles/deep/c.md".to_string()),
                "`/roles/` is a page Charter generates".to_string()
            ),
        ]
    );
    run.errors()[0].assert_help("rename the folder");
}

#[test]
fn wiki_link_to_a_group_says_how_to_link_it() {
    let index = "+++\ntitle = \"运营\"\n+++\n";
    let src = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n+++\n第一条 见[[ops]]和[[运营]]。\n";
    let run = fails(
        &site(&[("content/ops/_index.md", index), ("content/alpha.md", src)]),
        &["E011", "E011"],
    );
    let errors = run.errors();
    errors[0]
        .assert_at_text("content/alpha.md", src, "[[ops]]")
        .assert_help(
            "`ops` is a group, which [[…]] does not link; link its page with [运营](/ops/)",
        );
    errors[1]
        .assert_at_text("content/alpha.md", src, "[[运营]]")
        .assert_help(
            "`运营` is a group, which [[…]] does not link; link its page with [运营](/ops/)",
        );
}

#[test]
fn parent_cycle() {
    let a = "+++\ntitle = \"甲部\"\nid = \"alpha\"\nparent = \"beta\"\n+++\n";
    let b = "+++\ntitle = \"乙部\"\nid = \"beta\"\nparent = \"alpha\"\n+++\n";
    let run = fails(
        &site(&[("content/alpha.md", a), ("content/beta.md", b)]),
        &["E057"],
    );
    let d = run.single("E057");
    d.assert_message_contains("alpha")
        .assert_message_contains("beta");
    assert_eq!(d.file.as_deref(), Some("content/alpha.md"), "{d:#?}");
}

// ---------------------------------------------------------------------------
// Configuration (spec §7)
// ---------------------------------------------------------------------------

#[test]
fn unknown_language_in_config() {
    let s = Site::empty()
        .with("config.toml", "title = \"站点\"\nlanguage = \"fr\"\n")
        .with("content/a.md", "+++\ntitle = \"甲\"\n+++\n");
    let run = fails(&s, &["E020"]);
    let d = run.single("E020");
    assert_eq!(
        (d.file.as_deref(), d.line),
        (Some("config.toml"), Some(2)),
        "{d:#?}"
    );
}

#[test]
fn unknown_scheme_in_config() {
    let s = Site::empty()
        .with(
            "config.toml",
            "title = \"站点\"\n\n[matrix]\nscheme = \"RACIS\"\n",
        )
        .with("content/a.md", "+++\ntitle = \"甲\"\n+++\n");
    let run = fails(&s, &["E020"]);
    let d = run.single("E020");
    assert_eq!(
        (d.file.as_deref(), d.line),
        (Some("config.toml"), Some(4)),
        "{d:#?}"
    );
}

// ---------------------------------------------------------------------------
// Responsibility rules (spec §9)
// ---------------------------------------------------------------------------

/// A department with three roles and one activity with this `raci` table.
fn raci_site(raci: &str) -> (Site, String) {
    let src = format!(
        r#"+++
title = "项目部"
id = "project"

[[roles]]
id = "manager"
title = "项目经理"

[[roles]]
id = "deputy"
title = "项目副经理"
reports_to = "manager"

[[roles]]
id = "clerk"
title = "资料员"
reports_to = "manager"

[[activities]]
id = "plan"
title = "编制计划"
raci = {raci}

[[activities]]
id = "holds-all"
title = "让每个岗位都有活动"
raci = {{ manager = "A", deputy = "R", clerk = "I" }}
+++
第一条 正文。
"#
    );
    (site(&[("content/project.md", &src)]), src)
}

#[test]
fn raci_without_accountable() {
    let (s, src) = raci_site(r#"{ manager = "R", deputy = "C" }"#);
    let run = fails(&s, &["E050"]);
    run.single("E050")
        .assert_at_text(
            "content/project.md",
            &src,
            r#"{ manager = "R", deputy = "C" }"#,
        )
        .assert_message_contains("`plan`");
}

#[test]
fn raci_with_two_accountable() {
    let (s, src) = raci_site(r#"{ manager = "A", deputy = "A", clerk = "R" }"#);
    let run = fails(&s, &["E050"]);
    run.single("E050")
        .assert_at_text(
            "content/project.md",
            &src,
            r#"{ manager = "A", deputy = "A", clerk = "R" }"#,
        )
        .assert_message_contains("manager")
        .assert_message_contains("deputy");
}

#[test]
fn raci_without_responsible() {
    let (s, src) = raci_site(r#"{ manager = "A", deputy = "C" }"#);
    let run = fails(&s, &["E051"]);
    run.single("E051")
        .assert_at_text(
            "content/project.md",
            &src,
            r#"{ manager = "A", deputy = "C" }"#,
        )
        .assert_message_contains("`plan`");
}

#[test]
fn combined_a_r_counts_for_both() {
    let (s, _) = raci_site(r#"{ manager = "A/R", deputy = "C" }"#);
    warns(&s, &[]);
}

#[test]
fn cyrillic_look_alike_letter_is_an_error() {
    // U+0421 CYRILLIC CAPITAL LETTER ES, not the Latin C.
    let (s, src) = raci_site("{ manager = \"A\", deputy = \"R\", clerk = \"\u{0421}\" }");
    let run = fails(&s, &["E053"]);
    run.single("E053")
        .assert_at_text("content/project.md", &src, "\"\u{0421}\"")
        .assert_message_contains("Cyrillic");
}

#[test]
fn full_width_letter_is_normalized_with_a_warning() {
    let (s, src) = raci_site("{ manager = \"A\", deputy = \"Ｒ\" }");
    let run = warns(&s, &["W054"]);
    run.single("W054")
        .assert_severity("warning")
        .assert_at_text("content/project.md", &src, "\"Ｒ\"");
    // Read as R: the activity has its R (no E051).
}

#[test]
fn letter_outside_the_scheme() {
    let (s, src) = raci_site(r#"{ manager = "A", deputy = "R", clerk = "S" }"#);
    let run = fails(&s, &["E052"]);
    let d = run.single("E052");
    d.assert_at_text("content/project.md", &src, r#""S" }"#);
    assert!(
        d.help.as_deref().is_some_and(|h| h.contains("RASCI")),
        "help points at RASCI: {d:#?}"
    );
}

#[test]
fn s_is_fine_in_the_rasci_scheme() {
    let (s, _) = raci_site(r#"{ manager = "A", deputy = "R", clerk = "S" }"#);
    s.write(
        "config.toml",
        format!("{CONFIG}\n[matrix]\nscheme = \"RASCI\"\n"),
    );
    warns(&s, &[]);
}

#[test]
fn role_without_activity_is_a_warning() {
    let src = r#"+++
title = "项目部"
id = "project"

[[roles]]
id = "manager"
title = "项目经理"

[[roles]]
id = "idle"
title = "闲置岗位"
reports_to = "manager"

[[activities]]
id = "plan"
title = "编制计划"
raci = { manager = "A/R" }
+++
"#;
    let run = warns(&site(&[("content/project.md", src)]), &["W055"]);
    run.single("W055")
        .assert_at_text("content/project.md", src, "\"idle\"")
        .assert_message_contains("idle");
}

#[test]
fn reporting_cycle_lists_every_role() {
    let src = r#"+++
title = "团队"
id = "team"

[[roles]]
id = "alpha"
title = "甲"
reports_to = "charlie"

[[roles]]
id = "bravo"
title = "乙"
reports_to = "alpha"

[[roles]]
id = "charlie"
title = "丙"
reports_to = "bravo"

[[roles]]
id = "delta"
title = "丁"
reports_to = "alpha"

[[activities]]
id = "work"
title = "工作"
raci = { alpha = "A", bravo = "R", charlie = "C", delta = "I" }
+++
"#;
    let run = fails(&site(&[("content/team.md", src)]), &["E056"]);
    let d = run.single("E056");
    // At the `reports_to` of the first role of the cycle in path order.
    let (line, _) = loc(src, "reports_to = \"charlie\"");
    d.assert_at("content/team.md", line, 14);
    for role in ["alpha", "bravo", "charlie"] {
        d.assert_message_contains(role);
    }
    assert!(
        !d.message.contains("delta"),
        "delta is not in the cycle: {d:#?}"
    );
}

#[test]
fn reporting_cycle_across_departments() {
    let a = "+++\ntitle = \"甲部\"\nid = \"alpha\"\n\n[[roles]]\nid = \"head\"\ntitle = \"甲部长\"\nreports_to = \"beta/head\"\n\n[[activities]]\nid = \"w\"\ntitle = \"工作\"\nraci = { head = \"A/R\", \"beta/head\" = \"C\" }\n+++\n";
    let b = "+++\ntitle = \"乙部\"\nid = \"beta\"\n\n[[roles]]\nid = \"head\"\ntitle = \"乙部长\"\nreports_to = \"alpha/head\"\n+++\n";
    let run = fails(
        &site(&[("content/alpha.md", a), ("content/beta.md", b)]),
        &["E056"],
    );
    let d = run.single("E056");
    d.assert_at_text("content/alpha.md", a, "\"beta/head\"\n");
    d.assert_message_contains("alpha/head")
        .assert_message_contains("beta/head");
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlink_loop_is_an_error() {
    let s = site(&[("content/a.md", "+++\ntitle = \"甲\"\n+++\n")]);
    std::os::unix::fs::symlink(".", s.root().join("content/loop")).unwrap();
    let run = fails(&s, &["E001"]);
    let d = run.single("E001");
    assert!(
        d.file
            .as_deref()
            .is_some_and(|f| f.starts_with("content/loop")),
        "{d:#?}"
    );
}

// ---------------------------------------------------------------------------
// Human format (spec §8)
// ---------------------------------------------------------------------------

#[test]
fn human_format_looks_like_rustc() {
    let s = site(&[("content/project.md", PROJECT_BAD_REPORTS_TO)]);
    let run = s.build(&[]);
    run.expect_code(1);
    assert_eq!(run.stdout, "", "diagnostics go to stderr\n{run}");
    let (line, column) = loc(PROJECT_BAD_REPORTS_TO, "\"manger\"");
    let lines: Vec<&str> = run.stderr.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.starts_with("error[E012]: "))
        .unwrap_or_else(|| panic!("no error[E012] line\n{run}"));
    assert_eq!(
        lines[first],
        "error[E012]: unknown role `manger` in department `project`"
    );
    // ` --> file:line:col`, right after the message.
    assert_eq!(
        lines[first + 1].trim_start(),
        format!("--> content/project.md:{line}:{column}")
    );
    // The source line, then a caret under the column.
    let src_idx = lines
        .iter()
        .position(|l| l.ends_with("| reports_to = \"manger\""))
        .unwrap_or_else(|| panic!("the source line is shown\n{run}"));
    assert!(
        lines[src_idx]
            .trim_start()
            .starts_with(&format!("{line} |")),
        "the source line has its number in the gutter: {:?}",
        lines[src_idx]
    );
    let bar = lines[src_idx].find('|').unwrap();
    let caret_line = lines[src_idx + 1];
    let caret = caret_line.find('^').expect("a caret line");
    assert_eq!(caret_line.find('|'), Some(bar), "gutters align");
    assert_eq!(
        caret - (bar + 2),
        (column - 1) as usize,
        "caret under the column"
    );
    assert!(caret_line[caret..].trim_end().chars().all(|c| c == '^'));
    assert!(
        lines[src_idx + 2..]
            .iter()
            .any(|l| l.trim_start() == "= help: did you mean `manager`?"),
        "help line\n{run}"
    );
}
