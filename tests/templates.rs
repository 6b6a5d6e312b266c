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
