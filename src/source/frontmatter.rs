//! Front matter: splitting `+++` TOML from the Markdown body, and the typed
//! (strict) structs it parses into. Values that are references keep their
//! spans so resolution errors can point at them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{SourceText, toml_error};
use crate::diagnostics::Diagnostic;

/// The parts of a content file.
#[derive(Debug, Clone, Default)]
pub struct Split {
    /// Byte range of the TOML text inside the file (between the `+++` lines).
    pub toml: std::ops::Range<usize>,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
}

/// Finds the front matter. A file that does not start with a `+++` line
/// has none (its whole text is the body).
pub fn split(src: &SourceText, file: &Path) -> Result<Option<Split>, Diagnostic> {
    let text = &src.text;
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "+++" {
        return Ok(None);
    }
    let toml_start = (first_end + 1).min(text.len());
    let mut offset = toml_start;
    for line in text[toml_start..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let body_start = offset + line.len();
            return Ok(Some(Split {
                toml: toml_start..offset,
                body_start,
            }));
        }
        offset += line.len();
    }
    Err(Diagnostic::error("E003", "front matter is not closed")
        .at(src.location(file, 0, 3))
        .with_help("end the front matter with a line that holds exactly `+++`"))
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: Option<Spanned<String>>,
    pub id: Option<Spanned<String>>,
    pub kind: Option<Spanned<String>>,
    pub parent: Option<Spanned<String>>,
    pub summary: Option<String>,
    pub weight: Option<i64>,
    pub slug: Option<Spanned<String>>,
    #[serde(default)]
    pub draft: bool,
    pub effective: Option<Spanned<toml::value::Datetime>>,
    pub revised: Option<Spanned<toml::value::Datetime>>,
    pub version: Option<String>,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub status: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub roles: Vec<RawRole>,
    #[serde(default)]
    pub activities: Vec<RawActivity>,
    #[serde(default)]
    pub extra: toml::Table,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub reports_to: Option<Spanned<String>>,
    pub headcount: Option<u32>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawActivity {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub clause: Option<Spanned<String>>,
    pub raci: Spanned<BTreeMap<Spanned<String>, Spanned<String>>>,
}

pub const STATUSES: &[&str] = &["active", "trial", "superseded", "repealed"];
pub const KINDS: &[&str] = &["department", "page"];

/// Parses the front matter of a file; `split` says where it is.
pub fn parse(src: &SourceText, file: &Path, split: &Split) -> Result<FrontMatter, Diagnostic> {
    let toml_text = &src.text[split.toml.clone()];
    toml::from_str::<FrontMatter>(toml_text)
        .map_err(|e| toml_error(&e, src, file, split.toml.start))
}

/// Is this a valid id: letters of any script, digits, `-` and `_`?
pub fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// A TOML date that is a real calendar date, with no time part.
pub fn check_date(d: &toml::value::Datetime) -> Result<(u16, u8, u8), String> {
    if d.time.is_some() || d.offset.is_some() {
        return Err(format!(
            "`{d}` has a time; write a date only, e.g. 2024-03-01"
        ));
    }
    let Some(date) = d.date else {
        return Err(format!("`{d}` is not a date"));
    };
    let leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0;
    let days = match date.month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    if date.day == 0 || date.day > days {
        return Err(format!(
            "{d} does not exist: month {} of {} has {days} days",
            date.month, date.year
        ));
    }
    Ok((date.year, date.month, date.day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(s: &str) -> SourceText {
        SourceText::new(s.to_string())
    }

    #[test]
    fn splits_front_matter() {
        let s = src("+++\ntitle = \"x\"\n+++\nbody\n");
        let sp = split(&s, Path::new("a.md")).unwrap().unwrap();
        assert_eq!(&s.text[sp.toml.clone()], "title = \"x\"\n");
        assert_eq!(&s.text[sp.body_start..], "body\n");
        let fm = parse(&s, Path::new("a.md"), &sp).unwrap();
        assert_eq!(fm.title.unwrap().into_inner(), "x");
    }

    #[test]
    fn no_front_matter_and_unterminated() {
        assert!(split(&src("# hi\n"), Path::new("a.md")).unwrap().is_none());
        let e = split(&src("+++\ntitle = \"x\"\n"), Path::new("a.md")).unwrap_err();
        assert_eq!(e.code, "E003");
        let s = src("+++\n+++");
        assert_eq!(split(&s, Path::new("a.md")).unwrap().unwrap().body_start, 7);
    }

    #[test]
    fn unknown_role_key_points_at_its_line() {
        let s = src(
            "+++\ntitle = \"x\"\n[[roles]]\nid = \"a\"\ntitle = \"A\"\nreports_too = \"b\"\n+++\n",
        );
        let sp = split(&s, Path::new("a.md")).unwrap().unwrap();
        let e = parse(&s, Path::new("a.md"), &sp).unwrap_err();
        assert_eq!(e.code, "E005");
        assert_eq!(e.location.as_ref().unwrap().line, 6);
        assert_eq!(e.help.as_deref(), Some("did you mean `reports_to`?"));
    }

    #[test]
    fn toml_syntax_error_has_file_line() {
        let s = src("+++\ntitle = \"x\"\nweight = = 3\n+++\n");
        let sp = split(&s, Path::new("a.md")).unwrap().unwrap();
        let e = parse(&s, Path::new("a.md"), &sp).unwrap_err();
        assert_eq!(e.code, "E004");
        assert_eq!(e.location.as_ref().unwrap().line, 3);
    }

    #[test]
    fn dates() {
        let ok: toml::value::Datetime = "2024-02-29".parse().unwrap();
        assert!(check_date(&ok).is_ok());
        let with_time: toml::value::Datetime = "2023-02-28T10:00:00".parse().unwrap();
        assert!(check_date(&with_time).is_err());
    }

    #[test]
    fn ids() {
        assert!(valid_id("安全环保部"));
        assert!(valid_id("safety_2-a"));
        assert!(!valid_id("a/b"));
        assert!(!valid_id(".."));
        assert!(!valid_id("a b"));
        assert!(!valid_id(""));
    }
}
