//! Text normalization and tokenization for the search index, and the
//! matching rules a query follows. `search.js` implements the very same
//! rules in the browser; the two must agree character for character.
//!
//! * **Normal form** ([`normalize`]): NFC, then each character replaced by
//!   its NFKC form (full-width `ＡＢＣ１２３` → `ABC123`, `㈱` → `(株)`),
//!   except that a character whose NFKC form holds only separators keeps
//!   its own form (so `，`, `（` and `……` stay as written in snippets; they
//!   separate tokens either way). Positions count characters (code points)
//!   of the normal form.
//! * **Classes** ([`class`]): CJK letters (Han, kana, Hangul, Bopomofo and
//!   the ideographic marks `々〆〇`), word characters (any other letter or
//!   number), separators (everything else).
//! * **Tokens** ([`for_each_token`]): every CJK letter as a unigram at its
//!   position and every pair of adjacent CJK letters as a bigram at the
//!   position of its first letter; every maximal run of word characters as
//!   one lowercased word at the position of its first character.
//! * **Queries** ([`query_terms`]): whitespace separates terms, all of
//!   which must match (AND). Within a term the tokens must occur at the same
//!   distances as in the query: a CJK run of n ≥ 2 letters is covered by the
//!   bigrams at offsets 0, 2, 4, … and n−2, which pins every letter, so the
//!   term matches exactly where its CJK text is a substring; a lone CJK
//!   letter is its unigram; a word matches any word it is a prefix of.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::{IsNormalized, is_nfc_quick};

/// What a character is to the tokenizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Cjk,
    Word,
    Sep,
}

/// Scripts written without spaces, indexed letter by letter.
fn in_cjk_ranges(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF      // Hangul Jamo
        | 0x3005..=0x3007    // 々 〆 〇
        | 0x3021..=0x3029    // Hangzhou numerals
        | 0x3031..=0x3035    // kana repeat marks
        | 0x3038..=0x303C
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3100..=0x312F    // Bopomofo
        | 0x3130..=0x318F    // Hangul compatibility Jamo
        | 0x31A0..=0x31BF    // Bopomofo extended
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xA960..=0xA97F    // Hangul Jamo extended A
        | 0xAC00..=0xD7FF    // Hangul syllables, Jamo extended B
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x323AF) // CJK extensions B–H
}

pub fn class(c: char) -> Class {
    if matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF) {
        return Class::Cjk;
    }
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            Class::Word
        } else {
            Class::Sep
        };
    }
    if !c.is_alphanumeric() {
        Class::Sep
    } else if in_cjk_ranges(c) {
        Class::Cjk
    } else {
        Class::Word
    }
}

/// Characters whose NFKC form is themselves or only separators, checked
/// without a table: ASCII, the common CJK ideographs, and the punctuation
/// of Chinese text (general punctuation, CJK symbols and punctuation,
/// full-width punctuation). All are NFC with combining class 0.
/// `fast_ranges_are_right` checks the claims.
fn nfkc_kept(c: char) -> bool {
    c.is_ascii()
        || matches!(c as u32,
            0x4E00..=0x9FFF | 0x3400..=0x4DBF
            | 0x2002..=0x206F
            | 0x3000..=0x3004 | 0x3008..=0x3020 | 0x3030 | 0x303D..=0x303F
            | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
}

/// Appends the normal form of one character (of NFC text): its NFKC form,
/// unless that holds only separators, in which case the character itself.
fn push_char(c: char, out: &mut String) {
    if nfkc_kept(c) {
        out.push(c);
        return;
    }
    let start = out.len();
    let mut only_sep = true;
    for k in std::iter::once(c).nfkc() {
        only_sep &= class(k) == Class::Sep;
        out.push(k);
    }
    if only_sep {
        out.truncate(start);
        out.push(c);
    }
}

/// The search normal form of a text (see the module documentation).
pub fn normalize(text: &str) -> String {
    normalize_cow(text).into_owned()
}

/// [`normalize`], borrowing the text when it is already in normal form.
pub fn normalize_cow(text: &str) -> std::borrow::Cow<'_, str> {
    // Text made only of characters kept as they are (each one NFC with
    // combining class 0) is its own normal form: the common case.
    if text.chars().all(nfkc_kept) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        for c in text.chars() {
            push_char(c, &mut out);
        }
    } else {
        for c in text.nfc() {
            push_char(c, &mut out);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A token of normalized text; words are lowercased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok<'a> {
    Uni(char),
    Bi(char, char),
    Word(&'a str),
}

/// Calls `f` with every token of `text` (already normalized) and its
/// position in characters, in text order (a bigram right after the
/// unigram of its first letter).
pub fn for_each_token(text: &str, mut f: impl FnMut(Tok<'_>, u32)) {
    let mut word = String::new();
    let mut lower = String::new();
    let mut word_start = 0u32;
    let mut prev_cjk: Option<char> = None;
    let mut pos = 0u32;
    let flush =
        |word: &mut String, lower: &mut String, start: u32, f: &mut dyn FnMut(Tok<'_>, u32)| {
            if word.is_empty() {
                return;
            }
            lower.clear();
            if word.is_ascii() {
                lower.push_str(word);
                lower.make_ascii_lowercase();
            } else {
                lower.push_str(&word.to_lowercase());
            }
            f(Tok::Word(lower), start);
            word.clear();
        };
    for c in text.chars() {
        match class(c) {
            Class::Cjk => {
                flush(&mut word, &mut lower, word_start, &mut f);
                f(Tok::Uni(c), pos);
                if let Some(p) = prev_cjk {
                    f(Tok::Bi(p, c), pos - 1);
                }
                prev_cjk = Some(c);
            }
            Class::Word => {
                prev_cjk = None;
                if word.is_empty() {
                    word_start = pos;
                }
                word.push(c);
            }
            Class::Sep => {
                prev_cjk = None;
                flush(&mut word, &mut lower, word_start, &mut f);
            }
        }
        pos = pos.saturating_add(1);
    }
    flush(&mut word, &mut lower, word_start, &mut f);
}

/// Tokens of a text as strings with positions (normalizes first); for
/// tests and tools.
pub fn tokenize(text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for_each_token(&normalize(text), |t, p| {
        let s = match t {
            Tok::Uni(c) => c.to_string(),
            Tok::Bi(a, b) => format!("{a}{b}"),
            Tok::Word(w) => w.to_string(),
        };
        out.push((s, p));
    });
    out
}

/// One token a query term needs, at an offset from the term's first token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTok {
    /// Dictionary term: a CJK unigram or bigram, or a lowercased word.
    pub term: String,
    /// A word matches every dictionary word it begins.
    pub prefix: bool,
    pub offset: u32,
}

/// Splits a query into terms (all must match) of positioned tokens.
/// Terms without any token (only punctuation) are dropped, and repeated
/// terms are kept once.
pub fn query_terms(query: &str) -> Vec<Vec<QueryTok>> {
    let norm = normalize(query);
    let mut terms: Vec<Vec<QueryTok>> = Vec::new();
    for part in norm.split(char::is_whitespace) {
        let chars: Vec<char> = part.chars().collect();
        let mut toks = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match class(chars[i]) {
                Class::Sep => i += 1,
                Class::Word => {
                    let start = i;
                    while i < chars.len() && class(chars[i]) == Class::Word {
                        i += 1;
                    }
                    let w: String = chars[start..i].iter().collect();
                    toks.push(QueryTok {
                        term: w.to_lowercase(),
                        prefix: true,
                        offset: start as u32,
                    });
                }
                Class::Cjk => {
                    let start = i;
                    while i < chars.len() && class(chars[i]) == Class::Cjk {
                        i += 1;
                    }
                    let run = &chars[start..i];
                    if run.len() == 1 {
                        toks.push(QueryTok {
                            term: run[0].to_string(),
                            prefix: false,
                            offset: start as u32,
                        });
                    } else {
                        let mut k = 0;
                        loop {
                            let at = k.min(run.len() - 2);
                            toks.push(QueryTok {
                                term: run[at..at + 2].iter().collect(),
                                prefix: false,
                                offset: (start + at) as u32,
                            });
                            if at + 2 >= run.len() {
                                break;
                            }
                            k += 2;
                        }
                    }
                }
            }
        }
        if let Some(first) = toks.first().map(|t| t.offset) {
            for t in &mut toks {
                t.offset -= first;
            }
            if !terms.contains(&toks) {
                terms.push(toks);
            }
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(String, u32)> {
        tokenize(s)
    }

    fn t(s: &str, p: u32) -> (String, u32) {
        (s.to_string(), p)
    }

    #[test]
    fn cjk_unigrams_and_bigrams_with_positions() {
        assert_eq!(
            toks("考勤管理"),
            vec![
                t("考", 0),
                t("勤", 1),
                t("考勤", 0),
                t("管", 2),
                t("勤管", 1),
                t("理", 3),
                t("管理", 2),
            ]
        );
        assert_eq!(toks("罚"), vec![t("罚", 0)]);
    }

    #[test]
    fn punctuation_and_spaces_break_runs_but_keep_positions() {
        assert_eq!(
            toks("考勤，罚款"),
            vec![
                t("考", 0),
                t("勤", 1),
                t("考勤", 0),
                t("罚", 3),
                t("款", 4),
                t("罚款", 3)
            ]
        );
        assert_eq!(
            toks("（一）安全 管理"),
            vec![
                t("一", 1),
                t("安", 3),
                t("全", 4),
                t("安全", 3),
                t("管", 6),
                t("理", 7),
                t("管理", 6)
            ]
        );
        assert_eq!(toks("。、；：“”《》——……"), vec![]);
        assert_eq!(toks(""), vec![]);
    }

    #[test]
    fn latin_and_digit_words_are_lowercased() {
        assert_eq!(
            toks("ISO 9001 Quality-Manual v2.1"),
            vec![
                t("iso", 0),
                t("9001", 4),
                t("quality", 9),
                t("manual", 17),
                t("v2", 24),
                t("1", 27)
            ]
        );
    }

    #[test]
    fn mixed_latin_and_cjk() {
        assert_eq!(
            toks("5S管理"),
            vec![t("5s", 0), t("管", 2), t("理", 3), t("管理", 2)]
        );
        assert_eq!(
            toks("按ISO9001执行"),
            vec![
                t("按", 0),
                t("iso9001", 1),
                t("执", 8),
                t("行", 9),
                t("执行", 8)
            ]
        );
    }

    #[test]
    fn full_width_forms_fold_by_nfkc() {
        assert_eq!(normalize("ＩＳＯ　９００１"), "ISO\u{3000}9001");
        assert_eq!(toks("ＩＳＯ　９００１"), toks("ISO 9001"));
        assert_eq!(toks("５Ｓ管理"), toks("5S管理"));
        // Chinese punctuation stays as written (it only separates).
        assert_eq!(
            normalize("一、安全（试行）：好，"),
            "一、安全（试行）：好，"
        );
        // Compatibility ideographs fold to the unified ones.
        assert_eq!(normalize("\u{F900}"), "\u{8C48}");
        // Multi-character expansions.
        assert_eq!(normalize("㈱"), "(株)");
        assert_eq!(toks("①"), vec![t("1", 0)]);
        // Decomposed accents compose first.
        assert_eq!(normalize("e\u{301}"), "é");
    }

    #[test]
    fn fast_ranges_are_right() {
        for c in (0u32..0x3_0000).filter_map(char::from_u32) {
            if nfkc_kept(c) {
                let nfc: String = std::iter::once(c).nfc().collect();
                assert_eq!(nfc, c.to_string(), "U+{:04X} is NFC", c as u32);
                assert_eq!(
                    unicode_normalization::char::canonical_combining_class(c),
                    0,
                    "U+{:04X}",
                    c as u32
                );
                let k: String = std::iter::once(c).nfkc().collect();
                assert!(
                    k == c.to_string() || k.chars().all(|k| class(k) == Class::Sep),
                    "U+{:04X} → {k:?}",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn kana_hangul_and_ideographic_marks_are_cjk() {
        assert_eq!(class('か'), Class::Cjk);
        assert_eq!(class('ー'), Class::Cjk);
        assert_eq!(class('한'), Class::Cjk);
        assert_eq!(class('〇'), Class::Cjk);
        assert_eq!(class('々'), Class::Cjk);
        assert_eq!(class('𠀀'), Class::Cjk);
        assert_eq!(class('・'), Class::Sep);
        assert_eq!(class('。'), Class::Sep);
        assert_eq!(class('é'), Class::Word);
        assert_eq!(class('Ж'), Class::Word);
        assert_eq!(class('_'), Class::Sep);
    }

    #[test]
    fn non_ascii_words_lowercase_fully() {
        assert_eq!(toks("ÉCOLE Straße"), vec![t("école", 0), t("straße", 6)]);
    }

    fn q(s: &str) -> Vec<Vec<(String, bool, u32)>> {
        query_terms(s)
            .into_iter()
            .map(|t| {
                t.into_iter()
                    .map(|x| (x.term, x.prefix, x.offset))
                    .collect()
            })
            .collect()
    }

    fn qt(s: &str, prefix: bool, o: u32) -> (String, bool, u32) {
        (s.to_string(), prefix, o)
    }

    #[test]
    fn query_cover_pins_every_letter() {
        assert_eq!(q("考勤"), vec![vec![qt("考勤", false, 0)]]);
        assert_eq!(q("罚"), vec![vec![qt("罚", false, 0)]]);
        assert_eq!(
            q("部门负责人"),
            vec![vec![
                qt("部门", false, 0),
                qt("负责", false, 2),
                qt("责人", false, 3)
            ]]
        );
        assert_eq!(
            q("易制毒化学品"),
            vec![vec![
                qt("易制", false, 0),
                qt("毒化", false, 2),
                qt("学品", false, 4)
            ]]
        );
    }

    #[test]
    fn query_terms_split_on_spaces_and_mix() {
        assert_eq!(
            q(" ISO  9001 "),
            vec![vec![qt("iso", true, 0)], vec![qt("9001", true, 0)]]
        );
        assert_eq!(
            q("５Ｓ管理"),
            vec![vec![qt("5s", true, 0), qt("管理", false, 2)]]
        );
        assert_eq!(q("，。"), Vec::<Vec<(String, bool, u32)>>::new());
        assert_eq!(q("考勤 考勤"), vec![vec![qt("考勤", false, 0)]]);
        assert_eq!(
            q("「考勤」管"),
            vec![vec![qt("考勤", false, 0), qt("管", false, 3)]]
        );
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for s in [
            "\u{0}",
            "\u{FEFF}",
            "\u{301}",
            "\u{2028}\u{2029}",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
            "ﷺ",
            "\u{10FFFF}",
            "a\u{301}\u{302}\u{303}",
        ] {
            let _ = tokenize(s);
            let _ = query_terms(s);
        }
    }
}
