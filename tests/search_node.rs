//! The theme's search.js against the example site's real index, in Node
//! (tests/search/harness.js): every CJK bigram of the text, substrings of
//! 3–6 characters and the queries below must find exactly the pages whose
//! text holds them (a brute-force scan of the same text), and the shown
//! results must link to existing pages and anchors with the hit marked.
//! The same on a generated index of several groups of chunks. Another
//! test checks that search.js normalizes and tokenizes exactly as the Rust
//! side does. Skipped, loudly, when `node` is not installed.

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

/// Runs the harness's `check` over the index in `out` for `queries` (and
/// `HARNESS_EVERY` if given), expects every result to equal the
/// brute-force scan, and returns its report.
fn check<Q: AsRef<std::ffi::OsStr>>(
    node: &str,
    out: &Path,
    queries: impl IntoIterator<Item = Q>,
    every: Option<&str>,
) -> serde_json::Value {
    check_with(node, out, queries, every, &[])
}

/// [`check`] with more environment variables for the harness.
fn check_with<Q: AsRef<std::ffi::OsStr>>(
    node: &str,
    out: &Path,
    queries: impl IntoIterator<Item = Q>,
    every: Option<&str>,
    env: &[(&str, &str)],
) -> serde_json::Value {
    let mut cmd = Command::new(node);
    cmd.arg(repo().join("tests/search/harness.js"))
        .arg(out)
        .arg("check")
        .args(queries)
        .envs(env.iter().copied());
    if let Some(n) = every {
        cmd.env("HARNESS_EVERY", n);
    }
    let run = cmd.output().expect("run node");
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
        serde_json::Value::from(&failures[..failures.len().min(5)])
    );
    report
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
    let report = check(&node, &out, QUERIES.iter().map(|q| q.0), None);
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

/// An index big enough for several groups of chunks (the example site's
/// fits in one), written with search.js beside it as a site would have it:
/// random text over a small alphabet, so that terms recur across pages.
fn big_index(dir: &Path) -> (usize, Vec<String>) {
    use charter::search::{Block, Entry, Field, index};
    let alphabet: Vec<char> =
        "部门负责人考勤罚款安全管理制度易毒化学品员工组织检查计划财务预算培训档案采购合同，。"
            .chars()
            .collect();
    let mut seed = 5u64;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    let entries: Vec<Entry> = (0..3000)
        .map(|i| {
            let mut text = |len: usize| -> String {
                (0..len).map(|_| alphabet[next(alphabet.len())]).collect()
            };
            let title = text(2);
            Entry {
                url: format!("p{i}/"),
                title: title.clone(),
                subtitle: String::new(),
                blocks: vec![
                    Block {
                        anchor: None,
                        field: Field::Title,
                        text: title,
                    },
                    Block {
                        anchor: Some("a1".into()),
                        field: Field::Body,
                        text: text(160),
                    },
                ],
            }
        })
        .collect();
    let files = index::build(&entries);
    for (path, bytes) in &files.files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    std::fs::copy(
        repo().join("themes/default/static/search.js"),
        dir.join("search.js"),
    )
    .unwrap();
    // Queries of 3–6 characters (their tokens' positions are checked):
    // pieces of the bodies.
    let mut queries = Vec::new();
    for i in 0..600 {
        let body: Vec<char> = entries[next(entries.len())].blocks[1]
            .text
            .chars()
            .collect();
        let len = 3 + i % 4;
        let at = next(body.len() - len);
        let piece = &body[at..at + len];
        if !piece.iter().any(|c| "，。".contains(*c)) {
            queries.push(piece.iter().collect());
        }
    }
    let groups = files
        .files
        .keys()
        .filter(|k| k.starts_with("search/g/"))
        .count();
    (groups, queries)
}

#[test]
fn search_js_is_exact_across_groups_of_chunks() {
    let Some(node) = node() else {
        eprintln!("SKIPPED: node not found (search_node needs Node.js ≥ 18 on PATH)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (groups, queries) = big_index(tmp.path());
    assert!(groups > 1, "{groups} groups");
    // Every bigram, and the pieces (not the harness's own substrings: they
    // would be some thousands).
    let report = check(&node, tmp.path(), &queries, Some("1000000"));
    assert!(
        report["queries"].as_u64().unwrap() > 1900,
        "{}",
        report["queries"]
    );
    eprintln!(
        "search_node: {} queries over {} pages in {groups} groups of chunks, all exact",
        report["queries"], report["pages"]
    );
    // The same queries with the adjacency of runs of 5 or more characters
    // checked on their cheapest bigrams (search.js does so only when the
    // positions are many, which this index's are not).
    let report = check_with(
        &node,
        tmp.path(),
        &queries,
        Some("1000000"),
        &[("HARNESS_COVER_MIN", "0")],
    );
    eprintln!(
        "search_node: {} queries, cheapest bigrams checked, all exact",
        report["queries"]
    );
}

/// Strings that exercise the normal form and the tokenizer: full-width and
/// compatibility forms, kana, Hangul, accents, ligatures, astral
/// ideographs, Chinese punctuation, and random mixes of them.
fn tricky_strings() -> Vec<String> {
    let mut out: Vec<String> = [
        "考勤管理",
        "5S管理",
        "ISO 9001",
        "ＩＳＯ　９００１",
        "５Ｓ管理",
        "第一条、安全（试行）：好，",
        "等等……‼",
        "⑴⑵ ① ㈱ ㍻ ﬁle",
        "e\u{301}cole ÉCOLE Straße",
        "かなカナｶﾅｶﾞ한국어",
        "〇々〆〸",
        "𠀀𠀁 𪚥",
        "ℌ𝔢𝔩𝔩𝔬 ²³",
        "a_b-c.d/e",
        "\u{2028}\u{2029}\u{FEFF}\u{200B}",
        "",
        "İstanbul ΣΑΣ",
        "Ⅻ ⅻ",
        "\u{F900}\u{FA0E}",
        "部门 负责人",
        "「考勤」管",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let pool: Vec<char> = "考勤部门负责人，。、（）()ＡＢａｂAbz019０１９①⑴㈱ﬁ²Ⅻかカｶﾞ한〇々𠀀 \u{3000}\u{301}é…‼—_-.:/İΣ"
        .chars()
        .collect();
    let mut seed = 7u64;
    for _ in 0..300 {
        let mut s = String::new();
        for _ in 0..1 + (seed % 12) {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s.push(pool[(seed >> 33) as usize % pool.len()]);
        }
        out.push(s);
    }
    out
}

#[test]
fn search_js_normalizes_and_tokenizes_like_the_index() {
    use charter::search::tokenize;
    let Some(node) = node() else {
        eprintln!("SKIPPED: node not found (search_node needs Node.js ≥ 18 on PATH)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // The harness only needs search.js from the theme.
    std::fs::copy(
        repo().join("themes/default/static/search.js"),
        tmp.path().join("search.js"),
    )
    .unwrap();
    let strings = tricky_strings();
    let run = Command::new(node)
        .arg(repo().join("tests/search/harness.js"))
        .arg(tmp.path())
        .arg("tokens")
        .arg(serde_json::to_string(&strings).unwrap())
        .output()
        .expect("run node");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let js: Vec<serde_json::Value> = serde_json::from_slice(&run.stdout).expect("JSON");
    for (s, j) in strings.iter().zip(&js) {
        let norm = tokenize::normalize(s);
        assert_eq!(j["norm"], serde_json::json!(norm), "normal form of {s:?}");
        let mut toks = Vec::new();
        tokenize::for_each_token(&norm, |t, p| {
            let t = match t {
                tokenize::Tok::Uni(c) => c.to_string(),
                tokenize::Tok::Bi(a, b) => format!("{a}{b}"),
                tokenize::Tok::Word(w) => w.to_string(),
            };
            toks.push(serde_json::json!([t, p]));
        });
        assert_eq!(j["toks"], serde_json::json!(toks), "tokens of {s:?}");
        let query: Vec<Vec<serde_json::Value>> = tokenize::query_terms(s)
            .into_iter()
            .map(|term| {
                term.into_iter()
                    .map(|t| serde_json::json!([t.term, t.prefix, t.offset]))
                    .collect()
            })
            .collect();
        assert_eq!(j["query"], serde_json::json!(query), "query terms of {s:?}");
    }
    eprintln!("search_node: {} strings tokenized alike", strings.len());
}
