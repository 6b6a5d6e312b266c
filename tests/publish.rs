//! Publishing options (issue 8): `[build] precompress` (`X.gz` beside
//! every HTML, CSS, JS, SVG, JSON, XML and CSV file, deterministic and
//! written only when their source changed), the list of changes at
//! `/changes/`, the printable handbook at `/print/` (its structure; the
//! PDF itself is checked by `tests/print_e2e.rs`), status banners and
//! dates, and the sitemap.

mod common;

use std::collections::BTreeMap;
use std::io::Read;

use common::*;

const PRECOMPRESS: &str = "\n[build]\nprecompress = true\n";

/// A small site: two groups, documents with and without dates, one of
/// each status, a draft with the newest date of all, and a page.
fn dated_site() -> Site {
    Site::new()
        .with("content/a/_index.md", "+++\ntitle = \"甲组\"\nweight = 10\n+++\n")
        .with("content/b/_index.md", "+++\ntitle = \"乙组\"\nweight = 20\n+++\n")
        .with(
            "content/a/one.md",
            "+++\ntitle = \"一号部门\"\nweight = 20\neffective = 2024-01-01\nrevised = 2024-06-01\nversion = \"1.2\"\ndoc_number = \"甲〔2024〕1号\"\n\n[[roles]]\nid = \"head\"\ntitle = \"部门负责人\"\n\n[[activities]]\nid = \"plan\"\ntitle = \"年度计划\"\nraci = { head = \"A/R\" }\n+++\n第一条 一号部门负责年度计划。\n\n## 职责\n\n第二条 见[[two#a1]]。\n",
        )
        .with(
            "content/a/two.md",
            "+++\ntitle = \"二号部门\"\nweight = 10\nstatus = \"trial\"\neffective = 2025-02-01\nrevised = 2025-03-01\n\n[[roles]]\nid = \"lead\"\ntitle = \"组长\"\n\n[[activities]]\nid = \"run\"\ntitle = \"日常运行\"\nraci = { lead = \"A/R\" }\n+++\n第一条 二号部门试行。\n",
        )
        .with(
            "content/b/old.md",
            "+++\ntitle = \"旧部门\"\nstatus = \"repealed\"\neffective = 2020-05-01\n+++\n第一条 已废止。\n",
        )
        .with(
            "content/b/nodate.md",
            "+++\ntitle = \"无日期部门\"\nstatus = \"superseded\"\n+++\n第一条 已替代。\n",
        )
        .with(
            "content/b/secret.md",
            "+++\ntitle = \"草稿部门\"\ndraft = true\nrevised = 2030-01-01\n+++\n第一条 草稿。\n",
        )
        .with(
            "content/about.md",
            "+++\ntitle = \"关于本手册\"\nkind = \"page\"\nstatus = \"trial\"\nrevised = 2024-12-24\nissuer = \"综合部\"\n+++\n说明。\n",
        )
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a valid gzip stream");
    out
}

fn compressible(path: &str) -> bool {
    ["html", "css", "js", "svg", "json", "xml", "csv"]
        .iter()
        .any(|e| path.ends_with(&format!(".{e}")))
}

// ---------------------------------------------------------------------------
// Precompression
// ---------------------------------------------------------------------------

#[test]
fn precompress_is_off_by_default() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let files = tree(&site.out());
    assert!(files.contains_key("index.html"));
    let gz: Vec<&String> = files.keys().filter(|p| p.ends_with(".gz")).collect();
    assert!(gz.is_empty(), "no .gz without [build] precompress: {gz:?}");
}

#[test]
fn precompress_writes_a_deterministic_gz_beside_every_text_file() {
    let site = Site::fixture("basic");
    site.write(
        "config.toml",
        format!("{}{PRECOMPRESS}", site.read("config.toml")),
    );
    site.write("static/data/list.json", "{\"a\": \"中文\"}\n");
    site.write(
        "static/img/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    site.write("static/img/photo.png", [0x89, b'P', b'N', b'G', 0, 1, 2, 3]);
    let run = site.build(&["--format", "json"]);
    run.success();
    assert_eq!(run.diagnostics(), vec![], "{run}");
    let files = tree(&site.out());

    let sources: Vec<&String> = files
        .keys()
        .filter(|p| !p.ends_with(".gz") && compressible(p))
        .collect();
    for ext in ["html", "css", "js", "svg", "json", "xml", "csv"] {
        assert!(
            sources.iter().any(|p| p.ends_with(&format!(".{ext}"))),
            "the site has no .{ext} file to compress: {sources:?}"
        );
    }
    for src in &sources {
        let gz = files
            .get(&format!("{src}.gz"))
            .unwrap_or_else(|| panic!("{src}.gz is missing"));
        assert_eq!(
            &gunzip(gz),
            &files[*src],
            "{src}.gz does not unzip to {src}"
        );
        // RFC 1952 header: magic, deflate, no flags (no file name), mtime 0.
        assert_eq!(&gz[..4], &[0x1f, 0x8b, 8, 0], "{src}.gz header flags");
        assert_eq!(&gz[4..8], &[0, 0, 0, 0], "{src}.gz carries an mtime");
        assert_eq!(gz[8], 2, "{src}.gz is not at the best compression (XFL)");
    }
    for p in files.keys().filter(|p| p.ends_with(".gz")) {
        let src = p.strip_suffix(".gz").unwrap();
        assert!(compressible(src), "{p} should not exist");
        assert!(files.contains_key(src), "{p} has no source");
    }
    assert!(!files.contains_key("img/photo.png.gz"));
    assert!(!files.contains_key("files/form.pdf.gz"));
    assert!(!files.contains_key(".charter-output.gz"));

    // Byte-identical in another folder, built later.
    let other = site.scratch().join("again");
    site.build(&["--output", other.to_str().unwrap()]).success();
    assert_eq!(tree(&other), files, "two builds differ");
}

#[test]
fn precompressed_files_are_rewritten_only_when_their_source_changed() {
    let site = Site::fixture("basic");
    site.write(
        "config.toml",
        format!("{}{PRECOMPRESS}", site.read("config.toml")),
    );
    site.build(&[]).success();
    let out = site.out();
    age_files(&out);

    // Nothing changed: nothing is written, the .gz files included.
    let run = site.build(&[]);
    run.success();
    assert_eq!(run.summary().written, 0, "{run}");
    for (p, e) in entries(&out) {
        if let Entry::File { mtime, .. } = e {
            assert_eq!(mtime, old_time(), "{p} was rewritten");
        }
    }

    // One body changes: its page and that page's .gz are rewritten; the
    // style sheet and its .gz (unchanged bytes) are not.
    let before = tree(&out);
    let quality = site.read("content/ops/quality.md");
    site.write(
        "content/ops/quality.md",
        quality.replace("负责质量检查", "负责全面质量检查"),
    );
    site.build(&[]).success();
    let after = tree(&out);
    for p in ["ops/quality/index.html", "ops/quality/index.html.gz"] {
        assert_ne!(before[p], after[p], "{p} should have changed");
        assert_ne!(mtime(&out.join(p)), old_time(), "{p} was not rewritten");
    }
    for p in ["style.css", "style.css.gz", "ops/safety/matrix.csv.gz"] {
        assert_eq!(mtime(&out.join(p)), old_time(), "{p} was rewritten");
    }
    for (p, bytes) in &after {
        if let Some(src) = p.strip_suffix(".gz") {
            assert_eq!(&gunzip(bytes), &after[src], "{p} is stale");
        }
    }
}

#[test]
fn turning_precompress_off_removes_the_gz_files() {
    let site = Site::fixture("basic");
    let config = site.read("config.toml");
    site.write("config.toml", format!("{config}{PRECOMPRESS}"));
    site.build(&[]).success();
    let with: Vec<String> = tree(&site.out())
        .into_keys()
        .filter(|p| p.ends_with(".gz"))
        .collect();
    assert!(with.len() > 10, "{with:?}");

    site.write(
        "config.toml",
        format!("{config}\n[build]\nprecompress = false\n"),
    );
    let run = site.build(&[]);
    run.success();
    assert_eq!(run.summary().removed as usize, with.len(), "{run}");
    let left: Vec<String> = tree(&site.out())
        .into_keys()
        .filter(|p| p.ends_with(".gz"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn the_build_section_rejects_unknown_keys() {
    let site = Site::fixture("basic");
    let config = format!("{}\n[build]\nprecompres = true\n", site.read("config.toml"));
    site.write("config.toml", &config);
    let run = site.check(&["--format", "json"]);
    run.expect_code(1);
    run.single("E005")
        .assert_at_text("config.toml", &config, "precompres =")
        .assert_help("did you mean `precompress`?");
}

// ---------------------------------------------------------------------------
// /changes/
// ---------------------------------------------------------------------------

#[test]
fn changes_lists_charters_by_revised_date_newest_first() {
    let site = dated_site();
    site.build(&[]).success();
    let html = site.read("output/changes/index.html");
    let rows: Vec<String> = hrefs_in_rows(&html);
    assert_eq!(
        rows,
        [
            "../a/two/index.html",    // revised 2025-03-01
            "../about/index.html",    // revised 2024-12-24 (a page with dates)
            "../a/one/index.html",    // revised 2024-06-01
            "../b/old/index.html",    // never revised, effective 2020-05-01
            "../b/nodate/index.html", // no date at all
        ],
        "{html}"
    );
    assert!(!html.contains("草稿部门"), "no draft on /changes/");
    // Each row: revised, title, group, version, doc number, status, effective.
    let text = text_of(&html);
    for part in [
        "2025-03-01",
        "2025-02-01",
        "甲组",
        "乙组",
        "1.2",
        "甲〔2024〕1号",
        "试行",
        "已废止",
        "已被替代",
        "2020-05-01",
    ] {
        assert!(text.contains(part), "{part} not on /changes/");
    }
    // Reached from the footer of every page, and listed in the sitemap.
    let home = site.read("output/index.html");
    assert_eq!(hrefs_with_text(&home, "修订记录"), ["changes/index.html"]);
    let sitemap = site.read("output/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.com/handbook/changes/</loc>"),
        "{sitemap}"
    );
    assert!(
        !sitemap.contains("print/"),
        "the print view is a duplicate: {sitemap}"
    );
}

/// The first link of every body row of the first table.
fn hrefs_in_rows(html: &str) -> Vec<String> {
    let tbody = &html[html.find("<tbody>").expect("a table")..];
    let tbody = &tbody[..tbody.find("</tbody>").unwrap()];
    tbody
        .split("<tr")
        .skip(1)
        .filter_map(|row| links(row).into_iter().next().map(|l| l.href))
        .collect()
}

/// Over `charter::pages::changes::LIMIT` dated documents: the newest
/// ones are listed, and the page says how many older ones it left out.
#[test]
fn changes_lists_the_newest_and_counts_the_rest_on_a_large_site() {
    let limit = charter::pages::changes::LIMIT;
    let site = Site::new();
    for i in 0..limit + 3 {
        // Day i of a run of days from 2020-01-01: a later i, a newer date.
        let date = chrono_like(i);
        site.write(
            &format!("content/d{i:04}.md"),
            format!("+++\ntitle = \"部门{i}\"\nid = \"d{i:04}\"\nrevised = {date}\n+++\n正文。\n"),
        );
    }
    site.build(&[]).success();
    let html = site.read("output/changes/index.html");
    let rows = hrefs_in_rows(&html);
    assert_eq!(rows.len(), limit, "only the newest are listed");
    assert_eq!(
        rows[0],
        format!("../d{:04}/index.html", limit + 2),
        "newest first"
    );
    assert!(
        !rows.contains(&"../d0000/index.html".to_string()),
        "the oldest is left out"
    );
    assert!(
        text_of(&html).contains("另有较早的 3 项未列出"),
        "the page says how many it left out"
    );
    // A site at the limit says nothing of the kind.
    let small = dated_site();
    small.build(&[]).success();
    assert!(
        !small
            .read("output/changes/index.html")
            .contains("changes-more")
    );
}

/// `2020-01-01` plus `days` days, as a TOML date (months of 28 days are
/// enough for an order that follows `days`).
fn chrono_like(days: usize) -> String {
    format!(
        "{}-{:02}-{:02}",
        2020 + days / 336,
        days % 336 / 28 + 1,
        days % 28 + 1
    )
}

#[test]
fn changes_and_print_escape_content() {
    let site = Site::new().with(
        "content/x.md",
        "+++\ntitle = \"<b>粗</b> & Co\"\ndoc_number = \"<i>1</i>\"\nrevised = 2024-01-01\n\n[[roles]]\nid = \"r\"\ntitle = \"<script>alert(1)</script>\"\nsummary = \"<img src=x>\"\n\n[[activities]]\nid = \"a\"\ntitle = \"<u>事</u>\"\nraci = { r = \"A/R\" }\n+++\n第一条 正文。\n",
    );
    site.write(
        "config.toml",
        CONFIG.replace("测试站点", "站点 <em>标题</em>"),
    );
    site.build(&[]).success();
    for page in ["output/changes/index.html", "output/print/index.html"] {
        let html = site.read(page);
        for raw in [
            "<b>粗</b>",
            "<i>1</i>",
            "<em>标题</em>",
            "<script>alert",
            "<img src=x>",
            "<u>事</u>",
        ] {
            assert!(!html.contains(raw), "{page} holds {raw} unescaped");
        }
        assert!(
            html.contains("&lt;b&gt;粗&lt;&#x2F;b&gt;") || html.contains("&lt;b&gt;粗&lt;/b&gt;"),
            "{page}"
        );
    }
}

// ---------------------------------------------------------------------------
// Status banners and dates
// ---------------------------------------------------------------------------

#[test]
fn status_banners_and_dates_on_departments_and_pages() {
    let site = dated_site();
    site.build(&[]).success();
    let banner = |p: &str| -> Option<String> {
        let html = site.read(p);
        tags(&html)
            .into_iter()
            .find(|t| {
                t.attr("class")
                    .is_some_and(|c| c.split(' ').any(|c| c == "banner"))
            })
            .map(|t| t.attr("class").unwrap().to_string())
    };
    assert_eq!(
        banner("output/a/two/index.html").as_deref(),
        Some("banner banner-trial")
    );
    assert_eq!(
        banner("output/b/old/index.html").as_deref(),
        Some("banner banner-repealed")
    );
    assert_eq!(
        banner("output/b/nodate/index.html").as_deref(),
        Some("banner banner-superseded")
    );
    assert_eq!(
        banner("output/about/index.html").as_deref(),
        Some("banner banner-trial")
    );
    assert_eq!(
        banner("output/a/one/index.html"),
        None,
        "no banner when in force"
    );

    let two = text_of(&site.read("output/a/two/index.html"));
    assert!(
        two.contains("试行") && two.contains("本制度为试行版本"),
        "{two}"
    );
    for (page, dates) in [
        (
            "output/a/two/index.html",
            &["施行日期2025-02-01", "修订日期2025-03-01"][..],
        ),
        (
            "output/a/one/index.html",
            &["施行日期2024-01-01", "修订日期2024-06-01"][..],
        ),
        (
            "output/about/index.html",
            &["修订日期2024-12-24", "发布部门综合部"][..],
        ),
    ] {
        let text = text_of(&site.read(page))
            .split_whitespace()
            .collect::<String>();
        for d in dates {
            assert!(text.contains(d), "{page} does not show {d}");
        }
    }
    let html = site.read("output/a/two/index.html");
    assert!(html.contains("<time datetime=\"2025-03-01\">"), "{html}");
}

// ---------------------------------------------------------------------------
// /print/
// ---------------------------------------------------------------------------

#[test]
fn print_holds_every_charter_in_reading_order_with_a_cover_and_contents() {
    let site = dated_site();
    site.build(&[]).success();
    let html = site.read("output/print/index.html");

    // Cover: the site title and the newest revised date of what is printed
    // (the draft's 2030 date is not).
    let cover = text_of(between(&html, "class=\"print-cover\"", "</header>"));
    assert!(cover.contains("测试站点"), "{cover}");
    assert!(cover.contains("2025-03-01"), "{cover}");
    assert!(
        !html.contains("2030-01-01"),
        "a draft's date reached /print/"
    );

    // Contents: the top-level page first, then groups by weight, documents
    // by weight (二号 has the lower weight) then title (旧 jiù < 无 wú).
    let toc = inner_by_id_class(&html, "print-toc");
    let order: Vec<String> = links(&toc).into_iter().map(|l| l.href).collect();
    assert_eq!(
        order,
        [
            "#doc-about",
            "#doc-two",
            "#doc-one",
            "#doc-old",
            "#doc-nodate"
        ],
        "{toc}"
    );
    let all_ids = ids(&html);
    for a in &order {
        let id = &a[1..];
        assert_eq!(
            all_ids.iter().filter(|i| *i == id).count(),
            1,
            "{id} is not exactly once on the page"
        );
    }
    assert!(!html.contains("草稿部门"), "no draft on /print/");

    // No navigation chrome.
    for chrome in [
        "class=\"sidebar\"",
        "site-header",
        "site-footer",
        "breadcrumbs",
        "search",
    ] {
        assert!(!html.contains(chrome), "/print/ has {chrome}");
    }
    // Each charter: metadata, its roles and its matrix; bodies with links
    // relative to print/.
    let one = inner_by_id(&html, "doc-one").unwrap();
    let one_text = text_of(one);
    for part in [
        "一号部门",
        "甲组",
        "甲〔2024〕1号",
        "部门负责人",
        "年度计划",
        "第一条",
    ] {
        assert!(one_text.contains(part), "doc-one misses {part}");
    }
    assert_eq!(one.matches("<table class=\"raci\"").count(), 1);
    assert!(one.contains("href=\"../a/two/index.html#a1\""), "{one}");
    assert!(html.contains("@page"), "the page sets its paper");
    // Reached from the footer.
    let home = site.read("output/index.html");
    assert_eq!(hrefs_with_text(&home, "打印版"), ["print/index.html"]);
}

/// The inner HTML of the first element whose class list holds `class`.
fn inner_by_id_class(html: &str, class: &str) -> String {
    let start = tags(html)
        .into_iter()
        .find(|t| {
            t.attr("class")
                .is_some_and(|c| c.split(' ').any(|c| c == class))
        })
        .unwrap_or_else(|| panic!("no .{class}"));
    let rest = &html[start.end..];
    let close = format!("</{}>", start.name);
    rest[..rest.find(&close).unwrap()].to_string()
}

#[test]
fn print_has_no_edition_date_without_revised_dates() {
    let site = Site::new().with(
        "content/x.md",
        "+++\ntitle = \"部门\"\neffective = 2024-01-01\n+++\n第一条 正文。\n",
    );
    site.build(&[]).success();
    let html = site.read("output/print/index.html");
    assert!(!html.contains("print-edition"), "{html}");
    assert!(!html.contains("2024-01-01</time></p>"), "{html}");
}

#[test]
fn print_sets_wide_matrices_on_a_landscape_page() {
    let roles: String = (1..=12)
        .map(|i| format!("[[roles]]\nid = \"r{i}\"\ntitle = \"岗位{i}\"\n\n"))
        .collect();
    let raci: Vec<String> = (2..=12).map(|i| format!("r{i} = \"C\"")).collect();
    let site = Site::new()
        .with(
            "content/wide.md",
            format!(
                "+++\ntitle = \"宽\"\n{roles}[[activities]]\nid = \"a\"\ntitle = \"事项\"\nraci = {{ r1 = \"A/R\", {} }}\n+++\n第一条 正文。\n",
                raci.join(", ")
            ),
        )
        .with(
            "content/narrow.md",
            "+++\ntitle = \"窄\"\n[[roles]]\nid = \"x\"\ntitle = \"岗位\"\n[[activities]]\nid = \"a\"\ntitle = \"事项\"\nraci = { x = \"A/R\" }\n+++\n第一条 正文。\n",
        );
    site.build(&[]).success();
    let html = site.read("output/print/index.html");
    let sections: BTreeMap<String, String> = tags(&html)
        .into_iter()
        .filter(|t| t.name == "section" && t.attr("data-columns").is_some())
        .map(|t| {
            (
                t.attr("data-columns").unwrap().to_string(),
                t.attr("class").unwrap().to_string(),
            )
        })
        .collect();
    assert!(sections["12"].contains("print-wide"), "{sections:?}");
    assert!(!sections["1"].contains("print-wide"), "{sections:?}");
    assert!(html.contains("@page wide"), "the landscape page is defined");
}

/// A site of exactly 151 printed documents, one over
/// `charter::pages::print::SPLIT_DOCS`: three at the top level (a page and
/// two departments), group 甲 (`a`, 60, and its subgroup `a/sub`, 20),
/// group 乙 (`b`, 40, and a draft) and group 丙 (a Chinese folder, 28).
/// Each volume has its own newest `revised` date; the draft's is newer.
fn big_print_site() -> Site {
    let dept = |id: &str, title: &str, revised: &str, link: &str| {
        format!(
            "+++\ntitle = \"{title}\"\nid = \"{id}\"\nrevised = {revised}\ndoc_number = \"〔2024〕{id}号\"\n\n\
             [[roles]]\nid = \"head\"\ntitle = \"{title}负责人\"\n\n\
             [[activities]]\nid = \"plan\"\ntitle = \"{title}年度计划\"\nraci = {{ head = \"A/R\" }}\n+++\n\
             第一条 {title}的职责，见[[{link}#a1]]。\n"
        )
    };
    let site = Site::new()
        .with("content/a/_index.md", "+++\ntitle = \"甲组\"\nweight = 10\n+++\n")
        .with("content/a/sub/_index.md", "+++\ntitle = \"甲组下属\"\n+++\n")
        .with("content/b/_index.md", "+++\ntitle = \"乙组\"\nweight = 20\n+++\n")
        .with("content/丙/_index.md", "+++\ntitle = \"丙组\"\nweight = 30\n+++\n")
        .with(
            "content/about.md",
            "+++\ntitle = \"关于本手册\"\nkind = \"page\"\nweight = -1\nrevised = 2024-01-05\n+++\n说明。\n",
        )
        .with(
            "content/b/secret.md",
            "+++\ntitle = \"草稿部门\"\ndraft = true\nrevised = 2030-01-01\n+++\n第一条 草稿。\n",
        );
    let add = |rel: String, text: String| site.write(&rel, text);
    for i in 1..=2 {
        add(
            format!("content/t{i:02}.md"),
            dept(
                &format!("t{i:02}"),
                &format!("总部{i}"),
                &format!("2024-01-0{i}"),
                "b01",
            ),
        );
    }
    for i in 1..=60 {
        add(
            format!("content/a/a{i:02}.md"),
            dept(
                &format!("a{i:02}"),
                &format!("甲部门{i}"),
                "2024-02-01",
                "b02",
            ),
        );
    }
    for i in 1..=20 {
        add(
            format!("content/a/sub/s{i:02}.md"),
            dept(
                &format!("s{i:02}"),
                &format!("甲下属{i}"),
                "2024-02-15",
                "a01",
            ),
        );
    }
    for i in 1..=40 {
        add(
            format!("content/b/b{i:02}.md"),
            dept(
                &format!("b{i:02}"),
                &format!("乙部门{i}"),
                "2024-03-01",
                "c01",
            ),
        );
    }
    for i in 1..=28 {
        add(
            format!("content/丙/c{i:02}.md"),
            dept(
                &format!("c{i:02}"),
                &format!("丙部门{i}"),
                "2024-04-01",
                "t01",
            ),
        );
    }
    site
}

/// The ids of the charters a handbook page holds, in order.
fn charter_ids(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter(|t| {
            t.name == "article"
                && t.attr("class")
                    .is_some_and(|c| c.split(' ').any(|c| c == "print-charter"))
        })
        .map(|t| t.attr("id").unwrap().to_string())
        .collect()
}

#[test]
fn a_big_handbook_is_split_into_volumes_one_per_top_level_group() {
    let site = big_print_site();
    site.build(&[]).success();
    let index = site.read("output/print/index.html");

    // /print/: a cover dated by the newest charter (not the draft), the
    // contents of every volume in reading order, and no charters.
    let cover = text_of(between(&index, "class=\"print-cover\"", "</header>"));
    assert!(
        cover.contains("测试站点") && cover.contains("2024-04-01"),
        "{cover}"
    );
    assert!(
        charter_ids(&index).is_empty(),
        "charters on the split /print/"
    );
    let toc = inner_by_id_class(&index, "print-toc");
    let volume_links: Vec<Link> = tags(&toc)
        .into_iter()
        .filter(|t| t.name == "h3")
        .map(|t| links(&toc[t.end..])[0].clone())
        .collect();
    assert_eq!(
        volume_links,
        [
            ("_top/index.html", "综合"),
            ("a/index.html", "甲组"),
            ("b/index.html", "乙组"),
            ("%E4%B8%99/index.html", "丙组"),
        ]
        .map(|(href, text)| Link {
            href: href.into(),
            text: text.into()
        }),
        "{toc}"
    );
    // The subgroup is a section of 甲's volume; the volume's own group
    // is not repeated as a section title.
    let h4: Vec<String> = tags(&toc)
        .into_iter()
        .filter(|t| t.name == "h4")
        .map(|t| text_of(&toc[t.end..t.end + toc[t.end..].find("</h4>").unwrap()]))
        .collect();
    assert_eq!(h4, ["甲组 · 甲组下属"], "{toc}");

    // Every charter once in the contents, each link into the volume that
    // holds it, at an element with that id.
    let entries: Vec<(String, String)> = links(&toc)
        .into_iter()
        .filter_map(|l| {
            let (page, frag) = l.href.split_once('#')?;
            Some((page.to_string(), frag.to_string()))
        })
        .collect();
    assert_eq!(entries.len(), 151, "{toc}");
    let mut seen: Vec<&String> = entries.iter().map(|(_, f)| f).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 151, "a charter listed twice");
    let mut volumes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (page, frag) in &entries {
        volumes.entry(page.clone()).or_default().push(frag.clone());
    }
    assert_eq!(volumes.len(), 4);
    assert_eq!(volumes["_top/index.html"].len(), 3);
    assert_eq!(volumes["a/index.html"].len(), 80);
    assert_eq!(volumes["b/index.html"].len(), 40);
    assert_eq!(volumes["%E4%B8%99/index.html"].len(), 28);
    let mut printed = 0;
    for (page, listed) in &volumes {
        let file = format!("output/print/{}", percent_decode(page));
        let html = site.read(&file);
        // Exactly the charters the contents list there, in that order:
        // none of another volume's.
        assert_eq!(&charter_ids(&html), listed, "{file}");
        printed += listed.len();
        let ids = ids(&html);
        for id in listed {
            assert_eq!(ids.iter().filter(|i| *i == id).count(), 1, "{file}: {id}");
        }
        // The volume's own contents link to its own charters.
        let own: Vec<String> = links(&inner_by_id_class(&html, "print-toc"))
            .into_iter()
            .map(|l| l.href.strip_prefix('#').unwrap().to_string())
            .collect();
        assert_eq!(&own, listed, "{file}");
        assert!(
            !html.contains("草稿部门") && !html.contains("2030"),
            "{file}"
        );
        assert!(html.contains("@page"), "{file}");
    }
    assert_eq!(printed, 151);
    assert!(!index.contains("草稿部门") && !index.contains("2030"));

    // A volume: its own cover (site title, volume title, its newest date),
    // a title, links relative to print/<slug>/, a way back to /print/.
    let b = site.read("output/print/b/index.html");
    let cover = text_of(between(&b, "class=\"print-cover\"", "</header>"));
    assert!(
        cover.contains("测试站点") && cover.contains("乙组") && cover.contains("2024-03-01"),
        "{cover}"
    );
    assert!(!cover.contains("2024-04-01"), "{cover}");
    assert!(b.contains("<title>测试站点 · 打印版 · 乙组</title>"), "{b}");
    let b01 = inner_by_id(&b, "doc-b01").unwrap();
    assert!(
        b01.contains("href=\"../../%E4%B8%99/c01/index.html#a1\""),
        "{b01}"
    );
    assert!(
        b01.contains("href=\"../../roles/b01/head/index.html\""),
        "{b01}"
    );
    assert_eq!(hrefs_with_text(&b, "全部分册"), ["../../print/index.html"]);
    assert_eq!(hrefs_with_text(&b, "返回首页"), ["../../index.html"]);
    let top = site.read("output/print/_top/index.html");
    assert_eq!(charter_ids(&top), ["doc-about", "doc-t01", "doc-t02"]);
    assert!(text_of(between(&top, "class=\"print-cover\"", "</header>")).contains("综合"));

    // Print pages are duplicates: not in the sitemap.
    let sitemap = site.read("output/sitemap.xml");
    assert!(!sitemap.contains("print/"), "{sitemap}");

    // One document fewer (150): one page again, the volumes gone.
    site.remove("content/t02.md");
    site.build(&[]).success();
    let html = site.read("output/print/index.html");
    assert_eq!(charter_ids(&html).len(), 150);
    assert!(
        !html.contains("print-toc-volume"),
        "volumes listed on one page"
    );
    assert!(!site.out().join("print/b").exists(), "an old volume stayed");
}

/// `%XX` escapes of a relative link, decoded.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

// ---------------------------------------------------------------------------
// Sitemap
// ---------------------------------------------------------------------------

#[test]
fn sitemap_lists_the_organization_pages_and_role_pages() {
    let site = Site::fixture("basic");
    site.build(&["--base-url", "https://intra.test/manual"])
        .success();
    let sitemap = site.read("output/sitemap.xml");
    for url in [
        "https://intra.test/manual/",
        "https://intra.test/manual/ops/safety/",
        "https://intra.test/manual/roles/",
        "https://intra.test/manual/roles/safety/officer/",
        "https://intra.test/manual/matrix/",
        "https://intra.test/manual/org/",
        "https://intra.test/manual/changes/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>{url}</loc>")),
            "{url} in {sitemap}"
        );
    }
    let html = site.read("output/ops/safety/index.html");
    assert!(
        html.contains("<link rel=\"canonical\" href=\"https://intra.test/manual/ops/safety/\">"),
        "{html}"
    );
}

#[test]
fn root_links_to_generated_pages_resolve() {
    let site = Site::fixture("basic");
    site.write(
        "content/_index.md",
        "+++\ntitle = \"首页\"\n+++\n见[打印版](/print/)、[修订记录](/changes/)、[岗位](/roles/safety/officer/)和[矩阵](/matrix/)。\n",
    );
    let run = site.build(&["--format", "json"]);
    run.success();
    assert_eq!(run.diagnostics(), vec![], "{run}");
    let home = site.read("output/index.html");
    for (text, href) in [
        ("打印版", "print/index.html"),
        ("修订记录", "changes/index.html"),
        ("岗位", "roles/safety/officer/index.html"),
        ("矩阵", "matrix/index.html"),
    ] {
        assert!(
            hrefs_with_text(&home, text).contains(&href.to_string()),
            "{text} → {href}: {:?}",
            hrefs_with_text(&home, text)
        );
    }
}
