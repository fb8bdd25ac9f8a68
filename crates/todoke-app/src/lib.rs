//! todoke's use cases, shared by the web application and the command line so that neither
//! orchestrates storage itself. Generic over the store traits; knows no database and no HTTP.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod accounts;
pub mod campaign;
pub mod case_records;
pub mod casebook;
pub mod costs;
mod decisions;
pub mod fonts;
pub mod joint;
pub mod lookup;
pub mod new_case;
pub mod people;
pub mod reminders;
pub mod retention;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod totp;

pub use accounts::{
    DemoUser, SYSTEM_ORG, add_user, ensure_admin, hash_password, load_demo, random_password, remove_member,
    reset_password, verify_password,
};
pub use decisions::{AppError, AssessOutcome, Filing, assess_stored, file_report, update_facts};
