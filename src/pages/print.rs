//! The printable handbook (`/print/`): every published charter on one
//! page, in reading order (groups and documents by weight, then title, as
//! in the navigation), with a cover, a table of contents and, for each
//! charter, its metadata, roles, own responsibility matrix and body. The
//! edition date is the newest `revised` date of the charters printed,
//! never the clock, so the page depends only on the sources.
//!
//! A site with more than [`SPLIT_DOCS`] charters prints in volumes, as
//! `/matrix/` splits into units: one per top-level group (and one for the
//! documents at the top level, first), each at `/print/<slug>/` (the
//! slugs of the matrix units: the group's folder, `_top`) with its own
//! cover, contents and charters; `/print/` is then the cover and the
//! contents of every volume, with links into them.

use serde::Serialize;
use tera::Value;

use super::matrix::Tables;
use super::{
    Bodies, DocView, Job, PageKey, RoleRow, Want, base_context, body_html, doc_view, role_rows,
};
use crate::model::{DocId, GroupId, Site};

/// A matrix with more role columns than this is printed on a landscape page.
pub const WIDE_COLUMNS: usize = 8;

/// A matrix with more role columns than this is also set smaller, to fit
/// the width of a landscape page.
pub const HUGE_COLUMNS: usize = 18;

/// The page's own URL.
pub const URL: &str = "print/";

/// Above this many printed documents (charters and pages), the handbook
/// is split into volumes. A charter takes 7 KB (the example site: 142 KB
/// for 19) to 11 KB (the generated benchmark sites: 11 MB for 1,000) of
/// HTML and about 2.7 A4 pages (the example prints on 51), so one page of
/// 150 charters is 1–1.7 MB and some 400 printed pages: still one print
/// job that a browser lays out in seconds, and still cheap to splice
/// again after an edit in `serve`. Past that the single page only grows
/// (110 MB at 10,000 departments). It is also the point where the
/// sidebar stops listing departments ([`super::NAV_DOCS_LIMIT`]): a site
/// browsed by group prints by group. The example site (19) and the test
/// fixtures are far below it and print on one page as before.
pub const SPLIT_DOCS: usize = 150;

/// A section of the table of contents: the documents of one group.
#[derive(Serialize)]
struct TocSection {
    /// The group's title with the groups above it (`A · B`); None for the
    /// documents at the top level.
    title: Option<String>,
    entries: Vec<TocEntry>,
}

#[derive(Serialize)]
struct TocEntry {
    anchor: String,
    title: String,
    doc_number: Option<String>,
    status: String,
}

#[derive(Serialize)]
struct Charter {
    /// Id of the charter's wrapper element (`doc-<id>`): heading ids inside
    /// bodies may repeat across charters, these never do.
    anchor: String,
    page: DocView,
    /// The group's title with the groups above it, as in the contents.
    group: Option<String>,
    roles: Vec<RoleRow>,
    /// The matrix's view, or its table (`html`) while the built-in
    /// templates show it (see [`super::matrix::Tables`]).
    matrix: Option<Value>,
    /// Number of role columns of the matrix.
    matrix_columns: usize,
    /// The matrix is printed on a landscape page.
    wide: bool,
    /// The matrix is also set smaller.
    huge: bool,
    body: Value,
}

/// Published documents in reading order, by the group that holds them.
pub fn reading_order(site: &Site) -> Vec<(GroupId, Vec<DocId>)> {
    fn walk(site: &Site, g: GroupId, out: &mut Vec<(GroupId, Vec<DocId>)>) {
        let docs: Vec<DocId> = site.groups[g]
            .docs
            .iter()
            .copied()
            .filter(|&d| site.published(d))
            .collect();
        if !docs.is_empty() {
            out.push((g, docs));
        }
        for &c in &site.groups[g].children {
            if site.group_published(c) {
                walk(site, c, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(site, 0, &mut out);
    out
}

/// The group's title with its ancestors' (`A · B`); None for the root.
fn group_path(site: &Site, g: GroupId) -> Option<String> {
    let crumbs = super::breadcrumbs(site, g);
    (!crumbs.is_empty()).then(|| {
        crumbs
            .iter()
            .map(|l| l.title.as_str())
            .collect::<Vec<_>>()
            .join(" · ")
    })
}

/// Roles named in a department's activities: the columns of its matrix.
fn role_columns(site: &Site, d: DocId) -> usize {
    let mut roles: Vec<_> = site.docs[d]
        .activities
        .iter()
        .flat_map(|&a| site.activities[a].raci.iter().map(|(r, _)| *r))
        .collect();
    roles.sort_unstable();
    roles.dedup();
    roles.len()
}

/// The edition date: the newest `revised` date of the documents printed.
pub fn edition(site: &Site, docs: impl IntoIterator<Item = DocId>) -> Option<String> {
    docs.into_iter()
        .filter_map(|d| site.docs[d].meta.revised.clone())
        .max()
}

/// Rendered charters of the handbook, by document: those of the previous
/// build that may be reused, and those of this one.
#[derive(Default)]
pub struct Fragments {
    /// `reuse[d]`: the previous fragment of `d` is still right.
    pub previous: Vec<Option<std::sync::Arc<str>>>,
    pub made: std::sync::Mutex<Vec<Option<std::sync::Arc<str>>>>,
}

/// A volume of a split handbook: the printed documents of one top-level
/// group's subtree (group 0: those at the top level), in reading order.
struct Volume {
    group: GroupId,
    title: String,
    slug: String,
    /// As in [`reading_order`].
    sections: Vec<(GroupId, Vec<DocId>)>,
}

impl Volume {
    fn url(&self) -> String {
        format!("{URL}{}/", self.slug)
    }

    fn docs(&self) -> impl Iterator<Item = DocId> + '_ {
        self.sections.iter().flat_map(|(_, d)| d.iter().copied())
    }
}

/// The volume of `/print/` that holds document `d` when it is split: the
/// top-level group over it (0 at the top level), like its matrix unit.
pub fn volume_of(site: &Site, d: DocId) -> GroupId {
    super::matrix::unit_of(site, d)
}

/// The volumes of the reading order: consecutive, since it walks each
/// top-level group's subtree in one go after the top-level documents.
fn volumes(site: &Site, order: Vec<(GroupId, Vec<DocId>)>) -> Vec<Volume> {
    let t = crate::theme::i18n::strings(site.config.lang());
    let mut out: Vec<Volume> = Vec::new();
    for (g, docs) in order {
        let top = super::matrix::unit_of_group(site, g);
        match out.last_mut() {
            Some(v) if v.group == top => v.sections.push((g, docs)),
            _ => out.push(Volume {
                group: top,
                title: if top == 0 {
                    t["print_top_volume"].to_string()
                } else {
                    site.groups[top].title.clone()
                },
                slug: if top == 0 {
                    "_top".into()
                } else {
                    site.groups[top].folder.clone()
                },
                sections: vec![(g, docs)],
            }),
        }
    }
    out
}

fn printed(order: &[(GroupId, Vec<DocId>)]) -> usize {
    order.iter().map(|(_, d)| d.len()).sum()
}

/// Whether `/print/` is split into volumes (more than [`SPLIT_DOCS`]
/// documents printed).
pub fn is_split(site: &Site) -> bool {
    printed(&reading_order(site)) > SPLIT_DOCS
}

/// What decides the files `/print/` makes: split or not, and the slugs of
/// the volumes (empty when not split).
pub fn layout(site: &Site) -> (bool, Vec<String>) {
    let order = reading_order(site);
    if printed(&order) <= SPLIT_DOCS {
        return (false, Vec::new());
    }
    (
        true,
        volumes(site, order).into_iter().map(|v| v.slug).collect(),
    )
}

/// One charter's context for `print_charter.html`, on the page at `url`.
fn charter_context(
    site: &Site,
    bodies: &Bodies,
    (tera, tables): (&tera::Tera, &Tables),
    url: &str,
    d: DocId,
    group: Option<String>,
) -> Result<tera::Context, tera::Error> {
    let doc = &site.docs[d];
    let rendered = &bodies.docs[d];
    let matrix = match doc.activities.is_empty() {
        true => None,
        false if tables.print => Some(tables.value(site, tera, d, url)?),
        false => Some(Value::from_serializable(&super::matrix::department_view(
            site, d,
        ))),
    };
    let matrix_columns = role_columns(site, d);
    let charter = Charter {
        anchor: format!("doc-{}", doc.id),
        page: doc_view(site, d),
        group,
        roles: role_rows(site, d, &rendered.sections),
        matrix,
        matrix_columns,
        wide: matrix_columns > WIDE_COLUMNS,
        huge: matrix_columns > HUGE_COLUMNS,
        body: body_html(&rendered.html, url, &doc.url),
    };
    let mut c = base_context(site, url, &doc.title);
    c.insert("page", &charter.page);
    c.insert("c", &charter);
    Ok(c)
}

/// The contents of the documents of `sections`, one section per group.
fn toc(site: &Site, sections: &[(GroupId, Vec<DocId>)]) -> Vec<TocSection> {
    sections
        .iter()
        .map(|(g, docs)| TocSection {
            title: group_path(site, *g),
            entries: docs
                .iter()
                .map(|&d| {
                    let doc = &site.docs[d];
                    TocEntry {
                        anchor: format!("doc-{}", doc.id),
                        title: doc.title.clone(),
                        doc_number: doc.meta.doc_number.clone(),
                        status: doc.meta.status.clone(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// A page of charters (the whole handbook, or a volume) at `url`: each
/// charter rendered with `print_charter.html` in parallel (or taken from
/// `fragments`), and put into the page after it is rendered.
fn charters_page(
    site: &Site,
    bodies: &Bodies,
    (tera, tables): (&tera::Tera, &Tables),
    fragments: &Fragments,
    url: &str,
    title: &str,
    sections: &[(GroupId, Vec<DocId>)],
) -> Result<super::Prepared, tera::Error> {
    use rayon::prelude::*;
    let toc = toc(site, sections);
    let items: Vec<(DocId, Option<String>)> = sections
        .iter()
        .zip(&toc)
        .flat_map(|((_, docs), s)| docs.iter().map(|&d| (d, s.title.clone())))
        .collect();
    let html: Vec<std::sync::Arc<str>> = items
        .par_iter()
        .map(|(d, group)| {
            if let Some(Some(h)) = fragments.previous.get(*d) {
                return Ok(h.clone());
            }
            let c = charter_context(site, bodies, (tera, tables), url, *d, group.clone())?;
            Ok(std::sync::Arc::from(tera.render("print_charter.html", &c)?))
        })
        .collect::<Result<_, tera::Error>>()?;
    {
        // Volumes are rendered in parallel: each fills in its own.
        let mut made = fragments.made.lock().unwrap_or_else(|e| e.into_inner());
        if made.len() != site.docs.len() {
            made.clear();
            made.resize(site.docs.len(), None);
        }
        for ((d, _), h) in items.iter().zip(&html) {
            made[*d] = Some(h.clone());
        }
    }
    // The page is rendered with markers where the charters go, and the
    // charters spliced in after: megabytes of HTML never pass through the
    // template engine twice.
    let splice = super::Splice::new(html);
    let charters = splice.html_values();
    let mut c = base_context(site, url, title);
    c.insert(
        "edition",
        &edition(site, sections.iter().flat_map(|(_, d)| d.iter().copied())),
    );
    c.insert("print_toc", &toc);
    c.insert_value("charters", tera::Value::from(charters));
    c.insert("volume", &None::<()>);
    c.insert("volumes", &Vec::<()>::new());
    Ok(super::Prepared {
        context: c,
        splice: Some(splice),
    })
}

/// A volume as `/print/` lists it.
#[derive(Serialize)]
struct VolumeView {
    title: String,
    /// The volume's page, relative to `/print/`.
    href: String,
    /// Its contents, without the title of a section that is the volume's
    /// own group (the volume's title says it).
    sections: Vec<TocSection>,
}

/// The volume a volume page shows on its cover.
#[derive(Serialize)]
struct VolumeInfo {
    title: String,
}

/// The pages of the handbook that `want` selects: `/print/` alone, or
/// `/print/` and its volumes.
pub fn jobs<'a>(
    site: &'a Site,
    bodies: &'a Bodies,
    want: Want,
    fragments: &'a Fragments,
    tables: &'a Tables,
    jobs: &mut Vec<Job<'a>>,
) {
    let order = reading_order(site);
    let title = crate::theme::i18n::strings(site.config.lang())["print"];
    // The shared tables the charters rendered now will show.
    let expect = |sections: &[(GroupId, Vec<DocId>)]| {
        if !tables.print {
            return;
        }
        for &d in sections.iter().flat_map(|(_, docs)| docs) {
            let kept = matches!(fragments.previous.get(d), Some(Some(_)));
            if !kept && !site.docs[d].activities.is_empty() {
                tables.expect(d);
            }
        }
    };
    if printed(&order) <= SPLIT_DOCS {
        if want(PageKey::Print) {
            expect(&order);
            jobs.push(Job::with_tera(
                PageKey::Print,
                crate::urls::file_of(URL),
                "print.html",
                move |tera| {
                    charters_page(site, bodies, (tera, tables), fragments, URL, title, &order)
                },
            ));
        }
        return;
    }
    let volumes = volumes(site, order);
    for v in &volumes {
        if !want(PageKey::PrintVolume(v.group)) {
            continue;
        }
        let url = v.url();
        let name = v.title.clone();
        let sections = v.sections.clone();
        expect(&sections);
        jobs.push(
            Job::with_tera(
                PageKey::PrintVolume(v.group),
                crate::urls::file_of(&url),
                "print.html",
                move |tera| {
                    let mut p = charters_page(
                        site,
                        bodies,
                        (tera, tables),
                        fragments,
                        &url,
                        &format!("{title} · {name}"),
                        &sections,
                    )?;
                    p.context.insert("volume", &VolumeInfo { title: name });
                    Ok(p)
                },
            )
            .in_batch(Job::unit_batch(v.group) + 1),
        );
    }
    if !want(PageKey::Print) {
        return;
    }
    jobs.push(Job::new(
        PageKey::Print,
        crate::urls::file_of(URL),
        "print.html",
        move || {
            let views: Vec<VolumeView> = volumes
                .iter()
                .map(|v| {
                    let mut sections = toc(site, &v.sections);
                    for (s, (g, _)) in sections.iter_mut().zip(&v.sections) {
                        if *g == v.group {
                            s.title = None;
                        }
                    }
                    VolumeView {
                        title: v.title.clone(),
                        href: crate::urls::encode_path(&format!("{}/index.html", v.slug)),
                        sections,
                    }
                })
                .collect();
            let mut c = base_context(site, URL, title);
            c.insert(
                "edition",
                &edition(site, volumes.iter().flat_map(Volume::docs)),
            );
            c.insert("print_toc", &Vec::<()>::new());
            c.insert("charters", &Vec::<()>::new());
            c.insert("volume", &None::<()>);
            c.insert("volumes", &views);
            c
        },
    ));
}
