//! Source encodings (spec §2): UTF-8 only; a GBK file is an error naming
//! the file and the line and column of the first bad byte; a UTF-8 BOM and
//! CRLF line endings are fine, and line numbers stay right.

mod common;

use common::*;

#[test]
fn gbk_file_is_rejected_with_file_line_and_column() {
    // `title = "安全"` with 安全 in GBK (B0 B2 C8 AB).
    let mut bytes = b"+++\ntitle = \"".to_vec();
    bytes.extend_from_slice(b"\xB0\xB2\xC8\xAB");
    bytes.extend_from_slice(b"\"\n+++\n");
    let s = Site::new().with("content/gbk.md", bytes);
    let run = s.build(&["--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["E002"], "{run}");
    run.single("E002")
        .assert_at("content/gbk.md", 2, 10)
        .assert_message_contains("content/gbk.md");
    assert!(!s.out().exists());
    s.check(&["--format", "json"]).expect_code(1);
}

#[test]
fn gbk_bytes_after_chinese_text_are_located_in_characters() {
    // 标题：(UTF-8, three characters) then 安全 in GBK: column 4, not byte 10.
    let mut bytes = "+++\ntitle = \"甲\"\n+++\n标题：".as_bytes().to_vec();
    bytes.extend_from_slice(b"\xB0\xB2\xC8\xAB\n");
    let s = Site::new().with("content/mixed.md", bytes);
    let run = s.build(&["--format", "json"]);
    run.expect_code(1);
    run.single("E002").assert_at("content/mixed.md", 4, 4);
}

#[test]
fn gbk_error_in_human_format_names_the_file() {
    let s = Site::new().with("content/gbk.md", b"+++\ntitle = \"\xB0\xB2\"\n+++\n");
    let run = s.build(&[]);
    run.expect_code(1);
    assert!(run.stderr.contains("error[E002]"), "{run}");
    assert!(run.stderr.contains("--> content/gbk.md:2:10"), "{run}");
}

/// A BOM, CRLF everywhere, a role, an activity with a clause, and two
/// article lines without a blank line between them.
const BOM_CRLF: &str = "\u{feff}+++\r\ntitle = \"安全环保部\"\r\nid = \"safety\"\r\n\r\n[[roles]]\r\nid = \"manager\"\r\ntitle = \"部门经理\"\r\n\r\n[[activities]]\r\nid = \"check\"\r\ntitle = \"安全检查\"\r\nclause = \"a2\"\r\nraci = { manager = \"A/R\" }\r\n+++\r\n## 第一章 总则\r\n\r\n第一条 为加强安全\r\n管理，制定本制度。\r\n第二条 部门经理组织检查。\r\n";

#[test]
fn bom_and_crlf_build_fine() {
    let s = Site::new().with("content/safety.md", BOM_CRLF);
    let run = s.build(&["--format", "json"]);
    run.success();
    assert_eq!(run.diagnostics(), vec![], "{run}");
    let html = s.read("output/safety/index.html");
    assert!(!html.contains('\u{feff}'), "no BOM in the output");
    assert!(!html.contains('\r'), "no CR in the output");
    let h1 = tags(&html)
        .into_iter()
        .find(|t| t.name == "h1")
        .expect("an h1");
    let h1_text = text_of(&html[h1.end..h1.end + html[h1.end..].find("</h1>").unwrap()]);
    assert_eq!(h1_text, "安全环保部");
    assert_eq!(element_by_id(&html, "ch1").unwrap().text, "第一章 总则");
    assert_eq!(
        element_by_id(&html, "a1").unwrap().text,
        "第一条 为加强安全管理，制定本制度。"
    );
    assert_eq!(
        element_by_id(&html, "a2").unwrap().text,
        "第二条 部门经理组织检查。"
    );
}

#[test]
fn bom_and_crlf_keep_line_numbers_of_later_errors() {
    let src = BOM_CRLF
        .replace(
            "title = \"部门经理\"\r\n",
            "title = \"部门经理\"\r\nreports_to = \"nobody\"\r\n",
        )
        .replace("部门经理组织检查。", "部门经理按[[#a9]]组织检查。");
    let s = Site::new().with("content/safety.md", &src);
    let run = s.build(&["--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["E012", "E013"], "{run}");
    // Line 8 and line 20; columns in characters, the BOM not counted.
    run.single("E012")
        .assert_at_text("content/safety.md", &src, "\"nobody\"")
        .assert_at("content/safety.md", 8, 14);
    run.single("E013")
        .assert_at_text("content/safety.md", &src, "[[#a9]]")
        .assert_at("content/safety.md", 20, 10);
}

#[test]
fn bom_and_crlf_in_config_toml() {
    let s = Site::empty()
        .with(
            "config.toml",
            "\u{feff}title = \"站点\"\r\nbase_url = \"https://example.com/\"\r\n",
        )
        .with("content/safety.md", BOM_CRLF);
    let run = s.build(&["--format", "json"]);
    run.success();
    assert_eq!(run.diagnostics(), vec![], "{run}");
    assert!(s.read("output/index.html").contains("站点"));
}
