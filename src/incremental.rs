//! What `serve` keeps between builds so that an edit costs in proportion
//! to what it touches: parsed files, rendered bodies, and digests of the
//! previous model, from which [`plan`] works out which pages to render.
//!
//! The rule: a change to anything many pages show (configuration,
//! templates, static files, groups, the set of documents or roles, any
//! document's title, URL, status or other metadata) renders every page.
//! Otherwise each document that changed is classified by what changed:
//!
//! - its rendered body (text, links, anchors of the pages it links to):
//!   its page, its roles' pages (duties sections), the printable handbook,
//!   and the pages whose backlinks gained or lost it;
//! - its roles (title, summary, headcount, reporting line): its page, the
//!   role index, `/matrix/` and the matrix pages that name them, org chart,
//!   handbook, its roles' pages and every
//!   role below them (the chain names them), their old and new superiors
//!   (direct reports), the departments whose roles report to them and the
//!   departments whose matrices name them;
//! - its activities: its page, `/matrix/` and its group's matrix page, the
//!   handbook, and the pages of every role named in its old or new
//!   assignments.
//!
//! "The handbook" is `/print/` while it is one page. Split into volumes,
//! it is the volume of each department whose charter there changed (those
//! whose pages the rules above render, but for backlinks, which the
//! handbook does not show); `/print/` itself then lists only titles,
//! numbers, status and dates of documents, which are metadata, and the
//! volumes, which the layout in [`global_digest`] decides: it changes
//! only with a full rebuild.
//!
//! The output paths never change in this second case, so the caller keeps
//! every file it is not given. The search index is rebuilt separately.
//! `tests/incremental.rs` checks the result against full builds, byte for
//! byte, across many kinds of edits.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use crate::markdown::links::Target;
use crate::markdown::{Anchor, Rendered};
use crate::model::load::ParseCache;
use crate::model::{DocId, RoleId, Site};
use crate::pages::PageKey;
use crate::pages::matrix::unit_of;
use crate::pages::print::volume_of;

/// A document's body as last rendered.
#[derive(Clone)]
pub struct CachedBody {
    /// Hash of the body's source text.
    pub source: u64,
    pub anchors: std::sync::Arc<Vec<Anchor>>,
    pub rendered: std::sync::Arc<Rendered>,
    pub targets: std::sync::Arc<Vec<Target>>,
    /// The render reported something: always render it again.
    pub had_diagnostics: bool,
    /// Hash of what the render produced (HTML, sections, contents, links).
    pub result: u64,
}

/// Digests of one document, by the kind of pages that show each part.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DocDigest {
    pub meta: u64,
    pub roles: u64,
    pub activities: u64,
    /// What other bodies' links see of it: URL, title, anchors.
    pub link_env: u64,
    /// Roles named in its activities' assignments.
    pub raci_roles: Vec<RoleId>,
}

/// The previous good build, as far as planning the next one needs it.
pub struct Prev {
    pub global: u64,
    /// The digest of the paths links may point at ([`set_hash`]).
    pub known: u64,
    pub docs: Vec<DocDigest>,
    pub role_env: Vec<u64>,
    pub reports_to: Vec<Option<RoleId>>,
    pub bodies: Vec<CachedBody>,
}

/// Everything `serve` keeps between builds.
#[derive(Default)]
pub struct Incremental {
    pub parsed: ParseCache,
    pub prev: Option<Prev>,
    /// The model and bodies of the last good build, for the search index
    /// that is built after the pages.
    pub last: Option<(Site, crate::pages::Bodies)>,
    /// The handbook's charters as last rendered, by document.
    pub print: Vec<Option<std::sync::Arc<str>>>,
    /// The last walk of the site's files, and the theme it was made for
    /// (`None`: the walk reported something, or there was none yet).
    pub inventory: Option<(String, std::sync::Arc<crate::source::walk::Inventory>)>,
    /// Parts of the big pages as last made (see [`crate::pages::Parts`]).
    pub parts: std::collections::HashMap<PageKey, crate::pages::PartMap>,
    /// The rows of each `/matrix/` unit's CSV as last made, by top-level
    /// group: the organization's CSV is them one after another.
    pub csv_rows: crate::pages::matrix::UnitRows,
    /// What loading the last good build reported (warnings).
    pub load_diagnostics: Vec<crate::diagnostics::Diagnostic>,
    /// What the checks of the latest build reported.
    pub checks: Vec<crate::diagnostics::Diagnostic>,
    /// The paths links may point at, in the last good build.
    pub known: Option<HashSet<String>>,
    /// The last build succeeded: `last` is what the files say now, but
    /// for the files changed since.
    pub clean: bool,
}

impl Incremental {
    /// Forgets everything (a rescan after lost file events).
    pub fn clear(&mut self) {
        *self = Incremental::default();
    }
}

/// Frees `t` on another thread: the previous build's model and caches
/// are many small allocations, and freeing them is not on the way to
/// the browser.
pub fn drop_later<T: Send + 'static>(t: T) {
    let _ = std::thread::Builder::new()
        .name("charter-drop".into())
        .spawn(move || drop(t));
}

/// A hash of `t` for deciding what to render again (kept in memory by
/// `serve` only, never written): `t`'s bytes as its `Hash` writes them,
/// gathered in a buffer and hashed at once with XXH3. The keys hashed
/// here are many short strings and numbers, for which feeding a
/// streaming hasher piece by piece costs several times more.
pub fn hash<T: Hash + ?Sized>(t: &T) -> u64 {
    thread_local! {
        static BUF: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    }
    // Taken out while in use: a `Hash` that itself calls `hash` gets a
    // buffer of its own.
    let mut h = BytesHasher(BUF.with(|b| b.take()));
    h.0.clear();
    t.hash(&mut h);
    let v = h.finish();
    if h.0.capacity() <= 1 << 20 {
        BUF.with(|b| b.set(h.0));
    }
    v
}

/// Collects what a `Hash` writes; [`Hasher::finish`] hashes it.
pub struct BytesHasher(pub Vec<u8>);

impl Hasher for BytesHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
    }
}

/// What other documents' links see of a document.
pub fn link_env(site: &Site, d: DocId, anchors: &[Anchor]) -> u64 {
    let doc = &site.docs[d];
    let ids: Vec<&str> = anchors.iter().map(|a| a.id.as_str()).collect();
    hash(&(&doc.id, &doc.url, &doc.title, doc.draft, ids))
}

/// What links to a role see of it.
pub fn role_env(site: &Site, r: RoleId) -> u64 {
    let role = &site.roles[r];
    hash(&(site.role_key(r), &role.title))
}

pub fn doc_digest(site: &Site, d: DocId, anchors: &[Anchor]) -> DocDigest {
    let doc = &site.docs[d];
    let m = &doc.meta;
    let meta = hash(&(
        (
            &doc.id, doc.kind, &doc.title, &doc.url, doc.group, doc.parent,
        ),
        (&doc.children, doc.weight, doc.draft),
        (&m.summary, &m.effective, &m.revised, &m.version),
        (&m.doc_number, &m.issuer, &m.status, &m.tags),
        // Tables have no hash; most documents have no extra values.
        (!m.extra.is_empty()).then(|| format!("{:?}", m.extra)),
    ));
    let roles = hash(
        &doc.roles
            .iter()
            .map(|&r| {
                let role = &site.roles[r];
                (
                    &role.id,
                    &role.title,
                    &role.summary,
                    role.headcount,
                    role.reports_to,
                )
            })
            .collect::<Vec<_>>(),
    );
    let mut raci_roles = Vec::new();
    let activities = hash(
        &doc.activities
            .iter()
            .map(|&a| {
                let act = &site.activities[a];
                raci_roles.extend(act.raci.iter().map(|(r, _)| *r));
                (
                    &act.id,
                    &act.title,
                    act.clause.as_ref().map(|c| &c.0),
                    act.raci
                        .iter()
                        .map(|(r, l)| (*r, l.to_code()))
                        .collect::<Vec<_>>(),
                )
            })
            .collect::<Vec<_>>(),
    );
    raci_roles.sort_unstable();
    raci_roles.dedup();
    DocDigest {
        meta,
        roles,
        activities,
        link_env: link_env(site, d, anchors),
        raci_roles,
    }
}

/// What a rendered body amounts to, for telling whether its pages change.
pub fn result_hash(r: &Rendered, targets: &[Target]) -> u64 {
    let mut sections: Vec<(&String, &String)> = r.sections.iter().collect();
    sections.sort();
    hash(&(&r.html, &r.toc, sections, targets))
}

/// A hash of a set, whatever its order (a sum of the members' hashes).
pub fn set_hash<T: Hash + Sync>(items: &HashSet<T>) -> u64 {
    use rayon::prelude::*;
    items.par_iter().map(hash).reduce(|| 0, u64::wrapping_add)
}

/// Everything whose change means rendering every page: the config, the
/// groups, every document's metadata (its URL and status among them),
/// the roles (their page URLs), the paths links may point at, which
/// departments have a matrix CSV, and how `/matrix/` and `/print/` are
/// laid out. Together these decide the set of output files.
pub fn global_digest(site: &Site, docs: &[DocDigest], known: u64) -> u64 {
    let groups: Vec<_> = site
        .groups
        .iter()
        .map(|g| {
            (
                &g.folder,
                &g.title,
                &g.summary,
                g.weight,
                g.draft,
                &g.children,
                &g.docs,
                g.file.map(|f| hash(site.files[f].body())),
            )
        })
        .collect();
    use rayon::prelude::*;
    let roles: Vec<u64> = (0..site.roles.len())
        .into_par_iter()
        .map(|r| hash(&site.role_key(r)))
        .collect();
    let metas: Vec<u64> = docs.iter().map(|d| d.meta).collect();
    // A department with activities has a CSV file.
    let with_csv: Vec<bool> = site.docs.iter().map(|d| !d.activities.is_empty()).collect();
    hash(&(
        with_csv,
        format!("{:?}", site.config),
        site.drafts,
        groups,
        metas,
        roles,
        known,
        crate::pages::matrix::layout(site),
        crate::pages::print::layout(site),
    ))
}

/// The pages an edit touched, given the previous build and the new one's
/// digests; `None` when every page must be rendered.
pub struct Plan {
    pub pages: HashSet<PageKey>,
    /// Some text, title or assignment changed: the search index is stale.
    pub search: bool,
}

pub fn plan(
    site: &Site,
    prev: &Prev,
    global: u64,
    docs: &[DocDigest],
    bodies: &[CachedBody],
) -> Option<Plan> {
    if prev.global != global
        || prev.docs.len() != docs.len()
        || prev.role_env.len() != site.roles.len()
    {
        return None;
    }
    let mut pages: HashSet<PageKey> = HashSet::new();
    let mut search = false;
    let mut roles_changed: Vec<DocId> = Vec::new();
    // Documents whose charter in the handbook may have changed.
    let mut printed: Vec<DocId> = Vec::new();
    for d in 0..docs.len() {
        let (old, new) = (&prev.docs[d], &docs[d]);
        let (ob, nb) = (&prev.bodies[d], &bodies[d]);
        if ob.result != nb.result {
            search = true;
            pages.insert(PageKey::Doc(d));
            printed.push(d);
            pages.extend(site.docs[d].roles.iter().map(|&r| PageKey::Role(r)));
            // Backlinks gained or lost.
            let set = |t: &[Target]| -> HashSet<PageKey> {
                t.iter()
                    .filter_map(|t| match t {
                        Target::Doc(x) => Some(PageKey::Doc(*x)),
                        Target::Role(r) => Some(PageKey::Role(*r)),
                        _ => None,
                    })
                    .collect()
            };
            let (a, b) = (set(&ob.targets), set(&nb.targets));
            pages.extend(a.symmetric_difference(&b).copied());
        }
        if old.roles != new.roles {
            search = true;
            roles_changed.push(d);
        }
        if old.activities != new.activities {
            search = true;
            pages.extend([
                PageKey::Doc(d),
                PageKey::Matrix,
                PageKey::MatrixUnit(unit_of(site, d)),
            ]);
            printed.push(d);
            for &r in old.raci_roles.iter().chain(&new.raci_roles) {
                pages.insert(PageKey::Role(r));
            }
        }
    }
    if !roles_changed.is_empty() {
        pages.extend([PageKey::RoleIndex, PageKey::Org, PageKey::Matrix]);
        let changed: HashSet<RoleId> = roles_changed
            .iter()
            .flat_map(|&d| site.docs[d].roles.iter().copied())
            .collect();
        let mut below: Vec<Vec<RoleId>> = vec![Vec::new(); site.roles.len()];
        for (r, role) in site.roles.iter().enumerate() {
            if let Some(t) = role.reports_to {
                below[t].push(r);
            }
        }
        // The changed roles, everything below them, their old and new superiors.
        let mut seen: HashSet<RoleId> = HashSet::new();
        let mut stack: Vec<RoleId> = changed.iter().copied().collect();
        while let Some(r) = stack.pop() {
            if seen.insert(r) {
                stack.extend(below[r].iter().copied());
            }
        }
        for &r in &changed {
            seen.extend(prev.reports_to[r]);
            seen.extend(site.roles[r].reports_to);
        }
        pages.extend(seen.iter().map(|&r| PageKey::Role(r)));
        for &d in &roles_changed {
            pages.insert(PageKey::Doc(d));
            pages.insert(PageKey::MatrixUnit(unit_of(site, d)));
            printed.push(d);
        }
        // Departments whose roles report to a changed role, or whose
        // matrices name one.
        for (r, role) in site.roles.iter().enumerate() {
            let to_changed = |t: Option<RoleId>| t.is_some_and(|t| changed.contains(&t));
            if to_changed(role.reports_to) || to_changed(prev.reports_to[r]) {
                pages.insert(PageKey::Doc(role.dept));
                printed.push(role.dept);
            }
        }
        for (d, dig) in docs.iter().enumerate() {
            let names = |rs: &[RoleId]| rs.iter().any(|r| changed.contains(r));
            if names(&dig.raci_roles) || names(&prev.docs[d].raci_roles) {
                pages.insert(PageKey::Doc(d));
                pages.insert(PageKey::MatrixUnit(unit_of(site, d)));
                printed.push(d);
            }
        }
    }
    // The handbook's charters are rendered again for exactly these
    // documents (the others are reused; see `build`), on `/print/` or in
    // their volumes.
    if !printed.is_empty() {
        if crate::pages::print::is_split(site) {
            pages.extend(
                printed
                    .iter()
                    .map(|&d| PageKey::PrintVolume(volume_of(site, d))),
            );
        } else {
            pages.insert(PageKey::Print);
        }
    }
    Some(Plan { pages, search })
}

/// Documents whose bodies must be rendered again: those whose source
/// changed, those whose last render reported something, those that link
/// to a document or role whose link-visible parts changed, and, when the
/// paths links may point at changed (digest `known`), those that link to
/// a group or some other path (a CSV file, a `/matrix/` unit page: it may
/// be gone).
pub fn bodies_to_render(
    prev: &Prev,
    source: &[u64],
    env: &[u64],
    role_env: &[u64],
    known: u64,
) -> Vec<bool> {
    if prev.bodies.len() != source.len() || prev.role_env.len() != role_env.len() {
        return vec![true; source.len()];
    }
    let changed_doc: Vec<bool> = (0..env.len())
        .map(|d| prev.docs[d].link_env != env[d])
        .collect();
    let changed_role: Vec<bool> = (0..role_env.len())
        .map(|r| prev.role_env[r] != role_env[r])
        .collect();
    (0..source.len())
        .map(|d| {
            let b = &prev.bodies[d];
            b.source != source[d]
                || b.had_diagnostics
                || b.targets.iter().any(|t| match t {
                    Target::Doc(x) => changed_doc.get(*x).copied().unwrap_or(true),
                    Target::Role(r) => changed_role.get(*r).copied().unwrap_or(true),
                    Target::Group(_) | Target::Other => prev.known != known,
                })
        })
        .collect()
}
