//! The error overlay: the diagnostics of a failed rebuild as an HTML panel
//! written into every page `serve` sends (so it shows before any script
//! runs), the minimal page used while no build has succeeded yet, and the
//! injection of overlay and reload script before `</body>`. Only served
//! pages get these; `build` output never does.

use std::fmt::Write as _;

use crate::diagnostics::{Diagnostic, count_errors, display_path};

/// The id of the overlay element (the reload script and tests look for it).
pub const OVERLAY_ID: &str = "charter-overlay";

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "all:initial;position:fixed;z-index:2147483647;top:0;left:0;right:0;\
max-height:75vh;overflow:auto;box-sizing:border-box;padding:16px 20px;\
background:#fff5f5;color:#1a1a1a;border-bottom:4px solid #c62828;\
box-shadow:0 4px 24px rgba(0,0,0,.35);font:14px/1.5 system-ui,sans-serif;display:block";

/// The overlay panel listing `diags` (file:line:col, message, source line, notes, help).
pub fn render(diags: &[Diagnostic]) -> String {
    let errors = count_errors(diags);
    let warnings = diags.len() - errors;
    let mut h = String::new();
    let _ = write!(
        h,
        "<div id=\"{OVERLAY_ID}\" role=\"alert\" style=\"{STYLE}\">\
<button type=\"button\" onclick=\"this.parentNode.remove()\" title=\"Hide until the next change\" \
style=\"all:initial;float:right;cursor:pointer;font:20px/1 system-ui,sans-serif;color:#555;padding:4px 8px\">×</button>\
<p style=\"all:initial;display:block;font:600 16px/1.4 system-ui,sans-serif;color:#c62828;margin:0 0 8px\">\
charter: the site has {errors} error{}{} — showing the last good build underneath; \
this goes away by itself when the files are fixed</p><ol style=\"all:initial;display:block;margin:0;padding:0\">",
        if errors == 1 { "" } else { "s" },
        if warnings == 0 {
            String::new()
        } else {
            format!(
                " and {warnings} warning{}",
                if warnings == 1 { "" } else { "s" }
            )
        }
    );
    for d in diags {
        let color = if d.is_error() { "#c62828" } else { "#8a6d00" };
        let _ = write!(
            h,
            "<li class=\"charter-diagnostic\" style=\"all:initial;display:block;margin:10px 0;padding:8px 0;border-top:1px solid #e0c0c0;font:14px/1.5 system-ui,sans-serif;color:#1a1a1a\">\
<div><b style=\"color:{color}\">{}[{}]</b> ",
            d.severity.as_str(),
            escape(d.code)
        );
        if let Some(loc) = &d.location {
            let _ = write!(
                h,
                "<code class=\"charter-location\" style=\"font-family:ui-monospace,monospace;background:#fde0e0;padding:0 4px\">{}:{}:{}</code> ",
                escape(&display_path(&loc.file)),
                loc.line,
                loc.column
            );
        }
        let _ = write!(h, "<span>{}</span></div>", escape(&d.message));
        if let Some(loc) = &d.location
            && let Some(src) = &loc.source_line
        {
            let _ = write!(
                h,
                "<pre style=\"all:initial;display:block;white-space:pre-wrap;font:13px/1.4 ui-monospace,monospace;margin:4px 0;padding:4px 8px;background:#fff;color:#333\">{:>4} | {}</pre>",
                loc.line,
                escape(src)
            );
        }
        for note in &d.notes {
            let _ = write!(h, "<div style=\"color:#555\">note: {}</div>", escape(note));
        }
        if let Some(help) = &d.help {
            let _ = write!(
                h,
                "<div style=\"color:#1b5e20\">help: {}</div>",
                escape(help)
            );
        }
        h.push_str("</li>");
    }
    h.push_str("</ol></div>");
    h
}

/// Inserts `extra` before the last `</body>` (any case), or appends it.
pub fn inject(html: &[u8], extra: &str) -> Vec<u8> {
    let at = rfind_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn rfind_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The page served for every URL while no build has succeeded yet.
pub fn minimal_page(extra: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>charter serve: build errors</title>\n</head>\n<body>\n\
<p style=\"margin-top:80vh;font:14px system-ui,sans-serif;color:#555\">\
No build has succeeded yet; this page reloads by itself when the errors are fixed.</p>\n\
{extra}</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Location;

    #[test]
    fn overlay_escapes_and_locates() {
        let d = Diagnostic::error("E012", "unknown role `<script>`")
            .at(Location {
                file: "content/a&b.md".into(),
                line: 3,
                column: 15,
                source_line: Some("reports_to = \"<x>\"".into()),
                width: 3,
            })
            .with_help("did you mean \"manager\"?");
        let h = render(&[d]);
        assert!(h.contains("content/a&amp;b.md:3:15"));
        assert!(h.contains("unknown role `&lt;script&gt;`"));
        assert!(h.contains("reports_to = &quot;&lt;x&gt;&quot;"));
        assert!(h.contains("help: did you mean &quot;manager&quot;?"));
        assert!(!h.contains("<script>"));
    }

    #[test]
    fn inject_before_last_body_close() {
        assert_eq!(
            inject(b"<body>a</BODY></html>", "X"),
            b"<body>aX</BODY></html>".to_vec()
        );
        assert_eq!(inject(b"plain", "X"), b"plainX".to_vec());
        assert_eq!(inject(b"", "X"), b"X".to_vec());
    }
}
