//! Article numbers and stable anchors (content format, section 4 "Articles and anchors").
//!
//! This module owns:
//! - recognising the article number a heading or paragraph begins with
//!   (`第N章`, `第N节`, `第N条`, dotted `3.1.1`, `一、`, `（一）`), see [`parse_number`];
//! - reading Chinese numerals (`十二`, `一百零二`, …), see [`parse_chinese_numeral`];
//! - turning the numbers of one file into base anchors (`ch2`, `ch2-sec1`, `a5` or
//!   `ch3-a5`, `s3-1-1`, `n1`, `n2-1`, `i1`), see [`assign_anchors`];
//! - making anchors unique on one page (`_2`, `_3`, …), see [`AnchorDeduper`];
//! - deriving a heading id from heading text, see [`slugify`].
//!
//! It is pure std and does no I/O. Every function accepts arbitrary user text:
//! nothing here panics, indexes out of bounds or recurses.

use std::collections::{HashMap, HashSet};

/// Which numbering scheme a number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberKind {
    /// `第N章`
    Chapter,
    /// `第N节`
    Section,
    /// `第N条`
    Article,
    /// `3.1`, `3.1.1`, `1.1.`
    Dotted,
    /// `一、`
    Item,
    /// `（一）` or `(一)`
    SubItem,
}

/// An article number found at the start of a block's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleNumber {
    /// The numbering scheme.
    pub kind: NumberKind,
    /// `[3]` for 第三条, `[3, 1, 1]` for 3.1.1, `[1]` for 一、 and for （一）.
    pub nums: Vec<u32>,
    /// The number as the author typed it, for link labels: "第三条", "第3条",
    /// "3.1.1", "一", "（一）" / "(一)". No trailing `、` `.` `：` and no spaces
    /// around it (spaces inside, as in "第 3 条", are kept as typed).
    pub written: String,
    /// Bytes of the parsed text taken by the number: leading whitespace, the
    /// number, the separator punctuation after it (`、` `.` `：` `:` …) and the
    /// whitespace after that. `&text[prefix_len..]` is the article's own text.
    pub prefix_len: usize,
}

/// Most digits a component of a dotted number may have. Real clause numbers
/// stay below 100; this keeps dates (`2024.3.1`) from being read as numbers.
const MAX_DOTTED_DIGITS: usize = 3;

/// Characters that, written right after a two-part number such as `1.5`
/// (no space, no trailing dot), mark it as a decimal quantity rather than a
/// clause number: `1.5倍`, `2.5万`, `0.5米`. Only units that practically never
/// begin a clause title are listed; `年`, `个`, `公`, `分`, `元` … are not,
/// because `3.1年度计划`, `3.2公司概况` or `3.3元器件管理` are plausible titles.
const DECIMAL_UNITS: &[char] = &['倍', '万', '亿', '兆', '米', '吨', '斤', '岁', '毫', '厘'];

/// Punctuation that may follow a number and is consumed with it.
fn is_number_separator(c: char) -> bool {
    matches!(c, '、' | '.' | '．' | '：' | ':' | '，' | ',')
}

/// Blanks allowed inside `第 3 条`.
fn is_inline_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{3000}')
}

/// Value of an ASCII or full-width decimal digit.
fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(u32::from(c) - u32::from('0')),
        '０'..='９' => Some(u32::from(c) - u32::from('０')),
        _ => None,
    }
}

/// Value of a Chinese digit character.
fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Value of a Chinese unit character.
fn cn_unit(c: char) -> Option<u32> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1_000,
        '万' => 10_000,
        _ => return None,
    })
}

fn is_cn_numeral_char(c: char) -> bool {
    cn_digit(c).is_some() || cn_unit(c).is_some()
}

/// A CJK ideograph (or 〇).
fn is_han(c: char) -> bool {
    matches!(
        u32::from(c),
        0x3007 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x2_0000..=0x3_134F
    )
}

/// Reads a Chinese numeral (一, 十, 十二, 二十三, 一百零二, 两, 〇/零, 一万零五, …)
/// or a string of ASCII / full-width digits ("12", "１２").
///
/// The whole string must be the numeral; mixed forms ("1十"), digit-by-digit
/// readings ("一二", "二〇二四"), a bare unit ("百"), colloquial
/// abbreviations ("一百二" for 120) and values that do not fit a `u32` give
/// `None`. The Chinese form is read up to 万 (below one hundred million).
pub fn parse_chinese_numeral(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| digit_value(c).is_some()) {
        return parse_arabic(s);
    }
    parse_cn(s)
}

fn parse_arabic(s: &str) -> Option<u32> {
    let mut value: u32 = 0;
    let mut any = false;
    for c in s.chars() {
        value = value.checked_mul(10)?.checked_add(digit_value(c)?)?;
        any = true;
    }
    any.then_some(value)
}

/// `last_unit` value meaning "no unit seen yet".
const NO_UNIT: u32 = u32::MAX;

/// Adds the trailing ones digit of a section, checking that it may stand there.
fn finish_ones(section: u32, pending: Option<u32>, last_unit: u32, zero: bool) -> Option<u32> {
    match pending {
        Some(d) => {
            // "三" alone, "十二", or after a 零 that skips at least one unit ("一百零二").
            let ok =
                last_unit == NO_UNIT || (last_unit == 10 && !zero) || (zero && last_unit >= 100);
            if ok { section.checked_add(d) } else { None }
        }
        // A trailing 零 ("一百零") is not a number.
        None if zero => None,
        None => Some(section),
    }
}

/// A small state machine over the characters: no recursion, one pass.
fn parse_cn(s: &str) -> Option<u32> {
    let mut it = s.chars();
    if let (Some(c), None) = (it.next(), it.next())
        && matches!(c, '〇' | '零')
    {
        return Some(0);
    }
    let mut total: u32 = 0; // the part before 万, already multiplied
    let mut section: u32 = 0; // the part below 万 being read
    let mut last_unit = NO_UNIT;
    let mut pending: Option<u32> = None; // a digit waiting for its unit
    let mut zero = false; // a 零 was written since the last unit
    let mut seen_wan = false;
    for c in s.chars() {
        if let Some(d) = cn_digit(c) {
            if d == 0 {
                // 零 only skips units: not first, not twice, not after a digit or after 十.
                if pending.is_some() || zero || last_unit == NO_UNIT || last_unit == 10 {
                    return None;
                }
                zero = true;
            } else {
                if pending.is_some() {
                    return None;
                }
                pending = Some(d);
            }
        } else if let Some(unit) = cn_unit(c) {
            if unit == 10_000 {
                if seen_wan {
                    return None;
                }
                let high = finish_ones(section, pending.take(), last_unit, zero)?;
                if high == 0 {
                    return None;
                }
                total = high.checked_mul(10_000)?;
                section = 0;
                last_unit = 10_000;
                zero = false;
                seen_wan = true;
            } else {
                let d = match pending.take() {
                    Some(d) => d,
                    // "十二" = 一十二; only at the very start.
                    None if unit == 10 && last_unit == NO_UNIT && !zero => 1,
                    None => return None,
                };
                if last_unit != NO_UNIT {
                    // Units go down one step at a time, or skip steps after a 零.
                    let fits = if zero {
                        unit * 10 < last_unit
                    } else {
                        unit * 10 == last_unit
                    };
                    if !fits {
                        return None;
                    }
                }
                section = section.checked_add(d * unit)?;
                last_unit = unit;
                zero = false;
            }
        } else {
            return None;
        }
    }
    let low = finish_ones(section, pending, last_unit, zero)?;
    total.checked_add(low)
}

/// Byte length of the leading run of `s` whose characters satisfy `pred`.
fn run_len(s: &str, pred: impl Fn(char) -> bool) -> usize {
    s.char_indices()
        .find(|&(_, c)| !pred(c))
        .map_or(s.len(), |(i, _)| i)
}

/// Index after skipping, from `i`, characters that satisfy `pred`.
fn skip(s: &str, i: usize, pred: impl Fn(char) -> bool) -> usize {
    match s.get(i..) {
        Some(tail) => i + run_len(tail, pred),
        None => i,
    }
}

/// A number as read by one of the recognisers, before the separators after it.
struct Raw {
    kind: NumberKind,
    nums: Vec<u32>,
    /// Byte range of `written` within the text.
    written: (usize, usize),
    /// End of the number proper (closing parenthesis, `、` of an item, trailing dot).
    end: usize,
}

/// Judges the start of a block's plain text (emphasis markers already
/// removed; leading whitespace is allowed). Returns the article number it
/// begins with, or `None`.
///
/// Recognised: `第N章` / `第N节` / `第N条` (Chinese numerals or ASCII or
/// full-width digits, blanks allowed around N, followed by anything; 節 and 條
/// are read too), dotted numbers of two or more parts (`3.1`, `3.1.1`, `1.1.`),
/// `一、` (Chinese numeral immediately followed by `、`), and `（一）` / `(一)`
/// (either kind of parenthesis, Chinese numeral only). `（1）`, `1、`, `⑴`,
/// `第一时间`, `一般规定`, `2024` and `3.5%` are not numbers.
pub fn parse_number(text: &str) -> Option<ArticleNumber> {
    let start = text.len() - text.trim_start().len();
    let rest = text.get(start..)?;
    let first = rest.chars().next()?;
    let raw = match first {
        '第' => parse_di(rest),
        '(' | '（' => parse_sub_item(rest),
        c if digit_value(c).is_some() => parse_dotted(rest),
        c if is_cn_numeral_char(c) => parse_item(rest),
        _ => None,
    }?;
    let written = rest.get(raw.written.0..raw.written.1)?.to_owned();
    let after = skip(rest, raw.end, |c| {
        is_number_separator(c) || c.is_whitespace()
    });
    Some(ArticleNumber {
        kind: raw.kind,
        nums: raw.nums,
        written,
        prefix_len: start + after,
    })
}

/// `第N章` / `第N节` / `第N条`.
fn parse_di(s: &str) -> Option<Raw> {
    let tail = s.strip_prefix('第')?;
    let num_start = skip(s, s.len() - tail.len(), is_inline_space);
    let num_end = skip(s, num_start, |c| {
        is_cn_numeral_char(c) || digit_value(c).is_some()
    });
    let n = parse_chinese_numeral(s.get(num_start..num_end)?)?;
    if n == 0 {
        return None;
    }
    let mark_at = skip(s, num_end, is_inline_space);
    let mark = s.get(mark_at..)?.chars().next()?;
    let kind = match mark {
        '章' => NumberKind::Chapter,
        '节' | '節' => NumberKind::Section,
        '条' | '條' => NumberKind::Article,
        _ => return None,
    };
    let end = mark_at + mark.len_utf8();
    Some(Raw {
        kind,
        nums: vec![n],
        written: (0, end),
        end,
    })
}

/// A Chinese numeral used as an item number: no Arabic digits, no 两 (it
/// never numbers items, while "两、三天" is ordinary text), not zero.
fn item_numeral(s: &str) -> Option<u32> {
    if s.contains('两') {
        return None;
    }
    parse_cn(s).filter(|&n| n > 0)
}

/// `一、`
fn parse_item(s: &str) -> Option<Raw> {
    let num_end = run_len(s, is_cn_numeral_char);
    let n = item_numeral(s.get(..num_end)?)?;
    let comma = s.get(num_end..)?.chars().next()?;
    if comma != '、' {
        return None;
    }
    Some(Raw {
        kind: NumberKind::Item,
        nums: vec![n],
        written: (0, num_end),
        end: num_end + comma.len_utf8(),
    })
}

/// `（一）` / `(一)`, full-width or ASCII parentheses in any combination.
fn parse_sub_item(s: &str) -> Option<Raw> {
    let open = s.chars().next()?;
    if !matches!(open, '(' | '（') {
        return None;
    }
    let num_start = open.len_utf8();
    let num_end = skip(s, num_start, is_cn_numeral_char);
    let n = item_numeral(s.get(num_start..num_end)?)?;
    let close = s.get(num_end..)?.chars().next()?;
    if !matches!(close, ')' | '）') {
        return None;
    }
    let end = num_end + close.len_utf8();
    Some(Raw {
        kind: NumberKind::SubItem,
        nums: vec![n],
        written: (0, end),
        end,
    })
}

/// Dotted numbers: `3.1`, `3.1.1`, `1.1.` (ASCII or full-width digits and dots).
///
/// Conservative by design, since a paragraph may well begin with a quantity:
/// - at least two parts, each of 1 to [`MAX_DOTTED_DIGITS`] digits, no
///   leading zeros (`2024.3.1`, `3.05`, `2024` and `3.` are not numbers);
/// - the number (with its optional trailing dot) must be followed by the end
///   of the text, whitespace, a CJK ideograph, `、` `.` `．` `：` `:`, or an
///   opening full-width bracket or quote (`（` `《` `【` `“` `「` `『`); so
///   `3.5%`, `3.1a`, `1.2-3` are not numbers;
/// - a two-part number without trailing dot that reads like a decimal is
///   refused: first part `0` (`0.5小时`), or immediately followed by a unit
///   from [`DECIMAL_UNITS`] (`1.5倍`, `2.5万`). Decimals followed by other
///   characters (`1.5小时`) are still read as clause numbers: telling them
///   apart from titles (`3.1小组职责`) would need a dictionary.
fn parse_dotted(s: &str) -> Option<Raw> {
    let mut nums = Vec::new();
    let mut i = 0;
    let mut written_end = 0;
    let mut trailing_dot = false;
    loop {
        let tail = s.get(i..)?;
        let len = run_len(tail, |c| digit_value(c).is_some());
        let digits = tail.get(..len)?;
        let count = digits.chars().count();
        if count == 0 {
            // Just after a dot: a trailing dot closes a number of two or more parts.
            if nums.len() >= 2 {
                trailing_dot = true;
                break;
            }
            return None;
        }
        if count > MAX_DOTTED_DIGITS {
            return None;
        }
        if count > 1 && digits.chars().next().and_then(digit_value) == Some(0) {
            return None;
        }
        nums.push(parse_arabic(digits)?);
        i += len;
        written_end = i;
        match s.get(i..)?.chars().next() {
            Some(c @ ('.' | '．')) => i += c.len_utf8(),
            _ => break,
        }
    }
    if nums.len() < 2 {
        return None;
    }
    let next = s.get(i..)?.chars().next();
    let follows_ok = match next {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || is_han(c)
                || matches!(
                    c,
                    '、' | '.' | '．' | '：' | ':' | '（' | '《' | '【' | '“' | '「' | '『'
                )
        }
    };
    if !follows_ok {
        return None;
    }
    let decimal_like = nums.len() == 2 && !trailing_dot;
    if decimal_like
        && (nums.first() == Some(&0) || next.is_some_and(|c| DECIMAL_UNITS.contains(&c)))
    {
        return None;
    }
    Some(Raw {
        kind: NumberKind::Dotted,
        nums,
        written: (0, written_end),
        end: i,
    })
}

/// True if the 条 numbering of a file restarts in a chapter: the first
/// article of some chapter has a number less than or equal to the number of
/// the last article seen before that chapter began.
pub fn articles_restart(numbers: &[ArticleNumber]) -> bool {
    let mut last_article: Option<u32> = None;
    // Some(last article before it) while a chapter's first article is awaited.
    let mut awaiting: Option<Option<u32>> = None;
    for number in numbers {
        match number.kind {
            NumberKind::Chapter => awaiting = Some(last_article),
            NumberKind::Article => {
                let n = first_num(number);
                if let Some(Some(before)) = awaiting.take()
                    && n <= before
                {
                    return true;
                }
                last_article = Some(n);
            }
            _ => {}
        }
    }
    false
}

fn first_num(number: &ArticleNumber) -> u32 {
    number.nums.first().copied().unwrap_or(0)
}

/// Given every numbered block of ONE file in document order, returns the
/// base anchor of each (same length, same order):
///
/// - 第N章 → `chN`;
/// - 第N节 → `chC-secN` after a chapter C of the file, else `secN`;
/// - 第N条 → `aN`; if the file's 条 numbering restarts in a chapter (see
///   [`articles_restart`]), `chC-aN` for every article inside a chapter
///   (chapter 1 included), while articles before the first chapter keep `aN`;
/// - dotted → `s3-1-1`;
/// - 一、 → `nN`;
/// - （一） → `nM-N` under the last 一、-style item M before it in the file
///   (headings, chapters and articles do not end its scope), else `iN`.
///
/// The anchors are not unique yet: pass them through an [`AnchorDeduper`].
pub fn assign_anchors(numbers: &[ArticleNumber]) -> Vec<String> {
    let restart = articles_restart(numbers);
    let mut chapter: Option<u32> = None;
    let mut item: Option<u32> = None;
    let mut anchors = Vec::with_capacity(numbers.len());
    for number in numbers {
        let n = first_num(number);
        let anchor = match number.kind {
            NumberKind::Chapter => {
                chapter = Some(n);
                format!("ch{n}")
            }
            NumberKind::Section => match chapter {
                Some(c) => format!("ch{c}-sec{n}"),
                None => format!("sec{n}"),
            },
            NumberKind::Article => match chapter {
                Some(c) if restart => format!("ch{c}-a{n}"),
                _ => format!("a{n}"),
            },
            NumberKind::Dotted => {
                let parts: Vec<String> = number.nums.iter().map(u32::to_string).collect();
                format!("s{}", parts.join("-"))
            }
            NumberKind::Item => {
                item = Some(n);
                format!("n{n}")
            }
            NumberKind::SubItem => match item {
                Some(m) => format!("n{m}-{n}"),
                None => format!("i{n}"),
            },
        };
        anchors.push(anchor);
    }
    anchors
}

/// Makes anchors unique within one page, in document order: the first use of
/// a base keeps it, later ones get `_2`, `_3`, … (skipping any id already
/// taken). Ids passed to [`AnchorDeduper::reserve`] count as taken, so a base
/// equal to a reserved id is suffixed.
#[derive(Debug, Default, Clone)]
pub struct AnchorDeduper {
    used: HashSet<String>,
    next_suffix: HashMap<String, u64>,
}

impl AnchorDeduper {
    /// An empty deduper (one per page).
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns a unique anchor for `base` and whether it had to be suffixed.
    pub fn unique(&mut self, base: &str) -> (String, bool) {
        if self.used.insert(base.to_owned()) {
            return (base.to_owned(), false);
        }
        let mut k = self.next_suffix.get(base).copied().unwrap_or(2);
        loop {
            let candidate = format!("{base}_{k}");
            k = k.saturating_add(1);
            if self.used.insert(candidate.clone()) {
                self.next_suffix.insert(base.to_owned(), k);
                return (candidate, true);
            }
        }
    }

    /// Marks `id` as taken (for example a heading's own `{#id}`).
    pub fn reserve(&mut self, id: &str) {
        self.used.insert(id.to_owned());
    }

    /// True if `id` has been handed out or reserved.
    pub fn is_used(&self, id: &str) -> bool {
        self.used.contains(id)
    }
}

/// Characters that become a single `-` in a slug (checked after full-width
/// forms are mapped to ASCII).
fn is_slug_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '_'
                | '/'
                | '\\'
                | '.'
                | ':'
                | ','
                | ';'
                | '|'
                | '+'
                | '~'
                | '、'
                | '·'
                | '・'
                | '‐'
                | '‑'
                | '‒'
                | '–'
                | '—'
                | '―'
        )
}

/// Maps full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space to ASCII.
fn fold_full_width(c: char) -> char {
    match u32::from(c) {
        0x3000 => ' ',
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Heading id derived from heading text (when there is no `{#id}` and no
/// article number): letters of any script (Chinese verbatim) and digits are
/// kept, ASCII letters lowercased (full-width letters and digits are first
/// mapped to ASCII), whitespace and separators (`-` `_` `/` `.` `:` `,` `、`
/// `·` dashes …) become a single `-`, other punctuation is dropped, and the
/// result is trimmed of `-`. Never empty: falls back to `"section"`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars().map(fold_full_width) {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else if is_slug_separator(c) {
            dash = true;
        }
    }
    if out.is_empty() {
        "section".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(text: &str) -> ArticleNumber {
        match parse_number(text) {
            Some(n) => n,
            None => panic!("expected a number in {text:?}"),
        }
    }

    fn check(text: &str, kind: NumberKind, nums: &[u32], written: &str, rest: &str) {
        let n = num(text);
        assert_eq!(n.kind, kind, "kind of {text:?}");
        assert_eq!(n.nums, nums, "nums of {text:?}");
        assert_eq!(n.written, written, "written of {text:?}");
        assert_eq!(&text[n.prefix_len..], rest, "rest of {text:?}");
    }

    fn anchors(texts: &[&str]) -> Vec<String> {
        let numbers: Vec<ArticleNumber> = texts.iter().map(|t| num(t)).collect();
        assign_anchors(&numbers)
    }

    // ---- Chinese numerals -------------------------------------------------

    #[test]
    fn chinese_numerals() {
        let cases = [
            ("一", 1),
            ("二", 2),
            ("九", 9),
            ("十", 10),
            ("十一", 11),
            ("十二", 12),
            ("一十二", 12),
            ("二十", 20),
            ("二十三", 23),
            ("九十九", 99),
            ("一百", 100),
            ("一百零二", 102),
            ("一百〇二", 102),
            ("一百一十", 110),
            ("一百二十三", 123),
            ("两", 2),
            ("两百", 200),
            ("两千零五", 2005),
            ("一千零二十", 1020),
            ("三千四百五十六", 3456),
            ("一万", 10_000),
            ("十万", 100_000),
            ("一万零五", 10_005),
            ("一万二千", 12_000),
            ("一万零一百", 10_100),
            ("九千九百九十九万九千九百九十九", 99_999_999),
            ("〇", 0),
            ("零", 0),
        ];
        for (s, v) in cases {
            assert_eq!(parse_chinese_numeral(s), Some(v), "{s}");
        }
    }

    #[test]
    fn arabic_numerals() {
        assert_eq!(parse_chinese_numeral("0"), Some(0));
        assert_eq!(parse_chinese_numeral("12"), Some(12));
        assert_eq!(parse_chinese_numeral("１２"), Some(12));
        assert_eq!(parse_chinese_numeral("4294967295"), Some(u32::MAX));
        assert_eq!(parse_chinese_numeral("4294967296"), None);
        assert_eq!(parse_chinese_numeral("99999999999999999999"), None);
    }

    #[test]
    fn not_chinese_numerals() {
        for s in [
            "",
            " 一",
            "一 ",
            "百",
            "千",
            "万",
            "一二",
            "二〇二四",
            "一零",
            "零一",
            "十十",
            "一百二",
            "一百零",
            "一百零十",
            "一千二十",
            "一万二",
            "一万零一千",
            "一万万",
            "百十",
            "十百",
            "1十",
            "十2",
            "一般",
            "十分",
            "abc",
            "零零",
            "-1",
            "+1",
        ] {
            assert_eq!(parse_chinese_numeral(s), None, "{s:?}");
        }
    }

    // ---- parse_number: the spec table -------------------------------------

    #[test]
    fn chapters_sections_articles() {
        use NumberKind::*;
        check("第二章 总则", Chapter, &[2], "第二章", "总则");
        check("第一节 安全", Section, &[1], "第一节", "安全");
        check("第五条", Article, &[5], "第五条", "");
        check("第三条：内容", Article, &[3], "第三条", "内容");
        check("第三条: 内容", Article, &[3], "第三条", "内容");
        check("第三条　内容", Article, &[3], "第三条", "内容");
        check("第三条内容", Article, &[3], "第三条", "内容");
        check("第十二条 本制度", Article, &[12], "第十二条", "本制度");
        check("第一百零二条", Article, &[102], "第一百零二条", "");
        check("第3条 x", Article, &[3], "第3条", "x");
        check("第３条 x", Article, &[3], "第３条", "x");
        check("第12章", Chapter, &[12], "第12章", "");
        check("第 3 条 x", Article, &[3], "第 3 条", "x");
        check("第四節 x", Section, &[4], "第四節", "x");
        check("第四條 x", Article, &[4], "第四條", "x");
        check("  第五条 前导空格", Article, &[5], "第五条", "前导空格");
        check(
            "\u{3000}\u{3000}第五条 全角空格",
            Article,
            &[5],
            "第五条",
            "全角空格",
        );
    }

    #[test]
    fn dotted_numbers() {
        use NumberKind::Dotted;
        check("3.1", Dotted, &[3, 1], "3.1", "");
        check("3.1.1", Dotted, &[3, 1, 1], "3.1.1", "");
        check("1.1.", Dotted, &[1, 1], "1.1", "");
        check("1.1. 总则", Dotted, &[1, 1], "1.1", "总则");
        check("3.1 客户资料收集", Dotted, &[3, 1], "3.1", "客户资料收集");
        check("3.1.1收集整理", Dotted, &[3, 1, 1], "3.1.1", "收集整理");
        check("3.1、收集", Dotted, &[3, 1], "3.1", "收集");
        check("3.1：收集", Dotted, &[3, 1], "3.1", "收集");
        check("10.12.3 x", Dotted, &[10, 12, 3], "10.12.3", "x");
        check("1.0 总则", Dotted, &[1, 0], "1.0", "总则");
        check("３．１ 全角", Dotted, &[3, 1], "３．１", "全角");
        check("3.1 Overview", Dotted, &[3, 1], "3.1", "Overview");
        check(
            "3.1《安全生产法》",
            Dotted,
            &[3, 1],
            "3.1",
            "《安全生产法》",
        );
        check("0.1.2 x", Dotted, &[0, 1, 2], "0.1.2", "x");
    }

    #[test]
    fn items_and_sub_items() {
        use NumberKind::*;
        check("一、总则", Item, &[1], "一", "总则");
        check("十二、 其他", Item, &[12], "十二", "其他");
        check("二十三、x", Item, &[23], "二十三", "x");
        check("（一）内容", SubItem, &[1], "（一）", "内容");
        check("(一)内容", SubItem, &[1], "(一)", "内容");
        check("（一)内容", SubItem, &[1], "（一)", "内容");
        check("（十一） 内容", SubItem, &[11], "（十一）", "内容");
        check("（二）、内容", SubItem, &[2], "（二）", "内容");
        check("（二）．内容", SubItem, &[2], "（二）", "内容");
        check("(三). 内容", SubItem, &[3], "(三)", "内容");
    }

    #[test]
    fn not_numbers() {
        for text in [
            "",
            "   ",
            "（1）内容",
            "(1) 内容",
            "1、内容",
            "１、内容",
            "⑴ 内容",
            "① 内容",
            "一般规定",
            "十分重要",
            "一 、空格",
            "第一时间",
            "第一",
            "第",
            "第条",
            "第 条",
            "第一二条",
            "第1十条",
            "第〇条",
            "第零章",
            "第0条",
            "第99999999999条",
            "3.",
            "3",
            "2024",
            "2024.3.1 会议",
            "3.5%",
            "3.1%",
            "3.1a",
            "3.1-2",
            "3.1/2",
            "3..1",
            ".3.1",
            "1.5倍",
            "2.5万元",
            "0.5小时",
            "3.05 x",
            "03.1 x",
            "1234.1 x",
            "v1.2",
            "两、三天后",
            "（两）",
            "（）",
            "（一",
            "（一]",
            "（1一）",
            "（〇）",
            "〇、",
            "零、",
            "百、",
            "一二、",
            "- 第三条",
            "**第三条**",
            "总则",
            "abc",
        ] {
            assert_eq!(parse_number(text), None, "{text:?}");
        }
    }

    #[test]
    fn trailing_dot_with_decimal_shape_is_a_number() {
        // "1.5." is not a decimal quantity: the trailing dot marks a clause.
        let n = num("1.5.倍数");
        assert_eq!(n.nums, [1, 5]);
    }

    // ---- assign_anchors -----------------------------------------------------

    #[test]
    fn spec_table_anchors() {
        assert_eq!(anchors(&["第二章"]), ["ch2"]);
        assert_eq!(anchors(&["第二章", "第一节"]), ["ch2", "ch2-sec1"]);
        assert_eq!(anchors(&["第一节"]), ["sec1"]);
        assert_eq!(anchors(&["第五条"]), ["a5"]);
        assert_eq!(
            anchors(&["3.1", "3.1.1", "1.1."]),
            ["s3-1", "s3-1-1", "s1-1"]
        );
        assert_eq!(anchors(&["一、"]), ["n1"]);
        assert_eq!(anchors(&["二、", "（一）"]), ["n2", "n2-1"]);
        assert_eq!(anchors(&["(一)"]), ["i1"]);
    }

    #[test]
    fn sections_inside_and_outside_chapters() {
        assert_eq!(
            anchors(&[
                "第一节",
                "第二节",
                "第一章",
                "第一节",
                "第二章",
                "第一节",
                "第二节"
            ]),
            [
                "sec1", "sec2", "ch1", "ch1-sec1", "ch2", "ch2-sec1", "ch2-sec2"
            ]
        );
    }

    #[test]
    fn articles_without_restart_keep_a_n() {
        let mut texts = vec!["第一章"];
        let first: Vec<String> = (1..=10).map(|i| format!("第{i}条")).collect();
        let second: Vec<String> = (11..=15).map(|i| format!("第{i}条")).collect();
        texts.extend(first.iter().map(String::as_str));
        texts.push("第二章");
        texts.extend(second.iter().map(String::as_str));
        let got = anchors(&texts);
        let mut want = vec!["ch1".to_owned()];
        want.extend((1..=10).map(|i| format!("a{i}")));
        want.push("ch2".to_owned());
        want.extend((11..=15).map(|i| format!("a{i}")));
        assert_eq!(got, want);
        let numbers: Vec<ArticleNumber> = texts.iter().map(|t| num(t)).collect();
        assert!(!articles_restart(&numbers));
    }

    #[test]
    fn chinese_continuing_numbering_keeps_a_n() {
        assert_eq!(
            anchors(&[
                "第一章",
                "第一条",
                "第十条",
                "第二章",
                "第十一条",
                "第十二条"
            ]),
            ["ch1", "a1", "a10", "ch2", "a11", "a12"]
        );
    }

    #[test]
    fn restart_gives_chapter_prefixed_articles() {
        assert_eq!(
            anchors(&[
                "第一章",
                "第一条",
                "第二条",
                "第二章",
                "第一条",
                "第二条",
                "第三章",
                "第五条"
            ]),
            [
                "ch1", "ch1-a1", "ch1-a2", "ch2", "ch2-a1", "ch2-a2", "ch3", "ch3-a5"
            ]
        );
    }

    #[test]
    fn restart_detected_late_applies_to_the_whole_file() {
        // Chapters 1 and 2 continue, chapter 3 restarts: every chapter article is prefixed.
        assert_eq!(
            anchors(&["第一章", "第一条", "第二章", "第二条", "第三章", "第一条"]),
            ["ch1", "ch1-a1", "ch2", "ch2-a2", "ch3", "ch3-a1"]
        );
    }

    #[test]
    fn restart_with_equal_number_counts() {
        assert_eq!(
            anchors(&["第一章", "第三条", "第二章", "第三条"]),
            ["ch1", "ch1-a3", "ch2", "ch2-a3"]
        );
    }

    #[test]
    fn articles_before_first_chapter_keep_a_n() {
        assert_eq!(
            anchors(&["第一条", "第二条", "第一章", "第一条", "第二章", "第一条"]),
            ["a1", "a2", "ch1", "ch1-a1", "ch2", "ch2-a1"]
        );
        // Without restart, preamble articles and chapter articles alike are aN.
        assert_eq!(
            anchors(&["第一条", "第一章", "第二条", "第二章", "第三条"]),
            ["a1", "ch1", "a2", "ch2", "a3"]
        );
    }

    #[test]
    fn empty_chapter_compares_with_last_article_before_it() {
        // 第二章 has no article; 第三章 restarts relative to 第二条.
        assert_eq!(
            anchors(&["第一章", "第一条", "第二条", "第二章", "第三章", "第一条"]),
            ["ch1", "ch1-a1", "ch1-a2", "ch2", "ch3", "ch3-a1"]
        );
        // Only later articles of a chapter are not compared: 3 > 2 here.
        assert_eq!(
            anchors(&["第一章", "第一条", "第二条", "第二章", "第三条", "第一条"]),
            ["ch1", "a1", "a2", "ch2", "a3", "a1"]
        );
    }

    #[test]
    fn sub_items_follow_last_item_across_headings() {
        assert_eq!(
            anchors(&[
                "（一）",
                "一、",
                "（一）",
                "（二）",
                "第一章",
                "第一条",
                "（三）",
                "二、",
                "3.1",
                "(一)",
                "第二章",
                "（二）"
            ]),
            [
                "i1", "n1", "n1-1", "n1-2", "ch1", "a1", "n1-3", "n2", "s3-1", "n2-1", "ch2",
                "n2-2"
            ]
        );
    }

    #[test]
    fn anchors_of_odd_input_do_not_panic() {
        let odd = [
            ArticleNumber {
                kind: NumberKind::Dotted,
                nums: vec![],
                written: String::new(),
                prefix_len: 0,
            },
            ArticleNumber {
                kind: NumberKind::SubItem,
                nums: vec![],
                written: String::new(),
                prefix_len: 99,
            },
            ArticleNumber {
                kind: NumberKind::Article,
                nums: vec![],
                written: String::new(),
                prefix_len: 0,
            },
        ];
        assert_eq!(assign_anchors(&odd), ["s", "i0", "a0"]);
        assert!(assign_anchors(&[]).is_empty());
    }

    // ---- dedup ----------------------------------------------------------------

    #[test]
    fn dedup_suffixes() {
        let mut d = AnchorDeduper::default();
        assert_eq!(d.unique("n3-1"), ("n3-1".to_owned(), false));
        assert_eq!(d.unique("n3-1"), ("n3-1_2".to_owned(), true));
        assert_eq!(d.unique("n3-1"), ("n3-1_3".to_owned(), true));
        assert_eq!(d.unique("a1"), ("a1".to_owned(), false));
        assert_eq!(d.unique("a1"), ("a1_2".to_owned(), true));
        assert!(d.is_used("n3-1_3"));
        assert!(!d.is_used("n3-1_4"));
    }

    #[test]
    fn dedup_respects_reserved_and_taken_ids() {
        let mut d = AnchorDeduper::new();
        d.reserve("a3");
        d.reserve("a3_2");
        assert_eq!(d.unique("a3"), ("a3_3".to_owned(), true));
        assert_eq!(d.unique("a3"), ("a3_4".to_owned(), true));
        // A base that happens to look like a suffixed anchor.
        let mut d = AnchorDeduper::new();
        assert_eq!(d.unique("x_2"), ("x_2".to_owned(), false));
        assert_eq!(d.unique("x"), ("x".to_owned(), false));
        assert_eq!(d.unique("x"), ("x_3".to_owned(), true));
    }

    // ---- slugify --------------------------------------------------------------

    #[test]
    fn slugify_cases() {
        let cases = [
            ("岗位职责", "岗位职责"),
            ("安全 环保部", "安全-环保部"),
            ("安全、环保", "安全-环保"),
            ("安全（试行）规定", "安全试行规定"),
            ("《安全生产法》要点", "安全生产法要点"),
            ("附则：其他", "附则-其他"),
            ("Hello World", "hello-world"),
            ("Hello,  World!", "hello-world"),
            ("  --Leading and trailing--  ", "leading-and-trailing"),
            ("Don't panic", "dont-panic"),
            ("snake_case/path", "snake-case-path"),
            ("Version 2.0", "version-2-0"),
            ("ISO 9001 质量体系", "iso-9001-质量体系"),
            ("ＩＳＯ９００１", "iso9001"),
            ("项目经理 (PM) 职责", "项目经理-pm-职责"),
            ("Café Größe", "café-größe"),
            ("R&D", "rd"),
            ("A — B", "a-b"),
            ("!!!", "section"),
            ("（）《》。", "section"),
            ("", "section"),
            ("   ", "section"),
            ("- _ /", "section"),
        ];
        for (text, want) in cases {
            assert_eq!(slugify(text), want, "{text:?}");
        }
    }

    // ---- robustness -----------------------------------------------------------

    fn exercise(s: &str) {
        let _ = parse_chinese_numeral(s);
        let _ = slugify(s);
        if let Some(n) = parse_number(s) {
            assert!(n.prefix_len <= s.len(), "{s:?}");
            assert!(s.is_char_boundary(n.prefix_len), "{s:?}");
            assert!(!n.nums.is_empty(), "{s:?}");
            assert!(!n.written.is_empty(), "{s:?}");
            assert!(s.contains(n.written.as_str()), "{s:?}");
        }
    }

    #[test]
    fn arbitrary_prefixes_and_suffixes_never_panic() {
        let text = " 　第十二条：第３条 3.1.1收集 1.5倍 （一）(二)、一、二十三、两、〇 ⑴ 第一时间 \
                    **x** 😀 é ｘ 2024.3.1 一百零二 万 第 5 條 3.5% 1.1. 十万零一 "
            .repeat(2);
        for i in 0..=text.len() {
            if let Some(tail) = text.get(i..) {
                exercise(tail);
            }
            if let Some(head) = text.get(..i) {
                exercise(head);
            }
        }
        // Every substring of a shorter mixed text.
        let short = "第一百零二条（十一)3.1.2、一、😀两〇.．";
        let bounds: Vec<usize> = (0..=short.len())
            .filter(|&i| short.is_char_boundary(i))
            .collect();
        for &a in &bounds {
            for &b in &bounds {
                if let Some(sub) = short.get(a..b) {
                    exercise(sub);
                }
            }
        }
    }

    #[test]
    fn random_strings_never_panic() {
        const ALPHABET: &[char] = &[
            '第', '章', '节', '条', '一', '二', '两', '十', '百', '千', '万', '零', '〇', '、',
            '（', '）', '(', ')', '.', '．', '：', ':', ' ', '\u{3000}', '0', '1', '9', '３', '%',
            '倍', 'a', '😀', 'é', '\n', '-', '_',
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut numbers = Vec::new();
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 12) as usize;
            let mut s = String::new();
            let mut r = state;
            for _ in 0..len {
                r = r.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let idx = ((r >> 33) % ALPHABET.len() as u64) as usize;
                if let Some(&c) = ALPHABET.get(idx) {
                    s.push(c);
                }
            }
            exercise(&s);
            if let Some(n) = parse_number(&s) {
                numbers.push(n);
            }
        }
        let anchors = assign_anchors(&numbers);
        assert_eq!(anchors.len(), numbers.len());
        let mut d = AnchorDeduper::new();
        let mut seen = HashSet::new();
        for a in &anchors {
            let (id, _) = d.unique(a);
            assert!(seen.insert(id));
        }
    }

    #[test]
    fn long_inputs_are_fine() {
        let long = "一".repeat(10_000);
        assert_eq!(parse_chinese_numeral(&long), None);
        assert_eq!(parse_number(&format!("{long}、")), None);
        let digits = "9".repeat(10_000);
        assert_eq!(parse_chinese_numeral(&digits), None);
        assert_eq!(parse_number(&format!("第{digits}条")), None);
        assert_eq!(parse_number(&format!("1.{digits}")), None);
        let dotted = "1.".repeat(5_000);
        assert_eq!(num(&dotted).nums.len(), 5_000);
        assert_eq!(slugify(&"！".repeat(10_000)), "section");
    }
}
