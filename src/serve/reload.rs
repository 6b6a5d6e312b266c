//! Live reload over Server-Sent Events on the server's own port: the
//! `/__charter/events` stream and the script injected into served pages.
//!
//! Protocol: on connect the server sends `hello` with the current version
//! (server instance and generation). A page compares it with the version it
//! was served at and reloads if they differ, so a page that missed events,
//! or whose server restarted, catches up as soon as it reconnects. Then each
//! rebuild that changed something sends `reload` (pages changed, or errors
//! came or went) or `css` (only stylesheets changed: the page swaps its
//! `<link rel=stylesheet>` elements and keeps its state). Streams end when
//! the server shuts down, so they never hold the process open.
//!
//! The script marks its own element `data-connected="<version>"` while the
//! stream is open (tests wait for it), scrolls back to where the reader was
//! after a reload, and lets hidden tabs drop their connection.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use tokio::sync::{mpsc, watch};

use super::rebuild::Snapshot;

/// Where pages connect for reload events.
pub const EVENTS_PATH: &str = "/__charter/events";

/// The `<script>` written into every served HTML page, for `version`.
pub fn script(version: &str) -> String {
    // `version` is [0-9a-f-] only; the JSON string keeps that certain.
    let v = serde_json::Value::String(version.to_string()).to_string();
    format!(
        "<script id=\"charter-live-reload\">\n{}</script>\n",
        SCRIPT
            .replace("__VERSION__", &v)
            .replace("__EVENTS__", &format!("\"{EVENTS_PATH}\""))
    )
}

const SCRIPT: &str = r#"(function () {
  "use strict";
  if (!window.EventSource) return;
  var me = document.currentScript;
  var version = __VERSION__;
  var key = "charter-scroll:" + location.pathname;
  var source = null;
  var delay = 250;
  var timer = null;
  try {
    var y = sessionStorage.getItem(key);
    if (y !== null) {
      sessionStorage.removeItem(key);
      var restore = function () { window.scrollTo(0, +y); };
      if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
    }
  } catch (e) {}
  function reload() {
    try { sessionStorage.setItem(key, String(window.scrollY)); } catch (e) {}
    if (source) source.close();
    location.reload();
  }
  function swapStylesheets(v) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (old) {
      var href = old.getAttribute("href");
      if (!href) return;
      var url = new URL(href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("charter", v);
      var link = old.cloneNode(false);
      link.href = url.href;
      var done = function () { if (old.parentNode) old.parentNode.removeChild(old); };
      link.addEventListener("load", done);
      link.addEventListener("error", done);
      old.parentNode.insertBefore(link, old.nextSibling);
    });
  }
  function connect() {
    timer = null;
    if (source) source.close();
    source = new EventSource(__EVENTS__);
    source.addEventListener("hello", function (e) {
      delay = 250;
      if (e.data !== version) return reload();
      if (me) me.setAttribute("data-connected", e.data);
    });
    source.addEventListener("reload", function () { reload(); });
    source.addEventListener("css", function (e) {
      version = e.data;
      swapStylesheets(e.data);
      if (me) me.setAttribute("data-connected", e.data);
    });
    source.onerror = function () {
      if (me) me.removeAttribute("data-connected");
      // The browser retries by itself unless the stream failed for good
      // (e.g. the server was restarting and answered badly): then retry here.
      if (source.readyState === EventSource.CLOSED && !timer) {
        timer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 4000);
      }
    };
  }
  // Hidden tabs let go of their connection (browsers allow few per host)
  // and catch up through `hello` when shown again.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      if (source) { source.close(); source = null; }
    } else if (!source) {
      connect();
    }
  });
  window.addEventListener("pagehide", function () { if (source) source.close(); });
  connect();
})();
"#;

/// A stream of SSE events fed by a task; ends when the task drops its sender.
struct Events {
    rx: mpsc::Receiver<Event>,
}

impl futures_core::Stream for Events {
    type Item = Result<Event, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx).map(|e| e.map(Ok))
    }
}

/// The event stream for one page: `hello`, then `reload` / `css` per
/// change, until the page goes away or the server shuts down.
pub fn events(
    mut site: watch::Receiver<Arc<Snapshot>>,
    mut shutdown: watch::Receiver<bool>,
) -> Sse<impl futures_core::Stream<Item = Result<Event, Infallible>>> {
    let (tx, rx) = mpsc::channel::<Event>(8);
    let first = site.borrow_and_update().clone();
    tokio::spawn(async move {
        let mut seen = first.generation;
        let hello = Event::default()
            .event("hello")
            .retry(Duration::from_millis(500))
            .data(first.version());
        if tx.send(hello).await.is_err() {
            return;
        }
        loop {
            if *shutdown.borrow() {
                return;
            }
            tokio::select! {
                changed = site.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let snap = site.borrow_and_update().clone();
                    if snap.generation == seen {
                        continue;
                    }
                    let kind = if snap.last_reload > seen { "reload" } else { "css" };
                    seen = snap.generation;
                    if tx.send(Event::default().event(kind).data(snap.version())).await.is_err() {
                        return;
                    }
                }
                _ = shutdown.changed() => return,
                _ = tx.closed() => return,
            }
        }
    });
    Sse::new(Events { rx }).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_carries_version_and_endpoint() {
        let s = script("abc-3");
        assert!(s.contains("var version = \"abc-3\";"));
        assert!(s.contains("new EventSource(\"/__charter/events\")"));
        assert!(!s.contains("__VERSION__"));
    }
}
