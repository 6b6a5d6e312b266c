//! Link resolution for Markdown bodies (spec §3): wiki links, relative
//! `.md` links, root-relative `/` links and co-located files, each turned
//! into a relative href or into a diagnostic with "did you mean".

use std::collections::HashSet;
use std::ops::Range;

use super::Anchor;
use crate::diagnostics::{Diagnostic, closest};
use crate::model::{DocId, FileId, GroupId, RoleId, Site};
use crate::urls;

/// A link or image as written.
#[derive(Debug, Clone)]
pub struct LinkRequest<'a> {
    pub dest: &'a str,
    pub wiki: bool,
    pub image: bool,
    /// Byte range in the body.
    pub span: Range<usize>,
}

/// What a link points at, for backlinks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Doc(DocId),
    Role(RoleId),
    Group(GroupId),
    Other,
}

#[derive(Debug, Clone)]
pub struct Resolved {
    pub href: String,
    /// Default link text (for wiki links without `|TEXT`).
    pub label: String,
    pub target: Target,
}

/// Resolves the links of one body.
pub struct Linker<'s> {
    pub site: &'s Site,
    /// Anchors of every document's body, by DocId.
    pub anchors: &'s [std::sync::Arc<Vec<Anchor>>],
    /// Anchors of the body being rendered.
    pub own: &'s [Anchor],
    /// Every root-relative output path (`a/b/` for pages, `x/y.pdf` for files).
    pub known: &'s HashSet<String>,
    pub file: FileId,
    pub doc: Option<DocId>,
    pub body_start: usize,
    pub diags: Vec<Diagnostic>,
    pub targets: Vec<Target>,
}

impl<'s> Linker<'s> {
    fn error(&mut self, req: &LinkRequest, code: &'static str, msg: String, help: Option<String>) {
        let f = &self.site.files[self.file];
        let start = self.body_start + req.span.start;
        let mut d = Diagnostic::error(code, msg).at(f.src.location(
            &f.rel,
            start,
            self.body_start + req.span.end,
        ));
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diags.push(d);
    }

    /// Hrefs are written with a placeholder for the way up to the site
    /// root, filled in per page by [`urls::place`]: a charter's duties
    /// sections also appear on role pages, at another depth.
    fn prefix(&self) -> String {
        urls::ROOT_MARK.to_string()
    }

    /// Resolves one link; None when it was reported as an error.
    pub fn resolve(&mut self, req: &LinkRequest) -> Option<Resolved> {
        let r = if req.wiki {
            self.wiki(req)
        } else {
            self.plain(req)
        };
        if let Some(res) = &r {
            self.targets.push(res.target.clone());
        }
        r
    }

    fn anchors_of(&self, doc: Option<DocId>) -> &'s [Anchor] {
        match doc {
            Some(d) if Some(d) != self.doc => &self.anchors[d],
            _ => self.own,
        }
    }

    /// Checks an anchor on a document (None = the current body).
    fn anchor(&mut self, req: &LinkRequest, doc: Option<DocId>, anchor: &str) -> Option<String> {
        let list = self.anchors_of(doc);
        let where_ = match doc {
            Some(d) if Some(d) != self.doc => format!("`{}`", self.site.docs[d].id),
            _ => "this page".to_string(),
        };
        match list.iter().find(|a| a.id == anchor) {
            Some(a) if a.suffixed => {
                let base = anchor.rsplit_once('_').map_or(anchor, |(b, _)| b);
                self.error(
                    req,
                    "E014",
                    format!("`#{anchor}` on {where_} is a repeated number's suffixed anchor, which is not stable"),
                    Some(format!("link to `#{base}`, or give the heading its own {{#id}}")),
                );
                None
            }
            Some(a) => Some(a.label.clone()),
            None => {
                let help = closest(
                    anchor,
                    list.iter().filter(|a| !a.suffixed).map(|a| a.id.as_str()),
                )
                .map(|s| format!("did you mean `#{s}`?"))
                .or_else(|| {
                    (!list.is_empty()).then(|| {
                        let ids: Vec<&str> = list
                            .iter()
                            .filter(|a| !a.suffixed)
                            .take(12)
                            .map(|a| a.id.as_str())
                            .collect();
                        format!("anchors there include: {}", ids.join(", "))
                    })
                });
                self.error(
                    req,
                    "E013",
                    format!("no anchor `#{anchor}` on {where_}"),
                    help,
                );
                None
            }
        }
    }

    fn doc_by_id(&mut self, req: &LinkRequest, id: &str) -> Option<DocId> {
        match self.site.doc_by_id(id) {
            Some(d) => {
                if !self.site.published(d) && self.doc.is_none_or(|from| self.site.published(from))
                {
                    self.error(
                        req,
                        "E015",
                        format!("`{id}` is a draft, so this link would be broken"),
                        Some(
                            "publish it (draft = false), build with --drafts, or remove the link"
                                .into(),
                        ),
                    );
                    return None;
                }
                Some(d)
            }
            None => {
                let help = closest(id, self.site.docs.iter().map(|d| d.id.as_str()))
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| {
                        self.site.docs.iter().find(|d| d.title == id).map(|d| {
                            format!(
                                "`{id}` is the title of `{}`; link by id: [[{}]]",
                                d.id, d.id
                            )
                        })
                    })
                    .or_else(|| {
                        // A group's folder or title: groups have no id.
                        let site = self.site;
                        (1..site.groups.len())
                            .find(|&g| {
                                let group = &site.groups[g];
                                site.group_published(g) && (group.folder == id || group.title == id)
                            })
                            .map(|g| {
                                format!(
                                    "`{id}` is a group, which [[…]] does not link; link its page with [{}](/{})",
                                    site.groups[g].title,
                                    site.group_url(g)
                                )
                            })
                    });
                self.error(
                    req,
                    "E011",
                    format!("unknown department or page `{id}`"),
                    help,
                );
                None
            }
        }
    }

    fn wiki(&mut self, req: &LinkRequest) -> Option<Resolved> {
        // In a table cell `|` is written `\|`: the parser leaves the backslash.
        let dest = req.dest.trim().trim_end_matches('\\').trim();
        let prefix = self.prefix();
        if let Some(anchor) = dest.strip_prefix('#') {
            let label = self.anchor(req, None, anchor)?;
            let href = format!("{}#{}", urls::SELF_MARK, urls::encode_fragment(anchor));
            return Some(Resolved {
                href,
                label,
                target: self.doc.map_or(Target::Other, Target::Doc),
            });
        }
        if let Some((id, anchor)) = dest.split_once('#') {
            let d = self.doc_by_id(req, id)?;
            let label = self.anchor(req, Some(d), anchor)?;
            let doc = &self.site.docs[d];
            return Some(Resolved {
                href: urls::href(&prefix, &doc.url, Some(anchor)),
                label: format!("{} {}", doc.title, label),
                target: Target::Doc(d),
            });
        }
        if let Some((id, role)) = dest.split_once('/') {
            let d = self.doc_by_id(req, id)?;
            let Some(r) = self.site.role_in(d, role) else {
                let doc = &self.site.docs[d];
                let help = closest(
                    role,
                    doc.roles.iter().map(|&r| self.site.roles[r].id.as_str()),
                )
                .map(|s| format!("did you mean `{id}/{s}`?"));
                self.error(
                    req,
                    "E012",
                    format!("unknown role `{role}` in department `{id}`"),
                    help,
                );
                return None;
            };
            return Some(Resolved {
                href: urls::href(&prefix, &self.site.role_url(r), None),
                label: self.site.roles[r].title.clone(),
                target: Target::Role(r),
            });
        }
        let d = self.doc_by_id(req, dest)?;
        let doc = &self.site.docs[d];
        Some(Resolved {
            href: urls::href(&prefix, &doc.url, None),
            label: doc.title.clone(),
            target: Target::Doc(d),
        })
    }

    /// A Markdown link to a path: resolved, with the query it was written
    /// with (`/search/?q=安全`) kept, percent-encoded where it must be.
    fn plain(&mut self, req: &LinkRequest) -> Option<Resolved> {
        let dest = req.dest.trim();
        let query = match urls::is_external(dest) {
            true => None,
            false => dest
                .split('#')
                .next()
                .and_then(|p| p.split_once('?'))
                .map(|(_, q)| q)
                .filter(|q| !q.is_empty()),
        };
        let mut resolved = self.plain_target(req)?;
        if let Some(q) = query {
            resolved.href = urls::with_query(&resolved.href, q);
        }
        Some(resolved)
    }

    fn plain_target(&mut self, req: &LinkRequest) -> Option<Resolved> {
        let dest = req.dest.trim();
        if dest.is_empty() || urls::is_external(dest) {
            return Some(Resolved {
                href: dest.to_string(),
                label: String::new(),
                target: Target::Other,
            });
        }
        if let Some(anchor) = dest.strip_prefix('#') {
            let anchor = urls::decode(anchor);
            self.anchor(req, None, &anchor)?;
            return Some(Resolved {
                href: format!("{}#{}", urls::SELF_MARK, urls::encode_fragment(&anchor)),
                label: String::new(),
                target: self.doc.map_or(Target::Other, Target::Doc),
            });
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(urls::decode(f))),
            None => (dest, None),
        };
        let path = path.split('?').next().unwrap_or("");
        let path = urls::decode(path);
        let prefix = self.prefix();
        if let Some(rooted) = path.strip_prefix('/') {
            let Some(norm) = urls::normalize(rooted) else {
                self.error(
                    req,
                    "E016",
                    format!("`{dest}` climbs above the site root"),
                    None,
                );
                return None;
            };
            let as_dir = if norm.is_empty() {
                String::new()
            } else {
                format!("{norm}/")
            };
            let key = if self.known.contains(&norm) {
                norm.clone()
            } else if self.known.contains(&as_dir) {
                as_dir
            } else if let Some(dir) = norm
                .strip_suffix("index.html")
                .filter(|d| d.is_empty() || d.ends_with('/'))
                .filter(|d| self.known.contains(*d))
            {
                // `/a/b/index.html` is the page `a/b/`; `/index.html` the home page.
                dir.to_string()
            } else {
                let help = closest(&norm, self.known.iter().map(String::as_str))
                    .map(|s| format!("did you mean `/{s}`?"));
                self.error(
                    req,
                    "E016",
                    format!("`{dest}` is neither a static file nor a generated page"),
                    help.or(Some(
                        "root-relative links (`/…`) point at static/ files or generated pages"
                            .into(),
                    )),
                );
                return None;
            };
            let target = self.target_of_url(&key);
            if let (Target::Doc(d), Some(f)) = (&target, &fragment) {
                self.anchor(req, Some(*d), f)?;
            }
            return Some(Resolved {
                href: urls::href(&prefix, &key, fragment.as_deref()),
                label: String::new(),
                target,
            });
        }
        // Relative to the folder of the file that holds the link.
        let file_rel = self.site.files[self.file]
            .rel
            .to_string_lossy()
            .replace('\\', "/");
        let folder = file_rel.rsplit_once('/').map_or("", |(f, _)| f);
        let Some(joined) = urls::normalize(&format!("{folder}/{path}")) else {
            self.error(
                req,
                "E016",
                format!("`{dest}` climbs above the site root"),
                None,
            );
            return None;
        };
        if path.ends_with(".md") {
            let found = self
                .site
                .files
                .iter()
                .position(|f| f.rel.to_string_lossy().replace('\\', "/") == joined);
            let Some(file) = found else {
                let names = self.site.files.iter().map(|f| f.rel.to_str().unwrap_or(""));
                let help = closest(&joined, names).map(|s| format!("did you mean `{s}`?"));
                self.error(
                    req,
                    "E011",
                    format!("`{dest}` names {joined}, which does not exist"),
                    help,
                );
                return None;
            };
            if let Some(d) = self.site.docs.iter().position(|d| d.file == file) {
                let id = self.site.docs[d].id.clone();
                self.doc_by_id(req, &id)?;
                if let Some(f) = &fragment {
                    self.anchor(req, Some(d), f)?;
                }
                return Some(Resolved {
                    href: urls::href(&prefix, &self.site.docs[d].url, fragment.as_deref()),
                    label: String::new(),
                    target: Target::Doc(d),
                });
            }
            if let Some(g) = self.site.groups.iter().position(|g| g.file == Some(file)) {
                return Some(Resolved {
                    href: urls::href(&prefix, &self.site.group_url(g), fragment.as_deref()),
                    label: String::new(),
                    target: Target::Group(g),
                });
            }
            self.error(
                req,
                "E011",
                format!("`{dest}` names a file that is not published"),
                None,
            );
            return None;
        }
        // A co-located file under content/.
        let out = joined
            .strip_prefix("content/")
            .unwrap_or(&joined)
            .to_string();
        if joined.starts_with("content/") && self.known.contains(&out) {
            return Some(Resolved {
                href: urls::href(&prefix, &out, fragment.as_deref()),
                label: String::new(),
                target: Target::Other,
            });
        }
        self.error(
            req,
            "E016",
            format!("`{dest}` does not name a file (looked for {joined})"),
            Some(
                "link pages with [[id]] or a relative `.md` path, and static files with `/path`"
                    .into(),
            ),
        );
        None
    }

    fn target_of_url(&self, url: &str) -> Target {
        if let Some(d) = self.site.docs.iter().position(|d| d.url == url) {
            return Target::Doc(d);
        }
        if let Some(g) = (0..self.site.groups.len()).find(|&g| self.site.group_url(g) == url) {
            return Target::Group(g);
        }
        Target::Other
    }
}
