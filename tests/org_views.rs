//! Organization views (issue 3): role index order, role pages across
//! departments, matrices and their CSV, the org chart's links.

mod common;

use common::*;

const OFFICE: &str = r#"+++
title = "综合部"
id = "office"
weight = 1

[[roles]]
id = "director"
title = "综合部主任"

[[roles]]
id = "secretary"
title = "文秘档案员"
reports_to = "director"

[[roles]]
id = "zeta"
title = "Zeta coordinator"
reports_to = "director"

[[roles]]
id = "audit"
title = "Audit lead"
reports_to = "director"

[[activities]]
id = "archives"
title = "档案管理"
clause = "a1"
raci = { director = "A", secretary = "R", "finance/accountant" = "C", zeta = "I", audit = "I" }
+++
第一条 文秘档案员负责公司各类档案的收集和整理。
"#;

const FINANCE: &str = r#"+++
title = "财务部"
id = "finance"
weight = 2

[[roles]]
id = "accountant"
title = "财务会计"
reports_to = "office/director"

[[activities]]
id = "budget"
title = "=SUM(A1) 预算, \"编制\""
clause = "a2"
raci = { "office/secretary" = "A/R", accountant = "R" }
+++
第一条 总则。

第二条 财务会计编制公司财务计划，见[[office/secretary]]。
"#;

fn site() -> Site {
    Site::new()
        .with("content/admin/_index.md", "+++\ntitle = \"管理\"\n+++\n")
        .with("content/admin/office.md", OFFICE)
        .with("content/admin/finance.md", FINANCE)
}

#[test]
fn role_index_is_sorted_by_pinyin_with_initials() {
    let site = site();
    site.build(&[]).success();
    let html = site.read("output/roles/index.html");
    // The first link of each entry is the role itself.
    let all_tags = tags(&html);
    let mut titles = Vec::new();
    for (i, t) in all_tags.iter().enumerate() {
        if t.name == "li" && t.attr("data-key").is_some() {
            let a = &all_tags[i + 1];
            assert_eq!(a.name, "a");
            let text_end = html[a.end..].find("</a>").unwrap() + a.end;
            titles.push(html[a.end..text_end].to_string());
        }
    }
    // audit → a, 财务会计 → cai, 文秘档案员 → wen, Zeta → z, 综合部主任 → zong
    assert_eq!(
        titles,
        [
            "Audit lead",
            "财务会计",
            "文秘档案员",
            "Zeta coordinator",
            "综合部主任"
        ],
        "{html}"
    );
    let all = ids(&html);
    for letter in ["A", "C", "W", "Z"] {
        assert!(
            all.contains(&format!("initial-{letter}")),
            "no initial {letter}"
        );
        assert!(
            html.contains(&format!("href=\"#initial-{letter}\"")),
            "no jump link to {letter}"
        );
    }
    assert!(!all.contains(&"initial-B".to_string()));
    assert!(html.contains("id=\"role-filter\""), "filter box");
}

#[test]
fn role_page_shows_activities_from_every_department() {
    let site = site();
    site.build(&[]).success();
    let html = site.read("output/roles/office/secretary/index.html");
    // Responsible in its own department, accountable and responsible in finance.
    assert!(html.contains("档案管理"), "{html}");
    assert!(html.contains("data-letter=\"R\""));
    assert!(html.contains("data-letter=\"A/R\""));
    assert!(
        html.contains("../../../admin/finance/index.html#a2"),
        "links to the clause"
    );
    // Reporting line and backlinks.
    assert!(html.contains("../../../roles/office/director/index.html"));
    let backlinks = inner_by_id(&html, "backlinks").expect("backlinks section");
    assert!(
        backlinks.contains("财务部"),
        "finance links to the role: {backlinks}"
    );
    // The director's page lists its direct reports, one from another department.
    let director = site.read("output/roles/office/director/index.html");
    assert!(
        director.contains("../../../roles/finance/accountant/index.html"),
        "{director}"
    );
}

#[test]
fn department_matrix_and_csv() {
    let site = site();
    site.build(&[]).success();
    let html = site.read("output/admin/finance/index.html");
    let matrix = inner_by_id(&html, "matrix").expect("matrix section");
    assert!(matrix.contains("<table class=\"raci\">"));
    assert!(matrix.contains("data-letter=\"A/R\""));
    assert!(matrix.contains("#a2"), "activity row links to its article");
    let csv = std::fs::read(site.out().join("admin/finance/matrix.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The department's own roles come first, then other departments'.
    assert_eq!(
        lines[0],
        "部门,工作事项,条款,财务会计（财务部）,文秘档案员（综合部）"
    );
    // Formula neutralized and quotes doubled.
    assert_eq!(lines[1], "财务部,\"'=SUM(A1) 预算, \"\"编制\"\"\",a2,R,A/R");
}

#[test]
fn organization_matrix_and_long_csv() {
    let site = site();
    site.build(&[]).success();
    let html = site.read("output/matrix/index.html");
    assert!(html.contains("<table class=\"raci\">"));
    assert!(html.contains("dept-row"), "department header rows");
    let csv = site.read("output/matrix/matrix.csv");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "部门,工作事项,条款,岗位,岗位所属部门,职责");
    assert_eq!(lines.len(), 1 + 5 + 2, "one row per assignment: {csv}");
    assert!(lines.contains(&"综合部,档案管理,a1,财务会计,财务部,C"));
}

/// The unit of top-level departments has its own CSV, `matrix/_top.csv`;
/// a top-level folder named `_top` keeps its name, and the unit of
/// top-level departments takes another (`__top`): neither CSV is lost.
#[test]
fn a_folder_named_top_keeps_its_own_matrix_csv() {
    let dept = |title: &str| {
        format!(
            "+++\ntitle = \"{title}\"\n\n[[roles]]\nid = \"head\"\ntitle = \"负责人\"\n\n\
             [[activities]]\nid = \"plan\"\ntitle = \"计划\"\nraci = {{ head = \"A/R\" }}\n+++\n"
        )
    };
    let site = Site::new()
        .with("content/top.md", dept("顶层部"))
        .with("content/_top/grouped.md", dept("分组部"));
    site.build(&[]).success();
    let rows = |file: &str| -> Vec<String> {
        site.read(&format!("output/matrix/{file}"))
            .trim_start_matches('\u{feff}')
            .lines()
            .skip(1)
            .map(str::to_string)
            .collect()
    };
    assert_eq!(rows("_top.csv"), ["分组部,计划,,负责人,分组部,A/R"]);
    assert_eq!(rows("__top.csv"), ["顶层部,计划,,负责人,顶层部,A/R"]);
    let index = site.read("output/matrix/index.html");
    for csv in ["_top.csv", "__top.csv"] {
        assert!(
            index.contains(&format!("href=\"../matrix/{csv}\"")),
            "{csv}"
        );
    }
}

#[test]
fn org_chart_nodes_link_to_existing_pages() {
    let site = site();
    site.build(&[]).success();
    let html = site.read("output/org/index.html");
    assert!(html.contains("<svg class=\"org-chart\""));
    let out = site.out();
    let mut checked = 0;
    for url in urls(&html) {
        if url.starts_with("../") {
            let target = out.join("org").join(&url);
            let target = target
                .to_string_lossy()
                .split('#')
                .next()
                .unwrap()
                .to_string();
            assert!(
                std::path::Path::new(&target).is_file(),
                "{url} does not exist"
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "departments and roles are linked ({checked})");
    for role in ["office/director", "office/secretary", "finance/accountant"] {
        assert!(
            html.contains(&format!("../roles/{role}/index.html")),
            "{role} in the chart"
        );
    }
    // The nested-list version carries the same tree.
    assert!(html.contains("class=\"org-list\""));
}

#[test]
fn role_without_activity_warns_with_its_line() {
    let site = Site::new().with(
        "content/a.md",
        "+++\ntitle = \"甲\"\n\n[[roles]]\nid = \"idle\"\ntitle = \"闲置岗位\"\n+++\n",
    );
    let run = site.check(&["--format", "json"]);
    run.success();
    run.single("W055")
        .assert_at("content/a.md", 5, 6)
        .assert_severity("warning");
}

#[test]
fn rasci_scheme_accepts_s_and_labels_can_be_overridden() {
    let site = Site::empty()
        .with(
            "config.toml",
            "title = \"t\"\nlanguage = \"zh-CN\"\n[matrix]\nscheme = \"RASCI\"\n[matrix.labels]\nA = \"第一责任人\"\n",
        )
        .with(
            "content/a.md",
            "+++\ntitle = \"甲\"\n[[roles]]\nid = \"x\"\ntitle = \"X\"\n[[roles]]\nid = \"y\"\ntitle = \"Y\"\n[[activities]]\nid = \"w\"\ntitle = \"W\"\nraci = { x = \"A/R\", y = \"S\" }\n+++\n",
        );
    site.build(&[]).success();
    let html = site.read("output/a/index.html");
    assert!(html.contains("data-letter=\"S\""));
    assert!(
        html.contains("第一责任人"),
        "overridden label in the legend"
    );
}
