//! todoke's persistence: the store traits, their one implementation over any [`Db`], and the two
//! databases it runs on — embedded SQLite ([`SqliteDb`]) and PostgreSQL ([`PgDb`]).
//!
//! The store owns what must be true of every stored change, whatever calls it:
//! - personal data is sealed under the incident's data key, never stored in plain text ([`crypto`]);
//! - every change appends an entry to the tamper-evident audit chain in the same transaction ([`audit`]);
//! - the schema is migrated at start ([`Store::open`]).
//!
//! SQL lives only in this crate, as constant text with bound values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod audit;
mod auth;
mod backup;
mod casebook;
mod costs;
pub mod crypto;
mod db;
mod error;
mod incidents;
pub mod keyring;
mod letters;
mod migrate;
mod notifications;
mod people;
mod postgres;
mod records;
mod reminders;
mod returns;
mod snapshots;
mod sqlite;
mod store;
#[cfg(feature = "testkit")]
pub mod testkit;
mod traits;
mod users;

pub use audit::{Actor, AuditEntry, AuditProblem, AuditReport};
pub use backup::Counts;
pub use costs::{CostCategory, CostClaim, CostLine, CostMove, CostState, CostStore, LineSource, NewCostLine};
pub use crypto::MasterKey;
pub use db::{Backend, Db, Row, Tx, Value};
pub use error::{Result, StoreError};
pub use keyring::{KeyRing, KeySource, KeyState, Rewrapped};

pub use letters::{LetterJob, LetterJobState, LetterStore};
pub use postgres::PgDb;
pub use reminders::{Contact, ReminderKey, ReminderStore};
pub use returns::{PostalAddress, ReturnStore, StoredPublication, SubstitutePublication};
pub use sqlite::SqliteDb;
pub use store::Store;
pub use traits::*;
