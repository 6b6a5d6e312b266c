//! Link forms of spec §3, checked on the exact `href` and text the built
//! HTML holds. Fixture: `tests/fixtures/links/`; the page under test is
//! `content/b/source.md`, written to `b/source/index.html` (two folders
//! deep, so links to the root start with `../../`).

mod common;

use std::sync::OnceLock;

use common::*;

/// The built pages this file looks at (built once for all its tests).
struct Built {
    /// `b/source/index.html`, between its BEGIN-LINKS and END-LINKS markers.
    body: String,
    /// `a/safety/index.html`, whole.
    safety: String,
    /// `a/other/index.html`, whole.
    other: String,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let site = Site::fixture("links");
        let run = site.build(&["--format", "json"]);
        run.success();
        assert_eq!(
            run.diagnostics(),
            vec![],
            "the fixture builds cleanly\n{run}"
        );
        let source = site.read("output/b/source/index.html");
        Built {
            body: between(&source, "BEGIN-LINKS", "END-LINKS").to_string(),
            safety: site.read("output/a/safety/index.html"),
            other: site.read("output/a/other/index.html"),
        }
    })
}

/// Asserts that the body holds exactly one link with this text, and that it points at `href`.
#[track_caller]
fn assert_link(text: &str, href: &str) {
    let body = &built().body;
    let found = hrefs_with_text(body, text);
    assert_eq!(
        found,
        vec![href.to_string()],
        "links with text {text:?} in:\n{body}"
    );
}

#[test]
fn wiki_link_to_a_department_has_its_title() {
    assert_link("安全环保部", "../../a/safety/index.html");
}

#[test]
fn wiki_link_to_a_role_has_the_role_title() {
    // The role page itself is tested with the role index; here only the link.
    assert_link("专责安全员", "../../roles/safety/officer/index.html");
}

#[test]
fn wiki_link_to_an_anchor_has_title_and_article_number() {
    assert_link("安全环保部 第三条", "../../a/safety/index.html#a3");
}

#[test]
fn wiki_link_to_an_anchor_on_the_same_page() {
    assert_link("第三条", "#a3");
}

#[test]
fn wiki_link_to_a_heading_has_title_and_heading_text() {
    // Fragments are percent-encoded like paths.
    assert_link(
        "安全环保部 附则",
        "../../a/safety/index.html#%E9%99%84%E5%88%99",
    );
}

#[test]
fn wiki_link_to_a_heading_on_the_same_page_has_the_heading_text() {
    assert_link("说明", "#%E8%AF%B4%E6%98%8E");
}

#[test]
fn wiki_link_with_text() {
    assert_link("安全部门", "../../a/safety/index.html");
}

#[test]
fn wiki_link_to_an_anchor_with_text() {
    assert_link("安全检查条款", "../../a/safety/index.html#a3");
}

#[test]
fn chinese_ids_and_slugs_are_percent_encoded() {
    assert_link("财务部", "../../a/%E8%B4%A2%E5%8A%A1/index.html");
}

#[test]
fn wiki_link_in_a_table_cell_with_escaped_pipe() {
    assert_link("表格里的安全部", "../../a/safety/index.html");
    // The `\|` did not split the cell: the row still has two cells.
    let body = &built().body;
    let row = between(body, "<tr><td>表格</td>", "</tr>");
    assert_eq!(row.matches("<td").count(), 1, "row: {row}");
}

#[test]
fn wiki_links_in_code_stay_literal() {
    let body = &built().body;
    assert!(body.contains("<code>[[safety]]</code>"), "{body}");
    let pre = between(body, "<pre", "</pre>");
    assert!(pre.contains("[[safety#a3]]"), "fenced code: {pre}");
    assert!(!pre.contains("<a "), "no link inside fenced code: {pre}");
}

#[test]
fn relative_md_link_in_the_same_folder() {
    assert_link("同组页面", "../../b/sibling/index.html");
}

#[test]
fn relative_md_link_to_a_parent_folder_with_anchor() {
    assert_link("其他部门第二条", "../../a/other/index.html#a2");
}

#[test]
fn root_relative_link_to_a_static_file_is_made_relative() {
    assert_link("检查表", "../../files/form.pdf");
}

#[test]
fn root_relative_link_to_a_generated_page_is_made_relative() {
    assert_link("根路径安全部", "../../a/safety/index.html");
}

#[test]
fn root_relative_image_is_made_relative() {
    let img: Vec<String> = tags(&built().body)
        .into_iter()
        .filter(|t| t.name == "img")
        .filter_map(|t| t.attr("src").map(str::to_string))
        .collect();
    assert_eq!(img, vec!["../../files/logo.svg"]);
}

#[test]
fn external_link_is_untouched() {
    assert_link("外部网站", "https://example.org/docs/x.html?a=1&b=2");
}

#[test]
fn chinese_file_stems_are_used_verbatim_in_paths() {
    let site = Site::fixture("links");
    site.build(&[]).success();
    assert!(site.out().join("a/财务/index.html").is_file());
    let sitemap = site.read("output/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.com/handbook/a/%E8%B4%A2%E5%8A%A1/</loc>"),
        "{sitemap}"
    );
}

#[test]
fn every_link_of_the_body_is_one_of_the_forms_above() {
    // Nothing else leaks into the body: no placeholder, no absolute path.
    let all: Vec<String> = urls(&built().body);
    assert_eq!(all.len(), 16, "{all:#?}");
    for u in &all {
        assert!(
            is_external(u) || u.starts_with("../../") || u.starts_with('#'),
            "unexpected link {u:?}"
        );
        assert!(!u.contains('\u{E000}') && !u.contains("%EE%80%80"), "{u}");
    }
}

#[test]
fn backlinks_list_pages_that_link_in_any_form() {
    // source links to safety by [[safety]], [[safety#a3]], …; rolelink only
    // links to a role of safety, which does not count; safety's own [[#a1]]
    // does not count either (spec §5).
    let pairs = |html: &str| -> Vec<(String, String)> {
        let section = inner_by_id(html, "backlinks").expect("a section with id=\"backlinks\"");
        links(section)
            .into_iter()
            .map(|l| (l.text, l.href))
            .collect()
    };
    let source = (
        "链接测试".to_string(),
        "../../b/source/index.html".to_string(),
    );
    assert_eq!(
        pairs(&built().safety),
        vec![source.clone()],
        "backlinks of safety"
    );
    // A plain `.md` link counts too.
    assert_eq!(pairs(&built().other), vec![source], "backlinks of other");
}

/// A site of `n` departments in each of two groups, two roles and two
/// assigned activities each: at 80 a group, `/matrix/` is split into one
/// page per group (76,800 cells) and `/print/` into volumes (160 charters).
fn two_groups(n: usize, body: &str) -> Site {
    let mut site = Site::new();
    for g in 1..=2 {
        site = site.with(
            &format!("content/g{g}/_index.md"),
            format!("+++\ntitle = \"第{g}组\"\n+++\n"),
        );
        for i in 0..n {
            let text = format!(
                "+++\ntitle = \"部门{g}-{i}\"\nid = \"d{g}-{i}\"\n\n\
                 [[roles]]\nid = \"head\"\ntitle = \"负责人\"\n\n\
                 [[roles]]\nid = \"clerk\"\ntitle = \"文员\"\nreports_to = \"head\"\n\n\
                 [[activities]]\nid = \"plan\"\ntitle = \"年度计划\"\nraci = {{ head = \"A\", clerk = \"R\" }}\n\n\
                 [[activities]]\nid = \"check\"\ntitle = \"检查\"\nraci = {{ head = \"A/R\", clerk = \"I\" }}\n+++\n\
                 第一条 本部门负责计划。\n{}",
                if (g, i) == (1, 0) { body } else { "" }
            );
            site = site.with(&format!("content/g{g}/d{i}.md"), text);
        }
    }
    site
}

#[test]
fn root_relative_links_to_generated_files_and_split_pages_resolve() {
    let body = "\n参见[分组矩阵](/matrix/g1/)、[分卷](/print/g1/)、[分组表格](/matrix/g1.csv)、\
                [总表格](/matrix/matrix.csv)、[部门表格](/g2/d3/matrix.csv)、[矩阵首页](/matrix/g2/index.html)。\n";
    let site = two_groups(80, body);
    let run = site.build(&["--format", "json"]);
    run.success();
    assert_eq!(run.diagnostics(), vec![], "{run}");
    let page = site.read("output/g1/d0/index.html");
    for (text, href, file) in [
        (
            "分组矩阵",
            "../../matrix/g1/index.html",
            "matrix/g1/index.html",
        ),
        ("分卷", "../../print/g1/index.html", "print/g1/index.html"),
        ("分组表格", "../../matrix/g1.csv", "matrix/g1.csv"),
        ("总表格", "../../matrix/matrix.csv", "matrix/matrix.csv"),
        ("部门表格", "../../g2/d3/matrix.csv", "g2/d3/matrix.csv"),
        (
            "矩阵首页",
            "../../matrix/g2/index.html",
            "matrix/g2/index.html",
        ),
    ] {
        assert_eq!(hrefs_with_text(&page, text), vec![href.to_string()]);
        assert!(site.out().join(file).is_file(), "{file} was written");
    }
}

#[test]
fn links_to_split_pages_of_a_site_too_small_to_split_are_errors() {
    // 20 departments a group: one /matrix/ page, one /print/ volume; the
    // CSV files exist whatever the size.
    let body = "\n参见[分组矩阵](/matrix/g1/)、[分卷](/print/g1/)、[分组表格](/matrix/g1.csv)。\n";
    let site = two_groups(20, body);
    let run = site.check(&["--format", "json"]);
    run.expect_code(1);
    let found: Vec<(String, Option<String>)> = run
        .diagnostics()
        .into_iter()
        .map(|d| (d.message.clone(), d.help.clone()))
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].0.contains("`/matrix/g1/`"), "{found:#?}");
    assert!(found[1].0.contains("`/print/g1/`"), "{found:#?}");
    // Not "did you mean `/`?": the home page's empty path is in every path.
    assert_eq!(found[0].1.as_deref(), Some("did you mean `/matrix/`?"));
    assert_eq!(found[1].1.as_deref(), Some("did you mean `/print/`?"));
}

#[test]
fn the_query_of_a_link_is_kept() {
    // `/search/?q=WORD` is the search page showing WORD's results (spec §5).
    let body = "见[搜索安全](/search/?q=安全)、[两项](</search/?q=a b&x=%E5%AE%89#top>)、[空](/roles/?)。\n";
    let site = Site::new().with(
        "content/ops/a.md",
        format!("+++\ntitle = \"甲\"\n+++\n{body}"),
    );
    let run = site.build(&["--format", "json"]);
    run.success();
    assert_eq!(run.diagnostics(), vec![], "{run}");
    let page = site.read("output/ops/a/index.html");
    for (text, href) in [
        ("搜索安全", "../../search/index.html?q=%E5%AE%89%E5%85%A8"),
        ("两项", "../../search/index.html?q=a%20b&x=%E5%AE%89#top"),
        ("空", "../../roles/index.html"),
    ] {
        assert_eq!(hrefs_with_text(&page, text), vec![href.to_string()]);
    }
}
