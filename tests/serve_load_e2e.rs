//! `charter serve` under load and abuse (issue 7), from a second process
//! on loopback: 200 concurrent connections for 10 s from Debian's `wrk`
//! with no errors and flat memory; oversized headers, invalid UTF-8 and
//! NUL in paths, and slow clients get a 4xx or a timeout, never a crash;
//! edits that arrive while a rebuild runs are never lost.
//!
//! Runs only with `CHARTER_E2E=1` (`.ci/run` installs wrk); otherwise it
//! says SKIPPED, loudly.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{BIN, copy_dir, repo_root};

fn enabled(test: &str) -> bool {
    if std::env::var("CHARTER_E2E").is_ok_and(|v| v == "1") {
        return true;
    }
    eprintln!("\n\n*** SKIPPED {test} (set CHARTER_E2E=1; needs wrk: apt-get install wrk) ***\n");
    false
}

/// `wrk`, installed with apt-get when it is missing and we may.
fn wrk() -> Option<PathBuf> {
    let find = || {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("wrk"))
                .find(|p| p.is_file())
        })
    };
    if let Some(p) = find() {
        return Some(p);
    }
    let apt = |args: &[&str]| {
        let _ = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    };
    let install = ["install", "-y", "-qq", "--no-install-recommends", "wrk"];
    apt(&install);
    if find().is_none() {
        apt(&["update", "-qq"]);
        apt(&install);
    }
    find()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A copy of the example site in a temporary folder.
struct Site {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Site {
    fn example() -> Site {
        let tmp = tempfile::Builder::new()
            .prefix("charter-load-")
            .tempdir()
            .unwrap();
        let root = tmp.path().join("site");
        copy_dir(&repo_root().join("content"), &root.join("content"));
        std::fs::copy(repo_root().join("config.toml"), root.join("config.toml")).unwrap();
        Site { _tmp: tmp, root }
    }
}

/// A running `charter serve`; killed on drop.
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(root: &Path) -> Server {
        let port = free_port();
        let mut child = Command::new(BIN)
            .args(["serve", "--root"])
            .arg(root)
            .args(["--port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run charter serve");
        let log = Arc::new(Mutex::new(String::new()));
        for r in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut r = r;
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
        let s = Server { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        while get(port, "/").is_err() {
            s.assert_alive("starting");
            assert!(Instant::now() < deadline, "no answer:\n{}", s.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    #[track_caller]
    fn assert_alive(&self, after: &str) {
        let alive = Path::new(&format!("/proc/{}", self.child.id())).exists()
            && !std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
                .unwrap_or_default()
                .contains("State:\tZ");
        assert!(alive, "charter serve died after {after}:\n{}", self.log());
    }

    /// Resident memory in kB.
    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("read /proc/<pid>/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .expect("VmRSS")
    }

    /// The server answers a normal request, quickly.
    #[track_caller]
    fn assert_serving(&self, after: &str) {
        self.assert_alive(after);
        let t = Instant::now();
        let r = get(self.port, "/index.html")
            .unwrap_or_else(|e| panic!("no answer after {after}: {e}\n{}", self.log()));
        assert_eq!(r.status, 200, "after {after}");
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "slow answer after {after}: {:?}",
            t.elapsed()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Resp {
    status: u16,
    body: String,
}

/// Sends raw bytes and reads the answer: Ok(None) if the server closed
/// the connection without one.
fn raw(port: u16, request: &[u8], wait: Duration) -> std::io::Result<Option<Resp>> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(wait))?;
    s.write_all(request)?;
    let mut buf = Vec::new();
    match s.read_to_end(&mut buf) {
        Ok(_) => {}
        Err(e)
            if buf.is_empty()
                && matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
                ) =>
        {
            return Ok(None);
        }
        Err(e) if !buf.is_empty() => {
            let _ = e;
        }
        Err(e) => return Err(e),
    }
    if buf.is_empty() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok(Some(Resp { status, body }))
}

fn get(port: u16, path: &str) -> std::io::Result<Resp> {
    let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    raw(port, req.as_bytes(), Duration::from_secs(10))?
        .ok_or_else(|| std::io::Error::other("closed without an answer"))
}

/// The numbers wrk prints.
#[derive(Debug, Default)]
struct WrkStats {
    requests: u64,
    socket_errors: u64,
    timeouts: u64,
    non_2xx: u64,
}

fn parse_wrk(out: &str) -> WrkStats {
    let mut s = WrkStats::default();
    for line in out.lines() {
        let l = line.trim();
        if l.contains(" requests in ") {
            s.requests = l
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
        } else if let Some(rest) = l.strip_prefix("Socket errors:") {
            // connect 0, read 0, write 0, timeout 0
            for part in rest.split(',') {
                let mut w = part.split_whitespace();
                let (Some(kind), Some(n)) =
                    (w.next(), w.next().and_then(|n| n.parse::<u64>().ok()))
                else {
                    continue;
                };
                if kind == "timeout" {
                    s.timeouts += n;
                } else {
                    s.socket_errors += n;
                }
            }
        } else if let Some(rest) = l.strip_prefix("Non-2xx or 3xx responses:") {
            s.non_2xx = rest.trim().parse().unwrap_or(u64::MAX);
        }
    }
    s
}

const PAGE: &str = "/construction/safety/index.html";

#[test]
fn two_hundred_connections_for_ten_seconds_with_flat_memory() {
    if !enabled("two_hundred_connections_for_ten_seconds_with_flat_memory") {
        return;
    }
    let Some(wrk) = wrk() else {
        panic!("CHARTER_E2E=1 but wrk is not installed and apt-get could not install it");
    };
    let site = Site::example();
    let server = Server::start(&site.root);
    assert_eq!(get(server.port, PAGE).unwrap().status, 200);
    // Warm up (first requests fill caches), then measure.
    for _ in 0..50 {
        get(server.port, PAGE).unwrap();
    }
    let before = server.rss_kb();
    let url = format!("http://127.0.0.1:{}{PAGE}", server.port);
    let out = Command::new(&wrk)
        .args([
            "-t2",
            "-c200",
            "-d10s",
            "--timeout",
            "5s",
            "--latency",
            &url,
        ])
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{text}");
    assert!(
        out.status.success(),
        "wrk failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats = parse_wrk(&text);
    server.assert_serving("200 connections for 10 s");
    std::thread::sleep(Duration::from_millis(500));
    let after = server.rss_kb();
    eprintln!(
        "wrk: {stats:?}; server RSS {} MB before, {} MB after",
        before / 1024,
        after / 1024
    );
    assert!(stats.requests > 1000, "too few requests: {stats:?}");
    assert_eq!(stats.non_2xx, 0, "non-2xx responses: {text}");
    assert!(
        stats.socket_errors + stats.timeouts <= stats.requests / 1000 + 5,
        "socket errors or timeouts: {stats:?}\n{text}"
    );
    assert!(
        after < 2 * before + 50 * 1024,
        "memory grew: {before} kB → {after} kB"
    );
}

#[test]
fn malformed_requests_and_slow_clients_get_4xx_or_a_timeout() {
    if !enabled("malformed_requests_and_slow_clients_get_4xx_or_a_timeout") {
        return;
    }
    let site = Site::example();
    let server = Server::start(&site.root);
    let port = server.port;
    let host = format!("Host: 127.0.0.1:{port}\r\n");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "a 64 KB header",
            format!(
                "GET / HTTP/1.1\r\n{host}X-Big: {}\r\n\r\n",
                "a".repeat(64 << 10)
            )
            .into_bytes(),
        ),
        (
            "a 1 MB header",
            format!(
                "GET / HTTP/1.1\r\n{host}X-Big: {}\r\n\r\n",
                "a".repeat(1 << 20)
            )
            .into_bytes(),
        ),
        (
            "5,000 headers",
            format!("GET / HTTP/1.1\r\n{host}{}\r\n", "X-A: b\r\n".repeat(5000)).into_bytes(),
        ),
        (
            "a 100 KB path",
            format!("GET /{} HTTP/1.1\r\n{host}\r\n", "a".repeat(100 << 10)).into_bytes(),
        ),
        (
            "percent-encoded invalid UTF-8",
            format!("GET /%FF%FE/index.html HTTP/1.1\r\n{host}\r\n").into_bytes(),
        ),
        ("raw invalid UTF-8", {
            let mut r = b"GET /\xff\xfe/index.html HTTP/1.1\r\n".to_vec();
            r.extend_from_slice(host.as_bytes());
            r.extend_from_slice(b"\r\n");
            r
        }),
        (
            "percent-encoded NUL",
            format!("GET /index.html%00.css HTTP/1.1\r\n{host}\r\n").into_bytes(),
        ),
        ("raw NUL", {
            let mut r = b"GET /index\0.html HTTP/1.1\r\n".to_vec();
            r.extend_from_slice(host.as_bytes());
            r.extend_from_slice(b"\r\n");
            r
        }),
        (
            "a traversal",
            format!("GET /../../../../etc/passwd HTTP/1.1\r\n{host}\r\n").into_bytes(),
        ),
        (
            "an encoded traversal",
            format!("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n{host}\r\n").into_bytes(),
        ),
        (
            "garbage",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n".to_vec(),
        ),
        (
            "a bad method",
            format!("BREW / HTTP/1.1\r\n{host}\r\n").into_bytes(),
        ),
        (
            "a body on GET with a huge length",
            format!("GET / HTTP/1.1\r\n{host}Content-Length: 99999999999\r\n\r\nabc").into_bytes(),
        ),
    ];
    for (what, req) in &cases {
        let answer = raw(port, req, Duration::from_secs(10));
        match answer {
            Ok(Some(r)) => {
                assert!(
                    (400..500).contains(&r.status)
                        || r.status == 200 && *what == "a body on GET with a huge length",
                    "{what}: status {} {}",
                    r.status,
                    r.body.chars().take(200).collect::<String>()
                );
                assert!(!r.body.contains("root:"), "{what}: leaked a file");
                eprintln!("{what}: {}", r.status);
            }
            Ok(None) => eprintln!("{what}: connection closed without an answer"),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                eprintln!("{what}: no answer within 10 s (client timeout)")
            }
            Err(e) => eprintln!("{what}: {e}"),
        }
        server.assert_serving(what);
    }

    // Slow clients: 100 connections that send half a request and wait.
    let mut slow = Vec::new();
    for i in 0..100 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let half = if i % 2 == 0 {
            format!("GET /index.html HTTP/1.1\r\n{host}")
        } else {
            "GET /inde".to_string()
        };
        s.write_all(half.as_bytes()).unwrap();
        slow.push(s);
    }
    // Meanwhile everybody else is served.
    for _ in 0..20 {
        server.assert_serving("100 half-sent requests");
    }
    // The server gives a client 5 s to send its headers.
    std::thread::sleep(Duration::from_secs(7));
    let mut answered = 0;
    let mut closed = 0;
    let mut waiting = 0;
    for s in &mut slow {
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let mut buf = [0u8; 64];
        match s.read(&mut buf) {
            Ok(0) => closed += 1,
            Ok(_) => {
                let head = String::from_utf8_lossy(&buf);
                let status: u16 = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0);
                assert!((400..500).contains(&status), "a half request got {head:?}");
                answered += 1;
            }
            Err(_) => waiting += 1,
        }
    }
    eprintln!(
        "slow clients after 7 s: {answered} answered 4xx, {closed} closed, {waiting} still waiting"
    );
    assert_eq!(
        waiting, 0,
        "half-sent requests must be timed out by the server ({answered} answered, {closed} closed)"
    );
    // Half a request, then the client goes away: nothing breaks.
    for s in &slow {
        let _ = s.shutdown(Shutdown::Both);
    }
    drop(slow);
    server.assert_serving("slow clients going away");
}

/// Appends a marker line to the charter's body.
fn write_marker(path: &Path, base: &str, marker: &str) {
    std::fs::write(path, format!("{base}\n第九十九条 {marker}\n")).unwrap();
}

#[test]
fn edits_arriving_during_a_rebuild_are_never_lost() {
    if !enabled("edits_arriving_during_a_rebuild_are_never_lost") {
        return;
    }
    let site = Site::example();
    // A big charter makes every rebuild take a while, so edits land inside one.
    let mut big = String::from("+++\ntitle = \"大章程\"\nid = \"big\"\n+++\n");
    for n in 1..=20_000 {
        big.push_str(&format!(
            "第{n}条 各部门应当认真执行本制度，做好记录并按月汇总上报。\n"
        ));
    }
    std::fs::write(site.root.join("content/big.md"), big).unwrap();
    let server = Server::start(&site.root);
    let file = site.root.join("content/construction/safety.md");
    let base = std::fs::read_to_string(&file).unwrap();
    let page_has = |marker: &str| {
        get(server.port, PAGE)
            .map(|r| r.body.contains(marker))
            .unwrap_or(false)
    };
    // Time one rebuild, to aim the second edit into the middle of the next.
    write_marker(&file, &base, "标记-0");
    let t = Instant::now();
    while !page_has("标记-0") {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "first edit never showed:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let cycle = t.elapsed();
    eprintln!("an edit shows up after {cycle:?} (debounce + rebuild)");
    let gaps = [
        Duration::from_millis(20),
        Duration::from_millis(20),
        cycle / 2,
        cycle * 3 / 4,
        cycle,
    ];
    for (round, gap) in gaps.iter().enumerate() {
        let first = format!("标记-{round}-A");
        let second = format!("标记-{round}-B");
        write_marker(&file, &base, &first);
        std::thread::sleep(*gap);
        write_marker(&file, &base, &second);
        let t = Instant::now();
        while !page_has(&second) {
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "round {round} (second edit {gap:?} after the first): the page never showed the second edit; lost during a rebuild?\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // And it stays: no late rebuild of the first edit overwrites it.
        std::thread::sleep(cycle + Duration::from_millis(500));
        assert!(
            page_has(&second),
            "round {round}: the second edit was replaced"
        );
        eprintln!(
            "round {round}: second edit {gap:?} after the first: shown after {:?}",
            t.elapsed()
        );
    }
    server.assert_serving("the edits");
}
