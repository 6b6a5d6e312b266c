//! Template contexts of the generated pages. Each page gets a small
//! context (what it shows, nothing more); what every page shares (site,
//! UI strings, navigation) lives in Tera's global context, built once.

pub mod sitemap;

use serde::Serialize;

use crate::markdown::TocEntry;
use crate::model::{DocId, GroupId, Kind, RoleId, Site};

/// A link to a page: title and root-relative URL (`a/b/`).
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
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

fn has_published(site: &Site, g: GroupId) -> bool {
    site.groups[g].docs.iter().any(|&d| site.published(d))
        || site.groups[g].file.is_some()
        || site.groups[g]
            .children
            .iter()
            .any(|&c| has_published(site, c))
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
    let link = |x: DocId| Link {
        title: site.docs[x].title.clone(),
        url: site.docs[x].url.clone(),
    };
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
