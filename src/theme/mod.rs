//! Themes: the built-in default theme (embedded in the binary), a site's
//! `themes/<name>/` and `templates/` overriding it template by template, and
//! the Tera instance every page renders with.

pub mod i18n;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_embed::RustEmbed;
use tera::{Kwargs, State, Tera};

use crate::diagnostics::{Diagnostic, Location};

#[derive(RustEmbed)]
#[folder = "themes/default/"]
struct DefaultTheme;

/// Where a template came from, for error messages.
#[derive(Debug, Clone)]
pub enum Origin {
    BuiltIn,
    File(PathBuf),
}

/// The templates and theme static files a build uses.
pub struct Theme {
    pub tera: Tera,
    pub origins: BTreeMap<String, Origin>,
    /// Built-in static files: output path → bytes.
    pub builtin_static: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// Whether the template `name` is the built-in one (not replaced by the site or its theme).
    pub fn builtin(&self, name: &str) -> bool {
        matches!(self.origins.get(name), Some(Origin::BuiltIn))
    }
}

/// Built-in templates: name → source.
pub fn builtin_templates() -> BTreeMap<String, String> {
    DefaultTheme::iter()
        .filter_map(|p| {
            let name = p.strip_prefix("templates/")?.to_string();
            let file = DefaultTheme::get(&p)?;
            Some((name, String::from_utf8_lossy(&file.data).into_owned()))
        })
        .collect()
}

fn builtin_static() -> BTreeMap<String, Vec<u8>> {
    DefaultTheme::iter()
        .filter_map(|p| {
            let name = p.strip_prefix("static/")?.to_string();
            Some((name, DefaultTheme::get(&p)?.data.into_owned()))
        })
        .collect()
}

/// The `href` filter: a root-relative page URL (`a/b/`) to the path of its
/// file, percent-encoded (`a/b/index.html`); prefix it with `root`. Its
/// output is letters, digits and `/-_.~%` only, so it is marked safe: no
/// escaping pass over it (it runs for every link of every page).
struct HrefFilter;

impl<'a> tera::Filter<&'a str, String> for HrefFilter {
    fn call(&self, url: &'a str, _: Kwargs, _: &State) -> String {
        crate::urls::encoded_file_of(url)
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// The labels of RACI letters written as a cell writes them (`A/R`),
/// joined by ` / `, each as `letter label` (`with_letters`) or as its
/// label alone. The labels are the template's `letter_labels` (the UI
/// language's, with the site's `[matrix.labels]`); a letter without one
/// shows as itself. One call instead of a loop of lookups in the
/// template: matrices hold tens of thousands of cells.
fn raci_labels(cell: &str, state: &State, with_letters: bool) -> String {
    let labels: Option<tera::Value> = state.get("letter_labels").ok().flatten();
    let labels = labels.as_ref().and_then(tera::Value::as_map);
    let mut out = String::with_capacity(cell.len() * 8);
    for (i, l) in cell.split('/').filter(|l| !l.is_empty()).enumerate() {
        if i > 0 {
            out.push_str(" / ");
        }
        if with_letters {
            out.push_str(l);
            out.push(' ');
        }
        // A handful of letters: a scan, no key to allocate.
        let label = labels.and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some(l)));
        match label.map(|(_, v)| v) {
            Some(v) => match v.as_str() {
                Some(s) => out.push_str(s),
                None => out.push_str(&v.to_string()),
            },
            None => out.push_str(if with_letters { "" } else { l }),
        }
    }
    out
}

/// The `raci_title` filter: `"A/R" | raci_title` → `A 批准 / R 执行`.
fn raci_title_filter(cell: &str, _: Kwargs, state: &State) -> String {
    raci_labels(cell, state, true)
}

/// The `raci_labels` filter: `"A/R" | raci_labels` → `批准 / 执行`.
fn raci_labels_filter(cell: &str, _: Kwargs, state: &State) -> String {
    raci_labels(cell, state, false)
}

/// Loads the theme: built-in templates, then the site's files on disk
/// (`templates` as listed by the inventory, in override order).
pub fn load(
    root: &Path,
    templates: &[(String, PathBuf)],
    use_builtin_theme: bool,
) -> Result<Theme, Vec<Diagnostic>> {
    let mut sources: BTreeMap<String, (String, Origin)> = BTreeMap::new();
    if use_builtin_theme {
        for (name, src) in builtin_templates() {
            sources.insert(name, (src, Origin::BuiltIn));
        }
    }
    let mut diags = Vec::new();
    for (name, rel) in templates {
        match crate::source::read(&root.join(rel), rel) {
            Ok(s) => {
                sources.insert(name.clone(), (s.text, Origin::File(rel.clone())));
            }
            Err(d) => diags.push(d),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".htm", ".xml", ".svg"]);
    tera.register_filter("href", HrefFilter);
    tera.register_filter("raci_title", raci_title_filter);
    tera.register_filter("raci_labels", raci_labels_filter);
    let origins: BTreeMap<String, Origin> = sources
        .iter()
        .map(|(n, (_, o))| (n.clone(), o.clone()))
        .collect();
    let list: Vec<(String, String)> = sources.into_iter().map(|(n, (s, _))| (n, s)).collect();
    if let Err(e) = tera.add_raw_templates(list) {
        return Err(vec![template_error(&e, &origins)]);
    }
    Ok(Theme {
        tera,
        origins,
        builtin_static: if use_builtin_theme {
            builtin_static()
        } else {
            BTreeMap::new()
        },
    })
}

/// A Tera error as a diagnostic pointing into the template.
pub fn template_error(e: &tera::Error, origins: &BTreeMap<String, Origin>) -> Diagnostic {
    let report = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    let mut d = Diagnostic::error(
        "E030",
        format!(
            "template error: {}",
            report.map_or_else(|| e.to_string(), |r| r.message().to_string())
        ),
    );
    if let Some(r) = report {
        let file = match origins.get(r.filename()) {
            Some(Origin::File(p)) => p.clone(),
            _ => PathBuf::from(format!("<built-in theme>/templates/{}", r.filename())),
        };
        let span = r.span();
        d = d.at(Location {
            file,
            line: span.start_line,
            column: span.start_col + 1,
            source_line: None,
            width: 1,
        });
    } else if let Some(src) = std::error::Error::source(e) {
        d = d.with_note(src.to_string());
    }
    d
}

/// Output paths of the built-in theme's static files.
pub fn builtin_static_names() -> Vec<String> {
    DefaultTheme::iter()
        .filter_map(|p| p.strip_prefix("static/").map(str::to_string))
        .collect()
}
