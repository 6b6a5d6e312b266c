//! Rebuild benchmark for `serve`: on a generated site (see gen-corpus),
//! the time from "these files changed" to new bytes in memory, for one
//! department's body text, its assignments (RACI), a role title, a
//! template, and the search index rebuilt after the reload; each against
//! a full in-memory build measured in the same run.
//!
//! ```sh
//! cargo run --release --example gen-corpus -- --departments 1000 /dev/shm/c1k
//! cargo run --release --example rebuild_bench -- /dev/shm/c1k [--runs 7] [--only body]
//! ```
//! For a profiler (`perf record -D <ms after the first build>`):
//! `--no-baseline` skips the full builds and `--no-search` the search
//! index rebuilt after each edit, so the samples are the rebuilds'.
//! The site is edited in place and restored at the end.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use charter::build::{self, Options};
use charter::serve::rebuild::Rebuilder;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A department file in the middle of the site.
fn pick_department(root: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
        .collect();
    files.sort();
    files[files.len() / 2].clone()
}

struct Restore(Vec<(PathBuf, Option<Vec<u8>>)>);

impl Drop for Restore {
    fn drop(&mut self) {
        for (p, old) in &self.0 {
            match old {
                Some(b) => {
                    let _ = std::fs::write(p, b);
                }
                None => {
                    let _ = std::fs::remove_file(p);
                }
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(args.first().expect("usage: rebuild_bench DIR [--runs N]"));
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(7);
    // `--only body`: just the measures whose label contains it.
    let only: Option<String> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let (baseline, search_after) = (!flag("--no-baseline"), !flag("--no-search"));
    let opts = Options {
        root: root.clone(),
        base_url: None,
        drafts: false,
    };
    let dept = pick_department(&root);
    let rel = dept.strip_prefix(&root).unwrap().to_path_buf();
    let template = root.join("templates/extra.html");
    let _restore = Restore(vec![
        (dept.clone(), std::fs::read(&dept).ok()),
        (template.clone(), std::fs::read(&template).ok()),
    ]);
    let original = std::fs::read_to_string(&dept).unwrap();

    // Baseline: full in-memory builds.
    let full: Vec<Duration> = (0..if baseline { runs.min(3) } else { 0 })
        .map(|_| {
            let t = Instant::now();
            let b = build::build(&opts).map_err(|_| "build failed").unwrap();
            std::hint::black_box(b.output.len());
            t.elapsed()
        })
        .collect();
    let full = if full.is_empty() {
        Duration::from_secs(1)
    } else {
        median(full)
    };

    let mut r = Rebuilder::new(opts.clone());
    let first = r.rebuild(&[]);
    assert!(!first.failed, "{:?}", first.diagnostics.first());
    let pages_total = first.pages;
    eprintln!("first build done");

    let mut report = Vec::new();
    let mut measure = |label: &str,
                       r: &mut Rebuilder,
                       edit: &mut dyn FnMut(usize) -> Vec<PathBuf>| {
        if only.as_ref().is_some_and(|o| !label.contains(o.as_str())) {
            return;
        }
        let mut times = Vec::new();
        let mut search = Vec::new();
        let mut pages = Vec::new();
        for i in 0..runs {
            let changed = edit(i);
            let t = Instant::now();
            let o = r.rebuild(&changed);
            times.push(t.elapsed());
            assert!(!o.failed, "{label}: {:?}", o.diagnostics.first());
            pages.push(o.pages);
            if o.search_pending && search_after {
                search.push(r.finish_search().unwrap_or_default());
            }
        }
        let m = median(times);
        report.push(format!(
            "{label:<28} {:8.1} ms  {:5.3}x of a full build; pages rendered (of {pages_total}): {pages:?}{}",
            ms(m),
            m.as_secs_f64() / full.as_secs_f64(),
            if search.is_empty() {
                String::new()
            } else {
                format!("; search index after it: {:.0} ms", ms(median(search)))
            }
        ));
    };

    measure("one department, body text", &mut r, &mut |i| {
        let text = original.replacen("第一条", &format!("第一条（修订{i}）"), 1);
        std::fs::write(&dept, text).unwrap();
        vec![rel.clone()]
    });
    measure("one department, RACI", &mut r, &mut |i| {
        // The first assignment's letter: R, then C, I, R, …
        let letters = ["\"C\" }", "\"I\" }", "\"R\" }"];
        let at = original.find("\" }").expect("an assignment") - 2;
        let mut text = original.clone();
        text.replace_range(at..at + 5, letters[i % 3]);
        std::fs::write(&dept, text).unwrap();
        vec![rel.clone()]
    });
    measure("one department, role title", &mut r, &mut |i| {
        let text = original.replacen("title = \"副主任\"", &format!("title = \"副主任{i}\""), 1);
        std::fs::write(&dept, text).unwrap();
        vec![rel.clone()]
    });
    std::fs::write(&dept, &original).unwrap();
    r.rebuild(std::slice::from_ref(&rel));
    measure("a template", &mut r, &mut |i| {
        std::fs::create_dir_all(template.parent().unwrap()).unwrap();
        std::fs::write(&template, format!("<p>{i}</p>\n")).unwrap();
        vec![PathBuf::from("templates/extra.html")]
    });

    if baseline {
        println!(
            "{} ({pages_total} pages); full in-memory build {:.0} ms (median of {})",
            root.display(),
            ms(full),
            runs.min(3)
        );
    } else {
        println!(
            "{} ({pages_total} pages); no baseline (the ratios are against 1 s)",
            root.display()
        );
    }
    for line in report {
        println!("{line}");
    }
}
