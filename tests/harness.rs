//! Self-tests of the harness in `tests/common/` (the HTML scanner and
//! location arithmetic), so a broken helper cannot make other tests pass.

mod common;

use common::*;

#[test]
fn scanner_reads_attributes_and_text() {
    let html = r#"<!doctype html><!-- <a href="commented.html"> --><p id="a3" class="article">第三条 <a href="../x/index.html#a1" title='t'>安全&amp;环保</a></p><script>if (a<b) { x = "<a href='js.html'>"; }</script><img src=x.png alt="">"#;
    assert_eq!(urls(html), vec!["../x/index.html#a1", "x.png"]);
    assert_eq!(ids(html), vec!["a3"]);
    let l = links(html);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].text, "安全&环保");
    assert_eq!(element_by_id(html, "a3").unwrap().text, "第三条 安全&环保");
}

#[test]
fn inner_html_handles_nesting() {
    let html =
        r#"<section id="s"><section>inner</section><a href="x">y</a></section><a href="z">w</a>"#;
    let inner = inner_by_id(html, "s").unwrap();
    assert_eq!(links(inner).len(), 1);
    assert!(inner.ends_with("<a href=\"x\">y</a>"));
}

#[test]
fn entities_and_percent_decoding() {
    assert_eq!(
        decode_entities("a&amp;b&#x27;c&#39;&lt;&unknown;"),
        "a&b'c'<&unknown;"
    );
    assert_eq!(percent_decode("%E5%AE%89x%2"), "安x%2");
    assert_eq!(percent_decode("%zz"), "%zz");
}

#[test]
fn locations_count_characters() {
    assert_eq!(loc("ab\n中文x", "x"), (2, 3));
    assert_eq!(loc("\u{feff}a\r\nb", "b"), (2, 1));
}

#[test]
fn url_helpers() {
    assert_eq!(
        join_url("a/b/index.html", "../../c.css"),
        Some("c.css".into())
    );
    assert_eq!(
        join_url("a/b/index.html", "./c/index.html"),
        Some("a/b/c/index.html".into())
    );
    assert_eq!(join_url("index.html", "../c.css"), None);
    assert!(is_external("https://x.test/a"));
    assert!(is_external("mailto:a@b.c"));
    assert!(is_external("//cdn.test/x.js"));
    assert!(!is_external("a/b:c.html"));
    assert!(!is_external("../x/index.html#a:1"));
}
