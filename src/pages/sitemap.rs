//! `sitemap.xml`: absolute URLs from `base_url`, published pages only.

/// Writes a sitemap for the given root-relative page URLs (`a/b/`, `` for home).
pub fn sitemap(base_url: &str, urls: &[String]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        out.push_str("  <url><loc>");
        let mut full = String::from(base_url);
        full.push_str(&crate::urls::encode_path(u));
        pulldown_cmark_escape::escape_html(&mut out, &full).ok();
        out.push_str("</loc></url>\n");
    }
    out.push_str("</urlset>\n");
    out
}
