//! The write floor: the time to write a finished output folder's bytes and
//! files, with all cores, into a fresh folder. It reads OUTPUT_DIR into
//! memory first (not timed), then makes every folder once (parents first)
//! and writes every file in parallel, and prints the time of the writing
//! alone. What Charter takes beyond this is its own work.
//!
//! ```sh
//! cargo run --release --example write-floor -- OUTPUT_DIR FRESH_DIR
//! ```

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

fn read_tree(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).expect("inside").to_path_buf();
            let bytes = fs::read(e.path()).expect("read a file of the output");
            (rel, bytes)
        })
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(from), Some(to)) = (args.next(), args.next()) else {
        eprintln!("usage: write-floor OUTPUT_DIR FRESH_DIR");
        std::process::exit(2);
    };
    let (from, to) = (PathBuf::from(from), PathBuf::from(to));
    if to.exists() {
        eprintln!("{} exists: give a folder that does not", to.display());
        std::process::exit(2);
    }
    let files = read_tree(&from);
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let dirs: BTreeSet<PathBuf> = files
        .iter()
        .flat_map(|(p, _)| p.ancestors().skip(1).map(Path::to_path_buf))
        .filter(|d| !d.as_os_str().is_empty())
        .collect();
    let started = Instant::now();
    fs::create_dir_all(&to).expect("make the fresh folder");
    // Folders by depth: each level in parallel, parents before children.
    let depth = |d: &Path| d.components().count();
    let deepest = dirs.iter().map(|d| depth(d)).max().unwrap_or(0);
    for level in 1..=deepest {
        dirs.par_iter()
            .filter(|d| depth(d) == level)
            .for_each(|d| fs::create_dir(to.join(d)).expect("make a folder"));
    }
    files
        .par_iter()
        .for_each(|(p, b)| fs::write(to.join(p), b).expect("write a file"));
    let secs = started.elapsed().as_secs_f64();
    println!(
        "wrote {} files, {} folders, {:.1} MiB in {secs:.3} s",
        files.len(),
        dirs.len(),
        bytes as f64 / 1048576.0
    );
}
