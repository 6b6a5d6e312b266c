//! Writing the output folder safely: only into a folder that is empty or
//! that Charter wrote before (it holds the marker file), never into the
//! site's own folders; only files whose bytes changed are rewritten; files
//! the build no longer produces are removed; files are 0644 and folders
//! 0755 whatever the umask. [`Stage`] does it as the build goes, moving
//! changed files into place only once the whole build succeeded.

pub mod manifest;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use manifest::{Known, Manifest};

/// The output of a build: path relative to the output root → bytes.
pub type Output = BTreeMap<String, Vec<u8>>;

/// The marker file that says "Charter wrote this folder".
pub const MARKER: &str = ".charter-output";

const MARKER_TEXT: &str =
    "This folder is written by `charter build`; its contents are replaced on every build.\n";

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

/// Whether files created with mode 0644 and folders with 0755 get exactly
/// those modes: the process's umask takes nothing from them (it is read
/// once, from `/proc/self/status`; unknown counts as no). Then no mode is
/// set file by file.
fn umask_keeps_modes() -> bool {
    static KEEPS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *KEEPS.get_or_init(|| {
        let Ok(status) = fs::read_to_string("/proc/self/status") else {
            return false;
        };
        status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .and_then(|m| u32::from_str_radix(m.trim(), 8).ok())
            .is_some_and(|mask| mask & 0o755 == 0)
    })
}

/// Creates (or truncates) a file with mode 0644.
fn create_file(path: &Path) -> std::io::Result<fs::File> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o644);
    o.open(path)
}

/// Makes a folder and its missing parents with mode 0755.
fn create_dirs(path: &Path) -> std::io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o755);
    b.create(path)
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

/// Whether `path` is a file holding exactly `bytes` (then its metadata):
/// reads at most one byte more than `bytes` holds (no size query first:
/// system calls cost).
fn same_file(path: &Path, bytes: &[u8]) -> Option<fs::Metadata> {
    use std::io::Read;
    let f = fs::File::open(path).ok()?;
    let mut old = Vec::with_capacity(bytes.len() + 1);
    // An error: a folder, or unreadable.
    (&f).take(bytes.len() as u64 + 1)
        .read_to_end(&mut old)
        .ok()?;
    if old != bytes {
        return None;
    }
    f.metadata().ok()
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

/// A folder's modification time (`None`: not a folder, or no time).
fn folder_time(out: &Path, rel: &str) -> Option<u128> {
    fs::symlink_metadata(out.join(rel))
        .ok()
        .filter(fs::Metadata::is_dir)
        .and_then(|m| manifest::mtime(&m))
}

/// The files of a build whose disk state is known, for the record.
fn known_files(paths: &HashMap<String, Option<Known>>) -> HashMap<String, Known> {
    paths
        .iter()
        .filter_map(|(p, k)| Some((p.clone(), (*k)?)))
        .collect()
}

/// The folders above a relative path, nearest last (`a/b/c.html` → `a`, `a/b`).
fn folders_of(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/').map(move |(i, _)| &rel[..i])
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
/// removes the staging folder: the previous output is untouched. With the
/// record of the last build ([`manifest`]) unchanged files cost one `stat`
/// and only folders that changed since are listed for stray files.
pub struct Stage {
    out: PathBuf,
    staging: PathBuf,
    precompress: bool,
    /// The record of the last build into this folder, if there is one:
    /// read on a thread of its own while the build starts (see [`Stage::old`]).
    old: std::sync::OnceLock<Option<std::sync::Arc<Manifest>>>,
    loader: std::sync::Mutex<Option<std::thread::JoinHandle<Loaded>>>,
    /// The record's folders that changed since (someone added or removed
    /// something in them): looked for while the build runs, before it
    /// changes any.
    dirty: std::sync::Mutex<Option<std::thread::JoinHandle<HashSet<String>>>>,
    /// Every path put so far (the output's file list), and what it is on
    /// disk for the next record (`None`: not known, read it next time).
    paths: std::sync::Mutex<HashMap<String, Option<Known>>>,
    /// Staged files: (staging file, output path).
    staged: std::sync::Mutex<Vec<(PathBuf, String)>>,
    /// The output folder was empty (or absent): every file is staged at
    /// its own path inside the staging folder, with no look at what is
    /// in the output (nothing is), and the commit moves only the staging
    /// folder's top entries. Otherwise files are staged under numbers
    /// and moved one by one.
    fresh: bool,
    /// Folders made inside the staging folder (fresh output only).
    made: std::sync::Mutex<HashSet<String>>,
    next: std::sync::atomic::AtomicUsize,
    unchanged: std::sync::atomic::AtomicUsize,
    created_out: std::sync::atomic::AtomicBool,
    /// The staging folder was created (once, by the first changed file).
    staging_made: std::sync::OnceLock<Result<(), String>>,
    done: bool,
}

/// The staging folder's name inside the output folder.
pub const STAGING: &str = ".charter-staging";

/// What the thread that reads the record gives: the record, and the
/// thread that looks for its changed folders.
type Loaded = Option<(
    std::sync::Arc<Manifest>,
    std::thread::JoinHandle<HashSet<String>>,
)>;

impl Stage {
    /// A stage for writing into `out` (refused as [`write`] refuses it).
    pub fn new(root: &Path, out: &Path, precompress: bool) -> Result<Stage, Diagnostic> {
        check_output_dir(root, out)?;
        let fresh = fs::read_dir(out).map_or(true, |mut d| d.next().is_none());
        // A record counts only for a folder Charter wrote (and still marks).
        let loader = (!fresh && out.join(MARKER).is_file()).then(|| {
            let out = out.to_path_buf();
            std::thread::spawn(move || {
                let m = std::sync::Arc::new(manifest::load(&canonical(&out))?);
                let dirs = m.clone();
                let dirty = std::thread::spawn(move || {
                    dirs.dirs
                        .iter()
                        .filter(|(d, t)| folder_time(&out, d) != Some(**t))
                        .map(|(d, _)| d.clone())
                        .collect()
                });
                Some((m, dirty))
            })
        });
        Ok(Stage {
            out: out.to_path_buf(),
            staging: out.join(STAGING),
            precompress,
            old: Default::default(),
            loader: std::sync::Mutex::new(loader),
            dirty: Default::default(),
            paths: Default::default(),
            staged: Default::default(),
            fresh,
            made: Default::default(),
            next: Default::default(),
            unchanged: Default::default(),
            created_out: Default::default(),
            staging_made: Default::default(),
            done: false,
        })
    }

    /// The record of the last build, once its thread has read it.
    fn old(&self) -> Option<&Manifest> {
        self.old
            .get_or_init(|| {
                let h = self
                    .loader
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()?;
                let (m, dirty) = h.join().ok()??;
                *self.dirty.lock().unwrap_or_else(|e| e.into_inner()) = Some(dirty);
                Some(m)
            })
            .as_deref()
    }

    /// Whether `path` was put.
    pub fn contains(&self, path: &str) -> bool {
        self.paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(path)
    }

    fn record(&self, path: String, known: Option<Known>) {
        self.paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path, known);
    }

    /// Adds a file of the output (and its `.gz` with `[build] precompress`).
    pub fn put(&self, path: String, bytes: &[u8]) -> Result<(), Diagnostic> {
        let hash = manifest::hash(bytes);
        if self.precompress && compressible(&path) {
            let gz = format!("{path}.gz");
            // Recorded as made from these bytes and untouched: not even gzipped again.
            if !self.still_there(&gz, hash) {
                self.put_one(gz, &gzip(bytes), hash)?;
            }
        }
        if !self.still_there(&path, hash) {
            self.put_one(path, bytes, hash)?;
        }
        Ok(())
    }

    /// Whether the record says `path` was made from bytes hashing `hash`
    /// and the file is still as recorded (size, mtime): then it is unchanged.
    fn still_there(&self, path: &str, hash: u128) -> bool {
        let Some(k) = self
            .old()
            .and_then(|m| m.files.get(path))
            .filter(|k| k.hash == hash)
        else {
            return false;
        };
        let same = fs::symlink_metadata(self.out.join(path)).is_ok_and(|m| {
            m.is_file() && m.len() == k.size && manifest::mtime(&m) == Some(k.mtime)
        });
        if same {
            self.record(path.to_string(), Some(*k));
            self.unchanged
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        same
    }

    /// Puts `bytes` (made from bytes hashing `hash`) at `path`: compared
    /// with the file there, staged when different.
    fn put_one(&self, path: String, bytes: &[u8], hash: u128) -> Result<(), Diagnostic> {
        use std::sync::atomic::Ordering;
        let known = |m: &fs::Metadata| {
            manifest::mtime(m).map(|mtime| Known {
                hash,
                size: bytes.len() as u64,
                mtime,
            })
        };
        if !self.fresh {
            let target = self.out.join(&path);
            if let Some(m) = same_file(&target, bytes) {
                self.record(path, known(&m));
                self.unchanged.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
        }
        self.staging_made
            .get_or_init(|| {
                if !self.out.exists() {
                    self.created_out.store(true, Ordering::Relaxed);
                }
                create_dirs(&self.staging).map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| io_error(&self.staging, std::io::Error::other(e)))?;
        let file = if self.fresh {
            if let Some((dir, _)) = path.rsplit_once('/') {
                self.make_dir(dir)?;
            }
            self.staging.join(&path)
        } else {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            self.staging.join(n.to_string())
        };
        let mut f = create_file(&file).map_err(|e| io_error(&file, e))?;
        f.write_all(bytes).map_err(|e| io_error(&file, e))?;
        // Renaming keeps the time of this write: it is what the record holds.
        let m = f.metadata().map_err(|e| io_error(&file, e))?;
        drop(f);
        if !umask_keeps_modes() {
            set_mode(&file, 0o644).map_err(|e| io_error(&file, e))?;
        }
        self.record(path.clone(), known(&m));
        self.staged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((file, path));
        Ok(())
    }

    /// Makes folder `dir` (relative) inside the staging folder, once.
    fn make_dir(&self, dir: &str) -> Result<(), Diagnostic> {
        let made = |d: &str| {
            self.made
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(d)
        };
        if made(dir) {
            return Ok(());
        }
        if let Some((parent, _)) = dir.rsplit_once('/') {
            self.make_dir(parent)?;
        }
        // Two threads may both get here for one folder: the second finds
        // it made, which is fine (and rare).
        let full = self.staging.join(dir);
        let mut b = fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o755);
        match b.create(&full) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && full.is_dir() => {}
            Err(e) => return Err(io_error(&full, e)),
        }
        if !umask_keeps_modes() {
            set_mode(&full, 0o755).map_err(|e| io_error(&full, e))?;
        }
        self.made
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(dir.to_string());
        Ok(())
    }

    /// Commit of a fresh output: the staging folder holds the output as
    /// it will be; its top entries move into place.
    fn commit_fresh(&mut self) -> Result<WriteStats, Diagnostic> {
        let out = self.out.clone();
        create_dirs(&out).map_err(|e| io_error(&out, e))?;
        set_mode(&out, 0o755).map_err(|e| io_error(&out, e))?;
        let paths = std::mem::take(&mut *self.paths.lock().unwrap_or_else(|e| e.into_inner()));
        let written = self.staged.lock().unwrap_or_else(|e| e.into_inner()).len();
        if self.staging_made.get().is_some() {
            let entries = fs::read_dir(&self.staging).map_err(|e| io_error(&self.staging, e))?;
            for e in entries {
                let e = e.map_err(|e| io_error(&self.staging, e))?;
                let to = out.join(e.file_name());
                fs::rename(e.path(), &to).map_err(|e| io_error(&to, e))?;
            }
            fs::remove_dir(&self.staging).map_err(|e| io_error(&self.staging, e))?;
        }
        let marker = out.join(MARKER);
        fs::write(&marker, MARKER_TEXT).map_err(|e| io_error(&marker, e))?;
        set_mode(&marker, 0o644).map_err(|e| io_error(&marker, e))?;
        let dirs: HashSet<&str> = paths.keys().flat_map(|p| folders_of(p)).collect();
        let next = Manifest {
            dirs: dirs
                .par_iter()
                .filter_map(|&d| Some((d.to_string(), folder_time(&out, d)?)))
                .collect(),
            files: known_files(&paths),
        };
        manifest::save(&canonical(&out), &next);
        self.done = true;
        Ok(WriteStats {
            written,
            unchanged: 0,
            removed: 0,
        })
    }

    /// Moves the staged files into place, removes the files the build no
    /// longer makes, gives the folders their modes, and keeps the record.
    pub fn commit(mut self) -> Result<WriteStats, Diagnostic> {
        if self.fresh {
            return self.commit_fresh();
        }
        let out = self.out.clone();
        fs::create_dir_all(&out).map_err(|e| io_error(&out, e))?;
        set_mode(&out, 0o755).map_err(|e| io_error(&out, e))?;
        let marker = out.join(MARKER);
        if !marker.is_file() {
            fs::write(&marker, MARKER_TEXT).map_err(|e| io_error(&marker, e))?;
            set_mode(&marker, 0o644).map_err(|e| io_error(&marker, e))?;
        }
        let paths = std::mem::take(&mut *self.paths.lock().unwrap_or_else(|e| e.into_inner()));
        let staged = std::mem::take(&mut *self.staged.lock().unwrap_or_else(|e| e.into_inner()));
        self.old();
        let old = self.old.take().flatten();
        let dir_time = |d: &str| folder_time(&out, d);
        let dirty = self
            .dirty
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        // Folders: parents before children, one system call each when
        // right. With a record, only those of changed files: the others
        // hold files found unchanged where they were.
        let dirs: BTreeSet<&str> = if old.is_some() {
            staged.iter().flat_map(|(_, p)| folders_of(p)).collect()
        } else {
            paths.keys().flat_map(|p| folders_of(p)).collect()
        };
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
        for (from, rel) in &staged {
            let to = out.join(rel);
            if to.is_dir() {
                fs::remove_dir_all(&to).map_err(|e| io_error(&to, e))?;
            }
            fs::rename(from, &to).map_err(|e| io_error(&to, e))?;
        }
        let _ = fs::remove_dir_all(&self.staging);
        let mut stats = WriteStats {
            written,
            unchanged: self.unchanged.load(std::sync::atomic::Ordering::Relaxed),
            removed: 0,
        };
        // The build's folders (made only when needed: a kept output where
        // nothing changed never needs them).
        let all_dirs = std::cell::OnceCell::new();
        let all_dirs = || -> &HashSet<&str> {
            all_dirs.get_or_init(|| paths.keys().flat_map(|p| folders_of(p)).collect())
        };
        let mut removed: Vec<String> = Vec::new();
        let mut remove = |rel: String| -> Result<(), Diagnostic> {
            let p = out.join(&rel);
            match fs::remove_file(&p) {
                Ok(()) => removed.push(rel),
                // Gone already, or a folder now (a file of the last build
                // whose path this build's files are under).
                Err(_) if fs::symlink_metadata(&p).is_err() || p.is_dir() => {}
                Err(e) => return Err(io_error(&p, e)),
            }
            Ok(())
        };
        match &old {
            Some(m) => {
                // The last build's files this one does not make…
                for p in m.files.keys().filter(|p| !paths.contains_key(*p)) {
                    remove(p.clone())?;
                }
                // …and strays in the folders that changed (the top one
                // always: the staging folder came and went).
                let mut look: Vec<&str> = dirty.iter().map(String::as_str).collect();
                look.push("");
                for d in look {
                    let Ok(entries) = fs::read_dir(out.join(d)) else {
                        continue;
                    };
                    for e in entries.filter_map(Result::ok) {
                        let name = e.file_name().to_string_lossy().to_string();
                        if d.is_empty() && (name == MARKER || name == STAGING) {
                            continue;
                        }
                        let rel = if d.is_empty() {
                            name
                        } else {
                            format!("{d}/{name}")
                        };
                        let Ok(t) = e.file_type() else { continue };
                        if t.is_file() && !paths.contains_key(&rel) {
                            remove(rel)?;
                        } else if t.is_dir()
                            && !m.dirs.contains_key(&rel)
                            && !all_dirs().contains(rel.as_str())
                        {
                            // A folder no build made: everything in it goes.
                            let foreign = out.join(&rel);
                            for f in existing_files(&foreign) {
                                remove(format!("{rel}/{f}"))?;
                            }
                            remove_empty_dirs(&foreign);
                            let _ = fs::remove_dir(&foreign);
                        }
                    }
                }
                // Folders left empty, from the bottom up.
                let mut emptied: Vec<&str> = removed.iter().flat_map(|p| folders_of(p)).collect();
                emptied.sort_unstable_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
                emptied.dedup();
                for d in emptied {
                    if !all_dirs().contains(d) {
                        let _ = fs::remove_dir(out.join(d)); // kept unless empty
                    }
                }
            }
            None => {
                for stale in existing_files(&out) {
                    if !paths.contains_key(&stale) {
                        remove(stale)?;
                    }
                }
                if !removed.is_empty() {
                    remove_empty_dirs(&out);
                }
            }
        }
        stats.removed = removed.len();
        // The record for the next build: the same when nothing changed;
        // otherwise folder times known unchanged are kept, the others (and
        // all, the first time) read now.
        let same = old.as_ref().is_some_and(|m| {
            written == 0
                && removed.is_empty()
                && dirty.is_empty()
                && m.files.len() == paths.len()
                && paths
                    .iter()
                    .all(|(p, k)| k.is_some() && k.as_ref() == m.files.get(p))
        });
        if same {
            self.done = true;
            return Ok(stats);
        }
        let touched: HashSet<&str> = staged
            .iter()
            .map(|(_, p)| p.as_str())
            .chain(removed.iter().map(String::as_str))
            .flat_map(folders_of)
            .collect();
        let next = Manifest {
            dirs: all_dirs()
                .par_iter()
                .filter_map(|&d| {
                    let kept = old
                        .as_ref()
                        .filter(|_| !dirty.contains(d) && !touched.contains(d))
                        .and_then(|m| m.dirs.get(d).copied());
                    Some((d.to_string(), kept.or_else(|| dir_time(d))?))
                })
                .collect(),
            files: known_files(&paths),
        };
        manifest::save(&canonical(&out), &next);
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
