//! The role index (`/roles/`, by pinyin with A–Z initials) and one page
//! per role (`/roles/<dept>/<role>/`): reporting chain, direct reports,
//! duties section, every activity it holds anywhere, and backlinks.

use serde::Serialize;

use super::{
    Bodies, Job, Link, PageKey, Parts, Prepared, RoleRef, Splice, Want, base_context, body_html,
    role_ref,
};
use crate::model::{ActId, DocId, GroupId, RoleId, Site};
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

/// Where a role goes in index order: by pinyin of the title, then the
/// title, then the department's pinyin, then its place in the sources.
fn order_key(site: &Site, r: RoleId) -> (String, &str, String, RoleId) {
    let role = &site.roles[r];
    (
        sortkey::key(&role.title),
        role.title.as_str(),
        sortkey::key(&site.docs[role.dept].title),
        r,
    )
}

/// Published roles in index order (by pinyin of the title, then by the
/// title, then by its department's pinyin), each with its title's key.
pub fn sorted_roles(site: &Site) -> Vec<(RoleId, String)> {
    use rayon::prelude::*;
    // Titles and departments are ranked first (each distinct title's key
    // made once: titles repeat, every department has its 部门负责人), so
    // that the roles sort by numbers, not by strings.
    let mut titles: Vec<(String, &str)> = {
        let mut t: Vec<&str> = site.roles.iter().map(|r| r.title.as_str()).collect();
        t.par_sort_unstable();
        t.dedup();
        t.into_par_iter().map(|t| (sortkey::key(t), t)).collect()
    };
    titles.par_sort_unstable();
    let title_rank: std::collections::HashMap<&str, u32> = titles
        .iter()
        .enumerate()
        .map(|(i, (_, t))| (*t, i as u32))
        .collect();
    let mut depts: Vec<(String, DocId)> = site
        .docs
        .par_iter()
        .enumerate()
        .map(|(d, doc)| (sortkey::key(&doc.title), d))
        .collect();
    depts.par_sort_unstable();
    // Departments with the same key share a rank (the sources' order decides).
    let mut dept_rank = vec![0u32; site.docs.len()];
    let mut rank = 0u32;
    for (i, (key, d)) in depts.iter().enumerate() {
        if i > 0 && *key != depts[i - 1].0 {
            rank += 1;
        }
        dept_rank[*d] = rank;
    }
    let mut roles: Vec<(u32, u32, RoleId)> = (0..site.roles.len())
        .filter(|&r| site.published(site.roles[r].dept))
        .map(|r| {
            let role = &site.roles[r];
            (title_rank[role.title.as_str()], dept_rank[role.dept], r)
        })
        .collect();
    roles.par_sort_unstable();
    roles
        .into_iter()
        .map(|(t, _, r)| (r, titles[t as usize].0.clone()))
        .collect()
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

/// The role index and one page per role, those `want` selects.
pub fn jobs<'a>(
    site: &'a Site,
    bodies: &'a Bodies,
    want: Want,
    (split, runs): (bool, bool),
    sections: &'a Parts,
    jobs: &mut Vec<Job<'a>>,
) {
    let title = crate::theme::i18n::strings(site.config.lang())["role_index"];
    if want(PageKey::RoleIndex) {
        // Sorted here, in parallel, not inside the page's job: a job that
        // waits for parallel work of its own picks up other pages' jobs
        // meanwhile, and more big pages are held in memory at once.
        let sorted = sorted_roles(site);
        if is_split(site) {
            part_jobs(site, sorted, (title, runs), sections, jobs);
        } else {
            index_job(site, sorted, title, (split, runs), sections, jobs);
        }
    }
    let wanted: Vec<RoleId> = (0..site.roles.len())
        .filter(|&r| site.published(site.roles[r].dept) && want(PageKey::Role(r)))
        .collect();
    if wanted.is_empty() {
        return;
    }
    // Direct reports (in source order; each page sorts its own) and
    // activities held, for the wanted roles (`slot`: a role's place in
    // `wanted`), so that rendering a few role pages stays cheap.
    let mut slot = vec![usize::MAX; site.roles.len()];
    for (i, &r) in wanted.iter().enumerate() {
        slot[r] = i;
    }
    let mut reports: Vec<Vec<RoleId>> = vec![Vec::new(); wanted.len()];
    for r in 0..site.roles.len() {
        if site.published(site.roles[r].dept)
            && let Some(t) = published_superior(site, r)
            && slot[t] != usize::MAX
        {
            reports[slot[t]].push(r);
        }
    }
    let mut held: Vec<Vec<ActId>> = vec![Vec::new(); wanted.len()];
    for (i, a) in site.activities.iter().enumerate() {
        if site.published(a.dept) {
            for (r, _) in &a.raci {
                if slot[*r] != usize::MAX {
                    held[slot[*r]].push(i);
                }
            }
        }
    }
    let shared = std::sync::Arc::new((reports, held));
    for (i, r) in wanted.into_iter().enumerate() {
        let shared = shared.clone();
        jobs.push(Job::new(
            PageKey::Role(r),
            crate::urls::file_of(&site.role_url(r)),
            "role.html",
            move || role_context(site, bodies, r, &shared.0[i], &shared.1[i], title),
        ));
    }
}

/// `/roles/` on one page: every role, by initial.
fn index_job<'a>(
    site: &'a Site,
    sorted: Vec<(RoleId, String)>,
    title: &'a str,
    (split, runs): (bool, bool),
    sections: &'a Parts,
    jobs: &mut Vec<Job<'a>>,
) {
    // Each role's hashes, in the order of the roles in the model (a
    // department's one after another: the model is read in order,
    // not at random as the index's order would), in parallel.
    let hashes = RoleHashes::new(site, split && runs, split && sections.hashes());
    // With the built-in roles.html, each initial's section is rendered
    // on its own (role_initial.html) and put into the page afterwards,
    // so that `serve` renders again only the sections an edit changed.
    jobs.push(if split {
        Job::with_tera(
            PageKey::RoleIndex,
            "roles/index.html".into(),
            "roles.html",
            move |tera| {
                let page = ("roles/", title);
                index_in_sections(site, &sorted, page, (tera, runs, &hashes), sections)
            },
        )
    } else {
        Job::new(
            PageKey::RoleIndex,
            "roles/index.html".into(),
            "roles.html",
            move || {
                let (mut c, initials) = index_context(site, &sorted, "roles/", title);
                let initials: Vec<Initial> = initials
                    .iter()
                    .map(|(letter, roles)| initial(site, *letter, roles))
                    .collect();
                c.insert("initials", &initials);
                c
            },
        )
    });
}

/// A run of a section's entries ends after an entry whose hash is 0
/// modulo this (and at [`RUN_MAX`] entries): about this many entries a
/// run, bounds that stay where they are when an entry comes, goes or
/// changes elsewhere.
const RUN_SPAN: u64 = 128;
const RUN_MAX: usize = 512;

/// Hashes of each role (by role id; 0 for roles not published): of its
/// department's and its own id (`ids`, where runs end), and of what its
/// entry shows but its title's sort key (`entries`, see
/// [`entry_bytes`]). Either may be left empty when not wanted.
struct RoleHashes {
    ids: Vec<u64>,
    entries: Vec<u64>,
}

impl RoleHashes {
    fn new(site: &Site, ids: bool, entries: bool) -> RoleHashes {
        use rayon::prelude::*;
        let each = |f: &(dyn Fn(RoleId, &mut Vec<u8>) -> u64 + Sync)| -> Vec<u64> {
            (0..site.roles.len())
                .into_par_iter()
                .map_init(Vec::new, |buf, r| {
                    buf.clear();
                    if site.published(site.roles[r].dept) {
                        f(r, buf)
                    } else {
                        0
                    }
                })
                .collect()
        };
        RoleHashes {
            ids: if ids {
                each(&|r, buf| {
                    let role = &site.roles[r];
                    buf.extend_from_slice(site.docs[role.dept].id.as_bytes());
                    buf.push(b'/');
                    buf.extend_from_slice(role.id.as_bytes());
                    xxhash_rust::xxh3::xxh3_64(buf)
                })
            } else {
                Vec::new()
            },
            entries: if entries {
                each(&|r, buf| {
                    entry_bytes(site, r, buf);
                    xxhash_rust::xxh3::xxh3_64(buf)
                })
            } else {
                Vec::new()
            },
        }
    }
}

/// Where runs of `roles` start: chosen by the roles themselves (their
/// department and role ids, hashed in `ids`), not by their count.
fn run_starts(ids: &[u64], roles: &[&(RoleId, String)]) -> Vec<usize> {
    let mut starts = vec![0];
    for (i, (r, _)) in roles.iter().enumerate() {
        let last = *starts.last().unwrap_or(&0);
        let h = ids[*r];
        if i + 1 < roles.len() && (h.is_multiple_of(RUN_SPAN) || i + 1 - last >= RUN_MAX) {
            starts.push(i + 1);
        }
    }
    starts
}

/// The role index with its sections rendered on their own (or taken
/// from the last build), the page itself with markers in their place.
/// With the built-in `role_initial.html` and `role_entries.html`
/// (`runs`), a section's entries are rendered in runs of about
/// [`RUN_SPAN`] on their own too: a title edit renders one or two runs,
/// not a section of tens of thousands of entries.
fn index_in_sections(
    site: &Site,
    sorted: &[(RoleId, String)],
    (url, title): (&str, &str),
    (tera, runs, hashes): (&tera::Tera, bool, &RoleHashes),
    sections: &Parts,
) -> Result<Prepared, tera::Error> {
    let (mut c, initials) = index_context(site, sorted, url, title);
    if runs {
        return index_in_runs(site, (url, title), (tera, hashes), sections, c, &initials);
    }
    let mut parts = Vec::with_capacity(initials.len());
    for (letter, roles) in &initials {
        // What the section shows, hashed without making it.
        let hash = || {
            entries_hash(
                &hashes.entries,
                &format!("{url} section {letter}"),
                roles,
                &mut Vec::new(),
            )
        };
        parts.push(sections.get_or_make(PageKey::RoleIndex, hash, || {
            let mut sc = base_context(site, url, title);
            sc.insert("group", &initial(site, *letter, roles));
            tera.render("role_initial.html", &sc)
        })?);
    }
    let splice = Splice::new(parts);
    let views: Vec<tera::Value> = splice
        .html_maps()
        .into_iter()
        .zip(&initials)
        .map(|(mut m, (letter, _))| {
            m.insert("letter".into(), tera::Value::from(letter.to_string()));
            tera::Value::from(m)
        })
        .collect();
    c.insert_value("initials", tera::Value::from(views));
    Ok(Prepared {
        context: c,
        splice: Some(splice),
    })
}

/// [`index_in_sections`] with each section's entries in runs: the page
/// is spliced with every run of every section; each section is its
/// wrapper (`role_initial.html`) around its runs' markers.
fn index_in_runs(
    site: &Site,
    (url, title): (&str, &str),
    (tera, hashes): (&tera::Tera, &RoleHashes),
    cache: &Parts,
    mut c: tera::Context,
    initials: &ByInitial<'_>,
) -> Result<Prepared, tera::Error> {
    let mut splice = Splice::new(Vec::new());
    let mut views = Vec::with_capacity(initials.len());
    let mut buf = Vec::new();
    // The page's address is in each part's hash: a part is reused only
    // on the page it was made for (its links are relative to it).
    let what = format!("{url} run");
    for (letter, roles) in initials {
        let starts = run_starts(&hashes.ids, roles);
        let mut markers = String::new();
        for (k, &from) in starts.iter().enumerate() {
            let run = &roles[from..starts.get(k + 1).copied().unwrap_or(roles.len())];
            // What the run shows, hashed without making it.
            let hash = || entries_hash(&hashes.entries, &what, run, &mut buf);
            let part = cache.get_or_make(PageKey::RoleIndex, hash, || {
                let mut rc = base_context(site, url, title);
                let entries: Vec<IndexEntry> =
                    run.iter().map(|(r, key)| entry(site, *r, key)).collect();
                rc.insert("roles", &entries);
                tera.render("role_entries.html", &rc)
            })?;
            markers.push_str(&splice.marker(splice.parts.len()));
            splice.parts.push(part);
        }
        let mut sc = base_context(site, url, title);
        let mut group = tera::Map::new();
        group.insert("letter".into(), tera::Value::from(letter.to_string()));
        group.insert("html".into(), tera::Value::safe_string(&markers));
        sc.insert_value("group", tera::Value::from(group));
        let section = tera.render("role_initial.html", &sc)?;
        let mut m = tera::Map::new();
        m.insert("html".into(), tera::Value::safe_string(&section));
        m.insert("letter".into(), tera::Value::from(letter.to_string()));
        views.push(tera::Value::from(m));
    }
    c.insert_value("initials", tera::Value::from(views));
    Ok(Prepared {
        context: c,
        splice: Some(splice),
    })
}

/// Everything [`entry`] puts into role `r`'s entry but its title's sort
/// key, appended to `buf` (each field after its length).
fn entry_bytes(site: &Site, r: RoleId, buf: &mut Vec<u8>) {
    let mut put = |s: &str| {
        buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
        buf.extend_from_slice(s.as_bytes());
    };
    let role = &site.roles[r];
    let dept = &site.docs[role.dept];
    for s in [&role.title, &dept.id, &role.id, &dept.title, &dept.url] {
        put(s);
    }
    match published_superior(site, r) {
        Some(t) => {
            let sup = &site.roles[t];
            let sdept = &site.docs[sup.dept];
            for s in [&sup.title, &sdept.id, &sup.id, &sdept.title, &sdept.url] {
                put(s);
            }
            buf.push(1 + u8::from(sup.dept == role.dept));
        }
        None => buf.push(0),
    }
}

/// A hash of `roles`' entries (and `what`), with `buf` as scratch:
/// of each one's hash in `entries` and its title's sort key.
fn entries_hash(
    entries: &[u64],
    what: &str,
    roles: &[&(RoleId, String)],
    buf: &mut Vec<u8>,
) -> u64 {
    buf.clear();
    buf.extend_from_slice(what.as_bytes());
    for (r, key) in roles {
        buf.extend_from_slice(&entries[*r].to_le_bytes());
        buf.extend_from_slice(&(key.len() as u32).to_le_bytes());
        buf.extend_from_slice(key.as_bytes());
    }
    xxhash_rust::xxh3::xxh3_64(buf)
}

/// Role `r`'s entry in the index (`key`: its title's sort key).
fn entry(site: &Site, r: RoleId, key: &str) -> IndexEntry {
    let role = &site.roles[r];
    let dept = &site.docs[role.dept];
    IndexEntry {
        title: role.title.clone(),
        url: site.role_url(r),
        key: key.to_string(),
        dept_title: dept.title.clone(),
        dept_url: dept.url.clone(),
        reports_to: published_superior(site, r).map(|t| role_ref(site, t, role.dept)),
    }
}

/// The section of `letter`, of `roles` (in index order).
fn initial(site: &Site, letter: char, roles: &[&(RoleId, String)]) -> Initial {
    Initial {
        letter,
        roles: roles.iter().map(|(r, key)| entry(site, *r, key)).collect(),
    }
}

/// The roles of [`sorted_roles`] by initial, in the index's order.
type ByInitial<'s> = Vec<(char, Vec<&'s (RoleId, String)>)>;

/// The role index's context but for its sections, and the roles of
/// each section.
fn index_context<'s>(
    site: &Site,
    sorted: &'s [(RoleId, String)],
    url: &str,
    title: &str,
) -> (tera::Context, ByInitial<'s>) {
    let mut initials: ByInitial<'s> = Vec::new();
    for item in sorted {
        let letter = sortkey::initial_of_key(&item.1);
        match initials.last_mut() {
            Some((l, roles)) if *l == letter => roles.push(item),
            _ => initials.push((letter, vec![item])),
        }
    }
    // `#` (titles that start with a digit or symbol) goes last.
    initials.sort_by_key(|(l, _)| (*l == '#', *l));
    let mut c = base_context(site, url, title);
    let alphabet: Vec<(char, bool)> = ('A'..='Z')
        .map(|l| (l, initials.iter().any(|(i, _)| *i == l)))
        .collect();
    c.insert("alphabet", &alphabet);
    c.insert("count", &sorted.len());
    (c, initials)
}

fn role_context(
    site: &Site,
    bodies: &Bodies,
    r: RoleId,
    reports: &[RoleId],
    held: &[ActId],
    index_title: &str,
) -> tera::Context {
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
    let activities = held
        .iter()
        .filter_map(|&a| {
            let act = &site.activities[a];
            let letters = act.raci.iter().find(|(x, _)| *x == r)?.1;
            let dept = &site.docs[act.dept];
            Some(HeldActivity {
                title: act.title.clone(),
                dept_title: dept.title.clone(),
                dept_url: dept.url.clone(),
                clause: act.clause.as_ref().map(|(c, _)| c.clone()),
                letters: letters.to_code(),
                letter_list: letters.chars().map(String::from).collect(),
            })
        })
        .collect();
    let section = bodies.docs[role.dept].sections.get(&role.id);
    let view = RoleView {
        id: role.id.clone(),
        key: site.role_key(r),
        title: role.title.clone(),
        url: url.clone(),
        summary: role.summary.clone(),
        headcount: role.headcount,
        dept: super::doc_link(site, role.dept),
        reports_to: chain.first().cloned(),
        chain,
        chain_more,
        direct_reports: {
            let mut keyed: Vec<_> = reports.iter().map(|&x| order_key(site, x)).collect();
            keyed.sort();
            keyed
                .into_iter()
                .map(|k| role_ref(site, k.3, role.dept))
                .collect()
        },
        activities,
        backlinks: bodies.role_backlinks[r]
            .iter()
            .map(|&d| super::doc_link(site, d))
            .collect(),
        duties_anchor: section.map(|_| role.id.clone()),
    };
    let mut c = base_context(site, &url, &role.title);
    c.insert("role", &view);
    let crumbs = [
        Link {
            title: index_title.to_string(),
            url: "roles/".into(),
        },
        view.dept.clone(),
    ];
    c.insert("breadcrumbs", &crumbs);
    if let Some(html) = section {
        c.insert_value("duties", body_html(html, &url, &dept.url));
    }
    c
}

// ── A split role index (large sites) ─────────────────────────────────

/// Above this many published roles, `/roles/` is split like `/print/`:
/// one page per top-level group (`/roles/<group>/`, the departments at
/// the top level at `/roles/_top/`), and `/roles/` is an overview with a
/// filter across all of them. An entry of the index is about 310 bytes
/// of HTML (the generated benchmark sites: 15.4 MB for 50,000 roles), so
/// one page of 2,000 roles is some 600 KB: it loads and filters at once
/// on a phone. Past that the single page only grows (15 MB at 10,000
/// departments), and filtering it by its text gets slow. The example
/// site (about 60 roles) and the test fixtures are far below it.
pub const SPLIT_ROLES: usize = 2_000;

/// The overview's data for its filter: every role of every part, loaded
/// with `<script src>` (from `file://` too) when the filter is first used.
pub const DATA: &str = "roles/roles-data.js";

/// A top-level group as a part of a split page (`/roles/<slug>/`,
/// `/org/<slug>/`): 0 for the departments at the top level.
pub struct Unit {
    pub group: GroupId,
    pub title: String,
    pub slug: String,
}

/// Unit `g` (a top-level group, or 0) with its title and slug.
pub fn unit(site: &Site, g: GroupId, top: &str) -> Unit {
    if g == 0 {
        Unit {
            group: 0,
            title: crate::theme::i18n::strings(site.config.lang())["other_departments"].into(),
            slug: top.to_string(),
        }
    } else {
        Unit {
            group: g,
            title: site.groups[g].title.clone(),
            slug: site.groups[g].folder.clone(),
        }
    }
}

fn published_roles(site: &Site) -> usize {
    site.roles.iter().filter(|r| site.published(r.dept)).count()
}

/// Whether `/roles/` is split (more than [`SPLIT_ROLES`] roles).
pub fn is_split(site: &Site) -> bool {
    published_roles(site) > SPLIT_ROLES
}

/// The parts of a split index, those with roles: the top level's first
/// (as `/matrix/`), then the top-level groups in their order.
fn units(site: &Site) -> Vec<Unit> {
    let mut has = vec![false; site.groups.len()];
    for role in &site.roles {
        if site.published(role.dept) {
            has[super::matrix::unit_of(site, role.dept)] = true;
        }
    }
    let top = super::top_slug(site);
    std::iter::once(0)
        .chain(site.groups[0].children.iter().copied())
        .filter(|&g| has[g])
        .map(|g| unit(site, g, &top))
        .collect()
}

/// What decides the files `/roles/` makes: split or not, and the slugs of
/// its parts (empty when not split).
pub fn layout(site: &Site) -> (bool, Vec<String>) {
    if !is_split(site) {
        return (false, Vec::new());
    }
    (true, units(site).into_iter().map(|u| u.slug).collect())
}

/// A part as the overview lists it.
#[derive(Serialize)]
struct PartView {
    title: String,
    /// Its page, relative to `/roles/`.
    href: String,
    count: usize,
}

/// A letter of the overview: the parts that have roles with it (and
/// how many roles with it each has).
#[derive(Serialize)]
struct LetterView {
    letter: char,
    parts: Vec<PartView>,
}

/// A split `/roles/`: one page per part (the sections of an index, with
/// its own letter bar and filter), and the overview.
fn part_jobs<'a>(
    site: &'a Site,
    sorted: Vec<(RoleId, String)>,
    (title, runs): (&'static str, bool),
    sections: &'a Parts,
    jobs: &mut Vec<Job<'a>>,
) {
    let units = units(site);
    let mut slot = vec![usize::MAX; site.groups.len()];
    for (i, u) in units.iter().enumerate() {
        slot[u.group] = i;
    }
    let count = sorted.len();
    let mut by_unit: Vec<Vec<(RoleId, String)>> = units.iter().map(|_| Vec::new()).collect();
    for item in sorted {
        let u = slot[super::matrix::unit_of(site, site.roles[item.0].dept)];
        by_unit[u].push(item);
    }
    let parts: Vec<PartView> = units
        .iter()
        .zip(&by_unit)
        .map(|(u, roles)| PartView {
            title: u.title.clone(),
            href: crate::urls::encoded_file_of(&format!("{}/", u.slug)),
            count: roles.len(),
        })
        .collect();
    // Letters of the overview: which parts have roles with each initial.
    let mut letters: Vec<LetterView> = Vec::new();
    for (part, roles) in parts.iter().zip(&by_unit) {
        for (_, key) in roles {
            let l = sortkey::initial_of_key(key);
            let at = match letters.iter().position(|v| v.letter == l) {
                Some(at) => at,
                None => {
                    letters.push(LetterView {
                        letter: l,
                        parts: Vec::new(),
                    });
                    letters.len() - 1
                }
            };
            match letters[at].parts.last_mut() {
                Some(p) if p.href == part.href => p.count += 1,
                _ => letters[at].parts.push(PartView {
                    title: part.title.clone(),
                    href: part.href.clone(),
                    count: 1,
                }),
            }
        }
    }
    letters.sort_by_key(|v| (v.letter == '#', v.letter));
    let hashes = std::sync::Arc::new(RoleHashes::new(site, runs, sections.hashes()));
    for (u, roles) in units.into_iter().zip(by_unit) {
        let hashes = hashes.clone();
        let url = format!("roles/{}/", u.slug);
        jobs.push(Job::with_tera(
            PageKey::RoleIndex,
            crate::urls::file_of(&url),
            "roles_part.html",
            move |tera| {
                let name = format!("{title} · {}", u.title);
                let page = (url.as_str(), name.as_str());
                let mut p = index_in_sections(site, &roles, page, (tera, runs, &hashes), sections)?;
                p.context.insert("part", &u.title);
                p.context
                    .insert("ts", &crate::theme::i18n::split_strings(site.config.lang()));
                Ok(p)
            },
        ));
    }
    jobs.push(Job::new(
        PageKey::RoleIndex,
        "roles/index.html".into(),
        "roles_overview.html",
        move || {
            let mut c = base_context(site, "roles/", title);
            let alphabet: Vec<(char, bool)> = ('A'..='Z')
                .map(|l| (l, letters.iter().any(|v| v.letter == l)))
                .collect();
            c.insert("alphabet", &alphabet);
            c.insert("count", &count);
            c.insert("parts", &parts);
            c.insert("letters", &letters);
            c.insert("data", DATA.strip_prefix("roles/").unwrap_or(DATA));
            c.insert("ts", &crate::theme::i18n::split_strings(site.config.lang()));
            c
        },
    ));
}

/// The overview's data ([`DATA`]) when `/roles/` is split and wanted: a
/// script that sets `CHARTER_ROLES` to the parts (slug, title), the
/// departments with roles (title, page, id, part), the distinct titles
/// (title, pinyin key) and role ids, and the roles in index order as
/// triples of numbers (title, department, id). Titles, departments and
/// ids repeat across tens of thousands of roles; the numbers do not.
/// Paths are percent-encoded; pages are relative to `/roles/`.
pub fn files(site: &Site, want: super::Want) -> Vec<(String, Vec<u8>)> {
    if !want(PageKey::RoleIndex) || !is_split(site) {
        return Vec::new();
    }
    use std::collections::HashMap;
    let units = units(site);
    let mut slot = vec![usize::MAX; site.groups.len()];
    for (i, u) in units.iter().enumerate() {
        slot[u.group] = i;
    }
    let sorted = sorted_roles(site);
    let mut titles: Vec<(&str, &str)> = Vec::new();
    let mut title_at: HashMap<&str, usize> = HashMap::new();
    let mut depts: Vec<(&str, String, String, usize)> = Vec::new();
    let mut dept_at: HashMap<DocId, usize> = HashMap::new();
    let mut ids: Vec<String> = Vec::new();
    let mut id_at: HashMap<&str, usize> = HashMap::new();
    let mut roles: Vec<usize> = Vec::with_capacity(3 * sorted.len());
    for (r, key) in &sorted {
        let role = &site.roles[*r];
        let t = *title_at.entry(&role.title).or_insert_with(|| {
            titles.push((&role.title, key));
            titles.len() - 1
        });
        let d = *dept_at.entry(role.dept).or_insert_with(|| {
            let doc = &site.docs[role.dept];
            let part = slot[super::matrix::unit_of(site, role.dept)];
            depts.push((
                &doc.title,
                crate::urls::encoded_file_of(&doc.url),
                crate::urls::encode_path(&doc.id),
                part,
            ));
            depts.len() - 1
        });
        let i = *id_at.entry(&role.id).or_insert_with(|| {
            ids.push(crate::urls::encode_path(&role.id));
            ids.len() - 1
        });
        roles.extend([t, d, i]);
    }
    let parts: Vec<(String, &str)> = units
        .iter()
        .map(|u| {
            (
                crate::urls::encoded_file_of(&format!("{}/", u.slug)),
                u.title.as_str(),
            )
        })
        .collect();
    let data = serde_json::json!({
        "parts": parts,
        "depts": depts,
        "titles": titles,
        "ids": ids,
        "roles": roles,
    });
    let mut out = b"window.CHARTER_ROLES=".to_vec();
    out.extend_from_slice(data.to_string().as_bytes());
    out.extend_from_slice(b";\n");
    vec![(DATA.to_string(), out)]
}
