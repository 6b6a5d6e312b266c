//! Markdown: charter bodies to HTML. Two passes over one parse:
//! `analyze` finds every block's article number and gives each heading and
//! numbered block its anchor (spec §4); `render` resolves links against the
//! whole site (spec §3) and writes HTML with a table of contents, CJK-aware
//! line joining and highlighted code.

pub mod articles;
pub mod highlight;
pub mod links;

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use articles::{AnchorDeduper, ArticleNumber, NumberKind};

pub const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_HEADING_ATTRIBUTES)
    .union(Options::ENABLE_WIKILINKS);

/// An anchor on a page: an article number or a heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub id: String,
    /// Default text of a link to it: the number as written, or the heading text.
    pub label: String,
    /// Got a `_2`-style suffix: not stable, so links to it are refused.
    pub suffixed: bool,
    /// Byte offset of its block in the body.
    pub offset: usize,
}

/// A heading, for the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// What the first pass learns about a body.
#[derive(Debug, Clone)]
pub struct Analysis<'a> {
    pub events: Vec<(Event<'a>, Range<usize>)>,
    /// Element id (and an extra article anchor) of blocks, by event index.
    blocks: HashMap<usize, BlockIds>,
    pub anchors: Vec<Anchor>,
    pub headings: Vec<Heading>,
}

#[derive(Debug, Clone, Default)]
struct BlockIds {
    id: String,
    /// An article anchor placed before a heading that has its own `{#id}`.
    extra: Option<String>,
}

impl Analysis<'_> {
    pub fn anchor(&self, id: &str) -> Option<&Anchor> {
        self.anchors.iter().find(|a| a.id == id)
    }
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x312F
        | 0x3190..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

/// Plain text at the start of an inline run: text with emphasis markers
/// dropped, up to the next line break or the end of the block.
fn line_prefix(events: &[(Event, Range<usize>)], max: usize) -> String {
    let mut out = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough) => {}
            _ => break,
        }
        if out.len() >= max {
            break;
        }
    }
    out
}

/// All text of a heading (for its id and the table of contents).
fn block_text(events: &[(Event, Range<usize>)]) -> String {
    let mut out = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Heading(_) | TagEnd::Paragraph) => break,
            _ => {}
        }
    }
    out.trim().to_string()
}

fn level_num(l: HeadingLevel) -> u8 {
    l as u8
}

/// Splits paragraphs where a line begins with an article number (authors
/// write one article per line, without blank lines between).
fn split_article_lines<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
) -> Vec<(Event<'a>, Range<usize>)> {
    let mut out = Vec::with_capacity(events.len());
    let mut list_depth = 0usize;
    let mut in_para = false;
    let mut inline_depth = 0usize;
    for i in 0..events.len() {
        let (e, r) = &events[i];
        match e {
            Event::Start(Tag::Item) => list_depth += 1,
            Event::End(TagEnd::Item) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Paragraph) => {
                in_para = true;
                inline_depth = 0;
            }
            Event::End(TagEnd::Paragraph) => in_para = false,
            Event::Start(_) if in_para => inline_depth += 1,
            Event::End(_) if in_para => inline_depth = inline_depth.saturating_sub(1),
            Event::SoftBreak if in_para && list_depth == 0 && inline_depth == 0 => {
                let prefix = line_prefix(&events[i + 1..], 64);
                if articles::parse_number(&prefix).is_some() {
                    let next = events.get(i + 1).map_or(r.end, |(_, nr)| nr.start);
                    out.push((Event::End(TagEnd::Paragraph), r.clone()));
                    out.push((Event::Start(Tag::Paragraph), next..next));
                    continue;
                }
            }
            _ => {}
        }
        out.push((e.clone(), r.clone()));
    }
    out
}

/// First pass: parse, split article lines, and give every heading and
/// numbered block its anchor.
pub fn analyze(body: &str) -> Analysis<'_> {
    let events: Vec<_> = Parser::new_ext(body, OPTIONS).into_offset_iter().collect();
    let events = split_article_lines(events);

    struct Block {
        idx: usize,
        offset: usize,
        heading: Option<(u8, String, Option<String>)>,
        number: Option<usize>,
    }
    let mut blocks = Vec::new();
    let mut numbers: Vec<ArticleNumber> = Vec::new();
    let mut list_depth = 0usize;
    for (i, (e, r)) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::Item) => list_depth += 1,
            Event::End(TagEnd::Item) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Heading { level, id, .. }) => {
                let text = block_text(&events[i + 1..]);
                let number = articles::parse_number(&text).map(|n| {
                    numbers.push(n);
                    numbers.len() - 1
                });
                blocks.push(Block {
                    idx: i,
                    offset: r.start,
                    heading: Some((level_num(*level), text, id.as_ref().map(|s| s.to_string()))),
                    number,
                });
            }
            Event::Start(Tag::Paragraph) if list_depth == 0 => {
                if let Some(n) = articles::parse_number(&line_prefix(&events[i + 1..], 64)) {
                    numbers.push(n);
                    blocks.push(Block {
                        idx: i,
                        offset: r.start,
                        heading: None,
                        number: Some(numbers.len() - 1),
                    });
                }
            }
            _ => {}
        }
    }
    let bases = articles::assign_anchors(&numbers);
    let mut dedup = AnchorDeduper::default();
    for b in &blocks {
        if let Some((_, _, Some(id))) = &b.heading {
            dedup.reserve(id);
        }
    }
    let mut analysis = Analysis {
        events: Vec::new(),
        blocks: HashMap::new(),
        anchors: Vec::new(),
        headings: Vec::new(),
    };
    for b in blocks {
        let article = b.number.map(|n| {
            let (id, suffixed) = dedup.unique(&bases[n]);
            let num = &numbers[n];
            let label = match (&b.heading, num.kind) {
                (
                    Some((_, text, _)),
                    NumberKind::Item | NumberKind::SubItem | NumberKind::Dotted,
                ) => text.clone(),
                _ => num.written.clone(),
            };
            analysis.anchors.push(Anchor {
                id: id.clone(),
                label,
                suffixed,
                offset: b.offset,
            });
            id
        });
        let ids = match b.heading {
            Some((level, text, explicit)) => {
                let id = match (&explicit, &article) {
                    (Some(e), _) => {
                        analysis.anchors.push(Anchor {
                            id: e.clone(),
                            label: text.clone(),
                            suffixed: false,
                            offset: b.offset,
                        });
                        e.clone()
                    }
                    (None, Some(a)) => a.clone(),
                    (None, None) => {
                        let (id, suffixed) = dedup.unique(&articles::slugify(&text));
                        analysis.anchors.push(Anchor {
                            id: id.clone(),
                            label: text.clone(),
                            suffixed,
                            offset: b.offset,
                        });
                        id
                    }
                };
                analysis.headings.push(Heading {
                    level,
                    id: id.clone(),
                    text,
                });
                BlockIds {
                    extra: article.filter(|a| *a != id),
                    id,
                }
            }
            None => BlockIds {
                id: article.unwrap_or_default(),
                extra: None,
            },
        };
        analysis.blocks.insert(b.idx, ids);
    }
    analysis.events = events;
    analysis
}

/// The output of the second pass.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    /// Level-2 headings with their level-3 children, for the table of contents.
    pub toc: Vec<TocEntry>,
    /// Sections whose heading id is one of `section_ids`: id → HTML.
    pub sections: HashMap<String, String>,
}

#[derive(Debug, Clone, Hash, serde::Serialize)]
pub struct TocEntry {
    pub id: String,
    pub text: String,
    pub children: Vec<TocEntry>,
}

/// Builds the table of contents from the headings: level 2, with level 3 beneath.
pub fn toc(headings: &[Heading]) -> Vec<TocEntry> {
    let mut out: Vec<TocEntry> = Vec::new();
    for h in headings {
        let entry = TocEntry {
            id: h.id.clone(),
            text: h.text.clone(),
            children: Vec::new(),
        };
        match h.level {
            2 => out.push(entry),
            3 => match out.last_mut() {
                Some(parent) => parent.children.push(entry),
                None => out.push(entry),
            },
            _ => {}
        }
    }
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    pulldown_cmark_escape::escape_html(&mut out, s).ok();
    out
}

/// Second pass: resolve links, join CJK lines, highlight code, write HTML.
/// `resolve` turns a link's destination into an href (or reports it).
pub fn render<'a>(
    analysis: &Analysis<'a>,
    section_ids: &[&str],
    resolve: &mut dyn FnMut(&links::LinkRequest) -> Option<links::Resolved>,
) -> Rendered {
    let events = &analysis.events;
    let mut out: Vec<Event<'a>> = Vec::with_capacity(events.len());
    // Open role sections: (id, level, start index in `out`).
    let mut open: Option<(String, u8, usize)> = None;
    let mut sections: Vec<(String, Range<usize>)> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let (e, range) = &events[i];
        match e {
            Event::Start(Tag::Heading {
                level,
                id: _,
                classes,
                attrs,
            }) => {
                let lvl = level_num(*level);
                if let Some((sid, slvl, start)) = open.take() {
                    if lvl <= slvl {
                        sections.push((sid, start..out.len()));
                    } else {
                        open = Some((sid, slvl, start));
                    }
                }
                let ids = analysis.blocks.get(&i).cloned().unwrap_or_default();
                if let Some(extra) = &ids.extra {
                    out.push(Event::Html(
                        format!("<a id=\"{}\"></a>", escape(extra)).into(),
                    ));
                }
                if open.is_none() && section_ids.contains(&ids.id.as_str()) {
                    open = Some((ids.id.clone(), lvl, out.len()));
                }
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(ids.id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::Start(Tag::Paragraph) => match analysis.blocks.get(&i) {
                Some(ids) if !ids.id.is_empty() => out.push(Event::Html(
                    format!("<p id=\"{}\" class=\"article\">", escape(&ids.id)).into(),
                )),
                _ => out.push(e.clone()),
            },
            Event::SoftBreak => {
                let before = prev_char(&out);
                let after = next_char(&events[i + 1..]);
                if !(before.is_some_and(is_cjk) && after.is_some_and(is_cjk)) {
                    out.push(Event::SoftBreak);
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let end = matching_end(events, i);
                let wiki = matches!(link_type, pulldown_cmark::LinkType::WikiLink { .. });
                let has_text = matches!(
                    link_type,
                    pulldown_cmark::LinkType::WikiLink { has_pothole: true }
                ) || !wiki;
                let req = links::LinkRequest {
                    dest: dest_url.as_ref(),
                    wiki,
                    image: false,
                    span: range.clone(),
                };
                match resolve(&req) {
                    Some(res) => {
                        out.push(Event::Start(Tag::Link {
                            link_type: pulldown_cmark::LinkType::Inline,
                            dest_url: res.href.into(),
                            title: title.clone(),
                            id: id.clone(),
                        }));
                        if has_text {
                            out.extend(events[i + 1..end].iter().map(|(e, _)| e.clone()));
                        } else {
                            out.push(Event::Text(res.label.into()));
                        }
                        out.push(Event::End(TagEnd::Link));
                    }
                    None => {
                        // Unresolved (already reported): keep the text, drop the link.
                        if has_text {
                            out.extend(events[i + 1..end].iter().map(|(e, _)| e.clone()));
                        } else {
                            out.push(Event::Text(dest_url.clone()));
                        }
                    }
                }
                i = end + 1;
                continue;
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let req = links::LinkRequest {
                    dest: dest_url.as_ref(),
                    wiki: false,
                    image: true,
                    span: range.clone(),
                };
                let href = resolve(&req).map_or_else(|| dest_url.clone(), |r| r.href.into());
                out.push(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: href,
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let end = matching_end(events, i);
                let mut code = String::new();
                for (e, _) in &events[i + 1..end] {
                    if let Event::Text(t) = e {
                        code.push_str(t);
                    }
                }
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                let body = if lang.is_empty() {
                    None
                } else {
                    highlight::highlight(&code, &lang)
                };
                let html = match body {
                    Some(h) => format!(
                        "<pre class=\"code hl-code\" data-lang=\"{}\"><code>{h}</code></pre>\n",
                        escape(&lang)
                    ),
                    None if lang.is_empty() => {
                        format!("<pre class=\"code\"><code>{}</code></pre>\n", escape(&code))
                    }
                    None => format!(
                        "<pre class=\"code\" data-lang=\"{0}\"><code class=\"language-{0}\">{1}</code></pre>\n",
                        escape(&lang),
                        escape(&code)
                    ),
                };
                out.push(Event::Html(html.into()));
                i = end + 1;
                continue;
            }
            _ => out.push(e.clone()),
        }
        i += 1;
    }
    if let Some((sid, _, start)) = open.take() {
        sections.push((sid, start..out.len()));
    }
    let mut rendered = Rendered {
        toc: toc(&analysis.headings),
        ..Rendered::default()
    };
    for (id, r) in sections {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, out[r].iter().cloned());
        rendered.sections.insert(id, html);
    }
    pulldown_cmark::html::push_html(&mut rendered.html, out.into_iter());
    rendered
}

/// Cleans a rendered body for `[markdown] safe = true` (authors who are
/// not trusted): raw `<script>`, `<style>`, `<iframe>`, forms and every
/// other element outside a fixed list are dropped, so are event-handler
/// (`on*`) and `style` attributes and URLs whose scheme is not a plain
/// web one (`javascript:`, `data:`, `vbscript:` …). What the renderer
/// itself writes survives: `id` (article anchors, headings), `class`
/// (`article`, `hl-*`, footnotes), `data-lang` on code, table alignment,
/// relative links (and the link placeholders, which are relative too).
pub fn sanitize(html: &str) -> String {
    static CLEANER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut b = ammonia::Builder::default();
            b.add_generic_attributes(["id", "class"])
                .add_tag_attributes("pre", ["data-lang"])
                .add_tag_attributes("th", ["style"])
                .add_tag_attributes("td", ["style"])
                .filter_style_properties(["text-align"].into())
                .link_rel(None);
            b
        })
        .clean(html)
        .to_string()
}

/// The deepest element nesting `[markdown] safe` cleans (see [`nesting_depth`]).
pub const MAX_SAFE_DEPTH: usize = 512;

/// How deep the elements of an HTML fragment nest, counted by a tolerant
/// scan of start and end tags (void and self-closed elements do not
/// nest; text inside `<script>`/`<style>` is not skipped, so this errs on
/// the high side). Cheap and linear: it guards [`sanitize`], whose HTML
/// parser is quadratic in the depth.
pub fn nesting_depth(html: &str) -> usize {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let b = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let start = i + off + 1;
        i = start;
        match b.get(start) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(c) if c.is_ascii_alphabetic() => {
                let name_end = b[start..]
                    .iter()
                    .position(|c| !c.is_ascii_alphanumeric())
                    .map_or(b.len(), |e| start + e);
                let name = html[start..name_end].to_ascii_lowercase();
                let Some(close) = b[name_end..].iter().position(|&c| c == b'>') else {
                    break;
                };
                let close = name_end + close;
                if !VOID.contains(&name.as_str()) && b[close - 1] != b'/' {
                    depth += 1;
                    max = max.max(depth);
                }
                i = close;
            }
            _ => {}
        }
    }
    max
}

/// Index of the event that closes the element opened at `start`.
fn matching_end(events: &[(Event, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (j, (e, _)) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}

fn prev_char(out: &[Event]) -> Option<char> {
    for e in out.iter().rev() {
        match e {
            Event::Text(t) | Event::Code(t) => return t.chars().last(),
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. })
            | Event::End(
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link,
            ) => {}
            _ => return None,
        }
    }
    None
}

fn next_char(events: &[(Event, Range<usize>)]) -> Option<char> {
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => return t.chars().next(),
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. })
            | Event::End(
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link,
            ) => {}
            _ => return None,
        }
    }
    None
}

/// Plain text of a body, cut where an anchor starts, for the search index:
/// a hit in a block links to that block's anchor (the nearest one before it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextBlock {
    /// The anchor that starts this block (None before the first anchor).
    pub anchor: Option<String>,
    /// The block starts with a heading (its first line is the heading text).
    pub heading: bool,
    pub text: String,
}

/// Extracts the text of a body, one block per anchor.
pub fn text_blocks(analysis: &Analysis) -> Vec<TextBlock> {
    let events = &analysis.events;
    let mut blocks = vec![TextBlock::default()];
    let mut skip_until: Option<usize> = None;
    for (i, (e, _)) in events.iter().enumerate() {
        if let Some(end) = skip_until {
            if i <= end {
                continue;
            }
            skip_until = None;
        }
        match e {
            Event::Start(Tag::Heading { .. } | Tag::Paragraph) => {
                if let Some(ids) = analysis.blocks.get(&i).filter(|b| !b.id.is_empty()) {
                    blocks.push(TextBlock {
                        anchor: Some(ids.extra.clone().unwrap_or_else(|| ids.id.clone())),
                        heading: matches!(e, Event::Start(Tag::Heading { .. })),
                        text: String::new(),
                    });
                }
            }
            Event::Start(Tag::Link {
                link_type: pulldown_cmark::LinkType::WikiLink { has_pothole: false },
                ..
            }) => {
                // The text is the target's id; its title is not known here.
                skip_until = Some(matching_end(events, i));
            }
            Event::Start(Tag::CodeBlock(_)) => {}
            Event::Text(t) | Event::Code(t) => {
                if let Some(b) = blocks.last_mut() {
                    b.text.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                let before = blocks.last().and_then(|b| b.text.chars().last());
                let after = next_char(&events[i + 1..]);
                if !(before.is_some_and(is_cjk) && after.is_some_and(is_cjk))
                    && let Some(b) = blocks.last_mut()
                {
                    b.text.push(' ');
                }
            }
            Event::End(
                TagEnd::Heading(_)
                | TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock,
            ) => {
                if let Some(b) = blocks.last_mut()
                    && !b.text.ends_with('\n')
                    && !b.text.is_empty()
                {
                    b.text.push('\n');
                }
            }
            _ => {}
        }
    }
    blocks.retain(|b| !b.text.trim().is_empty() || b.anchor.is_some());
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(body: &str) -> String {
        let a = analyze(body);
        render(&a, &[], &mut |_| None).html
    }

    #[test]
    fn article_lines_become_paragraphs_and_cjk_lines_join() {
        let h = html("第一条 安全\n管理\n第二条 English\nwords here\n");
        assert!(
            h.contains("<p id=\"a1\" class=\"article\">第一条 安全管理</p>"),
            "{h}"
        );
        assert!(
            h.contains("<p id=\"a2\" class=\"article\">第二条 English\nwords here</p>"),
            "{h}"
        );
    }

    #[test]
    fn heading_with_own_id_keeps_article_anchor() {
        let h = html("## 第二章 职责 {#duties}\n");
        assert!(h.contains("<a id=\"ch2\"></a>\n<h2 id=\"duties\">"), "{h}");
    }

    #[test]
    fn safe_mode_keeps_what_the_renderer_writes() {
        let body = "## 第二章 职责 {#duties}\n\n第一条 安全\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n```rust\nfn x() {}\n```\n\n<a href=\"../a/index.html#a1\">rel</a> <a href=\"https://example.com/\">ext</a>\n";
        let h = html(body);
        assert_eq!(sanitize(&h), h.replace("text-align: ", "text-align:"));
    }

    #[test]
    fn safe_mode_drops_scripts_handlers_and_bad_urls() {
        let body = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b](data:text/html,x) <a href=\"JaVaScRiPt:alert(1)\">c</a>\n\n<style>p{}</style><iframe src=\"https://x\"></iframe><p style=\"color:red\" onclick=\"x()\">p</p>\n";
        let clean = sanitize(&html(body)).to_ascii_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "data:",
            "<style",
            "<iframe",
            "color:red",
        ] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
        assert!(clean.contains("<img src=\"x\">"), "{clean}");
    }

    #[test]
    fn nesting_depth_counts_open_elements() {
        assert_eq!(
            nesting_depth("<p>a<br>b<img src=x/></p><div><ul><li>x</li></ul></div>"),
            3
        );
        assert_eq!(nesting_depth(&html(&"> ".repeat(600))), 600);
        assert_eq!(nesting_depth("a < b <"), 0);
        assert_eq!(nesting_depth("<x-y a='>'>"), 1);
    }

    #[test]
    fn text_blocks_follow_anchors() {
        let a = analyze("前言\n\n## 第一章 总则\n\n第一条 安全\n管理。\n");
        let b = text_blocks(&a);
        assert_eq!(b[0].anchor, None);
        assert_eq!(b[0].text, "前言\n");
        assert_eq!(b[1].anchor.as_deref(), Some("ch1"));
        assert!(b[1].heading);
        assert_eq!(b[2].anchor.as_deref(), Some("a1"));
        assert_eq!(b[2].text, "第一条 安全管理。\n");
    }
}
