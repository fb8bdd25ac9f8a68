//! Affected-person lists (CONTRACTS.md §3): reading what consignors really hold (CSV in UTF-8 or
//! Shift_JIS, `.xlsx`), normalizing names, birth dates and contact data, matching people by the
//! identity rule, removing exclusions, and planning who is reached by which channel at what cost.
//! Also a synthetic list generator with its ground truth, for tests and benchmarks.
//!
//! It streams: rows are read, normalized and spooled; memory grows only with the index of
//! identities (a few words per row), never with row text. It reads and writes the files and streams
//! it is given and never touches a database (the CLI brings stored people in as rows). Personal data
//! never reaches logs or `Debug` output.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod config;
mod contact;
mod error;
mod field;
pub mod generate;
mod norm;
mod output;
mod plan;
mod progress;
mod read;
mod xlsx_guard;

pub use config::{Channel, PlanConfig};
pub use contact::{normalize_email, normalize_phone, normalize_postal_code, usable_address};
pub use error::{PeopleError, Result};
pub use field::{ColumnMapping, Field};
pub use output::OutputEncoding;
pub use plan::{ChannelCounts, PartySummary, PlanOptions, PlanOutcome, Summary, plan};
pub use progress::{NoProgress, Progress};
pub use read::{Input, Reason, Record, Rejected, read_records};
