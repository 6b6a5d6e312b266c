#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ with small cuts of the example site's
content/ (and a few hand-written sites that build), so the fuzzers start
from real charters. The corpus is not committed (see .gitignore); run
this once before `cargo fuzz run`. See docs/testing.md."""

import hashlib
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus"
MAX = 1500  # bytes per seed file, roughly: small inputs fuzz fastest

# Must match SITE_NAMES in fuzz/src/lib.rs.
SITE_NAMES = [
    "config.toml",
    "content/_index.md",
    "content/a.md",
    "content/b.md",
    "content/g/_index.md",
    "content/g/c.md",
    "content/安全.md",
    "content/g/h/d.md",
]


def put(target, data: bytes):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def cut(text: str, limit=MAX) -> str:
    """At most `limit` UTF-8 bytes, ending at a line break when possible."""
    out = []
    size = 0
    for line in text.splitlines(keepends=True):
        n = len(line.encode())
        if size + n > limit:
            break
        out.append(line)
        size += n
    return "".join(out) or text[: limit // 3]


def split(text: str):
    m = re.match(r"\+\+\+\n(.*?)\n\+\+\+\n", text, re.S)
    if not m:
        return "", text
    return m.group(0), text[m.end():]


def site(files):
    parts = []
    for name, text in files:
        parts.append(bytes([SITE_NAMES.index(name)]) + text.encode())
    return b"\0".join(parts)


def main():
    files = sorted((ROOT / "content").rglob("*.md"))
    config = (ROOT / "config.toml").read_text()
    put("frontmatter", config.encode())
    for i, f in enumerate(files):
        text = f.read_text()
        fm, body = split(text)
        put("frontmatter", cut(text).encode())
        if fm:
            put("frontmatter", fm.encode())
        for k, start in enumerate(range(0, min(len(body), 6000), 2000)):
            chunk = cut(body[start:])
            put("markdown", bytes([(i + k) % 256]) + chunk.encode())
            put("markdown", bytes([0x80 | ((i + k) % 4)]) + chunk.encode())
            put("articles", cut(chunk, 600).encode())
        # A site: the file alone (its references may not resolve: errors are fine too).
        put("site", site([("content/a.md", cut(text))]))

    dept = """+++
title = "安全环保部"
id = "safety"
summary = "负责<安全>"
tags = ["安全", "施工"]
effective = 2024-03-01

[[roles]]
id = "manager"
title = "部长"

[[roles]]
id = "officer"
title = "专责安全员"
reports_to = "manager"
headcount = 2

[[activities]]
id = "check"
title = "每周安全检查"
clause = "a1"
raci = { manager = "A", officer = "R", "quality/engineer" = "C" }
+++
## 第一章 总则

第一条 安全第一。
第二条 见[[quality]]和[[quality/engineer]]、[[#a1]]。

## 专责安全员 {#officer}

一、检查
（一）每周
3.1 记录
"""
    quality = """+++
title = "质量部"
id = "quality"
parent = "safety"
kind = "department"

[[roles]]
id = "engineer"
title = "质量工程师"
reports_to = "safety/manager"

[[activities]]
id = "audit"
title = "质量审核"
raci = { engineer = "A/R" }
+++
第一条 质量[[safety#a2|第二条]]。

[返回](../a.md) [文件](/index.html)
"""
    group = """+++
title = "工程"
weight = 2
+++
工程类部门。
"""
    put("site", site([("content/a.md", dept), ("content/g/c.md", quality)]))
    put("site", site([("content/a.md", dept), ("content/b.md", quality), ("content/g/_index.md", group)]))
    put("site", site([("config.toml", config + '\n[markdown]\nsafe = true\n'), ("content/安全.md", dept.replace('"quality/engineer" = "C"', "")), ("content/_index.md", "+++\ntitle = \"首页\"\n+++\n欢迎 [[safety]]\n")]))
    put("site", site([("content/g/h/d.md", "+++\ntitle = \"页\"\nkind = \"page\"\n+++\n# 标题\n\n```rust\nfn main() {}\n```\n")]))


if __name__ == "__main__":
    main()
