//! The CI pipelines of `docs/ci.md` (issue 8), run as far as this machine
//! allows: the commands are taken from the document's code blocks (the
//! `run:` steps of the GitHub Actions workflow, the `script:` lines of the
//! GitLab CI file, the whole shell script) and run on a copy of
//! `tests/fixtures/basic` at the root of a "repository", with the real
//! `charter` first on PATH. The check step must fail (exit 1) with an
//! annotation on a site with a broken reference and pass on a good one,
//! the build step must build, and the rsync step must publish into a
//! local folder (skipped, loudly, where rsync is not installed). Install
//! and SSH steps cannot run here; they are listed as not run.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// A fenced code block of the document.
#[derive(Debug)]
struct Block {
    info: String,
    text: String,
}

fn doc() -> String {
    read(&repo_root().join("docs/ci.md"))
}

fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut cur: Option<(String, String)> = None;
    for line in md.lines() {
        let t = line.trim_start();
        match &mut cur {
            None => {
                if let Some(info) = t.strip_prefix("```") {
                    cur = Some((info.trim().to_string(), String::new()));
                }
            }
            Some((info, text)) => {
                if t == "```" {
                    out.push(Block {
                        info: std::mem::take(info),
                        text: std::mem::take(text),
                    });
                    cur = None;
                } else {
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
    }
    assert!(cur.is_none(), "docs/ci.md has an unclosed code block");
    out
}

fn block<'a>(all: &'a [Block], info: &str, first_line: &str) -> &'a Block {
    all.iter()
        .find(|b| b.info == info && b.text.lines().next() == Some(first_line))
        .unwrap_or_else(|| panic!("docs/ci.md has no ```{info} block starting with {first_line:?}"))
}

fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

/// The shell commands a CI YAML file runs: `run:` values (one line or a
/// `|` block) and the items of `script:` / `before_script:` lists.
fn yaml_commands(yaml: &str) -> Vec<String> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim_start();
        let key = t.strip_prefix("- ").unwrap_or(t);
        let ind = indent(lines[i]) + (t.len() - key.len());
        i += 1;
        if let Some(rest) = key.strip_prefix("run:") {
            let rest = rest.trim();
            if rest == "|" {
                while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) > ind) {
                    if !lines[i].trim().is_empty() {
                        out.push(lines[i].trim().to_string());
                    }
                    i += 1;
                }
            } else {
                out.push(rest.to_string());
            }
        } else if key == "script:" || key == "before_script:" {
            while i < lines.len() && indent(lines[i]) > ind {
                if let Some(cmd) = lines[i].trim().strip_prefix("- ") {
                    out.push(cmd.to_string());
                }
                i += 1;
            }
        }
    }
    out
}

fn has_rsync() -> bool {
    Command::new("rsync")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn path_with_charter() -> String {
    let bin_dir = Path::new(BIN).parent().unwrap().display().to_string();
    format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default())
}

/// Runs `sh -c CMD` in `cwd` with `charter` first on PATH.
fn sh(cwd: &Path, cmd: &str, env: &[(&str, &str)]) -> Run {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(cmd)
        .current_dir(cwd)
        .env("PATH", path_with_charter());
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().expect("run sh");
    Run {
        args: vec![cmd.to_string()],
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A good site and a copy of it with a broken reference, each at the root
/// of its own "repository" folder.
struct Repos {
    _tmp: tempfile::TempDir,
    good: PathBuf,
    bad: PathBuf,
    scratch: PathBuf,
}

fn repos() -> Repos {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good");
    let bad = tmp.path().join("bad");
    copy_dir(&fixtures_dir().join("basic"), &good);
    copy_dir(&fixtures_dir().join("basic"), &bad);
    let safety = bad.join("content/ops/safety.md");
    let text = read(&safety);
    assert!(text.contains("[[quality]]"));
    std::fs::write(&safety, text.replace("[[quality]]", "[[qualty]]")).unwrap();
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    Repos {
        good,
        bad,
        scratch,
        _tmp: tmp,
    }
}

/// The one annotation the broken site gives, as the docs show it.
fn expected_annotation() -> String {
    doc()
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("::error "))
        .expect("docs/ci.md shows an annotation")
        .to_string()
}

#[track_caller]
fn assert_github_annotation(run: &Run) {
    run.expect_code(1);
    let lines: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.len(), 1, "{run}");
    let l = lines[0];
    assert!(
        l.starts_with("::error file=content/ops/safety.md,line=") && l.contains(",col="),
        "{run}"
    );
    let (props, message) = l["::error ".len()..].split_once("::").expect("::message");
    let props: BTreeMap<&str, &str> = props.split(',').filter_map(|p| p.split_once('=')).collect();
    let src = read(&repo_root().join("tests/fixtures/basic/content/ops/safety.md"))
        .replace("[[quality]]", "[[qualty]]");
    let (line, col) = loc(&src, "[[qualty]]");
    assert_eq!(props["line"], line.to_string(), "{run}");
    assert_eq!(props["col"], col.to_string(), "{run}");
    assert!(message.contains("qualty"), "{run}");
    assert_eq!(
        l,
        expected_annotation(),
        "the docs show the real annotation"
    );
}

/// Files of a published folder (the marker excluded).
fn published(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut t = tree(dir);
    t.remove(".charter-output");
    t
}

/// Asserts the server folder holds exactly the output's files.
#[track_caller]
fn assert_published(dest: &Path, output: &Path) {
    let (d, o) = (published(dest), published(output));
    let only_dest: Vec<&String> = d.keys().filter(|k| !o.contains_key(*k)).collect();
    let only_out: Vec<&String> = o.keys().filter(|k| !d.contains_key(*k)).collect();
    let differ: Vec<&String> = o
        .iter()
        .filter(|(k, v)| d.get(*k).is_some_and(|dv| dv != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        only_dest.is_empty() && only_out.is_empty() && differ.is_empty(),
        "published {} differs from {}: only there {only_dest:?}, missing {only_out:?}, different {differ:?}",
        dest.display(),
        output.display()
    );
}

#[cfg(unix)]
fn assert_modes(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for (rel, e) in entries(dir) {
        let mode = std::fs::metadata(dir.join(&rel))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        let want = if matches!(e, Entry::Dir) {
            0o755
        } else {
            0o644
        };
        assert_eq!(mode, want, "{rel} published with mode {mode:o}");
    }
}

/// The options every publishing rsync needs: keep modes (`-a`), compare
/// contents (`--checksum`: a file rebuilt in the same second with the same
/// size is otherwise skipped), remove stale pages, leave the marker.
#[track_caller]
fn assert_rsync_options(name: &str, cmd: &str) {
    for opt in [
        "-a ",
        "--checksum ",
        "--delete ",
        "--exclude .charter-output ",
    ] {
        assert!(cmd.contains(opt), "{name}: `{cmd}` lacks {opt}");
    }
}

/// Runs a pipeline's commands: `charter` steps on the good and the bad
/// site, the rsync step into a local folder. Returns the steps not run.
fn run_pipeline(name: &str, commands: &[String], check_format_github: bool) -> Vec<String> {
    let r = repos();
    let mut not_run = Vec::new();
    let mut ran_check = false;
    let mut ran_build = false;
    let mut ran_rsync = false;
    for cmd in commands {
        if cmd.starts_with("charter ") {
            assert!(!cmd.contains('$'), "{name}: `{cmd}` needs CI variables");
            let good = sh(&r.good, cmd, &[]);
            good.success();
            let bad = sh(&r.bad, cmd, &[]);
            if cmd.starts_with("charter check") {
                ran_check = true;
                assert!(!good.stdout.contains("::error"), "{good}");
                if check_format_github {
                    assert_github_annotation(&bad);
                } else {
                    bad.expect_code(1);
                    assert!(bad.stderr.contains("error[E011]"), "{bad}");
                    assert!(bad.stderr.contains("content/ops/safety.md:"), "{bad}");
                }
            } else if cmd.starts_with("charter build") {
                ran_build = true;
                bad.expect_code(1);
                assert!(r.good.join("output/index.html").is_file(), "{good}");
                assert!(
                    !r.bad.join("output").exists(),
                    "a failed build wrote output"
                );
                let canonical = read(&r.good.join("output/ops/safety/index.html"));
                assert!(
                    canonical
                        .contains("href=\"https://intranet.example.com/handbook/ops/safety/\""),
                    "{name}: --base-url reaches the canonical link"
                );
            } else {
                panic!("{name}: unexpected charter step `{cmd}`");
            }
        } else if cmd.starts_with("rsync ") {
            assert!(ran_build, "{name}: rsync before the build");
            assert_rsync_options(name, cmd);
            if !has_rsync() {
                eprintln!("\n*** SKIPPED {name}: `{cmd}` (install rsync) ***\n");
                continue;
            }
            ran_rsync = true;
            let (head, remote) = cmd.rsplit_once(' ').unwrap();
            assert!(remote.contains(':'), "{name}: rsync to a server: `{cmd}`");
            let dest = r.scratch.join(format!("{name}-www"));
            let local = format!("{head} {}/", dest.display());
            sh(&r.good, &local, &[]).success();
            assert_published(&dest, &r.good.join("output"));
            assert!(
                !dest.join(".charter-output").exists(),
                "the marker is not published"
            );
            #[cfg(unix)]
            assert_modes(&dest);
        } else {
            not_run.push(format!("{name}: {cmd}"));
        }
    }
    assert!(
        ran_check && ran_build,
        "{name}: no check or build step in {commands:?}"
    );
    if has_rsync() {
        assert!(ran_rsync, "{name}: no rsync step");
    }
    not_run
}

#[test]
fn github_actions_workflow_checks_builds_and_publishes() {
    let all = blocks(&doc());
    let b = block(&all, "yaml", "# .github/workflows/handbook.yml");
    let cmds = yaml_commands(&b.text);
    assert!(
        cmds.iter().any(|c| c == "charter check --format github"),
        "{cmds:?}"
    );
    let not_run = run_pipeline("github", &cmds, true);
    eprintln!("not run here (install, SSH): {not_run:#?}");
    assert!(
        not_run.iter().any(|c| c.contains("cargo install")),
        "the workflow installs charter: {cmds:?}"
    );
}

#[test]
fn gitlab_ci_pipeline_checks_builds_and_publishes() {
    let all = blocks(&doc());
    let b = block(&all, "yaml", "# .gitlab-ci.yml");
    let cmds = yaml_commands(&b.text);
    let not_run = run_pipeline("gitlab", &cmds, false);
    eprintln!("not run here (install, SSH): {not_run:#?}");
    assert!(
        not_run.iter().any(|c| c.contains("cargo install")),
        "{cmds:?}"
    );
}

#[test]
fn shell_script_publishes_only_a_good_site() {
    let all = blocks(&doc());
    let b = block(&all, "sh", "#!/bin/sh");
    let r = repos();
    let rsync = b
        .text
        .lines()
        .find(|l| l.starts_with("rsync "))
        .expect("an rsync step");
    assert_rsync_options("shell", rsync);
    let script = r.scratch.join("publish-handbook.sh");
    std::fs::write(&script, &b.text).unwrap();
    let script = script.display().to_string();
    if !has_rsync() {
        eprintln!(
            "\n*** SKIPPED shell_script_publishes_only_a_good_site: the rsync step (install rsync); \
             running its charter steps only ***\n"
        );
        let cmds: Vec<String> = b
            .text
            .lines()
            .filter(|l| l.starts_with("charter "))
            .map(|l| {
                l.replace("\"$SITE\"", ".")
                    .replace("\"$BASE_URL\"", "https://intranet.example.com/handbook/")
            })
            .collect();
        run_pipeline("shell", &cmds, false);
        return;
    }
    let dest = r.scratch.join("www");
    let dest_arg = format!("{}/", dest.display());
    let good = r.good.display().to_string();
    let bad = r.bad.display().to_string();

    // A good site: checked, built and published.
    let run = sh(
        &r.scratch,
        &format!("sh {script}"),
        &[("SITE", &good), ("DEST", &dest_arg)],
    );
    run.success();
    assert_published(&dest, &r.good.join("output"));
    assert!(dest.join("admin/office/index.html").is_file());
    #[cfg(unix)]
    assert_modes(&dest);
    let before = entries(&dest);

    // A broken reference: the script stops at the check, nothing is published.
    let run = sh(
        &r.scratch,
        &format!("sh {script}"),
        &[("SITE", &bad), ("DEST", &dest_arg)],
    );
    run.expect_code(1);
    assert!(run.stderr.contains("error[E011]"), "{run}");
    assert_eq!(entries(&dest), before, "a broken site reached the server");

    // A charter removed: its page disappears from the server too.
    std::fs::remove_file(r.good.join("content/admin/office.md")).unwrap();
    let run = sh(
        &r.scratch,
        &format!("sh {script}"),
        &[("SITE", &good), ("DEST", &dest_arg)],
    );
    run.success();
    assert!(!dest.join("admin/office/index.html").exists(), "--delete");
    assert_published(&dest, &r.good.join("output"));
}

#[test]
fn yaml_commands_reads_run_steps_and_script_lists() {
    let yaml = "steps:\n  - run: a b\n  - name: x\n    run: |\n      c\n      d e\n    env:\n      K: v\njob:\n  script:\n    - f\n    - g h\n  artifacts:\n    paths: [x]\n";
    assert_eq!(yaml_commands(yaml), ["a b", "c", "d e", "f", "g h"]);
}
