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
    let t = nfkc(text);
    let t = t.trim();
    let Some((local, domain)) = t.split_once('@') else { return false };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
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

/// What people write when they do not know an address: all shorter than the five characters an
/// address needs, so the length rule refuses them (kept for the test that says so).
#[cfg(test)]
const PLACEHOLDERS: [&str; 9] = ["不明", "不詳", "なし", "無し", "未記入", "未登録", "-", "ー", "―"];

/// Whether an address is enough to send a letter to: not empty, not a placeholder, and at least a
/// few characters long (a prefecture alone is not an address).
pub fn usable_address(text: &str) -> bool {
    let t = text.trim();
    // Five characters suffice, and no placeholder is that long (a test checks): stop counting there.
    t.chars().filter(|c| !c.is_whitespace()).take(5).count() >= 5
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
