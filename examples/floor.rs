//! The benchmark floor: parse every Markdown body of a generated corpus
//! with pulldown-cmark and write one HTML file per page, in parallel. No
//! templates, no site model: what any generator must at least do.
//!
//! ```sh
//! cargo run --release --example floor -- CORPUS_DIR OUT_DIR
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            markdown_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "md") {
            out.push(p);
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(corpus), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: floor CORPUS_DIR OUT_DIR");
        std::process::exit(2);
    };
    let content = Path::new(&corpus).join("content");
    let mut files = Vec::new();
    markdown_files(&content, &mut files);
    let out = PathBuf::from(out);
    files.par_iter().for_each(|f| {
        let text = fs::read_to_string(f).expect("read");
        // Skip the front matter.
        let body = text
            .strip_prefix("+++\n")
            .and_then(|t| t.find("\n+++\n").map(|i| &t[i + 5..]))
            .unwrap_or(&text);
        let mut html = String::with_capacity(body.len() * 2);
        let parser = pulldown_cmark::Parser::new_ext(body, pulldown_cmark::Options::all());
        pulldown_cmark::html::push_html(&mut html, parser);
        let rel = f.strip_prefix(&content).expect("inside content");
        let dest = out.join(rel.with_extension("")).join("index.html");
        fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        fs::write(dest, html).expect("write");
    });
    eprintln!("floor: {} pages", files.len());
}
