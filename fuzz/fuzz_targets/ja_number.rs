//! Numerals as notices write them (`18,950`, `一万八千九百五十`, `2万3,435`, `４０万`) and counts in
//! running text (`約1,450件`). A number read is written back and read again to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some((n, len)) = todoke_ja::read_number(text) {
        assert!(len > 0 && text.is_char_boundary(len) && len <= text.len(), "read {len} of {}", text.len());
        assert_eq!(todoke_ja::parse_number(&todoke_ja::format_number(n)), Some(n));
        assert_eq!(todoke_ja::parse_number(&n.to_string()), Some(n));
    }
    if let Some(n) = todoke_ja::parse_number(text) {
        assert_eq!(todoke_ja::parse_number(&todoke_ja::format_number(n)), Some(n));
    }
    let _ = todoke_ja::parse_count(text);
    for m in todoke_ja::find_counts(text) {
        assert!(m.start < m.end && text.get(m.start..m.end).is_some(), "count {}..{} of {}", m.start, m.end, text.len());
        assert!(todoke_ja::COUNTERS.contains(&m.count.unit));
    }
});
