//! Corpus generator for benchmarks: a deterministic site of N departments
//! (~3 KB of Chinese-and-English charter text each: chapters, articles,
//! numbered steps, a table, wiki links between departments), 5 roles and
//! 5 activities each (`--roles N`: N of each) with cross-department RACI, in ~20 groups.
//!
//! ```sh
//! cargo run --release --example gen-corpus -- --departments 10000 DIR [--format charter|zola|hugo] [--seed 42] [--roles 2..5]
//! ```
//! The Zola and Hugo forms hold the same bodies (wiki links become plain
//! Markdown links) with plain templates and no site-wide loops.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// A small deterministic generator (SplitMix64): the same seed, the same site.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SUBJECTS: &[&str] = &[
    "部门负责人",
    "专责安全员",
    "项目经理",
    "财务会计",
    "仓库管理员",
    "采购专员",
    "质量工程师",
    "综合部主任",
    "保洁专责",
    "文秘档案员",
];
const VERBS: &[&str] = &[
    "负责",
    "组织",
    "监督检查",
    "审核",
    "协助",
    "定期检查",
    "督促落实",
    "参加",
    "编制",
    "指导",
];
const OBJECTS: &[&str] = &[
    "本部门的安全施工管理工作",
    "易制毒化学品的入库管理",
    "员工请假、考勤、公休等管理工作",
    "公司各类档案的收集和整理",
    "年度培训学习计划",
    "违章作业的经济处罚和罚款",
    "客户合同的制作和签订",
    "物业维修及养护的实施方案",
    "财务计划和费用预算",
    "ISO 9001 质量体系的内部审核",
    "5S管理的日常检查",
    "事故隐患的整改措施",
];
const TAILS: &[&str] = &[
    "，并做好记录。",
    "，发现问题及时上报处理。",
    "，确保各项制度落到实处。",
    "。",
    "，每月汇总一次。",
    " in accordance with the quality manual.",
];
const ROLE_TITLES: &[&str] = &[
    "部门负责人",
    "副主任",
    "专责安全员",
    "文秘档案员",
    "财务会计",
];
const ROLE_IDS: &[&str] = &["head", "deputy", "officer", "clerk", "accountant"];
const LETTERS: &[&str] = &["C", "I", "C", "I", "R"];

fn sentence(rng: &mut Rng) -> String {
    format!(
        "{}{}{}{}",
        rng.pick(SUBJECTS),
        rng.pick(VERBS),
        rng.pick(OBJECTS),
        rng.pick(TAILS)
    )
}

struct Dept {
    id: String,
    group: usize,
    title: String,
}

fn depts(n: usize, groups: usize) -> Vec<Dept> {
    (0..n)
        .map(|i| Dept {
            id: format!("d{i:05}"),
            group: i % groups,
            title: format!(
                "第{}事业部{}",
                i / 10 + 1,
                [
                    "综合部",
                    "安全环保部",
                    "财务部",
                    "采购部",
                    "仓库",
                    "质量部",
                    "物业管理部",
                    "风险控制部",
                    "售前部",
                    "影视部"
                ][i % 10]
            ),
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Charter,
    Zola,
    Hugo,
}

/// The body of department `i`; links are written for the format.
fn body(rng: &mut Rng, d: &[Dept], i: usize, format: Format) -> String {
    let mut out = String::new();
    let link = |j: usize, anchor: Option<&str>, text: &str| -> String {
        let t = &d[j];
        match format {
            Format::Charter => match anchor {
                Some(a) => format!("[[{}#{a}|{text}]]", t.id),
                None => format!("[[{}|{text}]]", t.id),
            },
            Format::Zola => format!(
                "[{text}](@/g{:02}/{}.md{})",
                t.group,
                t.id,
                anchor.map(|a| format!("#{a}")).unwrap_or_default()
            ),
            Format::Hugo => format!(
                "[{text}](../../g{:02}/{}/{})",
                t.group,
                t.id,
                anchor.map(|a| format!("#{a}")).unwrap_or_default()
            ),
        }
    };
    let _ = writeln!(
        out,
        "为规范{}的管理工作，明确岗位职责，根据公司有关规定，制定本制度。\n",
        d[i].title
    );
    let mut article = 0;
    for ch in 1..=3 {
        let _ = writeln!(
            out,
            "## 第{}章 {}\n",
            ["一", "二", "三"][ch - 1],
            ["总则", "岗位职责", "考核与奖惩"][ch - 1]
        );
        for _ in 0..4 {
            article += 1;
            let _ = write!(
                out,
                "第{}条 {}{}",
                cn(article),
                sentence(rng),
                sentence(rng)
            );
            if rng.below(3) == 0 {
                let j = rng.below(d.len());
                let _ = write!(
                    out,
                    "具体办法见{}。",
                    link(j, Some("a2"), &format!("{}第二条", d[j].title))
                );
            }
            out.push_str("\n\n");
        }
        if ch == 2 {
            for s in 1..=3 {
                let _ = writeln!(out, "{s}. {}", sentence(rng));
            }
            out.push('\n');
            out.push_str("| 岗位 | 职责 | 考核 |\n|---|---|---|\n");
            for title in &ROLE_TITLES[..3] {
                let _ = writeln!(out, "| {title} | {} | 每月 |", rng.pick(OBJECTS));
            }
            out.push('\n');
        }
    }
    let j = rng.below(d.len());
    let _ = writeln!(
        out,
        "本制度由{}负责解释，自发布之日起施行。",
        link(j, None, &d[j].title)
    );
    out
}

fn cn(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].into(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[n - 10]),
        _ => format!(
            "{}十{}",
            D[n / 10],
            if n.is_multiple_of(10) { "" } else { D[n % 10] }
        ),
    }
}

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        fs::create_dir_all(p).expect("create folder");
    }
    fs::write(path, text).expect("write file");
}

fn front_matter(rng: &mut Rng, d: &[Dept], i: usize, roles: usize) -> String {
    let mut fm = format!(
        "+++\ntitle = \"{}\"\nid = \"{}\"\nweight = {}\neffective = 2024-03-01\nversion = \"1.0\"\n",
        d[i].title, d[i].id, i
    );
    for (k, (id, title)) in ROLE_IDS.iter().zip(ROLE_TITLES).take(roles).enumerate() {
        let _ = write!(fm, "\n[[roles]]\nid = \"{id}\"\ntitle = \"{title}\"\n");
        if k > 0 {
            fm.push_str("reports_to = \"head\"\n");
        } else if !i.is_multiple_of(50) {
            let _ = writeln!(fm, "reports_to = \"{}/head\"", d[i - i % 50].id);
        }
    }
    for a in 0..roles {
        let mut other = rng.below(d.len());
        if other == i {
            other = (i + 1) % d.len();
        }
        let _ = write!(
            fm,
            "\n[[activities]]\nid = \"act{a}\"\ntitle = \"{}\"\nclause = \"a{}\"\nraci = {{ head = \"A\", {} = \"R\", \"{}/head\" = \"{}\" }}\n",
            rng.pick(OBJECTS),
            a + 1,
            ROLE_IDS[1 + a % (roles - 1)],
            d[other].id,
            LETTERS[a]
        );
    }
    fm.push_str("+++\n");
    fm
}

fn main() {
    let mut n = 1000usize;
    let mut seed = 42u64;
    let mut roles = ROLE_IDS.len();
    let mut format = Format::Charter;
    let mut dir: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--departments" => {
                n = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--departments N")
            }
            "--roles" => {
                roles = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|r| (2..=ROLE_IDS.len()).contains(r))
                    .expect("--roles N (2 to 5)")
            }
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            "--format" => {
                format = match args.next().as_deref() {
                    Some("charter") => Format::Charter,
                    Some("zola") => Format::Zola,
                    Some("hugo") => Format::Hugo,
                    other => panic!("unknown format {other:?}"),
                }
            }
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir.expect("usage: gen-corpus --departments N DIR [--format charter|zola|hugo]");
    let groups = 20.min(n.max(1));
    let d = depts(n, groups);
    let mut rng = Rng(seed);
    match format {
        Format::Charter => write(
            &dir.join("config.toml"),
            "title = \"Benchmark handbook\"\nbase_url = \"https://example.com/\"\nlanguage = \"zh-CN\"\n",
        ),
        Format::Zola => {
            write(
                &dir.join("config.toml"),
                "base_url = \"https://example.com/\"\ntitle = \"Benchmark handbook\"\ndefault_language = \"en\"\nbuild_search_index = false\ncompile_sass = false\n[markdown]\nhighlight_code = false\n",
            );
            write(
                &dir.join("templates/index.html"),
                "<!doctype html><title>{{ config.title }}</title><h1>{{ section.title }}</h1>{{ section.content | safe }}\n",
            );
            write(
                &dir.join("templates/section.html"),
                "<!doctype html><title>{{ section.title }}</title><h1>{{ section.title }}</h1>{{ section.content | safe }}\n",
            );
            write(
                &dir.join("templates/page.html"),
                "<!doctype html><title>{{ page.title }}</title><h1>{{ page.title }}</h1>{{ page.content | safe }}\n",
            );
        }
        Format::Hugo => {
            write(
                &dir.join("hugo.toml"),
                "baseURL = \"https://example.com/\"\ntitle = \"Benchmark handbook\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\"]\n[markup.goldmark.renderer]\nunsafe = true\n",
            );
            write(
                &dir.join("layouts/_default/single.html"),
                "<!doctype html><title>{{ .Title }}</title><h1>{{ .Title }}</h1>{{ .Content }}\n",
            );
            write(
                &dir.join("layouts/_default/list.html"),
                "<!doctype html><title>{{ .Title }}</title><h1>{{ .Title }}</h1>{{ .Content }}\n",
            );
            write(
                &dir.join("layouts/index.html"),
                "<!doctype html><title>{{ .Site.Title }}</title><h1>{{ .Site.Title }}</h1>\n",
            );
        }
    }
    write(
        &dir.join("content/_index.md"),
        "+++\ntitle = \"Benchmark handbook\"\n+++\n生成的基准测试站点。\n",
    );
    for g in 0..groups {
        write(
            &dir.join(format!("content/g{g:02}/_index.md")),
            &format!("+++\ntitle = \"第{}分组\"\nweight = {g}\n+++\n", g + 1),
        );
    }
    for i in 0..n {
        let fm = match format {
            Format::Charter => front_matter(&mut rng, &d, i, roles),
            _ => format!("+++\ntitle = \"{}\"\nweight = {i}\n+++\n", d[i].title),
        };
        let b = body(&mut rng, &d, i, format);
        write(
            &dir.join(format!("content/g{:02}/{}.md", d[i].group, d[i].id)),
            &format!("{fm}{b}"),
        );
    }
    eprintln!(
        "wrote {n} departments in {groups} groups to {}",
        dir.display()
    );
}
