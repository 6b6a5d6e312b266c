//! Source files: reading and decoding (UTF-8 only, BOM and CRLF accepted),
//! line/column bookkeeping, front matter, and walking a site's folders.
//!
//! Everything here keeps byte offsets into the decoded text, so any later
//! stage can point at `file:line:col`.

pub mod frontmatter;
pub mod walk;

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, LineIndex, Location};

/// A decoded text file and its line index.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub text: String,
    pub lines: LineIndex,
}

impl SourceText {
    pub fn new(text: String) -> Self {
        let lines = LineIndex::new(&text);
        SourceText { text, lines }
    }

    /// A location for the byte range `start..end` of the text.
    pub fn location(&self, file: &Path, start: usize, end: usize) -> Location {
        let (line, column) = self.lines.line_col(&self.text, start);
        let line_text = self.lines.line_text(&self.text, line);
        let width = self
            .text
            .get(start..end.max(start))
            .map(|s| s.split('\n').next().unwrap_or("").chars().count())
            .unwrap_or(1);
        Location {
            file: file.to_path_buf(),
            line,
            column,
            source_line: Some(line_text.to_string()),
            width: width.max(1),
        }
    }

    /// The first line that assigns `key` (`key = …`), for settings parsed
    /// without spans. Falls back to line 1.
    pub fn locate_key(&self, file: &Path, key: &str) -> Location {
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let bare = trimmed.strip_prefix(key).or_else(|| {
                trimmed
                    .strip_prefix('"')
                    .and_then(|t| t.strip_prefix(key))
                    .and_then(|t| t.strip_prefix('"'))
            });
            if let Some(rest) = bare
                && rest.trim_start().starts_with('=')
            {
                return self.location(file, offset + indent, offset + indent + key.len());
            }
            offset += line.len();
        }
        self.location(file, 0, 0)
    }

    /// The value of `key = "value"`, else the key's line.
    pub fn locate_value(&self, file: &Path, key: &str, value: &str) -> Location {
        let loc = self.locate_key(file, key);
        let line_start = self
            .text
            .split_inclusive('\n')
            .take(loc.line - 1)
            .map(str::len)
            .sum::<usize>();
        let line = self.lines.line_text(&self.text, loc.line);
        match line.find(&format!("\"{value}\"")) {
            Some(i) => self.location(file, line_start + i + 1, line_start + i + 1 + value.len()),
            None => loc,
        }
    }
}

/// Decodes a file's bytes: UTF-8 only (no guessing), a leading BOM
/// dropped, CRLF turned into LF (lines and character columns are unchanged).
pub fn decode(bytes: Vec<u8>, file: &Path) -> Result<SourceText, Diagnostic> {
    let mut bytes = bytes;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bytes = e.as_bytes();
            let bad = e.utf8_error().valid_up_to();
            let valid = &bytes[..bad];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&valid[line_start..])
                .chars()
                .count()
                + 1;
            let line_end = bytes[bad..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| bad + p);
            let shown = String::from_utf8_lossy(&bytes[line_start..line_end])
                .trim_end_matches('\r')
                .to_string();
            return Err(Diagnostic::error(
                "E002",
                format!(
                    "{} is not valid UTF-8 (byte 0x{:02X} at line {line}, column {column})",
                    crate::diagnostics::display_path(file),
                    bytes[bad]
                ),
            )
            .at(Location {
                file: file.to_path_buf(),
                line,
                column,
                source_line: Some(shown),
                width: 1,
            })
            .with_help(
                "save the file as UTF-8 (it may be GBK): e.g. `iconv -f GBK -t UTF-8 in.md > out.md`",
            ));
        }
    };
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text
    };
    Ok(SourceText::new(text))
}

/// Reads and decodes a file; `rel` is the path shown in diagnostics.
pub fn read(abs: &Path, rel: &Path) -> Result<SourceText, Diagnostic> {
    let bytes = std::fs::read(abs).map_err(|e| {
        Diagnostic::error(
            "E001",
            format!("cannot read {}: {e}", crate::diagnostics::display_path(rel)),
        )
        .in_file(rel)
    })?;
    decode(bytes, rel)
}

/// Turns a TOML error into a diagnostic. `offset` is where the TOML text
/// starts inside the file (front matter starts after its `+++` line).
pub fn toml_error(e: &toml::de::Error, src: &SourceText, file: &Path, offset: usize) -> Diagnostic {
    let message = e.message().trim().to_string();
    let span = e.span().unwrap_or(0..0);
    let loc = src.location(file, offset + span.start, offset + span.end);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let mut d = Diagnostic::error("E005", format!("unknown key `{name}`")).at(loc);
        d = match crate::diagnostics::closest(name, expected.iter().copied()) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None if !expected.is_empty() => d.with_help(format!(
                "the keys allowed here are {}; put your own values under [extra]",
                expected
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => d,
        };
        return d;
    }
    Diagnostic::error("E004", format!("invalid TOML: {message}")).at(loc)
}

/// A path relative to the site root, with `/` separators, for messages and keys.
pub fn rel_string(p: &Path) -> String {
    crate::diagnostics::display_path(p)
}

/// Joins a root and a relative path.
pub fn abs(root: &Path, rel: &Path) -> PathBuf {
    root.join(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_crlf() {
        let s = decode(b"\xEF\xBB\xBFa\r\nb\r\n".to_vec(), Path::new("x.md")).unwrap();
        assert_eq!(s.text, "a\nb\n");
    }

    #[test]
    fn gbk_is_rejected_with_position() {
        // "ab\n安全" in GBK: B0 B2 C8 AB
        let e = decode(
            b"ab\n\xB0\xB2\xC8\xAB".to_vec(),
            Path::new("content/gbk.md"),
        )
        .unwrap_err();
        assert_eq!(e.code, "E002");
        let loc = e.location.unwrap();
        assert_eq!((loc.line, loc.column), (2, 1));
        assert!(e.message.contains("content/gbk.md"));
    }
}
