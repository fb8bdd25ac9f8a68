//! Fast paths for the normalizations of the identity rule, each giving exactly what the general
//! function gives ([`todoke_ja::normalize_name`], [`todoke_ja::parse_date`], the contact
//! functions) and falling back to it for any character outside the few blocks Japanese lists are
//! written in.
//!
//! Why it is exact: NFKC maps each character of those blocks on its own — they are all starters
//! (combining class 0) that never compose with a neighbour — so normalizing a text of them is
//! normalizing each character. The characters that do compose (the voiced marks U+3099..U+309C,
//! half-width ﾞ and ﾟ, combining accents) are left to the general function, which sees the whole
//! text. The per-character table is itself made by the general function, and tests compare the two
//! on every character of the table and on pairs of them.

use jiff::civil::Date;
use std::sync::OnceLock;
use todoke_ja::Era;

/// In the table: this character is removed (whitespace).
const REMOVE: u32 = 0;
/// In the table: the general function must see the whole text.
const SLOW: u32 = u32::MAX;

/// The blocks of the table: CJK symbols, kana and ideographs (with extension A), the
/// compatibility ideographs (﨑 …), and the half- and full-width forms.
const MAIN: std::ops::RangeInclusive<u32> = 0x3000..=0x9FFF;
const COMPAT: std::ops::RangeInclusive<u32> = 0xF900..=0xFAFF;
const FORMS: std::ops::RangeInclusive<u32> = 0xFF00..=0xFFEF;

fn in_blocks(cp: u32) -> bool {
    MAIN.contains(&cp) || COMPAT.contains(&cp) || FORMS.contains(&cp)
}

/// Composing, reordered, or decomposing into something that is: never in the fast path.
fn composes(c: u32) -> bool {
    use unicode_normalization::UnicodeNormalization as _;
    let Some(ch) = char::from_u32(c) else { return true };
    let ccc = unicode_normalization::char::canonical_combining_class;
    matches!(c, 0x3099..=0x309C | 0xFF9E | 0xFF9F)
        || ccc(ch) != 0
        || std::iter::once(ch).nfkd().next().is_none_or(|first| ccc(first) != 0)
}

struct NameTable {
    main: Vec<u32>,
    compat: Vec<u32>,
    forms: Vec<u32>,
    /// Half-width kana (U+FF61..U+FF9D) followed by ﾞ or ﾟ: the one character they make.
    voiced: Vec<u32>,
}

const HALF_KANA: std::ops::RangeInclusive<u32> = 0xFF61..=0xFF9D;

fn name_table() -> &'static NameTable {
    static TABLE: OnceLock<NameTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let entry = |cp: u32| -> u32 {
            let Some(c) = char::from_u32(cp) else { return SLOW };
            if composes(cp) {
                return SLOW;
            }
            let mut buf = [0u8; 4];
            let norm = todoke_ja::normalize_name(c.encode_utf8(&mut buf));
            let mut chars = norm.chars();
            match (chars.next(), chars.next()) {
                (None, _) => REMOVE,
                // A result that is itself a plain starter of these blocks (or printable ASCII)
                // cannot compose with what comes before or after it.
                (Some(one), None)
                    if (0x21..0x7F).contains(&(one as u32)) || (in_blocks(one as u32) && !composes(one as u32)) =>
                {
                    one as u32
                }
                _ => SLOW,
            }
        };
        let pair = |base: u32, mark: u32| -> u32 {
            let (Some(b), Some(m)) = (char::from_u32(base), char::from_u32(mark)) else { return SLOW };
            let norm = todoke_ja::normalize_name(&[b, m].iter().collect::<String>());
            let mut chars = norm.chars();
            match (chars.next(), chars.next()) {
                (Some(one), None) if in_blocks(one as u32) && !composes(one as u32) => one as u32,
                _ => SLOW,
            }
        };
        NameTable {
            main: MAIN.map(entry).collect(),
            compat: COMPAT.map(entry).collect(),
            forms: FORMS.map(entry).collect(),
            voiced: HALF_KANA.flat_map(|b| [pair(b, 0xFF9E), pair(b, 0xFF9F)]).collect(),
        }
    })
}

/// What the table says of a non-ASCII character.
fn name_entry(table: &NameTable, cp: u32) -> u32 {
    let at = |v: &[u32], base: u32| v.get((cp - base) as usize).copied().unwrap_or(SLOW);
    if MAIN.contains(&cp) {
        at(&table.main, *MAIN.start())
    } else if COMPAT.contains(&cp) {
        at(&table.compat, *COMPAT.start())
    } else if FORMS.contains(&cp) {
        at(&table.forms, *FORMS.start())
    } else {
        SLOW
    }
}

/// Writes [`todoke_ja::normalize_name`] of `name` into `out` (cleared first).
pub(crate) fn name_into(name: &str, out: &mut String) {
    out.clear();
    let table = name_table();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        let cp = c as u32;
        // A half-width kana with its voiced mark (ﾀﾞ, ﾊﾟ) makes one character.
        if HALF_KANA.contains(&cp)
            && let Some(&mark) = chars.peek()
            && matches!(mark, '\u{FF9E}' | '\u{FF9F}')
        {
            let at = (cp - HALF_KANA.start()) as usize * 2 + usize::from(mark == '\u{FF9F}');
            match table.voiced.get(at).copied().unwrap_or(SLOW) {
                SLOW => {
                    *out = todoke_ja::normalize_name(name);
                    return;
                }
                m => {
                    out.push(char::from_u32(m).unwrap_or(c));
                    chars.next();
                    continue;
                }
            }
        }
        if cp < 0x80 {
            // ASCII is its own NFKC; only its whitespace goes. A following combining mark would
            // compose with it, but such a mark sends the whole text to the general function.
            if !c.is_whitespace() {
                out.push(c);
            }
            continue;
        }
        match name_entry(table, cp) {
            REMOVE => {}
            SLOW => {
                *out = todoke_ja::normalize_name(name);
                return;
            }
            m => out.push(char::from_u32(m).unwrap_or(c)),
        }
    }
}

/// Folds a date's text the way [`todoke_ja::parse_date`] does (NFKC, whitespace removed) into
/// `buf`, for the characters dates are written with; `None` for any other character.
fn fold_date(text: &str, buf: &mut [u8; 64]) -> Option<usize> {
    let mut n = 0;
    let mut put = |s: &[u8]| -> Option<()> {
        buf.get_mut(n..n + s.len())?.copy_from_slice(s);
        n += s.len();
        Some(())
    };
    for c in text.chars() {
        let cp = c as u32;
        match cp {
            0x09..=0x0D | 0x20 | 0x3000 => {}
            0x21..=0x7E => put(&[cp as u8])?,
            // Full-width ASCII (not ～, whose NFKC is not ASCII's ~ in every version).
            0xFF01..=0xFF5D => put(&[(cp - 0xFEE0) as u8])?,
            _ => match c {
                '年' | '月' | '日' | '元' | '明' | '治' | '大' | '正' | '昭' | '和' | '平' | '成' | '令' =>
                {
                    let mut b = [0u8; 4];
                    put(c.encode_utf8(&mut b).as_bytes())?;
                }
                _ => return None,
            },
        }
    }
    Some(n)
}

/// [`todoke_ja::parse_date`], fast for the usual forms.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let mut buf = [0u8; 64];
    match fold_date(text, &mut buf).and_then(|n| std::str::from_utf8(buf.get(..n)?).ok()) {
        Some(folded) => parse_folded(folded),
        None => todoke_ja::parse_date(text),
    }
}

/// The era at the start of folded text: its name, its first kanji, or its letter.
fn strip_era(text: &str) -> Option<(Era, &str)> {
    for era in Era::ALL {
        let name = era.kanji();
        let first = name.chars().next().map_or(0, char::len_utf8);
        for prefix in [name, name.get(..first).unwrap_or(name)] {
            if let Some(rest) = text.strip_prefix(prefix) {
                return Some((era, rest));
            }
        }
        let mut chars = text.chars();
        if chars.next().is_some_and(|c| c.to_ascii_uppercase() == era.letter()) {
            return Some((era, chars.as_str()));
        }
    }
    None
}

/// The rules of [`todoke_ja::parse_date`] on text already folded.
fn parse_folded(text: &str) -> Option<Date> {
    if let Some((era, rest)) = strip_era(text) {
        let [year, month, day] = three_numbers(rest, true)?;
        let day =
            Date::new(era.gregorian_year(i16::try_from(year).ok()?), month.try_into().ok()?, day.try_into().ok()?)
                .ok()?;
        let in_era = era.first_day() <= day && era.last_day().is_none_or(|last| day <= last);
        return in_era.then_some(day);
    }
    let b = text.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        let n = |r: std::ops::Range<usize>| b.get(r).map(|d| d.iter().fold(0i32, |a, x| a * 10 + i32::from(x - b'0')));
        return Date::new(n(0..4)?.try_into().ok()?, n(4..6)?.try_into().ok()?, n(6..8)?.try_into().ok()?).ok();
    }
    let [year, month, day] = three_numbers(text, false)?;
    if !(1000..=9999).contains(&year) {
        return None;
    }
    Date::new(year.try_into().ok()?, month.try_into().ok()?, day.try_into().ok()?).ok()
}

fn three_numbers(text: &str, era_year: bool) -> Option<[i32; 3]> {
    let (year, rest) = match text.strip_prefix('元') {
        Some(rest) if era_year => (1, rest),
        _ => number(text)?,
    };
    let (sep, rest) = separator(rest)?;
    let (month, rest) = number(rest)?;
    let (sep2, rest) = separator(rest)?;
    let (day, rest) = number(rest)?;
    let kanji = sep == '年' && sep2 == '月';
    let same = sep == sep2 && matches!(sep, '.' | '/' | '-');
    let tail_ok = if kanji { rest.is_empty() || rest == "日" } else { rest.is_empty() };
    (tail_ok && (kanji || same)).then_some([year, month, day])
}

fn number(text: &str) -> Option<(i32, &str)> {
    let end = text.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(text.len());
    if end == 0 || end > 4 {
        return None;
    }
    let n = text.bytes().take(end).fold(0i32, |a, x| a * 10 + i32::from(x - b'0'));
    Some((n, text.get(end..)?))
}

fn separator(text: &str) -> Option<(char, &str)> {
    let c = text.chars().next()?;
    matches!(c, '年' | '月' | '.' | '/' | '-').then(|| (c, text.get(c.len_utf8()..).unwrap_or("")))
}

/// Digits of a postal code or phone number, with what [`crate::contact`] removes taken out;
/// `None` when a character needs NFKC's general rules (the caller then uses the general function).
/// `extra` keeps `+` (phones) and removes `(`, `)` and `.` (phones).
fn digits_into(text: &str, phone: bool, out: &mut [u8; 32]) -> Option<usize> {
    let mut n = 0;
    for c in text.chars() {
        let d = match c {
            '0'..='9' => c as u8,
            '０'..='９' => (c as u32 - 0xFEE0) as u8,
            '+' | '＋' if phone => b'+',
            '(' | ')' | '.' | '（' | '）' | '．' if phone => continue,
            '〒' if !phone => continue,
            '\t'..='\r' | ' ' | '\u{3000}' => continue,
            '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ' | '－' => continue,
            _ => return None,
        };
        *out.get_mut(n)? = d;
        n += 1;
    }
    Some(n)
}

/// A postal code as `NNN-NNNN` ([`crate::normalize_postal_code`]), without allocating.
pub(crate) fn postal(text: &str) -> Option<[u8; 8]> {
    let mut d = [0u8; 32];
    let digits = match digits_into(text, false, &mut d) {
        Some(n) => d.get(..n)?,
        None => {
            let s = crate::contact::normalize_postal_code(text)?;
            return s.as_bytes().try_into().ok();
        }
    };
    if digits.len() != 7 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = [b'-'; 8];
    out.get_mut(..3)?.copy_from_slice(digits.get(..3)?);
    out.get_mut(4..)?.copy_from_slice(digits.get(3..)?);
    Some(out)
}

/// A phone number as digits ([`crate::normalize_phone`]): the digits and their count.
pub(crate) fn phone(text: &str) -> Option<([u8; 11], u8)> {
    let mut d = [0u8; 32];
    let fast = digits_into(text, true, &mut d);
    let mut out = [0u8; 11];
    let pack = |s: &[u8], out: &mut [u8; 11]| -> Option<u8> {
        out.get_mut(..s.len())?.copy_from_slice(s);
        u8::try_from(s.len()).ok()
    };
    let len = match fast {
        None => pack(crate::contact::normalize_phone(text)?.as_bytes(), &mut out)?,
        Some(n) => {
            let t = d.get(..n)?;
            let mut buf = [0u8; 33];
            let t: &[u8] = match t.strip_prefix(b"+81") {
                Some(rest) => {
                    let rest = rest.get(rest.iter().take_while(|b| **b == b'0').count()..)?;
                    *buf.first_mut()? = b'0';
                    buf.get_mut(1..=rest.len())?.copy_from_slice(rest);
                    buf.get(..=rest.len())?
                }
                None => t,
            };
            let ok = (10..=11).contains(&t.len()) && t.first() == Some(&b'0') && t.iter().all(u8::is_ascii_digit);
            if !ok {
                return None;
            }
            pack(t, &mut out)?
        }
    };
    Some((out, len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_character_of_the_table_normalizes_as_the_general_function_does() {
        let blocks = [0x00..=0x7F, MAIN, COMPAT, FORMS];
        for cp in blocks.into_iter().flatten() {
            let Some(c) = char::from_u32(cp) else { continue };
            let s = c.to_string();
            let mut fast = String::new();
            name_into(&s, &mut fast);
            assert_eq!(fast, todoke_ja::normalize_name(&s), "U+{cp:04X}");
        }
    }

    #[test]
    fn pairs_normalize_as_the_general_function_does() {
        let mut sample: Vec<char> = (0x20..0x7F).filter_map(char::from_u32).collect();
        sample.extend((0x3000..=0x30FF).filter_map(char::from_u32));
        sample.extend((0xFF01..=0xFF9F).filter_map(char::from_u32));
        sample.extend("髙橋高﨑崎邊辺邉渡山田花子一郎々〆\u{301}\u{3099}".chars());
        // Triples for the voiced half-width kana: kana, mark, anything.
        let mut fast = String::new();
        for base in HALF_KANA.filter_map(char::from_u32) {
            for mark in ['\u{FF9E}', '\u{FF9F}'] {
                for c in &sample {
                    for s in [[base, mark, *c].iter().collect::<String>(), [*c, base, mark].iter().collect()] {
                        name_into(&s, &mut fast);
                        assert_eq!(fast, todoke_ja::normalize_name(&s), "{s:?}");
                    }
                }
            }
        }
        let mut fast = String::new();
        for a in &sample {
            for b in &sample {
                let s: String = [*a, *b].iter().collect();
                name_into(&s, &mut fast);
                assert_eq!(fast, todoke_ja::normalize_name(&s), "{:04X} {:04X}", *a as u32, *b as u32);
            }
        }
    }

    const DATE_PIECES: [&str; 34] = [
        "1", "2", "0", "9", "3", "12", "1970", "４", "５", "．", ".", "/", "-", "／", "－", "年", "月", "日", "元",
        "S", "s", "Ｓ", "H", "R", "M", "昭", "和", "平", "成", "令", " ", "　", "大正", "ｰ",
    ];

    proptest! {
        #[test]
        fn dates_parse_as_the_general_function_does(pieces in prop::collection::vec(0..DATE_PIECES.len(), 0..12)) {
            let text: String = pieces.iter().filter_map(|i| DATE_PIECES.get(*i).copied()).collect();
            prop_assert_eq!(parse_date(&text), todoke_ja::parse_date(&text), "{}", text);
        }

        #[test]
        fn contact_data_as_the_general_functions_do(pieces in prop::collection::vec(0..DATE_PIECES.len(), 0..14)) {
            let text: String = pieces.iter().filter_map(|i| DATE_PIECES.get(*i).copied()).collect();
            prop_assert_eq!(
                postal(&text).map(|p| String::from_utf8(p.to_vec()).unwrap()),
                crate::contact::normalize_postal_code(&text)
            );
            prop_assert_eq!(
                phone(&text).map(|(d, n)| String::from_utf8(d[..n as usize].to_vec()).unwrap()),
                crate::contact::normalize_phone(&text)
            );
        }
    }

    #[test]
    fn usual_dates_postal_codes_and_phones() {
        for (text, want) in [
            ("1970-03-01", "1970-03-01"),
            ("S45.3.1", "1970-03-01"),
            ("昭和45年3月1日", "1970-03-01"),
            ("Ｓ４５．３．１", "1970-03-01"),
            ("令和元年5月1日", "2019-05-01"),
            ("１９７６０８０３", "1976-08-03"),
        ] {
            assert_eq!(parse_date(text).map(|d| d.to_string()).as_deref(), Some(want), "{text}");
        }
        for t in ["344-0067", "〒344-0067", "３４４－００６７", "3440067", " 〒 344ー0067 ", "①②③-4567"]
        {
            assert_eq!(
                postal(t).map(|p| String::from_utf8(p.to_vec()).unwrap()),
                crate::contact::normalize_postal_code(t),
                "{t}"
            );
        }
        for t in
            ["03-1234-5678", "(048)736-1111", "０９０ １２３４ ５６７８", "+81 90-1234-5678", "+81 (0)90-1234-5678"]
        {
            assert_eq!(
                phone(t).map(|(d, n)| String::from_utf8(d[..n as usize].to_vec()).unwrap()),
                crate::contact::normalize_phone(t),
                "{t}"
            );
        }
    }
}
