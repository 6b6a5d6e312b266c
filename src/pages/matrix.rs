//! Responsibility matrices: one per department (its activities × the roles
//! involved, from any department) and the organization's at `/matrix/`,
//! one table per top-level group (split into pages when large), each with
//! a CSV beside it (UTF-8 with BOM, so Excel reads Chinese).

use serde::Serialize;

use super::{Job, PageKey, Want, base_context};
use crate::model::{ActId, DocId, GroupId, RoleId, Site};

/// Above this many cells in all, `/matrix/` links to one page per group.
const SPLIT_CELLS: usize = 40_000;

#[derive(Debug, Clone)]
enum Row {
    Dept(DocId),
    Activity(ActId),
}

/// A matrix: rows (department headers and activities) × role columns.
#[derive(Debug, Clone)]
pub struct Matrix {
    columns: Vec<RoleId>,
    rows: Vec<Row>,
}

#[derive(Serialize, Hash)]
struct ColumnView<'a> {
    title: &'a str,
    url: String,
    dept_title: &'a str,
    /// First column of its department (for a divider).
    dept_start: bool,
}

#[derive(Serialize, Hash)]
struct ColGroupView<'a> {
    title: &'a str,
    url: &'a str,
    span: usize,
}

#[derive(Serialize, Hash)]
struct RowView<'a> {
    header: bool,
    title: &'a str,
    dept_title: &'a str,
    dept_url: &'a str,
    clause: Option<&'a str>,
    cells: Vec<&'static str>,
}

/// What a matrix's template sees; its strings are the model's.
#[derive(Serialize, Hash)]
pub struct MatrixView<'a> {
    columns: Vec<ColumnView<'a>>,
    col_groups: Vec<ColGroupView<'a>>,
    rows: Vec<RowView<'a>>,
    /// Activities each column's role is named in.
    load: Vec<usize>,
    csv: Option<String>,
    title: Option<String>,
    url: Option<String>,
}

impl Matrix {
    /// Orders columns: `first` department's roles first (in definition order), then by department in path order.
    fn build(site: &Site, rows: Vec<Row>, first: Option<DocId>) -> Matrix {
        // The roles the rows name (not a scan of every role of the site:
        // a department's matrix is built for its page, its CSV and the
        // handbook, so that scan was quadratic in the size of the site).
        let mut columns: Vec<RoleId> = rows
            .iter()
            .filter_map(|row| match row {
                Row::Activity(a) => Some(*a),
                Row::Dept(_) => None,
            })
            .flat_map(|a| site.activities[a].raci.iter().map(|(r, _)| *r))
            .collect();
        columns.sort_unstable();
        columns.dedup();
        columns.sort_by_key(|&r| (Some(site.roles[r].dept) != first, site.roles[r].dept, r));
        Matrix { columns, rows }
    }

    fn cells(&self, site: &Site, a: ActId) -> Vec<&'static str> {
        let act = &site.activities[a];
        self.columns
            .iter()
            .map(|c| {
                act.raci
                    .iter()
                    .find(|(r, _)| r == c)
                    .map_or("", |(_, l)| l.code())
            })
            .collect()
    }

    pub fn cell_count(&self) -> usize {
        self.rows.len() * self.columns.len()
    }

    pub fn view<'a>(&self, site: &'a Site, csv: Option<String>) -> MatrixView<'a> {
        let mut col_groups: Vec<ColGroupView> = Vec::new();
        let mut last = None;
        let columns = self
            .columns
            .iter()
            .map(|&r| {
                let role = &site.roles[r];
                let dept = &site.docs[role.dept];
                let start = last != Some(role.dept);
                if start {
                    col_groups.push(ColGroupView {
                        title: &dept.title,
                        url: &dept.url,
                        span: 0,
                    });
                }
                if let Some(g) = col_groups.last_mut() {
                    g.span += 1;
                }
                last = Some(role.dept);
                ColumnView {
                    title: &role.title,
                    url: site.role_url(r),
                    dept_title: &dept.title,
                    dept_start: start,
                }
            })
            .collect();
        let mut load = vec![0; self.columns.len()];
        let rows = self
            .rows
            .iter()
            .map(|row| match row {
                Row::Dept(d) => RowView {
                    header: true,
                    title: &site.docs[*d].title,
                    dept_title: &site.docs[*d].title,
                    dept_url: &site.docs[*d].url,
                    clause: None,
                    cells: Vec::new(),
                },
                Row::Activity(a) => {
                    let act = &site.activities[*a];
                    let cells = self.cells(site, *a);
                    for (i, c) in cells.iter().enumerate() {
                        if !c.is_empty() {
                            load[i] += 1;
                        }
                    }
                    RowView {
                        header: false,
                        title: &act.title,
                        dept_title: &site.docs[act.dept].title,
                        dept_url: &site.docs[act.dept].url,
                        clause: act.clause.as_ref().map(|(c, _)| c.as_str()),
                        cells,
                    }
                }
            })
            .collect();
        MatrixView {
            columns,
            col_groups,
            rows,
            load,
            csv,
            title: None,
            url: None,
        }
    }

    /// The same table as CSV: department, activity, article, then one column per role.
    pub fn csv(&self, site: &Site) -> Vec<u8> {
        let t = crate::theme::i18n::strings(site.config.lang());
        let mut out = String::from("\u{FEFF}");
        let mut header = vec![
            t["department"].to_string(),
            t["activity"].to_string(),
            t["clause"].to_string(),
        ];
        header.extend(self.columns.iter().map(|&r| {
            let role = &site.roles[r];
            format!("{}（{}）", role.title, site.docs[role.dept].title)
        }));
        push_csv_row(&mut out, &header);
        for row in &self.rows {
            if let Row::Activity(a) = row {
                let act = &site.activities[*a];
                let mut fields = vec![
                    site.docs[act.dept].title.clone(),
                    act.title.clone(),
                    act.clause
                        .as_ref()
                        .map(|(c, _)| c.clone())
                        .unwrap_or_default(),
                ];
                fields.extend(self.cells(site, *a).into_iter().map(String::from));
                push_csv_row(&mut out, &fields);
            }
        }
        out.into_bytes()
    }
}

/// One CSV line (RFC 4180), with spreadsheet formula triggers neutralized.
fn push_csv_row<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let f = f.as_ref();
        let quote = f.contains([',', '"', '\n', '\r']);
        if quote {
            out.push('"');
        }
        if f.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            out.push('\'');
        }
        if quote {
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push_str("\r\n");
}

/// Each department's own table, `raci_table.html` rendered at most once
/// per build and shared by the three pages that show it: the department's
/// page, its charter in the handbook and its section of a matrix page.
/// The table is the same on all three but for the way to the root, so it
/// is rendered with `root` = [`crate::urls::ROOT_MARK`] and the way filled
/// in for each page. It was rendered three times before, a seventh of the
/// instructions of a whole build.
///
/// A page gets the table as the `html` of its `matrix` value only while
/// both its template and `raci_table.html` are the built-in ones (the
/// built-in templates print `matrix.html` when it is there, and include
/// `raci_table.html` otherwise): a site's own template may read any
/// part of the matrix, and a site's own table may read anything of the
/// page; they get the matrix itself, as before (and so does every page
/// with the default, all off).
#[derive(Default)]
pub struct Tables {
    /// On for department pages (`department.html`)…
    pub doc: bool,
    /// …for the handbook's charters (`print_charter.html`)…
    pub print: bool,
    /// …and for the sections of matrix pages (`matrix_section.html`).
    pub sections: bool,
    slots: Vec<Slot>,
}

/// A department's table while pages still need it: [`Tables::expect`]
/// counts the pages that will show it as their jobs are made, and the
/// last of them drops it (10,000 tables are 50 MB).
#[derive(Default)]
struct Slot {
    left: std::sync::atomic::AtomicU32,
    html: std::sync::Mutex<Option<std::sync::Arc<str>>>,
}

impl Tables {
    /// `builtin(name)`: whether the template `name` is the built-in one.
    pub fn new(site: &Site, builtin: impl Fn(&str) -> bool) -> Tables {
        let table = builtin("raci_table.html");
        Tables {
            doc: table && builtin("department.html"),
            print: table && builtin("print_charter.html"),
            sections: table && builtin("matrix_section.html") && builtin("matrix.html"),
            slots: (0..site.docs.len()).map(|_| Default::default()).collect(),
        }
    }

    /// One more page will show department `d`'s table.
    pub fn expect(&self, d: DocId) {
        if let Some(s) = self.slots.get(d) {
            s.left.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Department `d`'s table, with [`crate::urls::ROOT_MARK`] for `root`:
    /// rendered by the first page that shows it (the others wait for it),
    /// dropped after the last one [`Tables::expect`]ed.
    fn table(
        &self,
        site: &Site,
        tera: &tera::Tera,
        d: DocId,
    ) -> Result<std::sync::Arc<str>, tera::Error> {
        use std::sync::atomic::Ordering;
        let slot = &self.slots[d];
        let mut html = slot.html.lock().unwrap_or_else(|e| e.into_inner());
        let table = match &*html {
            Some(t) => t.clone(),
            None => {
                let mut c = tera::Context::new();
                c.insert("root", crate::urls::ROOT_MARK);
                c.insert("matrix", &department_view(site, d));
                let t: std::sync::Arc<str> = tera.render("raci_table.html", &c)?.into();
                *html = Some(t.clone());
                t
            }
        };
        let left = slot
            .left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(1))
            })
            .unwrap_or(0);
        if left <= 1 {
            *html = None;
        }
        Ok(table)
    }

    /// Department `d`'s table as the page at `url` shows it: a map whose
    /// `html` is the table (and whose `title` is the department's, for a
    /// matrix page's section).
    pub fn value(
        &self,
        site: &Site,
        tera: &tera::Tera,
        d: DocId,
        url: &str,
    ) -> Result<tera::Value, tera::Error> {
        let table = self.table(site, tera, d)?;
        let prefix = crate::urls::prefix_for(&crate::urls::file_of(url));
        let mut m = tera::Map::new();
        m.insert(
            "html".into(),
            tera::Value::safe_string(&crate::urls::place(&table, &prefix, "")),
        );
        m.insert(
            "title".into(),
            tera::Value::from(site.docs[d].title.as_str()),
        );
        Ok(tera::Value::from(m))
    }
}

/// The view of department `d`'s own matrix, with its CSV link.
pub fn department_view(site: &Site, d: DocId) -> MatrixView<'_> {
    department(site, d).view(site, Some(format!("{}matrix.csv", site.docs[d].url)))
}

/// A department's own matrix.
pub fn department(site: &Site, d: DocId) -> Matrix {
    let rows = site.docs[d]
        .activities
        .iter()
        .map(|&a| Row::Activity(a))
        .collect();
    Matrix::build(site, rows, Some(d))
}

/// Published documents with activities in a group's subtree, in reading order.
fn subtree_docs(site: &Site, g: GroupId, out: &mut Vec<DocId>) {
    for &d in &site.groups[g].docs {
        if site.published(d) && !site.docs[d].activities.is_empty() {
            out.push(d);
        }
    }
    for &c in &site.groups[g].children {
        if site.group_published(c) {
            subtree_docs(site, c, out);
        }
    }
}

fn group_matrix(site: &Site, docs: &[DocId]) -> Matrix {
    let mut rows = Vec::new();
    for &d in docs {
        rows.push(Row::Dept(d));
        rows.extend(site.docs[d].activities.iter().map(|&a| Row::Activity(a)));
    }
    Matrix::build(site, rows, None)
}

/// The organization's matrices as CSV: one row per assignment (department,
/// activity, article, role, the role's department, letter), which stays
/// linear in size however many roles there are, and pivots in a spreadsheet.
/// The first line of a long-format CSV: a byte-order mark and the column names.
fn csv_header(site: &Site) -> String {
    let t = crate::theme::i18n::strings(site.config.lang());
    let mut out = String::from("\u{FEFF}");
    let header: Vec<String> = [
        "department",
        "activity",
        "clause",
        "role",
        "role_department",
        "letter",
    ]
    .iter()
    .map(|k| t[k].to_string())
    .collect();
    push_csv_row(&mut out, &header);
    out
}

/// The rows of a long-format CSV for the activities of `docs`: one row
/// per role and activity.
fn csv_rows(site: &Site, docs: &[DocId]) -> String {
    let mut out = String::new();
    for &d in docs {
        for &a in &site.docs[d].activities {
            let act = &site.activities[a];
            for (r, letters) in &act.raci {
                let role = &site.roles[*r];
                push_csv_row(
                    &mut out,
                    &[
                        site.docs[d].title.as_str(),
                        act.title.as_str(),
                        act.clause.as_ref().map_or("", |(c, _)| c.as_str()),
                        role.title.as_str(),
                        site.docs[role.dept].title.as_str(),
                        letters.code(),
                    ],
                );
            }
        }
    }
    out
}

/// The top-level group a document is in (0 at the top level): its unit
/// of `/matrix/`.
pub fn unit_of(site: &Site, d: DocId) -> GroupId {
    unit_of_group(site, site.docs[d].group)
}

/// The top-level group that holds group `g` (`g` itself if it is one; 0
/// for the root).
pub fn unit_of_group(site: &Site, mut g: GroupId) -> GroupId {
    while let Some(p) = site.groups[g].parent {
        if p == 0 {
            return g;
        }
        g = p;
    }
    0
}

/// A unit of `/matrix/`: its group (0: top-level departments), title,
/// slug, and departments with activities.
struct Unit {
    group: GroupId,
    title: String,
    slug: String,
    docs: Vec<DocId>,
}

/// The units of `/matrix/`: top-level departments first, then each
/// top-level group's subtree.
fn units(site: &Site) -> Vec<Unit> {
    let t = crate::theme::i18n::strings(site.config.lang());
    let mut units = Vec::new();
    let top: Vec<DocId> = site.groups[0]
        .docs
        .iter()
        .copied()
        .filter(|&d| site.published(d) && !site.docs[d].activities.is_empty())
        .collect();
    if !top.is_empty() {
        let slug = super::top_slug(site);
        units.push(Unit {
            group: 0,
            title: t["other_departments"].to_string(),
            slug,
            docs: top,
        });
    }
    for &g in &site.groups[0].children {
        if !site.group_published(g) {
            continue;
        }
        let mut docs = Vec::new();
        subtree_docs(site, g, &mut docs);
        if !docs.is_empty() {
            units.push(Unit {
                group: g,
                title: site.groups[g].title.clone(),
                slug: site.groups[g].folder.clone(),
                docs,
            });
        }
    }
    units
}

/// Whether `/matrix/` is one page per unit: when the tables of all units
/// together would pass [`SPLIT_CELLS`] cells (estimated before building any).
fn is_split(site: &Site, units: &[Unit]) -> bool {
    let total: usize = units
        .iter()
        .map(|u| {
            let rows: usize = u
                .docs
                .iter()
                .map(|&d| site.docs[d].activities.len() + 1)
                .sum();
            let mut cols: Vec<RoleId> = u
                .docs
                .iter()
                .flat_map(|&d| site.docs[d].activities.iter())
                .flat_map(|&a| site.activities[a].raci.iter().map(|(r, _)| *r))
                .collect();
            cols.sort_unstable();
            cols.dedup();
            rows * cols.len()
        })
        .sum();
    total > SPLIT_CELLS
}

/// What decides the files `/matrix/` makes: split or not, and the units' slugs.
pub fn layout(site: &Site) -> (bool, Vec<String>) {
    let units = units(site);
    (
        is_split(site, &units),
        units.into_iter().map(|u| u.slug).collect(),
    )
}

/// The organization's CSV exports (the whole, and one per unit) that
/// `want` selects.
pub fn files(site: &Site, want: Want, kept: &UnitRows) -> (Vec<(String, Vec<u8>)>, UnitRows) {
    use rayon::prelude::*;
    let units = units(site);
    let whole = want(PageKey::Matrix);
    // The organization's CSV is the units' rows one after another: each
    // unit's rows are made once, in parallel, for both; those of a unit
    // whose page is not wanted (nothing in it changed) are kept ones.
    let kept_of = |g: GroupId| kept.get(g).cloned().flatten();
    let rows: Vec<Option<std::sync::Arc<String>>> = units
        .par_iter()
        .map(|u| {
            let wanted = want(PageKey::MatrixUnit(u.group));
            match kept_of(u.group).filter(|_| !wanted) {
                Some(r) => Some(r),
                None => (whole || wanted).then(|| std::sync::Arc::new(csv_rows(site, &u.docs))),
            }
        })
        .collect();
    let header = csv_header(site);
    // One allocation of the final size (the organization's CSV has a row
    // per assignment of the whole site: megabytes).
    let file = |parts: &[&str]| {
        let len = header.len() + parts.iter().map(|p| p.len()).sum::<usize>();
        let mut f = Vec::with_capacity(len);
        f.extend_from_slice(header.as_bytes());
        parts.iter().for_each(|p| f.extend_from_slice(p.as_bytes()));
        f
    };
    let mut out: Vec<(String, Vec<u8>)> = units
        .iter()
        .zip(&rows)
        .filter(|(u, _)| want(PageKey::MatrixUnit(u.group)))
        .filter_map(|(u, r)| {
            let r = r.as_deref()?;
            Some((format!("matrix/{}.csv", u.slug), file(&[r.as_str()])))
        })
        .collect();
    if whole {
        out.push((
            "matrix/matrix.csv".into(),
            file(
                &rows
                    .iter()
                    .flatten()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>(),
            ),
        ));
    }
    let mut made: UnitRows = vec![None; site.groups.len()];
    for (u, r) in units.iter().zip(rows) {
        made[u.group] = r;
    }
    (out, made)
}

/// The rows of each unit's CSV, by top-level group (see [`files`]).
pub type UnitRows = Vec<Option<std::sync::Arc<String>>>;

/// A matrix page as its job makes it: the context but for `tables`, the
/// tables (with the department each is the own table of, if any), the
/// page's URL and title.
type MatrixPage<'a> = (
    tera::Context,
    Vec<(MatrixView<'a>, Option<DocId>)>,
    String,
    String,
);

/// The job of a matrix page: `in_parts` (with the built-in `matrix.html`)
/// its tables rendered on their own ([`in_sections`]), else all of them
/// in the page's context.
fn page_job<'a>(
    site: &'a Site,
    (big, in_parts): (&'a super::BigParts, bool),
    page: PageKey,
    path: String,
    make: impl FnOnce() -> MatrixPage<'a> + Send + 'a,
) -> Job<'a> {
    if in_parts {
        Job::with_tera(page, path, "matrix.html", move |tera| {
            in_sections(site, big, page, make(), tera)
        })
    } else {
        Job::new(page, path, "matrix.html", move || {
            let (mut c, views, ..) = make();
            let views: Vec<&MatrixView> = views.iter().map(|(v, _)| v).collect();
            c.insert("tables", &views);
            c
        })
    }
}

/// A matrix page with its tables rendered on their own
/// (`matrix_section.html`), or taken from the last build, and put in
/// after the page is rendered.
fn in_sections(
    site: &Site,
    big: &super::BigParts,
    page: PageKey,
    (mut c, views, url, title): MatrixPage,
    tera: &tera::Tera,
) -> Result<super::Prepared, tera::Error> {
    let tables = &big.tables;
    let mut html = Vec::with_capacity(views.len());
    for (i, (v, d)) in views.iter().enumerate() {
        let key = || crate::incremental::hash(&(&url, &title, i + 1, v));
        html.push(big.parts.get_or_make(page, key, || {
            let mut sc = c.clone();
            match d {
                // A department's own table: rendered once for its pages.
                Some(d) if tables.sections => {
                    sc.insert_value("matrix", tables.value(site, tera, *d, &url)?)
                }
                _ => sc.insert("matrix", v),
            }
            sc.insert("index", &(i + 1));
            tera.render("matrix_section.html", &sc)
        })?);
    }
    let splice = super::Splice::new(html);
    c.insert_value("tables", tera::Value::from(splice.html_values()));
    Ok(super::Prepared {
        context: c,
        splice: Some(splice),
    })
}

/// `/matrix/` and its units' pages, those `want` selects. `/matrix/`:
/// one table per top-level group while the whole stays small; beyond that,
/// one page per group with each department's own table, so the size grows
/// with the number of assignments, not roles × activities. With the
/// built-in `matrix.html` (`in_parts`), their tables are rendered one by
/// one, and `serve` renders again only those an edit changed.
pub fn jobs<'a>(site: &'a Site, want: Want, big: &'a super::BigParts, jobs: &mut Vec<Job<'a>>) {
    let tables = &big.tables;
    let units = units(site);
    let title = crate::theme::i18n::strings(site.config.lang())["matrix"];
    let split = is_split(site, &units);
    let mut index_units = Vec::new();
    for Unit {
        group,
        title: name,
        slug,
        docs,
    } in units
    {
        let csv = format!("matrix/{slug}.csv");
        if split {
            let url = format!("matrix/{slug}/");
            index_units.push((name.clone(), csv.clone(), Some(url.clone()), Vec::new()));
            if !want(PageKey::MatrixUnit(group)) {
                continue;
            }
            let page = PageKey::MatrixUnit(group);
            let path = crate::urls::file_of(&url);
            if big.matrix_split && tables.sections {
                docs.iter().for_each(|&d| tables.expect(d));
            }
            let make = move || {
                let tables: Vec<(MatrixView, Option<DocId>)> = docs
                    .iter()
                    .map(|&d| {
                        let mut v = department_view(site, d);
                        v.title = Some(site.docs[d].title.clone());
                        v.url = Some(site.docs[d].url.clone());
                        (v, Some(d))
                    })
                    .collect();
                let page_title = format!("{title} · {name}");
                let mut c = base_context(site, &url, &page_title);
                c.insert("split", &false);
                c.insert("csv_all", &csv);
                (c, tables, url, page_title)
            };
            jobs.push(
                page_job(site, (big, big.matrix_split), page, path, make)
                    .in_batch(Job::unit_batch(group) + 1),
            );
        } else {
            index_units.push((name, csv, None, docs));
        }
    }
    if !want(PageKey::Matrix) {
        return;
    }
    let make = move || {
        let views: Vec<(MatrixView, Option<DocId>)> = index_units
            .into_iter()
            .map(|(name, csv, url, docs)| match url {
                Some(url) => (
                    MatrixView {
                        columns: Vec::new(),
                        col_groups: Vec::new(),
                        rows: Vec::new(),
                        load: Vec::new(),
                        csv: Some(csv),
                        title: Some(name),
                        url: Some(url),
                    },
                    None,
                ),
                None => {
                    let mut v = group_matrix(site, &docs).view(site, Some(csv));
                    v.title = Some(name);
                    (v, None)
                }
            })
            .collect();
        let mut c = base_context(site, "matrix/", title);
        c.insert("split", &split);
        c.insert("csv_all", "matrix/matrix.csv");
        (c, views, "matrix/".to_string(), title.to_string())
    };
    let path = "matrix/index.html".to_string();
    // Split, the page lists the units' pages: small.
    let in_parts = big.matrix_split && !split;
    jobs.push(page_job(site, (big, in_parts), PageKey::Matrix, path, make));
}
