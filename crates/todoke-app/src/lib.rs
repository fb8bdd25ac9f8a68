//! todoke's use cases, shared by the web application and the command line so that neither
//! orchestrates storage itself. Generic over the store traits; knows no database and no HTTP.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod decisions;

pub use decisions::{AppError, AssessOutcome, Filing, assess_stored, file_report, update_facts};
