//! Diagnostics: the one type every stage reports problems with, and its
//! printers (human, like rustc's; JSON lines; GitHub Actions annotations).
//!
//! A diagnostic names a file (relative to the site root) and a 1-based line
//! and column counted in characters, so that editors and CI can jump to it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where in a source file a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Path relative to the site root, with `/` separators.
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// The text of the offending line, for the human printer.
    pub source_line: Option<String>,
    /// How many characters the caret should underline.
    pub width: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub location: Option<Box<Location>>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: None,
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(Box::new(location));
        self
    }

    /// Points at a file as a whole (line 1, column 1, no source line).
    pub fn in_file(mut self, file: &Path) -> Self {
        self.location = Some(Box::new(Location {
            file: file.to_path_buf(),
            line: 1,
            column: 1,
            source_line: None,
            width: 0,
        }));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: file, line, column, then code, so output order never
    /// depends on thread scheduling.
    fn sort_key(&self) -> (Option<(&Path, usize, usize)>, &'static str, &str) {
        (
            self.location
                .as_ref()
                .map(|l| (l.file.as_path(), l.line, l.column)),
            self.code,
            &self.message,
        )
    }
}

/// Puts diagnostics in a stable order (by file, line, column) and drops exact duplicates.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

pub fn count_errors(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.is_error()).count()
}

/// rustc-like rendering:
///
/// ```text
/// error[E012]: unknown role `manger`
///   --> content/safety.md:12:5
///    |
/// 12 | reports_to = "manger"
///    |     ^^^^^^^^
///    = help: did you mean `manager`?
/// ```
pub fn render_human(d: &Diagnostic) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}[{}]: {}",
        d.severity.as_str(),
        d.code,
        printable(&d.message)
    );
    let mut gutter = 1;
    if let Some(loc) = &d.location {
        gutter = loc.line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(
            out,
            "{pad}--> {}:{}:{}",
            display_path(&loc.file),
            loc.line,
            loc.column
        );
        if let Some(src) = &loc.source_line {
            let shown: String = src
                .chars()
                .map(|c| match c {
                    '\t' => ' ',
                    c if c.is_control() => '\u{FFFD}',
                    c => c,
                })
                .collect();
            let caret_pad: usize = shown
                .chars()
                .take(loc.column.saturating_sub(1))
                .map(char_cells)
                .sum();
            let caret_len: usize = shown
                .chars()
                .skip(loc.column.saturating_sub(1))
                .take(loc.width.max(1))
                .map(char_cells)
                .sum::<usize>()
                .max(1);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{} | {}", loc.line, shown);
            let _ = writeln!(
                out,
                "{pad} | {}{}",
                " ".repeat(caret_pad),
                "^".repeat(caret_len)
            );
        }
    }
    let pad = " ".repeat(gutter);
    for note in &d.notes {
        let _ = writeln!(out, "{pad} = note: {}", printable(note));
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} = help: {}", printable(help));
    }
    out
}

/// Control characters from content (an ESC in an id) must not reach the
/// terminal as such: they are shown as `\u{1b}`. Line breaks stay.
fn printable(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n') {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn char_cells(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c)
        .unwrap_or(0)
        .max(1)
}

pub fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// One JSON object per diagnostic (spec §8): severity, code, message, file, line, column.
pub fn render_json(d: &Diagnostic) -> String {
    let (file, line, column) = match &d.location {
        Some(l) => (
            serde_json::Value::String(display_path(&l.file)),
            serde_json::Value::from(l.line),
            serde_json::Value::from(l.column),
        ),
        None => (
            serde_json::Value::Null,
            serde_json::Value::Null,
            serde_json::Value::Null,
        ),
    };
    let mut obj = serde_json::Map::new();
    obj.insert("severity".into(), d.severity.as_str().into());
    obj.insert("code".into(), d.code.into());
    obj.insert("message".into(), d.message.clone().into());
    obj.insert("file".into(), file);
    obj.insert("line".into(), line);
    obj.insert("column".into(), column);
    if let Some(help) = &d.help {
        obj.insert("help".into(), help.clone().into());
    }
    if !d.notes.is_empty() {
        obj.insert("notes".into(), d.notes.clone().into());
    }
    serde_json::Value::Object(obj).to_string()
}

/// GitHub Actions workflow command: `::error file=…,line=…,col=…,title=…::message`.
pub fn render_github(d: &Diagnostic) -> String {
    let mut props = Vec::new();
    if let Some(l) = &d.location {
        props.push(format!("file={}", gh_property(&display_path(&l.file))));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
    }
    props.push(format!("title={}", gh_property(d.code)));
    let mut msg = d.message.clone();
    if let Some(help) = &d.help {
        msg.push_str("\nhelp: ");
        msg.push_str(help);
    }
    format!(
        "::{} {}::{}",
        d.severity.as_str(),
        props.join(","),
        gh_data(&msg)
    )
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Line index of a text: turns byte offsets into 1-based line and
/// character columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based (line, column); column counted in characters.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let col = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        (line + 1, col + 1)
    }

    pub fn line_text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map(|e| e - 1).unwrap_or(text.len());
        text.get(start..end).unwrap_or("")
    }
}

/// The closest candidate to `name` by edit distance, if it is close enough
/// to be a plausible typo ("did you mean …").
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let n = name.chars().count();
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = edit_distance(&lower, &c.to_lowercase());
        let threshold = ((n.max(c.chars().count()) + 1) / 3).clamp(1, 4);
        // A name written shorter or longer than the real one (安全部 for 安全环保部).
        // Both at least two characters: the empty name (the home page's
        // path) and a single letter are in everything.
        let contained =
            n >= 2 && c.chars().nth(1).is_some() && (c.contains(name) || name.contains(c));
        let d = if contained { d.min(threshold) } else { d };
        if d <= threshold && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance over characters where swapping two neighbours costs one
/// (optimal string alignment), the usual shape of a typo.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j - 1] + cost)
                .min(d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\n中文x\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 3), (2, 1));
        assert_eq!(idx.line_col(text, 9), (2, 3));
        assert_eq!(idx.line_text(text, 2), "中文x");
    }

    #[test]
    fn suggestions() {
        assert_eq!(closest("manger", ["manager", "officer"]), Some("manager"));
        assert_eq!(closest("xyz", ["manager", "officer"]), None);
        assert_eq!(
            closest("安全部", ["安全环保部", "财务部"]),
            Some("安全环保部")
        );
        // The home page's empty path, or a one-letter name, is in every
        // name: not a suggestion for a long one.
        assert_eq!(closest("x/form.pdf", ["", "a"]), None);
        assert_eq!(
            closest("matrix/nosuch/", ["", "matrix/", "roles/"]),
            Some("matrix/")
        );
    }

    #[test]
    fn human_output_has_caret_under_column() {
        let d = Diagnostic::error("E012", "unknown role `manger`")
            .at(Location {
                file: "content/a.md".into(),
                line: 3,
                column: 15,
                source_line: Some("reports_to = \"manger\"".into()),
                width: 8,
            })
            .with_help("did you mean `manager`?");
        let s = render_human(&d);
        assert!(s.starts_with("error[E012]: unknown role `manger`\n"));
        assert!(s.contains(" --> content/a.md:3:15\n"));
        assert!(s.contains("  |               ^^^^^^^\n"), "{s}");
        assert!(s.contains("= help: did you mean `manager`?"));
    }

    #[test]
    fn control_characters_do_not_reach_the_terminal() {
        let d = Diagnostic::error("E006", "`a\u{1b}[31m` is not a valid id").at(Location {
            file: "content/a.md".into(),
            line: 1,
            column: 1,
            source_line: Some("id = \"a\u{1b}[31m\"".into()),
            width: 1,
        });
        let s = render_human(&d);
        assert!(!s.contains('\u{1b}'), "{s:?}");
        assert!(s.contains("a\\u{1b}[31m"), "{s}");
    }

    #[test]
    fn json_and_github() {
        let d = Diagnostic::warning("W054", "x, y: z").in_file(Path::new("content/a.md"));
        let v: serde_json::Value = serde_json::from_str(&render_json(&d)).unwrap();
        assert_eq!(v["severity"], "warning");
        assert_eq!(v["line"], 1);
        assert_eq!(
            render_github(&d),
            "::warning file=content/a.md,line=1,col=1,title=W054::x, y: z"
        );
    }
}
