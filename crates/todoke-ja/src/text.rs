//! General text normalization: width (full-width ASCII, half-width kana, the ideographic space),
//! NFKC for comparison, and kana folding. Every function here is idempotent: normalizing twice is
//! normalizing once, so stored normalized text can be normalized again without drift.

use crate::name::fold_variant_kanji;
use unicode_normalization::UnicodeNormalization;

/// Full-width ASCII (U+FF01..U+FF5E) lies 0xFEE0 above ASCII.
const FULLWIDTH_OFFSET: u32 = 0xFEE0;

fn is_halfwidth_kana(c: char) -> bool {
    ('\u{FF61}'..='\u{FF9F}').contains(&c)
}

/// Folds only the width of characters: full-width letters, digits and signs become ASCII, the
/// ideographic space becomes a space, and half-width katakana become full-width (with ﾞ and ﾟ
/// joined to the kana before them). Everything else — kanji, circled numbers, `～` — is kept, so a
/// reader can still see the document's own marks; use [`normalize_text`] for comparison.
///
/// ```
/// assert_eq!(todoke_ja::normalize_width("１８，９５０件　ｶﾞｯｺｳ"), "18,950件 ガッコウ");
/// ```
pub fn normalize_width(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut kana = String::new();
    for c in text.chars() {
        if is_halfwidth_kana(c) {
            kana.push(c);
            continue;
        }
        if !kana.is_empty() {
            // NFKC turns half-width kana into full-width and composes the voiced marks.
            out.extend(kana.nfkc());
            kana.clear();
        }
        out.push(fold_width_char(c));
    }
    if !kana.is_empty() {
        out.extend(kana.nfkc());
    }
    out
}

/// One character's width fold (full-width ASCII and the ideographic space; kana are done in runs).
pub fn fold_width_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' if c != '\u{FF5E}' => char::from_u32(c as u32 - FULLWIDTH_OFFSET).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// One half-width katakana as a full-width character, joined with the voiced mark (ﾞ or ﾟ) that
/// follows it when the two make one kana; the flag says whether the mark was used. For readers that
/// fold text one character at a time and keep offsets.
pub fn fold_halfwidth_kana(c: char, mark: Option<char>) -> (char, bool) {
    let single = |c: char| c.to_string().nfkc().next().unwrap_or(c);
    if let Some(m) = mark {
        let pair: String = [c, m].iter().collect::<String>().nfkc().collect();
        let mut chars = pair.chars();
        if let (Some(joined), None) = (chars.next(), chars.next()) {
            return (joined, true);
        }
    }
    (single(c), false)
}

/// The form of general text used for comparison and search: NFKC, variant kanji folded, every run
/// of whitespace one ASCII space, no leading or trailing space. Kana are kept as written (see
/// [`fold_kana`] to unify them).
///
/// ```
/// assert_eq!(todoke_ja::normalize_text("  ＡＢＣ　株式会社\n髙島屋 "), "ABC 株式会社 高島屋");
/// ```
pub fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfkc().map(fold_variant_kanji) {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Katakana folded to hiragana (ァ..ヶ and the iteration marks ヽヾ); other characters unchanged.
///
/// ```
/// assert_eq!(todoke_ja::fold_kana("ヤマダ タロウ"), "やまだ たろう");
/// ```
pub fn fold_kana(text: &str) -> String {
    text.chars().map(katakana_to_hiragana).collect()
}

/// Hiragana raised to katakana (ぁ..ゖ and ゝゞ); other characters unchanged.
pub fn to_katakana(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Katakana ァ..ヶ (U+30A1..U+30F6) and ヽヾ lie 0x60 above their hiragana.
pub(crate) fn katakana_to_hiragana(c: char) -> char {
    match c {
        '\u{30A1}'..='\u{30F6}' | '\u{30FD}' | '\u{30FE}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn width_folds_ascii_space_and_half_width_kana() {
        assert_eq!(normalize_width("ＡＢＣ１２３"), "ABC123");
        assert_eq!(normalize_width("ﾃﾞｰﾀ ﾊﾟｿｺﾝ"), "データ パソコン");
        assert_eq!(normalize_width("令和６年１月２９日（月）"), "令和6年1月29日(月)");
        // Marks a reader needs are kept.
        assert_eq!(normalize_width("①午前0時～8時"), "①午前0時～8時");
    }

    #[test]
    fn text_normalization_unifies_width_variants_and_spaces() {
        assert_eq!(normalize_text("ｶﾌﾞｼｷｶﾞｲｼｬ　渡邊\t商店"), "カブシキガイシャ 渡辺 商店");
        assert_eq!(normalize_text(""), "");
    }

    #[test]
    fn kana_fold_both_ways() {
        assert_eq!(fold_kana("カタカナとひらがな"), "かたかなとひらがな");
        assert_eq!(to_katakana("ひらがな"), "ヒラガナ");
        assert_eq!(fold_kana(&to_katakana("ゔぁいおりん")), "ゔぁいおりん");
    }

    proptest! {
        #[test]
        fn normalizing_twice_is_normalizing_once(s in "\\PC{0,40}") {
            let once = normalize_text(&s);
            prop_assert_eq!(normalize_text(&once), once);
            let w = normalize_width(&s);
            prop_assert_eq!(normalize_width(&w), w);
            let k = fold_kana(&s);
            prop_assert_eq!(fold_kana(&k), k);
        }

        #[test]
        fn japanese_text_normalizes_idempotently(s in "[ぁ-ゖァ-ヶｦ-ﾟ０-９Ａ-Ｚ　 髙﨑邊一-龥]{0,30}") {
            let once = normalize_text(&s);
            prop_assert_eq!(normalize_text(&once), once);
            let w = normalize_width(&s);
            prop_assert_eq!(normalize_width(&w), w);
        }
    }
}
