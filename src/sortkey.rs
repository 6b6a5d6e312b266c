//! Sort keys that order titles as Chinese readers expect: by toneless
//! pinyin (the most common reading), with Latin text mixed in
//! case-insensitively, then by the title itself.

use pinyin::ToPinyin;

/// The key for one title: pinyin syllables and lowercased Latin, space-separated.
pub fn key(title: &str) -> String {
    let mut out = String::with_capacity(title.len() * 2);
    for c in title.chars() {
        if let Some(p) = c.to_pinyin() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            out.push_str(p.plain());
            out.push(' ');
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    out.trim_end().to_string()
}

/// The A–Z initial a title is filed under in an index, or `#` for anything else.
pub fn initial(title: &str) -> char {
    initial_of_key(&key(title))
}

/// The initial of a title whose [`key`] is `key`.
pub fn initial_of_key(key: &str) -> char {
    key.chars()
        .next()
        .map(|c| c.to_ascii_uppercase())
        .filter(char::is_ascii_alphabetic)
        .unwrap_or('#')
}

/// Compares two titles by their keys, then by the titles themselves.
pub fn cmp_titles(a: &str, b: &str) -> std::cmp::Ordering {
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_order() {
        let mut v = vec![
            "专责安全员",
            "安全环保部",
            "Budget office",
            "财务部",
            "zeta",
        ];
        v.sort_by(|a, b| cmp_titles(a, b));
        assert_eq!(
            v,
            [
                "安全环保部",
                "Budget office",
                "财务部",
                "zeta",
                "专责安全员"
            ]
        );
        assert_eq!(initial("项目经理"), 'X');
        assert_eq!(initial("3号楼"), '#');
    }
}
