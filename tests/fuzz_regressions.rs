//! Replays every input kept under `fuzz/regressions/<target>/` through the
//! same function as the libFuzzer target (`fuzz/src/lib.rs`), so that
//! every crash the fuzzers ever found stays fixed, in plain `cargo test`
//! (no libFuzzer, no nightly). See docs/testing.md for running the fuzzers.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod targets;

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join("regressions")
        .join(target);
    let mut inputs: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("folder entry").path())
        .filter(|p| p.is_file())
        .collect();
    inputs.sort();
    let mut failed = Vec::new();
    for p in &inputs {
        let data = fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
        if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
            failed.push(p.display().to_string());
        }
    }
    eprintln!("{target}: replayed {} inputs", inputs.len());
    assert!(
        failed.is_empty(),
        "{target}: these inputs crash again:\n{}",
        failed.join("\n")
    );
}

#[test]
fn frontmatter() {
    replay("frontmatter", targets::frontmatter);
}

#[test]
fn markdown() {
    replay("markdown", targets::markdown);
}

#[test]
fn articles() {
    replay("articles", targets::articles);
}

#[test]
fn site() {
    replay("site", targets::site);
}
