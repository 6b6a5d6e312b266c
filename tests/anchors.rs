//! Article anchors of spec §4 and the one-article-per-line rendering.
//! Fixture: `tests/fixtures/anchors/` (four pages, each a numbering shape).

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use common::*;

/// Built pages by id (`chapters`, `flat`, `restart`, `numbers`), built once.
fn page(id: &str) -> &'static str {
    static PAGES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    PAGES
        .get_or_init(|| {
            let site = Site::fixture("anchors");
            let run = site.build(&["--format", "json"]);
            run.success();
            assert_eq!(run.diagnostics(), vec![], "{run}");
            ["chapters", "flat", "restart", "numbers"]
                .into_iter()
                .map(|p| (p.to_string(), site.read(&format!("output/{p}/index.html"))))
                .collect()
        })
        .get(id)
        .map(String::as_str)
        .expect("a page of the fixture")
}

/// Asserts that `id` is on exactly one element of the page, a `<tag>` whose text starts with `text`.
#[track_caller]
fn assert_anchor(page_id: &str, id: &str, tag: &str, text: &str) {
    let html = page(page_id);
    let count = ids(html).iter().filter(|i| *i == id).count();
    assert_eq!(count, 1, "id {id:?} on {page_id}: {count} elements");
    let el = element_by_id(html, id).unwrap();
    assert_eq!(el.tag.name, tag, "element with id {id:?} on {page_id}");
    assert!(
        el.text.starts_with(text),
        "element #{id} on {page_id} has text {:?}, expected it to start with {text:?}",
        el.text
    );
}

/// Asserts that no element of the page has this id.
#[track_caller]
fn assert_no_anchor(page_id: &str, id: &str) {
    assert!(
        !ids(page(page_id)).iter().any(|i| i == id),
        "{page_id} should have no id {id:?}"
    );
}

/// The ids of `<p>` elements and headings, in document order, of the part of a page between markers.
fn block_ids(page_id: &str) -> Vec<String> {
    tags(page(page_id))
        .into_iter()
        .filter(|t| matches!(t.name.as_str(), "p" | "h2" | "h3" | "h4"))
        .filter_map(|t| t.attr("id").map(str::to_string))
        .filter(|id| !["toc", "roles", "backlinks", "main"].contains(&id.as_str()))
        .collect()
}

#[test]
fn chapter_heading() {
    assert_anchor("chapters", "ch2", "h2", "第二章 职责");
}

#[test]
fn section_inside_a_chapter() {
    assert_anchor("chapters", "ch2-sec1", "h3", "第一节 部门职责");
    assert_anchor("chapters", "ch2-sec2", "h3", "第二节 岗位职责");
}

#[test]
fn section_outside_a_chapter() {
    assert_anchor("flat", "sec1", "h3", "第一节 概述");
}

#[test]
fn article_paragraph() {
    assert_anchor("chapters", "a3", "p", "第三条 各部门");
    assert_eq!(
        element_by_id(page("chapters"), "a3")
            .unwrap()
            .tag
            .attr("class"),
        Some("article")
    );
}

#[test]
fn articles_that_continue_across_chapters_keep_a_n() {
    assert_eq!(
        block_ids("chapters"),
        ["ch1", "a1", "a2", "ch2", "ch2-sec1", "a3", "ch2-sec2", "a4"]
    );
}

#[test]
fn articles_that_restart_per_chapter_get_the_chapter_prefix() {
    // The article before the first chapter keeps `a1`.
    assert_eq!(
        block_ids("restart"),
        ["a1", "ch1", "ch1-a1", "ch1-a2", "ch2", "ch2-a1"]
    );
    assert_anchor("restart", "ch2-a1", "p", "第一条 第二章第一条");
}

#[test]
fn dotted_numbers() {
    assert_anchor("numbers", "s3-1-1", "p", "3.1.1 三级编号条款");
    assert_anchor("numbers", "s3-2", "p", "3.2 二级编号条款");
}

#[test]
fn chinese_item_number() {
    assert_anchor("numbers", "n1", "p", "一、第一项");
}

#[test]
fn sub_item_under_an_item() {
    assert_anchor("numbers", "n1-1", "p", "（一）第一项的分项");
    assert_anchor("numbers", "n1-2", "p", "（二）第一项的第二分项");
}

#[test]
fn sub_item_in_half_width_parentheses() {
    // Headings and articles since 一、 do not end its scope.
    assert_anchor("numbers", "n1-3", "p", "(三)半角括号的分项");
}

#[test]
fn chinese_and_arabic_numerals() {
    assert_anchor("numbers", "a23", "p", "第二十三条 中文数字");
    assert_anchor("numbers", "a12", "p", "第12条 阿拉伯数字");
    assert_anchor("numbers", "n12", "p", "十二、第十二项");
}

#[test]
fn dotted_number_with_trailing_dot() {
    assert_anchor("numbers", "s1-1", "p", "1.1. 带结尾点");
}

#[test]
fn sub_item_without_an_item_before_it() {
    assert_anchor("numbers", "i1", "p", "（一）没有上级的分项");
}

#[test]
fn bold_article_number_counts() {
    assert_anchor("numbers", "a6", "p", "第六条 加粗的条款");
}

#[test]
fn next_levels_and_list_items_get_no_anchor() {
    let html = page("numbers");
    for text in ["（1）第三级不设锚点。", "1、这一级也不设锚点。"] {
        assert!(
            html.contains(&format!("<p>{text}</p>")),
            "{text:?} should be a plain paragraph"
        );
    }
    // `2. 第七条 …` is a list item: no a7 anywhere.
    assert_no_anchor("numbers", "a7");
    for t in tags(html).into_iter().filter(|t| t.name == "li") {
        assert_eq!(t.attr("id"), None, "list item with an id");
    }
}

#[test]
fn repeated_number_gets_a_suffix() {
    assert_anchor("numbers", "a5", "p", "第五条 普通条款");
    assert_anchor("numbers", "a5_2", "p", "第五条 重复的第五条");
}

#[test]
fn heading_with_own_id_and_article_number_has_both() {
    assert_anchor("numbers", "penalty", "h2", "第九条 罚则");
    let html = page("numbers");
    // An empty anchor element carrying the article anchor, just before the heading.
    let anchor = element_by_id(html, "a9").expect("the article anchor a9 exists");
    assert_eq!(anchor.tag.name, "a");
    assert_eq!(anchor.text, "");
    let heading = tags(html)
        .into_iter()
        .find(|t| t.attr("id") == Some("penalty"))
        .unwrap();
    let gap = &html[anchor.tag.end..heading.start];
    assert_eq!(gap.trim(), "</a>", "the anchor is right before the heading");
}

#[test]
fn heading_with_own_id_and_no_number() {
    assert_anchor("numbers", "terms", "h2", "术语");
}

#[test]
fn heading_without_number_gets_an_id_from_its_text() {
    assert_anchor("numbers", "没有编号的标题", "h2", "没有编号的标题");
}

#[test]
fn one_article_per_line_makes_separate_paragraphs() {
    let html = page("numbers");
    assert_anchor("numbers", "a10", "p", "第十条 第一行条款。");
    assert_anchor("numbers", "a11", "p", "第十一条 第二行条款");
    let a10 = element_by_id(html, "a10").unwrap();
    assert!(!a10.text.contains("第十一条"), "a10: {:?}", a10.text);
}

#[test]
fn soft_break_between_cjk_characters_renders_as_nothing() {
    let html = page("numbers");
    assert!(html.contains("软换行安全管理不留空格"), "CJK lines joined");
}

#[test]
fn soft_break_between_latin_words_stays() {
    let html = page("numbers");
    assert!(
        html.contains("Soft breaks keep\nLatin") || html.contains("Soft breaks keep Latin"),
        "Latin words stay apart"
    );
    assert!(!html.contains("keepLatin"));
}

#[test]
fn every_article_anchor_is_unique_on_its_page() {
    for p in ["chapters", "flat", "restart", "numbers"] {
        let all = ids(page(p));
        let unique = sorted(all.iter().cloned());
        assert_eq!(all.len(), unique.len(), "duplicate ids on {p}: {all:?}");
    }
}

#[test]
fn link_to_a_suffixed_anchor_is_an_error() {
    let src = "+++\ntitle = \"引用\"\n+++\n见[[numbers#a5_2]]。\n";
    let site = Site::fixture("anchors").with("content/cite.md", src);
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["E014"], "{run}");
    run.single("E014")
        .assert_at_text("content/cite.md", src, "[[numbers#a5_2]]");
}

#[test]
fn link_to_a_suffixed_anchor_on_the_same_page_is_an_error() {
    let src = "+++\ntitle = \"自引\"\n+++\n第一条 甲。\n\n第一条 乙。\n\n见[[#a1_2]]。\n";
    let site = Site::new().with("content/self.md", src);
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["E014"], "{run}");
    run.single("E014")
        .assert_at_text("content/self.md", src, "[[#a1_2]]");
}
