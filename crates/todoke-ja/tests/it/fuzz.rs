//! Regressions found by the cargo-fuzz targets `ja_text`, `ja_date` and `ja_number` (fuzz/), each
//! with the reproducer's bytes. See: issue 9.

/// `髶ﾞｷ ﾞｷ ﾊ\x01德`: the space between `ｷ` and `ﾞ` was removed after NFKC had composed, so a
/// second normalization composed `ぎ` into `ぎ` (fuzz target `ja_text`).
#[test]
fn normalize_name_composes_a_voiced_mark_brought_next_to_its_kana() {
    let bytes = b"\xe9\xab\xb6\xef\xbe\x9e\xef\xbd\xb7 \xef\xbe\x9e\xef\xbd\xb7 \xef\xbe\x8a\x01\xe5\xbe\xb7";
    let text = std::str::from_utf8(bytes).unwrap();
    let once = todoke_ja::normalize_name(text);
    assert_eq!(todoke_ja::normalize_name(&once), once);
    assert_eq!(once, "髶\u{3099}ぎきは\u{1}徳");
    // The same with the mark spaced off: one name.
    assert_eq!(todoke_ja::normalize_name("ｷ ﾞ"), todoke_ja::normalize_name("ｷﾞ"));
    assert_eq!(todoke_ja::normalize_name("ｶ　ﾞ ﾀ"), "がた");
}
