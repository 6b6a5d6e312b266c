//! Loading content files into the model: front matter parsed in parallel,
//! then ids, groups, URLs, roles, activities and reporting lines resolved
//! in path order, every failure a diagnostic with its file:line:col.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;
use toml::Spanned;

use super::{
    ActId, Activity, Doc, DocId, FileId, Group, GroupId, Kind, Meta, Role, Site, SourceFile, Span,
};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, closest};
use crate::source;
use crate::source::frontmatter::{self, FrontMatter, KINDS, STATUSES, valid_id};

/// `_index.md` front matter of a group.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct GroupMatter {
    title: Option<String>,
    weight: Option<i64>,
    summary: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    #[allow(dead_code)]
    extra: toml::Table,
}

#[derive(Clone)]
enum Parsed {
    /// Shared with the parse cache of `serve`: never copied.
    Doc(std::sync::Arc<FrontMatter>),
    Group(GroupMatter),
}

/// Reads and parses one content file.
fn parse_file(root: &Path, rel: &Path) -> Result<(SourceFile, Parsed), Diagnostic> {
    let src = source::read(&root.join(rel), rel)?;
    let split = frontmatter::split(&src, rel)?;
    let body_start = split.as_ref().map_or(0, |s| s.body_start);
    let is_index = rel.file_name().is_some_and(|n| n == "_index.md");
    let parsed = match (&split, is_index) {
        (Some(sp), false) => Parsed::Doc(std::sync::Arc::new(frontmatter::parse(&src, rel, sp)?)),
        (None, false) => Parsed::Doc(Default::default()),
        (Some(sp), true) => Parsed::Group(
            toml::from_str(&src.text[sp.toml.clone()])
                .map_err(|e| source::toml_error(&e, &src, rel, sp.toml.start))?,
        ),
        (None, true) => Parsed::Group(GroupMatter::default()),
    };
    Ok((
        SourceFile {
            rel: rel.to_path_buf(),
            src: std::sync::Arc::new(src),
            body_start,
        },
        parsed,
    ))
}

/// The content folder of a file, relative to `content/` (`construction` for `content/construction/a.md`).
fn folder_of(rel: &Path) -> String {
    let inner = rel.strip_prefix("content").unwrap_or(rel);
    inner
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default()
}

struct Builder<'a> {
    /// The files (borrowed by the builders that resolve documents in parallel).
    files: std::borrow::Cow<'a, [SourceFile]>,
    diags: &'a mut Vec<Diagnostic>,
}

impl Builder<'_> {
    fn span<T>(&self, file: FileId, offset: usize, s: &Spanned<T>) -> Span {
        Span {
            file,
            start: offset + s.span().start,
            end: offset + s.span().end,
        }
    }

    fn loc(&self, span: Span) -> crate::diagnostics::Location {
        let f = &self.files[span.file];
        f.src.location(&f.rel, span.start, span.end)
    }

    fn file_loc(&self, file: FileId) -> crate::diagnostics::Location {
        self.loc(Span {
            file,
            start: 0,
            end: 0,
        })
    }

    /// Checks an id that must be valid and unique within its department
    /// (`what` is "role" or "activity"); reports and returns false if not.
    fn new_local_id<'i>(
        &mut self,
        seen: &mut HashMap<&'i str, Span>,
        id: &'i str,
        span: Span,
        what: &str,
    ) -> bool {
        if !valid_id(id) {
            self.diags.push(
                Diagnostic::error("E006", format!("`{id}` is not a valid {what} id"))
                    .at(self.loc(span))
                    .with_help("ids may hold letters of any script, digits, `-` and `_`"),
            );
            return false;
        }
        if let Some(first) = seen.get(id) {
            let first_line = self.loc(*first).line;
            self.diags.push(
                Diagnostic::error("E017", format!("duplicate {what} id `{id}`"))
                    .at(self.loc(span))
                    .with_note(format!("`{id}` is first defined on line {first_line}")),
            );
            return false;
        }
        seen.insert(id, span);
        true
    }

    fn toml_offset(&self, file: FileId) -> usize {
        let text = &self.files[file].src.text;
        // The TOML starts on the line after the opening `+++`.
        if text.starts_with("+++") {
            text.find('\n').map_or(text.len(), |i| i + 1)
        } else {
            0
        }
    }
}

/// Roles and activities of a document, before cross-document resolution.
struct PendingDoc {
    fm: std::sync::Arc<FrontMatter>,
    offset: usize,
}

/// The top-level URL segments of generated pages: no document or folder
/// may take them.
const RESERVED: [&str; 6] = ["roles", "matrix", "org", "search", "print", "changes"];

/// The group of a folder, created with the groups above it if needed.
fn ensure_group(
    folder: &str,
    groups: &mut Vec<Group>,
    group_of: &mut BTreeMap<String, GroupId>,
) -> GroupId {
    let mut parent = None;
    let mut path = String::new();
    let parts: Vec<&str> = if folder.is_empty() {
        vec![]
    } else {
        folder.split('/').collect()
    };
    for depth in 0..=parts.len() {
        if depth > 0 {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(parts[depth - 1]);
        }
        let id = match group_of.get(&path) {
            Some(&g) => g,
            None => {
                let g = groups.len();
                groups.push(Group {
                    folder: path.clone(),
                    title: parts
                        .get(depth.wrapping_sub(1))
                        .copied()
                        .unwrap_or("")
                        .to_string(),
                    summary: None,
                    weight: 0,
                    file: None,
                    parent,
                    children: Vec::new(),
                    docs: Vec::new(),
                    draft: false,
                });
                if let Some(p) = parent {
                    groups[p].children.push(g);
                }
                group_of.insert(path.clone(), g);
                g
            }
        };
        parent = Some(id);
    }
    parent.unwrap_or(0)
}

type ParseResult = Result<(SourceFile, Parsed), Diagnostic>;

/// Parsed content files kept between the builds of `serve`, by path: only
/// files that changed (or are new) are read and parsed again.
#[derive(Default)]
pub struct ParseCache {
    files: HashMap<PathBuf, ParseResult>,
}

impl ParseCache {
    /// Forgets a file, so the next load reads it again.
    pub fn forget(&mut self, rel: &Path) {
        self.files.remove(rel);
    }

    pub fn clear(&mut self) {
        self.files.clear();
    }

    /// A file read and parsed outside [`load_cached`] (by [`patch`]).
    fn put(&mut self, file: SourceFile, fm: std::sync::Arc<FrontMatter>) {
        self.files
            .insert(file.rel.clone(), Ok((file, Parsed::Doc(fm))));
    }

    /// A file whose front matter did not change: its new text, same parse.
    pub fn replace_source(&mut self, file: &SourceFile) {
        if let Some(Ok((f, _))) = self.files.get_mut(&file.rel) {
            *f = file.clone();
        }
    }
}

/// Loads every Markdown file of the site into a resolved model.
pub fn load(
    root: &Path,
    config: Config,
    markdown: &[PathBuf],
    drafts: bool,
    diags: &mut Vec<Diagnostic>,
) -> Site {
    load_cached(root, config, markdown, drafts, diags, None)
}

/// [`load`], reusing what `cache` holds for files it has not forgotten.
pub fn load_cached(
    root: &Path,
    config: Config,
    markdown: &[PathBuf],
    drafts: bool,
    diags: &mut Vec<Diagnostic>,
    cache: Option<&mut ParseCache>,
) -> Site {
    let results: Vec<ParseResult> = match cache {
        None => markdown
            .par_iter()
            .map(|rel| parse_file(root, rel))
            .collect(),
        Some(cache) => {
            let missing: Vec<&PathBuf> = markdown
                .iter()
                .filter(|rel| !cache.files.contains_key(*rel))
                .collect();
            let fresh: Vec<(PathBuf, ParseResult)> = missing
                .par_iter()
                .map(|rel| ((*rel).clone(), parse_file(root, rel)))
                .collect();
            cache.files.extend(fresh);
            let wanted: std::collections::HashSet<&PathBuf> = markdown.iter().collect();
            cache.files.retain(|k, _| wanted.contains(k));
            markdown
                .iter()
                .map(|rel| cache.files[rel].clone())
                .collect()
        }
    };
    let mut files = Vec::new();
    let mut parsed = Vec::new();
    for r in results {
        match r {
            Ok((f, p)) => {
                files.push(f);
                parsed.push(p);
            }
            Err(d) => diags.push(d),
        }
    }
    let mut b = Builder {
        files: files.into(),
        diags,
    };

    // Groups: every folder that holds content, and the folders above it.
    let mut group_of: BTreeMap<String, GroupId> = BTreeMap::new();
    let mut groups: Vec<Group> = Vec::new();
    ensure_group("", &mut groups, &mut group_of);

    let n = parsed.len();
    let mut docs: Vec<Doc> = Vec::with_capacity(n);
    let mut pending: Vec<PendingDoc> = Vec::with_capacity(n);
    let mut by_id: HashMap<String, DocId> = HashMap::with_capacity(n);
    let mut by_url: HashMap<String, FileId> = HashMap::with_capacity(n);

    // Top-level folders named like a generated page, reported once each.
    let mut clashing: Vec<String> = Vec::new();
    for (file, p) in parsed.into_iter().enumerate() {
        let rel = b.files[file].rel.clone();
        let folder = folder_of(&rel);
        let top = folder.split('/').next().unwrap_or_default();
        if RESERVED.contains(&top) && !clashing.iter().any(|c| c == top) {
            clashing.push(top.to_string());
            b.diags.push(
                Diagnostic::error("E018", format!("`/{top}/` is a page Charter generates"))
                    .at(b.file_loc(file))
                    .with_note(format!(
                        "the folder content/{top}/ would be the group page at that URL"
                    ))
                    .with_help("rename the folder"),
            );
        }
        let group = ensure_group(&folder, &mut groups, &mut group_of);
        let fm = match p {
            Parsed::Group(gm) => {
                let g = &mut groups[group];
                g.file = Some(file);
                if let Some(t) = gm.title {
                    g.title = t;
                }
                g.weight = gm.weight.unwrap_or(0);
                g.summary = gm.summary;
                g.draft = gm.draft;
                continue;
            }
            Parsed::Doc(fm) => fm,
        };
        let Some(NewDoc {
            doc,
            id_span,
            slug,
            offset,
        }) = doc_of(&mut b, file, &fm, &folder, group)
        else {
            continue;
        };
        let id = doc.id.clone();
        if let Some(&first) = by_id.get(&id) {
            let loc = id_span.map_or_else(|| b.file_loc(file), |s| b.loc(s));
            let first_rel = b.files[docs[first].file].rel.display().to_string();
            b.diags.push(
                Diagnostic::error("E010", format!("duplicate id `{id}`"))
                    .at(loc)
                    .with_note(format!("`{id}` is first used by {first_rel}"))
                    .with_help("ids must be unique across the site: set a different `id`"),
            );
            continue;
        }
        let url = doc.url.clone();
        if folder.is_empty() && RESERVED.contains(&slug.as_str()) {
            b.diags.push(
                Diagnostic::error("E018", format!("`/{slug}/` is a page Charter generates"))
                    .at(b.file_loc(file))
                    .with_help("set a different `slug`"),
            );
            continue;
        }
        if let Some(&other) = by_url.get(&url).or_else(|| {
            group_of
                .get(url.trim_end_matches('/'))
                .and_then(|&g| groups[g].file.as_ref())
        }) {
            b.diags.push(
                Diagnostic::error("E018", format!("two files map to the URL `/{url}`"))
                    .at(b.file_loc(file))
                    .with_note(format!("{} maps there too", b.files[other].rel.display()))
                    .with_help("set a different `slug` on one of them"),
            );
            continue;
        }
        by_url.insert(url.clone(), file);
        let d = docs.len();
        by_id.insert(id, d);
        docs.push(doc);
        groups[group].docs.push(d);
        pending.push(PendingDoc { fm, offset });
    }
    // A folder that became a group cannot also be a document's URL.
    for (folder, &g) in &group_of {
        if let Some(&file) = by_url.get(&format!("{folder}/")) {
            let other = groups[g]
                .docs
                .first()
                .map(|&d| docs[d].file)
                .or(groups[g].file);
            let mut d =
                Diagnostic::error("E018", format!("two things map to the URL `/{folder}/`"))
                    .at(b.file_loc(file))
                    .with_help("set a different `slug`, or rename the folder");
            if let Some(o) = other {
                d = d.with_note(format!(
                    "the folder of {} is a group there",
                    b.files[o].rel.display()
                ));
            }
            b.diags.push(d);
        }
    }

    let mut site = Site {
        config,
        files: Vec::new(),
        groups,
        docs,
        roles: Vec::new(),
        activities: Vec::new(),
        by_id,
        drafts,
    };

    // Roles of every document first, so that references can point anywhere.
    site.roles
        .reserve(pending.iter().map(|p| p.fm.roles.len()).sum());
    for (d, p) in pending.iter().enumerate() {
        for role in roles_of(&mut b, d, site.docs[d].file, p) {
            site.docs[d].roles.push(site.roles.len());
            site.roles.push(role);
        }
    }

    // References: parent, reports_to, activities. Each document's are
    // resolved on its own, in parallel, then put in the model in order.
    let resolved: Vec<(Refs, Vec<Diagnostic>)> = {
        use rayon::prelude::*;
        let files: &[SourceFile] = &b.files;
        let site = &site;
        pending
            .par_iter()
            .enumerate()
            .map(|(d, p)| {
                let mut diags = Vec::new();
                let mut b = Builder {
                    files: files.into(),
                    diags: &mut diags,
                };
                (resolve_refs(site, d, p, &mut b), diags)
            })
            .collect()
    };
    site.activities
        .reserve(resolved.iter().map(|(r, _)| r.activities.len()).sum());
    for (d, (refs, diags)) in resolved.into_iter().enumerate() {
        b.diags.extend(diags);
        if refs.parent.is_some() {
            site.docs[d].parent = refs.parent;
        }
        for (r, to) in refs.reports_to {
            site.roles[r].reports_to = to;
        }
        for a in refs.activities {
            let aid: ActId = site.activities.len();
            site.activities.push(a);
            site.docs[d].activities.push(aid);
        }
    }
    for d in 0..site.docs.len() {
        if let Some(p) = site.docs[d].parent {
            site.docs[p].children.push(d);
        }
    }
    sort_children(&mut site);
    site.files = b.files.into_owned();
    // The parsed front matter is many small allocations (50 ms to free at
    // 10,000 departments): freed while the build goes on.
    rayon::spawn(move || drop(pending));
    site
}

/// A document as its own front matter makes it (file `file` in folder
/// `folder`, group `group`), checked on its own; the checks against other
/// documents (unique ids and URLs) are the caller's. Problems go to `b`;
/// `None`: the document is left out.
fn doc_of(
    b: &mut Builder,
    file: FileId,
    fm: &FrontMatter,
    folder: &str,
    group: GroupId,
) -> Option<NewDoc> {
    let offset = b.toml_offset(file);
    let stem = b.files[file]
        .rel
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let (id, id_span) = match &fm.id {
        Some(s) => (s.get_ref().clone(), Some(b.span(file, offset, s))),
        None => (stem.clone(), None),
    };
    if !valid_id(&id) {
        let loc = id_span.map_or_else(|| b.file_loc(file), |s| b.loc(s));
        b.diags.push(
            Diagnostic::error("E006", format!("`{id}` is not a valid id"))
                .at(loc)
                .with_help(if id_span.is_some() {
                    "ids may hold letters of any script, digits, `-` and `_`".to_string()
                } else if fm.slug.is_none() {
                    "the id and the URL segment come from the file name; rename the file or set `id = \"…\"` and `slug = \"…\"` (letters, digits, `-`, `_`)".to_string()
                } else {
                    "the id comes from the file name; rename the file or set `id = \"…\"` (letters, digits, `-`, `_`)".to_string()
                }),
        );
        return None;
    }
    let Some(title) = fm.title.as_ref().map(|t| t.get_ref().trim().to_string()) else {
        b.diags.push(
            Diagnostic::error("E006", "missing `title`")
                .at(b.file_loc(file))
                .with_help(format!(
                    "start the file with front matter:\n+++\ntitle = \"{stem}\"\n+++"
                )),
        );
        return None;
    };
    let kind = match fm.kind.as_ref().map(|k| k.get_ref().as_str()) {
        None | Some("department") => Kind::Department,
        Some("page") => Kind::Page,
        Some(other) => {
            let k = fm
                .kind
                .as_ref()
                .map(|k| b.span(file, offset, k))
                .unwrap_or_default();
            let mut d = Diagnostic::error(
                "E006",
                format!("`kind` is `{other}`; it must be \"department\" or \"page\""),
            )
            .at(b.loc(k));
            if let Some(s) = closest(other, KINDS.iter().copied()) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            b.diags.push(d);
            Kind::Department
        }
    };
    let status = fm
        .status
        .as_ref()
        .map(|s| s.get_ref().clone())
        .unwrap_or_else(|| "active".into());
    if !STATUSES.contains(&status.as_str()) {
        let sp = fm
            .status
            .as_ref()
            .map(|s| b.span(file, offset, s))
            .unwrap_or_default();
        let mut d = Diagnostic::error(
            "E006",
            format!(
                "`status` is `{status}`; it must be one of {}",
                STATUSES.join(", ")
            ),
        )
        .at(b.loc(sp));
        if let Some(s) = closest(&status, STATUSES.iter().copied()) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        b.diags.push(d);
    }
    let slug = match &fm.slug {
        Some(s) => {
            if !valid_id(s.get_ref()) {
                b.diags.push(
                    Diagnostic::error("E006", format!("`{}` is not a valid slug", s.get_ref()))
                        .at(b.loc(b.span(file, offset, s)))
                        .with_help(
                            "a slug is one URL segment: letters of any script, digits, `-` and `_`",
                        ),
                );
                return None;
            }
            s.get_ref().clone()
        }
        None => {
            if !valid_id(&stem) {
                b.diags.push(
                    Diagnostic::error(
                        "E006",
                        format!("the file name `{stem}` cannot be a URL segment"),
                    )
                    .at(b.file_loc(file))
                    .with_help("rename the file or set `slug = \"…\"` (letters, digits, `-`, `_`)"),
                );
                return None;
            }
            stem.clone()
        }
    };
    let mut dates = [None, None];
    for (i, d) in [&fm.effective, &fm.revised].into_iter().enumerate() {
        if let Some(d) = d {
            match frontmatter::check_date(d.get_ref()) {
                Ok((y, m, day)) => dates[i] = Some(format!("{y:04}-{m:02}-{day:02}")),
                Err(msg) => b
                    .diags
                    .push(Diagnostic::error("E006", msg).at(b.loc(b.span(file, offset, d)))),
            }
        }
    }
    let url = if folder.is_empty() {
        format!("{slug}/")
    } else {
        format!("{folder}/{slug}/")
    };
    Some(NewDoc {
        id_span,
        slug,
        offset,
        doc: Doc {
            id,
            kind,
            title,
            file,
            url,
            group,
            parent: None,
            children: Vec::new(),
            weight: fm.weight.unwrap_or(0),
            draft: fm.draft,
            meta: Meta {
                summary: fm.summary.clone(),
                effective: dates[0].take(),
                revised: dates[1].take(),
                version: fm.version.clone(),
                doc_number: fm.doc_number.clone(),
                issuer: fm.issuer.clone(),
                status,
                tags: fm.tags.clone(),
                extra: fm.extra.clone(),
            },
            roles: Vec::new(),
            activities: Vec::new(),
        },
    })
}

/// What [`doc_of`] makes: the document, and what its caller's checks need.
struct NewDoc {
    doc: Doc,
    /// Where its `id` is written (`None`: the id is the file's name).
    id_span: Option<Span>,
    slug: String,
    /// Byte offset of its TOML in the file.
    offset: usize,
}

/// The roles of document `d` (file `file`) as its front matter declares
/// them, each id checked (valid, not twice); `reports_to` unresolved.
fn roles_of(b: &mut Builder, d: DocId, file: FileId, p: &PendingDoc) -> Vec<Role> {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    let mut roles = Vec::new();
    for r in &p.fm.roles {
        let span = b.span(file, p.offset, &r.id);
        let id = r.id.get_ref();
        if !b.new_local_id(&mut seen, id, span, "role") {
            continue;
        }
        roles.push(Role {
            dept: d,
            id: id.clone(),
            title: r.title.get_ref().trim().to_string(),
            reports_to: None,
            headcount: r.headcount,
            summary: r.summary.clone(),
            span,
            reports_to_span: r.reports_to.as_ref().map(|s| b.span(file, p.offset, s)),
        });
    }
    roles
}

/// Documents whose front matter changed in nothing that the rest of the
/// model is resolved against, made again on their own: see [`patch`].
pub struct Patch {
    /// The site's files, the changed ones read again.
    files: Vec<SourceFile>,
    docs: Vec<PatchedDoc>,
}

struct PatchedDoc {
    d: DocId,
    doc: Doc,
    roles: Vec<Role>,
    refs: Refs,
    fm: std::sync::Arc<FrontMatter>,
}

/// The content files `changed` (`site.files` indices), read and parsed
/// again, as a patch to `site`, when each is a document that keeps its id,
/// URL, kind, draft state, parent, its roles' ids in their order and the
/// number of its activities, and reports nothing (warnings included).
/// Then no other document resolves differently, the ids of every role and
/// activity stand, and [`apply`] gives the model that [`load`] would.
/// `None`: load the site again.
pub fn patch(site: &Site, root: &Path, changed: &[FileId]) -> Option<Patch> {
    let mut files = site.files.clone();
    let mut fms = Vec::new();
    for &i in changed {
        let (file, Parsed::Doc(fm)) = parse_file(root, &site.files[i].rel).ok()? else {
            return None;
        };
        files[i] = file;
        fms.push(fm);
    }
    let mut docs = Vec::new();
    for (&i, fm) in changed.iter().zip(fms) {
        let d = site.docs.iter().position(|doc| doc.file == i)?;
        let old = &site.docs[d];
        let mut diags = Vec::new();
        let mut b = Builder {
            files: std::borrow::Cow::Borrowed(&files),
            diags: &mut diags,
        };
        let folder = folder_of(&files[i].rel);
        let new = doc_of(&mut b, i, &fm, &folder, old.group)?;
        let same = new.doc.id == old.id
            && new.doc.url == old.url
            && new.doc.kind == old.kind
            && new.doc.draft == old.draft;
        if !same {
            return None;
        }
        let pending = PendingDoc {
            fm,
            offset: new.offset,
        };
        let roles = roles_of(&mut b, d, i, &pending);
        let same_roles = roles.len() == old.roles.len()
            && roles
                .iter()
                .zip(&old.roles)
                .all(|(r, &o)| r.id == site.roles[o].id);
        if !same_roles {
            return None;
        }
        let refs = resolve_refs(site, d, &pending, &mut b);
        if refs.parent != old.parent
            || refs.activities.len() != old.activities.len()
            || !diags.is_empty()
        {
            return None;
        }
        docs.push(PatchedDoc {
            d,
            doc: new.doc,
            roles,
            refs,
            fm: pending.fm,
        });
    }
    Some(Patch { files, docs })
}

/// Puts `patch` into `site` (the site it was made from), and its files
/// into `cache`. Returns the documents patched, and whether a title or
/// weight changed, which sorts the groups' and documents' lists again.
pub fn apply(site: &mut Site, patch: Patch, cache: &mut ParseCache) -> (Vec<DocId>, bool) {
    let mut resort = false;
    let patched = patch.docs.iter().map(|p| p.d).collect();
    for p in patch.docs {
        let old = &mut site.docs[p.d];
        resort |= old.title != p.doc.title || old.weight != p.doc.weight;
        let mut doc = p.doc;
        doc.parent = old.parent;
        doc.children = std::mem::take(&mut old.children);
        doc.roles = std::mem::take(&mut old.roles);
        doc.activities = std::mem::take(&mut old.activities);
        for (&r, role) in doc.roles.iter().zip(p.roles) {
            site.roles[r] = role;
        }
        for (r, to) in p.refs.reports_to {
            site.roles[r].reports_to = to;
        }
        for (&a, activity) in doc.activities.iter().zip(p.refs.activities) {
            site.activities[a] = activity;
        }
        cache.put(patch.files[doc.file].clone(), p.fm);
        site.docs[p.d] = doc;
    }
    site.files = patch.files;
    if resort {
        sort_children(site);
    }
    (patched, resort)
}

/// What one document's references resolve to.
#[derive(Default)]
struct Refs {
    parent: Option<DocId>,
    /// Each role's superior, as written (`None`: none, or not found).
    reports_to: Vec<(crate::model::RoleId, Option<crate::model::RoleId>)>,
    activities: Vec<Activity>,
}

/// Resolves the parent, reporting lines and activities of document `d`
/// against `site` (every document and role known); problems go to `b`.
fn resolve_refs(site: &Site, d: DocId, p: &PendingDoc, b: &mut Builder) -> Refs {
    let mut refs = Refs::default();
    let file = site.docs[d].file;
    if let Some(parent) = &p.fm.parent {
        let span = b.span(file, p.offset, parent);
        if let Some(target) = resolve_doc(site, d, parent.get_ref(), span, b) {
            if target == d {
                b.diags.push(
                    Diagnostic::error("E011", "a department cannot be its own parent")
                        .at(b.loc(span)),
                );
            } else {
                refs.parent = Some(target);
            }
        }
    }
    let roles = &site.docs[d].roles;
    for (i, r) in p.fm.roles.iter().enumerate() {
        let Some(&rid) = roles
            .get(i)
            .filter(|&&rid| site.roles[rid].id == *r.id.get_ref())
        else {
            continue;
        };
        if let Some(rt) = &r.reports_to {
            let span = b.span(file, p.offset, rt);
            let to = resolve_role(site, d, rt.get_ref(), span, b);
            refs.reports_to.push((rid, to));
        }
    }
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for a in &p.fm.activities {
        let span = b.span(file, p.offset, &a.id);
        let id = a.id.get_ref();
        if !b.new_local_id(&mut seen, id, span, "activity") {
            continue;
        }
        let mut raci = Vec::new();
        // In the order written (the map itself is sorted by key).
        let mut entries: Vec<_> = a.raci.get_ref().iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (key, letters) in entries {
            let kspan = b.span(file, p.offset, key);
            let lspan = b.span(file, p.offset, letters);
            let Some(role) = resolve_role(site, d, key.get_ref(), kspan, b) else {
                continue;
            };
            if let Some(l) = parse_letters(&site.config, letters.get_ref(), lspan, b) {
                if let Some(existing) = raci.iter().position(|(r, _)| *r == role) {
                    b.diags.push(
                        Diagnostic::error(
                            "E017",
                            format!("`{}` appears twice in this activity", site.role_key(role)),
                        )
                        .at(b.loc(kspan))
                        .with_help("combine the letters in one entry, e.g. \"A/R\""),
                    );
                    let _ = existing;
                } else {
                    raci.push((role, l));
                }
            }
        }
        refs.activities.push(Activity {
            dept: d,
            id: id.clone(),
            title: a.title.get_ref().trim().to_string(),
            clause: a
                .clause
                .as_ref()
                .map(|c| (c.get_ref().clone(), b.span(file, p.offset, c))),
            raci,
            span: b.span(file, p.offset, &a.raci),
        });
    }
    refs
}

fn sort_children(site: &mut Site) {
    let docs = &site.docs;
    let doc_key = |&d: &DocId| {
        (
            docs[d].weight,
            crate::sortkey::key(&docs[d].title),
            docs[d].id.clone(),
        )
    };
    let mut groups = site.groups.clone();
    for g in &mut groups {
        g.docs.sort_by_cached_key(doc_key);
    }
    let group_keys: Vec<_> = groups
        .iter()
        .map(|g| (g.weight, crate::sortkey::key(&g.title), g.folder.clone()))
        .collect();
    for g in &mut groups {
        g.children
            .sort_by(|a, b| group_keys[*a].cmp(&group_keys[*b]));
    }
    let children: Vec<Vec<DocId>> = site
        .docs
        .iter()
        .map(|d| {
            let mut c = d.children.clone();
            c.sort_by_cached_key(doc_key);
            c
        })
        .collect();
    for (d, c) in children.into_iter().enumerate() {
        site.docs[d].children = c;
    }
    site.groups = groups;
}

fn draft_error(site: &Site, from: DocId, to: DocId, what: &str, span: Span, b: &mut Builder) {
    if site.published(from) && !site.published(to) {
        b.diags.push(
            Diagnostic::error("E015", format!("{what} `{}` is a draft", site.docs[to].id))
                .at(b.loc(span))
                .with_help(
                    "publish it (draft = false), build with --drafts, or remove the reference",
                ),
        );
    }
}

fn resolve_doc(site: &Site, from: DocId, name: &str, span: Span, b: &mut Builder) -> Option<DocId> {
    match site.doc_by_id(name) {
        Some(d) => {
            draft_error(site, from, d, "department", span, b);
            Some(d)
        }
        None => {
            let mut d =
                Diagnostic::error("E011", format!("unknown department `{name}`")).at(b.loc(span));
            if let Some(s) = closest(name, site.docs.iter().map(|d| d.id.as_str())) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            b.diags.push(d);
            None
        }
    }
}

/// Resolves `dept/role` or a bare role of `from`.
fn resolve_role(
    site: &Site,
    from: DocId,
    name: &str,
    span: Span,
    b: &mut Builder,
) -> Option<crate::model::RoleId> {
    let (dept, role) = match name.split_once('/') {
        Some((d, r)) => (resolve_doc(site, from, d, span, b)?, r),
        None => (from, name),
    };
    if let Some(r) = site.role_in(dept, role) {
        return Some(r);
    }
    let dept_doc = &site.docs[dept];
    let mut d = Diagnostic::error(
        "E012",
        format!("unknown role `{role}` in department `{}`", dept_doc.id),
    )
    .at(b.loc(span));
    let here: Vec<&str> = dept_doc
        .roles
        .iter()
        .map(|&r| site.roles[r].id.as_str())
        .collect();
    let by_title = dept_doc
        .roles
        .iter()
        .find(|&&r| site.roles[r].title == role);
    if let Some(&r) = by_title {
        d = d.with_help(format!(
            "`{role}` is the title of `{}`; write its id",
            site.role_key(r)
        ));
    } else if let Some(s) = closest(role, here.iter().copied()) {
        d = d.with_help(if dept == from && !name.contains('/') {
            format!("did you mean `{s}`?")
        } else {
            format!("did you mean `{}/{s}`?", dept_doc.id)
        });
    } else if !name.contains('/') {
        // Perhaps a role of another department written without its department.
        let elsewhere: Vec<String> = site
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| r.id == role)
            .map(|(i, _)| site.role_key(i))
            .collect();
        if let Some(k) = elsewhere.first() {
            d = d.with_help(format!(
                "roles of other departments are written `dept/role`: did you mean `{k}`?"
            ));
        } else if here.is_empty() {
            d = d.with_help(format!(
                "department `{}` has no roles; add [[roles]] with id = \"{role}\"",
                dept_doc.id
            ));
        } else {
            d = d.with_help(format!(
                "the roles of `{}` are: {}",
                dept_doc.id,
                here.join(", ")
            ));
        }
    } else {
        d = d.with_help(format!(
            "the roles of `{}` are: {}",
            dept_doc.id,
            here.join(", ")
        ));
    }
    b.diags.push(d);
    None
}

fn parse_letters(
    config: &Config,
    written: &str,
    span: Span,
    b: &mut Builder,
) -> Option<super::raci::Letters> {
    use super::raci::{Problem, parse};
    let (letters, problems) = parse(written, config.scheme_letters());
    let scheme = &config.matrix.scheme;
    let allowed = || -> String {
        config
            .scheme_letters()
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut ok = true;
    for p in problems {
        let d = match p {
            Problem::Normalized {
                written,
                normalized,
            } => Diagnostic::warning(
                "W054",
                format!("`{written}` is written with full-width letters; read as `{normalized}`"),
            )
            .with_help(format!(
                "type `{normalized}` with the input method in English mode"
            )),
            Problem::LookAlike { ch, script, latin } => {
                ok = false;
                Diagnostic::error(
                    "E053",
                    format!(
                        "`{ch}` (U+{:04X}) is a {script} letter that looks like the Latin `{latin}`",
                        ch as u32
                    ),
                )
                .with_help(format!("retype it as the Latin letter `{}`", latin.to_ascii_uppercase()))
            }
            Problem::OutOfScheme { written } => {
                ok = false;
                let mut d = Diagnostic::error(
                    "E052",
                    format!(
                        "`{written}` is not a letter of the {scheme} scheme ({})",
                        allowed()
                    ),
                );
                let up = written.to_uppercase();
                if config.scheme_letters().iter().any(|c| c.to_string() == up) {
                    d = d.with_help(format!("write it in capitals: `{up}`"));
                } else if written == "S" {
                    d = d.with_help(
                        "S (support) needs `scheme = \"RASCI\"` under [matrix] in config.toml",
                    );
                }
                d
            }
            Problem::Empty => {
                ok = false;
                Diagnostic::error("E052", "empty responsibility letter")
                    .with_help(format!("write one of {}", allowed()))
            }
        };
        b.diags.push(d.at(b.loc(span)));
    }
    ok.then_some(letters)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two departments that name each other's roles.
    const A: &str = "+++\ntitle = \"安全部\"\nid = \"safety\"\nweight = 2\n\n\
        [[roles]]\nid = \"head\"\ntitle = \"部长\"\n\n\
        [[roles]]\nid = \"clerk\"\ntitle = \"文员\"\nreports_to = \"head\"\nheadcount = 2\n\n\
        [[activities]]\nid = \"plan\"\ntitle = \"年度计划\"\nclause = \"a1\"\n\
        raci = { head = \"A\", clerk = \"R\", \"finance/head\" = \"C\" }\n+++\n\
        ## 总则 {#a1}\n\n第一条 正文。\n";
    const B: &str = "+++\ntitle = \"财务部\"\nid = \"finance\"\nweight = 1\n\n\
        [[roles]]\nid = \"head\"\ntitle = \"财务总监\"\nreports_to = \"safety/head\"\n\n\
        [[activities]]\nid = \"budget\"\ntitle = \"预算\"\n\
        raci = { head = \"A/R\", \"safety/clerk\" = \"I\" }\n+++\n正文。\n";

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn fresh(root: &Path, files: &[PathBuf]) -> (Site, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        write(root, "config.toml", "title = \"测试\"\n");
        let config = Config::parse(
            &source::read(&root.join("config.toml"), Path::new("config.toml")).unwrap(),
            Path::new("config.toml"),
        )
        .unwrap();
        let site = load(root, config, files, false, &mut diags);
        (site, diags)
    }

    /// Each edit of `safety.md`'s front matter: the patched model is the
    /// freshly loaded one, field for field (spans too), or there is no
    /// patch when the edit changes what others resolve against.
    #[test]
    fn a_patch_gives_the_model_a_full_load_gives() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "content/ops/safety.md", A);
        write(root, "content/ops/finance.md", B);
        let files = vec![
            PathBuf::from("content/ops/finance.md"),
            PathBuf::from("content/ops/safety.md"),
        ];
        let (base, diags) = fresh(root, &files);
        assert!(diags.is_empty(), "{diags:?}");
        let patched_edits = [
            ("RACI letter", A.replace("clerk = \"R\"", "clerk = \"C\"")),
            ("role title", A.replace("\"文员\"", "\"档案员\"")),
            (
                "reporting line",
                A.replace("reports_to = \"head\"", "reports_to = \"finance/head\""),
            ),
            (
                "activity title and clause gone",
                A.replace("clause = \"a1\"\n", ""),
            ),
            (
                "document title (sorted again)",
                A.replace("安全部", "综合部"),
            ),
            (
                "weight (sorted again)",
                A.replace("weight = 2", "weight = 0"),
            ),
            (
                "a longer front matter (every span moves)",
                A.replace(
                    "+++\ntitle",
                    "+++\nsummary = \"新的摘要，较长的一句。\"\ntitle",
                ),
            ),
        ];
        for (what, text) in &patched_edits {
            write(root, "content/ops/safety.md", text);
            let mut site = base.clone();
            let mut cache = ParseCache::default();
            let patch = patch(&site, root, &[1]).unwrap_or_else(|| panic!("{what}: no patch"));
            apply(&mut site, patch, &mut cache);
            let (mut want, diags) = fresh(root, &files);
            assert!(diags.is_empty(), "{what}: {diags:?}");
            // A hash map prints in no fixed order.
            assert_eq!(site.by_id, want.by_id, "{what}");
            want.by_id.clear();
            site.by_id.clear();
            assert_eq!(format!("{site:#?}"), format!("{want:#?}"), "{what}");
            assert!(cache.files.contains_key(&files[1]), "{what}: cached");
        }
        let full_loads = [
            ("id", A.replace("id = \"safety\"", "id = \"safety2\"")),
            ("slug", A.replace("weight = 2", "weight = 2\nslug = \"s\"")),
            ("draft", A.replace("weight = 2", "weight = 2\ndraft = true")),
            (
                "parent",
                A.replace("weight = 2", "weight = 2\nparent = \"finance\""),
            ),
            ("role id", A.replace("id = \"clerk\"", "id = \"keeper\"")),
            (
                "activity added",
                A.replace(
                    "+++\n##",
                    "\n[[activities]]\nid = \"x\"\ntitle = \"X\"\nraci = { head = \"A\" }\n+++\n##",
                ),
            ),
            (
                "unknown role (an error)",
                A.replace("clerk = \"R\"", "clark = \"R\""),
            ),
            (
                "full-width letter (a warning)",
                A.replace("clerk = \"R\"", "clerk = \"Ｒ\""),
            ),
            ("TOML error", A.replace("weight = 2", "weight = ")),
        ];
        for (what, text) in &full_loads {
            write(root, "content/ops/safety.md", text);
            assert!(patch(&base, root, &[1]).is_none(), "{what}: patched");
        }
    }
}
