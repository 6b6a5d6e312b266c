//! Escaping (issue 7): every string from front matter or config that
//! reaches HTML, an attribute, JSON, CSV or the search index is escaped for
//! that context. A hostile site (titles, role names, tags, summaries,
//! `[extra]`, group titles, the config title, activity titles, article
//! texts and file names full of markup, quotes and `</script>`) is built
//! next to the same site with those strings defanged; every page of both
//! is tokenized, and the two must hold the same elements with the same
//! attribute names, and no event handler or `javascript:` URL anywhere.
//! `[markdown] safe = true` cleans bodies written by untrusted authors.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::*;

/// What attackers write: markup, attribute breakouts, quotes, script
/// endings, template syntax and script URLs.
const HOSTILE: &str =
    "<script>alert(1)</script>\"><img src=x onerror=alert(1)>'</script>{{ x }}javascript:alert(1)";

/// The same text with every character that is not a letter or digit made
/// `_`: the same sort keys (pinyin, initials), nothing to escape.
fn defang(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect()
}

/// A TOML basic string.
fn q(s: &str) -> String {
    format!("{s:?}")
}

/// The hostile site (`f` = identity) or its benign twin (`f` = [`defang`]).
/// Spreadsheet formula triggers start some of the strings.
fn escaping_site(f: &dyn Fn(&str) -> String, safe: bool) -> Site {
    let h = |prefix: &str, what: &str| q(&f(&format!("{prefix}{HOSTILE}{what}")));
    let config = format!(
        "title = {}\ndescription = {}\nbase_url = \"https://example.com/handbook/\"\nlanguage = \"zh-CN\"\n\n[matrix.labels]\nA = {}\n\n[markdown]\nsafe = {safe}\n\n[extra]\nnote = {}\n",
        h("", "站点"),
        h("", "描述"),
        h("", "负责"),
        h("", "附加")
    );
    // Bodies are Markdown: markup in them is written as text (escaped) here,
    // the same in both sites.
    let body = "## 第一章 `<script>alert(1)</script>` 总则\n\n\
        第一条 \\<script\\>alert(1)\\</script\\> 与 `\"><img src=x onerror=alert(1)>` 及 {{ x }} 和 [[dept2]]、[[dept2/lead]]、[[#a1]]。\n\
        第二条 javascript:alert(1) ' \" \\</script\\>\n\n\
        ## 岗位职责 {#boss}\n\n负责 `</script>` 的一切。\n";
    Site::empty()
        .with("config.toml", config)
        .with(
            "content/_index.md",
            format!("+++\ntitle = {}\n+++\n首页 \\<b\\>{{{{ x }}}}\n", h("", "首页")),
        )
        .with(
            "content/g/_index.md",
            format!(
                "+++\ntitle = {}\nsummary = {}\n+++\n组 `</script>`\n",
                h("-", "组"),
                h("", "组摘要")
            ),
        )
        .with(
            "content/g/dept.md",
            format!(
                "+++\ntitle = {}\nid = \"dept\"\nsummary = {}\ntags = [{}, {}]\nversion = {}\ndoc_number = {}\nissuer = {}\nstatus = \"trial\"\neffective = 2024-01-01\n\n[[roles]]\nid = \"boss\"\ntitle = {}\nsummary = {}\nheadcount = 1\n\n[[roles]]\nid = \"staff\"\ntitle = {}\nreports_to = \"boss\"\n\n[[activities]]\nid = \"act\"\ntitle = {}\nclause = \"a1\"\nraci = {{ boss = \"A\", staff = \"R\", \"dept2/lead\" = \"C\" }}\n\n[extra]\nnote = {}\n+++\n{body}",
                h("+", "部门"),
                h("", "部门摘要"),
                h("", "标签"),
                q(&f("=cmd|' /C calc'!A0")),
                h("", "版本"),
                h("", "文号"),
                h("", "发布部门"),
                h("=", "岗位"),
                h("", "岗位摘要"),
                h("@", "员工"),
                h("@", "活动"),
                h("", "附加")
            ),
        )
        .with(
            "content/dept2.md",
            format!(
                "+++\ntitle = {}\nid = \"dept2\"\nparent = \"dept\"\n\n[[roles]]\nid = \"lead\"\ntitle = {}\nreports_to = \"dept/boss\"\n\n[[activities]]\nid = \"act2\"\ntitle = {}\nraci = {{ lead = \"A/R\", \"dept/staff\" = \"I\" }}\n+++\n第一条 见[[dept]]。\n",
                h("", "二部"),
                h("-", "组长"),
                h("+", "活动二")
            ),
        )
        .with(
            "content/page.md",
            format!(
                "+++\ntitle = {}\nkind = \"page\"\n+++\n# {}\n",
                h("", "页面"),
                "`<script>`"
            ),
        )
}

fn build(site: &Site) {
    site.build(&["--format", "json"]).success();
}

/// Every file of the output with its bytes.
fn files(site: &Site) -> BTreeMap<String, Vec<u8>> {
    tree(&site.out())
}

/// (element, sorted attribute names) of every start tag, counted.
fn shape(html: &str) -> BTreeMap<(String, Vec<String>), usize> {
    let mut out = BTreeMap::new();
    for t in tags(html) {
        let mut names: Vec<String> = t.attrs.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        *out.entry((t.name.clone(), names)).or_insert(0) += 1;
    }
    out
}

/// The text of every inline `<script>` of a page.
fn inline_scripts(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter(|t| t.name == "script" && t.attr("src").is_none())
        .map(|t| {
            let end = html[t.end..]
                .find("</script")
                .map_or(html.len(), |e| t.end + e);
            html[t.end..end].to_string()
        })
        .collect()
}

/// A URL that would run script (or carry a document) when followed.
fn is_script_url(v: &str) -> bool {
    let v: String = v
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    v.starts_with("javascript:") || v.starts_with("data:") || v.starts_with("vbscript:")
}

/// The absolute rules of every page: no event handler attributes, no
/// script URLs, scripts only from the theme.
#[track_caller]
fn assert_no_injection(path: &str, html: &str) {
    for t in tags(html) {
        for (name, value) in &t.attrs {
            assert!(
                !name.starts_with("on"),
                "{path}: <{} {name}=…> is an event handler",
                t.name
            );
            if matches!(
                name.as_str(),
                "href" | "src" | "action" | "formaction" | "xlink:href" | "srcset" | "poster"
            ) {
                assert!(!is_script_url(value), "{path}: {name}={value:?}");
            }
        }
        if t.name == "script"
            && let Some(src) = t.attr("src")
        {
            let file = src.rsplit('/').next().unwrap_or(src);
            assert!(
                [
                    "search.js",
                    "sidebar.js",
                    "nav.js",
                    "role-filter.js",
                    "roles-data.js"
                ]
                .contains(&file),
                "{path}: <script src={src:?}>"
            );
        }
        assert!(
            !matches!(t.name.as_str(), "iframe" | "object" | "embed" | "base"),
            "{path}: <{}>",
            t.name
        );
        // The theme's search forms only.
        if t.name == "form" {
            assert!(
                t.attr("class").is_some_and(|c| c.starts_with("search")),
                "{path}: a <form> was injected"
            );
        }
    }
}

/// Splits one CSV line into fields (RFC 4180 quotes).
fn csv_fields(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[test]
fn hostile_strings_are_escaped_in_every_context() {
    let hostile = escaping_site(&|s: &str| s.to_string(), false);
    let benign = escaping_site(&defang, false);
    build(&hostile);
    build(&benign);
    let (h, b) = (files(&hostile), files(&benign));
    let html_paths: Vec<&String> = h.keys().filter(|p| p.ends_with(".html")).collect();
    assert_eq!(
        html_paths,
        b.keys()
            .filter(|p| p.ends_with(".html"))
            .collect::<Vec<_>>(),
        "the two sites have the same pages"
    );
    assert!(html_paths.len() >= 10, "{html_paths:?}");
    for p in &html_paths {
        let hh = String::from_utf8_lossy(&h[*p]);
        let bh = String::from_utf8_lossy(&b[*p]);
        assert_no_injection(p, &hh);
        assert_eq!(
            shape(&hh),
            shape(&bh),
            "{p}: the hostile page has other elements or attributes than the benign one"
        );
        assert_eq!(
            inline_scripts(&hh),
            inline_scripts(&bh),
            "{p}: inline scripts differ"
        );
    }
    // The sidebar's tree is a script of JSON data only: titles can close
    // no element and start no markup (the theme puts them in as text).
    let nav = String::from_utf8_lossy(&h["nav.js"]).into_owned();
    assert!(
        nav.starts_with("CharterNav({") && nav.ends_with("});\n"),
        "{nav}"
    );
    assert!(!nav.contains('<'), "nav.js holds a raw <: {nav}");
    assert!(
        nav.contains("\\u003c"),
        "the hostile titles are in nav.js, escaped"
    );
    // The strings are shown, as text, not dropped.
    let dept = String::from_utf8_lossy(&h["g/dept/index.html"]).into_owned();
    let h1 = tags(&dept)
        .into_iter()
        .find(|t| t.name == "h1")
        .expect("h1");
    let end = dept[h1.end..].find("</h1>").unwrap() + h1.end;
    assert_eq!(text_of(&dept[h1.end..end]), format!("+{HOSTILE}部门"));
    assert!(text_of(&dept).contains(&format!("{HOSTILE}标签")));
    assert!(
        text_of(&dept).contains("{{ x }}"),
        "template syntax stays text"
    );
    let title_start = dept.find("<title>").unwrap() + 7;
    let title_end = dept.find("</title>").unwrap();
    assert!(
        !dept[title_start..title_end].contains('<'),
        "<title> holds no markup"
    );
    // The org chart's SVG and list, and the roles page, escape labels too.
    let org = String::from_utf8_lossy(&h["org/index.html"]).into_owned();
    assert!(text_of(&org).contains(&format!("={HOSTILE}岗位")));

    // CSV: formula triggers are neutralized in every field.
    let mut csvs = 0;
    let mut boss_neutralized = false;
    for (p, bytes) in h.iter().filter(|(p, _)| p.ends_with(".csv")) {
        csvs += 1;
        let text = String::from_utf8(bytes.clone()).expect("CSV is UTF-8");
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let rows = csv_fields(text);
        assert!(rows.len() >= 2, "{p}: {rows:?}");
        let mut seen_hostile = false;
        for row in &rows {
            for f in row {
                assert!(
                    !f.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{p}: field {f:?} would run as a formula"
                );
                seen_hostile |= f.contains(HOSTILE);
            }
        }
        assert!(seen_hostile, "{p}: the hostile strings are in the CSV");
        boss_neutralized |= rows
            .iter()
            .flatten()
            .any(|f| f.starts_with(&format!("'={HOSTILE}岗位")));
    }
    assert!(csvs >= 2, "department and organization CSV files");
    assert!(
        boss_neutralized,
        "a role title starting with = is written '="
    );

    // Search index scripts: no way out of a <script>, no raw line separators.
    let mut scripts = 0;
    for (p, bytes) in h.iter().filter(|(p, _)| p.ends_with(".js")) {
        scripts += 1;
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.to_ascii_lowercase().contains("</script"),
            "{p} holds </script>"
        );
        assert!(
            !text.contains(['\u{2028}', '\u{2029}']),
            "{p} holds a raw U+2028/U+2029"
        );
        assert!(!text.contains("<!--"), "{p} holds <!--");
    }
    assert!(scripts >= 2, "the search script and its index");
    // Every other text file (sitemap, JSON, SVG): no raw hostile markup.
    for (p, bytes) in &h {
        if p.ends_with(".xml") || p.ends_with(".json") || p.ends_with(".svg") {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains("<script"), "{p}");
            assert!(!text.contains("onerror="), "{p}");
        }
    }
}

#[test]
fn hostile_file_and_folder_names_are_escaped() {
    let site = Site::new()
        .with(
            "content/\"><img src=x onerror=alert(1)>/a.md",
            "+++\ntitle = \"甲\"\nid = \"a\"\n+++\n",
        )
        .with(
            "content/javascript:alert(1)/<script>alert(1)<|script>.md",
            "+++\ntitle = \"乙\"\nid = \"b\"\nslug = \"b\"\n+++\n见[[a]]。\n",
        )
        .with("content/{{ x }}/c.md", "+++\ntitle = \"丙\"\n+++\n")
        .with("content/'/d.md", "+++\ntitle = \"丁\"\n+++\n");
    build(&site);
    let out = files(&site);
    for (p, bytes) in &out {
        if p.ends_with(".html") {
            let html = String::from_utf8_lossy(bytes);
            assert_no_injection(p, &html);
            for t in tags(&html) {
                assert!(t.name != "img", "{p}: an <img> was injected");
            }
        }
    }
    // The folder names are group titles and URL segments, percent-encoded in hrefs.
    let home = String::from_utf8_lossy(&out["index.html"]).into_owned();
    assert!(text_of(&home).contains("\"><img src=x onerror=alert(1)>"));
    let hrefs = urls(&home);
    assert!(
        hrefs
            .iter()
            .any(|u| u.starts_with("javascript%3Aalert%281%29/")),
        "{hrefs:?}"
    );
    assert!(out.contains_key("javascript:alert(1)/b/index.html"));
    assert!(out.contains_key("{{ x }}/c/index.html"));
    let sitemap = String::from_utf8_lossy(&out["sitemap.xml"]);
    assert!(
        !sitemap.contains('<') || !sitemap.contains("<img"),
        "{sitemap}"
    );
}

/// Bodies with raw HTML and script URLs, for `[markdown] safe`.
fn untrusted_site(safe: bool) -> Site {
    let body = r#"第一条 正文 <script>alert(1)</script> 与 [[other]] 和 [[#a1]]。

<img src="x" onerror="alert(1)"> <a href="JaVaScRiPt:alert(1)">a</a> <a href=" javascript:alert(1)">b</a>

[c](javascript:alert(1)) [d](data:text/html,<script>alert(1)</script>) ![e](data:image/svg+xml,x) [f](vbscript:x)

<iframe src="https://evil.example/"></iframe><form action="https://evil.example/"><input name=x></form>

<style>body{display:none}</style><svg onload="alert(1)"><script>alert(2)</script></svg>

<div onclick="alert(1)" style="position:fixed">x</div><base href="https://evil.example/">

<p id="kept" class="note">kept</p>

[rel](other.md#a1) [ext](https://example.com/)

```js
var s = "</script>";
```
"#;
    Site::new()
        .with(
            "config.toml",
            format!("{CONFIG}\n[markdown]\nsafe = {safe}\n"),
        )
        .with(
            "content/untrusted.md",
            format!("+++\ntitle = \"不可信\"\n[[roles]]\nid = \"officer\"\ntitle = \"安全员\"\n+++\n{body}\n## 职责 {{#officer}}\n\n<script>alert(3)</script><img src=x onerror=alert(3)>\n"),
        )
        .with(
            "content/other.md",
            "+++\ntitle = \"其他\"\n+++\n第一条 其他。\n",
        )
}

#[test]
fn safe_markdown_strips_raw_html_and_script_urls_from_bodies() {
    let site = untrusted_site(true);
    build(&site);
    for p in ["untrusted/index.html", "roles/untrusted/officer/index.html"] {
        let html = site.read(&format!("output/{p}"));
        assert_no_injection(p, &html);
        let scripts: Vec<Tag> = tags(&html)
            .into_iter()
            .filter(|t| t.name == "script")
            .collect();
        assert!(
            scripts.iter().all(|t| t.attr("src").is_some()),
            "{p}: inline script"
        );
        for t in tags(&html) {
            assert!(t.name != "style" && t.name != "svg", "{p}: <{}>", t.name);
            assert!(
                t.attr("style").is_none(),
                "{p}: style attribute on <{}>",
                t.name
            );
        }
    }
    let html = site.read("output/untrusted/index.html");
    let body = inner_by_id(&html, "main").unwrap();
    // What the renderer writes survives: anchors, ids, classes, relative links, code.
    assert!(body.contains("<p id=\"a1\" class=\"article\">"), "{body}");
    assert!(
        body.contains("<p id=\"kept\" class=\"note\">kept</p>"),
        "{body}"
    );
    assert!(body.contains("href=\"../other/index.html\""), "{body}");
    assert!(body.contains("href=\"../other/index.html#a1\""), "{body}");
    assert!(body.contains("href=\"https://example.com/\""), "{body}");
    assert!(body.contains("data-lang=\"js\""), "{body}");
    assert!(body.contains("class=\"hl-"), "{body}");
    assert!(
        body.contains("&lt;/script&gt;"),
        "code keeps its text: {body}"
    );
    // The links that were refused keep their text.
    for text in [">a<", ">b<", ">c<", ">d<", ">f<"] {
        assert!(body.contains(text), "{text} in {body}");
    }

    // By default bodies are trusted HTML, as in Zola and Hugo: the same
    // page keeps its raw HTML (this is why `safe` exists).
    let trusted = untrusted_site(false);
    build(&trusted);
    let html = trusted.read("output/untrusted/index.html");
    assert!(html.contains("<script>alert(1)</script>"));
}

#[test]
fn script_base_urls_are_refused() {
    for bad in [
        "javascript:alert(1)//",
        "data:text/html,x",
        "JAVASCRIPT:alert(1)",
        "java\\tscript:alert(1)",
    ] {
        let site = Site::empty().with(
            "config.toml",
            format!("title = \"站\"\nbase_url = \"{bad}\"\n"),
        );
        let run = site.build(&["--format", "json"]);
        run.expect_code(1);
        run.single("E020").assert_at("config.toml", 2, 1);
        assert!(!site.out().exists());
    }
    let site = Site::new();
    let run = site.build(&["--base-url", "javascript:alert(1)//"]);
    run.expect_code(2);
    assert!(run.stderr.contains("--base-url"), "{run}");
    assert!(!site.out().exists());
    let ok = site.build(&["--base-url", "https://intranet.example/handbook/"]);
    ok.success();
    let _ = fs::metadata(Path::new(&site.out()));
}
