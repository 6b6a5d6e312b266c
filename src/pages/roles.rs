//! The role index (`/roles/`, by pinyin with A–Z initials) and one page
//! per role (`/roles/<dept>/<role>/`): reporting chain, direct reports,
//! duties section, every activity it holds anywhere, and backlinks.

use serde::Serialize;

use super::{Bodies, Job, Link, RoleRef, base_context, body_html, role_ref};
use crate::model::{RoleId, Site};
use crate::sortkey;

#[derive(Serialize)]
struct IndexEntry {
    title: String,
    url: String,
    /// Pinyin of the title, for the filter box.
    key: String,
    dept_title: String,
    dept_url: String,
    reports_to: Option<RoleRef>,
}

#[derive(Serialize)]
struct Initial {
    letter: char,
    roles: Vec<IndexEntry>,
}

#[derive(Serialize)]
struct HeldActivity {
    title: String,
    dept_title: String,
    dept_url: String,
    /// Anchor of the article that states it, on the department page.
    clause: Option<String>,
    letters: String,
    letter_list: Vec<String>,
}

#[derive(Serialize)]
struct RoleView {
    id: String,
    key: String,
    title: String,
    url: String,
    summary: Option<String>,
    headcount: Option<u32>,
    dept: Link,
    reports_to: Option<RoleRef>,
    /// From the direct superior up to the top, at most [`MAX_CHAIN`] of them.
    chain: Vec<RoleRef>,
    /// How many superiors above the shown chain were left out.
    chain_more: usize,
    direct_reports: Vec<RoleRef>,
    activities: Vec<HeldActivity>,
    backlinks: Vec<Link>,
    /// Anchor of the duties section on the department page, if there is one.
    duties_anchor: Option<String>,
}

/// Published roles in index order: by pinyin of the title, then department.
pub fn sorted_roles(site: &Site) -> Vec<RoleId> {
    let mut roles: Vec<(String, String, RoleId)> = (0..site.roles.len())
        .filter(|&r| site.published(site.roles[r].dept))
        .map(|r| {
            let role = &site.roles[r];
            (
                sortkey::key(&role.title),
                sortkey::key(&site.docs[role.dept].title),
                r,
            )
        })
        .collect();
    roles.sort_by(|a, b| {
        (&a.0, &site.roles[a.2].title, &a.1, a.2).cmp(&(&b.0, &site.roles[b.2].title, &b.1, b.2))
    });
    roles.into_iter().map(|(_, _, r)| r).collect()
}

/// The most superiors a role page lists in its reporting chain: every
/// role page of a reporting line thousands of roles long would otherwise
/// list all the roles above it (output quadratic in the length).
pub const MAX_CHAIN: usize = 32;

fn published_superior(site: &Site, r: RoleId) -> Option<RoleId> {
    site.roles[r]
        .reports_to
        .filter(|&t| site.published(site.roles[t].dept))
}

pub fn jobs(site: &Site, bodies: &Bodies, jobs: &mut Vec<Job>) {
    let sorted = sorted_roles(site);
    let mut reports: Vec<Vec<RoleId>> = vec![Vec::new(); site.roles.len()];
    for &r in &sorted {
        if let Some(t) = published_superior(site, r) {
            reports[t].push(r);
        }
    }
    let mut held: Vec<Vec<HeldActivity>> = (0..site.roles.len()).map(|_| Vec::new()).collect();
    for a in &site.activities {
        if !site.published(a.dept) {
            continue;
        }
        let dept = &site.docs[a.dept];
        for (r, letters) in &a.raci {
            held[*r].push(HeldActivity {
                title: a.title.clone(),
                dept_title: dept.title.clone(),
                dept_url: dept.url.clone(),
                clause: a.clause.as_ref().map(|(c, _)| c.clone()),
                letters: letters.to_code(),
                letter_list: letters.chars().map(String::from).collect(),
            });
        }
    }

    // The index.
    let mut initials: Vec<Initial> = Vec::new();
    for &r in &sorted {
        let role = &site.roles[r];
        let dept = &site.docs[role.dept];
        let letter = sortkey::initial(&role.title);
        let entry = IndexEntry {
            title: role.title.clone(),
            url: site.role_url(r),
            key: sortkey::key(&role.title),
            dept_title: dept.title.clone(),
            dept_url: dept.url.clone(),
            reports_to: published_superior(site, r).map(|t| role_ref(site, t, role.dept)),
        };
        match initials.last_mut() {
            Some(i) if i.letter == letter => i.roles.push(entry),
            _ => initials.push(Initial {
                letter,
                roles: vec![entry],
            }),
        }
    }
    // `#` (titles that start with a digit or symbol) goes last.
    initials.sort_by_key(|i| (i.letter == '#', i.letter));
    let title = crate::theme::i18n::strings(site.config.lang())["role_index"];
    let mut c = base_context(site, "roles/", title);
    let alphabet: Vec<(char, bool)> = ('A'..='Z')
        .map(|l| (l, initials.iter().any(|i| i.letter == l)))
        .collect();
    c.insert("alphabet", &alphabet);
    c.insert("initials", &initials);
    c.insert("count", &sorted.len());
    jobs.push(Job {
        path: "roles/index.html".into(),
        template: "roles.html",
        context: c,
    });

    // One page per role.
    for &r in &sorted {
        let role = &site.roles[r];
        let dept = &site.docs[role.dept];
        let url = site.role_url(r);
        let mut chain = Vec::new();
        let mut chain_more = 0;
        let mut cur = published_superior(site, r);
        let mut steps = 0;
        while let Some(t) = cur {
            steps += 1;
            if steps > site.roles.len() {
                break; // a cycle; reported as an error before rendering
            }
            if chain.len() < MAX_CHAIN {
                chain.push(role_ref(site, t, role.dept));
            } else {
                chain_more += 1;
            }
            cur = published_superior(site, t);
        }
        let section = bodies.docs[role.dept].sections.get(&role.id);
        let view = RoleView {
            id: role.id.clone(),
            key: site.role_key(r),
            title: role.title.clone(),
            url: url.clone(),
            summary: role.summary.clone(),
            headcount: role.headcount,
            dept: Link {
                title: dept.title.clone(),
                url: dept.url.clone(),
            },
            reports_to: chain.first().cloned(),
            chain,
            chain_more,
            direct_reports: reports[r]
                .iter()
                .map(|&x| role_ref(site, x, role.dept))
                .collect(),
            activities: std::mem::take(&mut held[r]),
            backlinks: bodies.role_backlinks[r]
                .iter()
                .map(|&d| Link {
                    title: site.docs[d].title.clone(),
                    url: site.docs[d].url.clone(),
                })
                .collect(),
            duties_anchor: section.map(|_| role.id.clone()),
        };
        let mut c = base_context(site, &url, &role.title);
        c.insert("role", &view);
        let mut crumbs = vec![Link {
            title: title.to_string(),
            url: "roles/".into(),
        }];
        crumbs.push(view.dept.clone());
        c.insert("breadcrumbs", &crumbs);
        if let Some(html) = section {
            c.insert_value("duties", body_html(html, &url, &dept.url));
        }
        jobs.push(Job {
            path: crate::urls::file_of(&url),
            template: "role.html",
            context: c,
        });
    }
}
