use charter::search::{self, index, tokenize};
struct Instant(u64);
impl Instant {
    fn now() -> Instant {
        Instant(cpu())
    }
    fn elapsed(&self) -> std::time::Duration {
        std::time::Duration::from_nanos(cpu() - self.0)
    }
}
fn cpu() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}
fn main() {
    let root = std::path::PathBuf::from("/tmp/bench10k/content");
    let mut files = vec![];
    for g in std::fs::read_dir(&root).unwrap() {
        let g = g.unwrap().path();
        if g.is_dir() {
            for f in std::fs::read_dir(&g).unwrap() {
                let f = f.unwrap().path();
                if !f.ends_with("_index.md") {
                    files.push(f);
                }
            }
        }
    }
    files.sort();
    let mut entries = vec![];
    for f in files.iter().take(2500) {
        let s = std::fs::read_to_string(f).unwrap();
        let body = s.splitn(3, "+++").nth(2).unwrap().to_string();
        let a = charter::markdown::analyze(&body);
        let mut blocks = vec![search::Block {
            anchor: None,
            field: search::Field::Title,
            text: "标题".into(),
        }];
        blocks.extend(search::body_blocks(&a));
        entries.push(search::Entry {
            url: "x/".into(),
            title: "t".into(),
            subtitle: String::new(),
            blocks,
        });
    }
    let t = Instant::now();
    let mut q = 0;
    for e in &entries {
        for b in &e.blocks {
            if unicode_normalization::is_nfc_quick(b.text.chars())
                == unicode_normalization::IsNormalized::Yes
            {
                q += 1;
            }
        }
    }
    println!("nfc_quick {:?} {q}", t.elapsed());
    let t = Instant::now();
    for e in &entries {
        for b in &e.blocks {
            q += tokenize::normalize(&b.text).len();
        }
    }
    println!("normalize {:?} {q}", t.elapsed());
    let t = Instant::now();
    for e in &entries {
        for b in &e.blocks {
            q += b.text.chars().count();
        }
    }
    println!("count {:?} {q}", t.elapsed());
    let t = Instant::now();
    let texts: Vec<_> = entries.iter().map(index::page_text).collect();
    println!("page_text {:?}", t.elapsed());
    let t = Instant::now();
    let mut n = 0u64;
    for p in &texts {
        tokenize::for_each_token(&p.text, |_, pos| n += pos as u64);
    }
    println!("tokenize {:?} {}", t.elapsed(), n);
    let t = Instant::now();
    for p in &texts {
        let mut v: Vec<(u64, u32)> = Vec::new();
        tokenize::for_each_token(&p.text, |tk, pos| {
            v.push((
                match tk {
                    tokenize::Tok::Uni(c) => c as u64,
                    tokenize::Tok::Bi(a, b) => (a as u64) << 21 | b as u64,
                    _ => 0,
                },
                pos,
            ))
        });
        v.sort_unstable();
        n += v.len() as u64;
    }
    println!("tokenize+sort tuples {:?}", t.elapsed());
    let t = Instant::now();
    for p in &texts {
        let mut v: Vec<u64> = Vec::new();
        tokenize::for_each_token(&p.text, |tk, pos| {
            v.push(
                (match tk {
                    tokenize::Tok::Uni(c) => c as u64,
                    tokenize::Tok::Bi(a, b) => (a as u64) << 21 | b as u64,
                    _ => 0,
                }) << 21
                    | pos as u64,
            )
        });
        v.sort_unstable();
        n += v.len() as u64;
    }
    println!("tokenize+sort packed {:?}", t.elapsed());
    let t = Instant::now();
    for p in &texts {
        n += serde_json::to_string(&p.text).unwrap().len() as u64;
    }
    println!("json {:?}", t.elapsed());
    let t = Instant::now();
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| {
            let f = index::build(&entries);
            n += f.chunks as u64;
        });
    println!("build 1 thread {:?}", t.elapsed());
}
