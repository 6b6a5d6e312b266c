//! Template contexts of the generated pages. Each page gets a small
//! context (what it shows, nothing more); what every page shares (site,
//! UI strings, navigation) lives in Tera's global context, built once.

pub mod changes;
pub mod matrix;
pub mod org;
pub mod print;
pub mod roles;
pub mod sitemap;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::markdown::TocEntry;
use crate::model::{DocId, GroupId, Kind, RoleId, Site};

/// A link to a page: title and root-relative URL (`a/b/`).
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A link to a document's page.
pub fn doc_link(site: &Site, d: DocId) -> Link {
    Link {
        title: site.docs[d].title.clone(),
        url: site.docs[d].url.clone(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NavGroup {
    pub title: String,
    pub url: String,
    pub summary: Option<String>,
    pub docs: Vec<DocCard>,
    pub children: Vec<NavGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocCard {
    pub id: String,
    pub title: String,
    pub url: String,
    pub summary: Option<String>,
    pub kind: &'static str,
    pub status: String,
}

pub fn doc_card(site: &Site, d: DocId) -> DocCard {
    let doc = &site.docs[d];
    DocCard {
        id: doc.id.clone(),
        title: doc.title.clone(),
        url: doc.url.clone(),
        summary: doc.meta.summary.clone(),
        kind: kind_str(doc.kind),
        status: doc.meta.status.clone(),
    }
}

fn kind_str(k: Kind) -> &'static str {
    match k {
        Kind::Department => "department",
        Kind::Page => "page",
    }
}

/// The navigation tree under a group (published entries only).
pub fn nav_group(site: &Site, g: GroupId) -> NavGroup {
    let group = &site.groups[g];
    NavGroup {
        title: group.title.clone(),
        url: site.group_url(g),
        summary: group.summary.clone(),
        docs: group
            .docs
            .iter()
            .filter(|&&d| site.published(d))
            .map(|&d| doc_card(site, d))
            .collect(),
        children: group
            .children
            .iter()
            .filter(|&&c| site.group_published(c) && has_published(site, c))
            .map(|&c| nav_group(site, c))
            .collect(),
    }
}

/// Sites up to this many published documents list every department in the
/// sidebar of every page; larger ones list groups only (each group page
/// lists its departments), so page size does not grow with the site.
pub const NAV_DOCS_LIMIT: usize = 150;

/// The sidebar: groups, with their departments on small sites.
pub fn nav_tree(site: &Site) -> NavGroup {
    let mut tree = nav_group(site, 0);
    if site.published_docs().count() > NAV_DOCS_LIMIT {
        fn strip(g: &mut NavGroup) {
            g.docs.clear();
            g.children.iter_mut().for_each(strip);
        }
        tree.children.iter_mut().for_each(strip);
        tree.docs.truncate(NAV_DOCS_LIMIT);
    }
    tree
}

fn has_published(site: &Site, g: GroupId) -> bool {
    site.groups[g].docs.iter().any(|&d| site.published(d))
        || site.groups[g].file.is_some()
        || site.groups[g]
            .children
            .iter()
            .any(|&c| has_published(site, c))
}

/// The slug of the departments at the top level: `_top`, or more
/// underscores while a top-level folder has the name (`/matrix/`, `/roles/` and `/org/` units).
pub fn top_slug(site: &Site) -> String {
    let mut slug = String::from("_top");
    while site.groups[0]
        .children
        .iter()
        .any(|&g| site.groups[g].folder == slug)
    {
        slug.insert(0, '_');
    }
    slug
}

/// Breadcrumbs of a group page or of a document in a group: the groups above it.
pub fn breadcrumbs(site: &Site, g: GroupId) -> Vec<Link> {
    let mut out = Vec::new();
    let mut cur = Some(g);
    while let Some(c) = cur {
        if c != 0 {
            out.push(Link {
                title: site.groups[c].title.clone(),
                url: site.group_url(c),
            });
        }
        cur = site.groups[c].parent;
    }
    out.reverse();
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleRow {
    pub id: String,
    pub title: String,
    pub url: String,
    pub summary: Option<String>,
    pub headcount: Option<u32>,
    pub reports_to: Option<RoleRef>,
    /// Has a duties section in the body (a heading with the role's id).
    pub has_section: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleRef {
    pub title: String,
    pub url: String,
    pub dept_title: String,
    pub dept_url: String,
    pub same_dept: bool,
}

pub fn role_ref(site: &Site, r: RoleId, from_dept: DocId) -> RoleRef {
    let role = &site.roles[r];
    let dept = &site.docs[role.dept];
    RoleRef {
        title: role.title.clone(),
        url: site.role_url(r),
        dept_title: dept.title.clone(),
        dept_url: dept.url.clone(),
        same_dept: role.dept == from_dept,
    }
}

/// The department or page being shown.
#[derive(Debug, Clone, Serialize)]
pub struct DocView {
    pub id: String,
    pub kind: &'static str,
    pub title: String,
    pub url: String,
    pub summary: Option<String>,
    pub status: String,
    pub effective: Option<String>,
    pub revised: Option<String>,
    pub version: Option<String>,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub tags: Vec<String>,
    pub draft: bool,
    pub extra: toml::Table,
    pub group: Option<Link>,
    pub parent: Option<Link>,
    pub children: Vec<Link>,
}

pub fn doc_view(site: &Site, d: DocId) -> DocView {
    let doc = &site.docs[d];
    let link = |x: DocId| doc_link(site, x);
    DocView {
        id: doc.id.clone(),
        kind: kind_str(doc.kind),
        title: doc.title.clone(),
        url: doc.url.clone(),
        summary: doc.meta.summary.clone(),
        status: doc.meta.status.clone(),
        effective: doc.meta.effective.clone(),
        revised: doc.meta.revised.clone(),
        version: doc.meta.version.clone(),
        doc_number: doc.meta.doc_number.clone(),
        issuer: doc.meta.issuer.clone(),
        tags: doc.meta.tags.clone(),
        draft: doc.draft,
        extra: doc.meta.extra.clone(),
        group: (doc.group != 0).then(|| Link {
            title: site.groups[doc.group].title.clone(),
            url: site.group_url(doc.group),
        }),
        parent: doc.parent.filter(|&p| site.published(p)).map(link),
        children: doc
            .children
            .iter()
            .copied()
            .filter(|&c| site.published(c))
            .map(link)
            .collect(),
    }
}

pub fn role_rows(
    site: &Site,
    d: DocId,
    sections: &std::collections::HashMap<String, String>,
) -> Vec<RoleRow> {
    site.docs[d]
        .roles
        .iter()
        .map(|&r| {
            let role = &site.roles[r];
            RoleRow {
                id: role.id.clone(),
                title: role.title.clone(),
                url: site.role_url(r),
                summary: role.summary.clone(),
                headcount: role.headcount,
                reports_to: role
                    .reports_to
                    .filter(|&t| site.published(site.roles[t].dept))
                    .map(|t| role_ref(site, t, d)),
                has_section: sections.contains_key(&role.id),
            }
        })
        .collect()
}

/// Table of contents as the templates see it.
pub type Toc = Vec<TocEntry>;

/// Rendered bodies and the link graph, what page builders read.
pub struct Bodies {
    /// Shared with the cache of `serve`.
    pub docs: Vec<std::sync::Arc<crate::markdown::Rendered>>,
    pub groups: Vec<Option<crate::markdown::Rendered>>,
    /// Published documents whose body links to a document (or an anchor on it).
    pub backlinks: Vec<Vec<DocId>>,
    /// Published documents whose body links to a role.
    pub role_backlinks: Vec<Vec<DocId>>,
}

/// A rendered body, the links it makes, and what rendering it reported.
pub type RenderedDoc = (
    std::sync::Arc<crate::markdown::Rendered>,
    std::sync::Arc<Vec<Target>>,
    Vec<crate::diagnostics::Diagnostic>,
);

impl Bodies {
    pub fn new(
        site: &Site,
        docs: Vec<RenderedDoc>,
        groups: Vec<
            Option<(
                crate::markdown::Rendered,
                Vec<crate::diagnostics::Diagnostic>,
            )>,
        >,
    ) -> Bodies {
        let mut backlinks: Vec<Vec<DocId>> = vec![Vec::new(); site.docs.len()];
        let mut role_backlinks: Vec<Vec<DocId>> = vec![Vec::new(); site.roles.len()];
        let mut rendered = Vec::with_capacity(docs.len());
        for (from, (r, targets, _)) in docs.into_iter().enumerate() {
            if site.published(from) {
                for t in targets.iter() {
                    let list = match *t {
                        Target::Doc(to) if to != from => &mut backlinks[to],
                        Target::Role(r) => &mut role_backlinks[r],
                        _ => continue,
                    };
                    if !list.contains(&from) {
                        list.push(from);
                    }
                }
            }
            rendered.push(r);
        }
        Bodies {
            docs: rendered,
            groups: groups.into_iter().map(|g| g.map(|(r, _)| r)).collect(),
            backlinks,
            role_backlinks,
        }
    }
}

use crate::markdown::links::Target;
use tera::{Context, Value};

/// What every page shares: site settings, UI strings, navigation.
pub fn set_globals(tera: &mut tera::Tera, site: &Site) {
    #[derive(Serialize)]
    struct SiteInfo<'a> {
        title: &'a str,
        description: Option<&'a str>,
        language: &'a str,
        lang: &'a str,
        base_url: String,
        extra: &'a toml::Table,
        scheme: &'a str,
    }
    let c = &site.config;
    let g = tera.global_context();
    g.insert(
        "site",
        &SiteInfo {
            title: &c.title,
            description: c.description.as_deref(),
            language: &c.language,
            lang: crate::theme::i18n::html_lang(&c.language),
            base_url: c.base_url(),
            extra: &c.extra,
            scheme: &c.matrix.scheme,
        },
    );
    g.insert("t", &crate::theme::i18n::strings(c.lang()));
    g.insert("letter_labels", &letter_labels(site));
    let letters: Vec<String> = c.scheme_letters().iter().map(|l| l.to_string()).collect();
    g.insert("letters", &letters);
    g.insert("nav", &nav_tree(site));
}

/// Letter → label in the UI language, with the site's overrides.
pub fn letter_labels(site: &Site) -> std::collections::BTreeMap<String, String> {
    let mut labels = crate::theme::i18n::letter_labels(site.config.lang());
    for (k, v) in &site.config.matrix.labels {
        labels.insert(k.clone(), v.clone());
    }
    labels
}

/// Which page (or family of pages) a job renders: what an incremental
/// rebuild selects on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PageKey {
    Home,
    Group(GroupId),
    Doc(DocId),
    RoleIndex,
    Role(RoleId),
    /// `/matrix/` (and the organization's CSV).
    Matrix,
    /// The matrix page and CSV of one top-level group (0: the departments
    /// at the top level); its tables are on `/matrix/` while that is small.
    MatrixUnit(GroupId),
    Org,
    /// `/print/`: the whole handbook, or the contents of its volumes
    /// when it is split.
    Print,
    /// A volume of a split `/print/`: the charters under one top-level
    /// group (0: the documents at the top level).
    PrintVolume(GroupId),
    Changes,
    Search,
    NotFound,
}

/// A page to render with a template. The context is built on the worker
/// that renders the page, right before it is needed, and dropped right
/// after, so a build never holds every page's context at once.
pub struct Job<'a> {
    pub key: PageKey,
    pub path: String,
    pub template: &'static str,
    pub context: MakeContext<'a>,
    /// Jobs render in the order of their batches (after the big pages of
    /// their own): a unit's department pages (`2u + 1`), then its handbook
    /// volume and matrix page (`2u + 2`), which show the tables the
    /// department pages rendered ([`matrix::Tables`]), so that few are
    /// held at once.
    pub batch: u32,
}

/// How a job's context is made: from the model alone, or with the
/// templates too (a page made of separately rendered parts).
pub enum MakeContext<'a> {
    Plain(Box<dyn FnOnce() -> Context + Send + 'a>),
    WithTera(Box<WithTera<'a>>),
}

type WithTera<'a> = dyn FnOnce(&tera::Tera) -> Result<Prepared, tera::Error> + Send + 'a;

/// A context, and parts to put into the rendered page in place of markers.
pub struct Prepared {
    pub context: Context,
    pub splice: Option<Splice>,
}

/// Parts of big pages made on their own, by page, keyed by a hash of what
/// each shows: the last build's, which an incremental build of `serve`
/// reuses for the parts an edit did not change, and this build's. (The
/// templates and the configuration are the same whenever the last build's
/// are given: a change to them renders every page from scratch.)
#[derive(Default)]
pub struct Parts {
    /// The last build's parts (an incremental build only).
    previous: HashMap<PageKey, PartMap>,
    /// Keep this build's parts (for the next build of `serve`).
    keep: bool,
    made: Mutex<HashMap<PageKey, PartMap>>,
}

/// A page's parts by a hash of what each shows.
pub type PartMap = HashMap<u64, Arc<str>>;

impl Parts {
    pub fn new(previous: HashMap<PageKey, PartMap>, keep: bool) -> Parts {
        Parts {
            previous,
            keep,
            made: Default::default(),
        }
    }

    /// Whether parts are looked up or kept by their hash.
    pub fn hashes(&self) -> bool {
        self.keep || !self.previous.is_empty()
    }

    /// The part of `page` whose content hashes to `key()`: the last
    /// build's, or made by `make`. A build that neither has nor keeps
    /// parts (`charter build`) never hashes: it makes every part.
    pub fn get_or_make<E>(
        &self,
        page: PageKey,
        key: impl FnOnce() -> u64,
        make: impl FnOnce() -> Result<String, E>,
    ) -> Result<Arc<str>, E> {
        if !self.hashes() {
            return Ok(Arc::from(make()?));
        }
        let key = key();
        let part = match self.previous.get(&page).and_then(|m| m.get(&key)) {
            Some(p) => p.clone(),
            None => Arc::from(make()?),
        };
        if self.keep {
            self.made
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(page)
                .or_default()
                .insert(key, part.clone());
        }
        Ok(part)
    }

    /// The parts for the next build: those of the pages made now, and the
    /// last build's of the others.
    pub fn kept(self) -> HashMap<PageKey, PartMap> {
        let mut all = self.previous;
        all.extend(self.made.into_inner().unwrap_or_else(|e| e.into_inner()));
        all
    }
}

/// The parts of the big pages, and which of them are rendered in parts:
/// the role index with the built-in `roles.html` (its sections, with
/// `role_initial.html`), the matrix pages with the built-in `matrix.html`
/// (their tables, with `matrix_section.html`), and the org chart's units.
#[derive(Default)]
pub struct BigParts {
    pub roles_split: bool,
    /// The role index's sections in runs (see `roles::index_in_sections`):
    /// with the built-in `role_initial.html` and `role_entries.html` too.
    pub roles_runs: bool,
    pub matrix_split: bool,
    pub parts: Parts,
    pub tables: matrix::Tables,
}

/// Parts of a page rendered on their own. The page is rendered with
/// [`Splice::marker`]s (private-use characters around a number and a
/// nonce no content can know) where the parts go; [`Splice::apply`] puts
/// them in.
pub struct Splice {
    nonce: u64,
    pub parts: Vec<std::sync::Arc<str>>,
}

const SPLICE_MARK: char = '\u{E001}';

impl Splice {
    pub fn new(parts: Vec<std::sync::Arc<str>>) -> Splice {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(parts.len());
        Splice {
            nonce: h.finish(),
            parts,
        }
    }

    /// For each part, in order, a map whose `html` is its marker: what a
    /// template outputs where the part goes.
    pub fn html_maps(&self) -> Vec<tera::Map> {
        (0..self.parts.len())
            .map(|i| {
                let mut m = tera::Map::new();
                m.insert("html".into(), Value::safe_string(&self.marker(i)));
                m
            })
            .collect()
    }

    /// [`Splice::html_maps`] as template values.
    pub fn html_values(&self) -> Vec<tera::Value> {
        self.html_maps()
            .into_iter()
            .map(tera::Value::from)
            .collect()
    }

    pub fn marker(&self, i: usize) -> String {
        format!("{SPLICE_MARK}{:x}-{i}{SPLICE_MARK}", self.nonce)
    }

    /// The rendered page with every marker replaced by its part.
    pub fn apply(&self, html: &str) -> String {
        let total: usize = self.parts.iter().map(|p| p.len()).sum();
        let mut out = String::with_capacity(html.len() + total);
        let prefix = format!("{SPLICE_MARK}{:x}-", self.nonce);
        let mut rest = html;
        while let Some(at) = rest.find(&prefix) {
            let after = &rest[at + prefix.len()..];
            let Some(end) = after.find(SPLICE_MARK) else {
                break;
            };
            match after[..end]
                .parse::<usize>()
                .ok()
                .and_then(|i| self.parts.get(i))
            {
                Some(part) => {
                    out.push_str(&rest[..at]);
                    out.push_str(part);
                }
                None => out.push_str(&rest[..at + prefix.len() + end + SPLICE_MARK.len_utf8()]),
            }
            rest = &after[end + SPLICE_MARK.len_utf8()..];
        }
        out.push_str(rest);
        out
    }
}

impl<'a> Job<'a> {
    pub fn new(
        key: PageKey,
        path: String,
        template: &'static str,
        context: impl FnOnce() -> Context + Send + 'a,
    ) -> Job<'a> {
        Job {
            key,
            path,
            template,
            context: MakeContext::Plain(Box::new(context)),
            batch: 0,
        }
    }

    pub fn with_tera(
        key: PageKey,
        path: String,
        template: &'static str,
        context: impl FnOnce(&tera::Tera) -> Result<Prepared, tera::Error> + Send + 'a,
    ) -> Job<'a> {
        Job {
            key,
            path,
            template,
            context: MakeContext::WithTera(Box::new(context)),
            batch: 0,
        }
    }

    /// The job in batch `b` (see [`Job::batch`]).
    pub fn in_batch(mut self, b: u32) -> Job<'a> {
        self.batch = b;
        self
    }

    /// The batch of unit `u`'s department pages, and the one after it.
    pub fn unit_batch(u: GroupId) -> u32 {
        2 * u as u32 + 1
    }
}

/// Selects the pages to render: all of them for a build, the ones an edit
/// touched for an incremental rebuild.
pub type Want<'w> = &'w (dyn Fn(PageKey) -> bool + Sync);

/// The context every page starts from: the way to the root, its own URL.
pub fn base_context(site: &Site, url: &str, title: &str) -> Context {
    let path = crate::urls::file_of(url);
    let mut c = Context::new();
    c.insert("root", &crate::urls::prefix_for(&path));
    c.insert("page_url", url);
    c.insert(
        "canonical",
        &format!(
            "{}{}",
            site.config.base_url(),
            crate::urls::encode_path(url)
        ),
    );
    c.insert("title", title);
    c
}

/// A rendered body placed on the page at `url` (whose own page is `own_url`).
pub fn body_html(html: &str, url: &str, own_url: &str) -> Value {
    let prefix = crate::urls::prefix_for(&crate::urls::file_of(url));
    let self_href = if url == own_url {
        String::new()
    } else {
        crate::urls::href(&prefix, own_url, None)
    };
    Value::safe_string(&crate::urls::place(html, &prefix, &self_href))
}

/// Every wanted page of the site, as template jobs.
pub fn jobs<'a>(
    site: &'a Site,
    bodies: &'a Bodies,
    want: Want,
    fragments: &'a print::Fragments,
    parts: &'a BigParts,
) -> Vec<Job<'a>> {
    let mut jobs = Vec::new();
    let group_body = move |g: GroupId| {
        let url = site.group_url(g);
        let html = bodies.groups[g]
            .as_ref()
            .map(|r| r.html.as_str())
            .unwrap_or("");
        body_html(html, &url, &url)
    };
    if want(PageKey::Home) {
        jobs.push(Job::new(
            PageKey::Home,
            "index.html".into(),
            "index.html",
            move || {
                let mut c = base_context(site, "", &site.config.title);
                c.insert_value("body", group_body(0));
                c.insert("group", &nav_group(site, 0));
                c
            },
        ));
    }
    for g in 1..site.groups.len() {
        if !site.group_published(g) || !want(PageKey::Group(g)) {
            continue;
        }
        let url = site.group_url(g);
        jobs.push(Job::new(
            PageKey::Group(g),
            crate::urls::file_of(&url),
            "group.html",
            move || {
                let mut c = base_context(site, &url, &site.groups[g].title);
                c.insert_value("body", group_body(g));
                c.insert("group", &nav_group(site, g));
                c.insert(
                    "breadcrumbs",
                    &breadcrumbs(site, site.groups[g].parent.unwrap_or(0)),
                );
                c
            },
        ));
    }
    for d in site.published_docs() {
        if !want(PageKey::Doc(d)) {
            continue;
        }
        let doc = &site.docs[d];
        let path = crate::urls::file_of(&doc.url);
        let template = if doc.kind == Kind::Page {
            "page.html"
        } else {
            "department.html"
        };
        let tables = &parts.tables;
        let batch = Job::unit_batch(matrix::unit_of(site, d));
        jobs.push(
            if tables.doc && doc.kind == Kind::Department && !doc.activities.is_empty() {
                tables.expect(d);
                Job::with_tera(PageKey::Doc(d), path, template, move |tera| {
                    let mut c = doc_context(site, bodies, d, false);
                    c.insert_value("matrix", tables.value(site, tera, d, &site.docs[d].url)?);
                    Ok(Prepared {
                        context: c,
                        splice: None,
                    })
                })
            } else {
                Job::new(PageKey::Doc(d), path, template, move || {
                    doc_context(site, bodies, d, true)
                })
            }
            .in_batch(batch),
        );
    }
    roles::jobs(
        site,
        bodies,
        want,
        (parts.roles_split, parts.roles_runs),
        &parts.parts,
        &mut jobs,
    );
    matrix::jobs(site, want, parts, &mut jobs);
    org::jobs(site, want, &parts.parts, &mut jobs);
    print::jobs(site, bodies, want, fragments, &parts.tables, &mut jobs);
    if want(PageKey::Changes) {
        jobs.push(Job::new(
            PageKey::Changes,
            crate::urls::file_of(changes::URL),
            "changes.html",
            move || changes::context(site),
        ));
    }
    if want(PageKey::Search) {
        jobs.push(Job::new(
            PageKey::Search,
            "search/index.html".into(),
            "search.html",
            move || {
                let title = crate::theme::i18n::strings(site.config.lang())["search"];
                base_context(site, "search/", title)
            },
        ));
    }
    if want(PageKey::NotFound) {
        // 404 is served at any depth: its links are rooted at base_url's path.
        jobs.push(Job::new(
            PageKey::NotFound,
            "404.html".into(),
            "404.html",
            move || {
                let mut c = Context::new();
                c.insert("root", &site.config.base_path());
                c.insert("page_url", "404.html");
                c.insert("canonical", &format!("{}404.html", site.config.base_url()));
                c.insert(
                    "title",
                    &crate::theme::i18n::strings(site.config.lang())["not_found"],
                );
                c
            },
        ));
    }
    jobs
}

/// The context of a department's or page's own page (without `matrix`
/// unless `with_matrix`).
fn doc_context(site: &Site, bodies: &Bodies, d: DocId, with_matrix: bool) -> Context {
    let doc = &site.docs[d];
    let rendered = &bodies.docs[d];
    let mut c = base_context(site, &doc.url, &doc.title);
    c.insert("page", &doc_view(site, d));
    c.insert_value("body", body_html(&rendered.html, &doc.url, &doc.url));
    c.insert("toc", &rendered.toc);
    c.insert("roles", &role_rows(site, d, &rendered.sections));
    c.insert("breadcrumbs", &breadcrumbs(site, doc.group));
    let bl: Vec<Link> = bodies.backlinks[d]
        .iter()
        .map(|&b| doc_link(site, b))
        .collect();
    c.insert("backlinks", &bl);
    if with_matrix && !doc.activities.is_empty() {
        c.insert("matrix", &matrix::department_view(site, d));
    }
    c
}

/// Files made without a template (the CSV exports), for the wanted pages:
/// a department's CSV goes with its page, the organization's with `/matrix/`.
pub fn files(
    site: &Site,
    want: Want,
    kept: &matrix::UnitRows,
) -> (Vec<(String, Vec<u8>)>, matrix::UnitRows) {
    use rayon::prelude::*;
    let mut out: Vec<(String, Vec<u8>)> = site
        .published_docs()
        .collect::<Vec<_>>()
        .into_par_iter()
        .filter(|&d| !site.docs[d].activities.is_empty() && want(PageKey::Doc(d)))
        .map(|d| {
            (
                format!("{}matrix.csv", site.docs[d].url),
                matrix::department(site, d).csv(site),
            )
        })
        .collect();
    let (more, rows) = matrix::files(site, want, kept);
    out.extend(more);
    out.extend(roles::files(site, want));
    (out, rows)
}

/// The built-in sidebar: the same tree of groups and departments on
/// every page, so it is written once, as `nav.js` (see [`nav_script`]),
/// and each page holds only a slot for it (with a link to the home page,
/// which lists every department, for a browser without JavaScript) and
/// the two scripts that fill it: the theme's `sidebar.js` and `nav.js`.
/// Used only while `nav.html` is the built-in one: a theme's own sidebar
/// is rendered on every page, with `page_url` to use as it likes.
pub struct NavSlot {
    /// The slot's fallback link text.
    all: &'static str,
}

/// The file the built-in sidebar's tree is written to.
pub const NAV_SCRIPT: &str = "nav.js";

impl NavSlot {
    pub fn new(site: &Site) -> NavSlot {
        NavSlot {
            all: crate::theme::i18n::strings(site.config.lang())["nav_all"],
        }
    }

    /// Puts `nav_html` (the slot and its scripts) into a page's context.
    pub fn fill(&self, c: &mut Context) {
        let text = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(root), Some(page_url)) = (text("root"), text("page_url")) else {
            return;
        };
        let attr = |s: &str| {
            let mut out = String::new();
            pulldown_cmark_escape::escape_html(&mut out, s).ok();
            out
        };
        let (root, page) = (attr(&root), attr(&page_url));
        let html = format!(
            "<div class=\"nav-slot\" data-root=\"{root}\" data-page=\"{page}\"><a href=\"{root}index.html\">{}</a></div>\n\
             <script src=\"{root}sidebar.js\" defer></script><script src=\"{root}{NAV_SCRIPT}\" defer></script>",
            attr(self.all)
        );
        c.insert_value("nav_html", Value::safe_string(&html));
    }
}

/// The sidebar's tree as `nav.js`: `CharterNav({"d":[…],"g":[…]})`, the
/// site's top-level documents (`d`) and groups (`g`), each `{"t": title,
/// "u": its URL, "h": its href from the root}`, a group with its own `d`
/// and `g` (the built-in sidebar lists a subgroup's link, not its
/// contents). What the built-in `nav.html` shows, from [`nav_tree`].
pub fn nav_script(site: &Site) -> String {
    #[derive(Serialize)]
    struct Item {
        t: String,
        u: String,
        h: String,
    }
    #[derive(Serialize)]
    struct Group {
        t: String,
        u: String,
        h: String,
        d: Vec<Item>,
        g: Vec<Item>,
    }
    #[derive(Serialize)]
    struct Tree {
        d: Vec<Item>,
        g: Vec<Group>,
    }
    let item = |t: &str, u: &str| Item {
        t: t.to_string(),
        u: u.to_string(),
        h: crate::urls::encoded_file_of(u),
    };
    let tree = nav_tree(site);
    let data = Tree {
        d: tree.docs.iter().map(|d| item(&d.title, &d.url)).collect(),
        g: tree
            .children
            .iter()
            .map(|g| Group {
                t: g.title.clone(),
                u: g.url.clone(),
                h: crate::urls::encoded_file_of(&g.url),
                d: g.docs.iter().map(|d| item(&d.title, &d.url)).collect(),
                g: g.children.iter().map(|s| item(&s.title, &s.url)).collect(),
            })
            .collect(),
    };
    format!("CharterNav({});\n", crate::search::index::js_json(&data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_puts_parts_at_their_markers_only() {
        let s = Splice::new(vec!["<p>一</p>".into(), "<p>二</p>".into()]);
        let page = format!("a{}b{}c", s.marker(1), s.marker(0));
        assert_eq!(s.apply(&page), "a<p>二</p>b<p>一</p>c");
        // A marker with another nonce (from content), a bad index, a
        // marker cut short: left as they are.
        let fake = "\u{E001}0-0\u{E001}";
        let bad = s.marker(7);
        let cut = format!("x{}", &s.marker(0)[..6]);
        for text in [fake, bad.as_str(), cut.as_str(), "", "plain"] {
            assert_eq!(s.apply(text), text);
        }
    }
}
