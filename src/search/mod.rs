//! Search (spec §6): what gets indexed and how it reaches the output.
//! Every published department and page (title, headings, body) and every
//! role page (role title, department title, summary, duties section) is an
//! [`Entry`]; [`index`] turns the entries into script files the default
//! theme's `search.js` loads with `<script src>`, so search works from any
//! sub-path and from `file://`. [`tokenize`] holds the matching rules.
//! Drafts never reach the index (unless the build publishes them).

pub mod index;
pub mod tokenize;

use rayon::prelude::*;

use crate::markdown::{self, Analysis};
use crate::model::{DocId, RoleId, Site};
use crate::output::Output;
use crate::pages::Bodies;

/// Which part of a page a block is; titles and headings rank higher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Heading,
    Body,
}

/// A piece of a page's text, and the anchor a hit in it links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub anchor: Option<String>,
    pub field: Field,
    pub text: String,
}

/// A searchable page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Root-relative page URL (`construction/safety/`).
    pub url: String,
    /// Shown as the result's title.
    pub title: String,
    /// Shown beside it (the department of a role, the group of a page).
    pub subtitle: String,
    /// The title block first.
    pub blocks: Vec<Block>,
}

/// Blocks of a Markdown body: a block that starts with a heading is split
/// into the heading line and the rest, both linking to its anchor.
pub fn body_blocks(analysis: &Analysis) -> Vec<Block> {
    let mut out = Vec::new();
    for b in markdown::text_blocks(analysis) {
        if b.heading {
            let (head, rest) = b.text.split_once('\n').unwrap_or((&b.text, ""));
            out.push(Block {
                anchor: b.anchor.clone(),
                field: Field::Heading,
                text: head.to_string(),
            });
            if !rest.trim().is_empty() {
                out.push(Block {
                    anchor: b.anchor,
                    field: Field::Body,
                    text: rest.to_string(),
                });
            }
        } else {
            out.push(Block {
                anchor: b.anchor,
                field: Field::Body,
                text: b.text,
            });
        }
    }
    out
}

/// Plain text of rendered HTML (a role's duties section): tags dropped,
/// a line break after each block, entities decoded.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            let (inner, end) = match rest.find('>') {
                Some(e) => (&rest[1..e], e + 1),
                None => (&rest[1..], rest.len()),
            };
            let tag = inner.to_ascii_lowercase();
            let name = tag
                .trim_start_matches('/')
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or("");
            if (name == "script" || name == "style") && !tag.starts_with('/') {
                // Not text: skip to the closing tag.
                let close = format!("</{name}");
                let after = &rest[end..];
                let skip = after
                    .to_ascii_lowercase()
                    .find(&close)
                    .and_then(|i| after[i..].find('>').map(|j| i + j + 1))
                    .unwrap_or(after.len());
                rest = &after[skip..];
                continue;
            }
            let block = matches!(
                name,
                "p" | "br"
                    | "li"
                    | "tr"
                    | "td"
                    | "th"
                    | "pre"
                    | "div"
                    | "blockquote"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
            );
            if block && !out.ends_with('\n') && !out.is_empty() {
                out.push('\n');
            }
            rest = &rest[end..];
        } else {
            let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 10);
            let decoded = end.and_then(|e| {
                let ent = &rest[1..e];
                match ent {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some('\u{A0}'),
                    _ => {
                        let n = if let Some(h) = ent.strip_prefix("#x").or(ent.strip_prefix("#X")) {
                            u32::from_str_radix(h, 16).ok()
                        } else {
                            ent.strip_prefix('#').and_then(|d| d.parse().ok())
                        };
                        n.and_then(char::from_u32)
                    }
                }
            });
            match (end, decoded) {
                (Some(e), Some(c)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

/// A value that one of several threads takes, once.
pub struct Taken<T>(std::sync::Mutex<Option<T>>);

impl<T> Taken<T> {
    pub fn new(t: T) -> Taken<T> {
        Taken(std::sync::Mutex::new(Some(t)))
    }

    /// Nothing to take.
    pub fn none() -> Taken<T> {
        Taken(std::sync::Mutex::new(None))
    }

    /// The value, the first time.
    pub fn take(&self) -> Option<T> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// What is searchable on a site: published documents in output order,
/// then the roles of published departments.
pub struct Sources<'a> {
    site: &'a Site,
    /// Each document's [`body_blocks`], when the build made them while it
    /// had the bodies parsed, each taken (and freed after it is indexed)
    /// when its entry is made; a body with none to take (or all of them,
    /// when this is empty) is parsed when its turn comes.
    blocks: &'a [Taken<Vec<Block>>],
    bodies: &'a Bodies,
    docs: Vec<DocId>,
    roles: Vec<RoleId>,
}

impl<'a> Sources<'a> {
    pub fn new(site: &'a Site, blocks: &'a [Taken<Vec<Block>>], bodies: &'a Bodies) -> Sources<'a> {
        Sources {
            site,
            blocks,
            bodies,
            docs: site.published_docs().collect(),
            roles: (0..site.roles.len())
                .filter(|&r| site.published(site.roles[r].dept))
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len() + self.roles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entry `i` (documents first, then roles).
    pub fn entry(&self, i: usize) -> Entry {
        match self.docs.get(i) {
            Some(&d) => self.doc(d),
            None => self.role(self.roles[i - self.docs.len()]),
        }
    }

    fn doc(&self, d: DocId) -> Entry {
        let site = self.site;
        let doc = &site.docs[d];
        let mut blocks = vec![Block {
            anchor: None,
            field: Field::Title,
            text: doc.title.clone(),
        }];
        // Not made by the build (or asked again): made here, one at a time.
        let made = self.blocks.get(d).and_then(Taken::take);
        blocks.extend(
            made.unwrap_or_else(|| body_blocks(&markdown::analyze(site.files[doc.file].body()))),
        );
        Entry {
            url: doc.url.clone(),
            title: doc.title.clone(),
            subtitle: if doc.group == 0 {
                String::new()
            } else {
                site.groups[doc.group].title.clone()
            },
            blocks,
        }
    }

    fn role(&self, r: RoleId) -> Entry {
        let site = self.site;
        let role = &site.roles[r];
        let dept = &site.docs[role.dept];
        let mut blocks = vec![
            Block {
                anchor: None,
                field: Field::Title,
                text: role.title.clone(),
            },
            Block {
                anchor: None,
                field: Field::Heading,
                text: dept.title.clone(),
            },
        ];
        if let Some(s) = &role.summary {
            blocks.push(Block {
                anchor: None,
                field: Field::Body,
                text: s.clone(),
            });
        }
        if let Some(html) = self
            .bodies
            .docs
            .get(role.dept)
            .and_then(|b| b.sections.get(&role.id))
        {
            blocks.push(Block {
                anchor: None,
                field: Field::Body,
                text: html_text(html),
            });
        }
        Entry {
            url: site.role_url(r),
            title: role.title.clone(),
            subtitle: dept.title.clone(),
            blocks,
        }
    }
}

/// Every entry of a site, in page-id order.
pub fn entries(site: &Site, blocks: &[Taken<Vec<Block>>], bodies: &Bodies) -> Vec<Entry> {
    let src = Sources::new(site, blocks, bodies);
    (0..src.len())
        .into_par_iter()
        .map(|i| src.entry(i))
        .collect()
}

/// Indexes the site, handing each index file to `sink` (output path,
/// bytes) as soon as it is made, from any thread (see
/// [`index::build_from`]): each page's entry is made when its batch is
/// tokenized and dropped after; with no `blocks` (see [`Sources`]), each
/// body is analyzed when its turn comes (so they are never all in memory).
pub fn write<S, E>(
    site: &Site,
    blocks: &[Taken<Vec<Block>>],
    bodies: &Bodies,
    sink: S,
) -> Result<index::Summary, E>
where
    S: Fn(String, Vec<u8>) -> Result<(), E> + Sync,
    E: Send,
{
    let src = Sources::new(site, blocks, bodies);
    index::build_from(src.len(), |i| std::borrow::Cow::Owned(src.entry(i)), sink)
}

/// Indexes the site and adds the index files to `output`.
pub fn add_to_output(
    site: &Site,
    blocks: &[Taken<Vec<Block>>],
    bodies: &Bodies,
    output: &mut Output,
) {
    let files = std::sync::Mutex::new(Vec::new());
    let done = write(site, blocks, bodies, |path, bytes| {
        files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path, bytes));
        Ok::<(), std::convert::Infallible>(())
    });
    match done {
        Ok(_) => {}
        Err(e) => match e {},
    }
    output.extend(files.into_inner().unwrap_or_else(|e| e.into_inner()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_drops_tags_and_decodes_entities() {
        let h = "<h3 id=\"head\">部门负责人</h3>\n<p>负责&amp;组织 &lt;安全&gt; &#x4E00;&#20108;</p>\n<ul>\n<li>甲</li>\n<li><a href=\"\u{E000}root\u{E000}x/\">乙</a></li>\n</ul>\n";
        assert_eq!(html_text(h), "部门负责人\n负责&组织 <安全> 一二\n甲\n乙");
        assert_eq!(html_text("a & b &bogus; <"), "a & b &bogus;");
        assert_eq!(html_text("&#xFFFFFFFF;&#0;"), "&#xFFFFFFFF;\u{0}");
        assert_eq!(html_text("<考"), "");
        assert_eq!(html_text("a<b考"), "a");
        assert_eq!(
            html_text("x<SCRIPT>考勤</script>y<style>p{}</STYLE>z"),
            "xyz"
        );
        assert_eq!(html_text("<script>考勤"), "");
        assert_eq!(html_text("&"), "&");
        assert_eq!(html_text("&#"), "&#");
        assert_eq!(html_text("&考;"), "&考;");
    }

    /// Random text from a pool of awkward characters never panics anywhere.
    #[test]
    fn no_panic_on_random_input() {
        let pool: Vec<char> =
            "<>&;#x/ a考勤，。\u{2028}\u{301}ＡＡ①㈱ﬁ𠀀\u{FFFF}\u{10FFFF}\u{0}\n\"'İΣ-_ᄀ가"
                .chars()
                .collect();
        let mut seed = 1u64;
        let mut entries = Vec::new();
        for i in 0..400 {
            let mut t = String::new();
            for _ in 0..(seed % 40) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                t.push(pool[(seed >> 33) as usize % pool.len()]);
            }
            let h = html_text(&t);
            let _ = tokenize::query_terms(&t);
            let _ = tokenize::tokenize(&h);
            entries.push(Entry {
                url: format!("{t}/{i}/"),
                title: t.clone(),
                subtitle: h.clone(),
                blocks: vec![
                    Block {
                        anchor: Some(t.clone()),
                        field: Field::Title,
                        text: t.clone(),
                    },
                    Block {
                        anchor: None,
                        field: Field::Heading,
                        text: h,
                    },
                ],
            });
        }
        let files = index::build(&entries);
        for b in files.files.values() {
            let s = String::from_utf8(b.clone()).unwrap();
            assert!(!s.contains('<') && !s.contains('\u{2028}'));
        }
    }

    #[test]
    fn heading_blocks_split_into_heading_and_body() {
        let a = markdown::analyze("前言\n\n## 第一章 总则\n\n第一条 安全\n管理。\n");
        let b = body_blocks(&a);
        assert_eq!(b[0].field, Field::Body);
        assert_eq!(b[1].field, Field::Heading);
        assert_eq!(b[1].anchor.as_deref(), Some("ch1"));
        assert_eq!(b[1].text, "第一章 总则");
        assert_eq!(b[2].anchor.as_deref(), Some("a1"));
        assert_eq!(b[2].field, Field::Body);
    }
}
