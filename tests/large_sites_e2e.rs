//! The split role index in headless Chromium (Debian's `chromium`): on
//! the site of `big_site` (its index split into four parts), the filter
//! of `/roles/` finds roles that live in another part's page, from the
//! data script it loads with `<script src>`, opened from `file://` and
//! served under a sub-path (`/handbook/`, python3's http.server); typed
//! into, after an input method's composition ends; and a part's own
//! filter hides its other entries. Runs only with `CHARTER_E2E=1`.

mod big_site;
mod common;

use common::*;

fn enabled() -> bool {
    if std::env::var("CHARTER_E2E").as_deref() == Ok("1") {
        return true;
    }
    eprintln!("SKIPPED (set CHARTER_E2E=1 to run the headless-Chromium role filter tests)");
    false
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The filter's results on the overview: status text and the links of
/// each result (role, department, part).
fn results(dom: &str) -> (String, Vec<Vec<Link>>) {
    let status = element_by_id(dom, "role-status").map_or(String::new(), |e| e.text);
    let list = inner_by_id(dom, "role-results").expect("#role-results");
    let items = list
        .split("<li")
        .skip(1)
        .map(|li| links(&format!("<li{li}")))
        .collect();
    (status, items)
}

#[test]
fn the_overview_filter_finds_roles_in_other_parts() {
    if !enabled() {
        return;
    }
    let site = Site::new();
    big_site::write(site.root());
    let srv = site.scratch().join("srv");
    let out = srv.join("handbook");
    site.build(&["--output", out.to_str().unwrap()]).success();
    let roles = out.join("roles");
    assert!(roles.join("roles-data.js").is_file(), "the index is split");
    let profile = site.scratch().join("profile");

    // From disk, by title: the one role of 丙's part, with its department
    // and part, links that resolve; the overview's lists hidden.
    let page = format!("file://{}", roles.join("index.html").display());
    let dom = dump_dom(&format!("{page}?q={}", encode("测绘总工程师")), &profile);
    let (status, items) = results(&dom);
    assert!(status.starts_with("1 个匹配岗位"), "{status}");
    assert_eq!(items.len(), 1, "{dom}");
    let hrefs: Vec<&str> = items[0].iter().map(|l| l.href.as_str()).collect();
    assert_eq!(
        hrefs,
        [
            "c07/surveyor/index.html",
            "../%E4%B8%99/c07/index.html",
            "%E4%B8%99/index.html"
        ]
    );
    assert_eq!(items[0][0].text, "测绘总工程师");
    assert_eq!(items[0][2].text, "丙组");
    for (href, dir) in [
        (hrefs[0], "roles/c07/surveyor"),
        (hrefs[1], "丙/c07"),
        (hrefs[2], "roles/丙"),
    ] {
        assert!(out.join(dir).join("index.html").is_file(), "{href}");
    }
    let overview = between(&dom, "id=\"role-overview\"", ">");
    assert!(overview.contains("hidden"), "{overview}");
    // The role is not on the overview itself, nor on another part.
    let own = std::fs::read_to_string(roles.join("index.html")).unwrap();
    assert!(!own.contains("测绘总工程师"));

    // Served under a sub-path, by pinyin (no spaces) and by a department:
    // roles of every part, in index order, at most 200 listed.
    let (_server, port) = http_server(&srv);
    let base = format!("http://127.0.0.1:{port}/handbook/roles/index.html");
    let dom = dump_dom(&format!("{base}?q=cehuizong"), &profile);
    let (status, items) = results(&dom);
    assert!(status.starts_with("1 "), "{status}");
    assert_eq!(items[0][0].href, "c07/surveyor/index.html");
    let dom = dump_dom(&format!("{base}?q={}", encode("部门负责人")), &profile);
    let (status, items) = results(&dom);
    let heads = big_site::departments();
    assert!(
        status.starts_with(&format!("{heads} 个匹配岗位")),
        "{status}"
    );
    assert!(status.contains("200"), "{status}");
    assert_eq!(items.len(), 200);
    let dom = dump_dom(&format!("{base}?q={}", encode("丙部门12")), &profile);
    let (_, items) = results(&dom);
    assert_eq!(items.len(), 5, "丙部门12's roles");
    assert!(
        items
            .iter()
            .all(|l| l[1].href == "../%E4%B8%99/c12/index.html")
    );

    // Typed: nothing while an input method composes, the matches when
    // the composition ends.
    let typed = own.replace(
        "</body>",
        r#"<script>
setTimeout(function () {
  var i = document.getElementById('role-filter');
  i.focus();
  i.dispatchEvent(new CompositionEvent('compositionstart'));
  i.value = 'zeta';
  i.dispatchEvent(new InputEvent('input', { isComposing: true }));
  setTimeout(function () {
    document.body.setAttribute('data-during', document.getElementById('role-results').children.length);
    i.dispatchEvent(new CompositionEvent('compositionend'));
    setTimeout(function () {
      var a = document.querySelector('#role-results a');
      document.body.setAttribute('data-found', a ? a.getAttribute('href') : '');
    }, 2000);
  }, 500);
}, 100);
</script></body>"#,
    );
    std::fs::write(roles.join("typed.html"), typed).unwrap();
    let dom = dump_dom(
        &format!("file://{}", roles.join("typed.html").display()),
        &profile,
    );
    assert!(dom.contains("data-during=\"0\""), "results while composing");
    assert!(
        dom.contains("data-found=\"c08/zeta/index.html\""),
        "{}",
        between(&dom, "<body", ">")
    );

    // A part's own filter: its matching entry shown, the others hidden,
    // and a link to the overview with the query.
    let part = roles.join("丙").join("index.html");
    let dom = dump_dom(
        &format!("file://{}?q={}", part.display(), encode("测绘")),
        &profile,
    );
    let index = inner_by_id(&dom, "role-index").unwrap();
    let shown: Vec<&str> = index
        .split("<li ")
        .skip(1)
        .filter(|li| !li.split('>').next().unwrap().contains("hidden"))
        .collect();
    assert_eq!(shown.len(), 1, "{}", shown.join("\n"));
    assert!(shown[0].contains("测绘总工程师"));
    let all = element_by_id(&dom, "role-filter-all").unwrap();
    assert!(
        all.tag
            .attr("href")
            .unwrap()
            .ends_with("roles/index.html?q=%E6%B5%8B%E7%BB%98"),
        "{:?}",
        all.tag.attr("href")
    );
}
