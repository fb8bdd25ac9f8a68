//! todoke's rules engine: who must report what, to whom, by when — and why.
//!
//! The law is data: rule packs (`rules/*.toml`, one per regime and version, compiled in and checked
//! on load) say whom they apply to, what exempts, which categories make a case reportable and which
//! obligations follow, each with its article and its explanation in Japanese and English. The
//! evaluator ([`assess`]) knows the fixed vocabulary of conditions and deadline rules the packs use,
//! and the Japanese administrative calendar ([`calendar`]) rolls deadlines past closed days.
//!
//! Pure: no I/O, no clock. The legal specification is `../shared/RULES.md`.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod calendar;
mod derive;
mod diff;
mod engine;
pub mod pack;

pub use diff::{changes, due_of};
pub use engine::{
    AssessError, Assessment, Obligation, Options, PartyAssessment, Status, Window, assess, final_report_due,
};
pub use pack::{CategoryId, ObligationKind, PackError, Packs, recipient_label};
