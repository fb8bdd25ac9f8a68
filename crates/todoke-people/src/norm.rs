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

/// In the table: the character stays as it is (most ideographs).
const SAME: u32 = 0;
/// In the table: this character is removed (whitespace).
const REMOVE: u32 = 1;
/// In the table: the general function must see the whole text.
const SLOW: u32 = 2;
// Any other entry is the character the table maps to, as UTF-8 packed by [`pack`]: never 0, 1 or
// 2, as its length is in the top byte.

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

/// A character as a table entry: its UTF-8 bytes from the lowest byte up, its length on top.
fn pack(c: char) -> u32 {
    let mut utf8 = [0u8; 4];
    let bytes = c.encode_utf8(&mut utf8).as_bytes();
    let len = bytes.len() as u32;
    bytes.iter().rev().fold(0, |packed, b| (packed << 8) | u32::from(*b)) | (len << 24)
}

/// Characters per page of the table.
const PAGE: usize = 64;

/// What the name normalization does to each character of the Basic Multilingual Plane, as a
/// two-level table: a page number per 64 characters, and the pages, each stored once. Nearly all
/// ideographs stay as they are, so their pages are one page of [`SAME`]: the table takes about
/// 16 KB (it stays in the cache) where a flat one for the blocks takes over 100 KB (a cache miss
/// for about every kanji of a name). Entries hold the UTF-8 of what they map to, ready to copy.
struct NameTable {
    index: Vec<u16>,
    pages: Vec<u32>,
    /// Half-width kana (U+FF61..U+FF9D) followed by ﾞ or ﾟ: the one character they make.
    voiced: Vec<u32>,
}

const HALF_KANA: std::ops::RangeInclusive<u32> = 0xFF61..=0xFF9D;

fn name_table() -> &'static NameTable {
    static TABLE: OnceLock<NameTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        // What a single character becomes, as a table entry.
        let entry = |cp: u32| -> u32 {
            let Some(c) = char::from_u32(cp) else { return SLOW };
            if !in_blocks(cp) || composes(cp) {
                return SLOW;
            }
            let mut buf = [0u8; 4];
            let norm = todoke_ja::normalize_name(c.encode_utf8(&mut buf));
            let mut chars = norm.chars();
            match (chars.next(), chars.next()) {
                (None, _) => REMOVE,
                (Some(one), None) if one == c => SAME,
                // A result that is itself a plain starter of these blocks (or printable ASCII)
                // cannot compose with what comes before or after it.
                (Some(one), None)
                    if (0x21..0x7F).contains(&(one as u32)) || (in_blocks(one as u32) && !composes(one as u32)) =>
                {
                    pack(one)
                }
                _ => SLOW,
            }
        };
        let pair = |base: u32, mark: u32| -> u32 {
            let (Some(b), Some(m)) = (char::from_u32(base), char::from_u32(mark)) else { return SLOW };
            let norm = todoke_ja::normalize_name(&[b, m].iter().collect::<String>());
            let mut chars = norm.chars();
            match (chars.next(), chars.next()) {
                (Some(one), None) if in_blocks(one as u32) && !composes(one as u32) => pack(one),
                _ => SLOW,
            }
        };
        // The pages are made on every core (the general function is called some 30,000 times,
        // while the workers wait for the table), on threads of their own (not a pool's, which
        // might be waiting for this very table), then stored once each.
        let page = |p: u32| -> Vec<u32> { (p * PAGE as u32..(p + 1) * PAGE as u32).map(entry).collect() };
        let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get) as u32;
        let all: Vec<Vec<u32>> = std::thread::scope(|scope| {
            let pages = 0x10000 / PAGE as u32;
            let handles: Vec<_> = (0..threads)
                .map(|t| scope.spawn(move || (0..pages).filter(|p| p % threads == t).map(page).collect::<Vec<_>>()))
                .collect();
            let mut parts: Vec<std::vec::IntoIter<Vec<u32>>> =
                handles.into_iter().map(|h| h.join().unwrap_or_default().into_iter()).collect();
            // Back in order: page p was made by thread p % threads. (A page missing, were a
            // thread to fail, sends its characters to the general function.)
            (0..pages)
                .map(|p| {
                    let made = parts.get_mut((p % threads) as usize).and_then(Iterator::next);
                    made.filter(|page| page.len() == PAGE).unwrap_or_else(|| vec![SLOW; PAGE])
                })
                .collect()
        });
        let mut index = Vec::with_capacity(0x10000 / PAGE);
        let mut pages: Vec<u32> = Vec::new();
        let mut seen: std::collections::HashMap<Vec<u32>, u16> = std::collections::HashMap::new();
        for page in all {
            let at = *seen.entry(page).or_insert_with_key(|page| {
                pages.extend_from_slice(page);
                u16::try_from(pages.len() / PAGE - 1).unwrap_or(0)
            });
            index.push(at);
        }
        NameTable { index, pages, voiced: HALF_KANA.flat_map(|b| [pair(b, 0xFF9E), pair(b, 0xFF9F)]).collect() }
    })
}

/// What the table says of a character of the Basic Multilingual Plane.
fn name_entry(table: &NameTable, cp: u32) -> u32 {
    let page = table.index.get((cp as usize) / PAGE).copied().unwrap_or(0);
    table.pages.get(usize::from(page) * PAGE + (cp as usize) % PAGE).copied().unwrap_or(SLOW)
}

/// The character at byte `i` of `b` (valid UTF-8, `b[i]` a non-ASCII lead byte) if it is in the
/// Basic Multilingual Plane, with its length in bytes.
fn decode_bmp(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let cont = |k: usize| b.get(i + k).map_or(0, |c| u32::from(c & 0x3F));
    let lead = u32::from(*b.get(i)?);
    match lead {
        0xC0..=0xDF => Some((((lead & 0x1F) << 6) | cont(1), 2)),
        0xE0..=0xEF => Some((((lead & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)),
        _ => None,
    }
}

/// Writes [`todoke_ja::normalize_name`] of `name` into `out` (cleared first), as UTF-8 bytes.
/// Works on the bytes: a character that stays as it is (most kanji) is copied, not re-encoded,
/// and one the table maps is copied from the table.
pub(crate) fn name_into(name: &str, out: &mut Vec<u8>) {
    out.clear();
    let table = name_table();
    let b = name.as_bytes();
    let slow = |out: &mut Vec<u8>| {
        out.clear();
        out.extend_from_slice(todoke_ja::normalize_name(name).as_bytes());
    };
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c < 0x80 {
            // ASCII is its own NFKC; only its whitespace goes. A following combining mark would
            // compose with it, but such a mark sends the whole text to the general function.
            if !matches!(c, b'\t'..=b'\r' | b' ') {
                out.push(c);
            }
            i += 1;
            continue;
        }
        // Every character of the blocks takes three bytes; any other goes to the general function.
        let Some(&[c0, c1, c2]) = b.get(i..i + 3) else { return slow(out) };
        if c0 & 0xF0 != 0xE0 {
            return slow(out);
        }
        let cp = (u32::from(c0 & 0x0F) << 12) | (u32::from(c1 & 0x3F) << 6) | u32::from(c2 & 0x3F);
        i += 3;
        let entry = if HALF_KANA.contains(&cp)
            && let Some(&[0xEF, 0xBE, m @ (0x9E | 0x9F)]) = b.get(i..i + 3)
        {
            // A half-width kana with its voiced mark (ﾀﾞ, ﾊﾟ) makes one character.
            i += 3;
            let at = (cp - HALF_KANA.start()) as usize * 2 + usize::from(m == 0x9F);
            table.voiced.get(at).copied().unwrap_or(SLOW)
        } else {
            name_entry(table, cp)
        };
        match entry {
            SAME => out.extend_from_slice(&[c0, c1, c2]),
            REMOVE => {}
            SLOW => return slow(out),
            packed => {
                let [x, y, z, len] = packed.to_le_bytes();
                if len == 1 {
                    out.push(x);
                } else {
                    out.extend_from_slice(&[x, y, z]);
                }
            }
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
    // The usual forms in one pass; anything else the general way.
    if let Some(date) = parse_plain(text.as_bytes()) {
        return date;
    }
    // Printable ASCII without spaces is already folded.
    if text.bytes().all(|b| matches!(b, 0x21..=0x7E)) {
        return parse_folded(text);
    }
    let mut buf = [0u8; 64];
    match fold_date(text, &mut buf).and_then(|n| std::str::from_utf8(buf.get(..n)?).ok()) {
        Some(folded) => parse_folded(folded),
        None => todoke_ja::parse_date(text),
    }
}

/// The date of the usual forms of a date, read in one pass over the characters the way
/// [`todoke_ja::parse_date`] reads them: `N<sep>N<sep>N` (`1970-03-01`, `1970/3/1`), the same after
/// an era's letter or kanji (`S45.3.1`, `昭45.3.1`, `昭和45年3月1日`, `令和元年5月1日`), eight digits
/// (`19700301`), full-width digits and separators included. `None` for any other text (not: no
/// date), which then goes the general way.
fn parse_plain(b: &[u8]) -> Option<Option<Date>> {
    // The characters, with what NFKC folds to ASCII among those these forms use (full-width
    // digits and `－．／`) folded; any character beyond the Basic Multilingual Plane, or more
    // characters than a date has, go the general way.
    let mut chars = [0u32; 16];
    let mut n = 0;
    let mut i = 0;
    while let Some(&byte) = b.get(i) {
        let cp = if byte < 0x80 {
            i += 1;
            u32::from(byte)
        } else {
            let (cp, len) = decode_bmp(b, i)?;
            i += len;
            if (0xFF0D..=0xFF19).contains(&cp) { cp - 0xFEE0 } else { cp }
        };
        *chars.get_mut(n)? = cp;
        n += 1;
    }
    let chars = chars.get(..n)?;
    let digit = |k: usize| chars.get(k).filter(|c| (0x30..=0x39).contains(*c)).map(|c| (c - 0x30) as i32);
    let (era, mut k) = match *chars.first()? {
        c if c < 0x80 && (c as u8).is_ascii_alphabetic() => {
            let letter = char::from((c as u8).to_ascii_uppercase());
            (Some(Era::ALL.into_iter().find(|e| e.letter() == letter)?), 1)
        }
        // The era's name, or its first kanji alone.
        c if c >= 0x4E00 => {
            let (era, second) = era_kanji(c)?;
            (Some(era), if chars.get(1) == Some(&second) { 2 } else { 1 })
        }
        _ => (None, 0),
    };
    if era.is_none() && n == 8 && (0..8).all(|k| digit(k).is_some()) {
        let num = |r: std::ops::Range<usize>| r.map(digit).try_fold(0, |a, d| Some(a * 10 + d?));
        return Some(gregorian_date(num(0..4)?, num(4..6)?, num(6..8)?));
    }
    // A number of one to four digits (or 元, the first year of an era) from `k`.
    let number = |k: &mut usize, first_year: bool| -> Option<i32> {
        if first_year && chars.get(*k) == Some(&u32::from('元')) {
            *k += 1;
            return Some(1);
        }
        let start = *k;
        let mut value = 0;
        while let Some(d) = digit(*k) {
            if *k - start == 4 {
                return None;
            }
            value = value * 10 + d;
            *k += 1;
        }
        (*k > start).then_some(value)
    };
    let year = number(&mut k, era.is_some())?;
    let sep = *chars.get(k)?;
    k += 1;
    let month = number(&mut k, false)?;
    let sep2 = *chars.get(k)?;
    k += 1;
    let day = number(&mut k, false)?;
    // `年` and `月` (and maybe `日`), or twice the same of `.`, `/` and `-`.
    let kanji = sep == u32::from('年') && sep2 == u32::from('月');
    let same = sep == sep2 && matches!(char::from_u32(sep), Some('.' | '/' | '-'));
    if kanji && chars.get(k) == Some(&u32::from('日')) {
        k += 1;
    }
    if k != n || !(kanji || same) {
        return None;
    }
    Some(match era {
        Some(era) => era_date(era, year, month, day),
        None if (1000..=9999).contains(&year) => gregorian_date(year, month, day),
        None => None,
    })
}

/// The era whose name starts with the kanji `c`, and the name's second kanji.
fn era_kanji(c: u32) -> Option<(Era, u32)> {
    Era::ALL.into_iter().find_map(|era| {
        let mut name = era.kanji().chars().map(u32::from);
        (name.next() == Some(c)).then(|| (era, name.next().unwrap_or(0)))
    })
}

fn gregorian_date(year: i32, month: i32, day: i32) -> Option<Date> {
    Date::new(year.try_into().ok()?, month.try_into().ok()?, day.try_into().ok()?).ok()
}

/// Day `day` of month `month` of year `year` of `era`, if that day is in the era.
fn era_date(era: Era, year: i32, month: i32, day: i32) -> Option<Date> {
    let day =
        Date::new(era.gregorian_year(i16::try_from(year).ok()?), month.try_into().ok()?, day.try_into().ok()?).ok()?;
    // Within the era: from its first day to the day before the next one's (its last day).
    let next = Era::ALL.into_iter().skip_while(|e| *e != era).nth(1);
    let in_era = era.first_day() <= day && next.is_none_or(|next| day < next.first_day());
    in_era.then_some(day)
}

/// The era at the start of folded text: its name, its first kanji, or its letter.
fn strip_era(text: &str) -> Option<(Era, &str)> {
    let first = *text.as_bytes().first()?;
    if first.is_ascii() {
        // No era's kanji starts with an ASCII byte: only a letter can match (and none matches a
        // digit, the start of most dates).
        if !first.is_ascii_alphabetic() {
            return None;
        }
        let letter = char::from(first.to_ascii_uppercase());
        return Era::ALL.into_iter().find(|e| e.letter() == letter).map(|e| (e, text.get(1..).unwrap_or("")));
    }
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
        return era_date(era, year, month, day);
    }
    let b = text.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        let n = |r: std::ops::Range<usize>| b.get(r).map(|d| d.iter().fold(0i32, |a, x| a * 10 + i32::from(x - b'0')));
        return gregorian_date(n(0..4)?, n(4..6)?, n(6..8)?);
    }
    let [year, month, day] = three_numbers(text, false)?;
    if !(1000..=9999).contains(&year) {
        return None;
    }
    gregorian_date(year, month, day)
}

fn three_numbers(text: &str, era_year: bool) -> Option<[i32; 3]> {
    if text.is_ascii() {
        // No 元, 年, 月 or 日 in ASCII.
        return ascii_three_numbers(text.as_bytes());
    }
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

/// [`three_numbers`] of ASCII text, in one pass: `N<sep>N<sep>N`, numbers of one to four digits
/// and both separators the same `.`, `/` or `-`.
fn ascii_three_numbers(text: &[u8]) -> Option<[i32; 3]> {
    let mut numbers = [0i32; 3];
    let (mut k, mut digits, mut sep) = (0, 0, None);
    for &c in text {
        if c.is_ascii_digit() {
            digits += 1;
            let n = numbers.get_mut(k)?;
            *n = *n * 10 + i32::from(c - b'0');
        } else if matches!(c, b'.' | b'/' | b'-') && digits > 0 && sep.is_none_or(|s| s == c) {
            sep = Some(c);
            k += 1;
            digits = 0;
        } else {
            return None;
        }
        if digits > 4 {
            return None;
        }
    }
    (k == 2 && digits > 0).then_some(numbers)
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
    let b = text.as_bytes();
    let mut n = 0;
    let mut i = 0;
    // Byte by byte for ASCII (most of it), character by character for the rest.
    while let Some(&c) = b.get(i) {
        let d = if c < 0x80 {
            i += 1;
            match c {
                b'0'..=b'9' => c,
                b'+' if phone => b'+',
                b'(' | b')' | b'.' if phone => continue,
                b'\t'..=b'\r' | b' ' | b'-' => continue,
                _ => return None,
            }
        } else {
            let (cp, len) = decode_bmp(b, i)?;
            i += len;
            match cp {
                // Full-width digits.
                0xFF10..=0xFF19 => (cp - 0xFEE0) as u8,
                0xFF0B if phone => b'+',                       // ＋
                0xFF08 | 0xFF09 | 0xFF0E if phone => continue, // （ ） ．
                0x3012 if !phone => continue,                  // 〒
                0x3000 => continue,                            // ideographic space
                // ‐ ‑ ‒ – — ― − ー ｰ －
                0x2010..=0x2015 | 0x2212 | 0x30FC | 0xFF70 | 0xFF0D => continue,
                _ => return None,
            }
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
        // The whole Basic Multilingual Plane (the table's pages) and a few characters beyond it.
        let blocks = [0x00..=0xFFFF, 0x1F600..=0x1F64F, 0x20000..=0x2000F];
        for cp in blocks.into_iter().flatten() {
            let Some(c) = char::from_u32(cp) else { continue };
            let s = c.to_string();
            let mut fast = Vec::new();
            name_into(&s, &mut fast);
            assert_eq!(fast, todoke_ja::normalize_name(&s).as_bytes(), "U+{cp:04X}");
        }
    }

    #[test]
    fn pairs_normalize_as_the_general_function_does() {
        let mut sample: Vec<char> = (0x20..0x7F).filter_map(char::from_u32).collect();
        sample.extend((0x3000..=0x30FF).filter_map(char::from_u32));
        sample.extend((0xFF01..=0xFF9F).filter_map(char::from_u32));
        sample.extend("髙橋高﨑崎邊辺邉渡山田花子一郎々〆\u{301}\u{3099}".chars());
        // Triples for the voiced half-width kana: kana, mark, anything.
        let mut fast = Vec::new();
        for base in HALF_KANA.filter_map(char::from_u32) {
            for mark in ['\u{FF9E}', '\u{FF9F}'] {
                for c in &sample {
                    for s in [[base, mark, *c].iter().collect::<String>(), [*c, base, mark].iter().collect()] {
                        name_into(&s, &mut fast);
                        assert_eq!(fast, todoke_ja::normalize_name(&s).as_bytes(), "{s:?}");
                    }
                }
            }
        }
        let mut fast = Vec::new();
        for a in &sample {
            for b in &sample {
                let s: String = [*a, *b].iter().collect();
                name_into(&s, &mut fast);
                assert_eq!(fast, todoke_ja::normalize_name(&s).as_bytes(), "{:04X} {:04X}", *a as u32, *b as u32);
            }
        }
    }

    const DATE_PIECES: [&str; 34] = [
        "1", "2", "0", "9", "3", "12", "1970", "４", "５", "．", ".", "/", "-", "／", "－", "年", "月", "日", "元",
        "S", "s", "Ｓ", "H", "R", "M", "昭", "和", "平", "成", "令", " ", "　", "大正", "ｰ",
    ];

    /// More pieces for postal codes and phone numbers (and characters none of the quick ways know).
    const CONTACT_PIECES: [&str; 16] =
        ["+", "＋", "(", "）", "〒", "ー", "—", "−", "\t", "\u{b}", "x", "é", "𠮷", "0312", "5678", "81"];

    fn piece(i: usize) -> &'static str {
        DATE_PIECES.get(i).or_else(|| CONTACT_PIECES.get(i - DATE_PIECES.len())).copied().unwrap_or("")
    }

    proptest! {
        #[test]
        fn dates_parse_as_the_general_function_does(pieces in prop::collection::vec(0..DATE_PIECES.len() + CONTACT_PIECES.len(), 0..12)) {
            let text: String = pieces.iter().map(|i| piece(*i)).collect();
            prop_assert_eq!(parse_date(&text), todoke_ja::parse_date(&text), "{}", text);
        }

        #[test]
        fn contact_data_as_the_general_functions_do(pieces in prop::collection::vec(0..DATE_PIECES.len() + CONTACT_PIECES.len(), 0..14)) {
            let text: String = pieces.iter().map(|i| piece(*i)).collect();
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

    /// Every day from Meiji to a few years ahead, in the forms lists use (and full-width), parses
    /// as the general function parses it.
    #[test]
    fn usual_forms_of_every_day_parse_as_the_general_function_does() {
        let wide = |s: &str| -> String {
            s.chars()
                .map(|c| if c.is_ascii_graphic() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c })
                .collect()
        };
        let mut day = jiff::civil::date(1868, 1, 1);
        while day.year() < 2035 {
            let (y, m, d) = (day.year(), day.month(), day.day());
            let mut forms = vec![format!("{y}-{m:02}-{d:02}"), format!("{y}/{m}/{d}"), format!("{y}{m:02}{d:02}")];
            if let Some(era) = Era::of(day) {
                let n = y - era.first_day().year() + 1;
                let kanji = era.kanji();
                let first: String = kanji.chars().take(1).collect();
                let year = if n == 1 { "元".to_string() } else { n.to_string() };
                forms.extend([
                    format!("{}{n}.{m}.{d}", era.letter()),
                    format!("{}{n:02}/{m:02}/{d:02}", era.letter().to_ascii_lowercase()),
                    format!("{first}{n}.{m}.{d}"),
                    format!("{kanji}{year}年{m}月{d}日"),
                    format!("{kanji}{n}年{m}月{d}"),
                    format!("{first}{n}-{m}-{d}"),
                ]);
            }
            for form in forms.clone() {
                forms.push(wide(&form));
            }
            for form in &forms {
                assert_eq!(parse_date(form), todoke_ja::parse_date(form), "{form}");
            }
            day = day.tomorrow().unwrap();
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
