//! URL paths: every internal link is relative to the page that holds it,
//! so the output works under any sub-path and from `file://`.

/// Placeholder for the way from a page up to the site root in rendered
/// bodies (private-use characters: never produced by escaping).
pub const ROOT_MARK: &str = "\u{E000}root\u{E000}";
/// Placeholder for "the page that holds this body" in same-page links.
pub const SELF_MARK: &str = "\u{E000}self\u{E000}";

/// Fills the placeholders of a rendered body for the page it appears on:
/// `prefix` leads to the root, `self_href` to the body's own page ("" on it).
/// One pass over the HTML (it runs for every body and table on every page).
pub fn place(html: &str, prefix: &str, self_href: &str) -> String {
    // The Markdown writer percent-encodes hrefs, so the marks arrive
    // encoded there: a mark starts with the byte 0xEE of U+E000, or `%`.
    let marks = [
        (ROOT_MARK, prefix),
        (SELF_MARK, self_href),
        (ROOT_MARK_ENCODED, prefix),
        (SELF_MARK_ENCODED, self_href),
    ];
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + 64);
    let mut done = 0;
    let mut from = 0;
    while let Some(i) = memchr::memchr2(0xEE, b'%', &bytes[from..]) {
        let at = from + i;
        let rest = &bytes[at..];
        match marks.iter().find(|(m, _)| rest.starts_with(m.as_bytes())) {
            Some((m, with)) => {
                out.push_str(&html[done..at]);
                out.push_str(with);
                done = at + m.len();
                from = done;
            }
            None => from = at + 1,
        }
    }
    out.push_str(&html[done..]);
    out
}

const ROOT_MARK_ENCODED: &str = "%EE%80%80root%EE%80%80";
const SELF_MARK_ENCODED: &str = "%EE%80%80self%EE%80%80";

/// `../` repeated once per folder level of `page` (a root-relative output
/// path such as `construction/safety/index.html`).
pub fn prefix_for(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// The file a page URL is written to: `a/b/` → `a/b/index.html`.
pub fn file_of(url: &str) -> String {
    if url.is_empty() || url.ends_with('/') {
        format!("{url}index.html")
    } else {
        url.to_string()
    }
}

/// A relative href from a page (given its `prefix`) to a root-relative
/// URL. Folder URLs point at their `index.html`, which a web server and a
/// browser reading files from disk both open.
pub fn href(prefix: &str, url: &str, fragment: Option<&str>) -> String {
    let mut out = String::with_capacity(prefix.len() + url.len() + 16);
    out.push_str(prefix);
    encode_into(&mut out, url, keep_in_path);
    if url.is_empty() || url.ends_with('/') {
        out.push_str("index.html");
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&encode_fragment(f));
    }
    out
}

fn encode(s: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    encode_into(&mut out, s, keep);
    out
}

/// Appends `s` percent-encoded (no allocation per escaped byte: Chinese
/// folder names are three escapes a character).
fn encode_into(out: &mut String, s: &str, keep: impl Fn(u8) -> bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || keep(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

fn keep_in_path(b: u8) -> bool {
    matches!(b, b'/' | b'-' | b'_' | b'.' | b'~')
}

/// The percent-encoded path of the file of a root-relative page URL
/// (`a/b/` → `a/b/index.html`), in one allocation: `encode_path(&file_of(url))`.
pub fn encoded_file_of(url: &str) -> String {
    let mut out = String::with_capacity(url.len() + 16);
    encode_into(&mut out, url, keep_in_path);
    if url.is_empty() || url.ends_with('/') {
        out.push_str("index.html");
    }
    out
}

/// Percent-encodes a path, keeping `/` and the unreserved characters.
pub fn encode_path(s: &str) -> String {
    encode(s, keep_in_path)
}

pub fn encode_fragment(s: &str) -> String {
    encode(s, |b| matches!(b, b'-' | b'_' | b'.' | b'~'))
}

/// `href` with the query `query` (as written, without its `?`) before its
/// fragment: bytes that may not stand in a query percent-encoded, escapes
/// already there kept.
pub fn with_query(href: &str, query: &str) -> String {
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (href, None),
    };
    let mut out = String::with_capacity(href.len() + query.len() * 3 + 1);
    out.push_str(path);
    out.push('?');
    encode_into(&mut out, query, |b| {
        matches!(
            b,
            b'=' | b'&'
                | b'+'
                | b';'
                | b','
                | b'/'
                | b'?'
                | b':'
                | b'@'
                | b'-'
                | b'_'
                | b'.'
                | b'~'
                | b'%'
                | b'!'
                | b'$'
                | b'\''
                | b'('
                | b')'
                | b'*'
        )
    });
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Decodes `%XX` escapes (for matching links written by hand).
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Normalizes a `/`-separated path, resolving `.` and `..`; None if it
/// climbs above its root.
pub fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Does this link have a scheme (`https:`, `mailto:`) or is it protocol-relative?
pub fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_fills_every_mark_as_replacing_each_in_turn_would() {
        let naive = |h: &str, p: &str, s: &str| {
            h.replace(ROOT_MARK_ENCODED, p)
                .replace(SELF_MARK_ENCODED, s)
                .replace(ROOT_MARK, p)
                .replace(SELF_MARK, s)
        };
        let pieces = [
            ROOT_MARK,
            SELF_MARK,
            ROOT_MARK_ENCODED,
            SELF_MARK_ENCODED,
            "%",
            "%EE%80",
            "\u{E000}",
            "\u{E000}roo",
            "\u{E001}",
            "部门",
            "<a href=\"",
            "x/index.html",
            "%E9%83%A8",
        ];
        // Every sequence of three pieces.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let h = format!("{a}{b}{c}");
                    assert_eq!(
                        place(&h, "../../", "../me/index.html"),
                        naive(&h, "../../", "../me/index.html"),
                        "{h:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn encoded_file_of_is_encode_path_of_file_of() {
        for url in [
            "",
            "a/b/",
            "安全/部门 一/",
            "x/y.csv",
            "g1/d%/",
            "~a-b_c.d/",
        ] {
            assert_eq!(encoded_file_of(url), encode_path(&file_of(url)), "{url}");
        }
        assert_eq!(encoded_file_of("安/"), "%E5%AE%89/index.html");
        assert_eq!(href("../", "安/", Some("a1")), "../%E5%AE%89/index.html#a1");
    }

    #[test]
    fn relative_hrefs() {
        assert_eq!(prefix_for("index.html"), "");
        assert_eq!(prefix_for("a/b/index.html"), "../../");
        assert_eq!(
            href("../", "a/安全/", Some("第一")),
            "../a/%E5%AE%89%E5%85%A8/index.html#%E7%AC%AC%E4%B8%80"
        );
        assert_eq!(href("", "", None), "index.html");
        assert_eq!(href("../../", "style.css", None), "../../style.css");
    }

    #[test]
    fn placing_marks_also_in_encoded_hrefs() {
        let md = format!("[a]({ROOT_MARK}x/index.html) [b]({SELF_MARK}#a1)");
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
        let placed = place(&html, "../", "../y/index.html");
        assert!(placed.contains("href=\"../x/index.html\""), "{placed}");
        assert!(placed.contains("href=\"../y/index.html#a1\""), "{placed}");
    }

    #[test]
    fn paths() {
        assert_eq!(normalize("a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("../x"), None);
        assert_eq!(decode("%E5%AE%89x"), "安x");
        assert!(is_external("https://x"));
        assert!(is_external("mailto:a@b"));
        assert!(!is_external("a/b.md"));
        assert!(!is_external("/files/x.pdf"));
    }
}
