//! `charter serve` end to end: the real binary on a temporary site and a
//! free port, driven by a small std-only HTTP client. Covers content types,
//! HEAD and 405, edits showing up, the error overlay coming and going, the
//! first build failing, path traversal, oversized headers, SSE events,
//! Ctrl-C with an open event stream, a port in use, and that nothing is
//! ever written into the site. The rebuild-time measurement on a generated
//! 1,000-department site is an ignored test (run it in release mode).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_charter");

const CONFIG: &str = "# serve-test-config-marker: never served\n\
title = \"预览测试\"\n\
base_url = \"https://example.com/handbook/\"\n\
language = \"zh-CN\"\n";

const SAFETY: &str = r#"+++
title = "安全环保部"
id = "safety"
summary = "负责安全施工管理"

[[roles]]
id = "manager"
title = "部门经理"

[[roles]]
id = "officer"
title = "专责安全员"
reports_to = "manager"

[[activities]]
id = "weekly-check"
title = "每周安全检查"
clause = "a2"
raci = { manager = "A", officer = "R", "quality/engineer" = "C" }
+++
## 第一章 总则

第一条 为加强安全管理，制定本制度。ORIGINAL-TEXT

第二条 专责安全员每周组织安全检查，按[[quality]]的要求记录。
"#;

const QUALITY: &str = r#"+++
title = "质量部"
id = "quality"

[[roles]]
id = "engineer"
title = "质量工程师"

[[activities]]
id = "inspection"
title = "质量检查"
raci = { engineer = "A/R" }
+++
第一条 质量工程师负责质量检查。
"#;

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

struct Site {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Site {
    fn new() -> Site {
        let tmp = tempfile::Builder::new()
            .prefix("charter-serve-")
            .tempdir()
            .expect("temp dir");
        let root = tmp.path().join("site");
        let site = Site { _tmp: tmp, root };
        site.write("config.toml", CONFIG);
        site.write(
            "content/_index.md",
            "+++\ntitle = \"首页\"\n+++\n本站发布各部门的职责。\n",
        );
        site.write(
            "content/ops/_index.md",
            "+++\ntitle = \"运营\"\nweight = 10\n+++\n运营类部门。\n",
        );
        site.write("content/ops/safety.md", SAFETY);
        site.write("content/ops/quality.md", QUALITY);
        site
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let p = self.root.join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}");
        std::fs::write(p, text.replacen(from, to, 1)).unwrap();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `charter serve`; killed on drop if still running.
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

fn drain(mut r: impl Read + Send + 'static, log: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            log.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
}

impl Server {
    fn spawn(root: &Path, port: u16, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(["--port", &port.to_string()])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run charter serve");
        let log = Arc::new(Mutex::new(String::new()));
        drain(child.stdout.take().unwrap(), log.clone());
        drain(child.stderr.take().unwrap(), log.clone());
        Server { child, port, log }
    }

    /// Starts the server and waits until it answers.
    fn start(root: &Path) -> Server {
        let mut s = Server::spawn(root, free_port(), &[]);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = s.child.try_wait() {
                panic!("charter serve exited with {status}:\n{}", s.log());
            }
            if get(s.port, "/").is_ok() {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "server did not answer:\n{}",
                s.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn get(&self, path: &str) -> Resp {
        get(self.port, path).unwrap_or_else(|e| panic!("GET {path}: {e}\n{}", self.log()))
    }

    /// Polls `path` until `pred` holds (rebuilds are debounced and take time).
    fn wait_for(&self, path: &str, what: &str, pred: impl Fn(&Resp) -> bool) -> Resp {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let r = self.get(path);
            if pred(&r) {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} at {path}; last response {} {}\nserver log:\n{}",
                r.status,
                r.text(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn interrupt(&self) {
        let ok = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -INT failed");
    }

    fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return Some(st);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[derive(Debug)]
struct Resp {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw request bytes and reads the whole response (the request should say `Connection: close`).
fn raw(port: u16, request: &[u8]) -> std::io::Result<Resp> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    s.write_all(request)?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no response head in {buf:?}")))?;
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))?;
    Ok(Resp {
        status,
        head,
        body: buf[split + 4..].to_vec(),
    })
}

fn request(port: u16, method: &str, path: &str) -> std::io::Result<Resp> {
    raw(
        port,
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
}

fn get(port: u16, path: &str) -> std::io::Result<Resp> {
    request(port, "GET", path)
}

/// An open `/__charter/events` stream.
struct Events {
    stream: TcpStream,
    seen: String,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .write_all(
                format!("GET /__charter/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n")
                    .as_bytes(),
            )
            .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut e = Events {
            stream,
            seen: String::new(),
        };
        let head = e.wait_for("event: hello", Duration::from_secs(10));
        assert!(head.contains("text/event-stream"), "{head}");
        e
    }

    /// Reads until `needle` appears after what was consumed before; returns
    /// the text up to it and consumes it.
    fn wait_for(&mut self, needle: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        let mut buf = [0u8; 4096];
        loop {
            if let Some(i) = self.seen.find(needle) {
                let upto = self.seen[..i + needle.len()].to_string();
                self.seen.drain(..i + needle.len());
                return upto;
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} in event stream; got {:?}",
                self.seen
            );
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("event stream closed; got {:?}", self.seen),
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(_) => {}
            }
        }
    }
}

fn assert_no_output_folder(site: &Site) {
    assert!(
        !site.root.join("output").exists(),
        "serve created an output/ folder"
    );
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn serves_pages_with_content_types_head_and_405() {
    let site = Site::new();
    let s = Server::start(&site.root);

    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(
        home.text().contains("/__charter/events"),
        "no reload script"
    );
    assert!(!home.text().contains("charter-overlay"));

    let page = s.get("/ops/safety/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("ORIGINAL-TEXT"));
    // Served under base_url's path too (404.html links there).
    assert!(
        s.get("/handbook/ops/safety/")
            .text()
            .contains("ORIGINAL-TEXT")
    );
    // A folder without its slash is redirected (relative links need it).
    let redirect = s.get("/ops/safety");
    assert_eq!(redirect.status, 302);
    assert_eq!(redirect.header("location").as_deref(), Some("/ops/safety/"));
    let redirect = s.get("/handbook");
    assert_eq!(redirect.status, 302);
    assert_eq!(redirect.header("location").as_deref(), Some("/handbook/"));

    let css = s.get("/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(
        css.header("content-type").as_deref(),
        Some("text/css; charset=utf-8")
    );
    let csv = s.get("/ops/safety/matrix.csv");
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert!(!csv.text().contains("__charter"), "script in a CSV");

    let head = request(s.port, "HEAD", "/ops/safety/").unwrap();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD sent a body");
    assert_eq!(
        head.header("content-length"),
        Some(page.body.len().to_string())
    );
    assert_eq!(head.header("content-type"), page.header("content-type"));

    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let r = request(s.port, method, "/").unwrap();
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow").as_deref(), Some("GET, HEAD"));
    }

    let missing = s.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let built_404 = std::fs::read_to_string(built_output(&site).join("404.html")).unwrap();
    let title = built_404
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap();
    assert!(missing.text().contains(title), "404 is not 404.html");

    assert_no_output_folder(&site);
}

/// `charter build` into a folder outside the site: the script never reaches it.
fn built_output(site: &Site) -> PathBuf {
    let out = site.root.parent().unwrap().join("built");
    let st = Command::new(BIN)
        .arg("build")
        .arg("--root")
        .arg(&site.root)
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert!(st.status.success(), "{st:?}");
    for entry in walk(&out) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("__charter") && !text.contains("charter-overlay"),
            "build output {} holds serve's script",
            entry.display()
        );
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn an_edit_shows_up() {
    let site = Site::new();
    let s = Server::start(&site.root);
    assert!(s.get("/ops/safety/").text().contains("ORIGINAL-TEXT"));
    site.edit("content/ops/safety.md", "ORIGINAL-TEXT", "EDITED-TEXT");
    let r = s.wait_for("/ops/safety/", "the edit", |r| {
        r.text().contains("EDITED-TEXT")
    });
    assert!(!r.text().contains("ORIGINAL-TEXT"));
    // A new charter shows up too.
    site.write(
        "content/ops/new-dept.md",
        "+++\ntitle = \"新部门\"\n+++\n第一条 NEW-DEPT-TEXT\n",
    );
    s.wait_for("/ops/new-dept/", "a new page", |r| {
        r.status == 200 && r.text().contains("NEW-DEPT-TEXT")
    });
    // Editor temp files are ignored (no rebuild, no error).
    site.write("content/ops/.safety.md.swp", "garbage");
    site.write("content/ops/safety.md~", "garbage");
    site.write("content/ops/4913", "");
    std::thread::sleep(Duration::from_millis(500));
    assert!(!s.get("/").text().contains("charter-overlay"));
    assert_no_output_folder(&site);
}

#[test]
fn a_bad_edit_brings_the_overlay_and_a_fix_removes_it() {
    let site = Site::new();
    let s = Server::start(&site.root);
    site.edit(
        "content/ops/safety.md",
        "reports_to = \"manager\"",
        "reports_to = \"manger<x>\"",
    );
    let line = SAFETY
        .lines()
        .position(|l| l.starts_with("reports_to"))
        .unwrap()
        + 1;
    let r = s.wait_for("/ops/safety/", "the overlay", |r| {
        r.text().contains("charter-overlay")
    });
    let html = r.text();
    assert_eq!(r.status, 200);
    assert!(
        html.contains(&format!("content/ops/safety.md:{line}:")),
        "overlay without file:line: {html}"
    );
    assert!(html.contains("manger&lt;x&gt;"), "not escaped: {html}");
    assert!(!html.contains("manger<x>"), "not escaped");
    assert!(html.contains("help:"), "no help line");
    // The last good build is still served underneath.
    assert!(html.contains("ORIGINAL-TEXT"));
    // Every page shows it, the 404 page too.
    assert!(s.get("/").text().contains("charter-overlay"));
    assert!(s.get("/nope/").text().contains("charter-overlay"));
    // Not stylesheets.
    assert!(!s.get("/style.css").text().contains("charter-overlay"));

    site.edit(
        "content/ops/safety.md",
        "reports_to = \"manger<x>\"",
        "reports_to = \"manager\"",
    );
    s.wait_for("/ops/safety/", "the overlay to go", |r| {
        !r.text().contains("charter-overlay")
    });
    assert!(!s.get("/").text().contains("charter-overlay"));
    assert_no_output_folder(&site);
}

#[test]
fn a_first_build_with_errors_serves_the_overlay_until_fixed() {
    let site = Site::new();
    site.edit(
        "content/ops/safety.md",
        "reports_to = \"manager\"",
        "reports_to = \"nobody\"",
    );
    let s = Server::start(&site.root);
    for path in ["/", "/ops/safety/", "/anything/at/all"] {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        let html = r.text();
        assert!(html.contains("charter-overlay"), "{path}: {html}");
        assert!(html.contains("content/ops/safety.md:"), "{path}");
        assert!(html.contains("/__charter/events"), "{path}: no script");
    }
    site.edit(
        "content/ops/safety.md",
        "reports_to = \"nobody\"",
        "reports_to = \"manager\"",
    );
    let r = s.wait_for("/ops/safety/", "the real page", |r| {
        r.text().contains("ORIGINAL-TEXT")
    });
    assert!(!r.text().contains("charter-overlay"));
    assert_no_output_folder(&site);
}

#[test]
fn traversal_and_malformed_paths_never_leak_files() {
    let site = Site::new();
    let s = Server::start(&site.root);
    let attempts: &[&[u8]] = &[
        b"/../config.toml",
        b"/%2e%2e/config.toml",
        b"/%2E%2E/%2E%2E/config.toml",
        b"/..%2fconfig.toml",
        b"/..%2Fconfig.toml",
        b"/a\\..\\config.toml",
        b"/a%5c..%5cconfig.toml",
        b"//etc/passwd",
        b"/../../../../etc/passwd",
        b"/ops/../../config.toml",
        b"/./config.toml",
        b"/config.toml",
        b"/content/ops/safety.md",
        b"/%00",
        b"/a%00.html",
        b"/%ff%fe",
        b"/%zz",
        b"/%",
        b"http://127.0.0.1/../config.toml",
        b"*",
        b"/\xff\xfe",
    ];
    for target in attempts {
        let mut req = b"GET ".to_vec();
        req.extend_from_slice(target);
        req.extend_from_slice(
            format!(
                " HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                s.port
            )
            .as_bytes(),
        );
        let shown = String::from_utf8_lossy(target);
        let r = raw(s.port, &req).unwrap_or_else(|e| panic!("{shown}: {e}"));
        assert!(
            r.status == 404 || r.status == 400,
            "{shown}: got {}",
            r.status
        );
        let text = r.text();
        assert!(
            !text.contains("serve-test-config-marker"),
            "{shown} leaked config.toml"
        );
        assert!(!text.contains("root:x:0:0"), "{shown} leaked /etc/passwd");
        assert!(!text.contains("reports_to"), "{shown} leaked a source file");
    }
    // The server is still fine.
    assert_eq!(s.get("/").status, 200);
    assert_no_output_folder(&site);
}

#[test]
fn oversized_headers_get_431() {
    let site = Site::new();
    let s = Server::start(&site.root);
    let big = "x".repeat(20 * 1024);
    let r = raw(
        s.port,
        format!(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Big: {big}\r\nConnection: close\r\n\r\n",
            s.port
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(r.status, 431);
    // Many smaller headers adding up to more than 16 KiB too.
    let mut req = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n", s.port);
    for i in 0..40 {
        req.push_str(&format!("X-H{i}: {}\r\n", "y".repeat(500)));
    }
    req.push_str("Connection: close\r\n\r\n");
    assert_eq!(raw(s.port, req.as_bytes()).unwrap().status, 431);
    // A Host that is not this machine (DNS rebinding) is refused.
    let r = raw(
        s.port,
        b"GET / HTTP/1.1\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(s.get("/").status, 200);
}

/// Reads from `stream` until the server closes it (or sends a response),
/// returning how long that took, or `None` if it was still open at `limit`.
fn time_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 1024];
    while start.elapsed() < limit {
        match stream.read(&mut buf) {
            Ok(_) => return Some(start.elapsed()),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return Some(start.elapsed()),
        }
    }
    None
}

#[test]
fn slow_clients_are_timed_out_and_do_not_block_others() {
    let site = Site::new();
    let s = Server::start(&site.root);
    // A client that sends half a request line and then nothing.
    let mut stalled = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    stalled
        .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0")
        .unwrap();
    // One that dribbles a header byte every 300 ms, never finishing.
    let mut dribbler = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    dribbler.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    let port = s.port;
    let dribbling = std::thread::spawn(move || {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if dribbler.write_all(b"X").is_err() {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(300));
            dribbler
                .set_read_timeout(Some(Duration::from_millis(1)))
                .unwrap();
            let mut b = [0u8; 64];
            match dribbler.read(&mut b) {
                Ok(_) => return Some(start.elapsed()),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => return Some(start.elapsed()),
            }
        }
        None
    });
    // Meanwhile other readers are served at once.
    for _ in 0..5 {
        assert_eq!(get(port, "/").unwrap().status, 200);
    }
    let stalled_for = time_until_closed(&mut stalled, Duration::from_secs(15))
        .expect("a client that never finishes its headers must be disconnected");
    assert!(
        stalled_for < Duration::from_secs(10),
        "stalled client held its connection for {stalled_for:?}"
    );
    let dribbled_for = dribbling
        .join()
        .unwrap()
        .expect("a client dribbling its headers must be disconnected");
    assert!(
        dribbled_for < Duration::from_secs(10),
        "dribbling client held its connection for {dribbled_for:?}"
    );
    assert_eq!(s.get("/").status, 200);
}

#[test]
fn events_tell_pages_to_reload_or_swap_stylesheets() {
    let site = Site::new();
    let s = Server::start(&site.root);
    let mut events = Events::open(s.port);
    // A stylesheet-only change: `css`, no reload.
    let theme_css = s.get("/style.css").text();
    site.write(
        "static/style.css",
        &format!("{theme_css}\nbody {{ color: #123456; }}\n"),
    );
    let got = events.wait_for("event: css", Duration::from_secs(30));
    assert!(!got.contains("event: reload"), "{got}");
    s.wait_for("/style.css", "the new stylesheet", |r| {
        r.text().contains("#123456")
    });
    // A page change: `reload`.
    site.edit("content/ops/safety.md", "ORIGINAL-TEXT", "RELOAD-TEXT");
    events.wait_for("event: reload", Duration::from_secs(30));
    // An error: `reload` (to show the overlay), and again when fixed.
    site.edit(
        "content/ops/safety.md",
        "reports_to = \"manager\"",
        "reports_to = \"x\"",
    );
    events.wait_for("event: reload", Duration::from_secs(30));
    site.edit(
        "content/ops/safety.md",
        "reports_to = \"x\"",
        "reports_to = \"manager\"",
    );
    events.wait_for("event: reload", Duration::from_secs(30));
    assert_no_output_folder(&site);
}

#[test]
fn sigint_stops_the_server_within_two_seconds_with_an_event_stream_open() {
    let site = Site::new();
    let mut s = Server::start(&site.root);
    let _events = Events::open(s.port);
    let _events2 = Events::open(s.port);
    // An idle keep-alive connection, too.
    let mut idle = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    idle.write_all(format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", s.port).as_bytes())
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    s.interrupt();
    let status = s.wait_exit(Duration::from_secs(2));
    let took = started.elapsed();
    let status = status.unwrap_or_else(|| panic!("still running after {took:?}:\n{}", s.log()));
    assert!(status.success(), "exit {status}:\n{}", s.log());
    assert!(site.root.join("content/ops/safety.md").is_file());
    assert_no_output_folder(&site);
}

#[test]
fn sigterm_stops_the_server_too() {
    let site = Site::new();
    let mut s = Server::start(&site.root);
    let _events = Events::open(s.port);
    let ok = Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    assert!(
        s.wait_exit(Duration::from_secs(2)).is_some(),
        "still running:\n{}",
        s.log()
    );
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let site = Site::new();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut s = Server::spawn(&site.root, port, &[]);
    let status = s
        .wait_exit(Duration::from_secs(60))
        .expect("serve should give up on a taken port");
    assert_eq!(status.code(), Some(2));
    std::thread::sleep(Duration::from_millis(100));
    let log = s.log();
    assert!(log.contains("in use"), "{log}");
    assert!(log.contains("--port"), "{log}");
    drop(taken);
}

#[test]
fn a_root_without_config_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Server::spawn(tmp.path(), free_port(), &[]);
    let status = s.wait_exit(Duration::from_secs(30)).expect("should exit");
    assert_eq!(status.code(), Some(2));
    assert!(!tmp.path().join("output").exists());
}

#[test]
fn poll_mode_sees_edits() {
    let site = Site::new();
    let port = free_port();
    let mut s = Server::spawn(&site.root, port, &["--poll"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while get(port, "/").is_err() {
        assert!(s.child.try_wait().unwrap().is_none(), "{}", s.log());
        assert!(Instant::now() < deadline, "{}", s.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    site.edit(
        "content/ops/quality.md",
        "质量检查。",
        "质量检查。POLLED-TEXT",
    );
    s.wait_for("/ops/quality/", "the polled edit", |r| {
        r.text().contains("POLLED-TEXT")
    });
}

// ---------------------------------------------------------------------------
// Rebuild time (run: cargo test --release --test serve -- --ignored --nocapture)
// ---------------------------------------------------------------------------

/// Writes a site with `n` departments in groups of 50, each with four roles,
/// five activities and ten articles that link to a neighbour.
fn generate(root: &Path, n: usize) {
    let w = |rel: String, text: String| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("config.toml".into(), CONFIG.into());
    w(
        "content/_index.md".into(),
        "+++\ntitle = \"首页\"\n+++\n生成的站点。\n".into(),
    );
    for g in 0..n.div_ceil(50) {
        w(
            format!("content/g{g}/_index.md"),
            format!("+++\ntitle = \"第{g}事业部\"\nweight = {g}\n+++\n事业部 {g}。\n"),
        );
    }
    for d in 0..n {
        let g = d / 50;
        let next = (d + 1) % n;
        let mut t = format!(
            "+++\ntitle = \"部门{d}\"\nid = \"d{d}\"\nsummary = \"负责事项{d}\"\n\n\
[[roles]]\nid = \"head\"\ntitle = \"部门{d}经理\"\n\n\
[[roles]]\nid = \"deputy\"\ntitle = \"副经理\"\nreports_to = \"head\"\n\n\
[[roles]]\nid = \"clerk\"\ntitle = \"文员\"\nreports_to = \"deputy\"\n\n\
[[roles]]\nid = \"officer\"\ntitle = \"专责\"\nreports_to = \"head\"\n"
        );
        for a in 1..=5 {
            t.push_str(&format!(
                "\n[[activities]]\nid = \"act{a}\"\ntitle = \"工作{a}\"\nclause = \"a{a}\"\n\
raci = {{ head = \"A\", officer = \"R\", clerk = \"C\", deputy = \"I\", \"d{next}/head\" = \"I\" }}\n"
            ));
        }
        t.push_str("+++\n## 第一章 总则\n\n");
        for a in 1..=10 {
            let n = chinese(a);
            t.push_str(&format!(
                "第{n}条 本部门负责第{a}项工作，工作中应当遵守安全、质量和保密的要求，\
按[[d{next}#a1]]的规定与相关部门配合，做好记录并按时上报。\n\n"
            ));
        }
        w(format!("content/g{g}/d{d}.md"), t);
    }
}

fn chinese(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => D[n].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[n - 10]),
        _ => n.to_string(),
    }
}

fn time_rebuilds(root: &Path, edit: &Path, label: &str) {
    use charter::serve::rebuild::{Change, Rebuilder};
    let mut r = Rebuilder::new(charter::build::Options {
        root: root.to_path_buf(),
        base_url: None,
        drafts: false,
    });
    let first = r.rebuild(&[]);
    assert!(!first.failed, "{:?}", first.diagnostics.first());
    let mut times = Vec::new();
    let mut changed = Vec::new();
    for i in 0..7 {
        let text = std::fs::read_to_string(root.join(edit)).unwrap();
        std::fs::write(root.join(edit), format!("{text}\n第二十条 修订{i}。\n")).unwrap();
        let o = r.rebuild(&[edit.to_path_buf()]);
        assert!(!o.failed, "{:?}", o.diagnostics.first());
        assert_eq!(o.change, Change::Pages);
        times.push(o.took.as_secs_f64() * 1000.0);
        changed.push(o.files_changed);
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "{label}: first build {:.0} ms ({} pages); one-charter rebuilds {:?} ms, median {:.0} ms; output files changed per rebuild {:?}",
        first.took.as_secs_f64() * 1000.0,
        first.pages,
        times.iter().map(|t| t.round() as u64).collect::<Vec<_>>(),
        sorted[sorted.len() / 2],
        changed
    );
}

#[test]
#[ignore = "measurement; run in release mode with --ignored --nocapture"]
fn rebuild_time() {
    let tmp = tempfile::tempdir().unwrap();
    let example = tmp.path().join("example");
    std::fs::create_dir_all(&example).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("config.toml"), example.join("config.toml")).unwrap();
    copy_dir(&repo.join("content"), &example.join("content"));
    time_rebuilds(
        &example,
        Path::new("content/construction/safety.md"),
        "example site",
    );
    let big = tmp.path().join("big");
    generate(&big, 1000);
    time_rebuilds(&big, Path::new("content/g7/d350.md"), "1,000 departments");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}
