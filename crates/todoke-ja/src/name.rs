//! Name normalization for matching (CONTRACTS.md §3): NFKC, every kind of whitespace removed,
//! katakana folded to hiragana, variant kanji folded to their standard form.

use std::collections::HashMap;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// `variant<TAB>standard` lines; `#` starts a comment.
const ITAIJI_TSV: &str = include_str!("../data/itaiji.tsv");

fn itaiji() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ITAIJI_TSV
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut cols = l.split('\t').map(str::trim);
                let variant = single_char(cols.next()?)?;
                let standard = single_char(cols.next()?)?;
                Some((variant, standard))
            })
            .collect()
    })
}

fn single_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// Folds a variant kanji (髙, 﨑, 邊 …) to its standard form; other characters pass unchanged.
pub fn fold_variant_kanji(c: char) -> char {
    itaiji().get(&c).copied().unwrap_or(c)
}

/// Katakana ァ..ヶ (U+30A1..U+30F6) lie 0x60 above their hiragana.
fn katakana_to_hiragana(c: char) -> char {
    match c {
        '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
}

/// The form of a name used to decide whether two records name the same person: `ﾔﾏﾀﾞ　ﾀﾛｳ`,
/// `やまだ たろう` and `ヤマダタロウ` give one value, and so do `髙橋` and `高橋`.
///
/// ```
/// use todoke_ja::normalize_name;
/// assert_eq!(normalize_name("ﾔﾏﾀﾞ　ﾀﾛｳ"), normalize_name("やまだ たろう"));
/// assert_eq!(normalize_name("髙橋 一郎"), "高橋一郎");
/// ```
pub fn normalize_name(name: &str) -> String {
    let folded: String =
        name.nfkc().filter(|c| !c.is_whitespace()).map(katakana_to_hiragana).map(fold_variant_kanji).collect();
    // Removing the spaces can bring a voiced mark (or an accent) next to the character it composes
    // with (`ｷ ﾞ`): compose once more, so that normalizing twice is normalizing once (fuzzing found
    // it). Only text with a combining mark can change.
    if folded.chars().any(unicode_normalization::char::is_combining_mark) { folded.nfc().collect() } else { folded }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_spaces_and_kana_fold_together() {
        let forms = ["ヤマダ　タロウ", "やまだ たろう", "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ", " やまだ\tたろう "];
        for f in forms {
            assert_eq!(normalize_name(f), "やまだたろう", "{f}");
        }
    }

    #[test]
    fn variant_kanji_fold_to_their_standard_form() {
        assert_eq!(normalize_name("髙橋 一郎"), normalize_name("高橋一郎"));
        assert_eq!(normalize_name("山﨑"), "山崎");
        assert_eq!(normalize_name("渡邊"), normalize_name("渡辺"));
        assert_eq!(normalize_name("渡邉"), "渡辺");
    }

    #[test]
    fn normalizing_twice_is_normalizing_once() {
        for f in ["ﾔﾏﾀﾞ ﾀﾛｳ", "髙橋　一郎", "ＡＢＣ　株式会社", "ｶﾞｯｺｳ"] {
            let once = normalize_name(f);
            assert_eq!(normalize_name(&once), once, "{f}");
        }
    }

    #[test]
    fn the_whole_contract_table_is_compiled_in() {
        // The contract's table lives beside the project; the crate carries a copy that must cover it.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/contracts/itaiji.tsv");
        let contract = std::fs::read_to_string(path).expect("../shared/contracts/itaiji.tsv beside the project");
        for line in contract.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(v), Some(s)) = (cols.next(), cols.next()) else { continue };
            assert_eq!(normalize_name(v), normalize_name(s), "{line}");
        }
    }
}
