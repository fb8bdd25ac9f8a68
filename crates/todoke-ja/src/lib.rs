//! Japanese text for todoke: the normalization that makes two spellings of one name compare equal
//! (width, kana, spaces, variant kanji), and dates written in the Japanese calendar (和暦).
//!
//! Pure: no I/O. The variant-kanji table is compiled in from `data/itaiji.tsv`.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod date;
mod name;

pub use date::{Era, parse_date};
pub use name::{fold_variant_kanji, normalize_name};
