//! The organization chart (`/org/`): one tree per top-level group, laid
//! out at build time as SVG (left to right; each subtree a contiguous band,
//! parents centred on their children), with departments and roles as
//! linked nodes, reporting lines as edges (dashed across departments),
//! labels measured with unicode-width, and the same tree as a nested list.

use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::base_context;
use crate::model::{DocId, Kind, RoleId, Site};
use crate::urls;

const ROW: f64 = 34.0;
const NODE_H: f64 = 24.0;
const GAP_X: f64 = 36.0;
const CELL_PX: f64 = 7.5; // one terminal cell at the 13px label font
const PAD_X: f64 = 12.0;
const MARGIN: f64 = 8.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Group(usize),
    Dept(DocId),
    Role(RoleId),
}

struct Node {
    kind: NodeKind,
    label: String,
    url: String,
    children: Vec<usize>,
    depth: usize,
    y: f64,
}

struct Tree {
    nodes: Vec<Node>,
    /// Node of each role placed in this tree.
    role_node: std::collections::BTreeMap<RoleId, usize>,
    /// Node of each department placed in this tree.
    dept_node: std::collections::BTreeMap<DocId, usize>,
}

impl Tree {
    fn add(&mut self, kind: NodeKind, label: String, url: String, depth: usize) -> usize {
        self.nodes.push(Node {
            kind,
            label,
            url,
            children: Vec::new(),
            depth,
            y: 0.0,
        });
        self.nodes.len() - 1
    }
}

fn published_dept(site: &Site, d: DocId) -> bool {
    site.published(d) && site.docs[d].kind == Kind::Department
}

/// Adds a department, its roles (by reporting line inside it) and its
/// sub-departments, depth first. Iterative: a `parent` chain thousands of
/// departments long must not exhaust the stack.
fn add_dept(
    site: &Site,
    tree: &mut Tree,
    d: DocId,
    depth: usize,
    parent: usize,
    seen: &mut [bool],
) {
    let mut work: Vec<(DocId, usize, usize)> = vec![(d, depth, parent)];
    while let Some((d, depth, parent)) = work.pop() {
        if seen[d] {
            continue;
        }
        seen[d] = true;
        let n = add_roles(site, tree, d, depth, parent);
        // A sub-department hangs from the role its head reports to, when that role is here.
        let mut children = Vec::new();
        for &c in &site.docs[d].children {
            if published_dept(site, c) {
                let under = site.docs[c]
                    .roles
                    .iter()
                    .filter_map(|&r| site.roles[r].reports_to)
                    .find(|&s| site.roles[s].dept == d)
                    .and_then(|s| tree.role_node.get(&s).copied())
                    .unwrap_or(n);
                children.push((c, tree.nodes[under].depth + 1, under));
            }
        }
        work.extend(children.into_iter().rev());
    }
}

/// Adds one department's node and its roles by reporting line; returns the node.
fn add_roles(site: &Site, tree: &mut Tree, d: DocId, depth: usize, parent: usize) -> usize {
    let doc = &site.docs[d];
    let n = tree.add(NodeKind::Dept(d), doc.title.clone(), doc.url.clone(), depth);
    tree.nodes[parent].children.push(n);
    tree.dept_node.insert(d, n);
    // Direct reports inside the department, in the order written.
    let mut subs: std::collections::HashMap<RoleId, Vec<RoleId>> = Default::default();
    for &r in &doc.roles {
        if let Some(s) = site.roles[r]
            .reports_to
            .filter(|&s| site.roles[s].dept == d)
        {
            subs.entry(s).or_default().push(r);
        }
    }
    // Roles whose superior is outside the department hang from the department.
    let tops: Vec<RoleId> = doc
        .roles
        .iter()
        .copied()
        .filter(|&r| {
            site.roles[r]
                .reports_to
                .is_none_or(|s| site.roles[s].dept != d)
        })
        .collect();
    let mut stack: Vec<(RoleId, usize, usize)> =
        tops.into_iter().rev().map(|r| (r, n, depth + 1)).collect();
    let mut placed = 0;
    while let Some((r, parent, depth)) = stack.pop() {
        placed += 1;
        if placed > doc.roles.len() {
            break; // a reporting cycle (reported as an error elsewhere)
        }
        let role = &site.roles[r];
        let rn = tree.add(
            NodeKind::Role(r),
            role.title.clone(),
            site.role_url(r),
            depth,
        );
        tree.nodes[parent].children.push(rn);
        tree.role_node.insert(r, rn);
        for &sub in subs.get(&r).into_iter().flatten().rev() {
            stack.push((sub, rn, depth + 1));
        }
    }
    n
}

/// Assigns y: leaves in order, each parent centred on its first and last child.
fn layout(tree: &mut Tree) -> f64 {
    let mut next = 0.0;
    // Iterative post-order.
    let mut stack = vec![(0usize, false)];
    while let Some((n, done)) = stack.pop() {
        if tree.nodes[n].children.is_empty() {
            tree.nodes[n].y = next;
            next += ROW;
        } else if done {
            let c = &tree.nodes[n].children;
            let (first, last) = (c[0], c[c.len() - 1]);
            tree.nodes[n].y = (tree.nodes[first].y + tree.nodes[last].y) / 2.0;
        } else {
            stack.push((n, true));
            for &c in tree.nodes[n].children.iter().rev() {
                stack.push((c, false));
            }
        }
    }
    next
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    pulldown_cmark_escape::escape_html(&mut out, s).ok();
    out
}

fn label_width(label: &str) -> f64 {
    UnicodeWidthStr::width(label) as f64 * CELL_PX + 2.0 * PAD_X
}

fn svg(site: &Site, tree: &mut Tree, title: &str) -> String {
    let height = layout(tree);
    let depth = tree.nodes.iter().map(|n| n.depth).max().unwrap_or(0);
    let mut col_w = vec![0.0f64; depth + 1];
    for n in &tree.nodes {
        col_w[n.depth] = col_w[n.depth].max(label_width(&n.label));
    }
    let mut col_x = vec![MARGIN; depth + 1];
    for d in 1..=depth {
        col_x[d] = col_x[d - 1] + col_w[d - 1] + GAP_X;
    }
    let width = col_x[depth] + col_w[depth] + MARGIN;
    let height = height + 2.0 * MARGIN;
    let cy = |n: &Node| MARGIN + n.y + NODE_H / 2.0;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"org-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    out.push_str("<g class=\"edges\" fill=\"none\" stroke=\"#8a8f98\" stroke-width=\"1.2\">");
    for n in &tree.nodes {
        let x1 = col_x[n.depth] + label_width(&n.label);
        for &c in &n.children {
            let child = &tree.nodes[c];
            let x2 = col_x[child.depth];
            let mid = x1 + (x2 - x1) / 2.0;
            let _ = write!(
                out,
                "<path class=\"edge\" d=\"M{x1:.1} {:.1}H{mid:.1}V{:.1}H{x2:.1}\"/>",
                cy(n),
                cy(child)
            );
        }
    }
    // Reporting lines that cross departments, when both ends are in this chart.
    for (&r, &rn) in &tree.role_node {
        if let Some(s) = site.roles[r].reports_to
            && site.roles[s].dept != site.roles[r].dept
            && let Some(&sn) = tree.role_node.get(&s)
            && !tree
                .dept_node
                .get(&site.roles[r].dept)
                .is_some_and(|dn| tree.nodes[sn].children.contains(dn))
        {
            let (a, b) = (&tree.nodes[sn], &tree.nodes[rn]);
            let x1 = col_x[a.depth] + label_width(&a.label) / 2.0;
            let x2 = col_x[b.depth];
            let _ = write!(
                out,
                "<path class=\"edge cross\" stroke-dasharray=\"4 3\" d=\"M{x1:.1} {:.1}C{x1:.1} {:.1} {:.1} {:.1} {x2:.1} {:.1}\"/>",
                cy(a) + NODE_H / 2.0,
                cy(b),
                x2 - GAP_X,
                cy(b),
                cy(b)
            );
        }
    }
    out.push_str("</g>");
    for n in &tree.nodes {
        let class = match n.kind {
            NodeKind::Group(_) => "node group",
            NodeKind::Dept(_) => "node dept",
            NodeKind::Role(_) => "node role",
        };
        let fill = match n.kind {
            NodeKind::Role(_) => "#fff",
            _ => "#eaf1fb",
        };
        let x = col_x[n.depth];
        let y = MARGIN + n.y;
        let w = label_width(&n.label);
        let _ = write!(
            out,
            "<a href=\"{}\"><g class=\"{class}\"><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{NODE_H}\" rx=\"4\" fill=\"{fill}\" stroke=\"#5b6472\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#1d2430\">{}</text></g></a>",
            esc(&urls::href("../", &n.url, None)),
            x + PAD_X,
            y + NODE_H / 2.0 + 4.5,
            esc(&n.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// The tree as nested `<ul>`; iterative, for trees thousands of levels deep.
fn list(tree: &Tree, root: usize, out: &mut String) {
    enum Step {
        Open(usize),
        Close { nested: bool },
    }
    let mut steps = vec![Step::Open(root)];
    while let Some(step) = steps.pop() {
        match step {
            Step::Open(n) => {
                let node = &tree.nodes[n];
                let class = match node.kind {
                    NodeKind::Group(_) => "group",
                    NodeKind::Dept(_) => "dept",
                    NodeKind::Role(_) => "role",
                };
                let _ = write!(
                    out,
                    "<li class=\"{class}\"><a href=\"{}\">{}</a>",
                    esc(&urls::href("../", &node.url, None)),
                    esc(&node.label)
                );
                let nested = !node.children.is_empty();
                if nested {
                    out.push_str("<ul>");
                }
                steps.push(Step::Close { nested });
                steps.extend(node.children.iter().rev().map(|&c| Step::Open(c)));
            }
            Step::Close { nested } => {
                if nested {
                    out.push_str("</ul>");
                }
                out.push_str("</li>");
            }
        }
    }
}

#[derive(Serialize)]
struct Chart {
    title: String,
    url: String,
    departments: usize,
    roles: usize,
    #[serde(skip)]
    svg: String,
    #[serde(skip)]
    list: String,
}

/// The context of `/org/`.
pub fn context(site: &Site) -> tera::Context {
    let mut seen = vec![false; site.docs.len()];
    let mut charts = Vec::new();
    // Units: each top-level group (its parentless departments), then departments at the root.
    let mut units: Vec<(String, String, Vec<DocId>)> = Vec::new();
    for &g in &site.groups[0].children {
        let mut roots = Vec::new();
        collect_roots(site, g, &mut roots);
        if !roots.is_empty() {
            units.push((site.groups[g].title.clone(), site.group_url(g), roots));
        }
    }
    let top: Vec<DocId> = site.groups[0]
        .docs
        .iter()
        .copied()
        .filter(|&d| published_dept(site, d) && is_root(site, d))
        .collect();
    if !top.is_empty() {
        let t = crate::theme::i18n::strings(site.config.lang())["other_departments"];
        units.push((t.to_string(), String::new(), top));
    }
    for (i, (title, url, roots)) in units.into_iter().enumerate() {
        let mut tree = Tree {
            nodes: Vec::new(),
            role_node: Default::default(),
            dept_node: Default::default(),
        };
        tree.add(NodeKind::Group(i), title.clone(), url.clone(), 0);
        for d in roots {
            add_dept(site, &mut tree, d, 1, 0, &mut seen);
        }
        let departments = tree
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Dept(_)))
            .count();
        let roles = tree.role_node.len();
        let svg = svg(site, &mut tree, &title);
        let mut l = String::from("<ul class=\"org-list\">");
        list(&tree, 0, &mut l);
        l.push_str("</ul>");
        charts.push(Chart {
            title,
            url,
            departments,
            roles,
            svg,
            list: l,
        });
    }
    let title = crate::theme::i18n::strings(site.config.lang())["org_chart"];
    let mut c = base_context(site, "org/", title);
    let values: Vec<tera::Value> = charts
        .iter()
        .map(|ch| {
            let mut m = tera::Map::new();
            m.insert("title".into(), ch.title.as_str().into());
            m.insert("url".into(), ch.url.as_str().into());
            m.insert("departments".into(), ch.departments.into());
            m.insert("roles".into(), ch.roles.into());
            m.insert("svg".into(), tera::Value::safe_string(&ch.svg));
            m.insert("list".into(), tera::Value::safe_string(&ch.list));
            tera::Value::from(m)
        })
        .collect();
    c.insert_value("charts", tera::Value::from(values));
    c
}

fn is_root(site: &Site, d: DocId) -> bool {
    site.docs[d].parent.is_none_or(|p| !published_dept(site, p))
}

fn collect_roots(site: &Site, g: usize, out: &mut Vec<DocId>) {
    if !site.group_published(g) {
        return;
    }
    for &d in &site.groups[g].docs {
        if published_dept(site, d) && is_root(site, d) {
            out.push(d);
        }
    }
    for &c in &site.groups[g].children {
        collect_roots(site, c, out);
    }
}
