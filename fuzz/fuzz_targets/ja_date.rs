//! Dates and times as Japanese text writes them: complete dates (和暦, ISO, slashes, dots, 8 digits),
//! fiscal years, dates and times in running text. A date read is written back in both calendars
//! and read again to the same day; every mention lies inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(day) = todoke_ja::parse_date(text) {
        if let Some(wareki) = todoke_ja::format_wareki(day) {
            assert_eq!(todoke_ja::parse_date(&wareki), Some(day), "{wareki}");
        }
        if (1000..=9999).contains(&day.year()) {
            assert_eq!(todoke_ja::parse_date(&day.to_string()), Some(day));
        }
    }
    if let Some((first, last)) = todoke_ja::parse_fiscal_year(text) {
        assert!(first < last);
    }
    // The default year comes from the first two bytes, when there are two.
    let default_year = data.get(..2).map(|b| i16::from_le_bytes([b[0], b[1]]));
    for year in [None, default_year] {
        for m in todoke_ja::find_dates(text, year) {
            assert!(m.start < m.end && text.get(m.start..m.end).is_some(), "date {}..{} of {}", m.start, m.end, text.len());
        }
    }
    for m in todoke_ja::find_times(text) {
        assert!(m.start < m.end && text.get(m.start..m.end).is_some(), "time {}..{} of {}", m.start, m.end, text.len());
    }
    let _ = todoke_ja::parse_time(text);
    let _ = todoke_ja::parse_time_range(text);
});
