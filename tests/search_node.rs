//! The theme's search.js against the example site's real index, in Node
//! (tests/search/harness.js): every CJK bigram of the text, substrings of
//! 3–6 characters and the queries below must find exactly the pages whose
//! text holds them (a brute-force scan of the same text), and the shown
//! results must link to existing pages and anchors with the hit marked.
//! Skipped, loudly, when `node` is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn node() -> Option<String> {
    let ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| "node".to_string())
}

fn build_example(out: &Path) {
    let run = Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(["build", "--root"])
        .arg(repo())
        .arg("--output")
        .arg(out)
        .output()
        .expect("run charter");
    assert!(
        run.status.success(),
        "build failed\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Queries, and whether each must find something on the example site.
const QUERIES: &[(&str, bool)] = &[
    ("考勤", true),
    ("罚款", true),
    ("易制毒化学品", true),
    ("部门负责人", true),
    ("量子纠缠", false),
    ("dvd", true),
    ("After", true),
    ("zzyzx", false),
];

#[test]
fn search_js_finds_exactly_the_pages_that_hold_the_query() {
    let Some(node) = node() else {
        eprintln!("SKIPPED: node not found (search_node needs Node.js ≥ 18 on PATH)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build_example(&out);
    let run = Command::new(node)
        .arg(repo().join("tests/search/harness.js"))
        .arg(&out)
        .arg("check")
        .args(QUERIES.iter().map(|q| q.0))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "harness failed\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON report");
    let failures = report["failures"].as_array().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} queries differ from the brute-force scan, e.g. {:#}",
        failures.len(),
        report["queries"],
        failures[..failures.len().min(5)]
            .to_vec()
            .into_iter()
            .collect::<serde_json::Value>()
    );
    let bigrams = report["bigrams"].as_u64().unwrap();
    assert!(
        bigrams > 1000,
        "every CJK bigram of the text is checked: {bigrams}"
    );
    eprintln!(
        "search_node: {} queries ({} bigrams) over {} pages, all exact",
        report["queries"], bigrams, report["pages"]
    );
    for &(q, found) in QUERIES {
        let g = &report["given"][q];
        assert_eq!(g["count"], g["expected"], "{q}: {g:#}");
        let n = g["count"].as_u64().unwrap();
        assert_eq!(n > 0, found, "{q}: {n} results");
        assert_eq!(g["problems"], serde_json::json!([]), "{q}: {g:#}");
        eprintln!("  {q}: {n} pages");
    }
}
