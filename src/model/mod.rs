//! The organization model: groups, departments (and plain pages), roles,
//! activities and reporting lines, with every reference in front matter
//! turned into an index. Nothing downstream looks a name up by string.

pub mod checks;
pub mod load;
pub mod raci;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::config::Config;
use crate::source::SourceText;

pub type FileId = usize;
pub type GroupId = usize;
pub type DocId = usize;
pub type RoleId = usize;
pub type ActId = usize;

/// A content file as loaded: its text and where its body starts.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root (`content/safety.md`).
    pub rel: PathBuf,
    /// Shared with the parse cache of `serve`: never copied.
    pub src: std::sync::Arc<SourceText>,
    /// Byte offset of the Markdown body.
    pub body_start: usize,
}

impl SourceFile {
    pub fn body(&self) -> &str {
        &self.src.text[self.body_start..]
    }
}

/// A byte range in a file, for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Department,
    Page,
}

/// A folder of `content/`. The root group (`folder` empty) is the home page.
#[derive(Debug, Clone)]
pub struct Group {
    /// Folder path relative to `content/`, `/`-separated; empty for the root.
    pub folder: String,
    pub title: String,
    pub summary: Option<String>,
    pub weight: i64,
    /// Its `_index.md`, if it has one.
    pub file: Option<FileId>,
    pub parent: Option<GroupId>,
    /// Sub-groups and documents, each in reading order (weight, then title).
    pub children: Vec<GroupId>,
    pub docs: Vec<DocId>,
    pub draft: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub summary: Option<String>,
    pub effective: Option<String>,
    pub revised: Option<String>,
    pub version: Option<String>,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub status: String,
    pub tags: Vec<String>,
    pub extra: toml::Table,
}

/// A department charter or a plain page.
#[derive(Debug, Clone)]
pub struct Doc {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub file: FileId,
    /// URL path relative to the site root, ending in `/` (`construction/safety/`).
    pub url: String,
    pub group: GroupId,
    pub parent: Option<DocId>,
    pub children: Vec<DocId>,
    pub weight: i64,
    pub draft: bool,
    pub meta: Meta,
    pub roles: Vec<RoleId>,
    pub activities: Vec<ActId>,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub dept: DocId,
    pub id: String,
    pub title: String,
    pub reports_to: Option<RoleId>,
    pub headcount: Option<u32>,
    pub summary: Option<String>,
    /// The `id = …` of its `[[roles]]` entry.
    pub span: Span,
    pub reports_to_span: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct Activity {
    pub dept: DocId,
    pub id: String,
    pub title: String,
    /// The anchor it names, and where; resolved against the body's anchors after Markdown analysis.
    pub clause: Option<(String, Span)>,
    /// Roles and their letters, in the order written.
    pub raci: Vec<(RoleId, raci::Letters)>,
    pub span: Span,
}

/// The whole site, resolved.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub files: Vec<SourceFile>,
    pub groups: Vec<Group>,
    pub docs: Vec<Doc>,
    pub roles: Vec<Role>,
    pub activities: Vec<Activity>,
    pub by_id: HashMap<String, DocId>,
    /// Whether drafts are published in this build.
    pub drafts: bool,
}

impl Site {
    pub fn doc_by_id(&self, id: &str) -> Option<DocId> {
        self.by_id.get(id).copied()
    }

    pub fn role_in(&self, dept: DocId, role: &str) -> Option<RoleId> {
        self.docs[dept]
            .roles
            .iter()
            .copied()
            .find(|&r| self.roles[r].id == role)
    }

    /// Is this document part of the output?
    pub fn published(&self, doc: DocId) -> bool {
        self.drafts || !self.docs[doc].draft
    }

    pub fn group_published(&self, g: GroupId) -> bool {
        self.drafts || !self.groups[g].draft
    }

    /// Documents in output order (path order), published only.
    pub fn published_docs(&self) -> impl Iterator<Item = DocId> + '_ {
        (0..self.docs.len()).filter(|&d| self.published(d))
    }

    /// `dept/role` key of a role.
    pub fn role_key(&self, r: RoleId) -> String {
        format!("{}/{}", self.docs[self.roles[r].dept].id, self.roles[r].id)
    }

    /// URL path of a role page.
    pub fn role_url(&self, r: RoleId) -> String {
        let role = &self.roles[r];
        format!("roles/{}/{}/", self.docs[role.dept].id, role.id)
    }

    pub fn group_url(&self, g: GroupId) -> String {
        let f = &self.groups[g].folder;
        if f.is_empty() {
            String::new()
        } else {
            format!("{f}/")
        }
    }

    pub fn location(&self, span: Span) -> crate::diagnostics::Location {
        let f = &self.files[span.file];
        f.src.location(&f.rel, span.start, span.end)
    }
}
