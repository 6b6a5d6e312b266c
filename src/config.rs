//! `config.toml`: the site's settings, parsed strictly (unknown keys are
//! errors, with a "did you mean" from the keys that exist).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::source::{SourceText, toml_error};

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    #[serde(default = "default_base_url")]
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub matrix: MatrixConfig,
    #[serde(default)]
    pub markdown: MarkdownConfig,
    #[serde(default)]
    pub build: BuildConfig,
    #[serde(default)]
    pub extra: toml::Table,
}

/// `[build]`: publishing options.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BuildConfig {
    /// Write `X.gz` next to every HTML, CSS, JS, SVG, JSON, XML and CSV
    /// file, for web servers that serve them as they are (nginx's
    /// `gzip_static`).
    #[serde(default)]
    pub precompress: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MatrixConfig {
    #[serde(default = "default_scheme")]
    pub scheme: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl Default for MatrixConfig {
    fn default() -> Self {
        MatrixConfig {
            scheme: default_scheme(),
            labels: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    #[serde(default = "default_highlight_theme")]
    pub highlight_theme: String,
    /// Bodies are written by people who are not trusted: their HTML is
    /// cleaned (no scripts, styles, event handlers, `javascript:` or
    /// `data:` URLs); see [`crate::markdown::sanitize`].
    #[serde(default)]
    pub safe: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            highlight_theme: default_highlight_theme(),
            safe: false,
        }
    }
}

fn default_base_url() -> String {
    "/".into()
}
fn default_language() -> String {
    "zh-CN".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_scheme() -> String {
    "RACI".into()
}
fn default_highlight_theme() -> String {
    "InspiredGitHub".into()
}

pub const LANGUAGES: &[&str] = &["zh", "zh-CN", "zh-Hans", "en"];
pub const SCHEMES: &[&str] = &["RACI", "RASCI"];

/// The UI language family the default theme speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Config {
    pub fn lang(&self) -> Lang {
        if self.language == "en" {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The letters of the configured scheme, in display order.
    pub fn scheme_letters(&self) -> &'static [char] {
        if self.matrix.scheme == "RASCI" {
            &['R', 'A', 'S', 'C', 'I']
        } else {
            &['R', 'A', 'C', 'I']
        }
    }

    /// `base_url` with exactly one trailing slash.
    pub fn base_url(&self) -> String {
        let mut b = self.base_url.trim_end_matches('/').to_string();
        b.push('/');
        b
    }

    /// The path part of `base_url` (for 404.html, which is served at any depth).
    pub fn base_path(&self) -> String {
        let b = self.base_url();
        let after_scheme = match b.find("://") {
            Some(i) => &b[i + 3..],
            None => return b,
        };
        match after_scheme.find('/') {
            Some(i) => after_scheme[i..].to_string(),
            None => "/".into(),
        }
    }

    /// Parses and validates `config.toml`; `file` is its path relative to the root.
    pub fn parse(src: &SourceText, file: &Path) -> Result<Config, Vec<Diagnostic>> {
        let config: Config =
            toml::from_str(&src.text).map_err(|e| vec![toml_error(&e, src, file, 0)])?;
        let mut diags = Vec::new();
        let mut check = |key: &str, value: &str, allowed: &[&str]| {
            if !allowed.contains(&value) {
                let mut d = Diagnostic::error(
                    "E020",
                    format!(
                        "`{key}` is `{value}`, which is not one of {}",
                        allowed.join(", ")
                    ),
                )
                .at(src.locate_value(file, key, value));
                if let Some(s) = crate::diagnostics::closest(value, allowed.iter().copied()) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
            }
        };
        check("language", &config.language, LANGUAGES);
        check("scheme", &config.matrix.scheme, SCHEMES);
        for key in config.matrix.labels.keys() {
            let letters = config.scheme_letters();
            if !(key.chars().count() == 1 && key.chars().all(|c| letters.contains(&c))) {
                diags.push(
                    Diagnostic::error(
                        "E020",
                        format!(
                            "`[matrix.labels]` has `{key}`, which is not a letter of the {} scheme",
                            config.matrix.scheme
                        ),
                    )
                    .at(src.locate_key(file, key)),
                );
            }
        }
        if let Some(why) = base_url_problem(&config.base_url) {
            diags.push(
                Diagnostic::error("E020", format!("`base_url` {why}"))
                    .at(src.locate_key(file, "base_url"))
                    .with_help(
                        "write an http:// or https:// address, e.g. base_url = \"https://intranet.example.com/handbook/\", or a path such as \"/handbook/\"",
                    ),
            );
        }
        if config.title.trim().is_empty() {
            diags.push(
                Diagnostic::error("E020", "`title` is empty")
                    .at(src.locate_key(file, "title"))
                    .with_help("give the site a title, e.g. title = \"部门及管理制度\""),
            );
        }
        if diags.is_empty() {
            Ok(config)
        } else {
            Err(diags)
        }
    }
}

/// Why a `base_url` cannot be used, if it cannot: it ends up in links
/// (404.html, canonical links, the sitemap), so only `http:`/`https:`
/// addresses and plain paths are accepted, never `javascript:`, `data:`
/// or any other scheme, and no blanks or control characters (which
/// browsers drop, so that `java\tscript:` would still run).
pub fn base_url_problem(url: &str) -> Option<String> {
    if let Some(c) = url.chars().find(|c| c.is_control() || c.is_whitespace()) {
        return Some(format!(
            "holds a blank or control character (U+{:04X})",
            c as u32
        ));
    }
    let before_path = url.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((scheme, _)) = before_path.split_once(':') {
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Some(format!(
                "is a `{scheme}:` URL; only http:// and https:// addresses or paths are allowed"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(&SourceText::new(s.to_string()), Path::new("config.toml"))
    }

    #[test]
    fn defaults_and_base_path() {
        let c = parse("title = \"x\"\nbase_url = \"https://a.example/handbook\"\n").unwrap();
        assert_eq!(c.language, "zh-CN");
        assert_eq!(c.base_url(), "https://a.example/handbook/");
        assert_eq!(c.base_path(), "/handbook/");
        assert_eq!(c.scheme_letters(), &['R', 'A', 'C', 'I']);
    }

    #[test]
    fn unknown_key_is_an_error_with_a_suggestion() {
        let e = parse("title = \"x\"\ntheem = \"default\"\n").unwrap_err();
        assert_eq!(e[0].code, "E005");
        assert_eq!(e[0].location.as_ref().unwrap().line, 2);
        assert_eq!(e[0].help.as_deref(), Some("did you mean `theme`?"));
    }

    #[test]
    fn build_section_is_strict_and_off_by_default() {
        assert!(!parse("title = \"x\"\n").unwrap().build.precompress);
        let c = parse("title = \"x\"\n[build]\nprecompress = true\n").unwrap();
        assert!(c.build.precompress);
        let e = parse("title = \"x\"\n[build]\nprecompres = true\n").unwrap_err();
        assert_eq!(e[0].code, "E005");
        assert_eq!(e[0].location.as_ref().unwrap().line, 3);
        assert_eq!(e[0].help.as_deref(), Some("did you mean `precompress`?"));
    }

    #[test]
    fn base_url_schemes() {
        for ok in [
            "/",
            "/handbook/",
            "https://a.example/x/",
            "HTTP://a.example",
            "docs/",
        ] {
            assert_eq!(base_url_problem(ok), None, "{ok}");
        }
        for bad in [
            "javascript:alert(1)//",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "java\tscript:alert(1)",
            " javascript:alert(1)",
            "vbscript:x",
        ] {
            assert!(base_url_problem(bad).is_some(), "{bad:?}");
        }
        let e = parse("title = \"x\"\nbase_url = \"javascript:alert(1)\"\n").unwrap_err();
        assert_eq!(e[0].code, "E020");
        assert_eq!(e[0].location.as_ref().unwrap().line, 2);
    }

    #[test]
    fn bad_language() {
        let e = parse("title = \"x\"\nlanguage = \"zh_CN\"\n").unwrap_err();
        assert_eq!(e[0].help.as_deref(), Some("did you mean `zh-CN`?"));
    }
}
