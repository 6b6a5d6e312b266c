//! Large sites (spec §10, docs/large-sites.md): above
//! `charter::pages::roles::SPLIT_ROLES` roles the role index, and above
//! `charter::pages::org::SPLIT_NODES` nodes the organization chart, are
//! split into one page per top-level group (`/roles/<group>/`,
//! `/org/<group>/`), with `/roles/` and `/org/` as overviews. Built with
//! the real binary on the site of `big_site` (2,065 roles in four parts).

mod big_site;
mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;

/// The parts of the big site, in the order of the overviews of `/roles/`
/// (the top level first, as `/matrix/`): slug as linked, folder, title.
const ROLE_PARTS: [(&str, &str, &str); 4] = [
    ("_top", "_top", "其他"),
    ("a", "a", "甲组"),
    ("b", "b", "乙组"),
    ("%E4%B8%99", "丙", "丙组"),
];

fn big() -> Site {
    let site = Site::new();
    big_site::write(site.root());
    // Links to the parts, which resolve only while they exist.
    site.write(
        "content/links.md",
        "+++\ntitle = \"分组链接\"\nkind = \"page\"\n+++\n见[乙组岗位](/roles/b/)、[丙组架构](/org/丙/)和[总部岗位](/roles/_top/index.html)。\n",
    );
    site
}

/// A relative href on the page at `from` (a folder, `roles/b/`) as a
/// root-relative path, percent escapes decoded, `index.html` dropped.
fn resolve(from: &str, href: &str) -> String {
    let href = href.split('#').next().unwrap();
    let mut parts: Vec<&str> = from.split('/').filter(|p| !p.is_empty()).collect();
    for seg in href.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    let joined = joined.strip_suffix("index.html").unwrap_or(&joined);
    decode(joined)
}

fn decode(s: &str) -> String {
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

/// The role pages (`roles/<dept>/<role>/`) the entries of a part's index link to.
fn role_entries(html: &str, from: &str) -> Vec<String> {
    let index = inner_by_id(html, "role-index").expect("#role-index");
    let mut out = Vec::new();
    for li in index.split("<li data-key=").skip(1) {
        let first = links(li).into_iter().next().expect("a link in an entry");
        out.push(resolve(from, &first.href));
    }
    out
}

#[test]
fn a_big_role_index_is_split_into_parts_with_an_overview() {
    let site = big();
    let run = site.build(&["--format", "json"]);
    run.success();
    assert_eq!(run.errors(), vec![], "links to the parts resolve");
    let total = big_site::roles();
    let overview = site.read("output/roles/index.html");

    // The overview: the count, a letter bar, the filter with its data,
    // each part linked with its count, and no entries of its own.
    assert!(overview.contains(&format!("{total} 个岗位")), "{overview}");
    assert!(
        !overview.contains("<li data-key="),
        "entries on the overview"
    );
    assert!(overview.contains("data-src=\"roles-data.js\""));
    assert!(overview.contains("src=\"../role-filter.js\""));
    let parts = inner_by_id(&overview, "role-overview").unwrap();
    for (slug, _, title) in ROLE_PARTS {
        assert!(
            hrefs_with_text(parts, title).contains(&format!("{slug}/index.html")),
            "{title}: {parts}"
        );
    }
    // The letter bar goes to the overview's letters, each listing the
    // parts with roles under it: Z is 丙's only.
    let bar = between(&overview, "class=\"alphabet\"", "</nav>");
    assert!(bar.contains("href=\"#initial-Z\""), "{bar}");
    assert!(!bar.contains("href=\"#initial-Q\""), "{bar}");
    let z = between(&overview, "id=\"initial-Z\"", "</dd>");
    assert_eq!(
        links(z),
        [Link {
            href: "%E4%B8%99/index.html#initial-Z".into(),
            text: "丙组".into()
        }],
        "{z}"
    );
    let f = between(&overview, "id=\"initial-F\"", "</dd>");
    assert_eq!(links(f).len(), 4, "every part has 副主任: {f}");

    // Every role in exactly one part: the part of its department's
    // top-level group; each part with its own letter bar and filter.
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (slug, folder, title) in ROLE_PARTS {
        let from = format!("roles/{folder}/");
        let html = site.read(&format!("output/roles/{folder}/index.html"));
        assert!(
            html.contains(&format!("<h1>岗位索引 · {title}</h1>")),
            "{slug}"
        );
        assert!(html.contains("class=\"alphabet\""), "{slug}");
        assert!(html.contains("id=\"role-filter\""), "{slug}");
        assert!(html.contains("src=\"../../role-filter.js\""), "{slug}");
        assert!(!html.contains("<script>\n"), "{slug}: an inline script");
        assert_eq!(
            hrefs_with_text(&html, "岗位索引 · 全部分组"),
            ["../../roles/index.html"]
        );
        let entries = role_entries(&html, &from);
        assert!(!entries.is_empty(), "{slug}");
        for e in entries {
            assert!(e.starts_with("roles/"), "{e}");
            let dept = e.split('/').nth(1).unwrap();
            let expect = match dept.chars().next().unwrap() {
                't' => "_top",
                'a' | 's' => "a",
                'b' => "b",
                'c' => "丙",
                _ => panic!("{e}"),
            };
            assert_eq!(expect, folder, "{e} in the part of {folder}");
            assert!(site.out().join(&e).join("index.html").is_file(), "{e}");
            assert!(seen.insert(e.clone(), folder).is_none(), "{e} twice");
        }
    }
    assert_eq!(seen.len(), total, "every role in a part");
    assert!(!seen.keys().any(|e| e.contains("secret")), "a draft's role");
    let c = site.read("output/roles/丙/index.html");
    assert!(c.contains(">测绘总工程师</a>") && c.contains(">Zeta Analyst</a>"));
    assert!(c.contains("id=\"initial-Z\""));
    let b = site.read("output/roles/b/index.html");
    assert!(!b.contains("测绘总工程师") && !b.contains("id=\"initial-Z\""));

    // The filter's data: every role once, by title, department and id.
    let data = site.read("output/roles/roles-data.js");
    let json = data
        .strip_prefix("window.CHARTER_ROLES=")
        .and_then(|d| d.strip_suffix(";\n"))
        .expect("a script that sets CHARTER_ROLES");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let roles = v["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 3 * total);
    let (titles, depts, ids) = (&v["titles"], &v["depts"], &v["ids"]);
    let mut from_data = BTreeSet::new();
    for t in roles.chunks(3) {
        let d = &depts[t[1].as_u64().unwrap() as usize];
        let id = ids[t[2].as_u64().unwrap() as usize].as_str().unwrap();
        from_data.insert(format!("roles/{}/{id}/", d[2].as_str().unwrap()));
        if titles[t[0].as_u64().unwrap() as usize][0] == "测绘总工程师" {
            assert_eq!(d[2], "c07");
            assert_eq!(d[1], "%E4%B8%99/c07/index.html");
            assert_eq!(
                v["parts"][d[3].as_u64().unwrap() as usize][0],
                "%E4%B8%99/index.html"
            );
        }
    }
    let expected: BTreeSet<String> = seen.keys().cloned().collect();
    assert_eq!(from_data, expected);
    assert!(!data.contains("草稿"));

    // The sitemap lists the parts.
    let sitemap = site.read("output/sitemap.xml");
    for (slug, ..) in ROLE_PARTS {
        for page in ["roles", "org"] {
            let url = format!("<loc>https://example.com/handbook/{page}/{slug}/</loc>");
            assert!(sitemap.contains(&url), "{url}");
        }
    }
    // The page that links to parts: links relative to it.
    let links_page = site.read("output/links/index.html");
    assert_eq!(
        hrefs_with_text(&links_page, "乙组岗位"),
        ["../roles/b/index.html"]
    );
    assert_eq!(
        hrefs_with_text(&links_page, "丙组架构"),
        ["../org/%E4%B8%99/index.html"]
    );

    // Below the threshold again (303 departments): one page, the parts
    // gone, and links to them are errors.
    for i in 41..=big_site::B {
        site.remove(&format!("content/b/b{i:03}.md"));
    }
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    let errors: Vec<String> = run.errors().iter().map(|d| d.code.clone()).collect();
    assert_eq!(errors, ["E016", "E016", "E016"], "{run}");
    site.write(
        "content/links.md",
        "+++\ntitle = \"分组链接\"\nkind = \"page\"\n+++\n没有分组链接。\n",
    );
    site.build(&[]).success();
    let one = site.read("output/roles/index.html");
    let left = big_site::roles() - (big_site::B - 40) * big_site::ROLES_PER_DEPT;
    assert_eq!(one.matches("<li data-key=").count(), left);
    assert!(!one.contains("roles-data.js"));
    for (_, folder, _) in ROLE_PARTS {
        assert!(
            !site.out().join(format!("roles/{folder}")).exists(),
            "{folder}"
        );
        assert!(
            !site.out().join(format!("org/{folder}")).exists(),
            "{folder}"
        );
    }
    assert!(!site.out().join("roles/roles-data.js").exists());
    let sitemap = site.read("output/sitemap.xml");
    assert!(!sitemap.contains("roles/a/") && !sitemap.contains("org/a/"));
}

#[test]
fn a_big_org_chart_is_split_into_parts_with_an_overview() {
    let site = big();
    site.build(&[]).success();
    let overview = site.read("output/org/index.html");
    // Parts in the chart's order (groups, then the top level).
    let order = [
        ("a", "甲组"),
        ("b", "乙组"),
        ("%E4%B8%99", "丙组"),
        ("_top", "其他"),
    ];
    let list = between(&overview, "class=\"org-parts\"", "</section>");
    let hrefs: Vec<String> = links(list).into_iter().map(|l| l.href).collect();
    let expect: Vec<String> = order
        .iter()
        .map(|(s, _)| format!("../org/{s}/index.html"))
        .collect();
    assert_eq!(hrefs, expect, "{list}");
    // Its drawing: the parts, each linking to its page; no department.
    let svg = between(&overview, "<svg", "</svg>");
    for (slug, title) in order {
        assert!(
            hrefs_with_text(svg, title).contains(&format!("../org/{slug}/index.html")),
            "{title}: {svg}"
        );
    }
    assert!(!svg.contains("class=\"node dept\""));
    // The top of the reporting lines: the roles that report to no one.
    let tops = between(&overview, "class=\"org-tops\"", "</section>");
    assert!(
        tops.contains("href=\"../roles/a001/head/index.html\""),
        "{tops}"
    );
    assert!(
        tops.contains("href=\"../roles/t01/head/index.html\""),
        "{tops}"
    );
    assert!(
        !tops.contains("roles/b001/head/"),
        "b001's head reports to a001's"
    );
    assert!(overview.len() < 100_000, "{}", overview.len());

    // Every department drawn and listed in exactly one part.
    let mut depts: BTreeMap<String, String> = BTreeMap::new();
    for (slug, title) in order {
        let folder = decode(slug);
        let html = site.read(&format!("output/org/{folder}/index.html"));
        assert!(html.contains(&format!("组织架构 · {title}")), "{slug}");
        assert!(html.contains("class=\"org-chart org-compact\""), "{slug}");
        assert!(
            !html.contains("fill=\"#eaf1fb\""),
            "{slug}: a node's look inline"
        );
        let list = between(&html, "<ul class=\"org-list\">", "</details>");
        let drawn = between(&html, "<svg", "</svg>");
        let in_list: Vec<String> = list
            .split("<li class=\"dept\">")
            .skip(1)
            .map(|li| resolve(&format!("org/{folder}/"), &links(li)[0].href))
            .collect();
        assert_eq!(
            drawn.matches("class=\"node dept\"").count(),
            in_list.len(),
            "{slug}"
        );
        for d in in_list {
            assert!(
                depts.insert(d.clone(), folder.clone()).is_none(),
                "{d} twice"
            );
        }
    }
    assert_eq!(depts.len(), big_site::departments());
    assert_eq!(depts["b/b001/"], "b");
    assert_eq!(depts["a/sub/s01/"], "a");
    assert_eq!(depts["t01/"], "_top");

    // Reporting lines across parts: 乙's heads to 甲's a001, with a link
    // to the superior's page and part; 甲 counts the lines into it.
    let b = site.read("output/org/b/index.html");
    let out = inner_by_id(&b, "cross-out").expect("lines out of 乙");
    assert_eq!(out.matches("<li>").count(), big_site::B, "{out}");
    let first = between(out, "<li>", "</li>");
    let hrefs: Vec<String> = links(first).into_iter().map(|l| l.href).collect();
    assert_eq!(
        hrefs,
        [
            "../../roles/b001/head/index.html",
            "../../roles/a001/head/index.html",
            "../../org/a/index.html"
        ],
        "{first}"
    );
    let a = site.read("output/org/a/index.html");
    let into = inner_by_id(&a, "cross-in").expect("lines into 甲");
    assert!(
        into.contains("href=\"../../org/b/index.html#cross-out\""),
        "{into}"
    );
    assert!(into.contains(&format!("</a> {}", big_site::B)), "{into}");
    assert!(
        inner_by_id(&a, "cross-out").is_none(),
        "甲 reports to no one"
    );
    let c = site.read("output/org/丙/index.html");
    assert!(
        inner_by_id(&c, "cross-out")
            .unwrap()
            .contains("href=\"../../org/_top/index.html\"")
    );
}

#[test]
fn small_sites_keep_one_page_each() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let roles = site.read("output/roles/index.html");
    assert!(roles.contains("<li data-key="));
    assert!(!roles.contains("roles-data.js") && !roles.contains("role-filter.js"));
    let org = site.read("output/org/index.html");
    assert!(org.contains("<svg class=\"org-chart\""));
    assert!(!org.contains("org-compact") && !org.contains("cross-out"));
    assert!(!site.out().join("roles/roles-data.js").exists());
}
