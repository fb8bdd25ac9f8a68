//! Text normalization (width, kana, variant kanji, names): never a panic, and normalizing twice
//! gives what normalizing once gave.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let name = todoke_ja::normalize_name(text);
    assert_eq!(todoke_ja::normalize_name(&name), name, "normalize_name is idempotent");
    let normalized = todoke_ja::normalize_text(text);
    assert_eq!(todoke_ja::normalize_text(&normalized), normalized, "normalize_text is idempotent");
    let width = todoke_ja::normalize_width(text);
    assert_eq!(todoke_ja::normalize_width(&width), width, "normalize_width is idempotent");
    let _ = todoke_ja::fold_kana(text);
    let _ = todoke_ja::to_katakana(text);
});
