//! Contact data: postal codes, phone numbers, e-mail addresses and addresses, each reduced to one
//! form and checked just enough to know whether a channel can use it.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// NFKC, skipped for ASCII (which it leaves as it is): most contact data is ASCII.
fn nfkc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() { Cow::Borrowed(text) } else { Cow::Owned(text.nfkc().collect()) }
}

/// Hyphens and dashes people type between digits (after NFKC), the long-vowel mark included:
/// `〒344ー0067` is common in hand-typed lists.
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ' | '－')
}

/// `〒344-0067`, `３４４－００６７`, `3440067` → `344-0067`; `None` when it is not seven digits.
pub fn normalize_postal_code(text: &str) -> Option<String> {
    let digits: String = nfkc(text).chars().filter(|c| !c.is_whitespace() && !is_dash(*c) && *c != '〒').collect();
    if digits.len() != 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("{}-{}", digits.get(..3)?, digits.get(3..)?))
}

/// `03-1234-5678`, `(048)736-1111`, `０９０ １２３４ ５６７８`, `+81 90-1234-5678` → digits only
/// (`0312345678`); `None` unless it is a Japanese number of 10 or 11 digits starting with 0.
pub fn normalize_phone(text: &str) -> Option<String> {
    let t: String =
        nfkc(text).chars().filter(|c| !c.is_whitespace() && !is_dash(*c) && !matches!(c, '(' | ')' | '.')).collect();
    let t = match t.strip_prefix("+81") {
        Some(rest) => format!("0{}", rest.trim_start_matches('0')),
        None => t,
    };
    let ok = (10..=11).contains(&t.len()) && t.starts_with('0') && t.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(t)
}

/// An address a letter can use (full-width ASCII folded, surrounding spaces removed, domain in
/// lower case), or `None` when its syntax is wrong.
///
/// The local part is checked loosely on purpose: Japanese mobile carriers long issued addresses
/// with consecutive dots or a dot before `@` (`taro..yamada.@docomo.ne.jp`), and they still
/// receive mail.
pub fn normalize_email(text: &str) -> Option<String> {
    let mut out = String::new();
    email_into(text, &mut out).then_some(out)
}

/// [`normalize_email`] into `out` (cleared first), without allocating when `out` has room.
pub(crate) fn email_into(text: &str, out: &mut String) -> bool {
    out.clear();
    if text.is_ascii() { ascii_email_into(text, out) } else { general_email_into(text, out) }
}

/// [`email_into`] for any text (`out` is empty).
fn general_email_into(text: &str, out: &mut String) -> bool {
    let t = nfkc(text);
    let t = t.trim();
    let Some((local, domain)) = t.split_once('@') else { return false };
    let local_ok = !local.is_empty() && local.len() <= 64 && local.bytes().all(local_byte);
    if !local_ok || !domain.is_ascii() {
        return false;
    }
    let domain_ok = domain.contains('.')
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && domain.rsplit('.').next().is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    if !domain_ok {
        return false;
    }
    out.push_str(local);
    out.push('@');
    out.extend(domain.chars().map(|c| c.to_ascii_lowercase()));
    true
}

/// Whether `b` may be in the local part: letters, digits and `!#$%&'*+/=?^_`{|}~.-` (the ranges
/// are `#$%&'`, `-./`, `` ^_` `` and `{|}~`).
const fn local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-'..=b'/' | b'=' | b'?' | b'^'..=b'`' | b'{'..=b'~')
}

/// [`local_byte`] as a bit per ASCII byte, for the one pass over an address.
const LOCAL_BYTES: u128 = {
    let mut bits = 0u128;
    let mut c = 0u8;
    while c < 128 {
        if local_byte(c) {
            bits |= 1 << c;
        }
        c += 1;
    }
    bits
};

/// [`email_into`] for ASCII text (most addresses), in one pass over the bytes with no searching
/// and splitting: ASCII is its own NFKC, and its whitespace is `\t`..`\r` and the space.
fn ascii_email_into(text: &str, out: &mut String) -> bool {
    let is_space = |b: &u8| matches!(b, b'\t'..=b'\r' | b' ');
    let b = text.as_bytes();
    let start = b.iter().position(|b| !is_space(b)).unwrap_or(b.len());
    let end = b.iter().rposition(|b| !is_space(b)).map_or(start, |e| e + 1);
    let t = text.get(start..end).unwrap_or_default();
    // The local part, up to the first `@`: a byte it may not hold fails the address whether an
    // `@` follows or not.
    let mut at = 0;
    loop {
        match t.as_bytes().get(at) {
            None => return false,
            Some(b'@') => break,
            Some(c) if (LOCAL_BYTES >> (c & 0x7F)) & 1 == 1 => at += 1,
            Some(_) => return false,
        }
    }
    if at == 0 || at > 64 {
        return false;
    }
    // The domain: labels between dots, each 1..=63 letters, digits or hyphens, not starting or
    // ending with a hyphen; at least two labels; the last (the top-level domain) of two letters
    // or more.
    let (mut labels, mut len, mut prev, mut letters) = (0, 0, b'.', true);
    for &c in t.as_bytes().get(at + 1..).unwrap_or_default() {
        if c == b'.' {
            if len == 0 || prev == b'-' {
                return false;
            }
            (labels, len, letters) = (labels + 1, 0, true);
        } else if c.is_ascii_alphanumeric() || (c == b'-' && len > 0) {
            len += 1;
            letters &= c.is_ascii_alphabetic();
            if len > 63 {
                return false;
            }
        } else {
            return false;
        }
        prev = c;
    }
    if len < 2 || prev == b'-' || !letters || labels < 1 {
        return false;
    }
    out.push_str(t);
    if let Some(d) = out.get_mut(at + 1..) {
        d.make_ascii_lowercase();
    }
    true
}

/// What people write when they do not know an address: all shorter than the five characters an
/// address needs, so the length rule refuses them (kept for the test that says so).
#[cfg(test)]
const PLACEHOLDERS: [&str; 9] = ["不明", "不詳", "なし", "無し", "未記入", "未登録", "-", "ー", "―"];

/// Whether an address is enough to send a letter to: not empty, not a placeholder, and at least a
/// few characters long (a prefecture alone is not an address).
pub fn usable_address(text: &str) -> bool {
    // Five characters suffice, and no placeholder is that long (a test checks): stop counting there.
    // (Trimming first would change nothing: only characters other than whitespace count.)
    let b = text.as_bytes();
    let (mut count, mut i) = (0, 0);
    while count < 5
        && let Some(&c) = b.get(i)
    {
        // Count characters by their first byte; only bytes that can start whitespace (ASCII
        // spaces and controls, C2 for U+0085 and U+00A0, E1/E2/E3 for U+1680, U+2000.., U+3000)
        // need the character decoded.
        let len = match c {
            0x00..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        let space = match c {
            0x00..=0x7F => matches!(c, b'\t'..=b'\r' | b' '),
            0xC2 | 0xE1 | 0xE2 | 0xE3 => text.get(i..).and_then(|s| s.chars().next()).is_some_and(char::is_whitespace),
            _ => false,
        };
        count += usize::from(!space);
        i += len;
    }
    count >= 5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes_in_every_spelling() {
        for t in ["344-0067", "〒344-0067", "３４４－００６７", "3440067", " 〒 344ー0067 ", "〒３４４０１６７"]
        {
            let want = if t.contains('１') { "344-0167" } else { "344-0067" };
            assert_eq!(normalize_postal_code(t).as_deref(), Some(want), "{t}");
        }
        for t in ["", "344", "344-006", "abc-defg", "344-00678"] {
            assert_eq!(normalize_postal_code(t), None, "{t}");
        }
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(normalize_phone("03-1234-5678").as_deref(), Some("0312345678"));
        assert_eq!(normalize_phone("(048)736-1111").as_deref(), Some("0487361111"));
        assert_eq!(normalize_phone("０９０ １２３４ ５６７８").as_deref(), Some("09012345678"));
        assert_eq!(normalize_phone("+81 90-1234-5678").as_deref(), Some("09012345678"));
        assert_eq!(normalize_phone("1234"), None);
        assert_eq!(normalize_phone("なし"), None);
    }

    #[test]
    fn email_syntax() {
        assert_eq!(normalize_email(" Taro@Example.JP ").as_deref(), Some("Taro@example.jp"));
        assert_eq!(normalize_email("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ").as_deref(), Some("taro@example.jp"));
        assert!(normalize_email("taro..yamada.@docomo.ne.jp").is_some(), "carrier addresses of old");
        for bad in
            ["", "taro", "taro@", "@example.jp", "taro@example", "ta ro@example.jp", "a@b@c.jp", "太郎@example.jp"]
        {
            assert_eq!(normalize_email(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        /// The one pass over ASCII addresses says what the general way says.
        #[test]
        fn ascii_addresses_as_the_general_way_reads_them(
            pieces in proptest::collection::vec(0..EMAIL_PIECES.len(), 0..14)
        ) {
            let text: String = pieces.iter().map(|i| EMAIL_PIECES[*i]).collect();
            let (mut fast, mut general) = (String::new(), String::new());
            let ok = ascii_email_into(&text, &mut fast);
            proptest::prop_assert_eq!(ok, general_email_into(&text, &mut general), "{:?}", text);
            if ok {
                proptest::prop_assert_eq!(fast, general, "{:?}", text);
            }
        }

        /// Counting up to five characters says what trimming and counting all of them says.
        #[test]
        fn usable_addresses_as_counting_all_characters_says(
            pieces in proptest::collection::vec(0..ADDRESS_PIECES.len(), 0..8)
        ) {
            let text: String = pieces.iter().map(|i| ADDRESS_PIECES[*i]).collect();
            let all = text.trim().chars().filter(|c| !c.is_whitespace()).count() >= 5;
            proptest::prop_assert_eq!(usable_address(&text), all, "{:?}", text);
        }
    }

    const EMAIL_PIECES: [&str; 24] = [
        "a", "Z", "0", "9", "taro", ".", "..", "@", "-", "_", "+", "!", "~", " ", "\t", "\u{b}", "example", "JP", "co",
        "x-y", "1a", "\"", ",", "(",
    ];

    const ADDRESS_PIECES: [&str; 14] = [
        "埼", "玉", "a", "1", " ", "\u{3000}", "\u{a0}", "\u{85}", "\u{1680}", "\u{2003}", "\u{205f}", "‐", "\t", "𠮷",
    ];

    #[test]
    fn placeholders_are_too_short_to_be_addresses() {
        assert!(PLACEHOLDERS.iter().all(|p| p.chars().count() < 5));
        assert!(PLACEHOLDERS.iter().all(|p| !usable_address(p)));
    }

    #[test]
    fn usable_addresses() {
        assert!(usable_address("埼玉県春日部市中央7-2-1"));
        assert!(!usable_address("不明"));
        assert!(!usable_address(" "));
        assert!(!usable_address("埼玉県"));
    }
}
