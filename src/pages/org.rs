//! The organization chart (`/org/`): one tree per top-level group, laid
//! out at build time as SVG (left to right; each subtree a contiguous band,
//! parents centred on their children), with departments and roles as
//! linked nodes, reporting lines as edges (dashed across departments),
//! labels measured with unicode-width, and the same tree as a nested list.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::{PageKey, base_context};
use crate::model::{DocId, Kind, RoleId, Site};
use crate::urls;

const ROW: f64 = 34.0;
const NODE_H: f64 = 24.0;
const GAP_X: f64 = 36.0;
const CELL_PX: f64 = 7.5; // one terminal cell at the 13px label font
const PAD_X: f64 = 12.0;
const MARGIN: f64 = 8.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum NodeKind {
    Group(usize),
    Dept(DocId),
    Role(RoleId),
}

/// A node; its label and address are the model's (a group's are its
/// unit's), borrowed: the trees are made again at each build of `serve`,
/// and most of their drawings are then taken from the last build.
struct Node<'a> {
    kind: NodeKind,
    label: Cow<'a, str>,
    /// A role's is made when it is written (see [`node_url`]).
    url: Cow<'a, str>,
    children: Vec<usize>,
    depth: usize,
    y: f64,
}

struct Tree<'a> {
    nodes: Vec<Node<'a>>,
    /// Each role placed in this tree and its node, in the order placed.
    roles: Vec<(RoleId, usize)>,
}

impl<'a> Tree<'a> {
    fn add(
        &mut self,
        kind: NodeKind,
        label: Cow<'a, str>,
        url: Cow<'a, str>,
        depth: usize,
    ) -> usize {
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

/// The root-relative address of a node.
fn node_url<'b>(site: &Site, n: &'b Node) -> Cow<'b, str> {
    match n.kind {
        NodeKind::Role(r) => Cow::Owned(site.role_url(r)),
        _ => Cow::Borrowed(&n.url),
    }
}

/// Where each role was placed: its node in the tree being made, which
/// [`add_dept`] looks up for the role a sub-department's head reports to.
const NOWHERE: usize = usize::MAX;

fn published_dept(site: &Site, d: DocId) -> bool {
    site.published(d) && site.docs[d].kind == Kind::Department
}

/// Adds a department, its roles (by reporting line inside it) and its
/// sub-departments, depth first. Iterative: a `parent` chain thousands of
/// departments long must not exhaust the stack.
fn add_dept<'a>(
    site: &'a Site,
    tree: &mut Tree<'a>,
    (d, depth, parent): (DocId, usize, usize),
    seen: &mut [bool],
    placed: &mut [usize],
) {
    let mut work: Vec<(DocId, usize, usize)> = vec![(d, depth, parent)];
    while let Some((d, depth, parent)) = work.pop() {
        if seen[d] {
            continue;
        }
        seen[d] = true;
        let n = add_roles(site, tree, (d, depth, parent), placed);
        // A sub-department hangs from the role its head reports to, when that role is here.
        let mut children = Vec::new();
        for &c in &site.docs[d].children {
            if published_dept(site, c) {
                let under = site.docs[c]
                    .roles
                    .iter()
                    .filter_map(|&r| site.roles[r].reports_to)
                    .find(|&s| site.roles[s].dept == d)
                    .map(|s| placed[s])
                    .filter(|&p| p != NOWHERE)
                    .unwrap_or(n);
                children.push((c, tree.nodes[under].depth + 1, under));
            }
        }
        work.extend(children.into_iter().rev());
    }
}

/// Adds one department's node and its roles by reporting line; returns the node.
fn add_roles<'a>(
    site: &'a Site,
    tree: &mut Tree<'a>,
    (d, depth, parent): (DocId, usize, usize),
    placed: &mut [usize],
) -> usize {
    let doc = &site.docs[d];
    let n = tree.add(
        NodeKind::Dept(d),
        Cow::Borrowed(&doc.title),
        Cow::Borrowed(&doc.url),
        depth,
    );
    tree.nodes[parent].children.push(n);
    // Direct reports inside the department, by superior, each superior's
    // in the order written.
    let mut subs: Vec<(RoleId, RoleId)> = doc
        .roles
        .iter()
        .filter_map(|&r| {
            site.roles[r]
                .reports_to
                .filter(|&s| site.roles[s].dept == d)
                .map(|s| (s, r))
        })
        .collect();
    subs.sort_by_key(|&(s, _)| s);
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
    let mut count = 0;
    while let Some((r, parent, depth)) = stack.pop() {
        count += 1;
        if count > doc.roles.len() {
            break; // a reporting cycle (reported as an error elsewhere)
        }
        let rn = tree.add(
            NodeKind::Role(r),
            Cow::Borrowed(&site.roles[r].title),
            Cow::Borrowed(""),
            depth,
        );
        tree.nodes[parent].children.push(rn);
        tree.roles.push((r, rn));
        placed[r] = rn;
        let from = subs.partition_point(|&(s, _)| s < r);
        let to = subs.partition_point(|&(s, _)| s <= r);
        for &(_, sub) in subs[from..to].iter().rev() {
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

/// A piece of SVG text: a string as it is, or a number with one decimal.
enum Piece<'a> {
    S(&'a str),
    N(f64),
}
use Piece::{N, S};

/// Appends the pieces; numbers as `{:.1}` writes them (the drawing has
/// tens of thousands, and the float formatter is slow).
fn put(out: &mut String, pieces: &[Piece]) {
    for p in pieces {
        match *p {
            S(s) => out.push_str(s),
            N(v) => fixed1(out, v),
        }
    }
}

/// `v` with one decimal, exactly as `format!("{v:.1}")`: by integers when
/// `v` is non-negative, not too large and not halfway between two
/// results (where the exact rounding of the formatter must decide).
fn fixed1(out: &mut String, v: f64) {
    let t = v * 10.0;
    if v.is_sign_positive() && t < 1e9 && (t - t.floor() - 0.5).abs() > 1e-6 {
        let n = t.round() as u64;
        let _ = write!(out, "{}.{}", n / 10, n % 10);
    } else {
        let _ = write!(out, "{v:.1}");
    }
}

fn label_width(label: &str) -> f64 {
    UnicodeWidthStr::width(label) as f64 * CELL_PX + 2.0 * PAD_X
}

/// The drawing of `tree`, its links relative to `prefix` (the way to the
/// root). `compact` (the parts of a split chart): each node's look is
/// left to the stylesheet (`.org-compact`), not written on every node.
fn svg(site: &Site, tree: &mut Tree, title: &str, (prefix, compact): (&str, bool)) -> String {
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
        "<svg class=\"org-chart{}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\">",
        if compact { " org-compact" } else { "" },
        esc(title)
    );
    out.push_str("<g class=\"edges\" fill=\"none\" stroke=\"#8a8f98\" stroke-width=\"1.2\">");
    for n in &tree.nodes {
        let x1 = col_x[n.depth] + label_width(&n.label);
        for &c in &n.children {
            let child = &tree.nodes[c];
            let x2 = col_x[child.depth];
            let mid = x1 + (x2 - x1) / 2.0;
            put(
                &mut out,
                &[
                    S("<path class=\"edge\" d=\"M"),
                    N(x1),
                    S(" "),
                    N(cy(n)),
                    S("H"),
                    N(mid),
                    S("V"),
                    N(cy(child)),
                    S("H"),
                    N(x2),
                    S("\"/>"),
                ],
            );
        }
    }
    // Reporting lines that cross departments, when both ends are in this
    // chart, by role.
    let role_node: BTreeMap<RoleId, usize> = tree.roles.iter().copied().collect();
    let dept_node: HashMap<DocId, usize> = tree
        .nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| match n.kind {
            NodeKind::Dept(d) => Some((d, i)),
            _ => None,
        })
        .collect();
    for (&r, &rn) in &role_node {
        if let Some(s) = site.roles[r].reports_to
            && site.roles[s].dept != site.roles[r].dept
            && let Some(&sn) = role_node.get(&s)
            && !dept_node
                .get(&site.roles[r].dept)
                .is_some_and(|dn| tree.nodes[sn].children.contains(dn))
        {
            let (a, b) = (&tree.nodes[sn], &tree.nodes[rn]);
            let x1 = col_x[a.depth] + label_width(&a.label) / 2.0;
            let x2 = col_x[b.depth];
            put(
                &mut out,
                &[
                    S("<path class=\"edge cross\" stroke-dasharray=\"4 3\" d=\"M"),
                    N(x1),
                    S(" "),
                    N(cy(a) + NODE_H / 2.0),
                    S("C"),
                    N(x1),
                    S(" "),
                    N(cy(b)),
                    S(" "),
                    N(x2 - GAP_X),
                    S(" "),
                    N(cy(b)),
                    S(" "),
                    N(x2),
                    S(" "),
                    N(cy(b)),
                    S("\"/>"),
                ],
            );
        }
    }
    out.push_str("</g>");
    let node_h = NODE_H.to_string();
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
        let href = esc(&urls::href(prefix, &node_url(site, n), None));
        if compact {
            put(
                &mut out,
                &[
                    S("<a class=\""),
                    S(class),
                    S("\" href=\""),
                    S(&href),
                    S("\"><rect x=\""),
                    N(x),
                    S("\" y=\""),
                    N(y),
                    S("\" width=\""),
                    N(w),
                    S("\" height=\""),
                    S(&node_h),
                    S("\" rx=\"4\"/><text x=\""),
                    N(x + PAD_X),
                    S("\" y=\""),
                    N(y + NODE_H / 2.0 + 4.5),
                    S("\">"),
                    S(&esc(&n.label)),
                    S("</text></a>"),
                ],
            );
            continue;
        }
        put(
            &mut out,
            &[
                S("<a href=\""),
                S(&href),
                S("\"><g class=\""),
                S(class),
                S("\"><rect x=\""),
                N(x),
                S("\" y=\""),
                N(y),
                S("\" width=\""),
                N(w),
                S("\" height=\""),
                S(&node_h),
                S("\" rx=\"4\" fill=\""),
                S(fill),
                S("\" stroke=\"#5b6472\"/><text x=\""),
                N(x + PAD_X),
                S("\" y=\""),
                N(y + NODE_H / 2.0 + 4.5),
                S("\" font-size=\"13\" fill=\"#1d2430\">"),
                S(&esc(&n.label)),
                S("</text></g></a>"),
            ],
        );
    }
    out.push_str("</svg>");
    out
}

/// The tree as nested `<ul>`; iterative, for trees thousands of levels deep.
fn list(site: &Site, tree: &Tree, (root, prefix): (usize, &str), out: &mut String) {
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
                    esc(&urls::href(prefix, &node_url(site, node), None)),
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
}

/// The context of `/org/`.
/// The units of the chart: each top-level group (its parentless
/// departments), then the departments at the root; each with its title,
/// its page (none for the root's), its slug as a part of a split chart
/// (the group's folder; for the root's, as on `/roles/`) and its roots.
fn units(site: &Site) -> Vec<(String, String, String, Vec<DocId>)> {
    let mut units = Vec::new();
    for &g in &site.groups[0].children {
        let mut roots = Vec::new();
        collect_roots(site, g, &mut roots);
        if !roots.is_empty() {
            let folder = site.groups[g].folder.clone();
            units.push((
                site.groups[g].title.clone(),
                site.group_url(g),
                folder,
                roots,
            ));
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
        let slug = super::top_slug(site);
        units.push((t.to_string(), String::new(), slug, top));
    }
    units
}

/// A unit's title, page, slug and tree.
type UnitTree<'a> = (String, String, String, Tree<'a>);

/// The trees of the units, one after another (a department goes in the
/// first that reaches it).
fn trees(site: &Site) -> Vec<UnitTree<'_>> {
    let mut seen = vec![false; site.docs.len()];
    let mut trees = Vec::new();
    let mut placed = vec![NOWHERE; site.roles.len()];
    for (i, (title, url, slug, roots)) in units(site).into_iter().enumerate() {
        let mut tree = Tree {
            nodes: Vec::new(),
            roles: Vec::new(),
        };
        tree.add(
            NodeKind::Group(i),
            Cow::Owned(title.clone()),
            Cow::Owned(url.clone()),
            0,
        );
        for d in roots {
            add_dept(site, &mut tree, (d, 1, 0), &mut seen, &mut placed);
        }
        trees.push((title, url, slug, tree));
    }
    trees
}

/// The context of `/org/` on one page.
fn context(site: &Site, cache: &super::Parts) -> super::Prepared {
    // The trees, then their drawings (on this worker: other pages render
    // in parallel with this one).
    let trees = trees(site);
    // Each unit's drawing and list, or the last build's when what they
    // show did not change.
    let mut parts = Vec::new();
    let charts: Vec<Chart> = trees
        .into_iter()
        .map(|(title, url, _, mut tree)| {
            let departments = tree
                .nodes
                .iter()
                .filter(|n| matches!(n.kind, NodeKind::Dept(_)))
                .count();
            let roles = tree.roles.len();
            // Hashed only when parts are kept or reused.
            let key = if cache.hashes() {
                unit_hash(site, &tree, &title)
            } else {
                0
            };
            let svg = cache
                .get_or_make(
                    PageKey::Org,
                    || key,
                    || Ok::<_, Infallible>(svg(site, &mut tree, &title, ("../", false))),
                )
                .unwrap_or_else(|e| match e {});
            let list = cache
                .get_or_make(
                    PageKey::Org,
                    || crate::incremental::hash(&(key, "list")),
                    || {
                        let mut l = String::from("<ul class=\"org-list\">");
                        list(site, &tree, (0, "../"), &mut l);
                        l.push_str("</ul>");
                        Ok::<_, Infallible>(l)
                    },
                )
                .unwrap_or_else(|e| match e {});
            parts.push(svg);
            parts.push(list);
            Chart {
                title,
                url,
                departments,
                roles,
            }
        })
        .collect();
    // The drawings go into the rendered page: megabytes at 10,000
    // departments, which the template engine need not copy.
    let splice = super::Splice::new(parts);
    let title = crate::theme::i18n::strings(site.config.lang())["org_chart"];
    let mut c = base_context(site, "org/", title);
    let values: Vec<tera::Value> = charts
        .iter()
        .enumerate()
        .map(|(i, ch)| {
            let mut m = tera::Map::new();
            m.insert("title".into(), ch.title.as_str().into());
            m.insert("url".into(), ch.url.as_str().into());
            m.insert("departments".into(), ch.departments.into());
            m.insert("roles".into(), ch.roles.into());
            m.insert(
                "svg".into(),
                tera::Value::safe_string(&splice.marker(2 * i)),
            );
            m.insert(
                "list".into(),
                tera::Value::safe_string(&splice.marker(2 * i + 1)),
            );
            tera::Value::from(m)
        })
        .collect();
    c.insert_value("charts", tera::Value::from(values));
    super::Prepared {
        context: c,
        splice: Some(splice),
    }
}

/// Above this many nodes (published departments and their roles), `/org/`
/// is split like `/print/`: one page per unit (`/org/<group>/`, the
/// departments at the top level at `/org/_top/`), and `/org/` is an
/// overview of the units and of the top of the reporting lines. A node
/// is about 390 bytes of HTML on one page (its box in the drawing, its
/// edge, its item in the list: 23 MB for the 60,000 nodes of 10,000
/// departments), so 2,000 nodes are some 800 KB and a drawing 2,000 rows
/// (68,000 pixels) tall, about what a browser still scrolls smoothly.
/// The parts draw their nodes compactly (their look in the stylesheet).
pub const SPLIT_NODES: usize = 2_000;

/// How many top roles (those that report to no one) the overview lists:
/// those with the most roles below them.
pub const TOP_SHOWN: usize = 50;

fn node_count(site: &Site) -> usize {
    (0..site.docs.len())
        .filter(|&d| published_dept(site, d))
        .map(|d| 1 + site.docs[d].roles.len())
        .sum()
}

/// Whether `/org/` is split (more than [`SPLIT_NODES`] nodes).
pub fn is_split(site: &Site) -> bool {
    node_count(site) > SPLIT_NODES
}

/// What decides the files `/org/` makes (its `layout`): split or not, and the slugs of
/// its parts (empty when not split).
pub fn pages(site: &Site) -> (bool, Vec<String>) {
    if !is_split(site) {
        return (false, Vec::new());
    }
    (true, units(site).into_iter().map(|u| u.2).collect())
}

/// A role as a split chart links it: its page and department.
#[derive(Serialize)]
struct RoleLink {
    title: String,
    url: String,
    dept_title: String,
    dept_url: String,
}

fn role_link(site: &Site, r: RoleId) -> RoleLink {
    let role = &site.roles[r];
    let dept = &site.docs[role.dept];
    RoleLink {
        title: role.title.clone(),
        url: site.role_url(r),
        dept_title: dept.title.clone(),
        dept_url: dept.url.clone(),
    }
}

/// A part of a split chart, as pages link it.
#[derive(Serialize, Clone)]
struct PartLink {
    title: String,
    /// `org/<slug>/`
    url: String,
}

/// A reporting line from a role of this part to a role in another.
#[derive(Serialize)]
struct CrossOut {
    role: RoleLink,
    superior: RoleLink,
    /// The part the superior is drawn in.
    part: Option<PartLink>,
}

/// How many roles of another part report to roles of this one (each is
/// in that part's list of reporting lines out of it).
#[derive(Serialize)]
struct CrossIn {
    part: PartLink,
    count: usize,
}

/// A part as the overview lists it.
#[derive(Serialize)]
struct PartView {
    title: String,
    url: String,
    /// The group's own page (none for the departments at the top level).
    group_url: String,
    departments: usize,
    roles: usize,
    cross_out: usize,
}

/// A top role as the overview lists it.
#[derive(Serialize)]
struct TopRole {
    role: RoleLink,
    part: Option<PartLink>,
    direct_reports: usize,
    /// Roles below it, directly or not.
    below: usize,
}

/// How many roles are below each role (directly or not), by `superior`.
/// Roles in a reporting cycle (an error) count none.
fn below_counts(site: &Site, superior: &dyn Fn(RoleId) -> Option<RoleId>) -> Vec<usize> {
    let n = site.roles.len();
    let mut subs: Vec<Vec<RoleId>> = vec![Vec::new(); n];
    let mut tops = Vec::new();
    for r in (0..n).filter(|&r| site.published(site.roles[r].dept)) {
        match superior(r) {
            Some(s) => subs[s].push(r),
            None => tops.push(r),
        }
    }
    let mut below = vec![0usize; n];
    // Iterative post-order from each top: a reporting line may be
    // thousands of roles long.
    let mut stack: Vec<(RoleId, bool)> = tops.into_iter().map(|r| (r, false)).collect();
    while let Some((r, done)) = stack.pop() {
        if done {
            below[r] = subs[r].iter().map(|&c| 1 + below[c]).sum();
        } else {
            stack.push((r, true));
            stack.extend(subs[r].iter().map(|&c| (c, false)));
        }
    }
    below
}

/// `/org/`: on one page, or split into parts and an overview, those
/// `want` selects (all of them share [`PageKey::Org`]).
pub fn jobs<'a>(
    site: &'a Site,
    want: super::Want,
    cache: &'a super::Parts,
    jobs: &mut Vec<super::Job<'a>>,
) {
    use super::Job;
    if !want(PageKey::Org) {
        return;
    }
    if !is_split(site) {
        jobs.push(Job::with_tera(
            PageKey::Org,
            "org/index.html".into(),
            "org.html",
            move |_| Ok(context(site, cache)),
        ));
        return;
    }
    let strings = crate::theme::i18n::strings(site.config.lang());
    let title = strings["org_chart"];
    let trees = trees(site);
    // The part each role is drawn in.
    let mut part_of = vec![usize::MAX; site.roles.len()];
    for (i, (.., tree)) in trees.iter().enumerate() {
        for &(r, _) in &tree.roles {
            part_of[r] = i;
        }
    }
    let links: Vec<PartLink> = trees
        .iter()
        .map(|(t, _, slug, _)| PartLink {
            title: t.clone(),
            url: format!("org/{slug}/"),
        })
        .collect();
    let superior = |r: RoleId| {
        site.roles[r]
            .reports_to
            .filter(|&s| site.published(site.roles[s].dept))
    };
    // Reporting lines between parts: out of each part, role by role;
    // into each, by the part the roles are in.
    let mut outs: Vec<Vec<CrossOut>> = trees.iter().map(|_| Vec::new()).collect();
    let mut ins: Vec<BTreeMap<usize, usize>> = trees.iter().map(|_| BTreeMap::new()).collect();
    let mut direct = vec![0usize; site.roles.len()];
    for (i, (.., tree)) in trees.iter().enumerate() {
        for &(r, _) in &tree.roles {
            let Some(s) = superior(r) else { continue };
            direct[s] += 1;
            let p = part_of[s];
            if p == i {
                continue;
            }
            outs[i].push(CrossOut {
                role: role_link(site, r),
                superior: role_link(site, s),
                part: links.get(p).cloned(),
            });
            if p != usize::MAX {
                *ins[p].entry(i).or_default() += 1;
            }
        }
    }
    let below = below_counts(site, &superior);
    let mut views = Vec::with_capacity(trees.len());
    let mut tops = Vec::new();
    for (i, (t, url, slug, tree)) in trees.iter().enumerate() {
        views.push(PartView {
            title: t.clone(),
            url: format!("org/{slug}/"),
            group_url: url.clone(),
            departments: tree
                .nodes
                .iter()
                .filter(|n| matches!(n.kind, NodeKind::Dept(_)))
                .count(),
            roles: tree.roles.len(),
            cross_out: outs[i].len(),
        });
        tops.extend(
            tree.roles
                .iter()
                .filter(|&&(r, _)| superior(r).is_none())
                .map(|&(r, _)| (r, i)),
        );
    }
    // The top of the reporting lines across parts: the roles that report
    // to no one, those with the most roles below them first.
    let tops_total = tops.len();
    tops.sort_by_key(|&(r, i)| (std::cmp::Reverse(below[r]), i));
    let tops: Vec<TopRole> = tops
        .into_iter()
        .take(TOP_SHOWN)
        .map(|(r, i)| TopRole {
            role: role_link(site, r),
            part: links.get(i).cloned(),
            direct_reports: direct[r],
            below: below[r],
        })
        .collect();
    for ((name, _, slug, mut tree), (out, into)) in trees.into_iter().zip(outs.into_iter().zip(ins))
    {
        let url = format!("org/{slug}/");
        let links = &links;
        let into: Vec<CrossIn> = into
            .into_iter()
            .map(|(p, count)| CrossIn {
                part: links[p].clone(),
                count,
            })
            .collect();
        jobs.push(Job::with_tera(
            PageKey::Org,
            crate::urls::file_of(&url),
            "org_part.html",
            move |_| {
                let prefix = crate::urls::prefix_for(&crate::urls::file_of(&url));
                let departments = tree
                    .nodes
                    .iter()
                    .filter(|n| matches!(n.kind, NodeKind::Dept(_)))
                    .count();
                let roles = tree.roles.len();
                let key = if cache.hashes() {
                    crate::incremental::hash(&(unit_hash(site, &tree, &name), &url))
                } else {
                    0
                };
                let svg = cache
                    .get_or_make(
                        PageKey::Org,
                        || key,
                        || Ok::<_, Infallible>(svg(site, &mut tree, &name, (&prefix, true))),
                    )
                    .unwrap_or_else(|e| match e {});
                let list = cache
                    .get_or_make(
                        PageKey::Org,
                        || crate::incremental::hash(&(key, "list")),
                        || {
                            let mut l = String::from("<ul class=\"org-list\">");
                            list(site, &tree, (0, &prefix), &mut l);
                            l.push_str("</ul>");
                            Ok::<_, Infallible>(l)
                        },
                    )
                    .unwrap_or_else(|e| match e {});
                let splice = super::Splice::new(vec![svg, list]);
                let mut c = base_context(site, &url, &format!("{title} · {name}"));
                c.insert("part", &name);
                c.insert("group_url", &tree.nodes[0].url);
                c.insert("departments", &departments);
                c.insert("roles", &roles);
                c.insert_value("svg", tera::Value::safe_string(&splice.marker(0)));
                c.insert_value("list", tera::Value::safe_string(&splice.marker(1)));
                c.insert("cross_out", &out);
                c.insert("cross_in", &into);
                c.insert("ts", &crate::theme::i18n::split_strings(site.config.lang()));
                Ok(super::Prepared {
                    context: c,
                    splice: Some(splice),
                })
            },
        ));
    }
    jobs.push(Job::new(
        PageKey::Org,
        "org/index.html".into(),
        "org_overview.html",
        move || {
            // A small drawing of the parts under the chart's root.
            let mut tree = Tree {
                nodes: Vec::new(),
                roles: Vec::new(),
            };
            tree.add(
                NodeKind::Group(usize::MAX),
                Cow::Borrowed(title),
                Cow::Borrowed("org/"),
                0,
            );
            for (i, v) in views.iter().enumerate() {
                let n = tree.add(
                    NodeKind::Group(i),
                    Cow::Owned(v.title.clone()),
                    Cow::Owned(v.url.clone()),
                    1,
                );
                tree.nodes[0].children.push(n);
            }
            let mut c = base_context(site, "org/", title);
            c.insert_value(
                "svg",
                tera::Value::safe_string(&svg(site, &mut tree, title, ("../", false))),
            );
            c.insert("parts", &views);
            c.insert("tops", &tops);
            c.insert("tops_more", &(tops_total - tops.len()));
            c.insert("ts", &crate::theme::i18n::split_strings(site.config.lang()));
            c
        },
    ));
}

/// A hash of everything a unit's drawing and list show: its title, its
/// nodes (what a role's address is made of, for a role) and the
/// reporting lines of its roles.
fn unit_hash(site: &Site, tree: &Tree, title: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::incremental::BytesHasher(Vec::with_capacity(64 * tree.nodes.len()));
    title.hash(&mut h);
    for n in &tree.nodes {
        (n.kind, &n.label, &n.url, &n.children, n.depth).hash(&mut h);
        if let NodeKind::Role(r) = n.kind {
            let role = &site.roles[r];
            let to = role.reports_to;
            (
                &site.docs[role.dept].id,
                &role.id,
                role.dept,
                to,
                to.map(|s| site.roles[s].dept),
            )
                .hash(&mut h);
        }
    }
    h.finish()
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

#[cfg(test)]
mod tests {
    use super::fixed1;

    fn same(v: f64) {
        let mut s = String::new();
        fixed1(&mut s, v);
        assert_eq!(s, format!("{v:.1}"), "{v:?}");
    }

    #[test]
    fn one_decimal_as_the_formatter_writes_it() {
        // The drawing's numbers: halves, quarters and finer fractions of
        // its units, ties among them (x.x5 exactly), and others.
        for i in 0..200_000u32 {
            same(f64::from(i) / 64.0);
            same(f64::from(i) * 0.1);
            same(f64::from(i) * 7.5 + 12.0);
            same(f64::from(i) / 3.0);
        }
        for v in [
            0.0,
            -0.0,
            -1.25,
            0.05,
            0.15,
            0.25,
            0.35,
            2.45,
            1e9,
            1e12 + 0.5,
            f64::MAX,
        ] {
            same(v);
        }
        same(f64::NAN);
        same(f64::INFINITY);
    }
}
