//! Responsibility matrices: one per department (its activities × the roles
//! involved, from any department) and the organization's at `/matrix/`,
//! one table per top-level group (split into pages when large), each with
//! a CSV beside it (UTF-8 with BOM, so Excel reads Chinese).

use serde::Serialize;

use super::{Job, base_context};
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

#[derive(Serialize)]
struct ColumnView {
    title: String,
    url: String,
    dept_title: String,
    /// First column of its department (for a divider).
    dept_start: bool,
}

#[derive(Serialize)]
struct ColGroupView {
    title: String,
    url: String,
    span: usize,
}

#[derive(Serialize)]
struct RowView {
    header: bool,
    title: String,
    dept_title: String,
    dept_url: String,
    clause: Option<String>,
    cells: Vec<String>,
}

#[derive(Serialize)]
pub struct MatrixView {
    columns: Vec<ColumnView>,
    col_groups: Vec<ColGroupView>,
    rows: Vec<RowView>,
    /// Activities each column's role is named in.
    load: Vec<usize>,
    csv: Option<String>,
    title: Option<String>,
    url: Option<String>,
}

impl Matrix {
    /// Orders columns: `first` department's roles first (in definition order), then by department in path order.
    fn build(site: &Site, rows: Vec<Row>, first: Option<DocId>) -> Matrix {
        let mut involved = vec![false; site.roles.len()];
        for row in &rows {
            if let Row::Activity(a) = row {
                for (r, _) in &site.activities[*a].raci {
                    involved[*r] = true;
                }
            }
        }
        let mut columns: Vec<RoleId> = (0..site.roles.len()).filter(|&r| involved[r]).collect();
        columns.sort_by_key(|&r| (Some(site.roles[r].dept) != first, site.roles[r].dept, r));
        Matrix { columns, rows }
    }

    fn cells(&self, site: &Site, a: ActId) -> Vec<String> {
        let act = &site.activities[a];
        self.columns
            .iter()
            .map(|c| {
                act.raci
                    .iter()
                    .find(|(r, _)| r == c)
                    .map(|(_, l)| l.to_code())
                    .unwrap_or_default()
            })
            .collect()
    }

    pub fn cell_count(&self) -> usize {
        self.rows.len() * self.columns.len()
    }

    pub fn view(&self, site: &Site, csv: Option<String>) -> MatrixView {
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
                        title: dept.title.clone(),
                        url: dept.url.clone(),
                        span: 0,
                    });
                }
                if let Some(g) = col_groups.last_mut() {
                    g.span += 1;
                }
                last = Some(role.dept);
                ColumnView {
                    title: role.title.clone(),
                    url: site.role_url(r),
                    dept_title: dept.title.clone(),
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
                    title: site.docs[*d].title.clone(),
                    dept_title: site.docs[*d].title.clone(),
                    dept_url: site.docs[*d].url.clone(),
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
                        title: act.title.clone(),
                        dept_title: site.docs[act.dept].title.clone(),
                        dept_url: site.docs[act.dept].url.clone(),
                        clause: act.clause.as_ref().map(|(c, _)| c.clone()),
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
                fields.extend(self.cells(site, *a));
                push_csv_row(&mut out, &fields);
            }
        }
        out.into_bytes()
    }
}

/// One CSV line (RFC 4180), with spreadsheet formula triggers neutralized.
fn push_csv_row(out: &mut String, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let mut f = f.clone();
        if f.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            f.insert(0, '\'');
        }
        if f.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&f);
        }
    }
    out.push_str("\r\n");
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

pub fn jobs(site: &Site, jobs: &mut Vec<Job>, output: &mut crate::output::Output) {
    // One table per top-level group; departments at the top level form their own.
    let mut tables: Vec<(String, String, Matrix)> = Vec::new();
    let mut top = Vec::new();
    for &d in &site.groups[0].docs {
        if site.published(d) && !site.docs[d].activities.is_empty() {
            top.push(d);
        }
    }
    if !top.is_empty() {
        let t = crate::theme::i18n::strings(site.config.lang())["other_departments"];
        tables.push((t.to_string(), "_top".into(), group_matrix(site, &top)));
    }
    for &g in &site.groups[0].children {
        if !site.group_published(g) {
            continue;
        }
        let mut docs = Vec::new();
        subtree_docs(site, g, &mut docs);
        if !docs.is_empty() {
            tables.push((
                site.groups[g].title.clone(),
                site.groups[g].folder.clone(),
                group_matrix(site, &docs),
            ));
        }
    }
    let total: usize = tables.iter().map(|(_, _, m)| m.cell_count()).sum();
    let split = total > SPLIT_CELLS;
    let title = crate::theme::i18n::strings(site.config.lang())["matrix"];
    let mut views = Vec::new();
    let mut all_rows = Vec::new();
    for (name, slug, m) in &tables {
        let csv = format!("matrix/{slug}.csv");
        output.insert(csv.clone(), m.csv(site));
        all_rows.extend(m.rows.iter().cloned());
        let mut v = m.view(site, Some(csv));
        v.title = Some(name.clone());
        if split {
            let url = format!("matrix/{slug}/");
            v.url = Some(url.clone());
            let mut c = base_context(site, &url, &format!("{title} · {name}"));
            c.insert("tables", &[&v]);
            c.insert("split", &false);
            jobs.push(Job {
                path: crate::urls::file_of(&url),
                template: "matrix.html",
                context: c,
            });
            // The overview lists the groups only.
            v.rows.clear();
        }
        views.push(v);
    }
    output.insert(
        "matrix/matrix.csv".into(),
        Matrix::build(site, all_rows, None).csv(site),
    );
    let mut c = base_context(site, "matrix/", title);
    c.insert("tables", &views);
    c.insert("split", &split);
    c.insert("csv_all", "matrix/matrix.csv");
    jobs.push(Job {
        path: "matrix/index.html".into(),
        template: "matrix.html",
        context: c,
    });
}
