//! The built-in sidebar in headless Chromium (Debian's `chromium`): the
//! list that `sidebar.js` builds from `nav.js` is the list the built-in
//! `nav.html` renders into the page (a site copy of it turns the script
//! off), element for element, with the current page marked and its group
//! open, on the example site (every department listed) and on a site
//! over the sidebar's size limit (groups only), opened from `file://`.
//! Runs only with `CHARTER_E2E=1`.

mod common;

use common::*;

fn enabled() -> bool {
    if std::env::var("CHARTER_E2E").as_deref() == Ok("1") {
        return true;
    }
    eprintln!("SKIPPED (set CHARTER_E2E=1 to run the headless-Chromium sidebar tests)");
    false
}

/// `<ul class="nav-tree">…</ul>` of a page's DOM, with the white space
/// between tags dropped (the template's line breaks are text nodes).
fn nav_tree(dom: &str) -> String {
    let Some(start) = dom.find("<ul class=\"nav-tree\">") else {
        panic!("no nav-tree in {dom}");
    };
    let mut depth = 0;
    let mut i = start;
    let end = loop {
        let open = dom[i..].find("<ul").map(|o| o + i);
        let close = dom[i..].find("</ul>").map(|c| c + i).expect("</ul>");
        match open {
            Some(o) if o < close => {
                depth += 1;
                i = o + 3;
            }
            _ => {
                depth -= 1;
                i = close + 5;
                if depth == 0 {
                    break i;
                }
            }
        }
    };
    let mut out = String::new();
    for (k, part) in dom[start..end].split('<').enumerate() {
        if k > 0 {
            out.push('<');
        }
        out.push_str(match part.find('>') {
            Some(gt) if part[gt + 1..].trim().is_empty() => &part[..gt + 1],
            _ => part,
        });
    }
    out
}

#[test]
fn the_scripted_sidebar_is_the_sidebar_nav_html_renders() {
    if !enabled() {
        return;
    }
    let nav =
        std::fs::read_to_string(repo_root().join("themes/default/templates/nav.html")).unwrap();
    for site in sidebar_sites() {
        let js = site.scratch().join("out-js");
        let own = site.scratch().join("out-own");
        site.build(&["--output", js.to_str().unwrap()]).success();
        site.write("templates/nav.html", &nav);
        site.build(&["--output", own.to_str().unwrap()]).success();
        let profile = site.scratch().join("profile");
        // Home, a group, a department in it, a department elsewhere, a role
        // page, and the search page: different marks and open groups.
        let pages: Vec<String> = {
            let all = tree(&js);
            let mut docs: Vec<&String> = all
                .keys()
                .filter(|k| k.ends_with("/index.html") && k.matches('/').count() == 2)
                .filter(|k| {
                    !["roles/", "matrix/", "print/", "org/"]
                        .iter()
                        .any(|p| k.starts_with(p))
                })
                .filter(|k| String::from_utf8_lossy(&all[*k]).contains("nav-slot"))
                .collect();
            docs.sort();
            let role = all
                .keys()
                .find(|k| k.starts_with("roles/") && k.matches('/').count() == 3);
            let group = docs[0].split('/').next().unwrap().to_string();
            let mut p = vec!["index.html".to_string(), format!("{group}/index.html")];
            p.push(docs[0].clone());
            p.push(docs[docs.len() - 1].clone());
            p.extend(role.cloned());
            p.push("search/index.html".into());
            p
        };
        let mut opened = 0;
        for page in &pages {
            let a = dump_dom(&format!("file://{}", js.join(page).display()), &profile);
            let b = dump_dom(&format!("file://{}", own.join(page).display()), &profile);
            assert!(!a.contains("nav-slot"), "{page}: the script did not run");
            let (ta, tb) = (nav_tree(&a), nav_tree(&b));
            assert_eq!(
                ta, tb,
                "{page}: the scripted sidebar differs from nav.html's"
            );
            opened += usize::from(ta.contains("is-open"));
        }
        assert!(opened >= 2, "groups are opened on the pages in them");
    }
}
