//! The printable handbook (`/print/`): every published charter on one
//! page, in reading order (groups and documents by weight, then title, as
//! in the navigation), with a cover, a table of contents and, for each
//! charter, its metadata, roles, own responsibility matrix and body. The
//! edition date is the newest `revised` date of the charters printed,
//! never the clock, so the page depends only on the sources.

use serde::Serialize;
use tera::Value;

use super::{Bodies, DocView, RoleRow, base_context, body_html, doc_view, role_rows};
use crate::model::{DocId, GroupId, Site};

/// A matrix with more role columns than this is printed on a landscape page.
pub const WIDE_COLUMNS: usize = 8;

/// A matrix with more role columns than this is also set smaller, to fit
/// the width of a landscape page.
pub const HUGE_COLUMNS: usize = 18;

/// The page's own URL.
pub const URL: &str = "print/";

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
    matrix: Option<super::matrix::MatrixView>,
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

/// One charter's context for `print_charter.html`.
fn charter_context(site: &Site, bodies: &Bodies, d: DocId, group: Option<String>) -> tera::Context {
    let doc = &site.docs[d];
    let rendered = &bodies.docs[d];
    let matrix = (!doc.activities.is_empty()).then(|| super::matrix::department(site, d));
    let matrix_columns = role_columns(site, d);
    let charter = Charter {
        anchor: format!("doc-{}", doc.id),
        page: doc_view(site, d),
        group,
        roles: role_rows(site, d, &rendered.sections),
        matrix: matrix.map(|m| m.view(site, None)),
        matrix_columns,
        wide: matrix_columns > WIDE_COLUMNS,
        huge: matrix_columns > HUGE_COLUMNS,
        body: body_html(&rendered.html, URL, &doc.url),
    };
    let mut c = base_context(site, URL, &doc.title);
    c.insert("page", &charter.page);
    c.insert("c", &charter);
    c
}

/// The context of `/print/`: each charter rendered with
/// `print_charter.html` in parallel (or taken from `fragments`).
pub fn context(
    site: &Site,
    bodies: &Bodies,
    tera: &tera::Tera,
    fragments: &Fragments,
) -> Result<super::Prepared, tera::Error> {
    use rayon::prelude::*;
    let t = crate::theme::i18n::strings(site.config.lang());
    let order = reading_order(site);
    let mut toc = Vec::new();
    let mut items: Vec<(DocId, Option<String>)> = Vec::new();
    for (g, docs) in &order {
        let group = group_path(site, *g);
        let mut entries = Vec::new();
        for &d in docs {
            let doc = &site.docs[d];
            entries.push(TocEntry {
                anchor: format!("doc-{}", doc.id),
                title: doc.title.clone(),
                doc_number: doc.meta.doc_number.clone(),
                status: doc.meta.status.clone(),
            });
            items.push((d, group.clone()));
        }
        toc.push(TocSection {
            title: group,
            entries,
        });
    }
    let html: Vec<std::sync::Arc<str>> = items
        .into_par_iter()
        .map(|(d, group)| {
            if let Some(Some(h)) = fragments.previous.get(d) {
                return Ok(h.clone());
            }
            let c = charter_context(site, bodies, d, group);
            Ok(std::sync::Arc::from(tera.render("print_charter.html", &c)?))
        })
        .collect::<Result<_, tera::Error>>()?;
    {
        let mut made = fragments.made.lock().unwrap_or_else(|e| e.into_inner());
        made.clear();
        made.resize(site.docs.len(), None);
        let ids = order.iter().flat_map(|(_, docs)| docs.iter().copied());
        for (d, h) in ids.zip(&html) {
            made[d] = Some(h.clone());
        }
    }
    // The page is rendered with markers where the charters go, and the
    // charters spliced in after: megabytes of HTML never pass through the
    // template engine twice.
    let splice = super::Splice::new(html);
    let charters: Vec<tera::Value> = (0..splice.parts.len())
        .map(|i| {
            let mut m = tera::Map::new();
            m.insert("html".into(), tera::Value::safe_string(&splice.marker(i)));
            tera::Value::from(m)
        })
        .collect();
    let mut c = base_context(site, URL, t["print"]);
    c.insert(
        "edition",
        &edition(site, order.iter().flat_map(|(_, d)| d.iter().copied())),
    );
    c.insert("print_toc", &toc);
    c.insert_value("charters", tera::Value::from(charters));
    Ok(super::Prepared {
        context: c,
        splice: Some(splice),
    })
}
