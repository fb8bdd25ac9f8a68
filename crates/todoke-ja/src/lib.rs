//! Japanese text for todoke: the normalization that makes two spellings of one name compare equal
//! (width, kana, spaces, variant kanji), general text normalization, dates written in the Japanese
//! calendar (和暦) complete or partial, fiscal years, times and numerals as notices write them.
//!
//! Pure: no I/O, no clock. It must never read files or the current date: a partial date takes its
//! year from the text or from the caller. The variant-kanji table is compiled in from
//! `data/itaiji.tsv`.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod date;
mod mention;
mod name;
mod number;
mod text;

pub use date::{Era, fiscal_year_range, format_wareki, parse_date, parse_fiscal_year};
pub use mention::{DateForm, DateMention, TimeMention, find_dates, find_times, parse_time, parse_time_range};
pub use name::{fold_variant_kanji, normalize_name};
pub use number::{COUNTERS, Count, CountMention, find_counts, format_number, parse_count, parse_number, read_number};
pub use text::{fold_halfwidth_kana, fold_kana, fold_width_char, normalize_text, normalize_width, to_katakana};
