//! A site big enough that `/roles/` and `/org/` are split into parts
//! (docs/large-sites.md): 413 departments of 5 roles each (2,065 roles,
//! over `charter::pages::roles::SPLIT_ROLES`; 2,478 nodes, over
//! `charter::pages::org::SPLIT_NODES`), in three top-level departments
//! (`t01`–`t03`), group 甲 (`a`: 150, and its subgroup `a/sub`: 50),
//! group 乙 (`b`: 150, and a draft) and group 丙 (a Chinese folder: 60).
//!
//! Reporting lines: each department's head is the top of its department,
//! but the heads of 乙 report to 甲's `a001/head` and those of 丙 to the
//! top-level `t01/head` (lines across parts), those of `a/sub` to
//! `a001/head` (inside 甲). Department `c07` of 丙 has one role no other
//! department has: 测绘总工程师 (`surveyor`); `c08` has the only Latin
//! title, `Zeta Analyst` (`zeta`), the only role under Z.
#![allow(dead_code)]

use std::path::Path;

/// Departments per part: top level, 甲 (with its subgroup), 乙, 丙.
pub const TOP: usize = 3;
pub const A: usize = 150;
pub const SUB: usize = 50;
pub const B: usize = 150;
pub const C: usize = 60;
pub const ROLES_PER_DEPT: usize = 5;

pub fn departments() -> usize {
    TOP + A + SUB + B + C
}

pub fn roles() -> usize {
    departments() * ROLES_PER_DEPT
}

/// A department's front matter and a line of text. `sup`: whom its head
/// reports to; `extra`: its fifth role (id, title).
pub fn dept(id: &str, title: &str, sup: Option<&str>, extra: (&str, &str)) -> String {
    let sup = sup.map_or(String::new(), |s| format!("reports_to = \"{s}\"\n"));
    format!(
        "+++\ntitle = \"{title}\"\nid = \"{id}\"\n\n\
         [[roles]]\nid = \"head\"\ntitle = \"部门负责人\"\n{sup}\n\
         [[roles]]\nid = \"deputy\"\ntitle = \"副主任\"\nreports_to = \"head\"\n\n\
         [[roles]]\nid = \"officer\"\ntitle = \"安全员\"\nreports_to = \"head\"\n\n\
         [[roles]]\nid = \"clerk\"\ntitle = \"文员\"\nreports_to = \"deputy\"\n\n\
         [[roles]]\nid = \"{}\"\ntitle = \"{}\"\nreports_to = \"head\"\n+++\n\
         第一条 {title}的职责。\n",
        extra.0, extra.1
    )
}

/// A department: path (under the site root), id, title, whom its head
/// reports to, and its fifth role (id, title).
pub type Dept = (String, String, String, Option<String>, (String, String));

/// Every department, in the order above.
pub fn all() -> Vec<Dept> {
    let mut out = Vec::new();
    let plain = || ("analyst".to_string(), "分析师".to_string());
    for i in 1..=TOP {
        let id = format!("t{i:02}");
        out.push((
            format!("content/{id}.md"),
            id,
            format!("总部{i}"),
            None,
            plain(),
        ));
    }
    for i in 1..=A {
        let id = format!("a{i:03}");
        out.push((
            format!("content/a/{id}.md"),
            id,
            format!("甲部门{i}"),
            None,
            plain(),
        ));
    }
    for i in 1..=SUB {
        let id = format!("s{i:02}");
        let sup = Some("a001/head".to_string());
        out.push((
            format!("content/a/sub/{id}.md"),
            id,
            format!("甲下属{i}"),
            sup,
            plain(),
        ));
    }
    for i in 1..=B {
        let id = format!("b{i:03}");
        let sup = Some("a001/head".to_string());
        out.push((
            format!("content/b/{id}.md"),
            id,
            format!("乙部门{i}"),
            sup,
            plain(),
        ));
    }
    for i in 1..=C {
        let id = format!("c{i:02}");
        let sup = Some("t01/head".to_string());
        let extra = match i {
            7 => ("surveyor".to_string(), "测绘总工程师".to_string()),
            8 => ("zeta".to_string(), "Zeta Analyst".to_string()),
            _ => plain(),
        };
        out.push((
            format!("content/丙/{id}.md"),
            id,
            format!("丙部门{i}"),
            sup,
            extra,
        ));
    }
    out
}

/// Writes the site's content under `root` (config.toml is the caller's).
pub fn write(root: &Path) {
    let put = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    put(
        "content/a/_index.md",
        "+++\ntitle = \"甲组\"\nweight = 10\n+++\n",
    );
    put(
        "content/a/sub/_index.md",
        "+++\ntitle = \"甲组下属\"\n+++\n",
    );
    put(
        "content/b/_index.md",
        "+++\ntitle = \"乙组\"\nweight = 20\n+++\n",
    );
    put(
        "content/丙/_index.md",
        "+++\ntitle = \"丙组\"\nweight = 30\n+++\n",
    );
    put(
        "content/b/secret.md",
        "+++\ntitle = \"草稿部门\"\nid = \"secret\"\ndraft = true\n\n\
         [[roles]]\nid = \"spy\"\ntitle = \"草稿岗位\"\n+++\n",
    );
    for (path, id, title, sup, (xid, xtitle)) in all() {
        put(&path, &dept(&id, &title, sup.as_deref(), (&xid, &xtitle)));
    }
}
