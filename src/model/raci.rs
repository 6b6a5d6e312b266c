//! Responsibility letters (RACI / RASCI): parsing what authors type, and
//! the rules of spec §9 (one A, at least one R, scheme letters only).

use unicode_normalization::UnicodeNormalization;

/// A set of letters held by one role for one activity (`A/R` is two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Letters(u8);

/// Display order of letters in combined cells: A first (`A/R`).
pub const ORDER: [char; 5] = ['A', 'R', 'S', 'C', 'I'];

fn bit(c: char) -> Option<u8> {
    ORDER.iter().position(|&o| o == c).map(|i| 1 << i)
}

impl Letters {
    pub fn has(self, c: char) -> bool {
        bit(c).is_some_and(|b| self.0 & b != 0)
    }

    pub fn chars(self) -> impl Iterator<Item = char> {
        ORDER.into_iter().filter(move |&c| self.has(c))
    }

    /// `A/R`, `R`, …
    pub fn to_code(self) -> String {
        self.code().to_string()
    }

    /// [`Letters::to_code`] without allocating: the code of each of the
    /// 32 sets is made once.
    pub fn code(self) -> &'static str {
        static CODES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
            (0..1u8 << ORDER.len())
                .map(|b| {
                    let l = Letters(b);
                    l.chars().map(String::from).collect::<Vec<_>>().join("/")
                })
                .collect()
        });
        CODES.get(usize::from(self.0)).map_or("", |s| s.as_str())
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// What parsing a cell found besides the letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Full-width or other compatibility forms, normalized (a warning).
    Normalized {
        written: String,
        normalized: String,
    },
    /// A letter from another script that looks like a Latin one (an error).
    LookAlike {
        ch: char,
        script: &'static str,
        latin: char,
    },
    /// A letter that is not in the scheme (an error).
    OutOfScheme {
        written: String,
    },
    Empty,
}

/// Cyrillic and Greek capitals that look like scheme letters.
fn look_alike(c: char) -> Option<(&'static str, char)> {
    Some(match c {
        'А' => ("Cyrillic", 'A'),
        'С' => ("Cyrillic", 'C'),
        'Р' => ("Cyrillic", 'P'),
        'І' => ("Cyrillic", 'I'),
        'Ѕ' => ("Cyrillic", 'S'),
        'а' => ("Cyrillic", 'a'),
        'с' => ("Cyrillic", 'c'),
        'Α' => ("Greek", 'A'),
        'Ι' => ("Greek", 'I'),
        'Ρ' => ("Greek", 'P'),
        _ => return None,
    })
}

/// Parses a RACI cell such as `R`, `A/R`, `Ａ`. Returns the letters and the
/// problems found; the letters are usable only if no problem is an error.
pub fn parse(written: &str, scheme: &[char]) -> (Letters, Vec<Problem>) {
    let mut problems = Vec::new();
    // (NFKC leaves ASCII as it is: no copy for the common case.)
    let normalized: std::borrow::Cow<str> = if written.is_ascii() {
        written.trim().into()
    } else {
        written.nfkc().collect::<String>().trim().to_string().into()
    };
    if normalized != written.trim() {
        problems.push(Problem::Normalized {
            written: written.to_string(),
            normalized: normalized.to_string(),
        });
    }
    let mut letters = Letters::default();
    for part in normalized.split(['/', ',', '+']).map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let mut chars = part.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            if let Some((script, latin)) = part.chars().find_map(look_alike) {
                let ch = part
                    .chars()
                    .find(|&c| look_alike(c).is_some())
                    .unwrap_or(' ');
                problems.push(Problem::LookAlike { ch, script, latin });
            } else {
                problems.push(Problem::OutOfScheme {
                    written: part.to_string(),
                });
            }
            continue;
        };
        if let Some((script, latin)) = look_alike(c) {
            problems.push(Problem::LookAlike {
                ch: c,
                script,
                latin,
            });
        } else if scheme.contains(&c) {
            letters.0 |= bit(c).unwrap_or(0);
        } else {
            problems.push(Problem::OutOfScheme {
                written: part.to_string(),
            });
        }
    }
    if letters.is_empty() && problems.is_empty() {
        problems.push(Problem::Empty);
    }
    (letters, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    const RACI: &[char] = &['R', 'A', 'C', 'I'];

    #[test]
    fn plain_and_combined() {
        let (l, p) = parse("A/R", RACI);
        assert!(p.is_empty());
        assert_eq!(l.to_code(), "A/R");
        assert_eq!(parse("R", RACI).0.to_code(), "R");
    }

    /// Every set of letters has the code its letters make, in display order.
    #[test]
    fn each_set_has_its_code() {
        let rasci = &['R', 'A', 'S', 'C', 'I'];
        for b in 0..32u8 {
            let written: Vec<String> = ORDER
                .iter()
                .enumerate()
                .filter(|(i, _)| b & (1 << i) != 0)
                .map(|(_, c)| c.to_string())
                .collect();
            let (l, p) = parse(&written.join("/"), rasci);
            assert!(b == 0 || p.is_empty(), "{written:?}: {p:?}");
            assert_eq!(l, Letters(b));
            assert_eq!(l.code(), written.join("/"));
            assert_eq!(l.to_code(), l.code());
        }
        assert_eq!(parse("R/A/C", rasci).0.code(), "A/R/C");
    }

    #[test]
    fn full_width_is_normalized() {
        let (l, p) = parse("Ａ", RACI);
        assert_eq!(l.to_code(), "A");
        assert!(matches!(p[0], Problem::Normalized { .. }));
    }

    #[test]
    fn cyrillic_is_an_error() {
        let (_, p) = parse("С", RACI);
        assert!(matches!(p[0], Problem::LookAlike { latin: 'C', .. }));
    }

    #[test]
    fn outside_scheme() {
        let (_, p) = parse("S", RACI);
        assert!(matches!(p[0], Problem::OutOfScheme { .. }));
        assert!(parse("S", &['R', 'A', 'S', 'C', 'I']).1.is_empty());
        assert_eq!(parse("", RACI).1, vec![Problem::Empty]);
    }
}
