//! Rebuilding for `serve`: the [`Rebuilder`] owns the last good output and
//! the diagnostics of the latest build, runs the pipeline for each batch of
//! changed files, compares the new output with the old one and says what
//! kind of change it was (nothing, stylesheets only, or pages), so that open
//! pages can swap a stylesheet instead of reloading.
//!
//! Builds are incremental ([`crate::incremental`]): only the changed files
//! are parsed again and only the pages an edit touched are rendered; the
//! rest of the served output is shared with the previous snapshot. The
//! search index, when the text changed, is rebuilt right after the pages
//! are published ([`Rebuilder::finish_search`]), so it does not delay the
//! reload; the files of the previous index that the new one no longer has
//! (its files are named after their content) stay served until the next
//! one, so a page that loaded the old manifest can still fetch its chunks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::build::{self, Failure};
use crate::diagnostics::Diagnostic;
use crate::incremental::Incremental;
use crate::output::Output;

/// The output as served: path → bytes shared between snapshots.
/// Paths to bytes. The keys are shared strings: each edit copies the map
/// (tens of thousands of entries on a big site), not the paths.
pub type Served = BTreeMap<Arc<str>, Bytes>;

/// Files of the search index: its manifest, and the files named after
/// their content in the folders below `search/` (the search page is
/// `search/index.html`).
fn is_search_file(path: &str) -> bool {
    path == "search/index.js"
        || path
            .strip_prefix("search/")
            .is_some_and(|rest| rest.contains('/'))
}

/// What a rebuild changed, as open pages need to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Same bytes, same diagnostics: nothing to tell the browser.
    None,
    /// Only these stylesheets changed: swap them in place.
    Css(Vec<String>),
    /// Pages changed, or errors appeared or went away: reload.
    Pages,
}

/// The state the server serves from; replaced as a whole after each rebuild.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The last good build (`None` until a build succeeds).
    pub output: Option<Arc<Served>>,
    /// Diagnostics of the latest build when it failed; empty when it succeeded.
    pub errors: Arc<Vec<Diagnostic>>,
    /// Counts the rebuilds that changed something.
    pub generation: u64,
    /// The generation of the latest change that needs a page reload.
    pub last_reload: u64,
    /// Identifies this server process, so pages notice a restart.
    pub instance: Arc<str>,
    /// The path part of `base_url` (`/handbook/`): pages are served under it too.
    pub base_path: String,
}

impl Snapshot {
    /// The version a page was served at: instance and generation.
    pub fn version(&self) -> String {
        format!("{}-{}", self.instance, self.generation)
    }

    pub fn failed(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// The result of one rebuild, for the terminal.
#[derive(Debug)]
pub struct Outcome {
    /// The whole rebuild: pipeline and comparison with the previous output.
    pub took: Duration,
    pub change: Change,
    /// Pages (output files) whose bytes changed, were added or removed.
    pub files_changed: usize,
    /// Warnings of a good build, or everything a failed build reported.
    pub diagnostics: Vec<Diagnostic>,
    pub failed: bool,
    /// Pages rendered (all of them, or those the edit touched).
    pub pages: usize,
    /// The search index must be rebuilt: call [`Rebuilder::finish_search`].
    pub search_pending: bool,
}

/// Owns the last good output and the latest diagnostics.
pub struct Rebuilder {
    opts: build::Options,
    inc: Incremental,
    good: Option<Arc<Served>>,
    /// Search files of the index before the current one, still served.
    old_search: Vec<Arc<str>>,
    errors: Arc<Vec<Diagnostic>>,
    generation: u64,
    last_reload: u64,
    instance: Arc<str>,
    base_path: String,
}

impl Rebuilder {
    pub fn new(opts: build::Options) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let instance = format!("{:x}{:x}", std::process::id(), nanos & 0xffff_ffff);
        Rebuilder {
            opts,
            inc: Incremental::default(),
            good: None,
            old_search: Vec::new(),
            errors: Arc::new(Vec::new()),
            generation: 0,
            last_reload: 0,
            instance: instance.into(),
            base_path: "/".into(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.opts.root
    }

    /// Runs the pipeline again. `changed` names the inputs that changed
    /// (relative to the root); empty means "everything" (the first build,
    /// or a rescan).
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Outcome {
        let started = Instant::now();
        let changed = (!changed.is_empty()).then_some(changed);
        let result = build::build_with(&self.opts, Some(&mut self.inc), changed, None);
        if std::env::var_os("CHARTER_TIMINGS").is_some() {
            eprintln!(
                "{:>8.1} ms  build_with, all",
                started.elapsed().as_secs_f64() * 1e3
            );
        }
        match result {
            Ok(built) => {
                if let Ok(config) = build::load_config(&self.opts.root, None) {
                    self.base_path = config.base_path();
                }
                let was_failing = !self.errors.is_empty();
                let (served, files_changed, css) = match (&self.good, built.complete) {
                    (Some(old), false) => {
                        let (n, css) = diff_delta(old, &built.output);
                        let mut served = Served::clone(old);
                        served.extend(
                            built
                                .output
                                .into_iter()
                                .map(|(k, v)| (Arc::from(k), Bytes::from(v))),
                        );
                        (served, n, css)
                    }
                    (old, _) => {
                        let (n, css) = match old {
                            Some(old) => diff(old, &built.output),
                            None => (built.output.len(), Vec::new()),
                        };
                        self.old_search.clear();
                        let served: Served = built
                            .output
                            .into_iter()
                            .map(|(k, v)| (Arc::from(k), Bytes::from(v)))
                            .collect();
                        (served, n, css)
                    }
                };
                let change = if was_failing || self.good.is_none() {
                    Change::Pages
                } else if files_changed == 0 {
                    Change::None
                } else if css.len() == files_changed {
                    Change::Css(css)
                } else {
                    Change::Pages
                };
                if std::env::var_os("CHARTER_TIMINGS").is_some() {
                    eprintln!("{:>8.1} ms  served", started.elapsed().as_secs_f64() * 1e3);
                }
                crate::incremental::drop_later(self.good.replace(Arc::new(served)));
                self.errors = Arc::new(Vec::new());
                self.bump(&change);
                Outcome {
                    took: started.elapsed(),
                    change,
                    files_changed,
                    diagnostics: built.diagnostics,
                    failed: false,
                    pages: built.stats.pages,
                    search_pending: built.search_stale,
                }
            }
            Err(failure) => {
                let diags = match failure {
                    Failure::Content(d) => d,
                    Failure::Usage(msg) => vec![Diagnostic::error("E001", msg)],
                };
                let change = if *self.errors == diags {
                    Change::None
                } else {
                    Change::Pages
                };
                self.errors = Arc::new(diags.clone());
                self.bump(&change);
                Outcome {
                    took: started.elapsed(),
                    change,
                    files_changed: 0,
                    diagnostics: diags,
                    failed: true,
                    pages: 0,
                    search_pending: false,
                }
            }
        }
    }

    /// Rebuilds the search index of the last good build and puts it in
    /// the served output; returns how long that took. The files of the
    /// index before that the new one does not share (its files are named
    /// after their content) keep being served, for pages that loaded its
    /// manifest; those of the one before that go.
    pub fn finish_search(&mut self) -> Option<Duration> {
        let started = Instant::now();
        let files = build::search_files(&self.inc)?;
        let good = self.good.as_ref()?;
        let mut served = Served::clone(good);
        for k in std::mem::take(&mut self.old_search) {
            if !files.contains_key(&*k) {
                served.remove(&*k);
            }
        }
        self.old_search = served
            .keys()
            .filter(|k| {
                is_search_file(k) && !files.contains_key(&***k) && &***k != "search/index.js"
            })
            .cloned()
            .collect();
        served.extend(
            files
                .into_iter()
                .map(|(k, v)| (Arc::from(k), Bytes::from(v))),
        );
        crate::incremental::drop_later(self.good.replace(Arc::new(served)));
        Some(started.elapsed())
    }

    fn bump(&mut self, change: &Change) {
        match change {
            Change::None => {}
            Change::Css(_) => self.generation += 1,
            Change::Pages => {
                self.generation += 1;
                self.last_reload = self.generation;
            }
        }
    }

    /// What the server should serve now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            output: self.good.clone(),
            errors: self.errors.clone(),
            generation: self.generation,
            last_reload: self.last_reload,
            instance: self.instance.clone(),
            base_path: self.base_path.clone(),
        }
    }
}

/// How many of the files an incremental build gave differ from the served
/// ones, and which of them are stylesheets.
fn diff_delta(old: &Served, new: &Output) -> (usize, Vec<String>) {
    let changed: Vec<&String> = new
        .iter()
        .filter(|(p, b)| old.get(p.as_str()).map(|o| &o[..]) != Some(&b[..]))
        .map(|(p, _)| p)
        .collect();
    let css = changed
        .iter()
        .filter(|p| p.ends_with(".css"))
        .map(|p| p.to_string())
        .collect();
    (changed.len(), css)
}

/// How many files differ between two outputs, and which of them are stylesheets.
fn diff(old: &Served, new: &Output) -> (usize, Vec<String>) {
    let mut changed = 0;
    let mut css = Vec::new();
    let mut note = |p: &str| {
        changed += 1;
        if p.ends_with(".css") {
            css.push(p.to_string());
        }
    };
    for (p, b) in new {
        if old.get(p.as_str()).map(|o| &o[..]) != Some(&b[..]) {
            note(p);
        }
    }
    for p in old.keys() {
        if !new.contains_key(&**p) {
            note(p);
        }
    }
    (changed, css)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(items: &[(&str, &str)]) -> Output {
        items
            .iter()
            .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn diff_counts_changed_added_removed_and_css() {
        let a = out(&[("a.html", "1"), ("s.css", "x"), ("gone.html", "")]);
        let b = out(&[("a.html", "1"), ("s.css", "y"), ("new.csv", "")]);
        let served = |o: &Output| -> Served {
            o.iter()
                .map(|(k, v)| (Arc::from(k.as_str()), Bytes::from(v.clone())))
                .collect()
        };
        assert_eq!(diff(&served(&a), &b), (3, vec!["s.css".to_string()]));
        assert_eq!(diff(&served(&a), &a), (0, vec![]));
        assert_eq!(diff_delta(&served(&a), &b), (2, vec!["s.css".to_string()]));
    }
}
