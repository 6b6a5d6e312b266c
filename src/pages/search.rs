//! The search page (`/search/`): a form and a results list that
//! `search.js` fills from `?q=`; the page itself holds no results.

use super::{Job, base_context};
use crate::model::Site;

pub fn jobs(site: &Site, jobs: &mut Vec<Job>) {
    let title = crate::theme::i18n::strings(site.config.lang())["search"];
    jobs.push(Job {
        path: "search/index.html".into(),
        template: "search.html",
        context: base_context(site, "search/", title),
    });
}
