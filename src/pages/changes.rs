//! The list of changes (`/changes/`): published charters by `revised`
//! date, newest first; those never revised follow, by `effective` date
//! (newest first), then those with no date at all; ties by title. Plain
//! pages are listed only when they carry one of the two dates. A site
//! with more than [`LIMIT`] of them lists the newest [`LIMIT`] and says
//! how many older ones it left out (each charter's page shows its dates),
//! so the page stays one a browser opens at once (10,000 rows made 4 MB).

use serde::Serialize;

use super::{Link, base_context};
use crate::model::{DocId, Kind, Site};
use crate::sortkey;

/// The page's own URL.
pub const URL: &str = "changes/";

/// The most rows `/changes/` lists.
pub const LIMIT: usize = 1000;

#[derive(Serialize)]
struct Change {
    title: String,
    url: String,
    group: Option<Link>,
    version: Option<String>,
    doc_number: Option<String>,
    status: String,
    effective: Option<String>,
    revised: Option<String>,
}

/// The documents `/changes/` lists, in its order.
pub fn listed(site: &Site) -> Vec<DocId> {
    let mut docs: Vec<DocId> = site
        .published_docs()
        .filter(|&d| {
            let doc = &site.docs[d];
            doc.kind == Kind::Department
                || doc.meta.revised.is_some()
                || doc.meta.effective.is_some()
        })
        .collect();
    let key = |d: DocId| {
        let m = &site.docs[d].meta;
        (
            // Revised first, then effective only, then undated.
            match (&m.revised, &m.effective) {
                (Some(_), _) => 0,
                (None, Some(_)) => 1,
                (None, None) => 2,
            },
            std::cmp::Reverse(m.revised.clone().or_else(|| m.effective.clone())),
            sortkey::key(&site.docs[d].title),
            site.docs[d].title.clone(),
            d,
        )
    };
    docs.sort_by_cached_key(|&d| key(d));
    docs
}

/// The context of `/changes/`.
pub fn context(site: &Site) -> tera::Context {
    let t = crate::theme::i18n::strings(site.config.lang());
    let all = listed(site);
    let more = all.len().saturating_sub(LIMIT);
    let changes: Vec<Change> = all
        .into_iter()
        .take(LIMIT)
        .map(|d| {
            let doc = &site.docs[d];
            Change {
                title: doc.title.clone(),
                url: doc.url.clone(),
                group: (doc.group != 0).then(|| Link {
                    title: site.groups[doc.group].title.clone(),
                    url: site.group_url(doc.group),
                }),
                version: doc.meta.version.clone(),
                doc_number: doc.meta.doc_number.clone(),
                status: doc.meta.status.clone(),
                effective: doc.meta.effective.clone(),
                revised: doc.meta.revised.clone(),
            }
        })
        .collect();
    let mut c = base_context(site, URL, t["changes"]);
    c.insert("changes", &changes);
    c.insert("changes_more", &more);
    c
}
