//! Search benchmark (issue 4's targets): generates a deterministic site of
//! N departments with ~3 KB of Chinese each (text from an order-2
//! character Markov chain trained on the example site's own charters, so
//! character and bigram frequencies look like real regulations; names of
//! random characters in every other article, for a large vocabulary; a few
//! Latin terms mixed in; 3 roles per department with duties sections),
//! builds it, and reports
//!
//! * the whole build's time and the index's share (text extraction, and
//!   tokenizing + merging + encoding) with the memory indexing adds (its
//!   files go to a sink that only counts them: the builder's own memory);
//! * the index on disk: files, raw and gzipped bytes (gzip -6 per file,
//!   the way a web server would send them; via python3's gzip module);
//! * what queries load (manifest, dictionary/position chunks, texts of the
//!   top 10) raw and gzipped, and their time in Node once loaded
//!   (tests/search/harness.js, the theme's real search.js).
//!
//! ```sh
//! cargo run --release --example search_bench -- [--departments 10000] [--dir DIR] [--seed 1]
//! ```
//! Without `--dir` the site goes to a temporary folder, removed afterwards.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use charter::search;

/// SplitMix64: the same seed, the same site.
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
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Order-2 character Markov chain over the example site's bodies.
struct Markov {
    next: HashMap<(char, char), Vec<char>>,
    starts: Vec<(char, char)>,
    /// Every Han character of the training text, for names.
    han: Vec<char>,
}

fn strip_markup(body: &str) -> String {
    let mut out = String::new();
    for line in body.lines() {
        let line = line.trim_start_matches(['#', ' ', '>', '-', '*', '|']);
        let mut l = line.to_string();
        // Drop wiki links, attribute blocks and Latin-only tokens.
        while let (Some(a), Some(b)) = (l.find("[["), l.find("]]")) {
            if b < a {
                break;
            }
            l.replace_range(a..b + 2, "");
        }
        if let Some(i) = l.find(" {#") {
            l.truncate(i);
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

impl Markov {
    fn train(content: &Path) -> Markov {
        let mut text = String::new();
        let mut files: Vec<PathBuf> = Vec::new();
        let mut stack = vec![content.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).expect("read content/") {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "md") {
                    files.push(p);
                }
            }
        }
        files.sort();
        for f in files {
            let s = fs::read_to_string(&f).unwrap();
            let body = s.splitn(3, "+++").nth(2).unwrap_or(&s);
            text.push_str(&strip_markup(body));
        }
        let chars: Vec<char> = text
            .chars()
            .filter(|c| !c.is_ascii() || *c == '\n')
            .collect();
        let mut next: HashMap<(char, char), Vec<char>> = HashMap::new();
        let mut starts = Vec::new();
        for w in chars.windows(3) {
            if w.contains(&'\n') {
                continue;
            }
            next.entry((w[0], w[1])).or_default().push(w[2]);
            if w[0] == '。' || w[0] == '；' {
                starts.push((w[1], w[2]));
            }
        }
        starts.retain(|s| next.contains_key(s));
        let mut han: Vec<char> = chars
            .iter()
            .copied()
            .filter(|&c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
            .collect();
        han.sort_unstable();
        han.dedup();
        Markov { next, starts, han }
    }

    /// A name (a person, place or project) of 2–4 random characters: what
    /// makes a real corpus's vocabulary large.
    fn name(&self, rng: &mut Rng) -> String {
        (0..2 + rng.below(3))
            .map(|_| self.han[rng.below(self.han.len())])
            .collect()
    }

    /// A sentence of about `len` characters, ending in 。
    fn sentence(&self, rng: &mut Rng, len: usize) -> String {
        let (mut a, mut b) = self.starts[rng.below(self.starts.len())];
        let mut out = String::new();
        out.push(a);
        out.push(b);
        for _ in 0..len * 2 {
            let Some(list) = self.next.get(&(a, b)) else {
                break;
            };
            let c = list[rng.below(list.len())];
            if (c == '。' || c == '；') && out.chars().count() >= len / 2 {
                break;
            }
            out.push(c);
            a = b;
            b = c;
            if out.chars().count() >= len {
                break;
            }
        }
        out.push('。');
        out
    }
}

const NUM: &[&str] = &["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
const REGIONS: &[&str] = &[
    "华东", "华北", "西南", "东北", "华南", "西北", "华中", "滨海", "天净", "中原",
];
const UNITS: &[&str] = &[
    "综合部",
    "安全环保部",
    "财务部",
    "采购部",
    "仓储部",
    "质量部",
    "物业管理部",
    "风险控制部",
    "售前部",
    "影视部",
    "工程部",
    "人力资源部",
    "信息中心",
    "法务部",
    "审计部",
    "市场部",
];
const ROLES: &[(&str, &str)] = &[
    ("head", "部门负责人"),
    ("officer", "专责"),
    ("clerk", "文秘档案员"),
];
const LATIN: &[&str] = &["ISO 9001", "5S管理", "OA系统", "ERP", "PDCA循环", "KPI考核"];

fn cn_num(n: usize) -> String {
    if n <= 10 {
        NUM[n - 1].to_string()
    } else if n < 20 {
        format!("十{}", NUM[n - 11])
    } else {
        format!(
            "{}十{}",
            NUM[n / 10 - 1],
            if n.is_multiple_of(10) {
                ""
            } else {
                NUM[n % 10 - 1]
            }
        )
    }
}

fn department(m: &Markov, rng: &mut Rng, i: usize) -> String {
    let title = format!(
        "{}第{}分公司{}",
        REGIONS[i % REGIONS.len()],
        cn_num(i / (REGIONS.len() * UNITS.len()) % 99 + 1),
        UNITS[(i / REGIONS.len()) % UNITS.len()]
    );
    let mut s = String::new();
    writeln!(
        s,
        "+++\ntitle = \"{title}\"\nsummary = \"{}\"",
        m.sentence(rng, 20)
    )
    .unwrap();
    for (k, (id, t)) in ROLES.iter().enumerate() {
        writeln!(
            s,
            "\n[[roles]]\nid = \"{id}\"\ntitle = \"{t}\"\nsummary = \"{}\"",
            m.sentence(rng, 14)
        )
        .unwrap();
        if k > 0 {
            writeln!(s, "reports_to = \"head\"").unwrap();
        }
    }
    s.push_str("+++\n");
    let mut article = 0;
    let mut body_chars = 0;
    let mut chapter = 0;
    while body_chars < 820 {
        chapter += 1;
        let head = m.sentence(rng, 6);
        writeln!(
            s,
            "\n## 第{}章 {}\n",
            cn_num(chapter),
            head.trim_end_matches('。')
        )
        .unwrap();
        for _ in 0..2 + rng.below(3) {
            article += 1;
            let len = 30 + rng.below(40);
            let mut text = m.sentence(rng, len);
            if rng.below(8) == 0 {
                let at = text
                    .char_indices()
                    .nth(text.chars().count() / 2)
                    .map_or(0, |x| x.0);
                text.insert_str(at, LATIN[rng.below(LATIN.len())]);
            }
            if rng.below(2) == 0 {
                let at = text
                    .char_indices()
                    .nth(text.chars().count() / 3)
                    .map_or(0, |x| x.0);
                text.insert_str(at, &m.name(rng));
            }
            body_chars += text.chars().count();
            writeln!(s, "第{}条 {text}", cn_num(article)).unwrap();
        }
    }
    writeln!(s, "\n## 第{}章 岗位职责", cn_num(chapter + 1)).unwrap();
    for (id, t) in ROLES {
        writeln!(s, "\n### {t} {{#{id}}}\n").unwrap();
        for k in 1..=3 {
            writeln!(s, "{k}. {}", m.sentence(rng, 18)).unwrap();
        }
    }
    s
}

fn generate(dir: &Path, n: usize, seed: u64) -> usize {
    let m = Markov::train(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content"));
    let mut rng = Rng(seed);
    fs::create_dir_all(dir.join("content")).unwrap();
    fs::write(
        dir.join("config.toml"),
        "title = \"搜索基准\"\nbase_url = \"https://example.com/handbook/\"\nlanguage = \"zh-CN\"\n",
    )
    .unwrap();
    let groups = 20;
    let mut bytes = 0;
    for g in 0..groups {
        let gd = dir.join("content").join(format!("g{g:02}"));
        fs::create_dir_all(&gd).unwrap();
        fs::write(
            gd.join("_index.md"),
            format!("+++\ntitle = \"第{}事业群\"\n+++\n", cn_num(g + 1)),
        )
        .unwrap();
    }
    for i in 0..n {
        let text = department(&m, &mut rng, i);
        bytes += text.len();
        fs::write(
            dir.join("content")
                .join(format!("g{:02}", i % groups))
                .join(format!("d{i:05}.md")),
            text,
        )
        .unwrap();
    }
    bytes
}

/// CPU seconds this process has used (user + system), from /proc/self/stat.
fn cpu_seconds() -> f64 {
    fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit(')').next()?.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

/// Load average over the last minute (other processes share the CPUs).
fn load() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().next().unwrap_or("?").to_string())
        .unwrap_or_default()
}

fn status(key: &str) -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn reset_peak() {
    let _ = fs::write("/proc/self/clear_refs", "5");
}

/// Gzipped sizes (level 6, as a web server sends them) of files, via python3.
fn gzip_sizes(files: &[PathBuf]) -> Vec<u64> {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import sys,gzip\nfor p in sys.stdin.read().split('\\n'):\n  p and print(len(gzip.compress(open(p,'rb').read(),6,mtime=0)))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let list: String = files.iter().map(|p| format!("{}\n", p.display())).collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().parse().unwrap_or(0))
        .collect()
}

fn kb(b: u64) -> String {
    format!("{:.1} KB", b as f64 / 1024.0)
}

fn main() {
    let mut n = 10_000usize;
    let mut dir: Option<PathBuf> = None;
    let mut seed = 1u64;
    let mut index_only = false;
    let mut reuse = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--departments" => n = args.next().and_then(|v| v.parse().ok()).expect("a number"),
            "--dir" => dir = args.next().map(PathBuf::from),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).expect("a number"),
            "--index-only" => index_only = true,
            "--reuse" => reuse = true,
            _ => panic!(
                "usage: search_bench [--departments N] [--dir DIR] [--seed S] [--reuse] [--index-only]"
            ),
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = dir.unwrap_or_else(|| tmp.path().join("site"));
    if !(reuse && root.join("config.toml").is_file()) {
        let _ = fs::remove_dir_all(&root);
        let t = Instant::now();
        let bytes = generate(&root, n, seed);
        println!(
            "corpus: {n} departments, {:.1} MB of Markdown ({:.1} KB each), generated in {:.1} s",
            bytes as f64 / 1e6,
            bytes as f64 / n as f64 / 1024.0,
            t.elapsed().as_secs_f64()
        );
    }

    // The index alone, from the same text (what the build's call does).
    let t = Instant::now();
    let mut entries = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    for g in 0..20 {
        for e in fs::read_dir(root.join("content").join(format!("g{g:02}"))).unwrap() {
            let p = e.unwrap().path();
            if p.file_name().is_some_and(|f| f != "_index.md") {
                files.push(p);
            }
        }
    }
    files.sort();
    let sources: Vec<String> = files
        .iter()
        .map(|p| fs::read_to_string(p).unwrap())
        .collect();
    for src in &sources {
        let body = src.splitn(3, "+++").nth(2).unwrap_or("");
        let title = src.lines().nth(1).unwrap_or("").to_string();
        let a = charter::markdown::analyze(body);
        let mut blocks = vec![search::Block {
            anchor: None,
            field: search::Field::Title,
            text: title.clone(),
        }];
        blocks.extend(search::body_blocks(&a));
        entries.push(search::Entry {
            url: "x/".into(),
            title,
            subtitle: String::new(),
            blocks,
        });
        for (id, t) in ROLES {
            let duties = body.split(&format!("{{#{id}}}")).nth(1).unwrap_or("");
            let duties = duties.split("###").next().unwrap_or("");
            entries.push(search::Entry {
                url: format!("roles/x/{id}/"),
                title: t.to_string(),
                subtitle: String::new(),
                blocks: vec![search::Block {
                    anchor: None,
                    field: search::Field::Body,
                    text: duties.to_string(),
                }],
            });
        }
    }
    let extract_s = t.elapsed().as_secs_f64();
    drop(sources);
    reset_peak();
    let rss1 = status("VmRSS:");
    let t = Instant::now();
    let cpu = cpu_seconds();
    // The files go to a sink that only counts them (the build's sink writes
    // them to disk): what is measured is the builder's own memory.
    let handed = std::sync::atomic::AtomicU64::new(0);
    let index = search::index::build_from(
        entries.len(),
        |i| std::borrow::Cow::Borrowed(&entries[i]),
        |_, bytes| {
            handed.fetch_add(bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
            Ok::<(), ()>(())
        },
    )
    .expect("a sink that never fails");
    let index_s = t.elapsed().as_secs_f64();
    let index_cpu = cpu_seconds() - cpu;
    let index_peak = status("VmHWM:");
    println!(
        "index: {} pages, {} terms, {} chunks, {} files ({:.1} MB) handed over; tokenize+merge+encode {:.2} s wall, {:.2} s CPU on {} threads, load {} (text extraction + Markdown parse {:.2} s, which the build shares); memory added {} MB (peak {} MB over {} MB before)",
        entries.len(),
        index.terms,
        index.chunks,
        index.files,
        handed.into_inner() as f64 / 1e6,
        index_s,
        index_cpu,
        rayon::current_num_threads(),
        load(),
        extract_s,
        (index_peak.saturating_sub(rss1)) / 1024,
        index_peak / 1024,
        rss1 / 1024
    );
    drop(entries);
    if index_only {
        return;
    }

    // The whole build, in memory.
    reset_peak();
    let rss0 = status("VmRSS:");
    let t = Instant::now();
    let cpu = cpu_seconds();
    let built = match charter::build::build(&charter::build::Options {
        root: root.clone(),
        ..Default::default()
    }) {
        Ok(b) => b,
        Err(e) => panic!("build failed: {e:?}"),
    };
    let build_s = t.elapsed().as_secs_f64();
    let build_cpu = cpu_seconds() - cpu;
    let build_peak = status("VmHWM:");
    println!(
        "build: {} pages, {} roles in {:.2} s wall, {:.2} s CPU, load {}; peak RSS {} MB (from {} MB)",
        built.stats.pages,
        built.stats.roles,
        build_s,
        build_cpu,
        load(),
        build_peak / 1024,
        rss0 / 1024
    );

    // On disk.
    let out = root.join("out");
    charter::output::write(&root, &out, &built.output).expect("write output");
    let mut index_files: Vec<PathBuf> = built
        .output
        .keys()
        .filter(|k| {
            *k == "search/index.js" || k.strip_prefix("search/").is_some_and(|r| r.contains('/'))
        })
        .map(|k| out.join(k))
        .collect();
    index_files.sort();
    let raw: Vec<u64> = index_files
        .iter()
        .map(|p| fs::metadata(p).unwrap().len())
        .collect();
    let gz = gzip_sizes(&index_files);
    let kind = |p: &Path| -> &'static str {
        match p
            .parent()
            .and_then(|d| d.file_name())
            .and_then(|d| d.to_str())
        {
            Some("d") => "dictionary",
            Some("p") => "positions",
            Some("g") => "groups",
            Some("l") => "lists",
            Some("t") => "text",
            _ => "manifest",
        }
    };
    println!("index on disk ({} files):", index_files.len());
    for k in [
        "manifest",
        "groups",
        "dictionary",
        "positions",
        "lists",
        "text",
    ] {
        let (mut c, mut r, mut z, mut maxz) = (0, 0, 0, 0);
        for (i, p) in index_files.iter().enumerate() {
            if kind(p) == k {
                c += 1;
                r += raw[i];
                z += gz[i];
                maxz = maxz.max(gz[i]);
            }
        }
        println!(
            "  {k:<10} {c:>6} files  raw {:>10}  gzipped {:>10}  (largest file gzipped {})",
            kb(r),
            kb(z),
            kb(maxz)
        );
    }
    println!(
        "  total                raw {:>10}  gzipped {:>10}",
        kb(raw.iter().sum()),
        kb(gz.iter().sum())
    );

    // Queries: the most and least common 2-character words among the
    // departments, a middling one, and the issue's queries.
    let mut df: HashMap<String, u32> = HashMap::new();
    for p in &files {
        let s = fs::read_to_string(p).unwrap();
        let chars: Vec<char> = s.chars().collect();
        let mut seen = HashSet::new();
        for w in chars.windows(2) {
            if w.iter()
                .all(|&c| search::tokenize::class(c) == search::tokenize::Class::Cjk)
            {
                seen.insert(w.iter().collect::<String>());
            }
        }
        for b in seen {
            *df.entry(b).or_default() += 1;
        }
    }
    let mut by_df: Vec<(u32, String)> = df.into_iter().map(|(k, v)| (v, k)).collect();
    by_df.sort_by(|a, b| b.cmp(a));
    let mut queries: Vec<String> = vec![by_df[0].1.clone(), by_df[1].1.clone()];
    queries.push(by_df[by_df.len() / 50].1.clone());
    queries.push(by_df[by_df.len() / 4].1.clone());
    for q in [
        "考勤",
        "罚款",
        "安全",
        "易制毒化学品",
        "部门负责人",
        "iso",
        "量子纠缠",
    ] {
        queries.push(q.to_string());
    }
    let harness = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/search/harness.js");
    let run = Command::new("node")
        .arg(&harness)
        .arg(&out)
        .arg("bench")
        .args(&queries)
        .output();
    let Some(run) = run.ok().filter(|r| r.status.success()) else {
        println!("queries: skipped (node not found or the harness failed)");
        return;
    };
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).expect("harness JSON");
    println!(
        "queries (Node {}; files loaded from a cold cache; time once they are loaded, decoding included: median and max of 21 runs; load {}):",
        node_version(),
        load()
    );
    println!(
        "  {:<14} {:>7}  {:>9} {:>9}  {:>10} {:>10}  {:>8} {:>8} {:>10}",
        "query", "pages", "search", "gz", "+top 10", "gz", "ms", "max ms", "+top 10 ms"
    );
    for q in report.as_array().unwrap() {
        let files: Vec<PathBuf> = q["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| out.join(f.as_str().unwrap()))
            .collect();
        let search_n = q["search_files"].as_array().unwrap().len();
        let sizes = gzip_sizes(&files);
        let raw: Vec<u64> = files
            .iter()
            .map(|p| fs::metadata(p).unwrap().len())
            .collect();
        let s_raw: u64 = raw[..search_n].iter().sum();
        let s_gz: u64 = sizes[..search_n].iter().sum();
        println!(
            "  {:<14} {:>7}  {:>9} {:>9}  {:>10} {:>10}  {:>8.2} {:>8.2} {:>10.2}",
            q["q"].as_str().unwrap(),
            q["results"],
            kb(s_raw),
            kb(s_gz),
            kb(raw.iter().sum()),
            kb(sizes.iter().sum()),
            q["warm_ms"].as_f64().unwrap(),
            q["warm_max_ms"].as_f64().unwrap(),
            q["warm_top10_ms"].as_f64().unwrap(),
        );
    }
    println!(
        "  (search = manifest + dictionary and position chunks; +top 10 adds the texts of the first 10 results and their snippets)"
    );
    println!(
        "  search.js itself: {}",
        kb(fs::metadata(out.join("search.js")).unwrap().len())
    );
}

fn node_version() -> String {
    Command::new("node")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
