//! Incremental rebuilds (`serve`): after every kind of edit, the output the
//! [`Rebuilder`] serves must equal, byte for byte, a full build of the same
//! files. A site with cross-department links, anchors, reporting lines and
//! assignments gets a series of edits: body text, links added and removed,
//! anchors, role titles and reporting lines, assignments, activity titles,
//! clauses, document titles, new and deleted files, group pages, config,
//! an error and its fix. The search index is compared after it is rebuilt
//! (the old index folder may stay served next to the new one).

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use charter::build::{self, Options};
use charter::serve::rebuild::{Change, Rebuilder};

const CONFIG: &str =
    "title = \"增量测试\"\nbase_url = \"https://example.com/handbook/\"\nlanguage = \"zh-CN\"\n";

fn dept(g: usize, i: usize, n: usize) -> String {
    let id = format!("d{g}{i}");
    let next = format!("d{}{}", (g + 1) % 3, (i + 1) % n);
    let boss = if i == 0 {
        if g == 0 {
            String::new()
        } else {
            "reports_to = \"d00/head\"\n".into()
        }
    } else {
        format!("reports_to = \"d{g}0/head\"\n")
    };
    let report = if i == 1 {
        "，向[[d00/head]]报告"
    } else {
        ""
    };
    format!(
        "+++\ntitle = \"部门{g}{i}\"\nid = \"{id}\"\nsummary = \"第{i}个部门\"\n\n\
         [[roles]]\nid = \"head\"\ntitle = \"{id}负责人\"\n{boss}\n\
         [[roles]]\nid = \"clerk\"\ntitle = \"{id}文员\"\nreports_to = \"head\"\nheadcount = 2\n\n\
         [[activities]]\nid = \"plan\"\ntitle = \"{id}年度计划\"\nclause = \"a1\"\n\
         raci = {{ head = \"A\", clerk = \"R\", \"{next}/head\" = \"C\" }}\n\n\
         [[activities]]\nid = \"check\"\ntitle = \"{id}检查\"\nraci = {{ head = \"A/R\" }}\n+++\n\
         ## 第一章 总则\n\n第一条 为规范{id}的工作，制定本制度。见[[{next}]]。\n\n\
         第二条 文员负责档案，按[[{next}#a1]]执行。\n\n\
         ## 岗位职责 {{#head}}\n\n负责全面工作{report}。\n\n\
         ## 第二章 附则\n\n第三条 本制度自发布之日起施行。\n"
    )
}

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with_departments(4)
    }

    /// Three groups of `n` departments each.
    fn with_departments(n: usize) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        let f = Fixture { _tmp: tmp, root };
        f.write("config.toml", CONFIG);
        for g in 0..3 {
            f.write(
                &format!("content/g{g}/_index.md"),
                &format!("+++\ntitle = \"组{g}\"\n+++\n组{g}的说明。\n"),
            );
            for i in 0..n {
                f.write(&format!("content/g{g}/d{g}{i}.md"), &dept(g, i, n));
            }
        }
        f
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn opts(&self) -> Options {
        Options {
            root: self.root.clone(),
            base_url: None,
            drafts: false,
        }
    }
}

fn is_search(p: &str) -> bool {
    p == "search/index.js" || p.strip_prefix("search/").is_some_and(|r| r.contains('/'))
}

/// The served output equals a full build: every file but the search index
/// exactly, the search index's files all present with the same bytes, and
/// nothing else but files of the previous index.
fn assert_same(f: &Fixture, r: &Rebuilder, what: &str) {
    let full = build::build(&f.opts())
        .unwrap_or_else(|_| panic!("{what}: the full build failed"))
        .output;
    let snap = r.snapshot();
    let served = snap.output.as_ref().expect("a good build is served");
    let mut differ = Vec::new();
    for (k, v) in &full {
        match served.get(k.as_str()) {
            Some(s) if s[..] == v[..] => {}
            Some(_) => differ.push(format!("{k} differs")),
            None => differ.push(format!("{k} missing")),
        }
    }
    for k in served.keys() {
        if !full.contains_key(&**k) && !is_search(k) {
            differ.push(format!("{k} should not be there"));
        }
    }
    assert!(
        differ.is_empty(),
        "{what}: incremental output differs from a full build:\n{}",
        differ.join("\n")
    );
}

/// Rebuilds after `changed`, finishes the search index, checks the result.
fn step(f: &Fixture, r: &mut Rebuilder, changed: &[&str], what: &str) -> usize {
    let paths: Vec<PathBuf> = changed.iter().map(PathBuf::from).collect();
    let o = r.rebuild(&paths);
    assert!(!o.failed, "{what}: {:?}", o.diagnostics);
    if o.search_pending {
        r.finish_search().expect("search index");
    }
    assert_same(f, r, what);
    eprintln!("{what}: {} pages", o.pages);
    o.pages
}

#[test]
fn every_kind_of_edit_gives_the_output_of_a_full_build() {
    let f = Fixture::new();
    let mut r = Rebuilder::new(f.opts());
    let all = r.rebuild(&[]);
    assert!(!all.failed, "{:?}", all.diagnostics);
    let total = all.pages;
    assert!(total > 30, "{total} pages");
    assert_same(&f, &r, "first build");

    let d = "content/g1/d12.md";
    // Plain body text: only that department's pages and the handbook.
    f.replace(d, "本制度自发布之日起施行", "本制度经审议通过后施行");
    let n = step(&f, &mut r, &[d], "body text");
    assert!(n < total / 4, "a text edit rendered {n} of {total} pages");

    // A new link (backlinks of the target), then gone again.
    f.replace(d, "第三条", "第三条 参照[[d21]]和[[d03/clerk]]。");
    step(&f, &mut r, &[d], "link added");
    f.replace(d, "第三条 参照[[d21]]和[[d03/clerk]]。", "第三条");
    step(&f, &mut r, &[d], "link removed");

    // New anchors, and another department linking to one of them.
    f.replace(
        d,
        "本制度经审议通过后施行。",
        "本制度经审议通过后施行。\n\n第四条 新增条款。",
    );
    step(&f, &mut r, &[d], "anchor added");
    let other = "content/g0/d00.md";
    f.replace(other, "第三条 本制度", "第三条 依照[[d12#a4]]，本制度");
    step(&f, &mut r, &[other], "link to the new anchor");
    // The duties section of a role: its role page shows it.
    f.replace(d, "负责全面工作", "负责全面工作和安全生产");
    step(&f, &mut r, &[d], "duties section");

    // Roles: title, headcount, reporting line (chains below it change).
    f.replace(
        "content/g0/d00.md",
        "title = \"d00负责人\"",
        "title = \"总负责人\"",
    );
    step(&f, &mut r, &["content/g0/d00.md"], "role title");
    // A superior's title that keeps its initial: the role index's entry
    // of a role under it, in another initial's section, shows it too.
    f.replace(
        "content/g1/d11.md",
        "title = \"d11文员\"",
        "title = \"文员乙\"",
    );
    step(
        &f,
        &mut r,
        &["content/g1/d11.md"],
        "role title, another initial",
    );
    f.replace(
        "content/g1/d11.md",
        "title = \"d11负责人\"",
        "title = \"d11主管\"",
    );
    step(&f, &mut r, &["content/g1/d11.md"], "superior's title");
    f.replace(d, "headcount = 2", "headcount = 3");
    step(&f, &mut r, &[d], "headcount");
    f.replace(
        "content/g1/d10.md",
        "reports_to = \"d00/head\"",
        "reports_to = \"d20/head\"",
    );
    step(&f, &mut r, &["content/g1/d10.md"], "reporting line");

    // Activities: a letter, a new assignment, a title, a clause.
    f.replace(d, "\"C\" }", "\"I\" }");
    step(&f, &mut r, &[d], "RACI letter");
    f.replace(
        d,
        "raci = { head = \"A/R\" }",
        "raci = { head = \"A/R\", \"d01/clerk\" = \"C\" }",
    );
    step(&f, &mut r, &[d], "new assignment");
    f.replace(d, "d12检查", "d12季度检查");
    step(&f, &mut r, &[d], "activity title");
    f.replace(d, "clause = \"a1\"", "clause = \"a2\"");
    step(&f, &mut r, &[d], "clause");

    // All activities gone (the department's CSV goes), then back.
    let saved = f.read("content/g0/d03.md");
    let start = saved.find("[[activities]]").unwrap();
    let end = saved.rfind("+++").unwrap();
    f.write(
        "content/g0/d03.md",
        &format!("{}{}", &saved[..start], &saved[end..]),
    );
    step(&f, &mut r, &["content/g0/d03.md"], "no activities left");
    f.write("content/g0/d03.md", &saved);
    step(&f, &mut r, &["content/g0/d03.md"], "activities back");

    // Several files in one batch.
    f.replace("content/g2/d23.md", "第一条", "第一条 （修订）");
    f.replace("content/g0/d01.md", "第二条", "第二条 （修订）");
    step(
        &f,
        &mut r,
        &["content/g2/d23.md", "content/g0/d01.md"],
        "two files",
    );

    // Title and summary: shown everywhere.
    f.replace(d, "title = \"部门12\"", "title = \"安全部\"");
    step(&f, &mut r, &[d], "document title");
    f.replace(d, "summary = \"第2个部门\"", "summary = \"负责安全\"");
    step(&f, &mut r, &[d], "summary");

    // A group page, a new department, a deleted one, the config.
    f.replace("content/g2/_index.md", "的说明", "的新说明");
    step(&f, &mut r, &["content/g2/_index.md"], "group page");
    f.write(
        "content/g2/d24.md",
        &dept(2, 4, 5).replace("d00/head", "d20/head"),
    );
    step(&f, &mut r, &["content/g2/d24.md"], "new department");
    fs::remove_file(f.path("content/g2/d24.md")).unwrap();
    step(&f, &mut r, &["content/g2/d24.md"], "deleted department");
    f.replace("config.toml", "增量测试", "增量测试二");
    step(&f, &mut r, &["config.toml"], "config");

    // An error: served output stays; the fix gives a full-build result.
    f.replace(d, "第一条", "第一条 见[[nowhere]]。");
    let o = r.rebuild(&[PathBuf::from(d)]);
    assert!(o.failed && o.change == Change::Pages);
    f.replace(d, "第一条 见[[nowhere]]。", "第一条");
    step(&f, &mut r, &[d], "fixed error");

    // A body edit that takes away the article an activity names (clause
    // a2 is 第二条 since the clause edit above, and no link points at it):
    // the checks must run again, not repeat the last ones.
    let e = d;
    f.replace(e, "第二条 文员负责档案", "文员负责档案");
    let o = r.rebuild(&[PathBuf::from(e)]);
    assert!(
        o.failed,
        "the clause's article is gone but the build passed: {:?}",
        o.diagnostics
    );
    f.replace(e, "文员负责档案", "第二条 文员负责档案");
    step(&f, &mut r, &[e], "clause article back");

    // A broken front matter, then a body edit elsewhere: still broken
    // (the body-only shortcut must not build on the last good model).
    let b = "content/g2/d21.md";
    f.replace(b, "raci = { head = \"A/R\" }", "raci = { head = \"R\" }");
    assert!(r.rebuild(&[PathBuf::from(b)]).failed);
    f.replace(d, "第一条", "第一条（又改）");
    let o = r.rebuild(&[PathBuf::from(d)]);
    assert!(o.failed, "a body edit while another file is broken built");
    f.replace(b, "raci = { head = \"R\" }", "raci = { head = \"A/R\" }");
    step(&f, &mut r, &[b], "front matter fixed");

    // The same edit again after the fix, and an edit that changes nothing.
    f.replace(d, "负责全面工作和安全生产", "负责全面工作");
    step(&f, &mut r, &[d], "after the fix");
    let o = r.rebuild(&[PathBuf::from(d)]);
    assert_eq!(o.change, Change::None, "a rebuild without a change");
}

/// Random edits of many kinds, in batches, over a few hundred steps: the
/// served output always equals a full build.
#[test]
fn random_edits_give_the_output_of_a_full_build() {
    random_edits(&Fixture::new(), 4, 40);
}

/// The same on a site with split `/matrix/` and `/print/` pages.
#[test]
fn random_edits_on_a_big_site_give_the_output_of_a_full_build() {
    random_edits(&Fixture::with_departments(60), 60, 12);
}

/// `rounds` batches of random edits to the departments of a fixture of
/// `n` departments per group.
fn random_edits(f: &Fixture, n: usize, rounds: usize) {
    let mut r = Rebuilder::new(f.opts());
    assert!(!r.rebuild(&[]).failed);
    let files: Vec<String> = (0..3)
        .flat_map(|g| (0..n).map(move |i| format!("content/g{g}/d{g}{i}.md")))
        .collect();
    let mut seed = 7u64;
    let mut rnd = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let edits: &[(&str, &str)] = &[
        ("第三条 本制度", "第三条 （甲）本制度"),
        ("负责全面工作", "负责全面工作。"),
        ("\"C\" }", "\"I\" }"),
        ("headcount = 2", "headcount = 4"),
        (
            "raci = { head = \"A/R\" }",
            "raci = { head = \"A/R\", \"d11/clerk\" = \"I\" }",
        ),
        ("见[[", "参见[["),
        ("起施行。\n", "起施行。\n\n第四条 补充。\n"),
        ("reports_to = \"head\"", "reports_to = \"d00/head\""),
        ("文员\"", "档案员\""),
        ("年度计划", "年度工作计划"),
    ];
    let mut history: BTreeMap<String, String> = BTreeMap::new();
    for round in 0..rounds {
        let mut changed = Vec::new();
        for _ in 0..1 + rnd(2) {
            let file = &files[rnd(files.len())];
            let text = f.read(file);
            let (a, b) = edits[rnd(edits.len())];
            let new = if text.contains(a) {
                text.replacen(a, b, 1)
            } else if text.contains(b) {
                text.replacen(b, a, 1)
            } else {
                continue;
            };
            f.write(file, &new);
            history.insert(file.clone(), format!("{a} -> {b}"));
            changed.push(file.as_str());
        }
        if changed.is_empty() {
            continue;
        }
        let what = format!("round {round}: {changed:?}");
        let paths: Vec<PathBuf> = changed.iter().map(PathBuf::from).collect();
        let o = r.rebuild(&paths);
        if o.failed {
            // Some combinations are invalid (a reporting cycle): the full
            // build must fail too; undo nothing, later edits may fix it.
            assert!(
                build::build(&f.opts()).is_err(),
                "{what}: only the incremental build failed: {:?}",
                o.diagnostics
            );
            continue;
        }
        if o.search_pending {
            r.finish_search();
        }
        assert_same(f, &r, &what);
    }
}

/// A site large enough for `/matrix/` to be split into one page per group
/// (over 40,000 cells) and `/print/` into one volume per group (over 150
/// charters): a body edit renders its charter's volume, not `/print/`;
/// an assignment edit, its group's matrix page and volume; a role title
/// or reporting line, every matrix page and volume that names the role.
#[test]
fn split_matrix_pages_and_handbook_volumes_follow_edits() {
    let f = Fixture::with_departments(60);
    let mut r = Rebuilder::new(f.opts());
    let all = r.rebuild(&[]);
    assert!(!all.failed, "{:?}", all.diagnostics.first());
    let snap = r.snapshot();
    let out = snap.output.as_ref().unwrap();
    assert!(
        out.contains_key("matrix/g1/index.html"),
        "the fixture must be big enough to split /matrix/"
    );
    assert!(
        out.contains_key("print/g1/index.html") && out.contains_key("print/g2/index.html"),
        "the fixture must be big enough to split /print/"
    );
    let d = "content/g1/d15.md";
    f.replace(d, "本制度自发布之日起施行", "本制度经审议通过后施行");
    let n = step(&f, &mut r, &[d], "body text, split handbook");
    assert_eq!(n, 4, "its page, its two roles' pages and its volume");
    f.replace(d, "负责全面工作", "负责全面工作和安全生产");
    step(&f, &mut r, &[d], "duties section, split handbook");
    f.replace(d, "第三条", "第三条 参照[[d21]]。");
    step(&f, &mut r, &[d], "link added, split handbook");
    f.replace(d, "\"C\" }", "\"I\" }");
    let n = step(&f, &mut r, &[d], "RACI letter, split matrix");
    assert!(n < all.pages / 10, "{n} of {} pages", all.pages);
    f.replace(d, "title = \"d15文员\"", "title = \"d15档案员\"");
    step(&f, &mut r, &[d], "role title, split matrix");
    f.replace(
        d,
        "raci = { head = \"A/R\" }",
        "raci = { head = \"A/R\", \"d23/clerk\" = \"C\" }",
    );
    step(
        &f,
        &mut r,
        &[d],
        "assignment to another group's role, split matrix",
    );
    f.replace(
        "content/g2/d23.md",
        "title = \"d23文员\"",
        "title = \"d23秘书\"",
    );
    step(
        &f,
        &mut r,
        &["content/g2/d23.md"],
        "title of a role named in another group",
    );
    // A reporting line to another group's role: the roles' table of the
    // charter in that volume names it.
    f.replace(
        "content/g2/d25.md",
        "reports_to = \"d20/head\"",
        "reports_to = \"d10/head\"",
    );
    step(
        &f,
        &mut r,
        &["content/g2/d25.md"],
        "reporting line to another group",
    );
    f.replace(
        "content/g1/d10.md",
        "title = \"d10负责人\"",
        "title = \"d10主任\"",
    );
    step(
        &f,
        &mut r,
        &["content/g1/d10.md"],
        "title of a role that another group reports to",
    );
    // Edits in two volumes at once.
    f.replace("content/g0/d03.md", "第一条", "第一条 （修订）");
    f.replace("content/g2/d244.md", "第二条", "第二条 （修订）");
    step(
        &f,
        &mut r,
        &["content/g0/d03.md", "content/g2/d244.md"],
        "two volumes",
    );
    // A document title is on /print/'s contents: a full rebuild.
    f.replace(d, "title = \"部门15\"", "title = \"安全部\"");
    step(&f, &mut r, &[d], "document title, split handbook");
}

/// Each department's RACI table is rendered once and shared by its page,
/// its charter in the handbook and its matrix page while the built-in
/// templates show it. A site's own `raci_table.html` (here a copy of the
/// built-in one) turns that off: every page renders its own table from
/// the matrix, and the output must be the same, byte for byte.
#[test]
fn shared_raci_tables_equal_the_tables_each_page_renders() {
    let f = Fixture::with_departments(60);
    let shared = build::build(&f.opts()).expect("shared tables").output;
    assert!(
        shared.contains_key("matrix/g1/index.html") && shared.contains_key("print/g1/index.html"),
        "the fixture must have matrix pages and handbook volumes of their own"
    );
    let builtin = fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/raci_table.html"),
    )
    .unwrap();
    f.write("templates/raci_table.html", &builtin);
    let own = build::build(&f.opts()).expect("own tables").output;
    let mut differ = Vec::new();
    for (k, v) in &own {
        match shared.get(k) {
            Some(s) if s == v => {}
            Some(_) => differ.push(format!("{k} differs")),
            None => differ.push(format!("{k} missing")),
        }
    }
    differ.extend(
        shared
            .keys()
            .filter(|k| !own.contains_key(*k))
            .map(|k| format!("{k} only with shared tables")),
    );
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    // Every kind of page shows tables (with their titles of letters).
    for page in [
        "g1/d13/index.html",
        "matrix/g1/index.html",
        "print/g1/index.html",
    ] {
        let html = String::from_utf8_lossy(&shared[page]);
        assert!(html.contains("<table class=\"raci\""), "{page}: no table");
        assert!(html.contains("title=\"A 负责"), "{page}: no letter titles");
        assert!(!html.contains('\u{E000}'), "{page}: a root mark left");
    }
}

/// The role index's sections rendered in runs of entries (with the
/// built-in `role_initial.html`) equal the sections rendered whole (a
/// site's own copy of it), byte for byte, on a site whose sections hold
/// hundreds of roles.
#[test]
fn role_index_in_runs_equals_the_index_rendered_whole() {
    let f = Fixture::with_departments(60);
    let runs = build::build(&f.opts()).expect("runs").output;
    let builtin = fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("themes/default/templates/role_initial.html"),
    )
    .unwrap();
    f.write("templates/role_initial.html", &builtin);
    let whole = build::build(&f.opts()).expect("whole").output;
    let (a, b) = (&runs["roles/index.html"], &whole["roles/index.html"]);
    assert!(a == b, "the role index differs");
    let html = String::from_utf8_lossy(a);
    let biggest = html
        .split("<section class=\"initial\"")
        .map(|s| s.matches("<li ").count())
        .max()
        .unwrap_or(0);
    assert!(biggest > 300, "the biggest section has {biggest} roles");
    assert!(!html.contains('\u{E001}'), "a splice marker left");
}

/// A link to a `/matrix/` unit page stands only while the matrix is
/// split. Assignment edits (front-matter patches: same roles, same number
/// of activities) that bring the matrix over or under the split size must
/// give the output, or the error, of a full build: the link reported once
/// the page is gone, the unit pages made or removed. Three groups of 38
/// departments make 38,988 cells; nine more roles in one activity of
/// group 1 add 1,026 (nine columns of its 114 rows), past the 40,000 that
/// split it.
#[test]
fn links_to_matrix_unit_pages_and_the_split_follow_assignment_edits() {
    let f = Fixture::with_departments(38);
    let d = "content/g1/d15.md";
    let extra: String = (0..9)
        .map(|i| format!(", \"d2{i}/clerk\" = \"I\""))
        .collect();
    let joined = "raci = { head = \"A/R\" }";
    let split = format!("raci = {{ head = \"A/R\"{extra} }}");
    let link = "第三条 矩阵见[本组矩阵](/matrix/g1/)。本制度";
    f.replace(d, joined, &split);
    f.replace(d, "第三条 本制度", link);
    let mut r = Rebuilder::new(f.opts());
    let all = r.rebuild(&[]);
    assert!(!all.failed, "{:?}", all.diagnostics.first());
    let has_unit_page = |r: &Rebuilder| {
        r.snapshot()
            .output
            .as_ref()
            .unwrap()
            .contains_key("matrix/g1/index.html")
    };
    assert!(has_unit_page(&r), "the nine roles must split /matrix/");
    f.replace(d, &split, joined);
    let o = r.rebuild(&[PathBuf::from(d)]);
    let codes: Vec<&str> = o.diagnostics.iter().map(|d| d.code).collect();
    assert!(o.failed && codes == ["E016"], "{:?}", o.diagnostics);
    assert!(
        build::build(&f.opts()).is_err(),
        "a full build fails on the link too"
    );
    f.replace(d, joined, &split);
    step(&f, &mut r, &[d], "matrix split again");
    f.replace(d, link, "第三条 本制度");
    step(&f, &mut r, &[d], "link removed");
    f.replace(d, &split, joined);
    step(&f, &mut r, &[d], "matrix joined by an assignment edit");
    assert!(!has_unit_page(&r));
    f.replace(d, joined, &split);
    step(&f, &mut r, &[d], "matrix split by an assignment edit");
    assert!(has_unit_page(&r));
}
