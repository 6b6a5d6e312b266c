//! Drafts (spec §2) and the sitemap (spec §5). Fixture: `tests/fixtures/drafts/`:
//! `g/public.md` and `g/secret.md` (draft, title 机密筹备部).

mod common;

use common::*;

const DRAFT_TITLE: &str = "机密筹备部";

/// Every output file whose path or text mentions `needle`.
fn mentions(out: &std::path::Path, needle: &str) -> Vec<String> {
    tree(out)
        .into_iter()
        .filter(|(path, bytes)| {
            path.contains(needle) || String::from_utf8_lossy(bytes).contains(needle)
        })
        .map(|(path, _)| path)
        .collect()
}

#[test]
fn draft_leaves_no_trace_without_drafts_flag() {
    let site = Site::fixture("drafts");
    let run = site.build(&["--format", "json"]);
    run.success();
    assert_eq!(run.diagnostics(), vec![], "{run}");
    assert!(site.out().join("g/public/index.html").is_file());
    assert!(!site.out().join("g/secret").exists(), "no draft page");
    let sitemap = site.read("output/sitemap.xml");
    assert!(sitemap.contains("g/public/"), "{sitemap}");
    assert!(
        !sitemap.contains("secret"),
        "no draft in the sitemap: {sitemap}"
    );
    assert_eq!(mentions(&site.out(), DRAFT_TITLE), Vec::<String>::new());
    assert_eq!(mentions(&site.out(), "secret"), Vec::<String>::new());
}

#[test]
fn draft_is_published_with_drafts_flag() {
    let site = Site::fixture("drafts");
    let run = site.build(&["--drafts", "--format", "json"]);
    run.success();
    assert_eq!(run.diagnostics(), vec![], "{run}");
    let html = site.read("output/g/secret/index.html");
    assert!(html.contains(DRAFT_TITLE));
    let sitemap = site.read("output/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.com/handbook/g/secret/</loc>"),
        "{sitemap}"
    );
    // The group page lists it.
    let group = site.read("output/g/index.html");
    assert!(
        hrefs_with_text(&group, DRAFT_TITLE).contains(&"secret/index.html".to_string())
            || hrefs_with_text(&group, DRAFT_TITLE).contains(&"../g/secret/index.html".to_string()),
        "{group}"
    );
}

#[test]
fn dropping_the_drafts_flag_removes_the_draft_page() {
    let site = Site::fixture("drafts");
    site.build(&["--drafts"]).success();
    assert!(site.out().join("g/secret/index.html").is_file());
    site.build(&[]).success();
    assert!(!site.out().join("g/secret").exists());
}

#[test]
fn drafts_are_checked_in_every_build() {
    let site = Site::fixture("drafts");
    site.write(
        "content/g/secret.md",
        site.read("content/g/secret.md")
            .replace("[[public#a1]]", "[[public#a7]]"),
    );
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["E013"], "{run}");
    site.check(&["--format", "json"]).expect_code(1);
}

#[test]
fn link_to_a_draft_is_fine_with_drafts_flag() {
    let site = Site::fixture("drafts");
    site.write(
        "content/g/public.md",
        site.read("content/g/public.md") + "\n第二条 筹备工作见[[secret]]。\n",
    );
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["E015"], "{run}");
    let run = site.build(&["--drafts", "--format", "json"]);
    run.success();
    let html = site.read("output/g/public/index.html");
    let article = inner_by_id(&html, "a2").expect("article a2");
    assert_eq!(
        links(article),
        vec![Link {
            href: "../../g/secret/index.html".into(),
            text: DRAFT_TITLE.into()
        }]
    );
}

#[test]
fn draft_may_link_to_a_draft() {
    let site = Site::fixture("drafts").with(
        "content/g/secret2.md",
        "+++\ntitle = \"第二草稿\"\ndraft = true\n+++\n参照[[secret]]。\n",
    );
    site.build(&["--format", "json"]).success();
    assert!(!site.out().join("g/secret2").exists());
}

#[test]
fn sitemap_lists_published_pages_with_absolute_urls() {
    let site = Site::fixture("drafts");
    site.build(&[]).success();
    let sitemap = site.read("output/sitemap.xml");
    for url in [
        "https://example.com/handbook/",
        "https://example.com/handbook/g/",
        "https://example.com/handbook/g/public/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>{url}</loc>")),
            "{url} in {sitemap}"
        );
    }
}

#[test]
fn base_url_flag_overrides_config() {
    let site = Site::fixture("drafts");
    site.build(&["--base-url", "https://intra.test/manual/"])
        .success();
    let sitemap = site.read("output/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://intra.test/manual/g/public/</loc>"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("example.com"), "{sitemap}");
}
