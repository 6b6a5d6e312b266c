//! Watching a site for `serve`: `content/`, `static/`, `templates/`,
//! `themes/` (recursively) and `config.toml`, through notify and
//! notify-debouncer-full (native events, or `PollWatcher` with `--poll`).
//! Each debounced batch becomes the list of changed paths relative to the
//! root, without editor temp files, reads (our own build opens files) or
//! anything outside the watched inputs (e.g. `output/`).

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer_opt,
};

use crate::source::walk::is_temp_file;

/// The folders whose every change rebuilds the site.
pub const WATCHED_DIRS: [&str; 4] = ["content", "static", "templates", "themes"];
/// How long a burst of events is gathered before a rebuild: an editor's
/// save (write, or write a copy and rename it) is a burst of a few
/// milliseconds; this is watchexec's default.
pub const DEBOUNCE: Duration = Duration::from_millis(50);
/// How often the debouncer looks for bursts that ended: at most this is
/// added to [`DEBOUNCE`] (its default, a quarter of it, adds up to 12 ms).
const TICK: Duration = Duration::from_millis(10);
/// How often `--poll` looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(400);

/// What the watcher saw.
#[derive(Debug)]
pub enum Batch {
    /// These inputs changed (relative to the root).
    Changed(Vec<PathBuf>),
    /// Events may have been lost (queue overflow, watcher errors): rebuild anyway.
    Rescan(String),
}

enum Inner {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Inner {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Inner::Native(d) => d.watch(path, mode),
            Inner::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) {
        let _ = match self {
            Inner::Native(d) => d.unwatch(path),
            Inner::Poll(d) => d.unwatch(path),
        };
    }
}

/// The running watcher; dropping it stops watching.
pub struct Watcher {
    root: PathBuf,
    inner: Inner,
    watched: BTreeSet<&'static str>,
}

impl Watcher {
    /// Starts watching `root`; batches go to `tx`. Falls back to polling
    /// when native events are unavailable (e.g. the inotify limits are reached).
    pub fn start(root: &Path, poll: bool, tx: Sender<Batch>) -> notify::Result<Watcher> {
        if !poll {
            match Watcher::start_with(root, false, tx.clone()) {
                Ok(w) => return Ok(w),
                Err(e) => eprintln!(
                    "note: native file change events are unavailable ({e}); polling for changes instead"
                ),
            }
        }
        Watcher::start_with(root, true, tx)
    }

    fn start_with(root: &Path, poll: bool, tx: Sender<Batch>) -> notify::Result<Watcher> {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let filter_root = root.clone();
        let handler = move |res: DebounceEventResult| {
            let batch = match res {
                Ok(events) => {
                    let mut paths = BTreeSet::new();
                    let mut rescan = false;
                    for e in events {
                        rescan |= e.event.need_rescan();
                        if ignored_kind(&e.event.kind) {
                            continue;
                        }
                        for p in &e.event.paths {
                            if let Some(rel) = relevant(&filter_root, p) {
                                paths.insert(rel);
                            }
                        }
                    }
                    if rescan {
                        Batch::Rescan("the file watcher lost events".into())
                    } else if paths.is_empty() {
                        return;
                    } else {
                        Batch::Changed(paths.into_iter().collect())
                    }
                }
                Err(errors) => Batch::Rescan(
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            let _ = tx.send(batch);
        };
        let inner = if poll {
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true);
            Inner::Poll(new_debouncer_opt::<_, PollWatcher, NoCache>(
                DEBOUNCE,
                Some(TICK),
                handler,
                NoCache,
                config,
            )?)
        } else {
            Inner::Native(
                new_debouncer_opt::<_, RecommendedWatcher, RecommendedCache>(
                    DEBOUNCE,
                    Some(TICK),
                    handler,
                    RecommendedCache::new(),
                    notify::Config::default(),
                )?,
            )
        };
        let mut w = Watcher {
            root,
            inner,
            watched: BTreeSet::new(),
        };
        // The root itself, not recursively: config.toml, and folders that appear later.
        w.inner
            .watch(&w.root.clone(), RecursiveMode::NonRecursive)?;
        w.watch_dirs(&[])?;
        Ok(w)
    }

    /// Watches the input folders that exist now; `changed` (from the last
    /// batch) says which may have been created, removed or replaced.
    pub fn refresh(&mut self, changed: &[PathBuf]) {
        if let Err(e) = self.watch_dirs(changed) {
            eprintln!("warning: cannot watch a folder for changes: {e} (try --poll)");
        }
    }

    fn watch_dirs(&mut self, changed: &[PathBuf]) -> notify::Result<()> {
        let mut result = Ok(());
        for dir in WATCHED_DIRS {
            let path = self.root.join(dir);
            let touched = changed.iter().any(|c| c.as_os_str() == dir);
            if self.watched.contains(dir) && !touched {
                continue;
            }
            if self.watched.remove(dir) {
                self.inner.unwatch(&path);
            }
            if path.is_dir() {
                match self.inner.watch(&path, RecursiveMode::Recursive) {
                    Ok(()) => {
                        self.watched.insert(dir);
                    }
                    Err(e) => result = Err(e),
                }
            }
        }
        result
    }
}

/// Opening and reading files (our own build does) and access-time updates change nothing.
fn ignored_kind(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))
    )
}

/// `path` relative to `root` if it is a watched input and not an editor temp file.
pub fn relevant(root: &Path, path: &Path) -> Option<PathBuf> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel.components();
    let first = match parts.next()? {
        Component::Normal(s) => s.to_str()?,
        _ => return None,
    };
    let is_input =
        WATCHED_DIRS.contains(&first) || (first == "config.toml" && rel == Path::new(first));
    if !is_input {
        return None;
    }
    let temp = rel.components().any(|c| match c {
        Component::Normal(s) => is_temp_file(&s.to_string_lossy()),
        _ => true,
    });
    if temp {
        return None;
    }
    Some(rel.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevant_paths() {
        let root = Path::new("/site");
        let r = |p: &str| relevant(root, Path::new(p)).map(|p| p.to_string_lossy().to_string());
        assert_eq!(r("/site/config.toml"), Some("config.toml".into()));
        assert_eq!(r("/site/content/a.md"), Some("content/a.md".into()));
        assert_eq!(r("/site/content"), Some("content".into()));
        assert_eq!(
            r("/site/themes/x/templates/base.html"),
            Some("themes/x/templates/base.html".into())
        );
        assert_eq!(r("/site/output/index.html"), None);
        assert_eq!(r("/site/.git/index"), None);
        assert_eq!(r("/site/content/.a.md.swp"), None);
        assert_eq!(r("/site/content/a.md~"), None);
        assert_eq!(r("/site/content/.#a.md"), None);
        assert_eq!(r("/site/content/4913"), None);
        assert_eq!(r("/site/config.toml.bak/x"), None);
        assert_eq!(r("/elsewhere/content/a.md"), None);
    }
}
