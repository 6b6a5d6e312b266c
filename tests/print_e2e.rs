//! The printable handbook printed for real (issue 8): headless Chromium
//! prints `/print/` of the example site (opened from disk) to PDF, and
//! poppler's `pdfinfo` and `pdftotext` check it: A4 pages in the expected
//! number, the cover's title and edition date, the charters and their
//! articles, page numbers, and no navigation chrome. A second site with a
//! wide responsibility matrix checks that the matrix gets a landscape page,
//! and a third, big enough to print in volumes, that a volume prints with
//! its own cover.
//!
//! Runs only with `CHARTER_E2E=1` (`.ci/run` installs chromium,
//! poppler-utils and fonts-noto-cjk, and sets it).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn skip(test: &str) -> bool {
    if std::env::var("CHARTER_E2E").is_ok_and(|v| v == "1") {
        return false;
    }
    eprintln!(
        "\n\n*** SKIPPED {test} (set CHARTER_E2E=1 and install chromium, poppler-utils and fonts-noto-cjk) ***\n"
    );
    true
}

/// Prints `page` (a file) to `<dir>/h.pdf` with headless Chromium.
fn print_to_pdf(page: &Path, dir: &Path) -> PathBuf {
    let pdf = dir.join("h.pdf");
    let profile = dir.join("profile");
    let url = format!("file://{}", page.display());
    let mut child = headless_chromium(&profile)
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium (apt-get install chromium)");
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish printing in 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(pdf.is_file(), "chromium wrote no PDF");
    pdf
}

fn tool(cmd: &str, args: &[&str], pdf: &Path) -> String {
    let o = Command::new(cmd)
        .args(args)
        .arg(pdf)
        .args(if cmd == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("run {cmd} (apt-get install poppler-utils): {e}"));
    assert!(
        o.status.success(),
        "{cmd} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8")
}

fn page_count(pdf: &Path) -> usize {
    tool("pdfinfo", &[], pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints Pages:")
}

/// Width and height in points of every page.
fn page_sizes(pdf: &Path, pages: usize) -> Vec<(f64, f64)> {
    let info = tool("pdfinfo", &["-f", "1", "-l", &pages.to_string()], pdf);
    info.lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size:"))
        .map(|l| {
            let dims = l.split("size:").nth(1).unwrap();
            let mut nums = dims
                .split_whitespace()
                .filter_map(|w| w.parse::<f64>().ok());
            (nums.next().unwrap(), nums.next().unwrap())
        })
        .collect()
}

fn is_a4_portrait((w, h): (f64, f64)) -> bool {
    (w - 595.0).abs() < 2.0 && (h - 842.0).abs() < 2.0
}

fn is_a4_landscape((w, h): (f64, f64)) -> bool {
    is_a4_portrait((h, w))
}

/// Text of the PDF without the spaces pdftotext puts between CJK glyphs.
fn text(pdf: &Path, first: Option<usize>) -> String {
    let range: Vec<String> = first
        .map(|p| vec!["-f".into(), p.to_string(), "-l".into(), p.to_string()])
        .unwrap_or_default();
    let args: Vec<&str> = range.iter().map(String::as_str).collect();
    tool("pdftotext", &args, pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("")
}

#[test]
fn the_example_handbook_prints_to_a_clean_pdf() {
    if skip("the_example_handbook_prints_to_a_clean_pdf") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    charter_in(
        tmp.path(),
        &[
            "build",
            "--root",
            repo_root().to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
    )
    .success();
    let pdf = print_to_pdf(&out.join("print/index.html"), tmp.path());

    // 19 charters, each starting on a new page, after a cover and two
    // contents pages' worth at most. Printed with the fonts CI installs
    // (Noto CJK) this is 51 pages: the bodies take 1–4 pages each and every
    // matrix fits on one. The range allows for other font metrics, and
    // catches lost page breaks (fewer than one page per charter), a lost
    // stylesheet (screen layout, far more pages) or split tables.
    let pages = page_count(&pdf);
    assert!((40..=65).contains(&pages), "{pages} pages");
    let sizes = page_sizes(&pdf, pages);
    assert_eq!(sizes.len(), pages);
    assert!(
        sizes.iter().all(|&s| is_a4_portrait(s)),
        "the example's matrices are narrow: all pages A4 portrait: {sizes:?}"
    );

    let all = text(&pdf, None);
    for part in [
        "部门及管理制度示例",
        "项目部",
        "安全环保部",
        "易制毒化学品管理领导小组",
        "影视部",
        "售前部门",
        "第一条",
        "岗位设置",
        "责任矩阵",
        "2025-04-01",
        "试行",
    ] {
        assert!(all.contains(part), "the PDF does not contain {part}");
    }
    for chrome in [
        "跳到正文",
        "岗位索引",
        "部门导航",
        "本页汇集全部制度",
        "搜索",
    ] {
        assert!(
            !all.contains(chrome),
            "navigation chrome in the PDF: {chrome}"
        );
    }

    // The cover: the title and the edition date, nothing else.
    let cover = text(&pdf, Some(1));
    assert_eq!(cover, "部门及管理制度示例修订截至2025-04-01", "cover");
    // The contents follow, numbered pages from there on.
    let toc = text(&pdf, Some(2));
    assert!(toc.starts_with("目录"), "{toc}");
    assert!(
        toc.contains(&format!("2/{pages}")),
        "page number on page 2: {toc}"
    );
    let (p, s) = (toc.find("项目部").unwrap(), toc.find("安全环保部").unwrap());
    assert!(p < s, "reading order in the contents");
    // Each charter starts a page: page 3 is the first charter's.
    let third = text(&pdf, Some(3));
    assert!(third.starts_with("工程项目安全职责项目部"), "{third}");
}

#[test]
fn a_wide_matrix_prints_on_a_landscape_page() {
    if skip("a_wide_matrix_prints_on_a_landscape_page") {
        return;
    }
    let roles: String = (1..=12)
        .map(|i| format!("[[roles]]\nid = \"r{i}\"\ntitle = \"岗位{i}号专员\"\n\n"))
        .collect();
    let acts: String = (2..=12)
        .map(|j| {
            let raci: Vec<String> = (2..=12)
                .map(|i| format!("r{i} = \"{}\"", if i == j { "R" } else { "C" }))
                .collect();
            format!(
                "[[activities]]\nid = \"a{j}\"\ntitle = \"事项{j}\"\nraci = {{ r1 = \"A\", {} }}\n\n",
                raci.join(", ")
            )
        })
        .collect();
    let site = Site::new()
        .with(
            "content/g/_index.md",
            "+++\ntitle = \"分组\"\n+++\n",
        )
        .with(
            "content/g/wide.md",
            format!("+++\ntitle = \"宽部门\"\nweight = 1\nrevised = 2024-05-06\n{roles}{acts}+++\n第一条 本部门职责。\n"),
        )
        .with(
            "content/g/narrow.md",
            "+++\ntitle = \"窄部门\"\nweight = 2\n[[roles]]\nid = \"x\"\ntitle = \"负责人\"\n[[activities]]\nid = \"t\"\ntitle = \"事务\"\nraci = { x = \"A/R\" }\n+++\n第一条 总则。\n",
        );
    site.build(&[]).success();
    let pdf = print_to_pdf(&site.out().join("print/index.html"), site.scratch());
    let pages = page_count(&pdf);
    let sizes = page_sizes(&pdf, pages);
    // Cover, contents, the wide charter, its matrix on its own landscape
    // page, the narrow charter with its matrix.
    assert_eq!(pages, 5, "{sizes:?}");
    let landscape: Vec<usize> = (0..pages).filter(|&i| is_a4_landscape(sizes[i])).collect();
    assert_eq!(
        landscape,
        [3],
        "only the wide matrix is landscape: {sizes:?}"
    );
    assert!(
        sizes
            .iter()
            .all(|&s| is_a4_portrait(s) || is_a4_landscape(s))
    );
    let wide = text(&pdf, Some(4));
    assert!(wide.starts_with("宽部门·责任矩阵"), "{wide}");
    // Every cell made it onto the page (vertical role headers come out of
    // pdftotext in pieces, so count letters and headers instead): 11
    // activities × 12 roles, one A, one R and ten C each.
    for j in 2..=12 {
        assert!(
            wide.contains(&format!("事项{j}")),
            "row {j} missing: {wide}"
        );
    }
    let count = |c: char| wide.chars().filter(|&x| x == c).count();
    assert!(
        count('A') >= 11 && count('R') >= 11 && count('C') >= 110,
        "cells cut off: {wide}"
    );
    assert!(
        wide.matches("岗位").count() >= 12,
        "role columns cut off: {wide}"
    );
    let narrow = text(&pdf, Some(5));
    assert!(
        narrow.contains("窄部门") && narrow.contains("责任矩阵"),
        "{narrow}"
    );
}

#[test]
fn a_volume_of_a_split_handbook_prints_with_its_own_cover() {
    if skip("a_volume_of_a_split_handbook_prints_with_its_own_cover") {
        return;
    }
    // 151 charters (one more than print::SPLIT_DOCS): 150 in one group,
    // and the volume printed here, 乙组, with one.
    let mut site = Site::new()
        .with("content/a/_index.md", "+++\ntitle = \"甲组\"\nweight = 1\n+++\n")
        .with("content/b/_index.md", "+++\ntitle = \"乙组\"\nweight = 2\n+++\n")
        .with(
            "content/b/only.md",
            "+++\ntitle = \"乙部门\"\nrevised = 2024-05-06\n[[roles]]\nid = \"x\"\ntitle = \"负责人\"\n[[activities]]\nid = \"t\"\ntitle = \"事务\"\nraci = { x = \"A/R\" }\n+++\n第一条 乙部门总则。\n",
        );
    for i in 0..150 {
        site = site.with(
            &format!("content/a/a{i:03}.md"),
            format!("+++\ntitle = \"甲部门{i}\"\nrevised = 2025-01-01\n+++\n第一条 正文。\n"),
        );
    }
    site.build(&[]).success();
    let pdf = print_to_pdf(&site.out().join("print/b/index.html"), site.scratch());
    let pages = page_count(&pdf);
    // Cover, contents, the charter.
    assert_eq!(pages, 3);
    assert!(page_sizes(&pdf, pages).into_iter().all(is_a4_portrait));
    assert_eq!(
        text(&pdf, Some(1)),
        "测试站点乙组修订截至2024-05-06",
        "cover"
    );
    let toc = text(&pdf, Some(2));
    assert!(toc.starts_with("目录") && toc.contains("乙部门"), "{toc}");
    assert!(!toc.contains("甲部门"), "another volume's charter: {toc}");
    let charter = text(&pdf, Some(3));
    assert!(
        charter.contains("乙部门总则") && charter.contains("责任矩阵"),
        "{charter}"
    );
    assert!(
        !text(&pdf, None).contains("全部分册"),
        "the note is printed"
    );
}
