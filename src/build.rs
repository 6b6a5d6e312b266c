//! The pipeline: load → resolve → check → render, ending in an in-memory
//! [`Output`] that `build` writes to disk and `serve` serves. Nothing here
//! touches the output folder.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{self, Diagnostic, closest};
use crate::incremental::{self, Incremental};
use crate::markdown::{self, Anchor, Rendered, links::Linker};
use crate::model::{self, DocId, Site};
use crate::output::Output;
use crate::pages;
use crate::source::{self, walk};
use crate::theme;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub root: PathBuf,
    pub base_url: Option<String>,
    pub drafts: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub pages: usize,
    pub roles: usize,
    pub activities: usize,
    pub millis: u128,
}

/// A successful build: the output and its warnings.
pub struct Built {
    pub output: Output,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
    /// `output` is the whole site; otherwise only what changed.
    pub complete: bool,
    /// The search index in the previous output no longer matches the text.
    pub search_stale: bool,
}

/// Why a build failed.
#[derive(Debug)]
pub enum Failure {
    /// The site root cannot be used at all (exit code 2).
    Usage(String),
    /// Content or template errors (exit code 1); warnings included.
    Content(Vec<Diagnostic>),
}

/// Reads and checks config.toml.
pub fn load_config(root: &Path, base_url: Option<&str>) -> Result<Config, Failure> {
    if !root.is_dir() {
        return Err(Failure::Usage(format!(
            "{} is not a folder",
            root.display()
        )));
    }
    let path = root.join("config.toml");
    if !path.is_file() {
        return Err(Failure::Usage(format!(
            "{} has no config.toml, so it is not a Charter site (create one with `charter init {}`)",
            root.display(),
            root.display()
        )));
    }
    let rel = Path::new("config.toml");
    let src = source::read(&path, rel).map_err(|d| Failure::Content(vec![d]))?;
    let mut config = Config::parse(&src, rel).map_err(Failure::Content)?;
    if let Some(b) = base_url {
        if let Some(why) = crate::config::base_url_problem(b) {
            return Err(Failure::Usage(format!("--base-url {b:?} {why}")));
        }
        config.base_url = b.to_string();
    }
    Ok(config)
}

/// Runs the whole pipeline in memory.
pub fn build(opts: &Options) -> Result<Built, Failure> {
    build_with(opts, None, None, None)
}

/// Runs the pipeline writing into `out` as it goes (see [`crate::output::Stage`]):
/// the output folder changes only if the whole build succeeds.
pub fn build_to_disk(
    opts: &Options,
    out: &Path,
) -> Result<(Built, crate::output::WriteStats), Failure> {
    let mut timer = Timer::new();
    let config = load_config(&opts.root, opts.base_url.as_deref())?;
    let stage = crate::output::Stage::new(&opts.root, out, config.build.precompress)
        .map_err(|d| Failure::Content(vec![d]))?;
    timer.lap("record of the last build");
    let built = build_with(opts, None, None, Some(&stage))?;
    timer.lap("build (to the end of `build_with`)");
    let stats = stage.commit().map_err(|d| Failure::Content(vec![d]))?;
    timer.lap("commit (moves, stale files, record)");
    Ok((built, stats))
}

/// The pipeline with what `serve` keeps between builds: `changed` lists
/// the inputs that changed since the last call (relative to the root;
/// `None`: unknown, start over). The result is then either the whole
/// output (`complete`) or only the files that changed, every other file
/// being as in the previous good build (search index aside: see
/// `search_stale` and [`search_files`]).
pub fn build_with(
    opts: &Options,
    inc: Option<&mut Incremental>,
    changed: Option<&[PathBuf]>,
    stage: Option<&crate::output::Stage>,
) -> Result<Built, Failure> {
    let started = Instant::now();
    let mut timer = Timer::new();
    let root = opts.root.as_path();
    let config = load_config(root, opts.base_url.as_deref())?;
    let mut diags = Vec::new();
    let mut inc = inc;
    // The files of the site: walked, or (only Markdown files it lists
    // changed, and they are still there) the last walk's.
    let inv = match inc
        .as_deref()
        .and_then(|i| last_inventory(root, i, &config.theme, changed))
    {
        Some(inv) => inv,
        None => {
            let before = diags.len();
            let inv = Arc::new(walk::inventory(root, &config.theme, &mut diags));
            if let Some(i) = inc.as_deref_mut() {
                i.inventory = (diags.len() == before).then(|| (config.theme.clone(), inv.clone()));
            }
            inv
        }
    };
    let theme_dir = root.join("themes").join(&config.theme);
    if config.theme != "default" && !theme_dir.is_dir() {
        let found: Vec<String> = std::fs::read_dir(root.join("themes"))
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let mut d = Diagnostic::error(
            "E020",
            format!("theme `{}` not found in themes/", config.theme),
        )
        .at(src_location(root, "theme"));
        d = match closest(
            &config.theme,
            found.iter().map(String::as_str).chain(["default"]),
        ) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => {
                d.with_help("use theme = \"default\" (built in) or add themes/<name>/templates/")
            }
        };
        diags.push(d);
    }
    let syntax_css = markdown::highlight::theme_css(&config.markdown.highlight_theme);
    if syntax_css.is_none() {
        let names = markdown::highlight::theme_names();
        let mut d = Diagnostic::error(
            "E020",
            format!(
                "unknown highlight theme `{}`",
                config.markdown.highlight_theme
            ),
        )
        .at(src_location(root, "highlight_theme"));
        d = d.with_help(
            match closest(&config.markdown.highlight_theme, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("choose one of: {}", names.join(", ")),
            },
        );
        diags.push(d);
    }
    let theme = match theme::load(root, &inv.templates, true) {
        Ok(t) => Some(t),
        Err(mut d) => {
            diags.append(&mut d);
            None
        }
    };
    timer.lap("config, inventory, theme");
    // With a cache: forget the files that changed, or everything when a
    // change is not to a Markdown file (or the list is unknown).
    // Only bodies changed (front matter byte for byte the same): the model
    // of the last good build stands, with the new texts in it.
    let reused = match (inc.as_deref_mut(), changed) {
        (Some(inc), Some(paths)) => body_only_site(root, inc, &inv.markdown, paths),
        _ => None,
    };
    // Only front matter changed, in nothing the rest of the model is
    // resolved against: the last good build's model, those documents made
    // again.
    let patched = match (inc.as_deref_mut(), changed) {
        (Some(inc), Some(paths)) if reused.is_none() => {
            patched_site(root, inc, &inv.markdown, paths)
        }
        _ => None,
    };
    let same_paths = patched.is_some();
    if let Some(inc) = inc
        .as_deref_mut()
        .filter(|_| reused.is_none() && patched.is_none())
    {
        match changed {
            Some(paths) => {
                for p in paths {
                    inc.parsed.forget(p);
                }
                if !paths.iter().all(|p| is_content_markdown(p)) {
                    inc.prev = None;
                }
            }
            None => inc.clear(),
        }
    }
    // Only bodies changed: the files whose text changed.
    let mut body_files: Option<Vec<usize>> = None;
    // Only front matter changed, and no list was sorted again: the
    // documents whose front matter did.
    let mut patched_docs: Option<Vec<DocId>> = None;
    let site = match (reused, patched) {
        (Some((site, load_diags, files)), _) => {
            diags.extend(load_diags);
            body_files = Some(files);
            site
        }
        (None, Some((site, docs))) => {
            patched_docs = docs;
            site
        }
        (None, None) => {
            let before = diags.len();
            let site = model::load::load_cached(
                root,
                config,
                &inv.markdown,
                opts.drafts,
                &mut diags,
                inc.as_deref_mut().map(|i| &mut i.parsed),
            );
            if let Some(inc) = inc.as_deref_mut() {
                inc.load_diagnostics = diags[before..].to_vec();
            }
            site
        }
    };
    timer.lap("load and resolve");
    let prev = inc.as_deref_mut().and_then(|i| i.prev.take());
    let prev = prev.filter(|p| p.bodies.len() == site.docs.len());
    // Only bodies changed: `edited[d]` says whether document d's text did;
    // the others are as in the last build (sources, digests, link
    // environments, checks and the paths links may point at).
    let edited: Option<Vec<bool>> = body_files.as_ref().filter(|_| prev.is_some()).map(|files| {
        site.docs
            .iter()
            .map(|doc| files.contains(&doc.file))
            .collect()
    });
    // Only front matter changed: `patched[d]` says whether document d's
    // did; the others are as in the last build, as above.
    let patched: Option<Vec<bool>> = patched_docs.filter(|_| prev.is_some()).map(|ds| {
        let mut v = vec![false; site.docs.len()];
        for d in ds {
            v[d] = true;
        }
        v
    });
    let unchanged = |d: DocId| edited.as_ref().or(patched.as_ref()).is_some_and(|e| !e[d]);
    let sources: Vec<u64> = site
        .docs
        .par_iter()
        .enumerate()
        .map(|(d, doc)| match &prev {
            Some(p) if unchanged(d) => p.bodies[d].source,
            _ => incremental::hash(site.files[doc.file].body()),
        })
        .collect();
    // First Markdown pass: anchors of every body whose text changed.
    let analyze_where = |need: &(dyn Fn(usize) -> bool + Sync)| -> Vec<Option<markdown::Analysis>> {
        site.docs
            .par_iter()
            .enumerate()
            .map(|(d, doc)| need(d).then(|| markdown::analyze(site.files[doc.file].body())))
            .collect()
    };
    let mut analyses = analyze_where(&|d| {
        prev.as_ref()
            .is_none_or(|p| p.bodies[d].source != sources[d])
    });
    let group_analyses: Vec<Option<markdown::Analysis>> = site
        .groups
        .par_iter()
        .map(|g| g.file.map(|f| markdown::analyze(site.files[f].body())))
        .collect();
    let anchors: Vec<Arc<Vec<Anchor>>> = analyses
        .iter()
        .enumerate()
        .map(|(d, a)| match (a, &prev) {
            (Some(a), _) => Arc::new(a.anchors.clone()),
            (None, Some(p)) => p.bodies[d].anchors.clone(),
            (None, None) => unreachable!("every body is analyzed without a previous build"),
        })
        .collect();
    timer.lap("markdown analysis");
    // The checks read the model and the anchors: with neither changed,
    // they say what they said last time.
    let same_anchors = edited.is_some()
        && prev.as_ref().is_some_and(|p| {
            (0..site.docs.len()).all(|d| unchanged(d) || p.bodies[d].anchors == anchors[d])
        });
    let checked = match inc.as_deref_mut() {
        Some(inc) if same_anchors => std::mem::take(&mut inc.checks),
        _ => model::checks::check(&site, &anchors),
    };
    diags.extend(checked.iter().cloned());
    if let Some(inc) = inc.as_deref_mut() {
        inc.checks = checked;
    }
    timer.lap("checks");
    // Only bodies, or only front matter of the kind a patch takes: the
    // same documents, groups and roles, so the same paths; but a patch
    // that changes assignments may split `/matrix/` or join it again.
    let cached_known = inc
        .as_deref_mut()
        .filter(|_| edited.is_some() || same_paths)
        .and_then(|i| i.known.take())
        .filter(|k| edited.is_some() || same_matrix_pages(&site, k));
    // With a previous build: a digest of the paths, so that bodies that
    // link to a path are resolved again when the paths changed.
    let cached_hash = prev
        .as_ref()
        .filter(|_| cached_known.is_some())
        .map(|p| p.known);
    let known = cached_known.unwrap_or_else(|| known_paths(&site, &inv));
    let known_hash = match (cached_hash, &inc) {
        (Some(h), _) => h,
        (None, Some(_)) => incremental::set_hash(&known),
        (None, None) => 0,
    };
    timer.lap("known paths");
    let env: Vec<u64> = (0..site.docs.len())
        .map(|d| match &prev {
            Some(p) if unchanged(d) => p.docs[d].link_env,
            _ => incremental::link_env(&site, d, &anchors[d]),
        })
        .collect();
    let role_env: Vec<u64> = match &prev {
        Some(p) if edited.is_some() => p.role_env.clone(),
        Some(p) if patched.is_some() => (0..site.roles.len())
            .map(|r| match unchanged(site.roles[r].dept) {
                true => p.role_env[r],
                false => incremental::role_env(&site, r),
            })
            .collect(),
        _ => (0..site.roles.len())
            .map(|r| incremental::role_env(&site, r))
            .collect(),
    };
    let render: Vec<bool> = match &prev {
        Some(p) => incremental::bodies_to_render(p, &sources, &env, &role_env, known_hash),
        None => vec![true; site.docs.len()],
    };
    timer.lap("link environments");
    // Bodies to render again whose text did not change: analyze them now.
    let more = analyze_where(&|d| render[d] && analyses[d].is_none());
    for (a, m) in analyses.iter_mut().zip(more) {
        if m.is_some() {
            *a = m;
        }
    }

    // Second pass: bodies with links resolved (drafts too: they are
    // checked in every build). Each parsed body is dropped after it: the
    // parsed bodies are large. When this build is sure to make the search
    // index (a build after an edit makes it later if it must, parsing the
    // bodies again one at a time), each body's text for it is taken now.
    let search_now = prev.is_none();
    type SearchBlocks = crate::search::Taken<Vec<crate::search::Block>>;
    let (mut rendered_docs, search_blocks): (Vec<pages::RenderedDoc>, Vec<SearchBlocks>) = analyses
        .into_par_iter()
        .enumerate()
        .map(|(d, a)| {
            let Some(a) = a.filter(|_| render[d]) else {
                let b = &prev.as_ref().expect("a cached body").bodies[d];
                let none = crate::search::Taken::none();
                return ((b.rendered.clone(), b.targets.clone(), Vec::new()), none);
            };
            let a = &a;
            let doc = &site.docs[d];
            let file = &site.files[doc.file];
            let mut linker = Linker {
                site: &site,
                anchors: &anchors,
                own: &a.anchors,
                known: &known,
                file: doc.file,
                doc: Some(d),
                body_start: file.body_start,
                diags: Vec::new(),
                targets: Vec::new(),
            };
            let section_ids: Vec<&str> = doc
                .roles
                .iter()
                .map(|&r| site.roles[r].id.as_str())
                .collect();
            let mut r = markdown::render(a, &section_ids, &mut |req| linker.resolve(req));
            if site.config.markdown.safe {
                clean(&mut r, &file.rel, &mut linker.diags);
            }
            let blocks = match search_now && site.published(d) {
                true => crate::search::Taken::new(crate::search::body_blocks(a)),
                false => crate::search::Taken::none(),
            };
            (
                (Arc::new(r), Arc::new(linker.targets), linker.diags),
                blocks,
            )
        })
        .unzip();
    let mut rendered_groups: Vec<Option<(Rendered, Vec<Diagnostic>)>> = group_analyses
        .par_iter()
        .enumerate()
        .map(|(g, a)| {
            let a = a.as_ref()?;
            let file = site.groups[g].file?;
            let mut linker = Linker {
                site: &site,
                anchors: &anchors,
                own: &a.anchors,
                known: &known,
                file,
                doc: None,
                body_start: site.files[file].body_start,
                diags: Vec::new(),
                targets: Vec::new(),
            };
            let mut r = markdown::render(a, &[], &mut |req| linker.resolve(req));
            if site.config.markdown.safe {
                clean(&mut r, &site.files[file].rel, &mut linker.diags);
            }
            Some((r, linker.diags))
        })
        .collect();
    timer.lap("bodies rendered");
    // What the next build reuses.
    let cached: Option<Vec<incremental::CachedBody>> = inc.is_some().then(|| {
        rendered_docs
            .par_iter()
            .enumerate()
            .map(|(d, (r, t, dg))| incremental::CachedBody {
                source: sources[d],
                anchors: anchors[d].clone(),
                rendered: r.clone(),
                targets: t.clone(),
                had_diagnostics: !dg.is_empty(),
                result: match &prev {
                    Some(p) if !render[d] => p.bodies[d].result,
                    _ => incremental::result_hash(r, t),
                },
            })
            .collect()
    });
    for (_, _, d) in &mut rendered_docs {
        diags.append(d);
    }
    for (_, d) in rendered_groups.iter_mut().flatten() {
        diags.append(d);
    }
    drop(group_analyses);
    timer.lap("markdown render");
    diagnostics::sort(&mut diags);
    let Some(theme) = theme.filter(|_| diagnostics::count_errors(&diags) == 0) else {
        // The last good build is still what is served: keep planning from it.
        keep_last_good(inc, prev);
        return Err(Failure::Content(diags));
    };

    let bodies = pages::Bodies::new(&site, rendered_docs, rendered_groups);
    let nav_builtin = theme.builtin("nav.html");
    let roles_builtin = theme.builtin("roles.html");
    let roles_runs_builtin =
        theme.builtin("role_initial.html") && theme.builtin("role_entries.html");
    let matrix_builtin = theme.builtin("matrix.html");
    let tables = pages::matrix::Tables::new(&site, |name| theme.builtin(name));
    let mut tera = theme.tera;
    pages::set_globals(&mut tera, &site);
    let mut output: Output = BTreeMap::new();
    timer.lap("bodies, globals");
    // Which pages: all of them, or those the edit touched.
    let mut delta: Option<incremental::Plan> = None;
    let mut next_prev: Option<incremental::Prev> = None;
    if let Some(cached) = cached {
        let digests: Vec<incremental::DocDigest> = (0..site.docs.len())
            .into_par_iter()
            .map(|d| match &prev {
                Some(p) if unchanged(d) => p.docs[d].clone(),
                _ => incremental::doc_digest(&site, d, &anchors[d]),
            })
            .collect();
        timer.lap("digests");
        // A group's own page is a content file too: its text is in the
        // global digest.
        let group_text = body_files.as_ref().is_some_and(|files| {
            site.groups
                .iter()
                .any(|g| g.file.is_some_and(|f| files.contains(&f)))
        });
        let global = match &prev {
            Some(p) if edited.is_some() && !group_text => p.global,
            // The rest of what the global digest covers stands when only
            // front matter changed and no list was sorted again.
            Some(p)
                if patched.is_some()
                    && p.known == known_hash
                    && (0..site.docs.len())
                        .all(|d| unchanged(d) || digests[d].meta == p.docs[d].meta) =>
            {
                p.global
            }
            _ => incremental::global_digest(&site, &digests, known_hash),
        };
        timer.lap("global digest");
        delta = prev
            .as_ref()
            .and_then(|p| incremental::plan(&site, p, global, &digests, &cached));
        next_prev = Some(incremental::Prev {
            global,
            known: known_hash,
            docs: digests,
            role_env: role_env.clone(),
            reports_to: site.roles.iter().map(|r| r.reports_to).collect(),
            bodies: cached,
        });
    }
    let wanted = |k: pages::PageKey| delta.as_ref().is_none_or(|p| p.pages.contains(&k));
    // Charters of the handbook that the edit did not touch are reused.
    let fragments = pages::print::Fragments {
        previous: match (&delta, inc.as_deref_mut()) {
            (Some(plan), Some(inc)) => std::mem::take(&mut inc.print)
                .into_iter()
                .enumerate()
                .map(|(d, f)| f.filter(|_| !plan.pages.contains(&pages::PageKey::Doc(d))))
                .collect(),
            _ => Vec::new(),
        },
        made: Default::default(),
    };
    // Parts of the big pages that the edit did not change are reused.
    let big_parts = pages::BigParts {
        roles_split: roles_builtin,
        roles_runs: roles_runs_builtin,
        matrix_split: matrix_builtin,
        parts: pages::Parts::new(
            match (&delta, inc.as_deref_mut()) {
                (Some(_), Some(inc)) => std::mem::take(&mut inc.parts),
                _ => Default::default(),
            },
            inc.is_some(),
        ),
        tables,
    };
    timer.lap("plan");
    let jobs = pages::jobs(&site, &bodies, &wanted, &fragments, &big_parts);
    timer.lap("page list");
    // The units' CSV rows of the last build, for the units that did not change.
    let kept_rows = match (&delta, inc.as_deref_mut()) {
        (Some(_), Some(inc)) => std::mem::take(&mut inc.csv_rows),
        _ => Vec::new(),
    };
    let (files, mut csv_rows) = pages::files(&site, &wanted, &kept_rows);
    drop(kept_rows);
    if inc.is_none() {
        // Kept only for the next build of `serve`.
        csv_rows = Vec::new();
    }
    output.extend(files);
    timer.lap("CSV");
    let search_stale = delta.as_ref().is_some_and(|p| p.search);
    // Writing to disk: the CSV files go now, and the search index's files
    // as they are made, not held in memory while the pages render.
    if let Some(stage) = stage {
        to_stage(stage, &mut output).map_err(|d| Failure::Content(vec![d]))?;
    }
    let pages = jobs.len();
    let nav = nav_builtin.then(|| pages::NavSlot::new(&site));
    // The search index is made while the pages render (its files go to
    // the stage, or to `output`, which rendering does not touch).
    let out = &mut output;
    let (searched, results) = rayon::join(
        || {
            if delta.is_some() {
                return Ok(None);
            }
            let started = Instant::now();
            match stage {
                Some(stage) => {
                    crate::search::write(&site, &search_blocks, &bodies, |path, bytes| {
                        stage.put(path, &bytes)
                    })?;
                }
                None => crate::search::add_to_output(&site, &search_blocks, &bodies, out),
            }
            drop(search_blocks);
            Ok(Some(started.elapsed()))
        },
        || render_jobs(&tera, &theme.origins, nav.as_ref(), jobs, stage),
    );
    if let Some(took) = searched.map_err(|d| Failure::Content(vec![d]))? {
        timer.note("search index (alongside the templates)", took);
    }
    timer.lap("templates");
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok((p, Some(b))) => {
                output.insert(p, b);
            }
            Ok((_, None)) => {} // on its way to disk
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        diagnostics::sort(&mut errors);
        errors.dedup();
        diags.extend(errors);
        keep_last_good(inc, prev);
        return Err(Failure::Content(diags));
    }
    if delta.is_some() {
        // Sitemap, static files and search index are as before (the
        // search index is rebuilt by the caller when `search_stale`).
        let stats = stats(&site, pages, started);
        if let Some(inc) = inc {
            inc.known = Some(known);
            inc.csv_rows = csv_rows;
            inc.parts = big_parts.parts.kept();
            remember(inc, site, bodies, prev, next_prev, fragments);
        }
        return Ok(Built {
            output,
            stats,
            diagnostics: diags,
            complete: false,
            search_stale,
        });
    }
    let mut page_urls: Vec<String> = vec![String::new()];
    page_urls.extend(
        site.groups
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(g, _)| site.group_published(*g))
            .map(|(g, _)| site.group_url(g)),
    );
    page_urls.extend(site.published_docs().map(|d| site.docs[d].url.clone()));
    // Spec §5: then /roles/, every role page, /matrix/, /org/; and /changes/.
    page_urls.push("roles/".into());
    let parts = pages::roles::layout(&site).1;
    page_urls.extend(parts.into_iter().map(|slug| format!("roles/{slug}/")));
    page_urls.extend(
        (0..site.roles.len())
            .filter(|&r| site.published(site.roles[r].dept))
            .map(|r| site.role_url(r)),
    );
    page_urls.extend(["matrix/", "org/"].map(String::from));
    let parts = pages::org::pages(&site).1;
    page_urls.extend(parts.into_iter().map(|slug| format!("org/{slug}/")));
    page_urls.push("changes/".into());
    output.insert(
        "sitemap.xml".into(),
        pages::sitemap::sitemap(&site.config.base_url(), &page_urls).into_bytes(),
    );
    if let Some(css) = syntax_css {
        output.insert("syntax.css".into(), css.into_bytes());
    }
    // The built-in sidebar's tree, one file for every page (written with
    // a theme's own nav.html too, which may use it).
    output.insert(
        pages::NAV_SCRIPT.into(),
        pages::nav_script(&site).into_bytes(),
    );
    // Static files: built-in theme, then the theme on disk, then the site's, then co-located assets.
    for (p, b) in theme.builtin_static {
        output.entry(p).or_insert(b);
    }
    let mut copies: Vec<(String, PathBuf)> = Vec::new();
    copies.extend(inv.theme_statics.iter().cloned());
    copies.extend(inv.statics.iter().cloned());
    copies.extend(inv.assets.iter().map(|rel| {
        let p = rel
            .strip_prefix("content")
            .unwrap_or(rel)
            .to_string_lossy()
            .replace('\\', "/");
        (p, rel.clone())
    }));
    type Copied<'a> = Result<(String, Vec<u8>, &'a PathBuf), Diagnostic>;
    let read: Vec<Copied> = copies
        .par_iter()
        .map(|(out, rel)| {
            std::fs::read(root.join(rel))
                .map(|b| (out.clone(), b, rel))
                .map_err(|e| {
                    Diagnostic::error("E001", format!("cannot read {}: {e}", rel.display()))
                        .in_file(rel)
                })
        })
        .collect();
    for r in read {
        match r {
            Ok((p, b, rel)) => {
                if (output.contains_key(&p) || stage.is_some_and(|s| s.contains(&p)))
                    && page_like(&p)
                {
                    errors.push(
                        Diagnostic::error(
                            "E018",
                            format!("static file `{p}` has the same path as a generated page"),
                        )
                        .in_file(rel)
                        .with_help("rename or move the file; generated pages cannot be replaced by static files"),
                    );
                }
                output.insert(p, b);
            }
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        diags.extend(errors);
        keep_last_good(inc, prev);
        return Err(Failure::Content(diags));
    }
    match inc.as_deref_mut() {
        Some(inc) => inc.known = Some(known),
        None => drop(known),
    }
    timer.lap("sitemap, static files");
    if let Some(stage) = stage {
        // Everything else joins the pages on disk (gzipped there if asked).
        to_stage(stage, &mut output).map_err(|d| Failure::Content(vec![d]))?;
        timer.lap("files to disk");
    } else if site.config.build.precompress {
        crate::output::precompress(&mut output);
        timer.lap("precompress");
    }
    let stats = stats(&site, pages, started);
    if let Some(inc) = inc {
        inc.csv_rows = csv_rows;
        inc.parts = big_parts.parts.kept();
        remember(inc, site, bodies, prev, next_prev, fragments);
    }
    Ok(Built {
        output,
        stats,
        diagnostics: diags,
        complete: true,
        search_stale: false,
    })
}

/// A failed build: the last good build is still what is served, so the
/// next one plans from it, but cannot take the body-only shortcut.
fn keep_last_good(inc: Option<&mut Incremental>, prev: Option<incremental::Prev>) {
    if let Some(inc) = inc {
        inc.prev = prev;
        inc.clean = false;
    }
}

/// A good build: what the next one starts from. The previous model and
/// caches are freed on another thread.
fn remember(
    inc: &mut Incremental,
    site: Site,
    bodies: pages::Bodies,
    prev: Option<incremental::Prev>,
    next: Option<incremental::Prev>,
    fragments: pages::print::Fragments,
) {
    incremental::drop_later((inc.last.replace((site, bodies)), prev));
    inc.prev = next;
    inc.clean = true;
    keep_fragments(inc, fragments);
}

/// The handbook's charters for the next build: those rendered now (by
/// `/print/`, or by the volumes rendered), and the previous ones of the
/// rest.
fn keep_fragments(inc: &mut Incremental, fragments: pages::print::Fragments) {
    let mut made = fragments
        .made
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    if made.is_empty() {
        inc.print = fragments.previous;
        return;
    }
    for (m, p) in made.iter_mut().zip(fragments.previous) {
        if m.is_none() {
            *m = p;
        }
    }
    inc.print = made;
}

fn stats(site: &Site, pages: usize, started: Instant) -> Stats {
    Stats {
        pages,
        roles: site
            .published_docs()
            .map(|d| site.docs[d].roles.len())
            .sum(),
        activities: site
            .published_docs()
            .map(|d| site.docs[d].activities.len())
            .sum(),
        millis: started.elapsed().as_millis(),
    }
}

/// The last good build's model with new texts, when every changed file is
/// a content file of that build whose front matter is byte for byte what
/// it was (so resolving it again would give the same model), and the
/// files are the same. Also returns the load diagnostics of that build.
fn body_only_site(
    root: &Path,
    inc: &mut Incremental,
    markdown: &[PathBuf],
    changed: &[PathBuf],
) -> Option<(Site, Vec<Diagnostic>, Vec<usize>)> {
    let site = last_model(inc, markdown, changed)?;
    let mut fresh = Vec::new();
    for p in changed {
        let i = markdown.iter().position(|m| m == p)?;
        let src = source::read(&root.join(p), p).ok()?;
        let split = source::frontmatter::split(&src, p).ok()?;
        let body_start = split.map_or(0, |s| s.body_start);
        let old = &site.files[i];
        if old.body_start != body_start || old.src.text[..body_start] != src.text[..body_start] {
            return None;
        }
        fresh.push((
            i,
            model::SourceFile {
                rel: p.clone(),
                src: Arc::new(src),
                body_start,
            },
        ));
    }
    let (mut site, bodies) = inc.last.take()?;
    incremental::drop_later(bodies);
    let mut files = Vec::new();
    for (i, file) in fresh {
        inc.parsed.replace_source(&file);
        site.files[i] = file;
        files.push(i);
    }
    Some((site, inc.load_diagnostics.clone(), files))
}

/// Only documents' front matter changed, and in nothing that the rest of
/// the model is resolved against ([`model::load::patch`]): the model of the
/// last good build with those documents made again, and which they are
/// (`None` when the lists of documents were sorted again: a title or
/// weight changed, which every page shows). `None`: load the site.
fn patched_site(
    root: &Path,
    inc: &mut Incremental,
    markdown: &[PathBuf],
    changed: &[PathBuf],
) -> Option<(Site, Option<Vec<DocId>>)> {
    if !inc.load_diagnostics.is_empty() {
        return None;
    }
    let site = last_model(inc, markdown, changed)?;
    let files: Vec<usize> = changed
        .iter()
        .map(|p| markdown.iter().position(|m| m == p))
        .collect::<Option<_>>()?;
    let patch = model::load::patch(site, root, &files)?;
    let (mut site, bodies) = inc.last.take()?;
    incremental::drop_later(bodies);
    let (docs, resorted) = model::load::apply(&mut site, patch, &mut inc.parsed);
    Some((site, (!resorted).then_some(docs)))
}

/// The model of the last good build, when an edit can start from it:
/// every change is to a Markdown file of `content/`, and the site has the
/// same Markdown files as then.
fn last_model<'a>(
    inc: &'a Incremental,
    markdown: &[PathBuf],
    changed: &[PathBuf],
) -> Option<&'a Site> {
    if !inc.clean || inc.prev.is_none() || !changed.iter().all(|p| is_content_markdown(p)) {
        return None;
    }
    let (site, _) = inc.last.as_ref()?;
    let same_files = site.files.len() == markdown.len()
        && site.files.iter().zip(markdown).all(|(f, m)| f.rel == *m);
    same_files.then_some(site)
}

/// The last walk's inventory of the site (which reported nothing), when
/// every change since is to a Markdown file of `content/` that it lists
/// and that is still there: then no file came or went.
fn last_inventory(
    root: &Path,
    inc: &Incremental,
    theme: &str,
    changed: Option<&[PathBuf]>,
) -> Option<Arc<walk::Inventory>> {
    let (walked_theme, inv) = inc.inventory.as_ref()?;
    let same = walked_theme == theme
        && changed?
            .iter()
            .all(|p| is_content_markdown(p) && inv.markdown.contains(p) && root.join(p).is_file());
    same.then(|| inv.clone())
}

/// A content Markdown file (`content/….md`), the only kind of change that
/// an incremental build handles without rendering every page.
fn is_content_markdown(p: &Path) -> bool {
    p.starts_with("content") && p.extension().is_some_and(|e| e == "md")
}

/// The search index files of the last good build that `inc` holds.
pub fn search_files(inc: &Incremental) -> Option<Output> {
    let (site, bodies) = inc.last.as_ref()?;
    let mut out = Output::new();
    crate::search::add_to_output(site, &[], bodies, &mut out);
    Some(out)
}

/// `[markdown] safe = true`: a body and its role sections, cleaned. The
/// HTML cleaner's parser takes time quadratic in the nesting depth, so a
/// body nested deeper than any real charter is an error instead.
fn clean(r: &mut Rendered, file: &Path, diags: &mut Vec<Diagnostic>) {
    let depth = markdown::nesting_depth(&r.html);
    if depth > markdown::MAX_SAFE_DEPTH {
        diags.push(
            Diagnostic::error(
                "E008",
                format!(
                    "the body nests elements {depth} levels deep; with `[markdown] safe = true` at most {} are allowed",
                    markdown::MAX_SAFE_DEPTH
                ),
            )
            .in_file(file)
            .with_help("flatten the nested lists, block quotes or HTML"),
        );
        *r = Rendered::default();
        return;
    }
    r.html = markdown::sanitize(&r.html);
    for html in r.sections.values_mut() {
        *html = markdown::sanitize(html);
    }
}

/// Builds each job's context and renders it, in parallel; the biggest
/// pages start first so that one long page does not finish alone.
/// Moves every file of `output` to the stage.
fn to_stage(stage: &crate::output::Stage, output: &mut Output) -> Result<(), Diagnostic> {
    std::mem::take(output)
        .into_par_iter()
        .try_for_each(|(p, b)| stage.put(p, &b))
}

/// A rendered page: its path, and its bytes unless they went to a stage.
pub type RenderedPage = (String, Option<Vec<u8>>);

/// With a `stage`, each page goes to it at once and only its path comes back.
pub fn render_jobs(
    tera: &tera::Tera,
    origins: &BTreeMap<String, theme::Origin>,
    nav: Option<&pages::NavSlot>,
    mut jobs: Vec<pages::Job<'_>>,
    stage: Option<&crate::output::Stage>,
) -> Vec<Result<RenderedPage, Diagnostic>> {
    // The big pages first (each takes long: none should be last), then
    // by batch (see `Job::batch`).
    jobs.sort_by_key(|j| {
        let big = matches!(
            j.key,
            pages::PageKey::Print
                | pages::PageKey::Matrix
                | pages::PageKey::RoleIndex
                | pages::PageKey::Org
        );
        (!big, j.batch)
    });
    let clock = JobClock::new();
    let out = jobs
        .into_par_iter()
        .with_max_len(1)
        .map(|job| {
            let kind = JobClock::kind(job.key);
            let t0 = clock.start();
            let (mut context, splice) = match job.context {
                pages::MakeContext::Plain(make) => (make(), None),
                pages::MakeContext::WithTera(make) => {
                    let p = make(tera).map_err(|e| theme::template_error(&e, origins))?;
                    (p.context, p.splice)
                }
            };
            if let Some(nav) = nav {
                nav.fill(&mut context);
            }
            let t1 = clock.add(kind, 0, t0);
            // Into bytes: the template engine writes only text, and the
            // page goes out as bytes (no second pass to check it is UTF-8).
            let mut html = Vec::with_capacity(16 * 1024);
            tera.render_to(job.template, &context, &mut html)
                .map_err(|e| theme::template_error(&e, origins))?;
            drop(context);
            let t2 = clock.add(kind, 1, t1);
            if let Some(s) = splice {
                html = s.apply(&String::from_utf8_lossy(&html)).into_bytes();
            }
            let r = match stage {
                Some(stage) => stage
                    .put(job.path.clone(), &html)
                    .map(|()| (job.path, None)),
                None => Ok((job.path, Some(html))),
            };
            clock.add(kind, 2, t2);
            r
        })
        .collect();
    clock.report();
    out
}

/// With `CHARTER_TIMINGS`, the CPU time of the page jobs by kind of page:
/// context (with the sidebar), template, and splice plus write.
struct JobClock {
    on: bool,
    /// Nanoseconds by [kind][phase], and pages by kind.
    ns: [[std::sync::atomic::AtomicU64; 3]; 8],
    count: [std::sync::atomic::AtomicU64; 8],
}

impl JobClock {
    const KINDS: [&str; 8] = [
        "doc",
        "role",
        "group",
        "print",
        "role index",
        "org chart",
        "matrix",
        "other",
    ];

    fn new() -> JobClock {
        JobClock {
            on: std::env::var_os("CHARTER_TIMINGS").is_some(),
            ns: Default::default(),
            count: Default::default(),
        }
    }

    fn kind(key: pages::PageKey) -> usize {
        use pages::PageKey as K;
        match key {
            K::Doc(_) => 0,
            K::Role(_) => 1,
            K::Group(_) => 2,
            K::Print | K::PrintVolume(_) => 3,
            K::RoleIndex => 4,
            K::Org => 5,
            K::Matrix | K::MatrixUnit(_) => 6,
            _ => 7,
        }
    }

    fn start(&self) -> Option<Instant> {
        self.on.then(Instant::now)
    }

    fn add(&self, kind: usize, phase: usize, since: Option<Instant>) -> Option<Instant> {
        let since = since?;
        let now = Instant::now();
        let ns = (now - since).as_nanos() as u64;
        self.ns[kind][phase].fetch_add(ns, std::sync::atomic::Ordering::Relaxed);
        if phase == 0 {
            self.count[kind].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Some(now)
    }

    fn report(&self) {
        if !self.on {
            return;
        }
        for (k, name) in Self::KINDS.iter().enumerate() {
            let n = self.count[k].load(std::sync::atomic::Ordering::Relaxed);
            if n == 0 {
                continue;
            }
            let ms =
                |p: usize| self.ns[k][p].load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6;
            eprintln!(
                "          {name:>9}: {n:>6} pages, CPU ms: context {:.1}, template {:.1}, write {:.1}",
                ms(0),
                ms(1),
                ms(2)
            );
        }
    }
}

fn page_like(p: &str) -> bool {
    p.ends_with(".html") || p == "sitemap.xml" || p == pages::NAV_SCRIPT
}

fn src_location(root: &Path, key: &str) -> diagnostics::Location {
    let rel = Path::new("config.toml");
    match source::read(&root.join(rel), rel) {
        Ok(s) => s.locate_key(rel, key),
        Err(_) => diagnostics::Location {
            file: rel.to_path_buf(),
            line: 1,
            column: 1,
            source_line: None,
            width: 0,
        },
    }
}

/// Every root-relative path the output will hold, for checking `/` links.
fn known_paths(site: &Site, inv: &walk::Inventory) -> HashSet<String> {
    let mut known: HashSet<String> = HashSet::new();
    known.insert(String::new());
    for g in 0..site.groups.len() {
        if site.group_published(g) {
            known.insert(site.group_url(g));
        }
    }
    for d in site.published_docs() {
        known.insert(site.docs[d].url.clone());
    }
    for p in ["sitemap.xml", "404.html", "syntax.css", pages::NAV_SCRIPT] {
        known.insert(p.into());
    }
    // Generated pages other than documents and groups.
    for p in [
        "roles/",
        "matrix/",
        "org/",
        "search/",
        pages::print::URL,
        pages::changes::URL,
    ] {
        known.insert(p.into());
    }
    for r in 0..site.roles.len() {
        if site.published(site.roles[r].dept) {
            known.insert(site.role_url(r));
        }
    }
    // Generated files that depend on the site: each department's CSV,
    // `/matrix/`'s CSVs and unit pages, `/print/`'s volumes.
    for d in site.published_docs() {
        if !site.docs[d].activities.is_empty() {
            known.insert(format!("{}matrix.csv", site.docs[d].url));
        }
    }
    known.insert("matrix/matrix.csv".into());
    let (split, units) = pages::matrix::layout(site);
    for slug in units {
        known.insert(format!("matrix/{slug}.csv"));
        if split {
            known.insert(format!("matrix/{slug}/"));
        }
    }
    let (split, volumes) = pages::print::layout(site);
    if split {
        for slug in volumes {
            known.insert(format!("{}{slug}/", pages::print::URL));
        }
    }
    // `/roles/` and `/org/` split into parts (and the role filter's data).
    let (split, parts) = pages::roles::layout(site);
    if split {
        known.insert(pages::roles::DATA.into());
    }
    known.extend(parts.into_iter().map(|slug| format!("roles/{slug}/")));
    known.extend(
        pages::org::pages(site)
            .1
            .into_iter()
            .map(|slug| format!("org/{slug}/")),
    );
    for p in theme::builtin_static_names() {
        known.insert(p);
    }
    for (p, _) in inv.theme_statics.iter().chain(&inv.statics) {
        known.insert(p.clone());
    }
    for rel in &inv.assets {
        known.insert(
            rel.strip_prefix("content")
                .unwrap_or(rel)
                .to_string_lossy()
                .replace('\\', "/"),
        );
    }
    known
}

/// Whether `known` (made for an earlier model) holds `/matrix/`'s unit
/// pages exactly when the matrix of `site` is split into them.
fn same_matrix_pages(site: &Site, known: &HashSet<String>) -> bool {
    let (split, units) = pages::matrix::layout(site);
    units
        .iter()
        .all(|slug| known.contains(&format!("matrix/{slug}/")) == split)
}

/// Phase timings on stderr when `CHARTER_TIMINGS` is set (for benchmarks).
struct Timer {
    on: bool,
    last: Instant,
    /// CPU time of the process's threads at `last`, in nanoseconds.
    cpu: u64,
}

impl Timer {
    fn new() -> Timer {
        let on = std::env::var_os("CHARTER_TIMINGS").is_some();
        Timer {
            on,
            last: Instant::now(),
            cpu: if on { thread_cpu_ns() } else { 0 },
        }
    }

    /// Prints the wall time of something that ran alongside the laps.
    fn note(&self, what: &str, took: std::time::Duration) {
        if self.on {
            eprintln!(
                "{:>8.1} ms              {what}",
                took.as_secs_f64() * 1000.0
            );
        }
    }

    /// Prints the wall time since the last lap and the CPU time all
    /// threads spent in it (where Linux's schedstat tells it).
    fn lap(&mut self, what: &str) {
        if self.on {
            let cpu = thread_cpu_ns();
            eprintln!(
                "{:>8.1} ms {:>8.1} ms CPU  {what}",
                self.last.elapsed().as_secs_f64() * 1000.0,
                cpu.saturating_sub(self.cpu) as f64 / 1e6
            );
            self.cpu = cpu;
        }
        self.last = Instant::now();
    }
}

/// The CPU time of this process's live threads, from
/// `/proc/self/task/*/schedstat` (0 where there is none).
fn thread_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}
