//! The casebook: published breach notices kept so that organizations learn from each other, and so
//! that a consignor's case can start from the notice it received.
//!
//! - [`profile`] places a notice among the others and [`related`] decides whether two notices concern
//!   one incident (the same organization's 第1報 and 第2報, a consignor's notice naming its handler);
//! - [`SearchIndex`] is the Japanese full-text search (1–2-gram tokens, BM25 ranking, so that
//!   不正アクセス finds 不正なアクセス);
//! - [`Corrections`] are a user's fixes to what the reader got wrong, kept beside the facts read;
//! - [`stats`] counts incidents by cause, organization type and month; [`veris`] writes an incident
//!   in the VERIS Community Database's JSON.
//!
//! Storage is the store's (`todoke_store::CasebookStore`); this crate does no database work. The
//! search index is derived data on disk, rebuilt from the store whenever it is behind.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod correct;
mod fold;
mod incident;
mod search;
pub mod stats;
pub mod veris;

pub use correct::{CorrectionError, Corrections};
pub use fold::{org_key, profile, related};
pub use incident::{Incident, Member};
pub use search::{Hit, SearchError, SearchIndex, fold_for_search, snippet};
