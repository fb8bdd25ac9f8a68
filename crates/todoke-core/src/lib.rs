//! todoke's domain model: organizations, incidents and their parties, the timeline, tasks, reports,
//! inquiries, affected people, users and memberships — and the incident facts file that describes an
//! incident in TOML.
//!
//! This crate is pure: it does no I/O, reads no clock of its own accord (time comes through [`Clock`])
//! and knows nothing of storage or the web. Every other crate builds on these types.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod casebook;
mod clock;
pub mod facts;
mod ids;
mod model;
mod time;

pub use casebook::NoticeProfile;
pub use clock::{Clock, FixedClock, SystemClock, japan_date};
pub use ids::{
    IncidentId, InquiryId, NoticeId, NotificationId, OrgId, PartyId, PersonId, ReportId, TaskId, TimelineEventId,
    UserId,
};
/// A calendar date (re-exported so that users of the model need not name jiff).
pub use jiff::civil::Date;
pub use model::*;
pub use time::OffsetTime;
