//! The example site published for real (issue 8): built with a umask of
//! 077 (files must still be 0644 and folders 0755, readable by the web
//! server's user), served by Debian's nginx under `/handbook/` as the docs
//! recommend, and crawled from the home page with a small HTTP/1.1 client:
//! every link and asset answers 200 with the right content type and
//! charset, every `#fragment` exists in its target, every page is
//! reachable, precompressed files are served to clients that accept gzip,
//! and a missing page gets the site's 404 page, whose links (rooted at
//! base_url's path) work too. The same crawl runs over the files on disk,
//! resolving links as a browser does for `file://`.
//!
//! The nginx test runs only with `CHARTER_E2E=1` (`.ci/run` installs nginx
//! and sets it); the disk crawl and the permission check always run.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const BASE_URL: &str = "https://intranet.example.com/handbook/";
const PREFIX: &str = "/handbook/";

fn e2e() -> bool {
    std::env::var("CHARTER_E2E").is_ok_and(|v| v == "1")
}

/// A copy of the example site (config.toml, content/, static/ and
/// templates/ if any) with `[build] precompress = true`, built with a
/// umask of 077 into `<tmp>/www/handbook`; `<tmp>` and `www` are made
/// world-traversable so that the web server's user can reach the output.
struct Built {
    tmp: tempfile::TempDir,
    out: PathBuf,
}

fn build_example() -> Built {
    let tmp = tempfile::Builder::new()
        .prefix("charter-publish-")
        .tempdir()
        .unwrap();
    let site = tmp.path().join("site");
    let repo = repo_root();
    std::fs::create_dir_all(&site).unwrap();
    let config = read(&repo.join("config.toml"));
    std::fs::write(
        site.join("config.toml"),
        format!("{config}\n[build]\nprecompress = true\n"),
    )
    .unwrap();
    for dir in ["content", "static", "templates"] {
        if repo.join(dir).is_dir() {
            copy_dir(&repo.join(dir), &site.join(dir));
        }
    }
    let www = tmp.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    #[cfg(unix)]
    for p in [tmp.path(), www.as_path()] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = www.join("handbook");
    let run = umask_077_build(&site, &out);
    run.success();
    assert_eq!(run.diagnostics(), vec![], "{run}");
    Built { tmp, out }
}

/// `sh -c 'umask 077; charter build …'`.
fn umask_077_build(site: &Path, out: &Path) -> Run {
    let o = Command::new("sh")
        .arg("-c")
        .arg("umask 077; exec \"$0\" build --root \"$1\" --output \"$2\" --base-url \"$3\" --format json")
        .arg(BIN)
        .arg(site)
        .arg(out)
        .arg(BASE_URL)
        .output()
        .expect("run sh");
    Run {
        args: vec!["(umask 077) build".into()],
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

// ---------------------------------------------------------------------------
// Permissions
// ---------------------------------------------------------------------------

#[cfg(unix)]
fn modes(out: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut bad = Vec::new();
    let mut check = |p: &Path, want: u32| {
        let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        if mode != want {
            bad.push(format!("{} is {mode:o}, not {want:o}", p.display()));
        }
    };
    check(out, 0o755);
    for e in walkdir(out) {
        check(&e, if e.is_dir() { 0o755 } else { 0o644 });
    }
    bad
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.push(p.clone());
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[cfg(unix)]
#[test]
fn output_is_world_readable_whatever_the_umask() {
    let built = build_example();
    let bad = modes(&built.out);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(built.out.join("index.html.gz").is_file());

    // A rebuild that changes, adds and removes files, still under umask 077.
    let site = built.tmp.path().join("site");
    let safety = site.join("content/construction/safety.md");
    let text = read(&safety);
    std::fs::write(&safety, text.replacen("第一条", "第一条 ", 1)).unwrap();
    std::fs::create_dir_all(site.join("static/forms/new")).unwrap();
    std::fs::write(site.join("static/forms/new/form.csv"), "a,b\n").unwrap();
    let run = umask_077_build(&site, &built.out);
    run.success();
    assert!(run.summary().written > 0, "{run}");
    let bad = modes(&built.out);
    assert!(bad.is_empty(), "after a rebuild:\n{}", bad.join("\n"));
}

// ---------------------------------------------------------------------------
// The crawler
// ---------------------------------------------------------------------------

/// One fetched resource.
struct Resource {
    status: u16,
    content_type: Option<String>,
    content_encoding: Option<String>,
    body: Vec<u8>,
}

/// What a crawl found.
#[derive(Default)]
struct Crawl {
    /// Fetched URL (without fragment) → content type (HTTP) or None (disk).
    fetched: BTreeMap<String, Option<String>>,
    /// HTML pages → their ids.
    ids: BTreeMap<String, BTreeSet<String>>,
    problems: Vec<String>,
    links: usize,
}

/// Content type a web server must send for an output file, by extension.
fn expected_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    Some(match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "application/javascript; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "text/xml; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "gz" => "application/octet-stream",
        _ => return None,
    })
}

/// Resolves `href` (no fragment) against the URL path `base` (both
/// percent-encoded, `/`-separated); None if it climbs above `/`.
fn resolve(base: &str, href: &str) -> Option<String> {
    let href = href.split('?').next().unwrap_or("");
    if href.is_empty() {
        return Some(base.to_string());
    }
    let joined = if href.starts_with('/') {
        href.to_string()
    } else {
        format!("{}{}", &base[..=base.rfind('/')?], href)
    };
    let mut parts: Vec<&str> = Vec::new();
    let segs: Vec<&str> = joined.split('/').collect();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        match *seg {
            "" if i == 0 => {}
            "." => {
                if last {
                    parts.push("");
                }
            }
            ".." => {
                parts.pop()?;
                if last {
                    parts.push("");
                }
            }
            s => parts.push(s),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Crawls from `start` (an absolute URL path) with `fetch`, following
/// every `href`, `src` and form `action` that is not external.
fn crawl(start: &str, fetch: &mut dyn FnMut(&str) -> Result<Resource, String>) -> Crawl {
    let mut c = Crawl::default();
    let mut queue: VecDeque<String> = VecDeque::from([start.to_string()]);
    let mut seen: BTreeSet<String> = BTreeSet::from([start.to_string()]);
    let mut fragments: Vec<(String, String, String)> = Vec::new(); // (from, target, fragment)
    while let Some(url) = queue.pop_front() {
        let r = match fetch(&url) {
            Ok(r) => r,
            Err(e) => {
                c.problems.push(format!("{url}: {e}"));
                continue;
            }
        };
        if r.status != 200 {
            c.problems.push(format!("{url}: status {}", r.status));
            continue;
        }
        let is_html = url.ends_with('/') || url.ends_with(".html");
        c.fetched.insert(url.clone(), r.content_type.clone());
        if !is_html {
            continue;
        }
        let html = match String::from_utf8(r.body) {
            Ok(h) => h,
            Err(_) => {
                c.problems.push(format!("{url}: not UTF-8"));
                continue;
            }
        };
        let head = &html.as_bytes()[..html.len().min(1024)];
        if !head.windows(22).any(|w| w == b"<meta charset=\"utf-8\">") {
            c.problems.push(format!(
                "{url}: no <meta charset=\"utf-8\"> in the first 1024 bytes (file:// has no headers)"
            ));
        }
        c.ids.insert(url.clone(), ids(&html).into_iter().collect());
        let targets = tags(&html).into_iter().flat_map(|t| {
            t.attrs
                .into_iter()
                .filter(|(n, _)| n == "href" || n == "src" || n == "action")
                .map(|(_, v)| v)
        });
        for href in targets {
            if is_external(&href) {
                continue;
            }
            c.links += 1;
            let (path, fragment) = match href.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (href.as_str(), None),
            };
            let Some(target) = resolve(&url, path) else {
                c.problems
                    .push(format!("{url}: `{href}` climbs above the root"));
                continue;
            };
            if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                fragments.push((url.clone(), target.clone(), percent_decode(f)));
            }
            if seen.insert(target.clone()) {
                queue.push_back(target);
            }
        }
    }
    for (from, target, f) in fragments {
        match c.ids.get(&target) {
            Some(ids) if ids.contains(&f) => {}
            Some(_) => c
                .problems
                .push(format!("{from}: no id=\"{f}\" on {target}")),
            None if c.fetched.contains_key(&target) => c
                .problems
                .push(format!("{from}: #{f} on {target}, which is not HTML")),
            None => {} // the target itself failed and is reported
        }
    }
    c
}

/// Every page (HTML file) of the output, as URL paths under `prefix`.
fn output_pages(out: &Path, prefix: &str) -> BTreeSet<String> {
    tree(out)
        .into_keys()
        .filter(|p| p.ends_with(".html"))
        .map(|p| format!("{prefix}{}", encode(&p)))
        .collect()
}

/// Percent-encodes a relative output path as the site's hrefs do (non-ASCII
/// and reserved bytes; `/` kept).
fn encode(p: &str) -> String {
    let mut s = String::new();
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// Pages the crawl did not reach, `404.html` excepted (and `index.html`
/// of the root, reached as the folder itself over HTTP).
fn unreached(crawl: &Crawl, pages: &BTreeSet<String>, prefix: &str) -> Vec<String> {
    let reached: BTreeSet<String> = crawl
        .fetched
        .keys()
        .map(|u| {
            if u.ends_with('/') {
                format!("{u}index.html")
            } else {
                u.clone()
            }
        })
        .collect();
    pages
        .iter()
        .filter(|p| **p != format!("{prefix}404.html") && !reached.contains(*p))
        .cloned()
        .collect()
}

// ---------------------------------------------------------------------------
// The crawl over files (file://)
// ---------------------------------------------------------------------------

#[test]
fn example_site_crawls_clean_from_disk() {
    let built = build_example();
    let root = built.out.clone();
    // URL paths are "/" + the output-relative path, percent-encoded.
    let mut fetch = |url: &str| -> Result<Resource, String> {
        let rel = percent_decode(url.trim_start_matches('/'));
        let path = root.join(&rel);
        if path.is_dir() {
            return Err("names a folder: from file:// that is a directory listing".into());
        }
        let body = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Resource {
            status: 200,
            content_type: None,
            content_encoding: None,
            body,
        })
    };
    let c = crawl("/index.html", &mut fetch);
    eprintln!("disk crawl: {} files, {} links", c.fetched.len(), c.links);
    assert!(
        c.links > 500,
        "only {} links: is the crawl working?",
        c.links
    );
    assert!(c.problems.is_empty(), "{}", c.problems.join("\n"));
    let missed = unreached(&c, &output_pages(&built.out, "/"), "/");
    assert!(missed.is_empty(), "pages no link reaches: {missed:?}");
    for must in [
        "/print/index.html",
        "/changes/index.html",
        "/style.css",
        "/search.js",
    ] {
        assert!(c.fetched.contains_key(must), "{must} not reached");
    }
}

// ---------------------------------------------------------------------------
// nginx
// ---------------------------------------------------------------------------

/// A foreground nginx with its own configuration, stopped on drop.
struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Nginx {
    /// The server block the docs recommend (docs/ci.md), under `/handbook/`.
    fn start(out: &Path, dir: &Path) -> Nginx {
        let mut last_err = String::new();
        for _attempt in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let is_root = Command::new("id")
                .arg("-u")
                .output()
                .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
            let t = |name: &str| dir.join(name).display().to_string();
            let conf = format!(
                r#"{user}daemon off;
master_process on;
worker_processes 1;
pid {pid};
error_log {err} warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    types {{ text/csv csv; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/css application/javascript image/svg+xml text/csv text/xml application/xml application/json;
    gzip_static on;
    access_log {access};
    client_body_temp_path {body};
    proxy_temp_path {proxy};
    fastcgi_temp_path {fastcgi};
    uwsgi_temp_path {uwsgi};
    scgi_temp_path {scgi};
    server {{
        listen 127.0.0.1:{port};
        location {PREFIX} {{
            alias {out}/;
            error_page 404 {PREFIX}404.html;
        }}
    }}
}}
"#,
                // As root, the workers drop to the web server's user: the
                // output must be readable by it, not just by root.
                user = if is_root { "user www-data;\n" } else { "" },
                pid = t("nginx.pid"),
                err = t("error.log"),
                access = t("access.log"),
                body = t("body"),
                proxy = t("proxy"),
                fastcgi = t("fastcgi"),
                uwsgi = t("uwsgi"),
                scgi = t("scgi"),
                out = out.display(),
            );
            let conf_path = dir.join("nginx.conf");
            std::fs::write(&conf_path, &conf).unwrap();
            let child = Command::new("nginx")
                .arg("-p")
                .arg(dir)
                .arg("-e")
                .arg(dir.join("error.log"))
                .arg("-c")
                .arg(&conf_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start nginx (install it: apt-get install nginx)");
            let mut server = Nginx {
                child,
                port,
                dir: dir.to_path_buf(),
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(status)) = server.child.try_wait() {
                    last_err = format!(
                        "nginx exited with {status}:\n{}",
                        std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
                    );
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return server;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if last_err.is_empty() {
                last_err = "nginx did not listen within 10 s".into();
            }
            server.stop();
        }
        panic!("cannot start nginx: {last_err}");
    }

    fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        // TERM to the master stops its workers too; KILL would orphan them.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Result<Resource, String> {
        http_get(self.port, path, headers)
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `GET path HTTP/1.1` with `Connection: close`; reads the whole answer.
fn http_get(port: u16, path: &str, headers: &[(&str, &str)]) -> Result<Resource, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut body = raw[end + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or(format!("bad status line {status_line:?}"))?;
    let mut hs: BTreeMap<String, String> = BTreeMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            hs.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    if hs.get("transfer-encoding").is_some_and(|v| v == "chunked") {
        body = dechunk(&body)?;
    } else if let Some(n) = hs
        .get("content-length")
        .and_then(|n| n.parse::<usize>().ok())
        && body.len() != n
    {
        return Err(format!("{} bytes, Content-Length {n}", body.len()));
    }
    Ok(Resource {
        status,
        content_type: hs.get("content-type").cloned(),
        content_encoding: hs.get("content-encoding").cloned(),
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk")?;
        let size_str = String::from_utf8_lossy(&b[..nl]);
        let size = usize::from_str_radix(size_str.split(';').next().unwrap().trim(), 16)
            .map_err(|e| e.to_string())?;
        b = &b[nl + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(b.get(..size).ok_or("short chunk")?);
        b = b.get(size + 2..).ok_or("short chunk")?;
    }
}

#[test]
fn nginx_serves_the_example_site_under_a_sub_path() {
    if !e2e() {
        eprintln!(
            "\n\n*** SKIPPED nginx_serves_the_example_site_under_a_sub_path \
             (set CHARTER_E2E=1 and install nginx) ***\n"
        );
        return;
    }
    let built = build_example();
    let dir = built.tmp.path().join("nginx");
    std::fs::create_dir_all(&dir).unwrap();
    let server = Nginx::start(&built.out, &dir);

    // Crawl from the home page as a reader types it.
    let mut fetch = |url: &str| server.get(url, &[]);
    let c = crawl(PREFIX, &mut fetch);
    eprintln!(
        "nginx crawl: {} resources, {} links",
        c.fetched.len(),
        c.links
    );
    let mut problems = c.problems.clone();
    assert!(
        c.links > 500,
        "only {} links: is the crawl working?",
        c.links
    );
    for (url, ct) in &c.fetched {
        let file = if url.ends_with('/') {
            "index.html"
        } else {
            url.as_str()
        };
        if let Some(want) = expected_type(file)
            && ct.as_deref() != Some(want)
        {
            problems.push(format!("{url}: Content-Type {ct:?}, expected {want:?}"));
        }
    }
    let missed = unreached(&c, &output_pages(&built.out, PREFIX), PREFIX);
    if !missed.is_empty() {
        problems.push(format!("pages no link reaches: {missed:?}"));
    }

    // Every file of the output answers 200 with its type, including those
    // only scripts load (the search index) and the precompressed copies.
    let files = tree(&built.out);
    for (rel, bytes) in &files {
        if rel == ".charter-output" {
            continue;
        }
        let url = format!("{PREFIX}{}", encode(rel));
        match server.get(&url, &[]) {
            Ok(r) if r.status == 200 => {
                if &r.body != bytes {
                    problems.push(format!("{url}: body differs from the file"));
                }
                if let Some(want) = expected_type(rel)
                    && r.content_type.as_deref() != Some(want)
                {
                    problems.push(format!(
                        "{url}: Content-Type {:?}, expected {want:?}",
                        r.content_type
                    ));
                }
            }
            Ok(r) => problems.push(format!("{url}: status {}", r.status)),
            Err(e) => problems.push(format!("{url}: {e}")),
        }
    }

    // gzip_static: a client that accepts gzip gets the .gz file as it is.
    let mut gz_checked = 0;
    for (rel, bytes) in &files {
        let Some(src) = rel.strip_suffix(".gz") else {
            continue;
        };
        let url = format!("{PREFIX}{}", encode(src));
        match server.get(&url, &[("Accept-Encoding", "gzip")]) {
            Ok(r) if r.status == 200 => {
                gz_checked += 1;
                if r.content_encoding.as_deref() != Some("gzip") || &r.body != bytes {
                    problems.push(format!(
                        "{url}: with Accept-Encoding: gzip, got encoding {:?} and {} bytes, not {rel}",
                        r.content_encoding,
                        r.body.len()
                    ));
                }
                if let Some(want) = expected_type(src)
                    && r.content_type.as_deref() != Some(want)
                {
                    problems.push(format!("{url} (gzip): Content-Type {:?}", r.content_type));
                }
            }
            Ok(r) => problems.push(format!("{url} (gzip): status {}", r.status)),
            Err(e) => problems.push(format!("{url} (gzip): {e}")),
        }
    }
    assert!(gz_checked > 100, "only {gz_checked} precompressed files");

    // A missing page at any depth gets the site's 404 page, and its links
    // (rooted at base_url's path) answer 200.
    match server.get(&format!("{PREFIX}no/such/page/"), &[]) {
        Ok(r) => {
            assert_eq!(r.status, 404);
            assert_eq!(r.body, files["404.html"], "the site's 404.html");
            let html = String::from_utf8(r.body).unwrap();
            let mut n = 0;
            for href in urls(&html) {
                if is_external(&href) || href.starts_with('#') {
                    continue;
                }
                n += 1;
                let path = href.split('#').next().unwrap();
                if !path.starts_with(PREFIX) {
                    problems.push(format!("404.html: `{href}` is not rooted at {PREFIX}"));
                    continue;
                }
                match server.get(path, &[]) {
                    Ok(r) if r.status == 200 => {}
                    Ok(r) => problems.push(format!("404.html: `{href}`: status {}", r.status)),
                    Err(e) => problems.push(format!("404.html: `{href}`: {e}")),
                }
            }
            assert!(n > 5, "404.html has only {n} links");
        }
        Err(e) => problems.push(format!("404: {e}")),
    }

    let log = server.error_log();
    drop(server);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}\n--- nginx error log ---\n{log}",
        problems.len(),
        problems[..problems.len().min(60)].join("\n")
    );
}

#[test]
fn resolve_follows_browser_rules() {
    assert_eq!(
        resolve("/handbook/", "a/b/index.html").unwrap(),
        "/handbook/a/b/index.html"
    );
    assert_eq!(
        resolve("/handbook/a/b/index.html", "../../index.html").unwrap(),
        "/handbook/index.html"
    );
    assert_eq!(resolve("/handbook/a/", "./").unwrap(), "/handbook/a/");
    assert_eq!(
        resolve("/handbook/a/x.html", "").unwrap(),
        "/handbook/a/x.html"
    );
    assert_eq!(
        resolve("/handbook/a/x.html", "?q=1").unwrap(),
        "/handbook/a/x.html"
    );
    assert_eq!(
        resolve("/handbook/x.html", "/handbook/y.html").unwrap(),
        "/handbook/y.html"
    );
    assert_eq!(resolve("/x.html", "../../y.html"), None);
}
