//! `charter serve`: a live preview. Builds the site in memory, serves it
//! over HTTP (never writing to disk), watches the inputs, rebuilds on each
//! debounced batch of changes, and tells open pages to reload (or to swap
//! stylesheets) over SSE; while the content has errors the last good build
//! is served with an error overlay on every page.
//!
//! Threads: the tokio runtime serves HTTP; one plain thread owns the
//! watcher and the [`rebuild::Rebuilder`] and publishes each new
//! [`rebuild::Snapshot`] through a `watch` channel that handlers and event
//! streams read. Ctrl-C or SIGTERM closes the event streams and stops the
//! server within a bounded time.

pub mod http;
pub mod overlay;
pub mod rebuild;
pub mod reload;
pub mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use tokio::sync::watch as tokio_watch;

use crate::build::{self, Failure};
use crate::diagnostics::{self, Diagnostic};
use rebuild::{Change, Outcome, Rebuilder, Snapshot};

/// The port `serve` uses unless told otherwise.
pub const DEFAULT_PORT: u16 = 1111;
/// How long shutdown may wait for open connections before it stops anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1200);

#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// Address or host name to listen on.
    pub bind: String,
    /// `None`: [`DEFAULT_PORT`], or the next free one if it is taken.
    pub port: Option<u16>,
    pub drafts: bool,
    /// Poll the files instead of relying on native change events.
    pub poll: bool,
}

/// Runs the preview server until Ctrl-C or SIGTERM. `Err` is a usage
/// problem (unusable root, address in use), for exit code 2.
pub fn serve(opts: &Options) -> Result<(), String> {
    // An unusable root is a usage error; content errors only mean an overlay.
    if let Err(Failure::Usage(msg)) = build::load_config(&opts.root, None) {
        return Err(msg);
    }
    crate::keep_freed_memory();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .thread_name("charter-serve")
        .build()
        .map_err(|e| format!("cannot start the server runtime: {e}"))?;
    let result = runtime.block_on(run(opts));
    // Event-stream tasks may still be parked; do not wait for them.
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}

async fn run(opts: &Options) -> Result<(), String> {
    // Listen for Ctrl-C and SIGTERM before anything can answer a request.
    let mut signals = Signals::new()?;
    let mut rebuilder = Rebuilder::new(build::Options {
        root: opts.root.clone(),
        base_url: None,
        drafts: opts.drafts,
    });
    let first = rebuilder.rebuild(&[]);
    report(&first, true);
    let listener = bind(&opts.bind, opts.port).await?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the server address: {e}"))?;
    let snapshot = rebuilder.snapshot();
    let base_path = snapshot.base_path.clone();
    let (site_tx, site_rx) = tokio_watch::channel(Arc::new(snapshot));
    let (stop_tx, stop_rx) = tokio_watch::channel(false);

    let (batch_tx, batch_rx) = mpsc::channel();
    let watcher = match watch::Watcher::start(rebuilder.root(), opts.poll, batch_tx) {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!(
                "warning: cannot watch {} for changes ({e}); pages will not update{}",
                opts.root.display(),
                if opts.poll { "" } else { " (try --poll)" }
            );
            None
        }
    };
    std::thread::Builder::new()
        .name("charter-rebuild".into())
        .spawn(move || rebuild_loop(rebuilder, watcher, batch_rx, site_tx))
        .map_err(|e| format!("cannot start the rebuild thread: {e}"))?;

    let url = format!("http://{}/", display_addr(addr));
    println!(
        "serving {} at {url}{} (Ctrl-C to stop)",
        opts.root.display(),
        if base_path != "/" {
            format!(" and {}{}", url.trim_end_matches('/'), base_path)
        } else {
            String::new()
        }
    );
    if !addr.ip().is_loopback() {
        println!(
            "note: listening on {}, so other machines can see this preview",
            addr.ip()
        );
    }
    let state = http::AppState {
        site: site_rx,
        shutdown: stop_rx.clone(),
        loopback_only: addr.ip().is_loopback(),
    };
    let app = http::router(state);
    let server = tokio::spawn(accept_loop(listener, app, stop_rx.clone()));
    signals.recv().await;
    println!("stopping");
    let _ = stop_tx.send(true);
    match tokio::time::timeout(SHUTDOWN_GRACE, server).await {
        Ok(_) => {}
        Err(_) => eprintln!("note: closed connections that were still open"),
    }
    Ok(())
}

/// How long a client may take to send its request headers before the
/// connection is closed (a slow or stalled client must not hold a
/// connection, and its task, for ever).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Accepts connections until `stop` turns true, then lets the open ones
/// finish (event streams end by themselves on `stop`). Each connection is
/// HTTP/1 with a header-read timeout, which `axum::serve` does not set.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    mut stop: tokio_watch::Receiver<bool>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => break,
        };
        let (stream, _) = match accepted {
            Ok(pair) => pair,
            // Too many open files and the like: wait a little, keep serving.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // Errors here are the client's (reset, timeout, bad request).
            let _ = conn.await;
        });
    }
    graceful.shutdown().await;
}

/// Binds `host:port`; with no port given, takes the next free one after a taken default.
async fn bind(host: &str, port: Option<u16>) -> Result<tokio::net::TcpListener, String> {
    let tries = if port.is_some() { 1 } else { 20 };
    let first = port.unwrap_or(DEFAULT_PORT);
    for i in 0..tries {
        let p = first.saturating_add(i);
        match tokio::net::TcpListener::bind((host, p)).await {
            Ok(l) => {
                if i > 0 {
                    println!("port {first} is in use; using port {p} instead");
                }
                return Ok(l);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(format!("cannot listen on {host}:{p}: {e}")),
        }
    }
    if port.is_some() {
        let suggestion = free_port(host, first).await;
        return Err(format!(
            "port {first} on {host} is already in use (another `charter serve`?); {}",
            match suggestion {
                Some(p) => format!("try `--port {p}`, or leave out --port to pick a free one"),
                None => "try another --port".to_string(),
            }
        ));
    }
    Err(format!(
        "ports {first}–{} on {host} are all in use; choose one with --port",
        first.saturating_add(tries - 1)
    ))
}

async fn free_port(host: &str, after: u16) -> Option<u16> {
    for p in after.checked_add(1)?..after.saturating_add(50) {
        if tokio::net::TcpListener::bind((host, p)).await.is_ok() {
            return Some(p);
        }
    }
    None
}

fn display_addr(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => a.to_string(),
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}

/// Ctrl-C (SIGINT) and SIGTERM, registered as soon as this is created.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Signals, String> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let err = |e: std::io::Error| format!("cannot listen for Ctrl-C: {e}");
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt()).map_err(err)?,
                terminate: signal(SignalKind::terminate()).map_err(err)?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The rebuild thread: waits for batches, coalesces what piled up during a
/// build, rebuilds, reports and publishes.
fn rebuild_loop(
    mut rebuilder: Rebuilder,
    mut watcher: Option<watch::Watcher>,
    batches: mpsc::Receiver<watch::Batch>,
    site: tokio_watch::Sender<Arc<Snapshot>>,
) {
    while let Ok(first) = batches.recv() {
        let mut changed: Vec<PathBuf> = Vec::new();
        let mut rescan = false;
        for batch in std::iter::once(first).chain(batches.try_iter()) {
            match batch {
                watch::Batch::Changed(paths) => changed.extend(paths),
                watch::Batch::Rescan(why) => {
                    eprintln!("warning: {why}; rebuilding everything");
                    rescan = true;
                }
            }
        }
        if changed.is_empty() && !rescan {
            continue;
        }
        changed.sort();
        changed.dedup();
        if let Some(w) = watcher.as_mut() {
            w.refresh(&changed);
        }
        // An empty list means "everything" to the rebuilder.
        let outcome = rebuilder.rebuild(if rescan { &[] } else { &changed });
        let shown: Vec<String> = changed
            .iter()
            .take(3)
            .map(|p| diagnostics::display_path(p))
            .collect();
        let more = changed.len().saturating_sub(shown.len());
        if !changed.is_empty() {
            println!(
                "change: {}{}",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        report(&outcome, false);
        if outcome.change != Change::None && site.send(Arc::new(rebuilder.snapshot())).is_err() {
            return;
        }
        // The search index after the pages: the reload does not wait for it.
        if outcome.search_pending
            && let Some(took) = rebuilder.finish_search()
        {
            println!(
                "search index rebuilt in {:.0} ms",
                took.as_secs_f64() * 1000.0
            );
            if site.send(Arc::new(rebuilder.snapshot())).is_err() {
                return;
            }
        }
    }
}

/// Prints what a build did: its time and changes, or its diagnostics.
fn report(o: &Outcome, first: bool) {
    let ms = o.took.as_secs_f64() * 1000.0;
    if o.failed {
        print_diagnostics(&o.diagnostics);
        let errors = diagnostics::count_errors(&o.diagnostics);
        eprintln!(
            "error: {} failed in {ms:.0} ms with {errors} error{}; {}",
            if first { "build" } else { "rebuild" },
            if errors == 1 { "" } else { "s" },
            if first {
                "pages show the errors until they are fixed"
            } else {
                "pages show the errors over the last good build"
            }
        );
        return;
    }
    if first || o.change != Change::None {
        print_diagnostics(&o.diagnostics);
    }
    let what = match &o.change {
        _ if first => format!("{} pages", o.pages),
        Change::None => "no output changed".to_string(),
        Change::Css(files) => format!("stylesheets changed: {}", files.join(", ")),
        Change::Pages => format!(
            "{} output file{} added, removed or changed; reloading pages",
            o.files_changed,
            if o.files_changed == 1 { "" } else { "s" }
        ),
    };
    println!(
        "{} in {ms:.0} ms: {what}",
        if first { "built" } else { "rebuilt" }
    );
}

fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{}", diagnostics::render_human(d));
    }
}
