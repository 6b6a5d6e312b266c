//! Writing the output folder safely: only into a folder that is empty or
//! that Charter wrote before (it holds the marker file), never into the
//! site's own folders; only files whose bytes changed are rewritten; files
//! the build no longer produces are removed; files are 0644 and folders
//! 0755 whatever the umask. [`Stage`] does it as the build goes, moving
//! changed files into place only once the whole build succeeded.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;

/// The output of a build: path relative to the output root → bytes.
pub type Output = BTreeMap<String, Vec<u8>>;

/// The marker file that says "Charter wrote this folder".
pub const MARKER: &str = ".charter-output";

/// Extensions of the files `[build] precompress` gzips.
pub const PRECOMPRESSED: &[&str] = &["html", "css", "js", "svg", "json", "xml", "csv"];

/// Does `[build] precompress` write a `.gz` beside this output path?
pub fn compressible(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && PRECOMPRESSED.contains(&ext))
}

/// Gzip at the best compression, deterministically: no file name and a
/// zero mtime in the header, so the same bytes always give the same file
/// (and the writer, comparing bytes, rewrites a `.gz` only when its
/// source changed).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(
            Vec::with_capacity(bytes.len() / 3 + 64),
            flate2::Compression::best(),
        );
    enc.write_all(bytes).expect("writing to memory cannot fail");
    enc.finish().expect("writing to memory cannot fail")
}

/// Adds `X.gz` beside every compressible `X` of the output (for nginx's
/// `gzip_static`). They are ordinary entries of the output from then on:
/// written when their bytes change, removed when precompression is off.
pub fn precompress(output: &mut Output) {
    let gz: Vec<(String, Vec<u8>)> = output
        .par_iter()
        .filter(|(p, _)| compressible(p))
        .map(|(p, b)| (format!("{p}.gz"), gzip(b)))
        .collect();
    output.extend(gz);
}

fn canonical(p: &Path) -> PathBuf {
    // The folder may not exist yet: canonicalize its closest existing ancestor.
    let mut missing = Vec::new();
    let mut cur = p.to_path_buf();
    loop {
        if let Ok(c) = cur.canonicalize() {
            let mut c = c;
            for m in missing.iter().rev() {
                c.push(m);
            }
            return c;
        }
        match (cur.file_name().map(|f| f.to_os_string()), cur.parent()) {
            (Some(name), Some(parent)) => {
                missing.push(name);
                cur = parent.to_path_buf();
            }
            _ => return p.to_path_buf(),
        }
    }
}

/// Refuses an output folder that would put the site's own files at risk.
pub fn check_output_dir(root: &Path, out: &Path) -> Result<(), Diagnostic> {
    let root_c = canonical(root);
    let out_c = canonical(out);
    let refuse = |why: String| {
        Diagnostic::error(
            "E040",
            format!("refusing to write the site into {}: {why}", out.display()),
        )
        .with_help(
            "choose an empty folder, or one that `charter build` wrote before (e.g. output/)",
        )
    };
    if out_c == root_c || root_c.starts_with(&out_c) {
        return Err(refuse("it holds the site itself".into()));
    }
    for own in ["content", "static", "templates", "themes", "config.toml"] {
        let p = root_c.join(own);
        if out_c.starts_with(&p) {
            return Err(refuse(format!("it is inside the site's {own}")));
        }
    }
    if out_c.exists() {
        if !out_c.is_dir() {
            return Err(refuse("it is a file".into()));
        }
        let empty = fs::read_dir(&out_c)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !out_c.join(MARKER).is_file() {
            return Err(refuse(format!(
                "it is not empty and was not written by charter (no {MARKER} file in it)"
            )));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(p: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode))
}

#[cfg(unix)]
fn has_mode(m: &fs::Metadata, mode: u32) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o7777 == mode
}

#[cfg(not(unix))]
fn has_mode(_: &fs::Metadata, _: u32) -> bool {
    true
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

fn io_error(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error("E041", format!("cannot write {}: {e}", path.display()))
}

/// What a write did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Whether `path` is a file holding exactly `bytes`: reads at most one
/// byte more than `bytes` holds (no size query: system calls cost).
fn same_file(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(f) = fs::File::open(path) else {
        return false;
    };
    let mut old = Vec::with_capacity(bytes.len() + 1);
    match f.take(bytes.len() as u64 + 1).read_to_end(&mut old) {
        Ok(_) => old == bytes,
        Err(_) => false, // a folder, or unreadable
    }
}

/// Existing files under `out` (relative, `/`-separated), the marker excluded.
fn existing_files(out: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            e.path()
                .strip_prefix(out)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .filter(|p| p != MARKER)
        .collect()
}

/// Writes a whole in-memory output; call only after a successful build.
pub fn write(root: &Path, out: &Path, output: &Output) -> Result<WriteStats, Diagnostic> {
    let stage = Stage::new(root, out, false)?;
    output
        .par_iter()
        .try_for_each(|(p, b)| stage.put(p.clone(), b))?;
    stage.commit()
}

fn remove_empty_dirs(out: &Path) {
    let mut dirs: Vec<PathBuf> = walkdir::WalkDir::new(out)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.path().to_path_buf())
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = fs::remove_dir(&d); // fails (and is kept) unless empty
    }
}

/// Writing a build as it is made, with the guarantee of [`write`]: pages
/// go to disk as they are rendered (so a big site is never held in memory
/// whole), but a page whose bytes changed is written into a staging folder
/// inside the output and moved into place only by [`Stage::commit`], after
/// the whole build succeeded. A failed build drops the stage, which
/// removes the staging folder: the previous output is untouched.
pub struct Stage {
    out: PathBuf,
    staging: PathBuf,
    precompress: bool,
    /// Every path put so far (the output's file list).
    paths: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Staged files: (staging file, output path).
    staged: std::sync::Mutex<Vec<(PathBuf, String)>>,
    next: std::sync::atomic::AtomicUsize,
    unchanged: std::sync::atomic::AtomicUsize,
    created_out: std::sync::atomic::AtomicBool,
    /// The staging folder was created (once, by the first changed file).
    staging_made: std::sync::OnceLock<Result<(), String>>,
    done: bool,
}

/// The staging folder's name inside the output folder.
pub const STAGING: &str = ".charter-staging";

impl Stage {
    /// A stage for writing into `out` (refused as [`write`] refuses it).
    pub fn new(root: &Path, out: &Path, precompress: bool) -> Result<Stage, Diagnostic> {
        check_output_dir(root, out)?;
        Ok(Stage {
            out: out.to_path_buf(),
            staging: out.join(STAGING),
            precompress,
            paths: Default::default(),
            staged: Default::default(),
            next: Default::default(),
            unchanged: Default::default(),
            created_out: Default::default(),
            staging_made: Default::default(),
            done: false,
        })
    }

    /// Whether `path` was put.
    pub fn contains(&self, path: &str) -> bool {
        self.paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(path)
    }

    /// Adds a file of the output (and its `.gz` with `[build] precompress`).
    pub fn put(&self, path: String, bytes: &[u8]) -> Result<(), Diagnostic> {
        if self.precompress && compressible(&path) {
            self.put_one(format!("{path}.gz"), &gzip(bytes))?;
        }
        self.put_one(path, bytes)
    }

    fn put_one(&self, path: String, bytes: &[u8]) -> Result<(), Diagnostic> {
        use std::sync::atomic::Ordering;
        let target = self.out.join(&path);
        self.paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.clone());
        if same_file(&target, bytes) {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        self.staging_made
            .get_or_init(|| {
                if !self.out.exists() {
                    self.created_out.store(true, Ordering::Relaxed);
                }
                fs::create_dir_all(&self.staging).map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| io_error(&self.staging, std::io::Error::other(e)))?;
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let file = self.staging.join(n.to_string());
        fs::write(&file, bytes).map_err(|e| io_error(&file, e))?;
        set_mode(&file, 0o644).map_err(|e| io_error(&file, e))?;
        self.staged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((file, path));
        Ok(())
    }

    /// Moves the staged files into place, removes the files the build no
    /// longer makes, and gives the folders their modes.
    pub fn commit(mut self) -> Result<WriteStats, Diagnostic> {
        let out = self.out.clone();
        fs::create_dir_all(&out).map_err(|e| io_error(&out, e))?;
        set_mode(&out, 0o755).map_err(|e| io_error(&out, e))?;
        let marker = out.join(MARKER);
        if !marker.is_file() {
            fs::write(&marker, "This folder is written by `charter build`; its contents are replaced on every build.\n")
                .map_err(|e| io_error(&marker, e))?;
            set_mode(&marker, 0o644).map_err(|e| io_error(&marker, e))?;
        }
        let paths = std::mem::take(&mut *self.paths.lock().unwrap_or_else(|e| e.into_inner()));
        let staged = std::mem::take(&mut *self.staged.lock().unwrap_or_else(|e| e.into_inner()));
        // Folders: parents before children, one system call each when right.
        let dirs: BTreeSet<PathBuf> = paths
            .iter()
            .filter_map(|k| Path::new(k).parent())
            .flat_map(Path::ancestors)
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .collect();
        for d in &dirs {
            let full = out.join(d);
            match fs::symlink_metadata(&full) {
                Ok(m) if m.is_dir() => {
                    if !has_mode(&m, 0o755) {
                        set_mode(&full, 0o755).map_err(|e| io_error(&full, e))?;
                    }
                    continue;
                }
                Ok(_) => fs::remove_file(&full).map_err(|e| io_error(&full, e))?,
                Err(_) => {}
            }
            fs::create_dir_all(&full).map_err(|e| io_error(&full, e))?;
            set_mode(&full, 0o755).map_err(|e| io_error(&full, e))?;
        }
        let written = staged.len();
        for (from, rel) in staged {
            let to = out.join(&rel);
            if to.is_dir() {
                fs::remove_dir_all(&to).map_err(|e| io_error(&to, e))?;
            }
            fs::rename(&from, &to).map_err(|e| io_error(&to, e))?;
        }
        let _ = fs::remove_dir_all(&self.staging);
        let mut stats = WriteStats {
            written,
            unchanged: self.unchanged.load(std::sync::atomic::Ordering::Relaxed),
            removed: 0,
        };
        for stale in existing_files(&out) {
            if !paths.contains(&stale) {
                let p = out.join(&stale);
                fs::remove_file(&p).map_err(|e| io_error(&p, e))?;
                stats.removed += 1;
            }
        }
        if stats.removed > 0 {
            remove_empty_dirs(&out);
        }
        self.done = true;
        Ok(stats)
    }
}

impl Drop for Stage {
    /// Without a commit: nothing of the build stays.
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let _ = fs::remove_dir_all(&self.staging);
        if self.created_out.load(std::sync::atomic::Ordering::Relaxed) {
            let _ = fs::remove_dir(&self.out); // only if empty
        }
    }
}
