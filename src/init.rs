//! `charter init DIR`: a small working site to start from.

use std::fs;
use std::path::Path;

const CONFIG: &str = r#"title = "部门及管理制度"
base_url = "https://intranet.example.com/handbook/"
language = "zh-CN"
theme = "default"

[matrix]
scheme = "RACI"
"#;

const HOME: &str = r#"+++
title = "首页"
+++
本站发布各部门的职责、岗位与管理制度。每个部门一份 Markdown 文件，见 `content/`。
"#;

const GROUP: &str = r#"+++
title = "综合管理"
weight = 10
+++
公司职能部门。
"#;

const OFFICE: &str = r#"+++
title = "综合部"
id = "office"
summary = "负责公司行政、文秘、档案与后勤管理"
effective = 2025-01-01
version = "1.0"
doc_number = "综〔2025〕1号"
status = "active"

[[roles]]
id = "director"
title = "综合部主任"
summary = "主持综合部全面工作"

[[roles]]
id = "secretary"
title = "文秘档案员"
reports_to = "director"
headcount = 1

[[activities]]
id = "archives"
title = "公司档案的收集、整理与归档"
clause = "a2"
raci = { director = "A", secretary = "R", "finance/director" = "I" }
+++
## 第一章 总则

第一条 为规范综合部工作，制定本制度。

第二条 文秘档案员负责公司各类档案的收集和整理，建立规范的档案管理，以备查阅。

## 第二章 岗位职责

### 文秘档案员 {#secretary}

（一）撰写公司的各种文件、信函、计划、报告。
（二）召集公司会议，做好会议记录，并协助[[office/director]]检查工作落实情况。

财务档案移交按[[finance#a1|财务部第一条]]办理。
"#;

const FINANCE: &str = r#"+++
title = "财务部"
id = "finance"
summary = "负责公司财务管理与会计核算"

[[roles]]
id = "director"
title = "财务部主任"

[[activities]]
id = "budget"
title = "编制公司财务计划和费用预算"
clause = "a1"
raci = { director = "A/R", "office/director" = "C" }
+++
第一条 财务部负责编制公司财务计划和费用预算，会计档案定期移交[[office]]归档。
"#;

/// Writes a new site into `dir`; refuses a folder that already holds a site.
pub fn init(dir: &Path) -> Result<(), String> {
    if dir.join("config.toml").exists() || dir.join("content").exists() {
        return Err(format!(
            "{} already holds a site (config.toml or content/); choose a new folder",
            dir.display()
        ));
    }
    let files = [
        ("config.toml", CONFIG),
        ("content/_index.md", HOME),
        ("content/admin/_index.md", GROUP),
        ("content/admin/office.md", OFFICE),
        ("content/admin/finance.md", FINANCE),
    ];
    for (rel, text) in files {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    Ok(())
}
