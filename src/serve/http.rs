//! The HTTP side of `serve`: one axum handler that answers GET and HEAD
//! from the in-memory output (never from the file system), with the right
//! content types, `index.html` for folders, `404.html` for misses, the
//! reload script and error overlay written into HTML, and the request
//! checks: 405 for other methods, 431 for oversized headers, 400/404 for
//! paths that are malformed or try to leave the output (`..`, encoded
//! slashes, backslashes, NUL, empty segments).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use super::overlay;
use super::rebuild::Snapshot;
use super::reload;

/// Request headers larger than this (names and values) get 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Request targets longer than this get 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub site: watch::Receiver<Arc<Snapshot>>,
    pub shutdown: watch::Receiver<bool>,
    /// Check the Host header (DNS-rebinding guard) when bound to loopback.
    pub loopback_only: bool,
}

pub fn router(state: AppState) -> Router {
    Router::new().fallback(handle).with_state(state)
}

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed: bad percent-escape, invalid UTF-8, encoded separators, NUL.
    BadRequest,
    /// Well-formed but can never name a file of the output (`..`, `//`).
    NotFound,
}

/// Turns the raw (percent-encoded) request path into the segments of an
/// output path. A trailing slash gives a last empty segment.
pub fn segments(raw: &str) -> Result<Vec<String>, Refusal> {
    let Some(rest) = raw.strip_prefix('/') else {
        return Err(Refusal::BadRequest);
    };
    if raw.contains('\\') {
        return Err(Refusal::BadRequest);
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let last = parts.len() - 1;
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let seg = percent_decode(part).ok_or(Refusal::BadRequest)?;
        if seg.chars().any(|c| c == '/' || c == '\\' || c.is_control()) {
            return Err(Refusal::BadRequest);
        }
        if seg == "." || seg == ".." || (seg.is_empty() && i != last) {
            return Err(Refusal::NotFound);
        }
        out.push(seg);
    }
    Ok(out)
}

/// Decodes `%XX` escapes; `None` for a broken escape or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The content type for an output path, by extension (text is UTF-8).
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "zip" => "application/zip",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => "application/octet-stream",
    }
}

fn is_html(path: &str) -> bool {
    matches!(content_type(path), "text/html; charset=utf-8")
}

fn plain(status: StatusCode, text: &str) -> Response {
    let mut r = (status, format!("{text}\n")).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn headers_size(headers: &HeaderMap) -> usize {
    headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum()
}

/// Hosts a page on a loopback server may be asked for: IP literals and
/// localhost (anything else is a DNS-rebinding attempt).
fn host_allowed(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST) else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    if let Some(rest) = host.strip_prefix('[') {
        return rest
            .split_once(']')
            .is_some_and(|(ip, _)| ip.parse::<std::net::Ipv6Addr>().is_ok());
    }
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let name = name.to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost") || name.parse::<std::net::IpAddr>().is_ok()
}

async fn handle(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if headers_size(&headers) > MAX_HEADER_BYTES {
        return plain(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request headers too large",
        );
    }
    if uri.path_and_query().map_or(0, |p| p.as_str().len()) > MAX_URI_BYTES {
        return plain(StatusCode::URI_TOO_LONG, "request path too long");
    }
    if state.loopback_only && !host_allowed(&headers) {
        return plain(StatusCode::BAD_REQUEST, "unexpected Host header");
    }
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if uri.path() == reload::EVENTS_PATH {
        if method == Method::HEAD {
            let mut r = StatusCode::OK.into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            );
            return r;
        }
        return reload::events(state.site.clone(), state.shutdown.clone()).into_response();
    }
    let snap = state.site.borrow().clone();
    let mut r = match segments(uri.path()) {
        Ok(segs) => serve_path(&snap, &segs, &uri),
        Err(Refusal::BadRequest) => plain(StatusCode::BAD_REQUEST, "malformed request path"),
        Err(Refusal::NotFound) => not_found(&snap),
    };
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// The script (and, while the build is broken, the overlay) for a served page.
fn page_extra(snap: &Snapshot) -> String {
    let mut extra = String::new();
    if snap.failed() {
        extra.push_str(&overlay::render(&snap.errors));
    }
    extra.push_str(&reload::script(&snap.version()));
    extra
}

fn respond(status: StatusCode, path: &str, bytes: &[u8], snap: &Snapshot) -> Response {
    let body = if is_html(path) {
        Body::from(overlay::inject(bytes, &page_extra(snap)))
    } else {
        Body::from(bytes.to_vec())
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    r
}

fn html(status: StatusCode, page: String) -> Response {
    let mut r = Response::new(Body::from(page));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

fn not_found(snap: &Snapshot) -> Response {
    match snap.output.as_ref().map(|o| o.get("404.html")) {
        Some(Some(b)) => respond(StatusCode::NOT_FOUND, "404.html", b, snap),
        Some(None) => html(
            StatusCode::NOT_FOUND,
            format!(
                "<!doctype html>\n<title>404</title>\n<p>404 not found</p>\n{}",
                page_extra(snap)
            ),
        ),
        None => html(
            StatusCode::NOT_FOUND,
            overlay::minimal_page(&page_extra(snap)),
        ),
    }
}

fn serve_path(snap: &Snapshot, segs: &[String], uri: &Uri) -> Response {
    let Some(output) = snap.output.as_ref() else {
        // No good build yet: every page shows the overlay.
        let last = segs.last().map(String::as_str).unwrap_or("");
        if last.is_empty() || !last.contains('.') || is_html(last) {
            return html(StatusCode::OK, overlay::minimal_page(&page_extra(snap)));
        }
        return not_found(snap);
    };
    let base: Vec<String> = snap
        .base_path
        .split('/')
        .filter(|s| !s.is_empty())
        .filter_map(percent_decode)
        .collect();
    let mut candidates: Vec<&[String]> = vec![segs];
    if !base.is_empty() && segs.len() > base.len() && segs[..base.len()] == base[..] {
        candidates.push(&segs[base.len()..]);
    }
    if !base.is_empty() && segs == &base[..] {
        return redirect_to_folder(uri);
    }
    for segs in candidates {
        let joined = segs.join("/");
        let key = if joined.is_empty() || joined.ends_with('/') {
            format!("{joined}index.html")
        } else {
            joined.clone()
        };
        if let Some(bytes) = output.get(key.as_str()) {
            return respond(StatusCode::OK, &key, bytes, snap);
        }
        // A folder asked for without its slash: relative links need it.
        if !joined.is_empty() && output.contains_key(format!("{joined}/index.html").as_str()) {
            return redirect_to_folder(uri);
        }
    }
    not_found(snap)
}

/// `/a/b` → `/a/b/` (the path was checked: it cannot start with `//`).
fn redirect_to_folder(uri: &Uri) -> Response {
    let mut location = format!("{}/", uri.path());
    if let Some(q) = uri.query() {
        location.push('?');
        location.push_str(q);
    }
    match HeaderValue::from_str(&location) {
        Ok(v) => {
            let mut r = StatusCode::FOUND.into_response();
            r.headers_mut().insert(header::LOCATION, v);
            r
        }
        Err(_) => plain(StatusCode::BAD_REQUEST, "malformed request path"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_refuse_traversal_and_malformed_paths() {
        let ok = |p: &str| segments(p).map(|s| s.join("/"));
        assert_eq!(ok("/"), Ok(String::new()));
        assert_eq!(ok("/a/b/"), Ok("a/b/".into()));
        assert_eq!(ok("/%E5%AE%89.html"), Ok("安.html".into()));
        assert_eq!(segments("/../config.toml"), Err(Refusal::NotFound));
        assert_eq!(segments("/%2e%2e/config.toml"), Err(Refusal::NotFound));
        assert_eq!(segments("/a/./b"), Err(Refusal::NotFound));
        assert_eq!(segments("//etc/passwd"), Err(Refusal::NotFound));
        assert_eq!(segments("/..%2fconfig.toml"), Err(Refusal::BadRequest));
        assert_eq!(segments("/a%5c..%5cconfig.toml"), Err(Refusal::BadRequest));
        assert_eq!(segments("/a\\..\\config.toml"), Err(Refusal::BadRequest));
        assert_eq!(segments("/a%00b"), Err(Refusal::BadRequest));
        assert_eq!(segments("/%zz"), Err(Refusal::BadRequest));
        assert_eq!(segments("/%e5%ae"), Err(Refusal::BadRequest));
        assert_eq!(segments("/%"), Err(Refusal::BadRequest));
        assert_eq!(segments("relative"), Err(Refusal::BadRequest));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("x/matrix.csv"), "text/csv; charset=utf-8");
        assert_eq!(
            content_type("org/chart.svg"),
            "image/svg+xml; charset=utf-8"
        );
        assert_eq!(content_type("files/form.PDF"), "application/pdf");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn hosts() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::HOST, HeaderValue::from_str(v).unwrap());
            host_allowed(&m)
        };
        assert!(h("127.0.0.1:1111"));
        assert!(h("localhost:1111"));
        assert!(h("[::1]:1111"));
        assert!(!h("[evil.example]:1111"));
        assert!(h("localhost"));
        assert!(!h("evil.example.com:1111"));
        assert!(host_allowed(&HeaderMap::new()));
    }
}
