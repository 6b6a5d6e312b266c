//! Themes and templates (spec §1): the built-in default theme needs no
//! themes/ folder; `themes/<name>/templates/X.html` and the site's
//! `templates/X.html` replace the built-in `X.html` (the site's first);
//! a template error is E030 naming the template.
//! Fixtures: `template-override/`, `theme-custom/`, `basic/`.

mod common;

use common::*;

#[test]
fn site_without_themes_folder_builds_with_the_built_in_theme() {
    let site = Site::fixture("basic");
    assert!(!site.root().join("themes").exists());
    assert!(!site.root().join("templates").exists());
    let run = site.build(&["--format", "json"]);
    run.success();
    let html = site.read("output/ops/safety/index.html");
    // The default theme's stable hooks on a department page (spec §5).
    assert!(element_by_id(&html, "toc").is_some(), "id=toc");
    assert!(element_by_id(&html, "roles").is_some(), "id=roles");
    assert!(!site.read("output/style.css").is_empty());
}

#[test]
fn site_templates_replace_the_built_in_template() {
    let site = Site::fixture("template-override");
    site.build(&["--format", "json"]).success();
    let html = site.read("output/dept/index.html");
    assert!(html.contains("<h1>SITE-OVERRIDE 覆盖部门</h1>"), "{html}");
    assert!(element_by_id(&html, "site-override-department").is_some());
    // The built-in department template is gone (its table of contents with it)…
    assert!(element_by_id(&html, "toc").is_none(), "{html}");
    // …but the built-in base.html it extends is still there, and the body renders.
    assert!(
        html.contains("<link rel=\"stylesheet\""),
        "base.html from the theme"
    );
    assert_eq!(element_by_id(&html, "a1").unwrap().text, "第一条 正文。");
}

#[test]
fn theme_templates_replace_the_built_in_template() {
    let site = Site::fixture("theme-custom");
    site.build(&["--format", "json"]).success();
    let html = site.read("output/dept/index.html");
    assert!(html.contains("<h1>THEME-CUSTOM 主题部门</h1>"), "{html}");
    assert!(element_by_id(&html, "toc").is_none());
    // The theme's static files are copied too, next to the built-in ones.
    assert_eq!(site.read("output/custom.css"), "/* custom theme extra */\n");
    assert!(site.out().join("style.css").is_file());
}

#[test]
fn site_templates_win_over_the_theme() {
    let site = Site::fixture("theme-custom").with(
        "templates/department.html",
        "{% extends \"base.html\" %}{% block content %}<h1>SITE-WINS {{ page.title }}</h1>{% endblock content %}\n",
    );
    site.build(&["--format", "json"]).success();
    let html = site.read("output/dept/index.html");
    assert!(html.contains("<h1>SITE-WINS 主题部门</h1>"), "{html}");
    assert!(!html.contains("THEME-CUSTOM"));
}

#[test]
fn overriding_base_html_changes_every_page() {
    // The built-in base.html with a marker: a child template may only fill
    // blocks its parent has, so an override keeps the theme's blocks.
    let builtin = read(&repo_root().join("themes/default/templates/base.html"));
    assert!(builtin.contains("<body>"));
    let ours = builtin.replace("<body>", "<body><div id=\"my-base\"></div>");
    let site = Site::fixture("basic").with("templates/base.html", ours);
    site.build(&["--format", "json"]).success();
    for page in [
        "index.html",
        "ops/index.html",
        "ops/safety/index.html",
        "404.html",
    ] {
        let html = site.read(&format!("output/{page}"));
        assert!(element_by_id(&html, "my-base").is_some(), "{page}: {html}");
    }
    // The built-in department template still fills the block.
    let html = site.read("output/ops/safety/index.html");
    assert!(element_by_id(&html, "toc").is_some());
}

#[test]
fn unknown_theme_is_a_config_error() {
    let site = Site::fixture("basic");
    site.write(
        "config.toml",
        site.read("config.toml") + "theme = \"custm\"\n",
    );
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    let d = run.single("E020");
    assert_eq!(
        (d.file.as_deref(), d.line),
        (Some("config.toml"), Some(4)),
        "{d:#?}"
    );
}

#[test]
fn template_syntax_error_names_the_template() {
    let src = "{% extends \"base.html\" %}\n{% block content %}\n{% if page.title %}\n<h1>{{ page.title }}</h1>\n{% endblock content %}\n";
    let site = Site::fixture("basic").with("templates/department.html", src);
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["E030"], "{run}");
    let d = run.single("E030");
    assert_eq!(
        d.file.as_deref(),
        Some("templates/department.html"),
        "the template's path, relative to the root: {d:#?}"
    );
    assert!(d.line.is_some_and(|l| (3..=5).contains(&l)), "{d:#?}");
    assert!(!site.out().exists());
    site.check(&["--format", "json"]).expect_code(1);
}

#[test]
fn template_syntax_error_in_a_theme_names_the_theme_file() {
    let site = Site::fixture("theme-custom").with(
        "themes/custom/templates/department.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title \n{% endblock content %}\n",
    );
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    let d = run.single("E030");
    assert_eq!(
        d.file.as_deref(),
        Some("themes/custom/templates/department.html"),
        "{d:#?}"
    );
}

#[test]
fn template_rendering_error_names_the_template() {
    let site = Site::fixture("basic").with(
        "templates/group.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ nosuch.field }}\n{% endblock content %}\n",
    );
    let run = site.build(&["--format", "json"]);
    run.expect_code(1);
    assert!(run.codes().iter().all(|c| c == "E030"), "{run}");
    let d = &run.errors()[0];
    assert_eq!(d.file.as_deref(), Some("templates/group.html"), "{d:#?}");
    assert_eq!(d.line, Some(3), "{d:#?}");
}

/// Every file under `dir`, relative path → bytes.
fn tree(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The built-in sidebar is one script for the whole site (`nav.js`, the
/// tree as JSON, built into the page by the theme's `sidebar.js`): every
/// page holds only a slot with its own address and a link to the home
/// page. A site's own nav.html is rendered on every page instead. (That
/// the two give the same list in a browser: `sidebar_e2e.rs`.)
#[test]
fn the_built_in_sidebar_is_one_script_and_a_site_nav_html_is_rendered_on_every_page() {
    let nav =
        std::fs::read_to_string(repo_root().join("themes/default/templates/nav.html")).unwrap();
    for (n, site) in sidebar_sites().into_iter().enumerate() {
        let built_in = site.scratch().join("out-js");
        let own = site.scratch().join("out-own");
        site.build(&["--format", "json", "--output", built_in.to_str().unwrap()])
            .success();
        site.write("templates/nav.html", &nav);
        site.build(&["--format", "json", "--output", own.to_str().unwrap()])
            .success();
        let (a, b) = (tree(&built_in), tree(&own));
        assert!(a.len() > 20, "{} files", a.len());
        // The tree: every group, in order; departments only on the small site.
        let script = String::from_utf8_lossy(&a["nav.js"]).into_owned();
        let json = script
            .strip_prefix("CharterNav(")
            .and_then(|s| s.strip_suffix(");\n"))
            .expect("CharterNav(…);");
        let data: serde_json::Value = serde_json::from_str(json).unwrap();
        let groups = data["g"].as_array().unwrap();
        let docs: usize = groups
            .iter()
            .map(|g| g["d"].as_array().unwrap().len())
            .sum();
        if n == 0 {
            assert_eq!(groups[0]["t"], "工程项目安全职责");
            assert_eq!(groups[0]["h"], "construction/index.html");
            assert_eq!(groups[0]["d"][2]["u"], "construction/safety/");
            assert_eq!(docs, 19, "every department of the example");
        } else {
            let titles: Vec<&str> = groups.iter().map(|g| g["t"].as_str().unwrap()).collect();
            assert_eq!(titles, ["组0", "组1", "组2"]);
            assert_eq!(docs, 0, "groups only over the limit");
        }
        let mut checked = 0;
        for (path, bytes) in a.iter().filter(|(k, _)| k.ends_with("index.html")) {
            let page = String::from_utf8_lossy(bytes);
            if !page.contains("<nav class=\"sidebar\"") {
                continue; // the printable handbook has no sidebar
            }
            let url = path.strip_suffix("index.html").unwrap();
            let root = "../".repeat(url.matches('/').count());
            assert!(
                page.contains(&format!(
                    "<div class=\"nav-slot\" data-root=\"{root}\" data-page=\"{url}\"><a href=\"{root}index.html\">"
                )),
                "{path}: no slot for the sidebar"
            );
            assert!(
                !page.contains("nav-tree"),
                "{path}: the tree is in the page"
            );
            let own = String::from_utf8_lossy(&b[path]);
            assert!(
                own.contains("<ul class=\"nav-tree\">"),
                "{path}: no nav.html"
            );
            assert!(!own.contains("nav-slot"), "{path}");
            checked += 1;
        }
        assert!(checked > 20, "{checked} pages with a sidebar");
    }
}

/// With the built-in roles.html and matrix.html the role index and the
/// matrix pages are rendered in parts (one initial's section with
/// role_initial.html, one table with matrix_section.html) spliced into the
/// page (src/pages/mod.rs, Parts: `serve` renders again only the parts an
/// edit changed); a site's own roles.html or matrix.html gets everything
/// in one context and renders the page in one piece. A site copy of the
/// built-in template takes the second way and must give the same bytes;
/// a site's own part template is used by the first.
#[test]
fn pages_rendered_in_parts_equal_pages_rendered_in_one_piece() {
    let site = Site::empty();
    copy_dir(&repo_root().join("content"), &site.root().join("content"));
    std::fs::copy(
        repo_root().join("config.toml"),
        site.root().join("config.toml"),
    )
    .unwrap();
    let cases = [
        (
            "roles.html",
            "roles/index.html",
            "<section class=\"initial\"",
            "role_initial.html",
            "<section class=\"mine\">{{ group.letter }}: {{ group.roles | length }}</section>",
        ),
        (
            "matrix.html",
            "matrix/index.html",
            "<section class=\"matrix-section\"",
            "matrix_section.html",
            "<section class=\"mine\">{{ index }}: {{ matrix.title }}</section>",
        ),
    ];
    for (page, path, part, part_template, mine) in cases {
        let builtin =
            std::fs::read_to_string(repo_root().join("themes/default/templates").join(page))
                .unwrap();
        let split = site.scratch().join("out-split");
        let whole = site.scratch().join("out-whole");
        site.build(&["--format", "json", "--output", split.to_str().unwrap()])
            .success();
        site.write(&format!("templates/{page}"), &builtin);
        site.build(&["--format", "json", "--output", whole.to_str().unwrap()])
            .success();
        let a = std::fs::read_to_string(split.join(path)).unwrap();
        let b = std::fs::read_to_string(whole.join(path)).unwrap();
        assert_eq!(a, b, "{page}");
        let parts = a.matches(part).count();
        assert!(parts >= 5, "{page}: {parts} parts");
        assert!(
            !a.contains('\u{E001}'),
            "{page}: a splice marker left in the page"
        );
        // The site's own part template, in the parts.
        site.write(&format!("templates/{part_template}"), mine);
        std::fs::remove_file(site.root().join("templates").join(page)).unwrap();
        site.build(&["--format", "json", "--output", split.to_str().unwrap()])
            .success();
        let c = std::fs::read_to_string(split.join(path)).unwrap();
        assert_eq!(
            c.matches("<section class=\"mine\">").count(),
            parts,
            "{page}: {c}"
        );
        std::fs::remove_file(site.root().join("templates").join(part_template)).unwrap();
    }
}
