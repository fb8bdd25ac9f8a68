//! Numbers as notices write them: Arabic digits with thousands commas (`18,950`), kanji numerals
//! (`一万八千九百五十`, `二〇二四`), the two mixed (`2万3,435`, `40万`), and counts with their unit
//! and an approximation mark (`約1,450件`, `1,249名`).

/// A count read from text: `約1,450件` is 1450, unit `件`, approximate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// The number.
    pub value: u64,
    /// The counter that follows it (件, 人, 名, 通, 枚, 台 …).
    pub unit: char,
    /// Written with 約, およそ or 程度/前後/余り: not an exact figure.
    pub approximate: bool,
}

/// A count found in running text, with its byte range (the range covers 約 and the unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountMention {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character.
    pub end: usize,
    /// What was read.
    pub count: Count,
}

/// The counters [`find_counts`] recognizes.
pub const COUNTERS: &[char] = &['件', '人', '名', '通', '枚', '台', '冊', '社'];

fn kanji_digit(c: char) -> Option<u64> {
    Some(match c {
        '〇' | '零' => 0,
        '一' | '壱' => 1,
        '二' | '弐' => 2,
        '三' | '参' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

fn big_unit(c: char) -> Option<u64> {
    Some(match c {
        '万' => 10_000,
        '億' => 100_000_000,
        '兆' => 1_000_000_000_000,
        _ => return None,
    })
}

fn ascii_digit(c: char) -> Option<u64> {
    match c {
        '0'..='9' => Some(u64::from(c) - u64::from('0')),
        '０'..='９' => Some(u64::from(c) - u64::from('０')),
        _ => None,
    }
}

/// Reads a number at the start of `text`; returns it and the number of bytes read. Commas are
/// accepted only between groups of three digits, so `1,2` stops after `1`.
pub fn read_number(text: &str) -> Option<(u64, usize)> {
    let mut total: u64 = 0; // completed 万/億 groups
    let mut section: u64 = 0; // below 万: completed 十/百/千 parts
    let mut current: Option<u64> = None; // digits being read
    let mut read = 0;
    let mut any = false;
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if let Some(d) = ascii_digit(c).or_else(|| kanji_digit(c)) {
            current = Some(current.unwrap_or(0).checked_mul(10)?.checked_add(d)?);
        } else if matches!(c, ',' | '，') && current.is_some() {
            // A thousands separator only when exactly three digits follow.
            let rest = text.get(i + c.len_utf8()..)?;
            let three = rest.chars().take(3).filter(|c| ascii_digit(*c).is_some()).count() == 3;
            let fourth = rest.chars().nth(3).is_some_and(|c| ascii_digit(c).is_some());
            if !three || fourth {
                break;
            }
        } else if let Some(u) = small_unit(c) {
            section = section.checked_add(current.unwrap_or(1).checked_mul(u)?)?;
            current = None;
        } else if let Some(u) = big_unit(c) {
            if !any {
                return None;
            }
            let group = section.checked_add(current.unwrap_or(0))?;
            if group == 0 {
                return None;
            }
            total = total.checked_add(group.checked_mul(u)?)?;
            section = 0;
            current = None;
        } else {
            break;
        }
        any = true;
        read = i + c.len_utf8();
        chars.next();
    }
    any.then_some(())?;
    Some((total.checked_add(section)?.checked_add(current.unwrap_or(0))?, read))
}

/// Parses a whole text as a number: `18,950`, `一万八千九百五十`, `2万3,435`, `４０万`.
///
/// ```
/// assert_eq!(todoke_ja::parse_number("一万八千九百五十"), Some(18950));
/// assert_eq!(todoke_ja::parse_number("2万3,435"), Some(23435));
/// ```
pub fn parse_number(text: &str) -> Option<u64> {
    let text = text.trim();
    let (n, len) = read_number(text)?;
    (len == text.len()).then_some(n)
}

const APPROX_BEFORE: &[&str] = &["約", "およそ", "概ね", "おおよそ", "最大"];
const APPROX_AFTER: &[&str] = &["程度", "前後", "余り", "超", "以上", "強", "弱"];

/// Parses a whole text as a count: `約1,450件`, `2万3,435人`, `一万八千九百五十件`.
pub fn parse_count(text: &str) -> Option<Count> {
    let text = text.trim();
    let m = find_counts(text).into_iter().next()?;
    (m.start == 0 && m.end == text.len()).then_some(m.count)
}

/// Every count (a number followed by a counter of [`COUNTERS`]) in running text. A number glued to
/// a preceding digit-like character or a date (`5月`, `第2報`) is not a count.
pub fn find_counts(text: &str) -> Vec<CountMention> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let Some(rest) = text.get(i..) else { break };
        let Some(c) = rest.chars().next() else { break };
        let starts_number = ascii_digit(c).is_some() || kanji_digit(c).is_some() || small_unit(c).is_some();
        let prev = text.get(..i).and_then(|s| s.chars().next_back());
        let glued = prev.is_some_and(|p| ascii_digit(p).is_some() || p == ',' || p == '.' || p == '第');
        if starts_number
            && !glued
            && let Some((value, len)) = read_number(rest)
            && let Some(after) = rest.get(len..)
        {
            let after_trim = after.trim_start_matches(' ');
            let space = after.len() - after_trim.len();
            if let Some(unit) = after_trim.chars().next().filter(|u| COUNTERS.contains(u)) {
                let mut start = i;
                let mut approximate = false;
                let before = text.get(..i).unwrap_or_default().trim_end_matches(' ');
                for p in APPROX_BEFORE {
                    if before.ends_with(p) {
                        start = before.len() - p.len();
                        approximate = true;
                        break;
                    }
                }
                let mut end = i + len + space + unit.len_utf8();
                let tail = text.get(end..).unwrap_or_default();
                for p in APPROX_AFTER {
                    if tail.starts_with(p) {
                        end += p.len();
                        approximate = true;
                        break;
                    }
                }
                // 一 standing alone is a word (一部, 一度) far more often than the number one.
                let only_kanji_one = rest.get(..len).is_some_and(|s| s == "一");
                if !only_kanji_one {
                    found.push(CountMention { start, end, count: Count { value, unit, approximate } });
                }
                i = end;
                continue;
            }
            i += len.max(1);
            continue;
        }
        i += c.len_utf8();
    }
    found
}

/// Writes a number with thousands commas, the way notices do (`18,950`).
pub fn format_number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_in_every_common_spelling() {
        for (text, want) in [
            ("18,950", 18950),
            ("18950", 18950),
            ("１８，９５０", 18950),
            ("一万八千九百五十", 18950),
            ("2万3,435", 23435),
            ("40万", 400_000),
            ("二〇二四", 2024),
            ("十", 10),
            ("百二十一", 121),
            ("1,234,567", 1_234_567),
            ("3億", 300_000_000),
        ] {
            assert_eq!(parse_number(text), Some(want), "{text}");
        }
        for text in ["", "万", "1,2", "12,34", "件"] {
            assert_eq!(parse_number(text), None, "{text}");
        }
    }

    #[test]
    fn counts_with_units_and_approximation() {
        assert_eq!(parse_count("約1,450件"), Some(Count { value: 1450, unit: '件', approximate: true }));
        assert_eq!(parse_count("2万3,435人"), Some(Count { value: 23435, unit: '人', approximate: false }));
        assert_eq!(parse_count("一万八千九百五十件"), Some(Count { value: 18950, unit: '件', approximate: false }));
        assert_eq!(parse_count("1,249名"), Some(Count { value: 1249, unit: '名', approximate: false }));
        assert_eq!(parse_count("500名程度").map(|c| c.approximate), Some(true));
    }

    #[test]
    fn counts_in_running_text() {
        let text = "患者様2,013件分の情報、第2報、5月21日、一部の方、計 35 名";
        let found: Vec<_> = find_counts(text).iter().map(|m| (m.count.value, m.count.unit)).collect();
        assert_eq!(found, [(2013, '件'), (35, '名')]);
    }

    proptest! {
        #[test]
        fn formatted_numbers_read_back(n in 0u64..10_000_000_000) {
            prop_assert_eq!(parse_number(&format_number(n)), Some(n));
            prop_assert_eq!(parse_number(&n.to_string()), Some(n));
        }
    }
}
