//! Walking a site root: which files are content, assets, static files and
//! templates. Hidden entries (a leading `.`) are skipped; so are editor
//! temp files. Order is by path, so builds never depend on the file system.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;

#[derive(Debug, Default, Clone)]
pub struct Inventory {
    /// `content/**/*.md`, relative to the root, sorted.
    pub markdown: Vec<PathBuf>,
    /// Other files under `content/` (co-located images, PDFs), relative to the root.
    pub assets: Vec<PathBuf>,
    /// Site `static/` files: (path in the output, path relative to the root).
    pub statics: Vec<(String, PathBuf)>,
    /// Theme static files on disk: (path in the output, path relative to the root).
    pub theme_statics: Vec<(String, PathBuf)>,
    /// Template files on disk in the order they override: theme first, then `templates/`.
    pub templates: Vec<(String, PathBuf)>,
}

/// Editor leftovers that are never content (vim swap files, backups, emacs locks, vim's 4913 probe).
pub fn is_temp_file(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
}

/// How many folders deep a site's files may sit (under `content/`,
/// `static/`, …). Every folder of `content/` is a group page with
/// breadcrumbs to each folder above it, so pages grow with the square of
/// the depth; real handbooks use a handful of levels, and paths this deep
/// already strain file systems and web servers.
pub const MAX_FOLDER_DEPTH: usize = 32;

/// Lists every file under `root/dir` (relative to `root`), sorted.
pub fn files_under(root: &Path, dir: &str, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let base = root.join(dir);
    if !base.is_dir() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut walker = WalkDir::new(&base)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_temp_file(&e.file_name().to_string_lossy()));
    while let Some(entry) = walker.next() {
        match entry {
            Ok(e) if e.file_type().is_dir() && e.depth() > MAX_FOLDER_DEPTH => {
                let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                diags.push(
                    Diagnostic::error(
                        "E007",
                        format!(
                            "{dir}/ nests folders more than {MAX_FOLDER_DEPTH} levels deep"
                        ),
                    )
                    .in_file(rel)
                    .with_help(format!(
                        "keep content in at most {MAX_FOLDER_DEPTH} levels of folders (a group per folder)"
                    )),
                );
                walker.skip_current_dir();
            }
            Ok(e) if e.file_type().is_file() => {
                if let Ok(rel) = e.path().strip_prefix(root) {
                    out.push(rel.to_path_buf());
                }
            }
            Ok(_) => {}
            Err(err) => {
                let path = err
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| PathBuf::from(dir));
                let msg = if err.loop_ancestor().is_some() {
                    format!(
                        "{} is a symbolic link that loops back to a folder above it",
                        path.display()
                    )
                } else {
                    format!("cannot read {}: {}", path.display(), err)
                };
                diags.push(
                    Diagnostic::error("E001", msg)
                        .in_file(&path)
                        .with_help("remove the link or make it point elsewhere"),
                );
            }
        }
    }
    out
}

fn out_path(rel: &Path, prefix: &Path) -> String {
    rel.strip_prefix(prefix)
        .unwrap_or(rel)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Takes stock of a site: content, assets, static files and templates.
pub fn inventory(root: &Path, theme: &str, diags: &mut Vec<Diagnostic>) -> Inventory {
    let mut inv = Inventory::default();
    for rel in files_under(root, "content", diags) {
        if rel.extension().is_some_and(|e| e == "md") {
            inv.markdown.push(rel);
        } else {
            inv.assets.push(rel);
        }
    }
    let theme_dir = PathBuf::from("themes").join(theme);
    for rel in files_under(root, &theme_dir.join("static").to_string_lossy(), diags) {
        inv.theme_statics
            .push((out_path(&rel, &theme_dir.join("static")), rel));
    }
    for rel in files_under(root, "static", diags) {
        inv.statics.push((out_path(&rel, Path::new("static")), rel));
    }
    for dir in [theme_dir.join("templates"), PathBuf::from("templates")] {
        for rel in files_under(root, &dir.to_string_lossy(), diags) {
            inv.templates.push((out_path(&rel, &dir), rel));
        }
    }
    inv
}
