//! Organization checks that need the whole model (spec §9): RACI rules per
//! activity, roles that hold nothing, reporting cycles, parent cycles, and
//! activity clauses against the anchors of their charter.

use crate::diagnostics::{Diagnostic, closest};
use crate::markdown::Anchor;

use super::{RoleId, Site};

/// Runs every check; `anchors[d]` are the anchors of document `d`'s body.
pub fn check(site: &Site, anchors: &[std::sync::Arc<Vec<Anchor>>]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    clauses(site, anchors, &mut diags);
    raci(site, &mut diags);
    idle_roles(site, &mut diags);
    reporting_cycles(site, &mut diags);
    parent_cycles(site, &mut diags);
    diags
}

fn clauses(site: &Site, anchors: &[std::sync::Arc<Vec<Anchor>>], diags: &mut Vec<Diagnostic>) {
    for a in &site.activities {
        let Some((clause, span)) = &a.clause else {
            continue;
        };
        let list = &anchors[a.dept];
        match list.iter().find(|x| &x.id == clause) {
            Some(x) if !x.suffixed => {}
            Some(_) => diags.push(
                Diagnostic::error("E014", format!("clause `{clause}` is a repeated number's suffixed anchor, which is not stable"))
                    .at(site.location(*span))
                    .with_help("renumber the charter so the article number is unique"),
            ),
            None => {
                let mut d = Diagnostic::error(
                    "E013",
                    format!("clause `{clause}` is not an anchor of `{}`", site.docs[a.dept].id),
                )
                .at(site.location(*span));
                d = match closest(clause, list.iter().filter(|x| !x.suffixed).map(|x| x.id.as_str())) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None if list.is_empty() => d.with_help("the charter has no numbered articles or headings"),
                    None => d.with_help(format!(
                        "its anchors include: {}",
                        list.iter().filter(|x| !x.suffixed).take(12).map(|x| x.id.as_str()).collect::<Vec<_>>().join(", ")
                    )),
                };
                diags.push(d);
            }
        }
    }
}

fn raci(site: &Site, diags: &mut Vec<Diagnostic>) {
    for a in &site.activities {
        let accountable: Vec<RoleId> = a
            .raci
            .iter()
            .filter(|(_, l)| l.has('A'))
            .map(|(r, _)| *r)
            .collect();
        let responsible = a.raci.iter().filter(|(_, l)| l.has('R')).count();
        // Only for a problem: most activities have none.
        let loc = || site.location(a.span);
        match accountable.len() {
            1 => {}
            0 => diags.push(
                Diagnostic::error(
                    "E050",
                    format!("activity `{}` has no accountable role (A)", a.id),
                )
                .at(loc())
                .with_help("give exactly one role the letter A (\"A/R\" counts)"),
            ),
            _ => diags.push(
                Diagnostic::error(
                    "E050",
                    format!(
                        "activity `{}` has {} accountable roles (A): {}",
                        a.id,
                        accountable.len(),
                        accountable
                            .iter()
                            .map(|&r| site.role_key(r))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .at(loc())
                .with_help("exactly one role is accountable; make the others R or C"),
            ),
        }
        if responsible == 0 {
            diags.push(
                Diagnostic::error(
                    "E051",
                    format!("activity `{}` has no responsible role (R)", a.id),
                )
                .at(loc())
                .with_help("give at least one role the letter R"),
            );
        }
    }
}

fn idle_roles(site: &Site, diags: &mut Vec<Diagnostic>) {
    let mut holds = vec![false; site.roles.len()];
    for a in &site.activities {
        for (r, _) in &a.raci {
            holds[*r] = true;
        }
    }
    for (r, role) in site.roles.iter().enumerate() {
        if !holds[r] {
            diags.push(
                Diagnostic::warning(
                    "W055",
                    format!("role `{}` holds no activity", site.role_key(r)),
                )
                .at(site.location(role.span))
                .with_help("name it in the `raci` of an activity, or remove the role"),
            );
        }
    }
}

/// Finds every cycle of `next` links (a functional graph) once, in index order.
fn cycles(n: usize, next: impl Fn(usize) -> Option<usize>) -> Vec<Vec<usize>> {
    // 0 = unvisited, 1 = on the current walk, 2 = done.
    let mut state = vec![0u8; n];
    let mut out = Vec::new();
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut walk = Vec::new();
        let mut cur = Some(start);
        while let Some(c) = cur {
            match state[c] {
                0 => {
                    state[c] = 1;
                    walk.push(c);
                    cur = next(c);
                }
                1 => {
                    let pos = walk.iter().position(|&w| w == c).unwrap_or(0);
                    out.push(walk[pos..].to_vec());
                    break;
                }
                _ => break,
            }
        }
        for w in walk {
            state[w] = 2;
        }
    }
    out
}

fn reporting_cycles(site: &Site, diags: &mut Vec<Diagnostic>) {
    for cycle in cycles(site.roles.len(), |r| site.roles[r].reports_to) {
        // Report at the first role of the cycle in path order.
        let first = *cycle
            .iter()
            .min_by_key(|&&r| {
                (
                    &site.files[site.docs[site.roles[r].dept].file].rel,
                    site.roles[r].span.start,
                )
            })
            .unwrap_or(&cycle[0]);
        let start = cycle.iter().position(|&r| r == first).unwrap_or(0);
        let mut names: Vec<String> = cycle[start..]
            .iter()
            .chain(&cycle[..start])
            .map(|&r| site.role_key(r))
            .collect();
        names.push(site.role_key(first));
        let span = site.roles[first]
            .reports_to_span
            .unwrap_or(site.roles[first].span);
        diags.push(
            Diagnostic::error("E056", format!("reporting cycle: {}", names.join(" → ")))
                .at(site.location(span))
                .with_help(
                    "reporting lines must form a tree: remove one `reports_to` of the cycle",
                ),
        );
    }
}

fn parent_cycles(site: &Site, diags: &mut Vec<Diagnostic>) {
    for cycle in cycles(site.docs.len(), |d| site.docs[d].parent) {
        let first = *cycle
            .iter()
            .min_by_key(|&&d| &site.files[site.docs[d].file].rel)
            .unwrap_or(&cycle[0]);
        let mut names: Vec<&str> = cycle.iter().map(|&d| site.docs[d].id.as_str()).collect();
        names.push(site.docs[cycle[0]].id.as_str());
        diags.push(
            Diagnostic::error("E057", format!("`parent` cycle: {}", names.join(" → ")))
                .in_file(&site.files[site.docs[first].file].rel)
                .with_help("departments must form a tree: remove one `parent`"),
        );
    }
}
