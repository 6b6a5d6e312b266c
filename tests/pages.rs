//! What the default theme's pages show (spec §2, §5, §6): the home page
//! lists groups by weight and departments by pinyin; a department page
//! shows its metadata. Fixture: `tests/fixtures/basic/`.

mod common;

use common::*;

fn built() -> Site {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    site
}

/// Position of the first link with this text (panics if none).
#[track_caller]
fn pos(html: &str, text: &str) -> usize {
    let l = links(html);
    l.iter()
        .position(|x| x.text == text)
        .unwrap_or_else(|| panic!("no link {text:?}"))
}

#[test]
fn groups_are_ordered_by_weight() {
    let site = built();
    let main = inner_by_id(&site.read("output/index.html"), "main")
        .expect("id=main")
        .to_string();
    // 运营 (weight 10) before 综合管理 (weight 20), whatever their pinyin.
    assert!(pos(&main, "运营") < pos(&main, "综合管理"));
}

#[test]
fn weight_orders_departments_before_their_title() {
    // Without weights: 安全环保部 (anquan) before 质量部 (zhiliang).
    let site = built();
    let main = inner_by_id(&site.read("output/ops/index.html"), "main")
        .expect("id=main")
        .to_string();
    assert!(pos(&main, "安全环保部") < pos(&main, "质量部"));

    // With weights, the lighter one comes first whatever its title.
    let site = Site::fixture("basic");
    site.write(
        "content/ops/safety.md",
        site.read("content/ops/safety.md").replace(
            "title = \"安全环保部\"",
            "title = \"安全环保部\"\nweight = 5",
        ),
    );
    site.write(
        "content/ops/quality.md",
        site.read("content/ops/quality.md")
            .replace("title = \"质量部\"", "title = \"质量部\"\nweight = 1"),
    );
    site.build(&[]).success();
    let main = inner_by_id(&site.read("output/ops/index.html"), "main")
        .unwrap()
        .to_string();
    assert!(
        pos(&main, "质量部") < pos(&main, "安全环保部"),
        "weight first"
    );
}

#[test]
fn pinyin_not_code_points_decides_the_order() {
    // 周 (zhou, U+5468) sorts after 李 (li, U+674E) by pinyin, before it by code point.
    let site = Site::new()
        .with("content/g/_index.md", "+++\ntitle = \"组\"\n+++\n")
        .with("content/g/zhou.md", "+++\ntitle = \"周转部\"\n+++\n")
        .with("content/g/li.md", "+++\ntitle = \"李家部\"\n+++\n");
    site.build(&[]).success();
    let main = inner_by_id(&site.read("output/g/index.html"), "main")
        .unwrap()
        .to_string();
    assert!(pos(&main, "李家部") < pos(&main, "周转部"));
}

#[test]
fn department_page_shows_its_metadata() {
    let site = built();
    let html = site.read("output/ops/safety/index.html");
    let text = text_of(inner_by_id(&html, "main").unwrap());
    for part in ["安全环保部", "负责安全施工管理", "2024-03-01", "1.0"] {
        assert!(text.contains(part), "{part:?} not shown");
    }
    // Its roles, linked by title.
    let roles = inner_by_id(&html, "roles").expect("id=roles");
    let titles: Vec<String> = links(roles).into_iter().map(|l| l.text).collect();
    assert!(titles.contains(&"部门经理".to_string()) && titles.contains(&"专责安全员".to_string()));
}

#[test]
fn english_ui_strings() {
    let site = Site::fixture("basic");
    site.write(
        "config.toml",
        site.read("config.toml").replace("zh-CN", "en"),
    );
    site.build(&[]).success();
    let html = site.read("output/ops/safety/index.html");
    assert!(html.contains("<html lang=\"en\""), "lang attribute");
    let zh = Site::fixture("basic");
    zh.build(&[]).success();
    let zh_html = zh.read("output/ops/safety/index.html");
    assert!(zh_html.contains("<html lang=\"zh"), "zh lang attribute");
    assert_ne!(
        text_of(inner_by_id(&html, "toc").unwrap()),
        text_of(inner_by_id(&zh_html, "toc").unwrap()),
        "the table of contents heading is translated"
    );
}
